"""`pageviews views`, `top` and `langviews`: the API's use cases on the command line, wired by the same
container (its cache in a file), answering with the API's own CSV, JSON and messages, and exit codes by kind.
Each run builds a fresh container, as each command is a new process."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from pageviews import console
from pageviews.adapters.inbound import cli, commands
from pageviews.application.use_cases import Services
from pageviews.containers import command_services
from tests.support.app import container_for, settings_from_env
from tests.support.fake_mediawiki import FakeMediaWiki
from tests.support.fake_wikimedia import Canned, FakeWikimedia
from tests.support.server_process import environment

MONTHS = {dt.date(2023, 10, 1): 631_058, dt.date(2023, 11, 1): 598_000, dt.date(2023, 12, 1): 540_321}
RANGE = ["--from", "2023-10", "--to", "2023-12"]


@pytest.fixture(autouse=True)
def seeded(fake: FakeWikimedia) -> None:
    for month, views in MONTHS.items():
        fake.add_month("Albert_Einstein", month, views)
        fake.add_month("Marie_Curie", month, views // 3)
    fake.top[("en.wikipedia", "all-access", "2023", "10")] = [
        {"article": "Main_Page", "views": 9_000_000, "rank": 1},
        {"article": "Albert_Einstein", "views": 631_058, "rank": 2},
    ]


@pytest.fixture
def cache_file(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "cli.sqlite3"


@pytest.fixture
def run(fake: FakeWikimedia, cache_file: Path) -> Callable[..., tuple[int, str, str]]:
    """Runs `pageviews ARGS...` against `fake`, with a fresh container each time and the cache in
    `cache_file`; returns the exit code, stdout and stderr."""

    def run_command(
        *argv: str, mediawiki: FakeMediaWiki | None = None, **environment: str
    ) -> tuple[int, str, str]:
        settings = settings_from_env(PAGEVIEWS_CLI_CACHE_PATH=str(cache_file), **environment)
        wikis = None if mediawiki is None else mediawiki.transport()

        def services() -> AbstractAsyncContextManager[Services]:
            return command_services(container_for(fake.transport(), settings=settings, mediawiki=wikis))

        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(list(argv), services=services)
        return code, out.getvalue(), err.getvalue()

    return run_command


def test_views_of_two_articles_is_a_table_of_periods_with_totals(run: Callable[..., Any]) -> None:
    code, out, err = run("views", "Albert_Einstein", "Marie Curie", *RANGE)
    assert (0, "") == (code, err)
    assert [
        "period   Albert_Einstein  Marie_Curie",
        "2023-10          631,058      210,352",
        "2023-11          598,000      199,333",
        "2023-12          540,321      180,107",
        "total          1,769,379      589,792",
    ] == out.splitlines()


def test_a_count_that_is_not_final_is_marked(run: Callable[..., Any], fake: FakeWikimedia) -> None:
    fake.add_day("Albert_Einstein", dt.date(2024, 1, 14), 20_000)
    _, out, _ = run("views", "Albert_Einstein", "--from", "2024-01-14", "--granularity", "daily")
    assert "2024-01-14          20,000*" == out.splitlines()[1]
    assert "* not final yet" in out


def test_views_as_csv_is_the_apis_csv(run: Callable[..., Any], client: TestClient[Any]) -> None:
    _, out, _ = run("views", "Albert_Einstein", *RANGE, "--format", "csv")
    api = client.get("/v1/pageviews/en.wikipedia/Albert_Einstein?from=2023-10&to=2023-12&format=csv")
    assert api.text == out


def test_views_of_several_as_csv_has_a_row_per_article_and_period(run: Callable[..., Any]) -> None:
    _, out, _ = run("views", "Albert_Einstein", "Marie_Curie", "--from", "2023-10", "--format", "csv")
    assert (
        "article,period,views,problem\r\nAlbert_Einstein,2023-10,631058,\r\nMarie_Curie,2023-10,210352,\r\n"
        == out
    )


def test_views_of_several_as_csv_is_the_batch_endpoints_csv_even_when_all_but_one_fail(
    run: Callable[..., Any], client: TestClient[Any]
) -> None:
    """A script reading the CSV gets the same columns however many of its titles failed."""
    titles = ["Albert_Einstein", "Bad|Title"]
    code, out, _ = run("views", *titles, "--from", "2023-10", "--format", "csv")
    api = client.post("/v1/pageviews/batch?format=csv", json={"articles": titles, "from": "2023-10"})
    assert (2, api.text) == (code, out)
    assert "Bad|Title,,,invalid_title\r\n" in out


def test_views_as_json_is_the_apis_json(run: Callable[..., Any], client: TestClient[Any]) -> None:
    _, out, _ = run("views", "Albert_Einstein", *RANGE, "--format", "json")
    api = client.get("/v1/pageviews/en.wikipedia/Albert_Einstein?from=2023-10&to=2023-12")
    assert api.json() == json.loads(out)


def test_views_of_several_as_json_is_the_batch_endpoints_json(
    run: Callable[..., Any], client: TestClient[Any]
) -> None:
    titles = ["Albert_Einstein", "Bad|Title"]
    code, out, _ = run("views", *titles, "--from", "2023-10", "--format", "json")
    api = client.post("/v1/pageviews/batch", json={"articles": titles, "from": "2023-10"})
    assert (2, api.json()) == (code, json.loads(out))


def test_a_bad_title_exits_2_with_the_apis_message(run: Callable[..., Any], client: TestClient[Any]) -> None:
    code, out, err = run("views", "Bad|Title", "--from", "2023-10")
    detail = client.get("/v1/pageviews/en.wikipedia/Bad|Title?from=2023-10").json()["detail"]
    assert (2, "", f"pageviews: Bad|Title: {detail} (invalid_title)\n") == (code, out, err)


def test_no_data_exits_3(run: Callable[..., Any]) -> None:
    code, _, err = run("views", "Nobody_Here", "--from", "2023-10")
    assert (3, True) == (code, "(no_data)" in err)


def test_an_upstream_failure_exits_4(run: Callable[..., Any], fake: FakeWikimedia) -> None:
    fake.fail_next(Canned(500, b"oops"))
    code, _, err = run("views", "Albert_Einstein", "--from", "2023-10")
    assert (4, True) == (code, "(upstream_error)" in err)


def test_a_bad_input_outranks_the_other_failures_and_the_rest_is_still_shown(run: Callable[..., Any]) -> None:
    code, out, err = run("views", "Nobody_Here", "Bad|Title", "Albert_Einstein", "--from", "2023-10")
    assert 2 == code
    assert "631,058" in out
    assert ["Nobody_Here", "Bad|Title"] == [line.split(": ")[1] for line in err.splitlines()]


def test_an_upstream_failure_outranks_no_data(run: Callable[..., Any], fake: FakeWikimedia) -> None:
    """Worth retrying: the exit code says so even when another article simply has no data."""
    fake.poisoned["Albert_Einstein"] = Canned(500, b"oops")
    code, _, _ = run("views", "Nobody_Here", "Albert_Einstein", "--from", "2023-10")
    assert 4 == code


def test_a_bad_project_exits_2_before_anything_is_asked(run: Callable[..., Any], fake: FakeWikimedia) -> None:
    code, _, err = run("views", "Albert_Einstein", "--project", "no project!", "--from", "2023-10")
    assert (2, True, []) == (code, "(invalid_project)" in err, fake.requests)


def test_an_invalid_setting_exits_2_and_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the console script runs it: the container reads the settings when the command opens it."""
    monkeypatch.setenv("PAGEVIEWS_CLI_CACHE_MIB", "lots")
    code = console.main(["views", "Albert_Einstein"])
    assert (2, True) == (code, "PAGEVIEWS_CLI_CACHE_MIB='lots'" in capsys.readouterr().err)


