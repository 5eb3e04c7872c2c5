"""OpenAPI descriptions of the error responses, so every status a route can answer is documented."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.typing import FieldDefinition

from pageviews.adapters.inbound.http.problems import PROBLEM_MEDIA_TYPE, Problem, problem
from pageviews.domain.errors import PageviewsError, RateLimited

_DESCRIPTIONS = {
    400: "Invalid input (title, year, month, future month, month before July 2015, project, access, agent, "
    "range); nothing was asked upstream.",
    404: "`no_such_page`: Wikimedia has no data and the wiki has no page of this title (`suggestion` names "
    "the page it probably meant, when there is one); `no_data`: Wikimedia has no data yet for a range that "
    "has not settled, or the wiki could not be asked whether the page exists.",
    406: "`Accept` allows neither `application/json` nor `text/csv` (a `q=0` excludes a type); nothing was "
    "asked upstream.",
    413: "The body is larger than the endpoint takes.",
    429: "Too many requests from this client; retry after `Retry-After` seconds.",
    500: "An unexpected error; it was logged with its traceback, and no internals are in the response.",
    502: "Wikimedia or MediaWiki answered something unusable (5xx, not JSON, wrong shape, wrong period, an "
    "API error); the detail names which.",
    503: "Wikimedia or MediaWiki throttled us or could not be reached (or the service is not ready); see "
    "`Retry-After`.",
    504: "Wikimedia or MediaWiki did not answer within the timeout.",
}


_EXAMPLES = {
    400: ("invalid_month", "month must be between 1 and 12; got 13"),
    404: ("no_such_page", "en.wikipedia has no page titled Albert_Einstien; did you mean Albert_Einstein?"),
    406: (
        "not_acceptable",
        "this resource is application/json or text/csv; Accept: text/html allows neither",
    ),
    413: ("body_too_large", "the body is larger than 65536 bytes"),
    429: (RateLimited.code, "too many requests from this client; retry in 1 s"),
    500: (PageviewsError.code, "an unexpected error occurred; it has been logged"),
    502: ("upstream_error", "Wikimedia answered 500"),
    503: ("upstream_throttled", "Wikimedia is throttling requests"),
    504: ("upstream_timeout", "Wikimedia did not answer in time"),
}


ONE_MONTH: dict[str, object] = {
    "project": "en.wikipedia",
    "article": "Albert_Einstein",
    "access": "all-access",
    "agent": "user",
    "granularity": "monthly",
    "from": "2023-01",
    "to": "2023-01",
    "total": 412345,
    "items": [{"period": "2023-01", "views": 412345, "complete": True}],
    "stale": False,
}
"""One month of Albert_Einstein, as the examples of every series show it."""

INCLUDED_PAGE: dict[str, object] = {
    "title": "Albert_Einstein",
    "redirected_from": "Einstein",
    "titles": [
        {"title": "Albert_Einstein", "views": 412345, "redirect": False},
        {"title": "Einstein", "views": 8102, "redirect": True},
        {"title": "Relativity_theory", "views": 731, "redirect": True, "fragment": "Relativity"},
    ],
}
"""`page` of a `redirects=include` example: the page and each title counted (421178 views in all)."""


def error_responses(
    *statuses: int, examples: dict[int, tuple[str, str] | list[tuple[str, str]]] | None = None
) -> dict[int, ResponseSpec]:
    """Problem responses for `statuses`, each with an example `(code, detail)`, or several (the usual one
    unless given)."""
    chosen = {**_EXAMPLES, **(examples or {})}
    return {status: _error_response(status, chosen[status]) for status in statuses}


def _error_response(status: int, examples: tuple[str, str] | list[tuple[str, str]]) -> ResponseSpec:
    listed = examples if isinstance(examples, list) else [examples]
    return ResponseSpec(
        data_container=Problem,
        description=_DESCRIPTIONS[status],
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
        examples=[
            Example(summary=code, value=msgspec.to_builtins(problem(status, code, detail)))
            for code, detail in listed
        ],
    )


def documented_ok(
    json_example: object, csv_example: str | None = None, more: dict[str, tuple[str, object]] | None = None
) -> type[Operation]:
    """An OpenAPI operation whose 200 carries an example and, where the route serves it, `text/csv`
    (content negotiation that Litestar's response annotations cannot express); `more` are further named
    examples, `name: (summary, value)`, shown beside the first (named `default`)."""

    @dataclass
    class DocumentedOperation(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if not isinstance(ok, OpenAPIResponse) or not ok.content:
                return
            for media in ok.content.values():
                if more:
                    media.examples = {
                        "default": Example(value=json_example),
                        **{
                            name: Example(summary=summary, value=value)
                            for name, (summary, value) in more.items()
                        },
                    }
                else:
                    media.example = json_example
            if csv_example is not None:
                schema = Schema(type=OpenAPIType.STRING, description="CSV with a header row")
                ok.content["text/csv"] = OpenAPIMediaType(schema=schema, example=csv_example)

    return DocumentedOperation


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """A body that refuses unknown fields (`forbid_unknown_fields`) says so: `additionalProperties: false`."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if field_definition.type_.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        return schema
