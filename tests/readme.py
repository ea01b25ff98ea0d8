"""Reading the README as the tests of its quickstart do (tests/unit and tests/e2e,
test_readme_quickstart): the file, a `## heading` section of it and its fenced blocks.

Nothing here imports the project's modules, so the README tests follow the code wherever it moves.
"""

from __future__ import annotations

import re
from pathlib import Path


# the repository: the nearest folder above with the README and pyproject.toml (wherever this file moves)
REPO = next(p for p in Path(__file__).resolve().parents if (p / "README.md").is_file() and (p / "pyproject.toml").is_file())
README = REPO / "README.md"


def readme() -> str:
    return README.read_text(encoding="utf-8")


def section(heading: str) -> str:
    """The README's `## heading` section, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", readme(), re.S | re.M)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block, in order."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)
