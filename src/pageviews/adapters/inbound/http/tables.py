"""The CSV form of each answer, as a header and rows: one home for what the HTTP API's `text/csv` and the
command line's `--format csv` say."""

from __future__ import annotations

from pageviews.adapters.inbound.http.schemas import BatchResult, LanguageViewsOut, SeriesOut, TopOut

Table = tuple[list[str], list[list[object]]]


def series_table(answer: SeriesOut) -> Table:
    """`period,views`, plus one column per part of a breakdown."""
    parts = list(answer.items[0].breakdown or {}) if answer.items else []
    rows: list[list[object]] = [
        [i.period, i.views, *((i.breakdown or {}).get(p, 0) for p in parts)] for i in answer.items
    ]
    return ["period", "views", *parts], rows


BATCH_HEADER = ["article", "period", "views", "problem"]
"""Many articles in one CSV: a row per article and period, the article as it was asked (the key a script
joins on); an article that failed is one row with its problem's code and no period."""


def batch_rows(result: BatchResult) -> list[list[object]]:
    """One article's rows of the batch CSV (`BATCH_HEADER`)."""
    if result.series is None:
        return [[result.article, "", "", "" if result.problem is None else result.problem.code]]
    return [[result.article, i.period, i.views, ""] for i in result.series.items]


def top_table(answer: TopOut) -> Table:
    return ["rank", "article", "views"], [[i.rank, i.article, i.views] for i in answer.items]


def languages_table(answer: LanguageViewsOut) -> Table:
    """`lang,project,title,views,problem`; a language that could not be counted has no views and its
    problem's code."""
    rows: list[list[object]] = [
        [
            row.lang,
            row.project,
            row.title,
            "" if row.views is None else row.views,
            "" if row.problem is None else row.problem.code,
        ]
        for row in answer.languages
    ]
    return ["lang", "project", "title", "views", "problem"], rows
