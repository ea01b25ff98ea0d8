"""The `omo` command: one module per command group."""

from services.cli.main import main

__all__ = ["main"]
