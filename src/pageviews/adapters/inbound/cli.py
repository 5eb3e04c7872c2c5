"""`pageviews`: `serve` starts the HTTP service under granian (see the README for why granian); `views`, `top`
and `langviews` answer one question on the command line (commands.py) with the use cases `services` opens,
which the entry point (`pageviews.console`, the console script) gets from the composition root.

Before granian starts, everything that can be known to be wrong is refused with a message and a non-zero exit:
an invalid setting (2), an address that cannot be served on (1). Then one JSON line says what is in force."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import textwrap
from collections.abc import Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager
from importlib.metadata import version
from typing import Any

from pageviews.adapters.inbound import commands
from pageviews.adapters.inbound.address import AddressUnavailable, claim
from pageviews.application.use_cases import PageviewsService, Services
from pageviews.domain.errors import PageviewsError
from pageviews.observability import logs
from pageviews.settings import SETTINGS_DOCS, Settings, SettingsError, defaults, in_force, plain

log = logging.getLogger("pageviews.startup")

EXIT_UNAVAILABLE = 1
EXIT_SETTINGS = 2

OpenServices = Callable[[], AbstractAsyncContextManager[Services]]
"""Opens the use cases (their adapters) for one command, and closes them after."""

SETTINGS_NOTE = (
    f"Settings are PAGEVIEWS_* environment variables, read once at start-up and documented at {SETTINGS_DOCS}"
    " (caching and resilience: docs/caching-and-resilience.md)."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pageviews",
        description="Wikimedia page views: served over HTTP (serve), or answered on the command line.",
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
    _data_commands(commands)
    return parser


EXIT_NOTE = (
    "Exit codes: 0 every answer found, 2 bad input, 3 no data, 4 Wikimedia (or the wiki) failed; answers are "
    "kept in a local cache file (PAGEVIEWS_CLI_CACHE_PATH), so asking again does not ask Wikimedia again."
)


def _data_commands(subparsers: Any) -> None:
    views = subparsers.add_parser(
        "views",
        help="views of articles over a range",
        description="Views of one or more articles of one project, per day or month: a table, or the API's "
        "CSV or JSON (one article: what GET /v1/pageviews answers; several: the batch endpoint's JSON, and CSV "
        "with an article column).",
        epilog=EXIT_NOTE,
    )
    views.add_argument("articles", nargs="+", metavar="ARTICLE", help="titles, as on the wiki")
    _project(views)
    _range(views)
    views.add_argument(
        "--redirects",
        default="exact",
        choices=["exact", "follow", "include"],
        help="count the title as asked, the page it redirects to, or the page and its redirects (default: %(default)s)",
    )
    _output(views)
    top = subparsers.add_parser(
        "top",
        help="a month's most viewed articles",
        description="A complete month's most viewed articles.",
        epilog=EXIT_NOTE,
    )
    top.add_argument("project", metavar="PROJECT", help="e.g. en.wikipedia")
    top.add_argument("month", metavar="MONTH", help="a complete month, YYYY-MM")
    top.add_argument("--limit", default="100", help="how many, 1 to 1000 (default: %(default)s)")
    top.add_argument(
        "--access", default="all-access", help="all-access (default), desktop, mobile-web, mobile-app"
    )
    _output(top)
    languages = subparsers.add_parser(
        "langviews",
        help="views of an article in every language",
        description="One article and the same page in every other language, each with its views over a range.",
        epilog=EXIT_NOTE,
    )
    languages.add_argument("article", metavar="ARTICLE", help="a title, as on the wiki")
    _project(languages)
    _range(languages)
    _output(languages)


def _project(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", default="en.wikipedia", help="e.g. de.wikipedia (default: %(default)s)")


def _range(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="start",
        metavar="PERIOD",
        help="first month (YYYY-MM) or day (YYYY-MM-DD); default: the last 12 months, or the 30 days to yesterday",
    )
    parser.add_argument(
        "--to", dest="end", metavar="PERIOD", help="last period (default: --from, or today's)"
    )
    parser.add_argument(
        "--granularity", default="monthly", choices=["monthly", "daily"], help="(default: %(default)s)"
    )
    parser.add_argument(
        "--access", default="all-access", help="all-access (default), desktop, mobile-web, mobile-app"
    )
    parser.add_argument(
        "--agent", default="user", help="user (default: people), all-agents, spider, automated"
    )


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        dest="output",
        default="table",
        choices=commands.FORMATS,
        help="a table for people, or CSV or JSON for scripts (default: %(default)s)",
    )


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


def main(argv: Sequence[str] | None = None, services: OpenServices | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command != "serve":
        if services is None:
            print(
                "pageviews: this entry point only serves; run `pageviews` or `python -m pageviews`",
                file=sys.stderr,
            )
            return commands.EXIT_INTERNAL
        return asyncio.run(answer(services, _command(args)))
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"pageviews: {exc}", file=sys.stderr)
        return EXIT_SETTINGS
    return serve(args.host, args.port, args.workers or settings.workers, settings)


Command = Callable[[PageviewsService], Coroutine[Any, Any, int]]


def _command(args: argparse.Namespace) -> Command:
    periods = commands.RangeArgs(
        getattr(args, "start", None), getattr(args, "end", None), getattr(args, "granularity", "monthly")
    )
    out, err = sys.stdout, sys.stderr  # as they are now (a test may have replaced them)
    if args.command == "views":
        return lambda service: commands.views(
            service,
            args.articles,
            args.project,
            periods,
            args.access,
            args.agent,
            args.redirects,
            args.output,
            out,
            err,
        )
    if args.command == "top":
        return lambda service: commands.top(
            service, args.project, args.month, args.access, args.limit, args.output, out
        )
    return lambda service: commands.langviews(
        service, args.article, args.project, periods, args.access, args.agent, args.output, out, err
    )


async def answer(services: OpenServices, command: Command) -> int:
    """Runs one command with the use cases open; a refusal is its message and its exit code."""
    try:
        async with services() as opened:
            return await command(opened.pageviews)
    except SettingsError as exc:
        print(f"pageviews: {exc}", file=sys.stderr)
        return EXIT_SETTINGS
    except PageviewsError as error:
        print(commands.message(error), file=sys.stderr)
        return commands.exit_code(error)


def serve(host: str, port: int, workers: int, settings: Settings) -> int:
    from granian.constants import HTTPModes, Interfaces
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
            # Headers must arrive within the client timeout (the body's bound is BoundedBody's), counted from
            # the moment the connection opens: HTTP/1 only, since in `auto` mode granian first waits, without
            # any timeout, for the bytes that tell HTTP/1 from HTTP/2, so connections that send nothing were
            # held for ever. A worker that has not drained within the drain timeout after SIGTERM is stopped.
            http=HTTPModes.http1,
            http1_settings=HTTP1Settings(header_read_timeout=round(settings.client_timeout * 1000)),
            workers_kill_timeout=settings.drain_timeout,
            log_level=settings.log_level.lower(),  # type: ignore[arg-type]
            log_dictconfig=log_config,
        ).serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
