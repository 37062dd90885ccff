# crampbot in a container. Stage one builds the wheel (the bundled knowledge inside it) and installs
# it into a virtual environment; stage two copies only that environment into a fresh base and runs
# it as a user who cannot write to it. No compiler is used or shipped: every dependency is a wheel.
# Build, run and what was tested: docs/deploy.md ("Containers").
#
# BASE_IMAGE must provide python3 (3.10 or newer) with its venv module. The default is the official
# slim image; docs/deploy.md shows a base made from Debian packages alone, for machines that cannot
# reach Docker Hub.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
# postgres: psycopg, for CRAMPBOT_DATABASE_URL=postgresql://... (several servers, one database).
ARG EXTRAS=postgres
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY knowledge ./knowledge
# bot/bundled is a symbolic link to ../knowledge: the wheel carries the knowledge as bot/bundled.
COPY bot ./bot
RUN python3 -m venv /opt/crampbot \
 && /opt/crampbot/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && wheel="$(ls /wheels/crampbot-*.whl)" \
 && /opt/crampbot/bin/pip install "${wheel}${EXTRAS:+[$EXTRAS]}" \
 && /opt/crampbot/bin/pip uninstall --yes pip setuptools \
 && cd / && /opt/crampbot/bin/crampbot check

FROM ${BASE_IMAGE} AS runtime
ARG UID=10001
RUN groupadd --gid "${UID}" crampbot \
 && useradd --no-log-init --uid "${UID}" --gid crampbot --home-dir /home/crampbot --create-home \
            --shell /usr/sbin/nologin crampbot \
 && mkdir /data \
 && chown crampbot:crampbot /data
COPY --from=build /opt/crampbot /opt/crampbot
ENV PATH=/opt/crampbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CRAMPBOT_HOST=0.0.0.0 \
    CRAMPBOT_PORT=8000 \
    CRAMPBOT_DATA_DIR=/data
WORKDIR /home/crampbot
USER crampbot
# The default SQLite store lives here; a named volume starts out owned by the crampbot user.
VOLUME ["/data"]
EXPOSE 8000
# SIGTERM lets the server finish its requests and write the store's queue (up to 10 s): stop the
# container with a timeout above that (`docker stop -t 30`).
STOPSIGNAL SIGTERM
# Slim images have no curl; Python's urllib fails (exit 1) on anything but a 2xx answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CRAMPBOT_PORT', '8000') + '/api/health', timeout=4)"]
CMD ["crampbot", "serve"]
