"""Logging: one line per record on stderr, plain or JSON lines, secrets redacted.

Plain:  ``2026-11-25 09:00:01 INFO poet: wrote 3 haiku in 1.2 s``
JSON:   ``{"time": "2026-11-25T09:00:01.123+01:00", "level": "INFO", "logger": "poet", ...}``
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime

from core.secrets import SecretFilter


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        # Multi-line messages and tracebacks stay on one line, so one record is one line.
        return super().format(record).replace("\n", " | ")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created).astimezone()
        line = {
            "time": time.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str = "info", fmt: str = "plain") -> logging.Handler:
    """Send all logging to stderr; calling it again replaces the handler it installed before."""
    if fmt not in ("plain", "json"):
        raise ValueError(f"log format must be plain or json, got {fmt!r}")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_auria", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._auria = True
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    handler.addFilter(SecretFilter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
