"""How the long-running commands log: text or one JSON object per line, at a chosen level."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime, timezone

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def add_logging_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("logging")
    group.add_argument(
        "--log-format", choices=("text", "json"), default="text",
        help="text lines, or one JSON object per line (time, level, logger, message, and a call's fields) for a "
        "log collector (default text)",
    )
    group.add_argument("--log-level", choices=LEVELS, default="INFO", help="the least severe level logged (default INFO)")


def add_metrics_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("metrics")
    group.add_argument(
        "--metrics-port", type=int, default=0, metavar="PORT",
        help="serve Prometheus metrics on http://HOST:PORT/metrics (default 0: none; see docs/operations.md)",
    )
    group.add_argument("--metrics-host", default="127.0.0.1", metavar="HOST", help="where the metrics listen (default 127.0.0.1)")


class JsonLines(logging.Formatter):
    """One JSON object per record; an access line's fields (method, role, token_id, code, ms,
    peer) at the top level; a stack trace only when the record carries one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        line.update(getattr(record, "access", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _Stderr(logging.StreamHandler):
    """Standard error as it is when a line is written (a caller may have replaced it since)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(log_format: str = "text", level: str = "INFO") -> None:
    """Our handler on the root logger, replacing only one made here before (handlers others
    installed, such as a test runner's, stay)."""
    handler = _Stderr()
    if log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
