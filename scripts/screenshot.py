#!/usr/bin/env python3
"""Takes docs/page.png, the README's picture of the page at `/`: the real server process in front of the tests'
fake Wikimedia and fake MediaWiki over HTTP (seeded with the demo articles, up to yesterday), photographed by
Debian's chromium through Playwright, as the browser tests drive it. Nothing leaves the machine.

    uv run python scripts/screenshot.py [--out docs/page.png] [--width 1200] [--height 1240] [--view FRAGMENT]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.support.browser import chromium_path, launch, seed_demo, seed_demo_wikis  # noqa: E402
from tests.support.fake_mediawiki import FakeMediaWiki  # noqa: E402
from tests.support.fake_wikimedia import FakeWikimedia  # noqa: E402
from tests.support.server_process import running_server  # noqa: E402

VIEW = "#view=compare&article=Albert_Einstein&article=Marie_Curie&article=Isaac_Newton&range=last-12-months"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "page.png")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1240)
    parser.add_argument("--view", default=VIEW, help="the URL fragment to show (default: three articles)")
    args = parser.parse_args()
    executable = chromium_path()
    if executable is None:
        print("no chromium: apt-get install chromium (or set PAGEVIEWS_TEST_CHROMIUM)", file=sys.stderr)
        return 1
    fake, wikis = FakeWikimedia(), FakeMediaWiki()
    seed_demo(fake, dt.datetime.now(dt.UTC).date())
    seed_demo_wikis(wikis)
    with tempfile.TemporaryDirectory() as scratch, fake.serve() as upstream, wikis.serve() as mediawiki:
        settings = {"PAGEVIEWS_WIKIMEDIA_URL": upstream, "PAGEVIEWS_MEDIAWIKI_URL": mediawiki}
        with (
            running_server(Path(scratch) / "server.log", settings) as server,
            sync_playwright() as playwright,
        ):
            browser = launch(playwright, executable)
            page = browser.new_page(
                viewport={"width": args.width, "height": args.height}, reduced_motion="reduce"
            )
            page.goto(f"{server.base_url}/{args.view}")
            page.locator("section.view:not([hidden]) .results:not([hidden]):not([aria-busy])").wait_for()
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out)
            browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
