"""JSON or CSV: chosen by `?format=` or else by the `Accept` header (with its q-values honoured: `q=0` means
"not this"; one that cannot be read is a 400), before any work is done; the `Vary` that tells shared caches
apart; and the CSV itself."""

from __future__ import annotations

import csv
import enum
import functools
import io
import re
from collections.abc import Sequence
from typing import Annotated, Any

import mimeparse
from litestar import Request, Response
from litestar.params import QueryParameter

from pageviews.domain.errors import InvalidParameter, InvalidRequest, NotAcceptable, PageviewsError


class Representation(enum.StrEnum):
    JSON = "application/json"
    CSV = "text/csv"


_BY_FORMAT = {"json": Representation.JSON, "csv": Representation.CSV}
_OFFERED = [Representation.CSV.value, Representation.JSON.value]
"""What `Accept` chooses among; on a tie mimeparse takes the last, so `*/*` is JSON."""
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
"""RFC 9110's weight: 0 to 1, at most three decimals."""

FormatQuery = Annotated[
    str | None,
    QueryParameter(
        name="format",
        description="`json` or `csv`: the same as `Accept: application/json` or `Accept: text/csv`, for "
        "links and spreadsheets (it wins over `Accept`).",
        schema_extra={"type": "string", "one_of": None, "enum": list(_BY_FORMAT)},
        required=False,
    ),
]


def representation(request: Request[Any, Any, Any], format: str | None) -> Representation:
    """What the client asked for; a 406 problem when its `Accept` allows neither JSON nor CSV."""
    if format is not None:
        try:
            return _BY_FORMAT[format]
        except KeyError:
            raise InvalidParameter(f"format must be json or csv; got {format!r}") from None
    accept = ", ".join(request.headers.getall("accept", [])).strip()
    chosen = _chosen(accept)
    if isinstance(chosen, PageviewsError):
        raise type(chosen)(chosen.detail)
    return chosen


@functools.lru_cache(maxsize=256)
def _chosen(accept: str) -> Representation | PageviewsError:
    """What an `Accept` header chooses, or the error it is. Clients send few distinct headers, and parsing one
    costs more than the rest of a cached answer's negotiation: each is read once (a bounded number of them)."""
    if not accept:
        return Representation.JSON
    try:
        _check_weights(accept)
        best = mimeparse.best_match(_OFFERED, accept)
    except InvalidRequest as refused:
        return refused
    except ValueError:
        return InvalidRequest(f"the Accept header {accept!r} is not a list of media ranges")
    if not best:
        return NotAcceptable(
            f"this resource is application/json or text/csv; Accept: {accept} allows neither"
        )
    return Representation(best)


def _check_weights(accept: str) -> None:
    """mimeparse reads a q-value it cannot read (`q=abc`, `q=`, `q=-1`, `q=1.5`) as `q=1`, "most wanted", which
    may choose what the client ranked lowest: such an `Accept` is refused instead."""
    for media_range in accept.split(","):
        for parameter in media_range.split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q" and not _QVALUE.fullmatch(value.strip()):
                raise InvalidRequest(
                    f"the Accept header {accept!r} weighs {media_range.strip()!r} with q={value.strip()!r}; "
                    "a q-value is from 0 to 1 with at most three decimals, like q=0.5"
                )


def negotiated(headers: dict[str, str]) -> dict[str, str]:
    """JSON or CSV depending on `Accept`: shared caches must keep them apart."""
    return {**headers, "Vary": "Accept"}


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """RFC 4180 CSV with a header row, as every CSV answer (and the command line's) is written."""
    return csv_lines([header, *rows])


def csv_lines(rows: Sequence[Sequence[object]]) -> str:
    """Rows of RFC 4180 CSV, for an answer written in parts (the first part's first row is the header)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_response(
    header: Sequence[str], rows: Sequence[Sequence[object]], headers: dict[str, str]
) -> Response[Any]:
    return Response(csv_text(header, rows), media_type=Representation.CSV.value, headers=headers)
