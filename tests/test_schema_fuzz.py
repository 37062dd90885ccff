"""Schemathesis against the app's own OpenAPI schema: no 500, no response outside the schema, no valid request refused.

The ASGI app is called in process with requests Hypothesis generates from `/openapi.json`, a
bounded number per operation. Rate limits are off (every request comes from one client) and the
store is off (nothing to write); the admin routes are left out (a forced reload rebuilds the
index: seconds per example; tests/test_reload.py covers them).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.chat import Bot
from bot.settings import get_settings
from bot.web.app import create_app

MAX_EXAMPLES = 60  # per operation and mode: about 15 s in all on the development container


# Built at import for Schemathesis to read the schema; the bot is handed in by the fixture below.
app = create_app(get_settings({"CRAMPBOT_RATE_LIMIT": "off", "CRAMPBOT_DATABASE_URL": "none"}))
schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path_regex="^/api/admin/")
schema.config.generation.update(modes=list(GenerationMode), deterministic=True)  # valid and invalid, each run alike


@pytest.fixture(autouse=True)
def _serving(bot: Bot) -> None:
    app.state.bot = bot  # as the lifespan would, without loading the knowledge again


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    positive_data_acceptance,
    status_code_conformance,
    content_type_conformance,
]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
