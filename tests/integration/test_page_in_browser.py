"""The page at `/` in a real browser (Debian's chromium, driven by Playwright) against the real server process
and a fake Wikimedia over HTTP: what a person types is what the chart, the tables and the links show, and
all of it agrees with the API. Each test fails on any script error or Content-Security-Policy violation
(the `page` fixture), and leaves a screenshot in test-artifacts/ when it fails."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.slow

TODAY = dt.datetime.now(dt.UTC).date()
FROM, TO = TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=31)
"""Thirty settled days, inside the demo data."""
DAYS = (TO - FROM).days + 1
TWO = ["Albert_Einstein", "Marie_Curie"]
VIEW = (
    f"/#view=compare&project=en.wikipedia&article={TWO[0]}&article={TWO[1]}"
    f"&range=custom&granularity=daily&from={FROM}&to={TO}"
)


def api(site: str, article: str, **headers: str) -> httpx.Response:
    url = f"{site}/v1/pageviews/en.wikipedia/{quote(article, safe='')}"
    return httpx.get(url, params={"from": str(FROM), "to": str(TO), "granularity": "daily"}, headers=headers)


def shown(page: Page, results: str = "compare-results") -> None:
    """Waits until a view has its answers (checked on every frame, not on expect's widening intervals)."""
    page.wait_for_function(
        "id => { const r = document.getElementById(id); return r && !r.hidden && !r.hasAttribute('aria-busy'); }",
        arg=results,
    )


def chart(page: Page) -> dict[str, Any]:
    data: dict[str, Any] = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById("compare-chart"));
            return {labels: chart.data.labels, lines: chart.data.datasets.map(d => ({label: d.label, data: d.data}))};
        }"""
    )
    return data


def ask(page: Page, articles: str) -> None:
    """Types the articles and a custom daily range, then presses the button."""
    page.goto("/")
    form = page.locator("#compare-form")
    form.get_by_label("Articles").fill(articles)
    form.get_by_label("Range").select_option("custom")
    form.get_by_label("Granularity").select_option("daily")
    form.get_by_label("From").fill(str(FROM))
    form.get_by_label("To", exact=True).fill(str(TO))
    form.get_by_role("button", name="Show views").click()


def test_two_typed_articles_are_two_lines_of_a_point_a_day(page: Page) -> None:
    ask(page, "Albert Einstein\nMarie Curie")
    shown(page)
    drawn = chart(page)
    assert [str(FROM + dt.timedelta(days=n)) for n in range(DAYS)] == drawn["labels"]
    assert [("Albert Einstein", DAYS), ("Marie Curie", DAYS)] == [
        (line["label"], len(line["data"])) for line in drawn["lines"]
    ]
    assert all(isinstance(views, int) for line in drawn["lines"] for views in line["data"])


def test_the_tables_totals_are_the_apis(page: Page, site: str) -> None:
    page.goto(VIEW)
    shown(page)
    totals = page.locator("#compare-totals tbody td[data-value]").evaluate_all(
        "cells => cells.map(cell => Number(cell.dataset.value))"
    )
    assert [api(site, title).json()["total"] for title in TWO] == totals
    assert sum(totals) == int(
        page.locator("#compare-totals tfoot td[data-value]").get_attribute("data-value") or 0
    )


def test_the_csv_link_gives_the_apis_csv(page: Page, site: str) -> None:
    page.goto(VIEW)
    shown(page)
    links = page.locator("#compare-totals a[data-format=csv]")
    hrefs = [links.nth(n).get_attribute("href") for n in range(links.count())]
    answers = [httpx.get(f"{site}{href}") for href in hrefs]
    assert [api(site, title, accept="text/csv").content for title in TWO] == [a.content for a in answers]
    assert all(a.headers["content-type"].startswith("text/csv") for a in answers)


def test_a_shared_url_restores_the_same_view(page: Page, browser: Browser, site: str) -> None:
    ask(page, "Marie Curie\nIsaac Newton")
    page.locator("#compare-form").get_by_label("Platform").select_option("desktop")
    page.get_by_role("button", name="Show views").click()
    shown(page)
    expect(page).to_have_url(re.compile("access=desktop"))
    fields = ["#articles", "#project", "#range", "#granularity", "#from", "#to", "#access", "#agent"]
    before = ([page.input_value(f) for f in fields], chart(page))
    other = browser.new_context(base_url=site).new_page()
    other.goto(page.url)
    shown(other)
    assert before == ([other.input_value(f) for f in fields], chart(other))
    other.context.close()


def test_a_bad_title_is_a_sentence_not_json(page: Page) -> None:
    ask(page, "Albert Einstein\nBad|Title")
    shown(page)
    message = page.locator("#compare-errors").inner_text()
    assert "Bad|Title: 'Bad|Title' is not a valid title" in message
    assert message.strip().endswith(".")
    assert not any(mark in message for mark in ('{"', '"detail"', "urn:", "invalid_title"))
    assert ["Albert Einstein"] == [line["label"] for line in chart(page)["lines"]]


def test_the_form_works_from_the_keyboard(page: Page) -> None:
    page.goto(VIEW.replace(f"&article={TWO[1]}", ""))
    shown(page)
    page.locator("#compare-form").get_by_label("Articles").focus()
    page.keyboard.press("End")
    page.keyboard.type("\nMarie Curie")
    for _ in range(30):  # a date input takes a Tab per part
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")
    expect(page.locator("#compare-totals tbody tr")).to_have_count(2)


def test_a_phones_width_needs_no_sideways_scrolling(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    widths = []
    for view, results in ((VIEW, "compare-results"), ("/#view=top", "top-results")):
        page.goto(view)
        shown(page, results)
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
    assert [360, 360] == widths


def test_the_top_view_lists_a_months_most_viewed_with_links_to_compare_them(page: Page, site: str) -> None:
    month = (TODAY.replace(day=1) - dt.timedelta(days=40)).strftime("%Y-%m")
    page.goto(f"/#view=top&project=en.wikipedia&month={month}")
    shown(page, "top-results")
    rows = page.locator("#top-table tbody tr")
    expect(rows).to_have_count(5)
    assert "Main Page" == rows.first.locator("th").inner_text()
    rows.nth(2).get_by_role("link", name="Compare").click()
    shown(page)
    assert 1 == len(chart(page)["lines"])


def test_a_followed_redirect_is_drawn_as_its_page_and_says_so(page: Page) -> None:
    page.goto(VIEW.replace(f"&article={TWO[1]}", "").replace(TWO[0], "Einstein") + "&redirects=follow")
    shown(page)
    assert ["Albert Einstein"] == [line["label"] for line in chart(page)["lines"]]
    expect(page.locator("#compare-totals tbody")).to_contain_text("redirected from Einstein")


def test_the_languages_view_lists_every_language_with_the_apis_total(page: Page, site: str) -> None:
    page.goto(
        f"/#view=langviews&project=en.wikipedia&article=Albert_Einstein&range=custom&granularity=daily&from={FROM}&to={TO}"
    )
    expect(page.locator("#langviews-table tbody tr")).to_have_count(5)
    answer = httpx.get(
        f"{site}/v1/langviews/en.wikipedia/Albert_Einstein",
        params={"from": str(FROM), "to": str(TO), "granularity": "daily"},
    ).json()
    shown_total = page.locator("#langviews-table tfoot td[data-value]").get_attribute("data-value")
    assert str(answer["total"]) == shown_total
    assert ["en", "de", "fr", "ja", "gsw"] == [row["lang"] for row in answer["languages"]]


def test_every_control_of_every_view_has_a_label(page: Page) -> None:
    unlabelled = []
    for view in ("compare", "top", "langviews"):
        page.goto(f"/#view={view}")
        unlabelled += page.evaluate(
            """() => [...document.querySelectorAll("section.view:not([hidden]) :is(input, select, textarea, button)")]
                .filter(control => !(control.labels?.length || control.textContent.trim()))
                .map(control => control.id || control.outerHTML)"""
        )
    assert [] == unlabelled
