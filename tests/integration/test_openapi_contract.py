"""The original endpoint against its own OpenAPI document (schemathesis, in-process), with requests built from
parts around every boundary (test_openapi_all_checks.py generates them from the document alone): they never get
a 5xx (the upstream is a healthy fake, so no upstream failure can excuse one), and every response conforms to
the status, content type, headers and schema the document declares."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from schemathesis import checks

from pageviews.containers import build_app
from tests.support.app import container_for
from tests.support.fake_wikimedia import FakeWikimedia

pytestmark = pytest.mark.slow


def _api() -> Litestar:
    fake = FakeWikimedia()
    fake.load_monthly_fixture()
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 631058)
    for month in range(1, 13):
        fake.add_month("AC/DC", dt.date(2023, month, 1), 1000 + month)
    fake.add_month("100%_pure", dt.date(2023, 10, 1), 100)
    return build_app(container_for(fake.transport()))


# What the service promises: no server error, and statuses, content types, headers and bodies as documented.
# Not `positive_data_acceptance`: the document cannot express every input rule (a title's forbidden characters,
# a month before July 2015), so a schema-valid request may rightly get a documented 400.
CONTRACT = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.allow_header_conformance,
]

# Built when the module is collected: schemathesis' lazy `from_fixture` fails under pytest 9 (it reads the
# removed `Function._nodeid`).
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", _api())


# The monthly endpoint's one `{path}` parameter is rarely `{article}/{year}/{month}` when generated from the
# document alone, so here it is built from parts that reach every branch: known titles (answered with data),
# odd ones (with `/`, `%`, `?`, `#`, unicode, control characters), years and months around July 2015 and
# now, padded or not, and any text; likewise for the query.
TITLES = st.one_of(
    st.sampled_from(["Google_Bard", "google Bard", "AC/DC", "AC%2FDC", "100%_pure"]),
    st.sampled_from(["Who?", "C#", "Zürich", "..", " ", "a/../b", "x" * 256, "[[x]]"]),
    st.text(max_size=12),
)
YEARS = st.one_of(st.integers(2015, 2024), st.integers(2010, 2030), st.text(max_size=5)).map(str)
MONTHS = st.one_of(
    st.integers(1, 12).map(str),
    st.integers(1, 12).map("{:02d}".format),
    st.integers(0, 13).map(str),
    st.text(max_size=3),
)
PROJECTS = st.one_of(
    st.sampled_from(["en.wikipedia", "EN.WIKIPEDIA.ORG", "es.wiktionary", "..", "en/x"]), st.text(max_size=8)
)
ACCESSES = st.one_of(
    st.sampled_from(["all-access", "desktop", "mobile-web", "mobile-app"]), st.text(max_size=8)
)
AGENTS = st.one_of(st.sampled_from(["user", "all-agents", "spider", "automated"]), st.text(max_size=8))
MONTHLY = schema.find_operation_by_id("monthlyViewCount")


@given(
    case=MONTHLY.as_strategy(),
    parts=st.one_of(
        st.sampled_from(
            [
                ("Google_Bard", "2023", "10"),
                ("google Bard", "2024", "1"),
                ("AC/DC", "2023", "02"),
                ("AC%2FDC", "2023", "12"),
                ("100%_pure", "2023", "10"),
            ]
        ),
        st.tuples(TITLES, YEARS, MONTHS),
    ),
    query=st.fixed_dictionaries({}, optional={"project": PROJECTS, "access": ACCESSES, "agent": AGENTS}),
)
@settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_monthly_answer_conforms_to_the_documented_contract(
    case: Any, parts: tuple[str, str, str], query: dict[str, str]
) -> None:
    case.path_parameters = {"path": "/".join(parts)}
    case.query = query
    case.call_and_validate(checks=CONTRACT)
