"""`pageviews serve`: start the HTTP service under granian (see the README for why granian).

Before granian starts, everything that can be known to be wrong is refused with a message and a non-zero exit:
an invalid setting (2), an address that cannot be served on (1). Then one JSON line says what is in force."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
from collections.abc import Callable, Sequence
from importlib.metadata import version

from pageviews.adapters.inbound.address import AddressUnavailable, claim
from pageviews.observability import logs
from pageviews.settings import SETTINGS_DOCS, Settings, SettingsError, defaults, in_force, plain

log = logging.getLogger("pageviews.startup")

EXIT_UNAVAILABLE = 1
EXIT_SETTINGS = 2

SETTINGS_NOTE = (
    f"Settings are PAGEVIEWS_* environment variables, read once at start-up and documented at {SETTINGS_DOCS}"
    " (caching and resilience: docs/caching-and-resilience.md)."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pageviews",
        description="Wikimedia page views, served over HTTP.",
        epilog=f"{SETTINGS_NOTE} `pageviews serve --help` lists them with their defaults.",
    )
    parser.add_argument("--version", action="version", version=f"pageviews {version('pageviews')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve the HTTP API",
        description="Serve the HTTP API with granian; SIGTERM drains in-flight requests, then exits.",
        epilog=_settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Host and port are flags only: Kubernetes injects PAGEVIEWS_PORT=tcp://... for a Service named pageviews.
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument(
        "--port", type=_integer(1, 65535), default=8000, help="TCP port to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--workers",
        type=_integer(1, 64),
        help="worker processes (default: PAGEVIEWS_WORKERS, which defaults to 1)",
    )
    return parser


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected an integer from {low} to {high}, got {text!r}")
        return value

    return parse


def _settings_epilog() -> str:
    rows = "\n".join(
        f"  {name:<40} {plain(value) if value != '' else '(empty)'}" for name, value in defaults().items()
    )
    return f"{textwrap.fill(SETTINGS_NOTE, 100)}\n\nsettings and their defaults:\n{rows}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"pageviews: {exc}", file=sys.stderr)
        return EXIT_SETTINGS
    return serve(args.host, args.port, args.workers or settings.workers, settings)


def serve(host: str, port: int, workers: int, settings: Settings) -> int:
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    try:
        guard = claim(host, port)
    except AddressUnavailable as exc:
        print(f"pageviews: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    with guard:
        log_config = logs.configure(settings.log_level)
        log.info(
            "starting",
            extra={"version": version("pageviews"), "listen": f"http://{host}:{port}", "workers": workers}
            | in_force(settings),
        )
        Server(
            "pageviews.asgi:app_factory",
            factory=True,
            interface=Interfaces.ASGI,
            address=host,
            port=port,
            workers=workers,
            # Headers must arrive within the client timeout (the body's bound is BoundedBody's); a worker that
            # has not drained within the drain timeout after SIGTERM is stopped.
            http1_settings=HTTP1Settings(header_read_timeout=round(settings.client_timeout * 1000)),
            workers_kill_timeout=settings.drain_timeout,
            log_level=settings.log_level.lower(),  # type: ignore[arg-type]
            log_dictconfig=log_config,
        ).serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
