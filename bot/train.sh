#!/usr/bin/env bash
# Train the Rasa model to models/current.tar.gz with the bot environment.
#
# Usage: bot/train.sh [extra rasa train args, e.g. --force]
#   BOT_VENV  bot virtualenv (default: .venv-bot, relative to the repo root)
#
# Rasa fingerprints config, domain and data and skips training when nothing
# changed (the existing models/current.tar.gz is kept); pass --force to retrain.
# Only data/nlu, data/rules and data/stories are training data: conversation
# tests in data/test are deliberately left out.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BOT_VENV="${BOT_VENV:-.venv-bot}"

# Quiet, offline: no TensorFlow/oneDNN chatter, no telemetry, no library
# deprecation noise.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export TF_ENABLE_ONEDNN_OPTS="${TF_ENABLE_ONEDNN_OPTS:-0}"
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"

exec "${BOT_VENV}/bin/rasa" train \
  --config config.yml \
  --domain domain.yml \
  --data data/nlu data/rules data/stories \
  --out models \
  --fixed-model-name current \
  "$@"
