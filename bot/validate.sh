#!/usr/bin/env bash
# Validate domain, training data and config (intents, responses, rule/story
# conflicts). Fails on warnings as well as errors.
#
# Usage: bot/validate.sh [extra rasa data validate args]   (BOT_VENV default .venv-bot)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"


exec "${BOT_VENV}/bin/rasa" data validate \
  --fail-on-warnings \
  --config config.yml \
  --domain domain.yml \
  --data data/nlu data/rules data/stories \
  "$@"
