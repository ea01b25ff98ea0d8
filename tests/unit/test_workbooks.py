"""An XLSX export gives the same bytes for the same content, whenever it is written, and records
the moment its figures belong to."""

from __future__ import annotations

import datetime as real_datetime
import time
from datetime import datetime, timezone

import openpyxl.writer.excel
from openpyxl import Workbook, load_workbook

from services.adapters.workbooks import save_reproducibly

PERIOD_END = datetime(2026, 12, 1, tzinfo=timezone(real_datetime.timedelta(hours=8)))


def written_at(moment: datetime, path, monkeypatch) -> bytes:
    """The same small workbook saved as if at `moment` (the clocks openpyxl and zipfile read)."""

    class Clock(real_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(openpyxl.writer.excel.datetime, "datetime", Clock)
    monkeypatch.setattr(time, "time", lambda: moment.timestamp())
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Statement")
    sheet.append(["S1", 123.45])
    save_reproducibly(book, path, PERIOD_END)
    monkeypatch.undo()
    return path.read_bytes()


def test_the_same_workbook_written_days_apart_is_the_same_bytes(tmp_path, monkeypatch):
    first = written_at(datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc), tmp_path / "a.xlsx", monkeypatch)
    later = written_at(datetime(2027, 3, 5, 17, 31, 7, tzinfo=timezone.utc), tmp_path / "b.xlsx", monkeypatch)
    assert first == later
    book = load_workbook(tmp_path / "a.xlsx")
    assert book.properties.created == book.properties.modified == datetime(2026, 11, 30, 16, 0)  # UTC
    assert [list(row) for row in book["Statement"].values] == [["S1", 123.45]]


def test_without_it_openpyxl_writes_the_time_of_writing(tmp_path, monkeypatch):
    """The reason for the module: a plain save differs between two moments."""
    def plain(moment, path):
        class Clock(real_datetime.datetime):
            @classmethod
            def now(cls, tz=None):
                return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

        with monkeypatch.context() as patch:
            patch.setattr(openpyxl.writer.excel.datetime, "datetime", Clock)
            patch.setattr(time, "time", lambda: moment.timestamp())
            book = Workbook(write_only=True)
            book.create_sheet("Statement").append(["S1"])
            book.save(path)
        return path.read_bytes()

    assert plain(datetime(2026, 12, 2, tzinfo=timezone.utc), tmp_path / "a.xlsx") != plain(
        datetime(2027, 3, 5, tzinfo=timezone.utc), tmp_path / "b.xlsx")
