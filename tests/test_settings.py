"""Settings come from CRAMPBOT_ variables, with clear errors naming the variable and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus.passages import BUNDLED_KNOWLEDGE
from bot.settings import SettingsError, get_settings


def test_defaults_serve_the_bundled_knowledge_on_localhost() -> None:
    settings = get_settings({})
    assert settings.knowledge == BUNDLED_KNOWLEDGE
    assert (settings.host, settings.port, settings.max_question_chars) == ("127.0.0.1", 8000, 1000)


def test_variables_override_defaults(tmp_path: Path) -> None:
    settings = get_settings(
        {
            "CRAMPBOT_KNOWLEDGE": str(tmp_path),
            "CRAMPBOT_PORT": "9000",
            "CRAMPBOT_CORS_ORIGINS": "https://a.example, https://b.example",
            "CRAMPBOT_MIN_CONFIDENCE": "0.4",
        }
    )
    assert settings.knowledge == tmp_path and settings.port == 9000 and settings.min_confidence == 0.4
    assert settings.cors_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "eighty"), ("PORT", "70000"), ("MIN_CONFIDENCE", "2"), ("LOG_LEVEL", "LOUD")]
)
def test_bad_values_name_the_variable_and_value(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"CRAMPBOT_{name}.*{value}"):
        get_settings({f"CRAMPBOT_{name}": value})


def test_port_zero_is_kept_not_replaced_by_the_default() -> None:
    assert get_settings({"CRAMPBOT_PORT": "0"}).port == 0


def test_reload_interval_is_read_in_seconds() -> None:
    assert get_settings({"CRAMPBOT_RELOAD_INTERVAL": "2.5"}).reload_interval == 2.5
    with pytest.raises(SettingsError, match=r"CRAMPBOT_RELOAD_INTERVAL.*-1"):
        get_settings({"CRAMPBOT_RELOAD_INTERVAL": "-1"})


def test_the_store_defaults_to_an_sqlite_file_in_data_keeping_questions_90_days() -> None:
    settings = get_settings({})
    assert settings.database_url is None and settings.data_dir == Path("data")
    assert settings.store_questions is True and settings.retention_days == 90


@pytest.mark.parametrize(("raw", "value"), [("false", False), ("0", False), ("No", False), ("true", True), ("1", True)])
def test_store_questions_reads_true_and_false(raw: str, value: bool) -> None:
    assert get_settings({"CRAMPBOT_STORE_QUESTIONS": raw}).store_questions is value


def test_the_database_url_is_checked_for_its_form_only() -> None:
    url = "postgresql://crampbot:pw@db.example:5432/crampbot"
    assert get_settings({"CRAMPBOT_DATABASE_URL": url}).database_url == url
    assert get_settings({"CRAMPBOT_DATABASE_URL": "None"}).database_url == "none"


@pytest.mark.parametrize(
    ("name", "value"), [("STORE_QUESTIONS", "maybe"), ("RETENTION_DAYS", "0"), ("DATABASE_URL", "db")]
)
def test_bad_store_values_name_the_variable_and_value(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"CRAMPBOT_{name}.*{value}"):
        get_settings({f"CRAMPBOT_{name}": value})


def test_a_bad_database_url_never_echoes_its_password() -> None:
    with pytest.raises(SettingsError) as caught:
        get_settings({"CRAMPBOT_DATABASE_URL": "user:secret@nowhere"})
    assert "secret" not in str(caught.value) and "CRAMPBOT_DATABASE_URL" in str(caught.value)


def test_serving_settings_have_safe_defaults_and_are_validated() -> None:
    settings = get_settings({})
    assert (settings.workers, settings.log_format) == (1, "text")
    assert (settings.header_timeout, settings.body_timeout, settings.keep_alive) == (10.0, 10.0, 5.0)
    assert settings.max_connections == 1000
    assert get_settings({"CRAMPBOT_WORKERS": "4", "CRAMPBOT_LOG_FORMAT": "JSON"}).workers == 4
    assert get_settings({"CRAMPBOT_LOG_FORMAT": "JSON"}).log_format == "json"
    for name, value in [("WORKERS", "0"), ("LOG_FORMAT", "xml"), ("HEADER_TIMEOUT", "0"), ("MAX_CONNECTIONS", "-5")]:
        with pytest.raises(SettingsError, match=f"CRAMPBOT_{name}.*{value}"):
            get_settings({f"CRAMPBOT_{name}": value})
