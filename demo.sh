#!/usr/bin/env bash
# Install penguin-tui into .venv and open the demo: a fresh project and the scripted demo model
# (no API key, no network).
set -euo pipefail
cd "$(dirname "$0")"
. tools/venv.sh ""
exec .venv/bin/penguin-tui --demo "$@"
