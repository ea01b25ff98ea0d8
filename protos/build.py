"""Generates the Python protobuf and gRPC modules from the .proto files.

protoc writes absolute imports (``from omo.v1 import common_pb2``) that only
work with the proto root on sys.path; they are rewritten to relative imports so
the modules import from the installed ``protos`` package.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parent
PACKAGE_DIR = PROTO_ROOT / "omo" / "v1"
_ABSOLUTE_IMPORT = re.compile(r"^from omo\.v1 import (\w+_pb2)", re.MULTILINE)


def proto_files() -> list[Path]:
    return sorted(PACKAGE_DIR.glob("*.proto"))


def generated_names() -> list[str]:
    names = []
    for proto in proto_files():
        names += [f"{proto.stem}_pb2.py", f"{proto.stem}_pb2.pyi", f"{proto.stem}_pb2_grpc.py"]
    return names


def generate(out_dir: Path) -> list[Path]:
    """Runs protoc into out_dir (a copy of the omo/v1 layout) and returns the files written."""
    from grpc_tools import protoc  # a build-time tool, only needed here

    import importlib.resources

    well_known = str(importlib.resources.files("grpc_tools") / "_proto")
    out_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *[str(p.relative_to(PROTO_ROOT)) for p in proto_files()],
    ]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed: " + " ".join(args))
    written = []
    for name in generated_names():
        path = out_dir / "omo" / "v1" / name
        path.write_text(_ABSOLUTE_IMPORT.sub(r"from . import \1", path.read_text()))
        written.append(path)
    return written


def stale_files() -> list[str]:
    """Names of generated modules that differ from what the .proto files produce now."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = {p.name: p.read_text() for p in generate(Path(tmp))}
    stale = []
    for name, text in fresh.items():
        current = PACKAGE_DIR / name
        if not current.exists() or current.read_text() != text:
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m protos.build",
        description="Regenerate protos/omo/v1/*_pb2*.py from the .proto files.",
    )
    parser.add_argument("--check", action="store_true", help="only report stale modules; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for name in stale:
            print(f"stale: {name}")
        return 1 if stale else 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in generate(Path(tmp)):
            (PACKAGE_DIR / path.name).write_text(path.read_text())
            print(f"wrote protos/omo/v1/{path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
