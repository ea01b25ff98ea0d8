"""The stores' picking apps for bench/store_queue.py: one WatchShipments stream per store, all
held by one process on one asyncio event loop (grpc.aio), each a coroutine, so a thousand
streams cost a thousand coroutines rather than a thousand threads, and the benchmark's own
checkout client does not share an interpreter lock with them.

Run by the benchmark as `python -m bench.store_queue_streams CONFIG OUTPUT`. CONFIG is a JSON
file: the server's address, and each store's id and POS token. The process opens every stream
from position 0, prints `live N` on stdout once each stream has said it is live (its first
heartbeat), then records every change it receives with the moment it arrived, until a line
`stop` (or the end of stdin). Then it writes OUTPUT, a JSON object: `changes`, a list of
[stream's store, order id, shipment's store, kind, position, allocated_at_us, received_us];
`reconnects`, `repeated` (changes at or before a stream's last position, which a reconnect may
send again and a client recognises by their position) and `errors` (by status code).

A stream the server ends is opened again from the last position it received, as a store's app
does.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

import grpc

from protos.omo.v1 import fulfilment_pb2, fulfilment_pb2_grpc

STREAMS_PER_CONNECTION = 100  # HTTP/2 streams multiplexed on one connection
RECONNECT_PAUSE_S = 0.2
KINDS = {value: name.removeprefix("CHANGE_") for name, value in fulfilment_pb2.ShipmentChangeKind.items()}


class Streams:
    def __init__(self, target: str, tokens: dict[str, str]):
        self.target = target
        self.tokens = tokens
        self.changes: list[list] = []
        self.reconnects = 0
        self.repeated = 0
        self.errors: Counter[str] = Counter()
        self.live: set[str] = set()
        self.all_live = asyncio.Event()
        self.stopping = False

    async def hold(self, stub: fulfilment_pb2_grpc.FulfilmentServiceStub, store_id: str) -> None:
        last = 0
        metadata = (("authorization", f"Bearer {self.tokens[store_id]}"),)
        while not self.stopping:
            call = stub.WatchShipments(fulfilment_pb2.WatchShipmentsRequest(store_id=store_id, after_position=last), metadata=metadata)
            try:
                async for response in call:
                    if not response.HasField("change"):
                        self._is_live(store_id)
                        continue
                    received_us = time.time_ns() // 1000
                    change = response.change
                    if change.position <= last:
                        self.repeated += 1
                        continue
                    last = change.position
                    allocated = change.shipment.allocated_at
                    self.changes.append([
                        store_id, change.shipment.order_id, change.shipment.store_id, KINDS.get(change.kind, str(change.kind)),
                        change.position, allocated.seconds * 1_000_000 + allocated.nanos // 1000, received_us,
                    ])
            except grpc.aio.AioRpcError as error:
                if self.stopping:
                    return
                self.errors[error.code().name] += 1
            except asyncio.CancelledError:
                call.cancel()
                return
            if self.stopping:
                return
            self.reconnects += 1
            await asyncio.sleep(RECONNECT_PAUSE_S)

    def _is_live(self, store_id: str) -> None:
        if store_id not in self.live:
            self.live.add(store_id)
            if len(self.live) == len(self.tokens):
                self.all_live.set()

    def figures(self) -> dict:
        return {"changes": self.changes, "reconnects": self.reconnects, "repeated": self.repeated, "errors": dict(self.errors)}


async def run(target: str, tokens: dict[str, str]) -> dict:
    streams = Streams(target, tokens)
    stores = sorted(tokens)
    channels, tasks = [], []
    for i in range(0, len(stores), STREAMS_PER_CONNECTION):
        # a local subchannel pool: a connection of its own, not one shared by every channel to the target
        channel = grpc.aio.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])
        channels.append(channel)
        stub = fulfilment_pb2_grpc.FulfilmentServiceStub(channel)
        tasks += [asyncio.create_task(streams.hold(stub, store_id)) for store_id in stores[i:i + STREAMS_PER_CONNECTION]]
    loop = asyncio.get_running_loop()
    stop = loop.run_in_executor(None, sys.stdin.readline)  # "stop", or "" when the benchmark goes away
    live = asyncio.create_task(streams.all_live.wait())
    await asyncio.wait([live, stop], return_when=asyncio.FIRST_COMPLETED)
    if live.done():
        print(f"live {len(streams.live)}", flush=True)
    await stop
    streams.stopping = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for channel in channels:
        await channel.close()
    return streams.figures()


def main() -> None:
    config_path, output = sys.argv[1:3]
    with open(config_path) as f:
        config = json.load(f)
    figures = asyncio.run(run(config["target"], config["tokens"]))
    with open(output, "w") as f:
        json.dump(figures, f)


if __name__ == "__main__":
    main()
