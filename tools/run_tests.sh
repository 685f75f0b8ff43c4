#!/usr/bin/env bash
# The whole suite: static checks once, then every test on SQLite and again on PostgreSQL 15.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0
step() { echo; echo "=== $* ==="; }

step "ruff"; $BIN/ruff check . || status=1
step "ruff format"; $BIN/ruff format --check . || status=1
step "import contracts"; $BIN/lint-imports --no-cache || status=1
step "mypy"; $BIN/mypy . || status=1
step "migrations match models"
DJANGO_SETTINGS_MODULE=config.settings.test $BIN/python manage.py makemigrations --check --dry-run >/dev/null || status=1

step "tests on SQLite"
env -u DATABASE_URL $BIN/pytest -q "$@" || status=1
step "tests on PostgreSQL"
$BIN/python tools/with_postgres.py -- $BIN/pytest -q "$@" || status=1

echo
if ((status)); then echo "FAILED"; else echo "All checks passed on SQLite and PostgreSQL."; fi
exit $status
