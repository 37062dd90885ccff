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
