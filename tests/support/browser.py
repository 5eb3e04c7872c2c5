"""A real browser for the page's tests and the README's screenshot: Debian's chromium driven by Playwright
(its own browser download is never used), and a fake Wikimedia seeded with plausible numbers for a few
articles, relative to today, since the real server process runs on the real clock."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Playwright

from tests.support.fake_mediawiki import FakeMediaWiki
from tests.support.fake_wikimedia import FakeWikimedia

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
HEADLESS_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

DEMO_ARTICLES = {"Albert_Einstein": 21_000, "Marie_Curie": 9_500, "Isaac_Newton": 12_500}
"""Titles and their typical daily views (humans, all platforms), on en.wikipedia."""
DEMO_REDIRECTS = {"Einstein": ("Albert_Einstein", 300)}
"""Redirects, their page and their typical daily views."""
DEMO_LANGUAGES = {
    "Albert_Einstein": [
        ("de", "de.wikipedia", "Albert_Einstein", 6_000),
        ("fr", "fr.wikipedia", "Albert_Einstein", 3_800),
        ("ja", "ja.wikipedia", "アルベルト・アインシュタイン", 2_500),
        ("gsw", "als.wikipedia", "Albert_Einstein", 12),
    ]
}
"""Each article's other languages: the wiki's code, its project, the title there, typical daily views."""
PLATFORM_SHARES = {"desktop": 0.4, "mobile-web": 0.55, "mobile-app": 0.05}


def chromium_path() -> Path | None:
    """The system's chromium (`PAGEVIEWS_TEST_CHROMIUM` names another)."""
    named = os.environ.get("PAGEVIEWS_TEST_CHROMIUM")
    if named:
        return Path(named)
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    return Path(found) if found else None


def launch(playwright: Playwright, executable: Path) -> Browser:
    return playwright.chromium.launch(executable_path=executable, headless=True, args=HEADLESS_FLAGS)


def daily_views(title: str, typical: int, day: dt.date) -> int:
    """A day's views: the typical level, a weekly rhythm, noise, and one burst (the same on every run)."""
    noise = random.Random(f"{title}|{day.isoformat()}").uniform(0.85, 1.15)
    weekly = 1.0 - 0.12 * (day.weekday() >= 5)
    burst = 1.0 + 1.8 * max(0.0, 1.0 - abs((day.toordinal() + len(title) * 37) % 97 - 48) / 4)
    return round(typical * noise * weekly * burst)


def seed_demo(fake: FakeWikimedia, today: dt.date, days: int = 800) -> None:
    """Every demo article's daily views for `days` days up to yesterday, on all platforms and on each (so
    monthly sums are the fake's own, as Wikimedia's are), its redirects' and other languages' views, and top
    lists of the months before."""
    counted = [
        *((title, "en.wikipedia", typical) for title, typical in DEMO_ARTICLES.items()),
        *((title, "en.wikipedia", typical) for title, (_, typical) in DEMO_REDIRECTS.items()),
        *(
            (title, project, typical)
            for rows in DEMO_LANGUAGES.values()
            for _, project, title, typical in rows
        ),
    ]
    for title, project, typical in counted:
        for offset in range(1, days + 1):
            day = today - dt.timedelta(days=offset)
            views = daily_views(title, typical, day)
            fake.add_day(title, day, views, project=project)
            for access, share in PLATFORM_SHARES.items():
                fake.add_day(title, day, round(views * share), project=project, access=access)
    month = today.replace(day=1)
    for _ in range(days // 31):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        ranked = sorted(
            [
                ("Main_Page", 180_000_000),
                ("Special:Search", 25_000_000),
                *((title, typical * 30) for title, typical in DEMO_ARTICLES.items()),
            ],
            key=lambda pair: -pair[1],
        )
        fake.top[("en.wikipedia", "all-access", f"{month.year}", f"{month.month:02d}")] = [
            {"article": title, "views": views, "rank": rank} for rank, (title, views) in enumerate(ranked, 1)
        ]


def seed_demo_wikis(wikis: FakeMediaWiki) -> None:
    """The demo articles as pages of en.wikipedia, their redirects, and their language links."""
    for title in DEMO_ARTICLES:
        wikis.add_page(title)
    for title, (target, _) in DEMO_REDIRECTS.items():
        wikis.add_redirect(title, target)
    for title, rows in DEMO_LANGUAGES.items():
        for lang, project, linked, _ in rows:
            wikis.add_page(linked, host=f"{project}.org")
            wikis.add_language_link(title, lang, f"https://{project}.org/wiki/{linked}", linked)
