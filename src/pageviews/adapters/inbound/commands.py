"""`pageviews views`, `top` and `langviews`: the HTTP API's use cases on the command line, another inbound
adapter. A readable table on a terminal, or the API's own CSV and JSON for pipes (the same encoders); progress
on stderr while many articles are asked; an exit code by kind of failure (2 bad input, 3 no data, 4 upstream
failure) with the API's own messages, which the domain errors carry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

import msgspec

from pageviews.adapters.inbound.http.negotiation import csv_text
from pageviews.adapters.inbound.http.problems import problem_of
from pageviews.adapters.inbound.http.schemas import BatchOut, BatchResult, LanguageViewsOut, SeriesOut, TopOut
from pageviews.adapters.inbound.http.tables import (
    BATCH_HEADER,
    batch_rows,
    languages_table,
    series_table,
    top_table,
)
from pageviews.application.use_cases import MAX_BATCH, PageviewsService
from pageviews.domain.errors import (
    InvalidInput,
    NoData,
    NoSuchPage,
    PageviewsError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from pageviews.domain.model import Access, Agent, Article, ArticleQuery, Granularity, Month, Project
from pageviews.domain.pages import RedirectsChoice
from pageviews.domain.series import PeriodRange, Series
from pageviews.domain.top import parse_limit

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_NO_DATA = 3
EXIT_UPSTREAM = 4
SEVERITY = (EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_UPSTREAM, EXIT_NO_DATA)
"""When articles fail in different ways, the code of the first kind in this order: a command that can never
succeed as written (bad input) before one worth retrying (upstream) before one that just has no data."""
FORMATS = ("table", "csv", "json")
_json = msgspec.json.Encoder()


def exit_code(error: PageviewsError) -> int:
    if isinstance(error, NoData | NoSuchPage):
        return EXIT_NO_DATA
    if isinstance(error, UpstreamError | UpstreamUnavailable | UpstreamTimeout):
        return EXIT_UPSTREAM
    if isinstance(error, InvalidInput):
        return EXIT_BAD_INPUT
    return EXIT_INTERNAL


def message(error: PageviewsError, title: str | None = None) -> str:
    """The API's detail and code, on one line: `pageviews: Bad|Title: '...' is not a valid title (invalid_title)`."""
    subject = f"{title}: " if title else ""
    return f"pageviews: {subject}{error.detail} ({error.code})"


@dataclass(frozen=True)
class RangeArgs:
    start: str | None
    end: str | None
    granularity: str

    def periods(self, today: dt.date) -> PeriodRange:
        """The range asked, or by default the last 12 months (monthly) or the 30 days up to yesterday."""
        granularity = Granularity.parse(self.granularity)
        start, end = self.start, self.end
        if start is None:
            start, end = default_range(granularity, today, end)
        return PeriodRange.parse(granularity, start, end, today)


def default_range(granularity: Granularity, today: dt.date, end: str | None) -> tuple[str, str]:
    if granularity is Granularity.MONTHLY:
        last = Month.parse(end) if end else Month.of(today)
        first = last
        for _ in range(11):
            first = first.previous()
        return str(first), str(last)
    last_day = dt.date.fromisoformat(end) if end and len(end) == 10 else today - dt.timedelta(days=1)
    return str(last_day - dt.timedelta(days=29)), str(last_day)


class Progress:
    """`asked 3 of 10 articles` on a terminal's stderr, rewritten in place and wiped at the end; nothing when
    stderr is not a terminal (a log) or there is only one article."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self._stream = stream
        self._total = total
        self._done = 0
        self._shown = total > 1 and stream.isatty()

    def step(self) -> None:
        self._done += 1
        if self._shown:
            self._stream.write(f"\r  asked {self._done} of {self._total} articles")
            self._stream.flush()

    def finish(self) -> None:
        if self._shown and self._done:
            self._stream.write("\r" + " " * 40 + "\r")
            self._stream.flush()


async def views(
    service: PageviewsService,
    titles: Sequence[str],
    project: str,
    periods: RangeArgs,
    access: str,
    agent: str,
    redirects: str,
    output: str,
    out: TextIO,
    err: TextIO,
) -> int:
    parsed_project = Project.parse_one(project, "articles' views")
    parsed = Access.parse(access), Agent.parse(agent), RedirectsChoice.parse(redirects)
    asked = periods.periods(service.today())
    progress = Progress(err, len(titles))
    results: list[Series | PageviewsError] = []
    for start in range(0, len(titles), MAX_BATCH):
        chunk = titles[start : start + MAX_BATCH]
        results += await service.batch(parsed_project, chunk, asked, *parsed, done=progress.step)
    progress.finish()
    failed = [(title, r) for title, r in zip(titles, results, strict=True) if isinstance(r, PageviewsError)]
    for title, error in failed:
        err.write(message(error, title) + "\n")
    found = [
        (title, SeriesOut.of(r)) for title, r in zip(titles, results, strict=True) if isinstance(r, Series)
    ]
    if len(titles) > 1 and output != "table":
        # The batch endpoint's answer, whatever failed: a script gets the same shape every time.
        answer = _batch(titles, results)
        out.write(_json.encode(answer).decode() + "\n" if output == "json" else _batch_csv(answer))
    elif found:
        single = found[0][1]
        if output == "json":
            out.write(_json.encode(single).decode() + "\n")
        else:
            out.write(csv_text(*series_table(single)) if output == "csv" else _series_text(found))
    return min((exit_code(error) for _, error in failed), key=SEVERITY.index, default=EXIT_OK)


def _batch(titles: Sequence[str], results: Sequence[Series | PageviewsError]) -> BatchOut:
    return BatchOut(
        [
            BatchResult(title, problem=problem_of(r))
            if isinstance(r, PageviewsError)
            else BatchResult(title, SeriesOut.of(r))
            for title, r in zip(titles, results, strict=True)
        ]
    )


def _batch_csv(answer: BatchOut) -> str:
    """The batch endpoint's CSV: a row per article and period, a row per article that failed."""
    return csv_text(BATCH_HEADER, [row for result in answer.results for row in batch_rows(result)])


