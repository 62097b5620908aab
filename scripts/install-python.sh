#!/usr/bin/env bash
# Creates (if needed) the virtualenv VENV and installs ScriptSensei into it.
# Used by `make` (editable, with the dev extras) and by the Dockerfile (runtime only), so
# the image installs exactly what the tests ran against.
#   scripts/install-python.sh VENV [editable-dev|runtime]
set -euo pipefail
venv=${1:?usage: install-python.sh VENV [editable-dev|runtime]}
mode=${2:-editable-dev}
python=${PYTHON:-python3}

[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip setuptools wheel
case "$mode" in
  editable-dev) "$venv/bin/python" -m pip install --quiet -e '.[dev]' ;;
  runtime) "$venv/bin/python" -m pip install --quiet --no-cache-dir . ;;
  *) echo "unknown mode: $mode" >&2; exit 2 ;;
esac
