"""The gRPC contracts (omo.v1) and the Python modules generated from them.

Import the generated modules as ``from protos.omo.v1 import orders_pb2``.
Regenerate after editing a .proto file with ``python -m protos.build``.
"""
