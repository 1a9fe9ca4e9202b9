#!/usr/bin/env bash
# Install everything needed into .venv, then run the whole suite: lint, types, tests,
# snapshot tests and the tmux end-to-end test. Usage: ./test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")"
. tools/venv.sh "[dev]"
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"
ruff check penguin_tui tests
ruff format --check penguin_tui tests
echo "== lint-imports (the layers of docs/architecture.md)"
lint-imports --no-cache
echo "== mypy --strict"
mypy
echo "== pytest"
pytest "$@"
