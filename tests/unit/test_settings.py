"""Settings are validated at start-up, one variable at a time, and an error speaks the operator's language: the
variable, its value and the form expected, never an internal field path."""

from __future__ import annotations

import pytest

from pageviews.settings import SETTINGS_DOCS, Settings, SettingsError, defaults, in_force, plain, redact


def error_of(**environment: str) -> str:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(environment)
    return str(raised.value)


def test_an_invalid_number_names_its_variable_the_value_and_the_expected_form() -> None:
    message = error_of(PAGEVIEWS_SETTLE_HOURS="two days")
    assert "PAGEVIEWS_SETTLE_HOURS='two days': expected a number from 0 to 744 (default: 48)" in message
    assert "$." not in message
    assert "settle_hours" not in message


def test_a_number_out_of_range_is_refused_with_its_bounds() -> None:
    message = error_of(PAGEVIEWS_UPSTREAM_TIMEOUT="0")
    assert (
        "PAGEVIEWS_UPSTREAM_TIMEOUT='0': expected a number that is greater than 0 and at most 300" in message
    )


def test_an_integer_setting_refuses_a_fraction() -> None:
    assert "PAGEVIEWS_WORKERS='1.5': expected an integer from 1 to 64" in error_of(PAGEVIEWS_WORKERS="1.5")


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_a_number_that_is_not_finite_is_refused(value: str) -> None:
    assert "PAGEVIEWS_CACHE_KEEP_STALE_HOURS" in error_of(PAGEVIEWS_CACHE_KEEP_STALE_HOURS=value)


@pytest.mark.parametrize(
    "url",
    [
        "localhost:18080/api/rest_v1",
        "wikimedia.org/api/rest_v1",
        "https://",
        "ftp://wikimedia.org/api",
        "http://wikimedia.org:99999/api",
        "http://[::1/api",
        "",
    ],
)
def test_the_upstream_url_needs_an_http_scheme_and_a_host(url: str) -> None:
    message = error_of(PAGEVIEWS_WIKIMEDIA_URL=url)
    assert f"PAGEVIEWS_WIKIMEDIA_URL={url!r}: expected an absolute URL with a host" in message


@pytest.mark.parametrize(
    "url", ["http://exa mple.org/api", "http://wikimedia.org/api/rest v1", "http://a/b\tc", "http://a/<b>"]
)
def test_an_upstream_url_with_a_space_or_a_character_no_url_has_is_refused(url: str) -> None:
    message = error_of(PAGEVIEWS_WIKIMEDIA_URL=url)
    assert f"PAGEVIEWS_WIKIMEDIA_URL={url!r}: expected an absolute URL with a host and no spaces" in message


@pytest.mark.parametrize(
    ("name", "url", "form"),
    [
        (
            "PAGEVIEWS_MEDIAWIKI_URL",
            "https://{host}/w/api .php",
            "an absolute http(s) URL template containing",
        ),
        ("PAGEVIEWS_REDIS_URL", "redis://re dis:6379/0", "an absolute URL with a host and no spaces"),
    ],
)
def test_every_url_setting_refuses_a_space(name: str, url: str, form: str) -> None:
    assert f"{name}={url!r}: expected {form}" in error_of(**{name: url})


@pytest.mark.parametrize("url", ["https://wikimedia.org/api/rest_v1", "http://127.0.0.1:18080/api/rest_v1"])
def test_an_absolute_upstream_url_is_accepted(url: str) -> None:
    assert url == Settings.from_env({"PAGEVIEWS_WIKIMEDIA_URL": url}).wikimedia_url


@pytest.mark.parametrize(
    "url", ["", "redis://redis:6379/0", "rediss://:pw@redis:6380/1", "unix:///run/redis.sock"]
)
def test_a_redis_url_may_be_empty_redis_rediss_or_a_unix_socket(url: str) -> None:
    assert url == Settings.from_env({"PAGEVIEWS_REDIS_URL": url}).redis_url


def test_a_refused_redis_url_is_shown_without_its_password() -> None:
    message = error_of(PAGEVIEWS_REDIS_URL="http://:s3cret@redis:6379/0")
    assert "PAGEVIEWS_REDIS_URL='http://:***@redis:6379/0'" in message
    assert "s3cret" not in message


def test_a_choice_is_described_by_its_choices_not_by_a_regular_expression() -> None:
    message = error_of(PAGEVIEWS_LOG_LEVEL="loud")
    assert "PAGEVIEWS_LOG_LEVEL='loud': expected DEBUG, INFO, WARNING, ERROR or CRITICAL" in message


