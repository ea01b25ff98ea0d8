"""The stores find and work their orders in `omo demo`, as their picking apps would: from the
store's queue, never from order ids. A few workers take the stores in turn and list each one's
work with ListShipments; the busiest locations keep a WatchShipments stream open instead,
replaying their history and then working what the stream brings. Every call is made as the
store's own POS. A shipment is worked once its order is paid: accepted, picked, handed over
and delivered (a PICKUP handed to the customer, who shows the code they were given)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import grpc

from protos.omo.v1 import common_pb2, orders_pb2, stock_query_pb2
from protos.omo.v1 import fulfilment_pb2 as pb
from services.client.client import OmoClient

PAGE_SIZE = 500
WAIT_MS = 60_000  # how long a read may wait for the projection to reach the position asked
STREAM_SECONDS = 300.0  # a watching store gives up on its stream after this long
RECONNECTS = 3


# nothing more for the store to do
FINISHED = frozenset({pb.STORE_DELIVERED, pb.STORE_UNFULFILLABLE, pb.STORE_CANCELLED, pb.STORE_REROUTED_AWAY})


def workable(shipment: pb.StoreShipment) -> bool:
    """Unpaid orders cannot be accepted: they wait for their payment (or its timeout)."""
    return shipment.paid and shipment.status == pb.STORE_ALLOCATED


@dataclass
class QueueWork:
    """What the stores found and did; shared by the workers and the watching stores."""

    pickup_codes: dict[str, str]  # order id -> the code its customer shows at the counter
    list_calls: int = 0
    streams: int = 0
    streamed_changes: int = 0
    streamed_waiting: int = 0  # paid shipments the streams showed waiting
    shipments_delivered: int = 0
    worked: set[str] = field(default_factory=set)  # ids of the orders a store handed over
    delivered: dict[str, orders_pb2.Order] = field(default_factory=dict)  # orders with the customer
    refused: Counter = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handed_over(self, order: orders_pb2.Order) -> None:
        """A store's last step on its shipment of `order`, as the step answered."""
        with self._lock:
            self.shipments_delivered += 1
            self.worked.add(order.order_id)
            # the step that finished an order's last shipment answers with it DELIVERED
            if order.status == orders_pb2.DELIVERED:
                self.delivered[order.order_id] = order

    def refuse(self, what: str) -> None:
        with self._lock:
            self.refused[what] += 1

    def count(self, **increments: int) -> None:
        with self._lock:
            for name, value in increments.items():
                setattr(self, name, getattr(self, name) + value)


def caught_up_position(client: OmoClient, store_id: str) -> int:
    """The position of everything recorded so far, once the store work projection has applied
    it: the stores' reads ask for it (read-your-writes), so each sees every payment and reroute
    made before the day's work began."""
    consistency = stock_query_pb2.Consistency(up_to_date=True, wait_timeout_ms=WAIT_MS)
    answer = client.fulfilment.ListShipments(pb.ListShipmentsRequest(store_id=store_id, page_size=1, consistency=consistency))
    return answer.freshness.position


def list_work(client: OmoClient, store_id: str, position: int, work: QueueWork) -> list[pb.StoreShipment]:
    """The store's work still to do, due first, every page, as of `position` or later."""
    consistency = stock_query_pb2.Consistency(min_position=position, wait_timeout_ms=WAIT_MS)
    shipments, token = [], ""
    while True:
        page = client.fulfilment.ListShipments(
            pb.ListShipmentsRequest(store_id=store_id, page_size=PAGE_SIZE, page_token=token, consistency=consistency)
        )
        work.count(list_calls=1)
        shipments.extend(page.shipments)
        token = page.next_page_token
        if not token:
            return shipments


def list_all(client: OmoClient, store_ids: Iterable[str], position: int, work: QueueWork, workers: int) -> dict[str, list[pb.StoreShipment]]:
    """Each store's work, `workers` stores at a time."""
    ids = list(store_ids)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-store") as pool:
        return dict(zip(ids, pool.map(lambda store_id: list_work(client, store_id, position, work), ids)))


