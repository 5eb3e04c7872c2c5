"""`pageviews serve`: start the HTTP service under granian (see the README for why granian)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pageviews.observability import logs
from pageviews.settings import Settings, SettingsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pageviews", description="Wikimedia page views, served over HTTP.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the HTTP API")
    # Host and port are flags only: Kubernetes injects PAGEVIEWS_PORT=tcp://... for a Service named pageviews.
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, help="default: PAGEVIEWS_WORKERS, else 1")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"pageviews: {exc}", file=sys.stderr)
        return 2
    return serve(args.host, args.port, args.workers or settings.workers, settings)


def serve(host: str, port: int, workers: int, settings: Settings) -> int:
    from granian.constants import Interfaces
    from granian.server import Server

    log_config = logs.configure(settings.log_level)
    Server(
        "pageviews.asgi:app_factory",
        factory=True,
        interface=Interfaces.ASGI,
        address=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),  # type: ignore[arg-type]
        log_dictconfig=log_config,
    ).serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
