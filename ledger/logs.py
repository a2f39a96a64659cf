"""Structured logs: one JSON object per line, carrying the request id of the request
being served (a context variable set by the API's observe middleware).

What goes into a log line is chosen by the code that logs, never a request's headers or
body: no API key, passphrase or private key reaches a log.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else was passed in ``extra`` and is logged.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            entry["request_id"] = rid
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _stamp_request_id(record: logging.LogRecord) -> bool:
    """Capture the request id when the line is logged (formatting may happen later)."""
    if not hasattr(record, "request_id"):
        record.request_id = request_id.get()
    return True


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send the ``credence`` loggers (and uvicorn's errors) to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(_stamp_request_id)
    for name in ("credence", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
