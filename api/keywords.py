"""SMS keywords: STOP, START and HELP, in every language.

Each catalog translates the keyword lists (translators add their language's words; the
English words always work too). A keyword counts only as the whole message ("STOP", "stop.",
"Stop!"), never inside a sentence, so "stop the questions" or "I can't stop crying" are read
as words.
"""

from __future__ import annotations

from functools import lru_cache

from api.i18n import translations
from api.languages import load_languages
from api.messages import N_
from api.safety.phrases import normalize

#: Translators: a comma-separated list of words; keep the English ones and add yours.
KEYWORDS: dict[str, str] = {
    "stop": N_("STOP, STOPALL, UNSUBSCRIBE, END, QUIT, CANCEL, OPT OUT"),
    "start": N_("START, UNSTOP, SUBSCRIBE, YES START"),
    "help": N_("HELP, INFO"),
}


def _fold(text: str) -> str:
    return " ".join(normalize(text))


@lru_cache(maxsize=1)
def keyword_table() -> dict[str, str]:
    """Folded keyword -> "stop" / "start" / "help", from every language's catalog."""
    table: dict[str, str] = {}
    for code in load_languages():
        gettext = translations(code).gettext
        for kind, words in KEYWORDS.items():
            for word in {*words.split(","), *gettext(words).split(",")}:
                folded = _fold(word)
                if folded:
                    table.setdefault(folded, kind)
    return table


def keyword_of(text: str) -> str | None:
    """ "stop", "start" or "help" when the whole message is one of those keywords."""
    return keyword_table().get(_fold(text))
