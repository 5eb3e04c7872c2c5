"""JSON or CSV, by the `Accept` header: the choice, the `Vary` that tells shared caches apart, and the CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from litestar import Request, Response

CSV = "text/csv"


def wants_csv(request: Request[Any, Any, Any]) -> bool:
    return request.accept.best_match(["application/json", CSV], default="application/json") == CSV


def negotiated(headers: dict[str, str]) -> dict[str, str]:
    """JSON or CSV depending on `Accept`: shared caches must keep them apart."""
    return {**headers, "Vary": "Accept"}


def csv_response(
    header: Sequence[str], rows: Sequence[Sequence[object]], headers: dict[str, str]
) -> Response[Any]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return Response(buffer.getvalue(), media_type=CSV, headers=headers)
