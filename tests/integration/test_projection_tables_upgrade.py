"""Projection tables an earlier version made, on SQLite and PostgreSQL: the tracking table
records the schema version each projection's tables were made at; tables at another version,
made before versions were kept, lacking a column this version writes or holding a text column
narrower than it now is, are refused in one line naming `omo projections rebuild` (by the
runners, `omo serve` and `omo project`, before anything starts), never read nor dropped on the
quiet; the rebuild makes them anew at this version, after which everything starts. A new
database gets every projection at its current version."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import BigInteger, Column, MetaData, String, Table, inspect, select, text, update

from aggregates.stock_position import StockPosition
from aggregates.store import Store
from projections.definitions import NATIONAL_STOCK, PROJECTIONS
from projections.national_stock.verify import verify
from projections.runtime.database import (
    OtherVersion, OutdatedTables, create_projection_tables, remake_projection_tables, tracking, write_engine,
)
from projections.runtime.projection import refuse_other_versions
from services.adapters.projection_runners import new_runner
from services.cli.main import main
from services.use_cases.application import OmoApplication
from tests.integration.test_national_stock import profile

STOCK = NATIONAL_STOCK.name


def some_stock(app: OmoApplication) -> None:
    app.save(Store.register(profile("S1")), Store.register(profile("S2", "Zhejiang", "Hangzhou", "D2")))
    positions = []
    for store in ("S1", "S2"):
        for sku in ("A", "B"):
            position = StockPosition(store, sku)
            position.receive(10, occurred_at_us=1)
            position.reserve(f"o-{store}-{sku}", 2)
            positions.append(position)
    app.save(*positions)


def caught_up_stock(app: OmoApplication) -> int:
    """The national stock applied to the head, as a running version left it; the head."""
    runner = new_runner(app, app.database_url, NATIONAL_STOCK)
    try:
        runner.catch_up()
        runner.release()
        return runner.position
    finally:
        runner.close()


def execute(url: str, *statements: str) -> None:
    engine = write_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def versions(url: str) -> dict[str, int | None]:
    engine = write_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(select(tracking.c.projection, tracking.c.schema_version)).all())
    finally:
        engine.dispose()


def refused(capsys, *argv: str) -> str:
    """The one line `omo argv` is refused with (status 2)."""
    assert main(list(argv)) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0]


def rebuild(capsys, *projection: str) -> None:
    assert main(["projections", "rebuild", *projection]) == 0
    capsys.readouterr()


def test_a_new_database_gets_every_projection_at_its_current_version(app):
    refuse_other_versions(app.database_url, PROJECTIONS.values())  # nothing made yet: nothing to refuse
    runners = [new_runner(app, app.database_url, projection) for projection in PROJECTIONS.values()]
    try:
        assert versions(app.database_url) == {name: p.schema_version for name, p in PROJECTIONS.items()}
        assert all(p.schema_version >= 1 for p in PROJECTIONS.values())
        refuse_other_versions(app.database_url, PROJECTIONS.values())
        for projection in PROJECTIONS.values():
            projection.create_tables(runners[0].writer)  # made again by another process: left as they are
    finally:
        for runner in runners:
            runner.close()


def test_an_older_schema_version_is_refused_until_rebuilt(app, monkeypatch, capsys):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    some_stock(app)
    head = caught_up_stock(app)
    older = NATIONAL_STOCK.schema_version - 1
    execute(app.database_url, f"UPDATE stock_projection_tracking SET schema_version = {older} WHERE projection = '{STOCK}'")

    with pytest.raises(OutdatedTables) as raised:
        refuse_other_versions(app.database_url, PROJECTIONS.values())
    assert raised.value.others == (OtherVersion(STOCK, older, NATIONAL_STOCK.schema_version),)
    with pytest.raises(OutdatedTables):  # a runner made in a server's thread refuses too
        new_runner(app, app.database_url, NATIONAL_STOCK)

    line = refused(capsys, "serve", "--port", "0")  # refused before anything starts
    assert line == (
        f"omo serve: error: projection tables of another schema version: {STOCK} at schema version {older}, "
        f"wanted {NATIONAL_STOCK.schema_version}; run `omo projections rebuild --projection {STOCK}`, which makes the "
        "tables anew and applies every event again, then start again"
    )
    assert "omo projections rebuild --projection national_stock" in refused(capsys, "projections", "verify", "--projection", STOCK)
    assert main(["projections", "status", "--projection", STOCK]) == 0
    assert f"schema      {older} (wanted {NATIONAL_STOCK.schema_version}); refused: run `omo projections rebuild --projection {STOCK}`" in capsys.readouterr().out

    rebuild(capsys, "--projection", STOCK)
    assert versions(app.database_url)[STOCK] == NATIONAL_STOCK.schema_version
    refuse_other_versions(app.database_url, PROJECTIONS.values())
    runner = new_runner(app, app.database_url, NATIONAL_STOCK)
    try:
        assert runner.status().position == head
        assert verify(runner.reader, runner.event_log).differences == []
    finally:
        runner.close()
    assert main(["projections", "status", "--projection", STOCK]) == 0
    assert f"schema      {NATIONAL_STOCK.schema_version} (wanted {NATIONAL_STOCK.schema_version})\n" in capsys.readouterr().out


def test_a_table_lacking_a_column_is_refused_until_rebuilt(app, monkeypatch, capsys):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    some_stock(app)
    head = caught_up_stock(app)
    # as a version before expected receipts left them, without bumping the version
    execute(app.database_url, "ALTER TABLE stock_by_store DROP COLUMN expected", "ALTER TABLE stock_by_province DROP COLUMN expected")

    with pytest.raises(OutdatedTables) as raised:
        new_runner(app, app.database_url, NATIONAL_STOCK)
    [other] = raised.value.others
    assert other.found == other.wanted == NATIONAL_STOCK.schema_version
    assert set(other.differences) == {"stock_by_store lacks expected", "stock_by_province lacks expected"}
    line = refused(capsys, "project", "--one-process")
    assert line.startswith("omo project: error: projection tables of another schema version: national_stock at schema version")
    assert "stock_by_store lacks expected" in line and f"omo projections rebuild --projection {STOCK}" in line

    rebuild(capsys, "--projection", STOCK)
    runner = new_runner(app, app.database_url, NATIONAL_STOCK)
    try:
        assert runner.status().position == head
        assert verify(runner.reader, runner.event_log).differences == []
        with runner.reader.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM stock_by_store WHERE expected = 0")).scalar_one() == 4
    finally:
        runner.close()


def test_tables_from_before_versions_were_kept_are_all_refused_until_each_is_rebuilt(app, monkeypatch, capsys):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    some_stock(app)
    runners = [new_runner(app, app.database_url, projection) for projection in PROJECTIONS.values()]
    for runner in runners:
        runner.close()
    execute(app.database_url, "ALTER TABLE stock_projection_tracking DROP COLUMN schema_version")  # the old layout

    with pytest.raises(OutdatedTables) as raised:
        refuse_other_versions(app.database_url, PROJECTIONS.values())
    assert [(o.projection, o.found) for o in raised.value.others] == [(name, None) for name in PROJECTIONS]
    line = refused(capsys, "serve", "--port", "0", "--no-projection")  # its queries read them all the same
    assert "national_stock at no schema version (made by an older version), wanted 1;" in line
    assert "run `omo projections rebuild --projection NAME` for each of them (`omo projections rebuild` rebuilds every projection)" in line
    assert main(["projections", "status", "--projection", "on_time", "--json"]) == 0
    shown = capsys.readouterr().out
    assert '"schema_version": null, "schema_version_wanted": 1' in shown and '"position": 0' in shown

    rebuild(capsys, "--projection", "on_time")
    with pytest.raises(OutdatedTables) as raised:  # the others' rows still say no version
        refuse_other_versions(app.database_url, PROJECTIONS.values())
    assert [o.projection for o in raised.value.others] == [name for name in PROJECTIONS if name != "on_time"]
    refuse_other_versions(app.database_url, [PROJECTIONS["on_time"]])

    rebuild(capsys)  # every projection
    assert versions(app.database_url) == {name: p.schema_version for name, p in PROJECTIONS.items()}
    refuse_other_versions(app.database_url, PROJECTIONS.values())
    assert main(["projections", "verify"]) == 0


def orders_table(metadata: MetaData, status_length: int) -> Table:
    return Table(
        "upgrade_check_orders", metadata,
        Column("order_id", String(36), primary_key=True),
        Column("status", String(status_length), nullable=False),
        Column("placed_at_us", BigInteger, nullable=False),
    )


def position(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(tracking.c.position).where(tracking.c.projection == "upgrade_check")).scalar_one()


def test_a_narrower_column_is_refused_an_equal_one_is_not_and_remaking_fixes_it(database_url):
    engine = write_engine(database_url)
    try:
        old = MetaData()
        orders_table(old, 16)
        create_projection_tables(engine, old, "upgrade_check", 1)
        with engine.begin() as connection:
            connection.execute(update(tracking).where(tracking.c.projection == "upgrade_check").values(position=42))
        same = MetaData()
        orders_table(same, 16)
        create_projection_tables(engine, same, "upgrade_check", 1)
        assert position(engine) == 42  # nothing to refuse

        with pytest.raises(OutdatedTables) as raised:
            create_projection_tables(engine, same, "upgrade_check", 2)
        assert raised.value.others == (OtherVersion("upgrade_check", 1, 2),)

        wider = MetaData()
        orders_table(wider, 24)
        with pytest.raises(OutdatedTables) as raised:
            create_projection_tables(engine, wider, "upgrade_check", 1)
        assert raised.value.others == (OtherVersion("upgrade_check", 1, 1, ("upgrade_check_orders.status is narrower",)),)
        assert position(engine) == 42  # refused, not dropped
        [status] = [c for c in inspect(engine).get_columns("upgrade_check_orders") if c["name"] == "status"]
        assert status["type"].length == 16

        with engine.begin() as connection:
            remake_projection_tables(connection, wider, "upgrade_check", 2)
        assert position(engine) == 0  # to be refilled from the first event
        [status] = [c for c in inspect(engine).get_columns("upgrade_check_orders") if c["name"] == "status"]
        assert status["type"].length == 24
        create_projection_tables(engine, wider, "upgrade_check", 2)
    finally:
        engine.dispose()


def test_omo_project_on_outdated_tables_exits_2_with_one_line_and_starts_once_rebuilt(app):
    some_stock(app)
    caught_up_stock(app)
    execute(app.database_url, f"UPDATE stock_projection_tracking SET schema_version = 0 WHERE projection = '{STOCK}'")
    env = {**os.environ, "OMO_DATABASE_URL": app.database_url}
    project = [sys.executable, "-m", "services.cli", "project", "--poll-interval", "0.05"]

    result = subprocess.run(project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("omo project: error: projection tables of another schema version: national_stock")
    assert f"`omo projections rebuild --projection {STOCK}`" in lines[0]

    rebuilt = subprocess.run(
        [sys.executable, "-m", "services.cli", "projections", "rebuild", "--projection", STOCK],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    process = subprocess.Popen(project, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        wanted = {name: p.schema_version for name, p in PROJECTIONS.items()}
        while versions(app.database_url) != wanted:  # the others' tables made at this version
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "omo project did not make the other projections' tables"
            time.sleep(0.1)
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