def test_every_invalid_variable_is_reported_at_once() -> None:
    message = error_of(
        PAGEVIEWS_SETTLE_HOURS="x", PAGEVIEWS_RATE_LIMIT="fast", PAGEVIEWS_CACHE_MEMORY_MIB="many"
    )
    assert {"PAGEVIEWS_SETTLE_HOURS=", "PAGEVIEWS_RATE_LIMIT=", "PAGEVIEWS_CACHE_MEMORY_MIB="} == {
        line.strip().split("'")[0] for line in message.splitlines() if line.startswith("  ")
    }


def test_the_error_says_where_the_settings_are_documented() -> None:
    assert SETTINGS_DOCS in error_of(PAGEVIEWS_SETTLE_HOURS="x")


def test_the_variables_kubernetes_injects_for_a_service_named_pageviews_are_ignored() -> None:
    injected = {
        "PAGEVIEWS_PORT": "tcp://10.0.0.1:8000",
        "PAGEVIEWS_PORT_8000_TCP": "tcp://10.0.0.1:8000",
        "PAGEVIEWS_PORT_8000_TCP_PORT": "8000",
        "PAGEVIEWS_SERVICE_HOST": "10.0.0.1",
        "PAGEVIEWS_SERVICE_PORT": "8000",
        "PAGEVIEWS_SERVICE_PORT_HTTP": "8000",
    }
    assert Settings() == Settings.from_env(injected)


def test_whitespace_around_a_value_is_ignored() -> None:
    """A value from a Secret file often ends with a newline."""
    assert (
        "redis://redis:6379/0"
        == Settings.from_env({"PAGEVIEWS_REDIS_URL": "redis://redis:6379/0\n"}).redis_url
    )


def test_the_defaults_written_as_variables_read_back_as_the_defaults() -> None:
    environment = {name: plain(value) for name, value in defaults().items()}
    assert Settings() == Settings.from_env(environment)


def test_the_start_up_summary_names_the_upstreams_the_cache_without_its_password_and_the_limits() -> None:
    settings = Settings.from_env(
        {
            "PAGEVIEWS_WIKIMEDIA_URL": "http://wikimedia.internal/api/rest_v1",
            "PAGEVIEWS_MEDIAWIKI_URL": "http://mediawiki.internal/{host}/w/api.php",
            "PAGEVIEWS_REDIS_URL": "redis://:s3cret@redis:6379/0",
            "PAGEVIEWS_RATE_LIMIT": "",
        }
    )
    summary = in_force(settings)
    assert {
        "PAGEVIEWS_WIKIMEDIA_URL": "http://wikimedia.internal/api/rest_v1",
        "PAGEVIEWS_MEDIAWIKI_URL": "http://mediawiki.internal/{host}/w/api.php",
    } == summary["upstreams"]
    assert "s3cret" not in repr(summary)
    assert "redis redis://:***@redis:6379/0 behind memory" == summary["cache"]["store"]
    assert "off" == summary["limits"]["rate_limit"]


def test_the_start_up_summary_names_the_upstreams_without_their_passwords() -> None:
    settings = Settings.from_env(
        {
            "PAGEVIEWS_WIKIMEDIA_URL": "https://user:s3cret@wikimedia.internal/api/rest_v1",
            "PAGEVIEWS_MEDIAWIKI_URL": "https://bot:hunter2@{host}/w/api.php",
        }
    )
    summary = in_force(settings)
    assert {
        "PAGEVIEWS_WIKIMEDIA_URL": "https://user:***@wikimedia.internal/api/rest_v1",
        "PAGEVIEWS_MEDIAWIKI_URL": "https://bot:***@{host}/w/api.php",
    } == summary["upstreams"]
    assert ("s3cret" in repr(summary), "hunter2" in repr(summary)) == (False, False)


def test_the_start_up_summary_says_memory_when_there_is_no_redis() -> None:
    assert "memory" == in_force(Settings())["cache"]["store"]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw@redis:6379/0", "redis://:***@redis:6379/0"),
        ("redis://user:pw@redis/0", "redis://user:***@redis/0"),
        ("redis://redis:6379/0", "redis://redis:6379/0"),
        ("redis://user@redis:6379/0", "redis://user@redis:6379/0"),
        ("redis://:p@ss:w0rd@redis:6379/0", "redis://:***@redis:6379/0"),
        ("http://:pw@[::1/api", "http://:***@[::1/api"),
    ],
)
def test_a_url_is_redacted_of_its_password_only(url: str, shown: str) -> None:
    assert shown == redact(url)


