"""`omo report on-time` on SQLite and PostgreSQL: it brings the on-time projection to the
head itself, prints a table per store with a total or writes CSV, and says in one line what
to fix."""

from __future__ import annotations

import csv

import pytest

from services.cli.main import main
from tests.on_time_builders import DELIVERED_STEPS, in_hours, open_stores, place, steps

STORES = {"S1": ("Shanghai", "Shanghai", "D1"), "S2": ("Shanghai", "Shanghai", ""), "S3": ("Zhejiang", "Hangzhou", "D1")}


@pytest.fixture
def dates(app) -> tuple[str, str]:
    """S1: one on time, one late; S2: one overdue; S3: one open. Not projected yet."""
    open_stores(app, STORES, dealers=("D1",))
    ahead, behind = in_hours(3), in_hours(-3)
    for key, store_id, promise, done in (
        ("s1-on-time", "S1", ahead, True), ("s1-late", "S1", behind, True), ("s2-overdue", "S2", behind, False),
        ("s3-open", "S3", ahead, False),
    ):
        order_id = place(app, key, store_id, promise)
        if done:
            steps(app, order_id, store_id, *DELIVERED_STEPS)
    found = sorted(p[:10] for p in (ahead, behind))
    return found[0], found[-1]


def test_the_table_has_a_row_per_store_and_a_total(app, database_url, dates, capsys):
    assert main(["report", "on-time", "--from", dates[0], "--to", dates[1], "--province", "Shanghai", "--database", database_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"On time, province 'Shanghai', {dates[0]}..{dates[1]} (store-local days)"
    assert lines[1].split() == ["Store", "Due", "On", "time", "Late", "Open", "Overdue", "On", "time", "%"]
    assert lines[2].split() == ["S1", "2", "1", "1", "0", "0", "50.0%"]
    assert lines[3].split() == ["S2", "1", "0", "0", "1", "1", "0.0%"]
    assert set(lines[4]) <= {"-", " "}
    assert lines[5].split() == ["TOTAL", "3", "1", "1", "1", "1", "33.3%"]
    assert len(lines) == 6

    assert main(["report", "on-time", "--from", dates[0], "--to", dates[1], "--database", database_url]) == 0
    every = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in every[2:5]] == ["S1", "S2", "S3"] and len(every) == 7
    assert every[6].split() == ["TOTAL", "4", "1", "1", "2", "1", "33.3%"]


def test_csv_has_a_row_per_store_and_day_per_store_and_a_total(app, database_url, dates, tmp_path, capsys):
    path = tmp_path / "on-time.csv"
    assert main([
        "report", "on-time", "--from", dates[0], "--to", dates[1], "--dealer", "D1", "--csv", str(path), "--database", database_url,
    ]) == 0
    assert f"to {path}" in capsys.readouterr().out
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    per_day = [r for r in rows if r["local_day"] != "ALL"]
    assert sum(int(r["due"]) for r in per_day if r["store_id"] == "S1") == 2
    assert {r["store_id"] for r in per_day} == {"S1", "S3"}
    totals = {r["store_id"]: r for r in rows if r["local_day"] == "ALL"}
    assert list(totals) == ["S1", "S3", "TOTAL"]
    assert [totals["S1"][k] for k in ("due", "on_time", "late", "open", "overdue", "on_time_per_mille")] == ["2", "1", "1", "0", "0", "500"]
    assert [totals["S3"][k] for k in ("due", "open", "overdue", "on_time_per_mille")] == ["1", "1", "0", ""]
    assert [totals["TOTAL"][k] for k in ("due", "on_time", "late", "open")] == ["3", "1", "1", "1"]


@pytest.mark.parametrize(("arguments", "told"), [
    (["--from", "2026-12-01", "--to", "2027-01-15"], "46 days; at most 31 days"),
    (["--from", "2026-12-02", "--to", "2026-12-01"], "before from_date"),
    (["--from", "1 Dec", "--to", "2026-12-01"], "YYYY-MM-DD"),
    (["--to", "2026-12-01"], "--from YYYY-MM-DD is required"),
    (["--from", "2026-12-01", "--to", "2026-12-01", "--store", "S1", "--dealer", "D1"], "give one of --store, --dealer or --province"),
    (["--from", "2026-12-01", "--to", "2026-12-01", "--city", "Hangzhou"], "--city needs --province"),
    (["--from", "2026-12-01", "--to", "2026-12-01", "--store", "S9"], "store 'S9' does not exist"),
])
def test_what_to_fix_is_told_in_one_line(app, database_url, dates, capsys, arguments, told):
    assert main(["report", "on-time", *arguments, "--database", database_url]) in (1, 2)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert told in captured.err and len(captured.err.strip().splitlines()) == 1, captured.err
