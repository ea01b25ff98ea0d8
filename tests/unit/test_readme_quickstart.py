"""The README stays a front door: at most 260 lines, and every file its documentation map
names exists (its quickstart, run as written: tests/e2e/test_readme_quickstart.py).

Nothing here imports the project's modules, so the test follows the code wherever it moves.
"""

from __future__ import annotations

import re

from tests.readme import REPO, readme, section

MAX_README_LINES = 260


def test_the_readme_is_a_front_door():
    assert readme().startswith("# OMO backbone\n\n```bash\n")
    assert len(readme().splitlines()) <= MAX_README_LINES


def test_every_file_in_the_readme_documentation_map_exists():
    named = re.findall(r"\]\((docs/[\w.-]+\.md)\)", section("Documentation"))
    assert len(named) >= 4
    missing = [name for name in named if not (REPO / name).is_file()]
    assert not missing, f"the README's documentation map names missing files: {missing}"
