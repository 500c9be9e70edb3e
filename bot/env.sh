# Sourced by every bot/*.sh script: repository root, bot environment, and a quiet, offline Rasa.
# shellcheck shell=bash
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BOT_VENV="${BOT_VENV:-.venv-bot}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export TF_ENABLE_ONEDNN_OPTS="${TF_ENABLE_ONEDNN_OPTS:-0}"
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
