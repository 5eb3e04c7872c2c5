"""The README's examples are true of the code: every `curl` of its Examples section, run against the real server
process in front of a fake Wikimedia that has the data, is answered with success, and the output the README
shows under a command is what the server sends (JSON equal; text line by line, `...` ending a line where the
README leaves the rest out)."""

from __future__ import annotations

import datetime as dt
import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.fake_mediawiki import FakeMediaWiki
from tests.support.fake_wikimedia import FakeWikimedia
from tests.support.server_process import ServerProcess, running_server

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[2] / "README.md"
README_HOST = "localhost:8000"


@dataclass(frozen=True)
class Example:
    command: str
    shown: tuple[str, ...]
    """The output the README shows right under the command (comment lines), if any."""

    def request(self, base_url: str) -> httpx.Request:
        words = shlex.split(self.command)
        assert "curl" == words.pop(0)
        method, headers, data, url = "GET", {}, None, ""
        while words:
            word = words.pop(0)
            if word == "-s":
                continue
            if word == "-X":
                method = words.pop(0)
            elif word == "-H":
                name, _, value = words.pop(0).partition(": ")
                headers[name] = value
            elif word == "-d":
                data = words.pop(0).encode()
                method = "POST" if method == "GET" else method
            else:
                assert word.startswith(README_HOST), f"an example the test cannot run: {self.command}"
                url = base_url + word.removeprefix(README_HOST)
        return httpx.Request(method, url, headers=headers, content=data)


def examples() -> list[Example]:
    text = README.read_text()
    section = text[text.index("\n## Examples\n") :]
    block = section[section.index("```sh\n") + 6 : section.index("\n```\n")]
    found: list[Example] = []
    lines = block.splitlines()
    while lines:
        line = lines.pop(0)
        if not line.startswith("curl "):
            continue
        while line.endswith("\\"):
            line = line[:-1] + lines.pop(0).strip()
        shown = []
        while lines and lines[0].startswith(
            "# "
        ):  # output follows its command; a description follows a blank
            shown.append(lines.pop(0)[2:].strip())
        found.append(Example(line, tuple(shown)))
    return found


EXAMPLES = examples()


def seed(fake: FakeWikimedia) -> None:
    """What Wikimedia would have for the examples: Albert Einstein's 2023 by agent and by day, a few other
    titles, Berlin by platform, October's top list."""
    agents = {"user": 520_000, "spider": 90_000, "automated": 21_058}
    for month in range(1, 13):
        first = dt.date(2023, month, 1)
        for agent, views in agents.items():
            fake.add_month("Albert_Einstein", first, views + month, agent=agent)
        fake.add_month("Albert_Einstein", first, sum(agents.values()) + 3 * month, agent="all-agents")
    fake.monthly[("en.wikipedia", "all-access", "all-agents", "Albert_Einstein")][dt.date(2023, 10, 1)] = (
        631058
    )
    for day in range(1, 32):
        fake.add_day("Albert_Einstein", dt.date(2023, 10, day), 15_000 + day)
    for month in (1, 2, 3):
        fake.add_month("AC/DC", dt.date(2023, month, 1), 80_000 + month)
    fake.add_month("Fahrenheit_9/11", dt.date(2023, 1, 1), 23_456, agent="all-agents")
    for access, views in {"desktop": 61_000, "mobile-web": 98_000, "mobile-app": 4_000}.items():
        fake.add_month("Berlin", dt.date(2023, 1, 1), views, project="de.wikipedia", access=access)
    fake.add_month("Berlin", dt.date(2023, 1, 1), 163_000, project="de.wikipedia")
    for month in range(1, 13):
        fake.add_month("Einstein", dt.date(2023, month, 1), 8_000 + month)
        fake.add_month("Albert_Einstein", dt.date(2023, month, 1), 90_000 + month, project="de.wikipedia")
    fake.top[("en.wikipedia", "all-access", "2023", "10")] = [
        {"article": title, "views": 9_000_000 // rank, "rank": rank}
        for rank, title in enumerate(["Main_Page", "Special:Search", "Albert_Einstein"], start=1)
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    fake = FakeWikimedia()
    seed(fake)
    log = tmp_path_factory.mktemp("readme") / "server.log"
    with (
        fake.serve() as wikimedia_url,
        wiki().serve() as mediawiki_url,
        running_server(
            log, {"PAGEVIEWS_WIKIMEDIA_URL": wikimedia_url, "PAGEVIEWS_MEDIAWIKI_URL": mediawiki_url}
        ) as server,
    ):
        yield server


def wiki() -> FakeMediaWiki:
    """What the wikis would say for the examples: Albert Einstein and two redirects to it, its German page."""
    wiki = FakeMediaWiki()
    for host, title in (("en.wikipedia.org", "Albert Einstein"), ("de.wikipedia.org", "Albert Einstein")):
        wiki.add_page(title, host=host)
    wiki.add_redirect("Einstein", "Albert Einstein")
    wiki.add_redirect("Albert einstein", "Albert Einstein")
    wiki.add_language_link(
        "Albert Einstein", "de", "https://de.wikipedia.org/wiki/Albert_Einstein", "Albert Einstein"
    )
    for host, title in (
        ("en.wikipedia.org", "AC/DC"),
        ("en.wikipedia.org", "Fahrenheit 9/11"),
        ("de.wikipedia.org", "Berlin"),
    ):
        wiki.add_page(title, host=host)
    return wiki


def test_the_readme_has_examples_and_shows_the_output_of_the_first() -> None:
    assert len(EXAMPLES) >= 10
    assert EXAMPLES[0].shown


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[e.command.split("localhost:8000")[1][:60] for e in EXAMPLES]
)
def test_a_readme_example_is_answered_as_the_readme_shows(server: ServerProcess, example: Example) -> None:
    with httpx.Client(timeout=30.0) as client:
        response = client.send(example.request(server.base_url))
    shown_json = (
        json.loads("".join(example.shown)) if example.shown and example.shown[0].startswith("{") else None
    )
    # An example of an error shows the problem it is answered with, status included.
    expected_status = shown_json.get("status", 200) if isinstance(shown_json, dict) else 200
    assert expected_status == response.status_code, response.text
    if shown_json is not None:
        assert shown_json == response.json()
        return
    if not example.shown:
        return
    actual = response.text.splitlines()
    for shown, line in zip(example.shown, actual, strict=False):
        assert line.startswith(shown.removesuffix("...")) if shown.endswith("...") else shown == line
    assert len(example.shown) <= len(actual)
