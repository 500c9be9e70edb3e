"""`make text-report`: every resident-facing message, with its length, encoding, SMS segments,
longest sentence and (English) reading grade. Problems are marked with !"""

from __future__ import annotations

import sys

from api.i18n import LOCALES_DIR
from api.sms import encoding, segments, units
from scripts.text_checks import all_texts, grade, longest_sentence


def languages() -> list[str]:
    found = {"en"} | {p.name.split("_")[0] for p in LOCALES_DIR.iterdir() if (p / "LC_MESSAGES").is_dir()}
    return sorted(found)


def main() -> int:
    header = (
        f"{'message':<46} {'lang':<4} {'chars':>5} {'enc':<5} {'segs':>4} {'words':>5} {'grade':>5}  problems"
    )
    print(header)
    print("-" * len(header))
    failing = 0
    for language in languages():
        for text in all_texts(language):
            problems = text.problems()
            failing += bool(problems)
            level = f"{grade(text.body):5.1f}" if language == "en" else "    -"
            print(
                f"{text.ref:<46} {language:<4} {units(text.body):>5} {encoding(text.body):<5} "
                f"{segments(text.body):>4} {longest_sentence(text.body):>5} {level}  "
                + ("! " + "; ".join(problems) if problems else "")
            )
    print(f"\n{failing} message(s) with problems")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
