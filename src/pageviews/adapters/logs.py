"""Structured logs: every log record (ours, Litestar's, granian's, httpx's) as one JSON line on stdout."""

from __future__ import annotations

import logging.config
from typing import Any

import structlog


def logging_config(level: str) -> dict[str, Any]:
    pre_chain = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
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
