#!/usr/bin/env bash
# Install everything needed into .venv, then run the whole suite: lint, types, tests,
# snapshot tests and the tmux end-to-end test. Usage: ./test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"
ruff check penguin_tui tests
ruff format --check penguin_tui tests
echo "== mypy --strict"
mypy
echo "== pytest"
pytest "$@"
