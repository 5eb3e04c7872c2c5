"""Structured logs: every log record (ours, Litestar's, granian's, httpx's) as one JSON line on stdout."""

from __future__ import annotations

import logging.config
from contextvars import ContextVar
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
"""The id of the request being served, so every line logged while serving it carries it."""


def add_request_id(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    request_id = current_request_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def logging_config(level: str) -> dict[str, Any]:
    pre_chain = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        add_request_id,
    ]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": pre_chain,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(),
                ],
            }
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
        },
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": {
            # httpx logs every request at INFO; the access log and metrics already tell that story.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def configure(level: str) -> dict[str, Any]:
    config = logging_config(level)
    logging.config.dictConfig(config)
    return config
