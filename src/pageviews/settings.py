"""Configuration, read once from `PAGEVIEWS_*` environment variables into a typed, validated object.

Every variable is checked at start-up, each on its own: an error names the variable, the value it had and the
form it must take (from the field's type and constraints), never an internal field path. Variables of other
names are ignored, so the `PAGEVIEWS_PORT=tcp://...` and `PAGEVIEWS_SERVICE_HOST` that Kubernetes injects for a
Service named pageviews never stop the service."""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import urllib.parse
from collections.abc import Callable, Collection, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import msgspec
import msgspec.inspect as mi

PREFIX = "PAGEVIEWS_"
SETTINGS_DOCS = "https://github.com/pageviews-service/pageviews#settings"
"""Where every setting is documented (the README's Settings section)."""


def default_user_agent() -> str:
    """Wikimedia's policy wants a descriptive agent with contact information; deployers should put their own."""
    return (
        f"pageviews-service/{version('pageviews')} "
        "(https://github.com/pageviews-service/pageviews; set PAGEVIEWS_USER_AGENT to your contact) "
        f"python-httpx/{version('httpx')}"
    )


class SettingsError(ValueError):
    """One or more `PAGEVIEWS_*` variables are invalid; the message names each and the form it expects."""


HttpURL = Annotated[str, msgspec.Meta(extra={"url": ("http", "https")})]
"""An absolute http(s) URL: a scheme and a host (`localhost:8080/api` is refused: it has neither)."""
RedisURL = Annotated[str, msgspec.Meta(extra={"url": ("redis", "rediss", "unix"), "empty": "off"})]
"""`redis://[:password@]host[:port][/db]`, `rediss://...` or `unix:///path`; empty: no Redis."""


