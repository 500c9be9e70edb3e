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

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"


exec "${BOT_VENV}/bin/rasa" test core \
  --model models/current.tar.gz \
  --stories data/test \
  --e2e \
  --fail-on-prediction-errors \
  "$@"
