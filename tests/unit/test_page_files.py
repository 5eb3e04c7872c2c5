"""The page's files as shipped: each vendored library is the file its record names (version and checksum),
with its licence beside it, and the page loads exactly that version; gzip is sent only where it is welcome."""

from __future__ import annotations

import hashlib
import re

import pytest

from pageviews.adapters.inbound.http.page import STATIC, accepts_gzip

VENDOR = STATIC / "vendor"
RECORD = (VENDOR / "README.md").read_text()
ROWS = re.findall(r"\| (\d+\.\d+\.\d+) \| `([^`]+)` \| `([0-9a-f]{64})` \|", RECORD)


def test_every_vendored_library_is_recorded() -> None:
    folders = {path.name for path in VENDOR.iterdir() if path.is_dir()}
    assert folders == {file.split("/")[0] for _, file, _ in ROWS}


@pytest.mark.parametrize(("version", "file", "sha256"), ROWS)
def test_a_vendored_file_is_the_recorded_version_with_its_licence(
    version: str, file: str, sha256: str
) -> None:
    path = VENDOR / file
    body = path.read_bytes()
    assert sha256 == hashlib.sha256(body).hexdigest()
    assert path.parent.name.endswith(f"-{version}")
    assert f" v{version}".encode() in body[:200]
    assert (path.parent / "LICENSE.md").is_file()


def test_the_page_loads_the_recorded_chart_library() -> None:
    (_, file, _) = next(row for row in ROWS if row[1].startswith("chart.js-"))
    assert f'src="/static/vendor/{file}"' in (STATIC / "index.html").read_text()


@pytest.mark.parametrize(
    ("header", "welcome"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0", False),
        ("identity", False),
        ("", False),
        ("gzip;q=abc", False),
    ],
)
def test_gzip_is_welcome_when_listed_without_q_0(header: str, welcome: bool) -> None:
    assert welcome == accepts_gzip(header)
