"""`crampbot serve`: uvicorn with one process or several workers, slow clients cut off, logging in each.

One worker (the default) serves the app object built here. With `CRAMPBOT_WORKERS` / `--workers N`
above 1, uvicorn starts N processes that each build their own app through `create_worker_app`
(an import string is the only way uvicorn's workers get an app); this function prepares what they
share first, in a run folder it creates and deletes when the server stops:

- `generation` and `served.<pid>`: the knowledge version last swapped in by any worker, and the
  one each serves (bot.web.generation), so a reload by the admin route or the file watcher in one
  worker reaches them all;
- `metrics/`: PROMETHEUS_MULTIPROC_DIR, where every worker writes its metrics and from which
  `/metrics` adds them up (prometheus-client's multiprocess mode).

Each worker is a new interpreter: the logging configuration (bot.logs) is handed to uvicorn as
its `log_config`, which applies it in every process. Settings reach the workers through the
environment, with what the command line overrode written back into it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from bot.chat import retriever_config
from bot.logs import logging_config
from bot.settings import PREFIX, Settings, get_settings
from bot.web.app import create_app
from bot.web.generation import Generation
from bot.web.protocol import TimedH11Protocol
from bot.web.reload import check_knowledge, freeze_startup_objects, load_checked

log = logging.getLogger(__name__)

RUN_DIR_VARIABLE = PREFIX + "RUN_DIR"  # set by `serve` for its workers; not a setting
METRICS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What uvicorn is told, one worker or several."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_config": logging_config(settings.log_level, settings.log_format),
        "log_level": settings.log_level.lower(),
        "access_log": False,  # bot.web.request_log writes the access lines, without addresses
        "http": TimedH11Protocol,  # header and body deadlines (bot.web.protocol)
        "timeout_keep_alive": settings.keep_alive,
        "limit_concurrency": settings.max_connections,
        # X-Forwarded-* only from CRAMPBOT_TRUSTED_PROXIES (uvicorn would trust 127.0.0.1 by default)
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": list(settings.trusted_proxies) or None,
    }


def serve(settings: Settings) -> None:
    """Serve until stopped. The knowledge is checked first: a folder `crampbot check` rejects stops
    here with its errors (KnowledgeRefused), before any port is bound or worker started."""
    if settings.workers == 1:
        freeze_startup_objects()
        bot = load_checked(settings.knowledge, retriever_config(settings))
        log.info("knowledge %s loaded: %d passages", bot.version, len(bot.knowledge.passages))
        uvicorn.run(create_app(settings, bot=bot, check_aside=True), **uvicorn_options(settings))
        return
    check_knowledge(settings.knowledge)  # each worker loads and indexes it itself
    with tempfile.TemporaryDirectory(prefix="crampbot-run-") as run_dir:
        metrics = Path(run_dir) / "metrics"
        metrics.mkdir()
        os.environ[RUN_DIR_VARIABLE] = run_dir
        os.environ[METRICS_VARIABLE] = str(metrics)
        os.environ[PREFIX + "KNOWLEDGE"] = str(Path(settings.knowledge).resolve())
        os.environ[PREFIX + "WORKERS"] = str(settings.workers)
        uvicorn.run(
            f"{__name__}:create_worker_app", factory=True, workers=settings.workers, **uvicorn_options(settings)
        )


def create_worker_app() -> FastAPI:
    """The app of one worker of `serve`: settings from the environment, the run folder's stamp."""
    settings = get_settings()
    freeze_startup_objects()  # this worker's imports; its knowledge loads in the app's start-up
    run_dir = os.environ.get(RUN_DIR_VARIABLE)
    generation = Generation(Path(run_dir), settings.workers) if run_dir else None
    return create_app(settings, generation=generation, check_aside=True)
