"""The request class of the application: a JSON body that cannot be read (nested too deeply for the decoder,
or not UTF-8) is the client's mistake, a 400 like any other malformed body, not a 500."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException


class StrictRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise ClientException(
                "the body is not JSON the service can read: it is nested too deeply"
            ) from None
        except UnicodeDecodeError:
            raise ClientException("the body is not JSON: it is not valid UTF-8") from None
