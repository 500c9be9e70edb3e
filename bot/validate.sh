#!/usr/bin/env bash
# Validate domain, training data and config (intents, responses, rule/story
# conflicts). Fails on warnings as well as errors.
#
# Usage: bot/validate.sh [extra rasa data validate args]   (BOT_VENV default .venv-bot)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BOT_VENV="${BOT_VENV:-.venv-bot}"

export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"

exec "${BOT_VENV}/bin/rasa" data validate \
  --fail-on-warnings \
  --config config.yml \
  --domain domain.yml \
  --data data/nlu data/rules data/stories \
  "$@"
