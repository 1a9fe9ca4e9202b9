# Sourced by demo.sh and test.sh: make .venv with Python 3.11 and install penguin-tui into it.
# Usage: . tools/venv.sh EXTRAS   (EXTRAS is "" or "[dev]")
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${1:-}"
