#!/usr/bin/env bash
# Create/refresh the bot environment (Rasa 3.6.21 + rasa-sdk 3.6.2 on Python 3.11).
#
# Usage: bot/install.sh [VENV]   (default: .venv-bot, relative to the repo root)
#   PYTHON   interpreter used to create the venv (default: python3.11, else python3)
#
# Idempotent: does nothing when rasa 3.6.21 and rasa-sdk 3.6.2 already import
# from the venv.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${1:-.venv-bot}"
RASA_VERSION="3.6.21"
RASA_SDK_VERSION="3.6.2"

installed() {
  [[ -x "${VENV}/bin/python" ]] || return 1
  TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore "${VENV}/bin/python" - "$RASA_VERSION" "$RASA_SDK_VERSION" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version
import rasa, rasa_sdk  # importable, not just present on disk
sys.exit(0 if (version("rasa"), version("rasa-sdk")) == (sys.argv[1], sys.argv[2]) else 1)
PY
}

if installed; then
  # Bring the pinned dependencies up to date (quick when nothing changed).
  "${VENV}/bin/python" -m pip install -q -r bot/requirements.txt
  echo "bot env ${VENV}: rasa ${RASA_VERSION} and rasa-sdk ${RASA_SDK_VERSION} already installed"
  exit 0
fi

if [[ ! -x "${VENV}/bin/python" ]]; then
  PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
  "$PYTHON" -m venv "$VENV"
fi

"${VENV}/bin/python" -m pip install --upgrade pip
# 1. Rasa's dependencies, at versions known to work on Python 3.11.
"${VENV}/bin/python" -m pip install -r bot/requirements.txt
# 2. Rasa and the SDK themselves, past their Requires-Python <3.11 marker.
"${VENV}/bin/python" -m pip install --no-deps --ignore-requires-python \
  "rasa==${RASA_VERSION}" "rasa-sdk==${RASA_SDK_VERSION}"

installed || { echo "bot env ${VENV}: rasa did not import after install" >&2; exit 1; }
echo "bot env ${VENV}: installed rasa ${RASA_VERSION} and rasa-sdk ${RASA_SDK_VERSION}"
