"""`omo assortment import`: which SKUs stores may sell online, from a CSV file, all or nothing."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from domain.errors import DomainError
from services.adapters.config import DATABASE_URL_VARIABLE, database_url
from services.use_cases.network.assortments import AssortmentRow, RowsRefused

COLUMNS = ("store_id", "sku", "listed")
YES, NO = ("true", "yes", "1", "y"), ("false", "no", "0", "n")
SHOWN_PROBLEMS = 50  # a file bad throughout is summed up after these


def add_parsers(commands: argparse._SubParsersAction) -> None:
    assortment = commands.add_parser(
        "assortment", help="which SKUs stores may sell online: import a CSV file",
        description=f"Store assortments in the event store named by {DATABASE_URL_VARIABLE}. A store with no "
        "assortment lists every SKU; routing passes over a store that does not list a line's SKU (NOT_LISTED).",
    )
    actions = assortment.add_subparsers(dest="action", required=True, metavar="ACTION")
    imported = actions.add_parser(
        "import", help="apply a CSV file of (store_id, sku, listed) rows, all or nothing",
        description="Apply a CSV file whose header is store_id,sku,listed: listed true (or yes, 1) adds the SKU to "
        "the store's assortment, false (or no, 0) removes it; rows for a store that lists every SKU start its "
        "assortment with the SKUs listed. Every bad row is reported with its line number, and then nothing of the "
        "file is applied; a good file is applied in one atomic write.",
    )
    imported.add_argument("file", type=Path, help="the CSV file (UTF-8; - for standard input)")


def assortment(args: argparse.Namespace) -> int:
    from services.bootstrap import build_application
    from services.use_cases.network.assortments import import_assortments

    try:
        rows, problems = read_rows(args.file)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        print(f"omo assortment import: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    if problems:
        return _refused(args.file, problems)
    app = build_application(database_url())
    try:
        stores = import_assortments(app, rows)
    except RowsRefused as refused:
        return _refused(args.file, refused.problems)
    except DomainError as error:
        print(f"omo assortment import: {error}", file=sys.stderr)
        return 2
    finally:
        app.close()
    for store in stores:
        print(f"{store.store_id}: +{store.added} -{store.removed}, {store.listed} SKUs listed")
    print(f"applied {len(rows)} rows to {len(stores)} stores", file=sys.stderr)
    return 0


def read_rows(path: Path) -> tuple[list[AssortmentRow], list[tuple[int, str]]]:
    """The file's rows, and what is wrong with its lines (line 1 is the header)."""
    with (open(sys.stdin.fileno(), encoding="utf-8-sig", closefd=False) if str(path) == "-" else path.open(encoding="utf-8-sig", newline="")) as file:
        reader = csv.reader(file)
        header = next(reader, None)
        if header is None or tuple(cell.strip().lower() for cell in header) != COLUMNS:
            return [], [(1, f"the header must be {','.join(COLUMNS)}, got {','.join(header or [])!r}")]
        rows, problems = [], []
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(cells) != len(COLUMNS):
                problems.append((line, f"has {len(cells)} cells; a row is {','.join(COLUMNS)}"))
                continue
            store_id, sku, listed = (cell.strip() for cell in cells)
            if listed.lower() not in YES + NO:
                problems.append((line, f"listed must be true or false, got {listed!r}"))
                continue
            rows.append(AssortmentRow(line, store_id, sku, listed.lower() in YES))
    return rows, problems


def _refused(path: Path, problems: list[tuple[int, str]]) -> int:
    for line, problem in problems[:SHOWN_PROBLEMS]:
        print(f"{path}:{line}: {problem}", file=sys.stderr)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"... and {len(problems) - SHOWN_PROBLEMS} more bad rows", file=sys.stderr)
    print(f"omo assortment import: {len(problems)} bad rows in {path}; nothing was applied", file=sys.stderr)
    return 2