def test_the_mediawiki_url_is_a_template_naming_the_wikis_host() -> None:
    with pytest.raises(
        SettingsError, match=r"PAGEVIEWS_MEDIAWIKI_URL='https://en.wikipedia.org/w/api.php': .*\{host\}"
    ):
        Settings.from_env({"PAGEVIEWS_MEDIAWIKI_URL": "https://en.wikipedia.org/w/api.php"})


def test_an_empty_mediawiki_url_switches_page_facts_off() -> None:
    assert "" == Settings.from_env({"PAGEVIEWS_MEDIAWIKI_URL": ""}).mediawiki_url


@pytest.mark.parametrize("value", ["0", "-1", "61", "soon"])
def test_the_page_facts_deadline_is_a_positive_number_of_seconds_up_to_a_minute(value: str) -> None:
    assert (
        f"PAGEVIEWS_MEDIAWIKI_DEADLINE_SECONDS={value!r}: expected a number that is greater than 0 and at most 60"
        in error_of(PAGEVIEWS_MEDIAWIKI_DEADLINE_SECONDS=value)
    )


# -- settings that are valid one by one but cannot work together -------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (
            {"PAGEVIEWS_BREAKER_MINIMUM_CALLS": "30"},
            "PAGEVIEWS_BREAKER_MINIMUM_CALLS=30 is more than PAGEVIEWS_BREAKER_WINDOW=20",
        ),
        (
            {"PAGEVIEWS_UPSTREAM_QUEUE_TIMEOUT": "30"},
            "PAGEVIEWS_UPSTREAM_QUEUE_TIMEOUT=30 is more than PAGEVIEWS_UPSTREAM_DEADLINE=20",
        ),
        (
            {"PAGEVIEWS_UPSTREAM_DEADLINE": "3"},
            "PAGEVIEWS_MEDIAWIKI_QUEUE_TIMEOUT=5 is more than PAGEVIEWS_UPSTREAM_DEADLINE=3",
        ),
        (
            {"PAGEVIEWS_MEDIAWIKI_DEADLINE_SECONDS": "30"},
            "PAGEVIEWS_MEDIAWIKI_DEADLINE_SECONDS=30 is more than PAGEVIEWS_UPSTREAM_DEADLINE=20",
        ),
    ],
    ids=[
        "breaker-minimum-over-window",
        "queue-timeout-over-deadline",
        "mediawiki-queue-timeout-over-deadline",
        "page-facts-deadline-over-deadline",
    ],
)
def test_a_setting_that_its_counterpart_makes_useless_is_refused_naming_both(
    environment: dict[str, str], expected: str
) -> None:
    assert expected in error_of(**environment)


def test_a_minimum_of_calls_equal_to_the_window_is_accepted() -> None:
    settings = Settings.from_env({"PAGEVIEWS_BREAKER_MINIMUM_CALLS": "5", "PAGEVIEWS_BREAKER_WINDOW": "5"})
    assert (5, 5) == (settings.breaker_minimum_calls, settings.breaker_window)


def test_mediawikis_queue_timeout_does_not_matter_when_mediawiki_is_off() -> None:
    environment = {"PAGEVIEWS_UPSTREAM_DEADLINE": "3", "PAGEVIEWS_MEDIAWIKI_URL": ""}
    assert 3 == Settings.from_env(environment).upstream_deadline


def reported(message: str) -> list[str]:
    return [line.strip() for line in message.splitlines() if line.startswith("  ")]


def test_conflicts_are_reported_with_the_invalid_variables_at_once() -> None:
    lines = reported(error_of(PAGEVIEWS_SETTLE_HOURS="x", PAGEVIEWS_BREAKER_MINIMUM_CALLS="30"))
    assert (2, True, True) == (
        len(lines),
        lines[0].startswith("PAGEVIEWS_SETTLE_HOURS='x': expected"),
        lines[1].startswith("PAGEVIEWS_BREAKER_MINIMUM_CALLS=30 is more than PAGEVIEWS_BREAKER_WINDOW=20"),
    )


def test_a_conflict_with_an_invalid_variable_is_left_to_that_variables_own_error() -> None:
    lines = reported(error_of(PAGEVIEWS_BREAKER_WINDOW="many", PAGEVIEWS_BREAKER_MINIMUM_CALLS="30"))
    assert (1, True) == (len(lines), lines[0].startswith("PAGEVIEWS_BREAKER_WINDOW='many': expected"))
