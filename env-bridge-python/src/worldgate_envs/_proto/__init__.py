"""Generated gRPC stubs (env_bridge_pb2*.py), made by ``python -m worldgate_envs codegen``.

Import them through :mod:`worldgate_envs.wire`, which generates them on first
use when they are missing and grpcio-tools is installed.
"""
