"""Configuration, read once from `PAGEVIEWS_*` environment variables into a typed, validated object."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from importlib.metadata import version
from typing import Annotated

import msgspec

PREFIX = "PAGEVIEWS_"


def default_user_agent() -> str:
    """Wikimedia's policy wants a descriptive agent with contact information; deployers should put their own."""
    return (
        f"pageviews-service/{version('pageviews')} "
        "(https://github.com/pageviews-service/pageviews; set PAGEVIEWS_USER_AGENT to your contact) "
        f"python-httpx/{version('httpx')}"
    )


class SettingsError(ValueError):
    pass


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    wikimedia_url: str = "https://wikimedia.org/api/rest_v1"
    user_agent: Annotated[str, msgspec.Meta(min_length=1)] = msgspec.field(default_factory=default_user_agent)
    upstream_timeout: Annotated[float, msgspec.Meta(gt=0, le=300)] = 10.0
    upstream_connections: Annotated[int, msgspec.Meta(ge=1, le=100)] = 10
    settle_hours: Annotated[float, msgspec.Meta(ge=0, le=24 * 31)] = 48.0
    batch_concurrency: Annotated[int, msgspec.Meta(ge=1, le=100)] = 4
    log_level: Annotated[str, msgspec.Meta(pattern="(?i)^(debug|info|warning|error|critical)$")] = "INFO"
    cors_origins: str = ""

    @property
    def settle(self) -> dt.timedelta:
        return dt.timedelta(hours=self.settle_hours)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        names = {f.name for f in msgspec.structs.fields(cls)}
        values = {name: env[PREFIX + name.upper()] for name in names if PREFIX + name.upper() in env}
        try:
            return msgspec.convert(values, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise SettingsError(f"invalid setting: {exc} (from {PREFIX}* environment variables)") from exc