def test_a_repeated_command_does_not_ask_wikimedia_again(
    run: Callable[..., Any], fake: FakeWikimedia
) -> None:
    first = run("views", "Albert_Einstein", "Marie_Curie", *RANGE)
    asked = len(fake.requests)
    again = run("views", "Albert_Einstein", "Marie_Curie", *RANGE)
    assert (2, first) == (asked, again)
    assert 2 == len(fake.requests)


def test_without_a_cache_file_every_command_asks_wikimedia(
    run: Callable[..., Any], fake: FakeWikimedia, cache_file: Path
) -> None:
    run("views", "Albert_Einstein", *RANGE, PAGEVIEWS_CLI_CACHE_MIB="0")
    run("views", "Albert_Einstein", *RANGE, PAGEVIEWS_CLI_CACHE_MIB="0")
    assert (2, False) == (len(fake.requests), cache_file.exists())


def test_without_from_monthly_views_are_the_last_12_months(run: Callable[..., Any]) -> None:
    _, out, _ = run("views", "Albert_Einstein", "--format", "json")
    answer = json.loads(out)
    assert ("2023-02", "2024-01") == (answer["from"], answer["to"])


def test_without_from_daily_views_are_the_30_days_up_to_yesterday(
    run: Callable[..., Any], fake: FakeWikimedia
) -> None:
    fake.add_day("Albert_Einstein", dt.date(2024, 1, 1), 5)
    _, out, _ = run("views", "Albert_Einstein", "--granularity", "daily", "--format", "json")
    answer = json.loads(out)
    assert ("2023-12-16", "2024-01-14") == (answer["from"], answer["to"])


