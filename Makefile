# Accord: `make run` serves the CRM, `make test` runs every check on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export ACCORD_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test install lint openapi bench-tiny

# The virtualenv is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/accord migrate
	$(BIN)/accord demo --if-empty
	$(BIN)/accord createadmin admin --if-missing
	$(BIN)/accord serve --port $(PORT)

test: install
	tools/ensure_system_packages.sh
	tools/run_tests.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy .

openapi: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m accord.core.openapi_export > openapi.json
