"""StockQueryService over gRPC: figures with their breakdowns, low stock by region, the
watch stream, freshness on every answer, read-your-writes, and clear refusals."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator

import grpc
import pytest

from protos.omo.v1 import stock_query_pb2 as pb
from protos.omo.v1 import stock_query_pb2_grpc
from services.use_cases.stock import inventory
from services.use_cases.network.stores import upsert_store
from tests.builders import refused, register_dealers_in
from tests.e2e.test_cli import free_port, wait_until_serving
from tests.integration.test_national_stock import new_runner, profile


@pytest.fixture
def stock(client):
    return stock_query_pb2_grpc.StockQueryServiceStub(client.channel)


@pytest.fixture
def runner(app) -> Iterator:
    r = new_runner(app)
    yield r
    r.shutdown()


@pytest.fixture
def network(app):
    register_dealers_in(app, "D1")
    upsert_store(app, profile("S1", "Shanghai", "Shanghai", "D1"))
    upsert_store(app, profile("S2", "Zhejiang", "Hangzhou", ""))
    upsert_store(app, profile("S3", "Zhejiang", "Ningbo", "D1"))
    inventory.receive_stock(app, "S1", [("SERUM", 10), ("MASK", 2)])
    inventory.receive_stock(app, "S2", [("SERUM", 4)])
    inventory.receive_stock(app, "S3", [("SERUM", 1), ("MASK", 30)])
    inventory.set_safety_stock(app, "S3", "SERUM", 3)
    return app


UP_TO_DATE = pb.Consistency(up_to_date=True)


def test_national_stock_with_every_breakdown(network, runner, stock):
    runner.start()
    answer = stock.GetNationalStock(pb.GetNationalStockRequest(
        sku="SERUM", breakdown=[pb.BY_PROVINCE, pb.BY_CITY, pb.BY_DEALER, pb.BY_STORE], consistency=UP_TO_DATE,
    ))
    assert (answer.national.on_hand, answer.national.available, answer.national.safety_stock, answer.national.positions) == (15, 14, 3, 3)
    assert [(a.area.province, a.figures.on_hand, a.figures.available) for a in answer.by_province] == [("Shanghai", 10, 10), ("Zhejiang", 5, 4)]
    assert [(a.area.province, a.area.city, a.figures.on_hand) for a in answer.by_city] == [
        ("Shanghai", "Shanghai", 10), ("Zhejiang", "Hangzhou", 4), ("Zhejiang", "Ningbo", 1),
    ]
    assert [(a.area.dealer, a.figures.on_hand) for a in answer.by_dealer] == [("D1", 11), ("HQ", 4)]
    assert [(a.area.store_id, a.area.province, a.area.dealer, a.figures.available) for a in answer.by_store] == [
        ("S1", "Shanghai", "D1", 10), ("S2", "Zhejiang", "HQ", 4), ("S3", "Zhejiang", "D1", 0),
    ]
    head = network.recorder.max_notification_id()
    assert (answer.freshness.position, answer.freshness.head, answer.freshness.lag_events, answer.freshness.lag_ms) == (head, head, 0, 0)


def test_only_the_breakdowns_asked_for_are_answered(network, runner, stock):
    runner.start()
    answer = stock.GetNationalStock(pb.GetNationalStockRequest(sku="SERUM", breakdown=[pb.BY_DEALER], consistency=UP_TO_DATE))
    assert len(answer.by_dealer) == 2 and not answer.by_province and not answer.by_store


def test_an_answer_says_how_far_behind_it_is(network, runner, stock):
    runner.catch_up()
    inventory.receive_stock(network, "S1", [("SERUM", 5)])  # not applied: the runner is not running
    answer = stock.GetNationalStock(pb.GetNationalStockRequest(sku="SERUM"))
    assert answer.national.on_hand == 15
    assert answer.freshness.lag_events == answer.freshness.head - answer.freshness.position > 0
    assert answer.freshness.lag_ms >= 0
    # read-your-writes: waits for the receipt to be applied
    runner.start()
    waited = stock.GetNationalStock(pb.GetNationalStockRequest(sku="SERUM", consistency=pb.Consistency(min_position=answer.freshness.head)))
    assert waited.national.on_hand == 20
    assert waited.freshness.position >= answer.freshness.head


def test_a_read_your_writes_wait_that_runs_out_is_deadline_exceeded(network, runner, stock):
    runner.catch_up()
    inventory.receive_stock(network, "S1", [("SERUM", 5)])
    error = refused(stock.GetNationalStock, pb.GetNationalStockRequest(
        sku="SERUM", consistency=pb.Consistency(up_to_date=True, wait_timeout_ms=100),
    ))
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "reached position" in error.details()


def test_bad_requests_are_refused_with_the_field_named(network, runner, stock):
    runner.catch_up()
    head = network.recorder.max_notification_id()
    cases = [
        (stock.GetNationalStock, pb.GetNationalStockRequest(sku=""), grpc.StatusCode.INVALID_ARGUMENT, "sku"),
        (stock.GetNationalStock, pb.GetNationalStockRequest(sku="NOPE"), grpc.StatusCode.NOT_FOUND, "NOPE"),
        (stock.GetNationalStock, pb.GetNationalStockRequest(sku="SERUM", breakdown=[pb.BREAKDOWN_UNSPECIFIED]), grpc.StatusCode.INVALID_ARGUMENT, "breakdown[0]"),
        (stock.GetNationalStock, pb.GetNationalStockRequest(sku="SERUM", consistency=pb.Consistency(min_position=head + 100)), grpc.StatusCode.FAILED_PRECONDITION, "consistency.min_position"),
        (stock.GetNationalStock, pb.GetNationalStockRequest(sku="SERUM", consistency=pb.Consistency(wait_timeout_ms=-1)), grpc.StatusCode.INVALID_ARGUMENT, "consistency.wait_timeout_ms"),
        (stock.ListLowStock, pb.ListLowStockRequest(threshold=-1), grpc.StatusCode.INVALID_ARGUMENT, "threshold"),
        (stock.ListLowStock, pb.ListLowStockRequest(region=pb.StockRegion(city="Ningbo")), grpc.StatusCode.INVALID_ARGUMENT, "region.province"),
        (stock.ListLowStock, pb.ListLowStockRequest(region=pb.StockRegion(dealer="D1", province="Zhejiang")), grpc.StatusCode.INVALID_ARGUMENT, "region.dealer"),
        (stock.ListLowStock, pb.ListLowStockRequest(region=pb.StockRegion(province="Atlantis")), grpc.StatusCode.NOT_FOUND, "Atlantis"),
        (stock.ListLowStock, pb.ListLowStockRequest(page_size=501), grpc.StatusCode.INVALID_ARGUMENT, "page_size"),
        (stock.ListLowStock, pb.ListLowStockRequest(page_token="junk"), grpc.StatusCode.INVALID_ARGUMENT, "page_token"),
    ]
    for call, request, code, named in cases:
        error = refused(call, request)
        assert (error.code(), named in error.details()) == (code, True), (request, error.details())


def test_low_stock_by_region_and_page(network, runner, stock):
    runner.start()
    national = stock.ListLowStock(pb.ListLowStockRequest(threshold=14, consistency=UP_TO_DATE))
    assert [(i.sku, i.figures.available) for i in national.items] == [("SERUM", 14)]  # at or below; MASK has 32
    zhejiang = stock.ListLowStock(pb.ListLowStockRequest(threshold=5, region=pb.StockRegion(province="Zhejiang")))
    assert [(i.sku, i.area.province, i.figures.available) for i in zhejiang.items] == [("SERUM", "Zhejiang", 4)]
    store = stock.ListLowStock(pb.ListLowStockRequest(threshold=2, region=pb.StockRegion(store_id="S1")))
    assert [(i.sku, i.area.store_id, i.figures.available) for i in store.items] == [("MASK", "S1", 2)]
    hq = stock.ListLowStock(pb.ListLowStockRequest(threshold=100, region=pb.StockRegion(dealer="HQ")))
    assert [i.sku for i in hq.items] == ["SERUM"]
    first = stock.ListLowStock(pb.ListLowStockRequest(threshold=100, page_size=1))
    second = stock.ListLowStock(pb.ListLowStockRequest(threshold=100, page_size=1, page_token=first.next_page_token))
    assert [i.sku for i in first.items] + [i.sku for i in second.items] == ["MASK", "SERUM"]
    assert second.next_page_token == ""
    assert second.freshness.position == network.recorder.max_notification_id()


def test_watch_streams_the_current_figures_then_each_change(network, runner, stock):
    runner.start()
    stream = stock.WatchStock(pb.WatchStockRequest(sku="SERUM", region=pb.StockRegion(province="Zhejiang"), consistency=UP_TO_DATE), timeout=30)
    first = next(stream)
    assert [(c.sku, c.area.province, c.figures.on_hand) for c in first.changes] == [("SERUM", "Zhejiang", 5)]
    inventory.receive_stock(network, "S1", [("SERUM", 1)])  # Shanghai: not watched
    inventory.receive_stock(network, "S2", [("SERUM", 7)])
    update = next(stream)
    while not update.changes:  # a heartbeat
        update = next(stream)
    assert [(c.sku, c.figures.on_hand) for c in update.changes] == [("SERUM", 12)]
    assert update.freshness.position > first.freshness.position
    stream.cancel()


def test_watch_refuses_an_unknown_sku_or_region(network, runner, stock):
    runner.catch_up()
    for request, code in [
        (pb.WatchStockRequest(sku="NOPE"), grpc.StatusCode.NOT_FOUND),
        (pb.WatchStockRequest(region=pb.StockRegion(dealer="D404")), grpc.StatusCode.NOT_FOUND),
        (pb.WatchStockRequest(region=pb.StockRegion(city="Ningbo")), grpc.StatusCode.INVALID_ARGUMENT),
    ]:
        with pytest.raises(grpc.RpcError) as caught:
            next(stock.WatchStock(request, timeout=10))
        assert caught.value.code() == code


def test_omo_serve_runs_the_projection_by_default(tmp_path):
    port = free_port()
    env = {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    process = subprocess.Popen(["omo", "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(port)
        from services.client.cast import Cast
        from services.client.client import OmoClient
        from services.bootstrap import build_application
        from tests.builders import PEOPLES_SQUARE, receipt, register_dealers, store

        issuer = build_application(env["OMO_DATABASE_URL"])  # issues the tokens into the server's database
        try:
            with OmoClient(f"127.0.0.1:{port}", tokens=Cast(issuer)) as client:
                register_dealers(client, "D7")
                client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, dealer_id="D7"))
                client.inventory.ReceiveStock(receipt("S1", {"SERUM": 6}))
                answer = stock_query_pb2_grpc.StockQueryServiceStub(client.channel).GetNationalStock(
                    pb.GetNationalStockRequest(sku="SERUM", breakdown=[pb.BY_DEALER], consistency=UP_TO_DATE), timeout=30,
                )
        finally:
            issuer.close()
        assert answer.national.on_hand == 6
        assert [(a.area.dealer, a.figures.on_hand) for a in answer.by_dealer] == [("D7", 6)]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
