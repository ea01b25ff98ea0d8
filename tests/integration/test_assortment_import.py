"""`omo assortment import`: a CSV file of (store_id, sku, listed) rows applied in one write,
or, when any row is bad, none of it, with every bad row reported by its line number."""

from __future__ import annotations

import pytest

from domain.stores import StoreProfile, WAREHOUSE
from domain.values import GeoPoint
from services.bootstrap import build_application
from services.cli.main import main
from services.use_cases.network.assortments import AssortmentRow, RowsRefused, get_assortment, import_assortments
from services.use_cases.network.stores import upsert_store
from services.use_cases.stock.inventory import receive_stock


def seeded(app) -> None:
    for store_id, kind in (("S1", "STORE"), ("S2", "STORE"), ("WH", WAREHOUSE)):
        upsert_store(app, StoreProfile(
            store_id=store_id, name=store_id, location=GeoPoint(31.23, 121.47), province="Shanghai", city="Shanghai",
            dealer_id="", opening_hours=(), time_zone="Asia/Shanghai", delivery_radius_km=0.0 if kind == WAREHOUSE else 5.0,
            daily_order_capacity=0, active=True, kind=kind,
        ))
    receive_stock(app, "S1", [("TEA", 5), ("CUP", 5), ("POT", 5)])


def listing(app, store_id):
    return get_assortment(app, store_id).listed


def test_a_good_file_is_applied_to_every_store_at_once(app):
    seeded(app)
    rows = [AssortmentRow(2, "S1", "TEA", True), AssortmentRow(3, "S1", "CUP", True), AssortmentRow(4, "S2", "POT", True),
            AssortmentRow(5, "S1", "TEA", True)]  # the same row twice: once
    imported = import_assortments(app, rows)
    assert [(s.store_id, s.added, s.removed, s.listed) for s in imported] == [("S1", 2, 0, 2), ("S2", 1, 0, 1)]
    assert listing(app, "S1") == ("CUP", "TEA") and listing(app, "S2") == ("POT",)
    imported = import_assortments(app, [AssortmentRow(2, "S1", "TEA", False), AssortmentRow(3, "S1", "POT", True)])
    assert [(s.added, s.removed, s.listed) for s in imported] == [(1, 1, 2)]
    assert listing(app, "S1") == ("CUP", "POT")


def test_a_file_with_bad_rows_names_each_by_its_line_and_applies_nothing(app):
    seeded(app)
    head = app.recorder.max_notification_id()
    rows = [
        AssortmentRow(2, "S1", "TEA", True),  # good
        AssortmentRow(3, "S404", "TEA", True),
        AssortmentRow(4, "S1", "NO-SUCH", True),
        AssortmentRow(5, "WH", "TEA", True),
        AssortmentRow(6, "S1", "TEA", False),  # S1 and TEA both ways
        AssortmentRow(7, "S 1", "TEA", True),
        AssortmentRow(8, "S2", "TEA", False),  # S2 lists everything and the file only removes from it
    ]
    with pytest.raises(RowsRefused) as refused:
        import_assortments(app, rows)
    lines = [line for line, _ in refused.value.problems]
    assert lines == [3, 4, 5, 6, 7]  # S2's row is judged only once the rest is good
    assert "line 2" in dict(refused.value.problems)[6]
    assert app.recorder.max_notification_id() == head
    with pytest.raises(RowsRefused) as refused:
        import_assortments(app, [rows[0], rows[-1]])
    assert [line for line, _ in refused.value.problems] == [8]
    assert app.recorder.max_notification_id() == head and listing(app, "S1") is None


def test_the_command_reports_bad_lines_in_one_line_each_and_exits_2(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'omo.db'}"
    app = build_application(url)
    try:
        seeded(app)
    finally:
        app.close()
    monkeypatch.setenv("OMO_DATABASE_URL", url)
    bad = tmp_path / "bad.csv"
    bad.write_text("store_id,sku,listed\nS1,TEA,true\nS1,CUP,maybe\n\nS404,TEA,yes\nS1,TEA\n", encoding="utf-8")
    assert main(["assortment", "import", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [f"{bad}:3: listed must be true or false, got 'maybe'", f"{bad}:6: has 2 cells; a row is store_id,sku,listed"]
    assert err[-1] == f"omo assortment import: 2 bad rows in {bad}; nothing was applied"
    bad.write_text("store_id,sku,listed\nS1,TEA,true\nS404,TEA,yes\n", encoding="utf-8")
    assert main(["assortment", "import", str(bad)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == f"{bad}:3: store 'S404' is not registered"
    good = tmp_path / "good.csv"
    good.write_text("store_id,sku,listed\nS1,TEA,true\nS1,CUP,1\n", encoding="utf-8")
    assert main(["assortment", "import", str(good)]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == ["S1: +2 -0, 2 SKUs listed"]
    app = build_application(url)
    try:
        assert listing(app, "S1") == ("CUP", "TEA")
    finally:
        app.close()
    headless = tmp_path / "headless.csv"
    headless.write_text("S1,TEA,true\n", encoding="utf-8")
    assert main(["assortment", "import", str(headless)]) == 2
    assert "the header must be store_id,sku,listed" in capsys.readouterr().err
