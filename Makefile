# Two commands for a fresh machine: `make run` serves the bot, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# HOST= and PORT= override CRAMPBOT_HOST / CRAMPBOT_PORT (defaults 127.0.0.1:8000, see README).
HOST ?=
PORT ?=

.PHONY: run test lint eval check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/crampbot serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

# ruff (lint and format) and mypy, configured in pyproject.toml: 0 findings, or `make test` fails.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(VENV)/.installed-test lint
	$(BIN)/crampbot check
	$(BIN)/crampbot eval
	$(BIN)/crampbot eval --no-baselines --set knowledge/eval/questions_holdout.yaml
	$(BIN)/crampbot eval --set knowledge/eval/questions_fresh.yaml
	$(BIN)/python -m pytest

eval: $(VENV)/.installed-test
	$(BIN)/crampbot eval

check: $(VENV)/.installed
	$(BIN)/crampbot check

bench: $(VENV)/.installed-test
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/load_index.py
	$(BIN)/python bench/safety_detect.py
	$(BIN)/python bench/http_load.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
