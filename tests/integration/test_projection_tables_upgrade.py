"""Projection tables an earlier version wrote, on SQLite and PostgreSQL: a table lacking a
column this version writes, or holding a text column narrower than it now is (a status that
gained a longer value), is dropped, made again and refilled from the first event; a table as
this version makes it is left alone."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, MetaData, String, Table, inspect, select, update

from projections.runtime.database import create_projection_tables, tracking, write_engine


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


def test_a_narrower_column_rebuilds_the_projection_and_an_equal_one_does_not(database_url):
    engine = write_engine(database_url)
    try:
        old = MetaData()
        orders_table(old, 16)
        create_projection_tables(engine, old, "upgrade_check")
        with engine.begin() as connection:
            connection.execute(update(tracking).where(tracking.c.projection == "upgrade_check").values(position=42))
        same = MetaData()
        orders_table(same, 16)
        create_projection_tables(engine, same, "upgrade_check")
        assert position(engine) == 42  # nothing to rebuild

        wider = MetaData()
        orders_table(wider, 24)
        create_projection_tables(engine, wider, "upgrade_check")
        assert position(engine) == 0  # made again, to be refilled from the first event
        [status] = [c for c in inspect(engine).get_columns("upgrade_check_orders") if c["name"] == "status"]
        assert status["type"].length == 24
    finally:
        engine.dispose()
