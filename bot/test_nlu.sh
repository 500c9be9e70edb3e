#!/usr/bin/env bash
# NLU accuracy on the held-out test sets (tests/nlu/<lang>_test.yml), with the trained model.
# Prints intent accuracy, macro F1 and the most frequent confusions; fails below the bar.
#
# Usage: bot/test_nlu.sh [out dir, default var/nlu-results]
# Bars: NLU_MIN_ACCURACY_EN (default 0.88) for English, NLU_MIN_ACCURACY (default 0.80) for the
# other languages, whose data is younger (measured in docs/languages.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

OUT="${1:-var/nlu-results}"
MIN_OTHER="${NLU_MIN_ACCURACY:-0.80}"
MIN_EN="${NLU_MIN_ACCURACY_EN:-0.88}"
rm -rf "$OUT"
for test_set in tests/nlu/*_test.yml; do
  lang="$(basename "$test_set" _test.yml)"
  if [ "$lang" = en ]; then MIN="$MIN_EN"; else MIN="$MIN_OTHER"; fi
  "${BOT_VENV}/bin/rasa" test nlu --model models/current.tar.gz --nlu "$test_set" \
    --out "$OUT/$lang" --no-plot >/dev/null 2>&1
  "${BOT_VENV}/bin/python" - "$OUT/$lang" "$lang" "$MIN" <<'PY'
import collections, json, sys
out, lang, minimum = sys.argv[1], sys.argv[2], float(sys.argv[3])
report = json.load(open(f"{out}/intent_report.json"))
errors = json.load(open(f"{out}/intent_errors.json"))
pairs = collections.Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
print(f"NLU {lang}: intent accuracy {report['accuracy']:.3f}, macro F1 {report['macro avg']['f1-score']:.3f}, "
      f"{sum(v['support'] for k, v in report.items() if isinstance(v, dict) and 'support' in v and k not in ('macro avg', 'weighted avg', 'micro avg'))} messages")
for (wanted, got), count in pairs.most_common(6):
    print(f"  {count} x {wanted} -> {got}")
if report["accuracy"] < minimum:
    sys.exit(f"NLU {lang}: accuracy {report['accuracy']:.3f} is below the bar {minimum}")
PY
done