def _series_text(found: Sequence[tuple[str, SeriesOut]]) -> str:
    periods = sorted({item.period for _, series in found for item in series.items})
    cells = [{item.period: item for item in series.items} for _, series in found]
    rows = [
        [period, *(_count(c[period].views, c[period].complete) if period in c else "-" for c in cells)]
        for period in periods
    ]
    rows.append(["total", *(_count(s.total, True) for _, s in found)])
    header = ["period", *(_heading(title, s) for title, s in found)]
    unsettled = any(not item.complete for _, s in found for item in s.items)
    note = "* not final yet: Wikimedia may still be counting these periods\n" if unsettled else ""
    return aligned(header, rows) + note


def _heading(title: str, series: SeriesOut) -> str:
    page = series.page
    if not isinstance(page, msgspec.UnsetType) and page.redirected_from:
        return f"{series.article} (from {page.redirected_from})"
    return series.article


def _count(views: int, complete: bool) -> str:
    return f"{views:,}" + ("" if complete else "*")


async def top(
    service: PageviewsService,
    project: str,
    month: str,
    access: str,
    limit: str,
    output: str,
    out: TextIO,
) -> int:
    found = await service.top(
        Project.parse_one(project, "top articles"),
        Access.parse(access),
        Month.parse(month),
        parse_limit(limit),
    )
    answer = TopOut.of(found)
    if output == "json":
        out.write(_json.encode(answer).decode() + "\n")
    elif output == "csv":
        out.write(csv_text(*top_table(answer)))
    else:
        header, rows = top_table(answer)
        out.write(aligned(header, [[f"{r[0]}", r[1], f"{r[2]:,}"] for r in rows]))
    return EXIT_OK


async def langviews(
    service: PageviewsService,
    title: str,
    project: str,
    periods: RangeArgs,
    access: str,
    agent: str,
    output: str,
    out: TextIO,
    err: TextIO,
) -> int:
    parsed_project = Project.parse_one(project, "articles' views")
    query = ArticleQuery(
        parsed_project, Article.parse(title, parsed_project), Access.parse(access), Agent.parse(agent)
    )
    found = await service.language_views(query, periods.periods(service.today()))
    failed = [row.error for row in found.rows if row.error is not None]
    answer = LanguageViewsOut.of(found)
    for row in answer.languages:
        if row.problem is not None:
            err.write(f"pageviews: {row.lang} ({row.title}): {row.problem.detail} ({row.problem.code})\n")
    if output == "json":
        out.write(_json.encode(answer).decode() + "\n")
    elif output == "csv":
        out.write(csv_text(*languages_table(answer)))
    else:
        out.write(_languages_text(answer))
    return min((exit_code(error) for error in failed), key=SEVERITY.index, default=EXIT_OK)


def _languages_text(answer: LanguageViewsOut) -> str:
    header, rows = languages_table(answer)
    header = header[:4]  # a language's problem is on stderr
    shown = [[*row[:3], "-" if row[3] == "" else f"{row[3]:,}"] for row in rows]
    shown.append(["total", "", "", f"{answer.total:,}"])
    redirected = f" (redirected from {answer.redirected_from})" if answer.redirected_from else ""
    return f"{answer.article}{redirected}, {answer.from_} to {answer.to}\n" + aligned(header, shown)


def aligned(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell: text to the left, numbers to the right."""
    texts = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[n]) for row in texts) for n in range(len(header))]
    right = [all(_numeric(row[n]) for row in texts[1:]) for n in range(len(header))]
    lines = [
        "  ".join(
            cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(row, widths, right, strict=True)
        )
        for row in texts
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _numeric(cell: str) -> bool:
    return cell in {"-", ""} or cell.rstrip("*").replace(",", "").isdigit()
