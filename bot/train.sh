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

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# Quiet, offline: no TensorFlow/oneDNN chatter, no telemetry, no library
# deprecation noise.

exec "${BOT_VENV}/bin/rasa" train \
  --config config.yml \
  --domain domain.yml \
  --data data/nlu data/rules data/stories \
  --out models \
  --fixed-model-name current \
  "$@"
