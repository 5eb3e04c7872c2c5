"""Query and path parameters shared by several resources, with their OpenAPI descriptions."""

from __future__ import annotations

from typing import Annotated

from litestar.openapi.spec import Example
from litestar.params import PathParameter, QueryParameter

from pageviews.domain.model import Access, Agent, Granularity
from pageviews.domain.series import Breakdown

ProjectQuery = Annotated[
    str,
    QueryParameter(
        name="project",
        description="Wikimedia project, like en.wikipedia, de.wikipedia, es.wiktionary, commons.wikimedia "
        "(en.wikipedia.org and upper case are accepted).",
        examples=[Example(value="en.wikipedia")],
    ),
]
ProjectPath = Annotated[str, PathParameter(description="Wikimedia project, like en.wikipedia.")]
AccessQuery = Annotated[
    str,
    QueryParameter(
        name="access",
        description="Which platform's views to count.",
        schema_extra={"enum": [a.value for a in Access]},
    ),
]
AgentQuery = Annotated[
    str,
    QueryParameter(
        name="agent",
        description="Whose views to count: `user` (humans, the default), `spider`, `automated` or `all-agents`.",
        schema_extra={"enum": [a.value for a in Agent]},
    ),
]
OptionalAgentQuery = Annotated[
    str | None,
    QueryParameter(
        name="agent",
        description="`user` (default), `spider`, `automated` or `all-agents`.",
        schema_extra={"enum": [a.value for a in Agent]},
        required=False,
    ),
]
GranularityQuery = Annotated[
    str,
    QueryParameter(
        name="granularity",
        description="`monthly` (the default) or `daily`.",
        schema_extra={"enum": [g.value for g in Granularity]},
    ),
]
FromQuery = Annotated[
    str,
    QueryParameter(
        name="from",
        description="First period: `YYYY-MM` (monthly or daily) or `YYYY-MM-DD` (daily).",
        examples=[Example(value="2023-01")],
    ),
]
ToQuery = Annotated[
    str | None,
    QueryParameter(
        name="to", description="Last period, same forms as `from` (default: `from`).", required=False
    ),
]
BreakdownQuery = Annotated[
    str | None,
    QueryParameter(
        name="breakdown",
        description="Split each period by `agent` (user/spider/automated) or `access` "
        "(desktop/mobile-web/mobile-app); the parts add up to `views`.",
        schema_extra={"enum": [b.value for b in Breakdown]},
        required=False,
    ),
]
