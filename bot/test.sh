#!/usr/bin/env bash
# Rasa conversation tests: data/test/test_*.yml against models/current.tar.gz.
#
# Usage: bot/test.sh [extra rasa test core args]   (BOT_VENV default .venv-bot)
# Runs the real NLU pipeline and policies in-process (no Redis, no action
# server: custom actions are predicted, not executed). --e2e makes Rasa parse
# each test message with the NLU model and check the intent too; without it
# only the actions are checked, given the labelled intents. Results go to
# results/ (Rasa's default); fails on any wrong intent or action.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BOT_VENV="${BOT_VENV:-.venv-bot}"

export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export TF_ENABLE_ONEDNN_OPTS="${TF_ENABLE_ONEDNN_OPTS:-0}"
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"

exec "${BOT_VENV}/bin/rasa" test core \
  --model models/current.tar.gz \
  --stories data/test \
  --e2e \
  --fail-on-prediction-errors \
  "$@"