def test_top_is_a_table_and_the_apis_csv_and_json(run: Callable[..., Any], client: TestClient[Any]) -> None:
    _, table, _ = run("top", "en.wikipedia", "2023-10")
    _, csv, _ = run("top", "en.wikipedia", "2023-10", "--format", "csv")
    _, answer, _ = run("top", "en.wikipedia", "2023-10", "--format", "json")
    api = "/v1/top/en.wikipedia/2023-10"
    assert ["rank  article              views", "   1  Main_Page        9,000,000"] == table.splitlines()[:2]
    assert (client.get(f"{api}?format=csv").text, client.get(api).json()) == (csv, json.loads(answer))


def test_top_of_a_month_not_complete_exits_2(run: Callable[..., Any]) -> None:
    code, _, err = run("top", "en.wikipedia", "2024-01")
    assert (2, True) == (code, "(month_not_complete)" in err)


def test_langviews_is_the_apis_answer(run: Callable[..., Any], fake: FakeWikimedia) -> None:
    wikis = FakeMediaWiki()
    wikis.add_page("Albert_Einstein")
    wikis.add_page("Albert_Einstein", host="de.wikipedia.org")
    wikis.add_language_link(
        "Albert_Einstein", "de", "https://de.wikipedia.org/wiki/Albert_Einstein", "Albert_Einstein"
    )
    fake.add_month("Albert_Einstein", dt.date(2023, 10, 1), 200_000, project="de.wikipedia")
    code, out, _ = run(
        "langviews", "Albert_Einstein", "--from", "2023-10", "--format", "json", mediawiki=wikis
    )
    answer = json.loads(out)
    assert (0, 831_058) == (code, answer["total"])
    assert [("en", 631_058), ("de", 200_000)] == [(row["lang"], row["views"]) for row in answer["languages"]]
    _, table, _ = run("langviews", "Albert_Einstein", "--from", "2023-10", mediawiki=wikis)
    assert "total                                 831,058" == table.splitlines()[-1]


def test_langviews_with_a_language_not_loaded_yet_exits_as_no_data(
    run: Callable[..., Any], fake: FakeWikimedia
) -> None:
    wikis = FakeMediaWiki()
    wikis.add_page("Albert_Einstein")
    wikis.add_language_link(
        "Albert_Einstein", "de", "https://de.wikipedia.org/wiki/Albert_Einstein", "Albert_Einstein"
    )
    fake.add_month("Albert_Einstein", dt.date(2024, 1, 1), 1_000)
    code, _, err = run("langviews", "Albert_Einstein", "--from", "2024-01", mediawiki=wikis)
    assert (3, True) == (code, "(no_data)" in err)


def test_progress_is_shown_on_a_terminal_and_wiped(fake: FakeWikimedia, cache_file: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    out = io.StringIO()
    settings = settings_from_env(PAGEVIEWS_CLI_CACHE_PATH=str(cache_file))

    async def views() -> int:
        async with command_services(container_for(fake.transport(), settings=settings)) as services:
            periods = commands.RangeArgs("2023-10", None, "monthly")
            titles = ["Albert_Einstein", "Marie_Curie"]
            return await commands.views(
                services.pageviews,
                titles,
                "en.wikipedia",
                periods,
                "all-access",
                "user",
                "exact",
                "table",
                out,
                err,
            )

    assert 0 == asyncio.run(views())
    assert "\r  asked 1 of 2 articles\r  asked 2 of 2 articles\r" in err.getvalue()
    assert err.getvalue().endswith("\r")


def test_progress_is_not_written_where_stderr_is_no_terminal() -> None:
    stream = io.StringIO()
    progress = commands.Progress(stream, 10)
    progress.step()
    progress.finish()
    assert "" == stream.getvalue()


def test_columns_of_numbers_are_aligned_right_and_text_left() -> None:
    assert "a    n\nbb  10\n" == commands.aligned(["a", "n"], [["bb", "10"]])


@pytest.mark.slow
def test_the_installed_command_answers_twice_and_asks_wikimedia_once(
    fake: FakeWikimedia, cache_file: Path
) -> None:
    """`python -m pageviews` as a person runs it, against the fake Wikimedia over HTTP, twice: the second run
    is answered from the cache file (observed at the fake)."""
    fake.add_day("Albert_Einstein", dt.date(2023, 10, 5), 4_321)
    argv = [
        sys.executable,
        "-m",
        "pageviews",
        "views",
        "Albert_Einstein",
        "--from",
        "2023-10-05",
        "--granularity",
        "daily",
    ]
    with fake.serve() as upstream:
        env = environment(
            PAGEVIEWS_WIKIMEDIA_URL=upstream,
            PAGEVIEWS_MEDIAWIKI_URL="",
            PAGEVIEWS_CLI_CACHE_PATH=str(cache_file),
        )
        runs = [subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60) for _ in range(2)]
    assert [
        (0, "period      Albert_Einstein\n2023-10-05            4,321\ntotal                 4,321\n")
    ] * 2 == [(r.returncode, r.stdout) for r in runs]
    assert 1 == len(fake.requests)
