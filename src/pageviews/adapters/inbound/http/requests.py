"""The request class of the application: a JSON body that cannot be read (nested too deeply for the decoder,
or not UTF-8) is the client's mistake, a 400 like any other malformed body, not a 500; so is an object that
names one member twice, which msgspec would silently read as its last value."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException

from pageviews.domain.errors import InvalidRequest


class StrictRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            decoded = await super().json()
            if isinstance(decoded, dict | list):
                json.loads(await self.body(), object_pairs_hook=_unique)
        except RecursionError:
            raise ClientException(
                "the body is not JSON the service can read: it is nested too deeply"
            ) from None
        except UnicodeDecodeError:
            raise ClientException("the body is not JSON: it is not valid UTF-8") from None
        return decoded


def _unique(members: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of the body, refused when it names a member twice (RFC 8259: names SHOULD be unique; parsers
    disagree on which value wins, so the service does not guess). The standard library's parser is asked
    again because msgspec cannot tell: a second pass over at most 64 KiB."""
    seen: set[str] = set()
    for name, _ in members:
        if name in seen:
            raise InvalidRequest(
                f"the body names {name!r} twice in one object; each name may appear only once"
            )
        seen.add(name)
    return {}
