"""`pageviews` on the command line: its version, help that shows the defaults and where the settings are
documented, and a refusal (message, non-zero exit) before granian starts whenever it could not serve."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from importlib.metadata import version

import pytest

from pageviews.adapters.inbound import cli
from pageviews.settings import SETTINGS_DOCS, defaults


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No `PAGEVIEWS_*` of the machine's leaks into a test."""
    for name in [name for name in os.environ if name.startswith("PAGEVIEWS_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def listener() -> Iterator[int]:
    """A port some other server listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def output_of(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        cli.main(list(argv))
    code = exited.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().out


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert (0, f"pageviews {version('pageviews')}\n") == output_of(capsys, "--version")


def test_help_says_where_the_settings_are_documented(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = output_of(capsys, "--help")
    assert 0 == code
    assert SETTINGS_DOCS in text
    assert "serve" in text


def test_serve_help_shows_the_flags_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    _, text = output_of(capsys, "serve", "--help")
    assert "(default: 127.0.0.1)" in text
    assert "(default: 8000)" in text
    assert "PAGEVIEWS_WORKERS" in text


def test_serve_help_lists_every_setting_with_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    _, text = output_of(capsys, "serve", "--help")
    rows = {
        line.split()[0]: line.split(maxsplit=1)[1]
        for line in text.splitlines()
        if line.startswith("  PAGEVIEWS_")
    }
    assert defaults().keys() == rows.keys()
    assert ("48", "10000/second", "(empty)") == (
        rows["PAGEVIEWS_SETTLE_HOURS"],
        rows["PAGEVIEWS_RATE_LIMIT"],
        rows["PAGEVIEWS_REDIS_URL"],
    )
    assert SETTINGS_DOCS in text


@pytest.mark.usefixtures("clean_environment")
def test_an_invalid_setting_stops_serve_with_exit_2_and_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAGEVIEWS_WIKIMEDIA_URL", "localhost:18080/api/rest_v1")
    assert cli.EXIT_SETTINGS == cli.main(["serve"])
    assert "PAGEVIEWS_WIKIMEDIA_URL='localhost:18080/api/rest_v1'" in capsys.readouterr().err


@pytest.mark.usefixtures("clean_environment")
def test_serve_refuses_a_port_another_server_listens_on_with_exit_1(
    listener: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.EXIT_UNAVAILABLE == cli.main(["serve", "--port", str(listener)])
    assert f"cannot serve on 127.0.0.1:{listener}: the address is already in use" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--port", "0"), ("--port", "65536"), ("--port", "http"), ("--workers", "0"), ("--workers", "-1")],
)
def test_serve_refuses_a_flag_out_of_its_range_with_usage_exit_2(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", flag, value])
    assert 2 == exited.value.code
    assert f"{flag}: expected an integer from" in capsys.readouterr().err
