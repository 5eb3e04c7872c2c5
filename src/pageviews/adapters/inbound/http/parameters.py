"""Query and path parameters shared by several resources, with their OpenAPI descriptions, and the rule that a
request carries no query parameter its endpoint does not declare."""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from litestar import Request
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Example
from litestar.params import PathParameter, QueryParameter

from pageviews.adapters.inbound.http import patterns
from pageviews.domain.errors import InvalidParameter
from pageviews.domain.model import Access, Agent, Granularity
from pageviews.domain.non_articles import Exclude
from pageviews.domain.pages import RedirectsChoice
from pageviews.domain.series import Breakdown
from pageviews.domain.top import DEFAULT_TOP, MAX_TOP

ONE_STRING: dict[str, Any] = {"type": "string", "one_of": None}
"""For an optional query parameter: a query value is a string when it is there, never null."""

PROJECT_DESCRIPTION = (
    "Wikimedia project, like en.wikipedia, de.wikipedia, es.wiktionary, commons.wikimedia "
    "(en.wikipedia.org and upper case are accepted)."
)
ProjectQuery = Annotated[
    str,
    QueryParameter(
        name="project",
        description=PROJECT_DESCRIPTION,
        examples=[Example(value="en.wikipedia")],
        schema_extra={"pattern": patterns.PROJECT, "default": "en.wikipedia"},
    ),
]
ProjectPath = Annotated[
    str,
    PathParameter(
        description=PROJECT_DESCRIPTION,
        examples=[Example(value="en.wikipedia")],
        schema_extra={"pattern": patterns.PROJECT},
    ),
]
AccessQuery = Annotated[
    str,
    QueryParameter(
        name="access",
        description="Which platform's views to count (all-access, the default: desktop, mobile-web and "
        "mobile-app together).",
        schema_extra={"enum": [a.value for a in Access], "default": Access.ALL.value},
    ),
]
AgentQuery = Annotated[
    str,
    QueryParameter(
        name="agent",
        description="Whose views to count: `user` (humans, the default), `spider`, `automated` or `all-agents`.",
        schema_extra={"enum": [a.value for a in Agent], "default": Agent.USER.value},
    ),
]
OptionalAgentQuery = Annotated[
    str | None,
    QueryParameter(
        name="agent",
        description="`user` (default), `spider`, `automated` or `all-agents`; not with `breakdown=agent`, whose "
        "parts are all agents.",
        schema_extra={**ONE_STRING, "enum": [a.value for a in Agent], "default": Agent.USER.value},
        required=False,
    ),
]
GranularityQuery = Annotated[
    str,
    QueryParameter(
        name="granularity",
        description="`monthly` (the default) or `daily`.",
        schema_extra={"enum": [g.value for g in Granularity], "default": Granularity.MONTHLY.value},
    ),
]
FromQuery = Annotated[
    str,
    QueryParameter(
        name="from",
        description="First period: `YYYY-MM` (monthly or daily) or `YYYY-MM-DD` (daily only), from July 2015 "
        "(2015-07, 2015-07-01), where Wikimedia's per-article data starts, to today, not later.",
        examples=[Example(value="2023-01")],
        schema_extra={"pattern": patterns.PERIOD},
    ),
]
ToQuery = Annotated[
    str | None,
    QueryParameter(
        name="to",
        description="Last period, same forms as `from` and not before it (default: `from`); at most 240 months or "
        "1096 days after it.",
        required=False,
        examples=[Example(value="2023-12")],
        schema_extra={**ONE_STRING, "pattern": patterns.PERIOD},
    ),
]
BreakdownQuery = Annotated[
    str | None,
    QueryParameter(
        name="breakdown",
        description="Split each period by `agent` (user/spider/automated) or `access` "
        "(desktop/mobile-web/mobile-app); the parts add up to `views`. Not with a filter on the same "
        "dimension (`agent` other than all-agents, `access` other than all-access).",
        schema_extra={**ONE_STRING, "enum": [b.value for b in Breakdown]},
        required=False,
    ),
]


def query_names(handler: BaseRouteHandler) -> frozenset[str]:
    """The query parameters a handler declares, by the names clients send."""
    return frozenset(
        field.kwarg_definition.name or name
        for name, field in handler.parsed_fn_signature.parameters.items()
        if isinstance(field.kwarg_definition, QueryParameter)
    )


ANY_QUERY = "ignores_query"
"""A handler's `opt` key: its endpoint ignores the query string, so no parameter is refused (the mirror, as
Wikimedia does; the page at `/`, whose links may pick up `?utm_source=` and the like on the way)."""

_TAKEN: dict[Any, frozenset[str]] = {}
"""By handler function (the same in every application built from the module's handlers)."""


async def refuse_unknown_parameters(request: Request[Any, Any, Any]) -> None:
    """A `before_request` hook: a misspelt or unknown query parameter, or one sent twice, is a 400 that names it
    (with the closest known name), never silently ignored."""
    handler = request.route_handler
    if not getattr(handler.fn, "__module__", "").startswith("pageviews.") or handler.opt.get(ANY_QUERY):
        # The docs and static files Litestar serves for us; the mirror, which ignores them as Wikimedia does;
        # the page, whose state is in the fragment.
        return
    taken = _TAKEN.get(handler.fn)
    if taken is None:
        taken = _TAKEN[handler.fn] = query_names(handler)
    sent = [name for name, _ in request.query_params.multi_items()]
    for name in sent:
        if name not in taken:
            close = difflib.get_close_matches(name, taken, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            known = ", ".join(f"`{n}`" for n in sorted(taken)) or "none"
            raise InvalidParameter(f"unknown query parameter `{name}`{hint}; this endpoint takes {known}")
        if sent.count(name) > 1:
            raise InvalidParameter(
                f"the query parameter `{name}` is given {sent.count(name)} times; give it once"
            )


ExcludeQuery = Annotated[
    str | None,
    QueryParameter(
        name="exclude",
        description="`non-articles` drops the main page, `-` and pages of other namespaces (`Special:`, "
        "`File:`, `User:`...), as Pageviews Analysis's Topviews does (the rule is in the README); ranks stay "
        "Wikimedia's.",
        schema_extra={**ONE_STRING, "enum": [e.value for e in Exclude]},
        required=False,
    ),
]
LimitQuery = Annotated[
    str,
    # Read as text and parsed by the domain: only a plain whole number is a limit (not 1e3 or 1.0), and a
    # client gets the `invalid_limit` code for one out of bounds.
    QueryParameter(
        name="limit",
        description=f"At most this many (1 to {MAX_TOP}).",
        schema_extra={"type": "integer", "minimum": 1, "maximum": MAX_TOP, "default": DEFAULT_TOP},
    ),
]
REDIRECTS_DESCRIPTION = (
    "How the title's views are counted. `exact` (the default): the title as asked, as Wikimedia counts it. "
    "`follow`: the page the title redirects to (`page.redirected_from` says so). `include`: the page plus "
    "every redirect to it, summed per period (`page.titles` lists each title counted with its views; a "
    "redirect to a section is marked with its `fragment`). `follow` and `include` ask the wiki (MediaWiki); "
    "when it cannot be asked, the title is counted as asked and `notices` says so."
)
RedirectsQuery = Annotated[
    str,
    QueryParameter(
        name="redirects",
        description=REDIRECTS_DESCRIPTION,
        schema_extra={"enum": [c.value for c in RedirectsChoice], "default": RedirectsChoice.EXACT.value},
    ),
]
