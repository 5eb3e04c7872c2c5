"""The v1 endpoints against their own OpenAPI document (schemathesis, in-process, the fake Wikimedia as upstream):
requests built from parts that reach every branch never get a 5xx, and every answer has a documented status,
content type, headers and body shape.

The document cannot say which strings are valid months, days, titles or ranges, so cases generated from it
alone rarely get past the 400s; here the parameters come from strategies around the real boundaries (July 2015,
today, 1096 days, 100 articles, limits 1 and 1000) mixed with any text, and the fake has data for every day,
every access method and every agent of a known article, so 200s (and their breakdowns) are exercised too."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from schemathesis import checks

from pageviews.containers import build_app
from pageviews.domain.model import Access, Agent
from tests.support.app import NOW, container_for, settings_from_env
from tests.support.fake_wikimedia import FakeWikimedia

pytestmark = pytest.mark.slow

FIRST_DAY = dt.date(2015, 7, 1)
TODAY = NOW.date()


def _fake() -> FakeWikimedia:
    fake = FakeWikimedia()
    days = [FIRST_DAY + dt.timedelta(days=n) for n in range((TODAY - FIRST_DAY).days + 1)]
    for access in Access:
        for agent in Agent:
            for n, day in enumerate(days):
                if n % 5:  # some days have no views, and Wikimedia leaves them out
                    fake.add_day("Albert_Einstein", day, n % 997, access=access.value, agent=agent.value)
    for month in range(1, 13):
        fake.add_month("AC/DC", dt.date(2023, month, 1), 1000 + month)
    fake.add_day("Zürich", dt.date(2023, 10, 17), 5)
    for year in range(2015, 2024):
        for month in range(1, 13):
            fake.top[("en.wikipedia", "all-access", f"{year}", f"{month:02d}")] = [
                {"article": "Main_Page", "views": 9000, "rank": 1},
                {"article": "Hello,_World", "views": 500, "rank": 2},
                {"article": "AC/DC", "views": 500, "rank": 2},
            ]
    return fake


def _api() -> Litestar:
    return build_app(container_for(_fake().transport()))


def _failing_upstream() -> httpx.MockTransport:
    """Wikimedia failing every request, in turn with a 500, a 429, a 503 and a timeout."""
    failures = itertools.cycle(["500", "429", "503", "timeout"])

    def answer(request: httpx.Request) -> httpx.Response:
        failure = next(failures)
        if failure == "timeout":
            raise httpx.ReadTimeout("the fake upstream did not answer", request=request)
        return httpx.Response(int(failure), text="failing on purpose", headers={"retry-after": "3"})

    return httpx.MockTransport(answer)


# What the service promises (as in test_openapi_contract): no server error; statuses, content types, headers
# and bodies as documented. Not `positive_data_acceptance`: a schema-valid string may rightly be a 400.
CONTRACT = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]

# Built when the module is collected: schemathesis' lazy `from_fixture` fails under pytest 9.
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", _api())
# The circuit breaker would soon answer every request itself (503): it waits for 10000 requests here, so the
# service's answer to each kind of upstream failure is what gets checked.
failing = schemathesis.openapi.from_asgi(
    "/schema/openapi.json",
    build_app(
        container_for(
            _failing_upstream(),
            settings=settings_from_env(
                PAGEVIEWS_BREAKER_MINIMUM_CALLS="10000", PAGEVIEWS_BREAKER_WINDOW="10000"
            ),
        )
    ),
)
SERIES = schema.find_operation_by_id("series")
TOP = schema.find_operation_by_id("topArticles")
BATCH = schema.find_operation_by_id("batch")

SETTINGS = settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

MONTHS = st.one_of(
    st.builds("{:04d}-{:02d}".format, st.integers(2014, 2025), st.integers(1, 12)),
    st.sampled_from(["2015-06", "2015-07", "2023-12", "2024-01", "2024-02", "2023-13", "2023-00", "2023-1"]),
)
DAYS = st.one_of(
    st.dates(dt.date(2015, 6, 20), dt.date(2024, 1, 25)).map(dt.date.isoformat),
    st.sampled_from(["2015-06-30", "2015-07-01", "2024-01-15", "2024-01-16", "2023-02-29", "2023-02-30"]),
)
PERIODS = st.one_of(
    MONTHS, DAYS, st.sampled_from(["", "23-01", "2023-10-17T00", "2023/10"]), st.text(max_size=10)
)
KNOWN_TITLES = st.sampled_from(["Albert_Einstein", "albert Einstein", "AC/DC", "Zürich"])
TITLES = st.one_of(
    KNOWN_TITLES,
    st.sampled_from(["Unknown_article", "Who?", "C#", "..", " ", "a/../b", "x" * 256, "[[x]]", "Bad|title"]),
    st.text(max_size=12),
)
PROJECTS = st.one_of(
    st.just("en.wikipedia"),
    st.sampled_from(["EN.WIKIPEDIA.ORG", "es.wiktionary", "..", "-x-"]),
    st.text(max_size=8),
)
ACCESSES = st.one_of(st.sampled_from([a.value for a in Access]), st.text(max_size=8))
AGENTS = st.one_of(st.sampled_from([a.value for a in Agent]), st.text(max_size=8))
GRANULARITIES = st.one_of(st.sampled_from(["monthly", "daily", "Daily"]), st.text(max_size=8))
BREAKDOWNS = st.one_of(st.sampled_from(["agent", "access"]), st.text(max_size=8))
LIMITS = st.one_of(
    st.integers(-2, 1002).map(str), st.sampled_from(["1", "100", "1000", "1001", "0"]), st.text(max_size=4)
)

FIRST_MONTH_DAY, LAST_SETTLED_DAY = dt.date(2015, 7, 1), dt.date(2023, 12, 31)


@st.composite
def valid_ranges(draw: st.DrawFn) -> dict[str, str]:
    """`from`, `to` and `granularity` the service answers: inside July 2015 to today, within its limits."""
    if draw(st.booleans()):
        first, last = sorted(draw(st.lists(st.dates(FIRST_DAY, TODAY), min_size=2, max_size=2)))
        return {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}", "granularity": "monthly"}
    first = draw(st.dates(FIRST_DAY, TODAY))
    last = min(TODAY, first + dt.timedelta(days=draw(st.integers(0, 1095))))
    return {"from": first.isoformat(), "to": last.isoformat(), "granularity": "daily"}


@st.composite
def valid_series_queries(draw: st.DrawFn) -> dict[str, str]:
    """A range, and filters and a breakdown that do not contradict each other."""
    query = draw(valid_ranges())
    breakdown = draw(st.sampled_from([None, "agent", "access"]))
    if breakdown is not None:
        query["breakdown"] = breakdown
    if breakdown != "access":
        query["access"] = draw(st.sampled_from([a.value for a in Access]))
    agents = ["all-agents"] if breakdown == "agent" else [a.value for a in Agent]
    query["agent"] = draw(st.sampled_from(agents))
    return query


ANY_SERIES_QUERIES = st.fixed_dictionaries(
    {"from": PERIODS},
    optional={
        "to": PERIODS,
        "granularity": GRANULARITIES,
        "access": ACCESSES,
        "agent": AGENTS,
        "breakdown": BREAKDOWNS,
    },
)


@given(
    case=SERIES.as_strategy(),
    path=st.one_of(
        st.tuples(st.just("en.wikipedia"), KNOWN_TITLES),
        st.tuples(PROJECTS, TITLES),
        st.tuples(PROJECTS, TITLES),
    ),
    query=st.one_of(valid_series_queries(), valid_series_queries(), ANY_SERIES_QUERIES),
)
@SETTINGS
def test_every_series_answer_conforms_to_the_documented_contract(
    case: Any, path: tuple[str, str], query: dict[str, str]
) -> None:
    project, article = path
    case.path_parameters = {"project": project, "article": article}
    case.query = query
    case.call_and_validate(checks=CONTRACT)


COMPLETE_MONTHS = st.dates(FIRST_MONTH_DAY, LAST_SETTLED_DAY).map("{:%Y-%m}".format)


@given(
    case=TOP.as_strategy(),
    path=st.one_of(
        st.tuples(st.just("en.wikipedia"), COMPLETE_MONTHS),
        st.tuples(st.just("en.wikipedia"), COMPLETE_MONTHS),
        st.tuples(PROJECTS, st.one_of(MONTHS, st.text(max_size=8))),
    ),
    query=st.one_of(
        st.fixed_dictionaries({}, optional={"limit": st.integers(1, 1000).map(str)}),
        st.fixed_dictionaries({}, optional={"access": ACCESSES, "limit": LIMITS}),
    ),
)
@SETTINGS
def test_every_top_list_answer_conforms_to_the_documented_contract(
    case: Any, path: tuple[str, str], query: dict[str, str]
) -> None:
    project, month = path
    case.path_parameters = {"project": project, "month": month}
    case.query = query
    case.call_and_validate(checks=CONTRACT)


@st.composite
def valid_batches(draw: st.DrawFn) -> dict[str, Any]:
    """Known titles (and now and then an unknown or invalid one, answered as a problem of its own)."""
    articles = draw(st.lists(st.one_of(KNOWN_TITLES, KNOWN_TITLES, TITLES), min_size=1, max_size=5))
    query = draw(valid_series_queries())
    query.pop("breakdown", None)
    return {"articles": articles, "project": "en.wikipedia", **query}


ANY_BATCHES = st.fixed_dictionaries(
    {
        "articles": st.one_of(
            st.lists(TITLES, max_size=5),
            st.sampled_from([["Albert_Einstein"] * 100, ["Albert_Einstein"] * 101]),
        ),
        "from": PERIODS,
    },
    optional={
        "to": PERIODS,
        "project": PROJECTS,
        "granularity": GRANULARITIES,
        "access": ACCESSES,
        "agent": AGENTS,
    },
)


@given(case=BATCH.as_strategy(), body=st.one_of(valid_batches(), valid_batches(), ANY_BATCHES))
@SETTINGS
def test_every_batch_answer_conforms_to_the_documented_contract(case: Any, body: dict[str, Any]) -> None:
    case.body = body
    case.call_and_validate(checks=CONTRACT)


FEW = settings(SETTINGS, max_examples=40)
# A failing upstream must give a documented 502, 503 or 504: every check but "no 5xx at all".
CONFORMANCE = [check for check in CONTRACT if check is not checks.not_a_server_error]
UPSTREAM_STATUSES = {502, 503, 504}


@given(case=failing.find_operation_by_id("series").as_strategy(), query=valid_series_queries())
@FEW
def test_every_series_answer_to_a_failing_upstream_is_a_documented_upstream_problem(
    case: Any, query: dict[str, str]
) -> None:
    case.path_parameters = {"project": "en.wikipedia", "article": "Albert_Einstein"}
    case.query = query
    response = case.call_and_validate(checks=CONFORMANCE)
    assert response.status_code in UPSTREAM_STATUSES


@given(case=failing.find_operation_by_id("topArticles").as_strategy(), month=COMPLETE_MONTHS)
@FEW
def test_every_top_list_answer_to_a_failing_upstream_is_a_documented_upstream_problem(
    case: Any, month: str
) -> None:
    case.path_parameters = {"project": "en.wikipedia", "month": month}
    case.query = {}
    response = case.call_and_validate(checks=CONFORMANCE)
    assert response.status_code in UPSTREAM_STATUSES


@given(case=failing.find_operation_by_id("batch").as_strategy(), body=valid_batches())
@FEW
def test_every_batch_answer_to_a_failing_upstream_has_a_problem_per_article(
    case: Any, body: dict[str, Any]
) -> None:
    case.body = body
    case.query = {"format": "json"}  # the problems' statuses are in the JSON answer (CSV gives their codes)
    response = case.call_and_validate(checks=CONFORMANCE)
    statuses = {result["problem"]["status"] for result in response.json()["results"]}
    assert statuses <= {400, *UPSTREAM_STATUSES}
