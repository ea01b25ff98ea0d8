"""What the server advertises: health checks and reflection (the .proto contracts and the
generated modules: tests/unit/test_contracts.py)."""

from __future__ import annotations

from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc


def test_the_server_answers_health_checks_for_each_service(client):
    for service in ("", "omo.v1.OrderService", "omo.v1.StoreService", "omo.v1.InventoryService"):
        answer = client.health.Check(health_pb2.HealthCheckRequest(service=service))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_server_reflection_lists_our_services(client):
    stub = reflection_pb2_grpc.ServerReflectionStub(client.channel)
    answer = next(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    names = {s.name for s in answer.list_services_response.service}
    assert {"omo.v1.OrderService", "omo.v1.StoreService", "omo.v1.InventoryService", "grpc.health.v1.Health"} <= names
