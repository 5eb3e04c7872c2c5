"""The domain's input rules as the OpenAPI document states them: JSON Schema patterns (ECMA-262, without
lookarounds, so that clients and test generators can use them) for projects, titles, months and days.

Every string a pattern matches is one the domain accepts (tests/unit/test_patterns.py generates them to check).
Where the domain's rule cannot be written as a pattern, the pattern is the part of it that can: a title pattern
is a common subset (letters, digits, `(),'!:_-` and single spaces, dots and slashes between them; the service
takes any title MediaWiki allows), and "not in the future" and the order and length of a range are stated in the
descriptions, since they depend on today and on two parameters at once."""

from __future__ import annotations

_LABEL = "[A-Za-z0-9][A-Za-z0-9_-]{0,62}"
PROJECT = f"^(?:[Ww][Ww][Ww]\\.)?{_LABEL}(?:\\.{_LABEL}){{0,2}}(?:\\.[Oo][Rr][Gg])?$"
"""`en.wikipedia`, `commons.wikimedia`, `mediawiki`; `www.` and `.org` may be added, and case is ignored."""

_LETTERS = "A-Za-z0-9(),'!:\\-\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0391-\u03a9\u03b1-\u03c9\u0410-\u044f"
_WORD = f"_{{0,3}}[{_LETTERS}][{_LETTERS}_]{{0,36}}"
"""Letters and underscores (which MediaWiki reads as spaces), with at least one that is not an underscore."""
TITLE_TEXT = f"{_WORD}(?:[ ./]{_WORD}){{0,2}}"
"""At most 122 characters of at most 2 bytes each in UTF-8, so always within MediaWiki's 255 bytes."""
TITLE = f"^{TITLE_TEXT}$"

_YEAR = "20(?:1[6-9]|[2-9][0-9])"
_MONTH_OF_YEAR = "(?:0[1-9]|1[0-2])"
MONTH_TEXT = f"(?:2015-(?:0[7-9]|1[0-2])|{_YEAR}-{_MONTH_OF_YEAR})"
"""`YYYY-MM` from July 2015, where Wikimedia's per-article data starts (and not in the future)."""
MONTH = f"^{MONTH_TEXT}$"

_LEAP_YEAR = "20(?:16|[2468][048]|[3579][26])"
_DAY_OF_MONTH = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
DAY_TEXT = (
    "(?:2015-(?:(?:0[78]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:09|11)-(?:0[1-9]|[12][0-9]|30))"
    f"|{_YEAR}-{_DAY_OF_MONTH}"
    f"|{_LEAP_YEAR}-02-29)"
)
"""`YYYY-MM-DD`: a real calendar day (February 29th only in leap years) from July 1st, 2015."""
DAY = f"^{DAY_TEXT}$"

PERIOD = f"^(?:{MONTH_TEXT}|{DAY_TEXT})$"
"""A range's end: a month (monthly or daily series) or a day (daily series)."""

DEVICES_PERIOD = f"^(?:{_YEAR}-{_MONTH_OF_YEAR}|{_YEAR}-{_DAY_OF_MONTH}|{_LEAP_YEAR}-02-29)$"
"""A month or a day of unique devices: from January 2016 (2016-01, 2016-01-01), where their data starts."""

_YEAR_FROM_2021 = "20(?:2[1-9]|[3-9][0-9])"
_LEAP_YEAR_FROM_2021 = "20(?:2[48]|[3579][26]|[468][048])"
COUNTRY_LIST_PERIOD = (
    f"^(?:{_YEAR_FROM_2021}-{_MONTH_OF_YEAR}|{_YEAR_FROM_2021}-{_DAY_OF_MONTH}|{_LEAP_YEAR_FROM_2021}-02-29)$"
)
"""A month or a day of the top lists per country: from January 2021 (2021-01, 2021-01-01), where they start."""

_YEAR_AND_MONTH_NUMBER = f"(?:2015/(?:0?[7-9]|1[0-2])|{_YEAR}/(?:0?[1-9]|1[0-2]))"
MONTHLY_PATH = f"^{TITLE_TEXT}/{_YEAR_AND_MONTH_NUMBER}$"
"""`{article}/{year}/{month}` of the original endpoint: four digits, and a month `1`..`12` padded or not."""

COUNTRY = "^(?:[A-Za-z]{2})$"
"""Two letters; the domain then checks the code is an ISO 3166-1 alpha-2 country (or XK)."""