MediaWikiURL = Annotated[
    str,
    msgspec.Meta(
        extra={
            "url": ("http", "https"),
            "empty": "off",
            "template": "{host}",
            "form": "an absolute http(s) URL template containing {host} and no spaces (e.g. "
            "https://{host}/w/api.php), or empty to never ask MediaWiki",
        }
    ),
]
"""Each wiki's Action API, `{host}` standing for the wiki's host (`en.wikipedia.org`); empty: page facts off."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    wikimedia_url: HttpURL = "https://wikimedia.org/api/rest_v1"
    mediawiki_url: MediaWikiURL = "https://{host}/w/api.php"
    user_agent: Annotated[str, msgspec.Meta(min_length=1)] = msgspec.field(default_factory=default_user_agent)
    upstream_timeout: Annotated[float, msgspec.Meta(gt=0, le=300)] = 10.0
    upstream_connections: Annotated[int, msgspec.Meta(ge=1, le=100)] = 10
    settle_hours: Annotated[float, msgspec.Meta(ge=0, le=24 * 31)] = 48.0
    batch_concurrency: Annotated[int, msgspec.Meta(ge=1, le=100)] = 4
    log_level: Annotated[
        str,
        msgspec.Meta(
            pattern="(?i)^(debug|info|warning|error|critical)$",
            extra={"form": "DEBUG, INFO, WARNING, ERROR or CRITICAL"},
        ),
    ] = "INFO"
    cors_origins: str = ""
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    # The inbound side, in seconds: a request's headers and its whole body must arrive within
    # `client_timeout` (else 408, or the connection is closed); on SIGTERM, in-flight requests are drained for
    # at most `drain_timeout` (then the worker is stopped).
    client_timeout: Annotated[float, msgspec.Meta(gt=0, le=300)] = 10.0
    drain_timeout: Annotated[int, msgspec.Meta(ge=1, le=1800)] = 20
    # Caching (docs/caching-and-resilience.md): entries in process memory, and how long answers stay fresh.
    # Byte budgets of the in-process caches (with the chart's 384 MiB limit in mind: a worker starts at about
    # 150 MiB); the response cache is off at 0.
    cache_memory_mib: Annotated[int, msgspec.Meta(ge=1, le=65_536)] = 64
    response_cache_memory_mib: Annotated[int, msgspec.Meta(ge=0, le=65_536)] = 32
    cache_settled_ttl_hours: Annotated[float, msgspec.Meta(gt=0)] = 24 * 30
    cache_unsettled_ttl_seconds: Annotated[float, msgspec.Meta(gt=0)] = 600
    cache_no_data_ttl_seconds: Annotated[float, msgspec.Meta(gt=0)] = 300
    cache_keep_stale_hours: Annotated[float, msgspec.Meta(ge=0)] = 24 * 7
    redis_url: RedisURL = ""
    redis_timeout: Annotated[float, msgspec.Meta(gt=0, le=10)] = 0.25
    # Resilience: per client request, at most `upstream_attempts` tries inside `upstream_deadline` seconds.
    upstream_attempts: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    upstream_deadline: Annotated[float, msgspec.Meta(gt=0, le=300)] = 20.0
    upstream_retry_after_cap: Annotated[float, msgspec.Meta(ge=0, le=300)] = 5.0
    upstream_concurrency: Annotated[int, msgspec.Meta(ge=1, le=100)] = 3
    upstream_queue_timeout: Annotated[float, msgspec.Meta(gt=0, le=60)] = 1.0
    # The circuit breaker: open when `failure_rate` of the last `window` distinct subjects (at least
    # `minimum_calls` of them) failed; stay open `cool_down` seconds.
    breaker_window: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 20
    breaker_minimum_calls: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 10
    breaker_failure_rate: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.5
    breaker_cool_down: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 30.0
    # MediaWiki (page facts: redirects, missing pages, language links): how long what a wiki said stays fresh,
    # requests in flight at once (MediaWiki asks for one at a time) and how long one waits for its turn, and
    # how many redirects of one page are counted at most.
    page_facts_ttl_seconds: Annotated[float, msgspec.Meta(ge=60, le=86_400)] = 3600
    mediawiki_concurrency: Annotated[int, msgspec.Meta(ge=1, le=10)] = 1
    mediawiki_queue_timeout: Annotated[float, msgspec.Meta(gt=0, le=60)] = 5.0
    # How long an answer that can do without the page facts (`redirects=follow|include`, an `exact` zero or
    # no such page, a suggestion, a top list's siteinfo for `exclude=non-articles`) waits for each of its
    # questions to MediaWiki before answering without them;
    # `/v1/redirects` and `/v1/langviews`, which need them, wait up to the upstream deadline.
    mediawiki_deadline_seconds: Annotated[float, msgspec.Meta(gt=0, le=60)] = 3.0
    redirects_limit: Annotated[int, msgspec.Meta(ge=1, le=5000)] = 200
    # Inbound, per client: `N/second|minute|hour|day`, empty to switch off.
    rate_limit: Annotated[
        str,
        msgspec.Meta(
            pattern="^$|^[0-9]+ */ *(second|minute|hour|day)$",
            extra={"form": "N/second, N/minute, N/hour or N/day (e.g. 100/second), or empty for no limit"},
        ),
    ] = "10000/second"
    rate_limit_client_header: str = ""
    # The command line (`pageviews views`, `top`, `langviews`): its answers are kept in a SQLite file, so a
    # repeated command does not ask Wikimedia again; empty path: `$XDG_CACHE_HOME/pageviews/cli-cache.sqlite3`
    # (`~/.cache/...` without XDG_CACHE_HOME); 0 MiB: no file.
    cli_cache_path: str = ""
    cli_cache_mib: Annotated[int, msgspec.Meta(ge=0, le=65_536)] = 256

    def cli_cache_file(self, environ: Mapping[str, str] | None = None) -> Path | None:
        """Where the command line keeps its cache; None when it keeps none (`PAGEVIEWS_CLI_CACHE_MIB=0`)."""
        if not self.cli_cache_mib:
            return None
        if self.cli_cache_path:
            return Path(self.cli_cache_path).expanduser()
        env = os.environ if environ is None else environ
        xdg = env.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if Path(xdg).is_absolute() else Path(env.get("HOME") or Path.home()) / ".cache"
        return base / "pageviews" / "cli-cache.sqlite3"

    @property
    def settle(self) -> dt.timedelta:
        return dt.timedelta(hours=self.settle_hours)

    @property
    def cors_origin_list(self) -> list[str]:
        """`PAGEVIEWS_CORS_ORIGINS`, comma-separated (or `*`); empty: CORS off."""
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every `PAGEVIEWS_*` variable that names a setting, each validated on its own, then the pairs that
        cannot work together; all the invalid ones are reported together, so a deployment is fixed in one
        round."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        errors: list[str] = []
        refused: set[str] = set()
        for field in _fields(cls):
            name = variable(field.name)
            if name not in env:
                continue
            try:
                values[field.name] = _parse(field.type, env[name].strip())
            except (msgspec.ValidationError, ValueError):
                shown = redact(env[name]) if _url_schemes(field.type) else env[name]
                errors.append(f"{name}={shown!r}: expected {expected_form(field.type)}{_default_of(field)}")
                refused.add(field.name)
        settings = cls(**values)
        errors += settings.conflicts(refused)
        if errors:
            raise SettingsError("invalid settings:\n  " + "\n  ".join(errors) + f"\n(see {SETTINGS_DOCS})")
        return settings

    def conflicts(self, refused: Collection[str] = ()) -> list[str]:
        """Settings valid one by one that cannot work together, each naming both variables (pairs with a
        `refused` field are left out: that field's own error is reported)."""
        found = []
        for small, large, applies, why in _AT_MOST:
            value, bound = getattr(self, small), getattr(self, large)
            if value > bound and applies(self) and {small, large}.isdisjoint(refused):
                found.append(
                    f"{variable(small)}={plain(value)} is more than {variable(large)}={plain(bound)}: {why}; "
                    f"make {variable(small)} at most {variable(large)}"
                )
        return found


_AT_MOST: tuple[tuple[str, str, Callable[[Settings], bool], str], ...] = (
    (
        "breaker_minimum_calls",
        "breaker_window",
        lambda _: True,
        "the circuit breaker remembers no more subjects than its window, so it could never open",
    ),
    (
        "upstream_queue_timeout",
        "upstream_deadline",
        lambda _: True,
        "the wait for a slot is part of the deadline, which would always end it first",
    ),
    (
        "mediawiki_queue_timeout",
        "upstream_deadline",
        lambda settings: bool(settings.mediawiki_url),
        "the wait for MediaWiki's turn is part of the deadline, which would always end it first",
    ),
    (
        "mediawiki_deadline_seconds",
        "upstream_deadline",
        lambda settings: bool(settings.mediawiki_url),
        "an answer that can do without the page facts would never stop waiting for them before the deadline",
    ),
)
"""Pairs of settings where the first must not exceed the second (when the pair applies), and why."""


def variable(field_name: str) -> str:
    """The environment variable of a setting: `settle_hours` is `PAGEVIEWS_SETTLE_HOURS`."""
    return PREFIX + field_name.upper()


def defaults() -> dict[str, object]:
    """Every setting's variable and its default value, in declaration order."""
    settings = Settings()
    return {variable(f.name): getattr(settings, f.name) for f in _fields(Settings)}


def redact(url: str) -> str:
    """A URL fit for a log line: any password replaced by `***` (even in a URL too malformed to parse)."""
    return _PASSWORD.sub(r"\1***@", url)


_PASSWORD = re.compile(r"^(\w[\w+.-]*://[^/:@]*:)[^/]*@")


def _parse(annotation: Any, raw: str) -> Any:
    value = msgspec.convert(raw, annotation, strict=False)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number")
    schemes = _url_schemes(annotation)
    extra = _extra(annotation)
    if schemes and not (value == "" and extra.get("empty")):
        template = extra.get("template")
        if template is not None:
            if template not in value:
                raise ValueError(f"the URL has no {template}")
            value_checked = value.replace(template, "wiki.example.org")
        else:
            value_checked = value
        _check_url(value_checked, schemes)
    return value


_NOT_IN_URLS = re.compile(r'[\s\x00-\x1f\x7f"<>\\^`{|}]')
"""What a URL can never contain (RFC 3986): spaces, control characters and a few others. Left in, a client
would send them percent-encoded (another URL than the one meant) or fail on the first request."""


def _check_url(url: str, schemes: tuple[str, ...]) -> None:
    if (found := _NOT_IN_URLS.search(url)) is not None:
        raise ValueError(f"a URL cannot contain {found[0]!r}")
    parts = urllib.parse.urlsplit(url)  # raises ValueError itself on a malformed IPv6 host
    if parts.scheme not in schemes:
        raise ValueError(f"scheme {parts.scheme!r} is not one of {schemes}")
    if parts.scheme == "unix" and not parts.path:
        raise ValueError("a unix socket URL needs a path")
    if parts.scheme != "unix" and not parts.hostname:
        raise ValueError("no host")
    _ = parts.port  # raises ValueError when the port is not a number in range


def _extra(annotation: Any) -> dict[str, Any]:
    info = mi.type_info(annotation)
    return dict(info.extra or {}) if isinstance(info, mi.Metadata) else {}


def _url_schemes(annotation: Any) -> tuple[str, ...]:
    schemes: tuple[str, ...] = _extra(annotation).get("url", ())
    return schemes


def expected_form(annotation: Any) -> str:
    """What a setting's value must look like, in words, from its type and constraints."""
    extra = _extra(annotation)
    if "form" in extra:
        return str(extra["form"])
    if schemes := _url_schemes(annotation):
        prefixes = [f"{scheme}://" for scheme in schemes]
        form = f"an absolute URL with a host and no spaces, starting {', '.join(prefixes[:-1])} or {prefixes[-1]}"
        return form + (", or empty" if extra.get("empty") else "")
    info = mi.type_info(annotation)
    if isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.IntType | mi.FloatType):
        noun = "an integer" if isinstance(info, mi.IntType) else "a number"
        return noun + _bounds(info)
    if isinstance(info, mi.BoolType):
        return "true or false"
    if isinstance(info, mi.StrType):
        if info.pattern:
            return f"text matching the regular expression {info.pattern}"
        if info.min_length:
            return "a non-empty text" if info.min_length == 1 else f"at least {info.min_length} characters"
    return "a valid value"