def work_shipment(client: OmoClient, shipment: pb.StoreShipment, work: QueueWork) -> bool:
    """One store's part of an order, from acceptance to the customer: True once it is there; a
    refused step is counted."""
    ids = {"order_id": shipment.order_id, "store_id": shipment.store_id}
    try:
        client.fulfilment.AcceptOrder(pb.AcceptOrderRequest(**ids))
        client.fulfilment.MarkPicked(pb.MarkPickedRequest(**ids))
        if shipment.fulfilment_mode == common_pb2.PICKUP:
            code = work.pickup_codes.get(shipment.order_id, "")
            order = client.fulfilment.HandOver(pb.HandOverRequest(**ids, to=pb.CUSTOMER, pickup_code=code)).order
        else:
            client.fulfilment.HandOver(pb.HandOverRequest(**ids, to=pb.COURIER))
            order = client.fulfilment.MarkDelivered(pb.MarkDeliveredRequest(**ids)).order
    except grpc.RpcError as error:
        work.refuse(error.code().name)
        return False
    work.handed_over(order)
    return True


def work_stores(client: OmoClient, found: dict[str, list[pb.StoreShipment]], work: QueueWork, workers: int) -> None:
    """Every store works what it listed, due first; `workers` stores at a time."""

    def one_store(shipments: list[pb.StoreShipment]) -> None:
        for shipment in shipments:
            if workable(shipment):
                work_shipment(client, shipment, work)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-store") as pool:
        list(pool.map(one_store, found.values()))


def watch_and_work(client: OmoClient, store_id: str, work: QueueWork) -> None:
    """A store with its app open: the stream replays the store's history (after position 0)
    up to the heartbeat that says it is live; the store then works each shipment the stream
    shows paid and waiting, and keeps reading until the stream has shown every one of them
    done (its own steps coming back as changes). A stream the server ends for reading too
    slowly is opened again after the last position received, as the API asks."""
    state: dict[str, pb.StoreShipment] = {}  # order id -> its shipment as the last change left it
    started: set[str] = set()
    pending: set[str] = set()  # worked, and not yet seen done on the stream
    after = 0
    for _ in range(1 + RECONNECTS):
        call = client.fulfilment.WatchShipments(pb.WatchShipmentsRequest(store_id=store_id, after_position=after), timeout=STREAM_SECONDS)
        work.count(streams=1)
        live = False
        try:
            for message in call:
                if message.HasField("change"):
                    shipment, after = message.change.shipment, max(after, message.change.position)
                    state[shipment.order_id] = shipment
                    work.count(streamed_changes=1)
                    if shipment.status in FINISHED:
                        pending.discard(shipment.order_id)
                else:
                    live = True  # the history is sent
                if not live:
                    continue
                for shipment in sorted((s for s in state.values() if workable(s) and s.order_id not in started), key=_due):
                    started.add(shipment.order_id)
                    work.count(streamed_waiting=1)
                    if work_shipment(client, shipment, work):
                        pending.add(shipment.order_id)
                if not pending:
                    return
            return  # the server ended the stream
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                work.refuse(f"WatchShipments {error.code().name}")
                return
        finally:
            call.cancel()
    work.refuse("WatchShipments reconnected too often")


def _due(shipment: pb.StoreShipment) -> tuple[str, str]:
    return (shipment.promised_by or "~", shipment.order_id)


def watch_all(client: OmoClient, store_ids: list[str], work: QueueWork) -> Callable[[], None]:
    """Starts a stream for each store, each on a thread of its own; returns the wait for them."""
    threads = [threading.Thread(target=watch_and_work, args=(client, s, work), name=f"demo-watch-{s}") for s in store_ids]
    for thread in threads:
        thread.start()

    def join() -> None:
        for thread in threads:
            thread.join()

    return join