def _default_of(field: msgspec.structs.FieldInfo) -> str:
    default = field.default
    if default is msgspec.NODEFAULT or default == "":
        return ""
    return f" (default: {plain(default)})"


def plain(value: object) -> str:
    """A value as an operator writes it: `48`, not `48.0`."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds(info: mi.IntType | mi.FloatType) -> str:
    if info.ge is not None and info.le is not None:
        return f" from {plain(info.ge)} to {plain(info.le)}"
    limits = [
        f"{word} {plain(bound)}"
        for word, bound in (
            ("greater than", info.gt),
            ("at least", info.ge),
            ("less than", info.lt),
            ("at most", info.le),
        )
        if bound is not None
    ]
    return " that is " + " and ".join(limits) if limits else ""


def in_force(settings: Settings) -> dict[str, Any]:
    """What the start-up log line says: the upstreams, the cache and the limits in force, then every setting
    (URLs without their passwords), so one line answers "what is this process running with?"."""
    return {
        "upstreams": {
            variable(f.name): redact(getattr(settings, f.name))
            for f in _fields(Settings)
            if "http" in _url_schemes(f.type)
        },
        "cache": {
            "store": f"redis {redact(settings.redis_url)} behind memory" if settings.redis_url else "memory",
            "memory_mib": settings.cache_memory_mib,
            "response_cache_mib": settings.response_cache_memory_mib,
        },
        "limits": {
            "rate_limit": settings.rate_limit or "off",
            "rate_limit_client": settings.rate_limit_client_header or "peer address",
            "upstream_concurrency": settings.upstream_concurrency,
            "upstream_connections": settings.upstream_connections,
            "upstream_attempts": settings.upstream_attempts,
            "upstream_deadline_s": settings.upstream_deadline,
            "upstream_timeout_s": settings.upstream_timeout,
            "upstream_queue_timeout_s": settings.upstream_queue_timeout,
            "breaker": f"open at {settings.breaker_failure_rate:g} of the last {settings.breaker_window} "
            f"subjects (at least {settings.breaker_minimum_calls}), for {settings.breaker_cool_down:g} s",
            "batch_concurrency": settings.batch_concurrency,
            "mediawiki": f"{settings.mediawiki_concurrency} request(s) at a time, page facts fresh for "
            f"{settings.page_facts_ttl_seconds:g} s and waited for at most "
            f"{settings.mediawiki_deadline_seconds:g} s where optional, at most {settings.redirects_limit} "
            "redirects per page"
            if settings.mediawiki_url
            else "off",
            "client_timeout_s": settings.client_timeout,
            "drain_timeout_s": settings.drain_timeout,
        },
        "settings": {
            variable(f.name): redact(value) if _url_schemes(f.type) else value
            for f in _fields(Settings)
            for value in [getattr(settings, f.name)]
        },
    }


@functools.cache
def _fields(cls: type[Settings]) -> tuple[msgspec.structs.FieldInfo, ...]:
    """The settings' fields, read once (msgspec resolves the annotations again on every call)."""
    return msgspec.structs.fields(cls)
