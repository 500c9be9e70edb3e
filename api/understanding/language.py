"""Which language a message is in: script, cue words (data) and lingua's offline models.

`Detector.identify` decides, in this order:
1. **Script.** Bengali letters mean Bengali, Urdu's letters Urdu, at any length ("হ্যালো").
   Arabic-script text with Arabic's own letters (ة ي ك) and none of Urdu's is not taken for
   Urdu: it is offered instead.
2. **Neutral words out.** English job titles (the service directory's and the cue file's) and
   loan words ("GP", "council", "appointment") are English in every language here: they are
   removed, and the other words keep their evidence ("Co robi link worker?" -> "Co robi").
3. **Romanised Bengali or Urdu** ("ami sahajjo chai", "mujhe madad chahiye"): no detector can
   place it, and the resident may not read the script. Nothing is switched; the language is
   offered (the reply says how to choose it, in its own Latin-letter form).
4. **lingua**, on a message of MIN_WORDS words or more with at least two words left, when its
   confidence is MIN_CONFIDENCE or more.
5. **Greetings and first words** (data): a first message ("Olá", "Bună ziua", "Cześć",
   "potrzebuję pomocy"), or a longer message lingua is unsure of (unless it leans LEANING or
   more to another language). Short replies later in a
   conversation ("tak", "da") never decide; yes, no and thanks are in no list.
6. **Salam** on its own decides nothing (every community here uses it): Bengali and Urdu are
   offered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.languages import MIN_CONFIDENCE, MIN_WORDS, Language, words
from api.understanding import cues as C

if TYPE_CHECKING:
    from lingua import LanguageDetector

#: First words do not decide a longer message lingua leans this much to another language for.
LEANING = 0.5


@dataclass(frozen=True)
class Guess:
    #: The language the message is in, if clear enough to write in it.
    language: str | None = None
    #: Languages to offer, not switch to (romanised Bengali or Urdu, salam, Arabic letters).
    offer: tuple[str, ...] = ()
    #: What decided: "script", "detector", "first words", "romanised", "salam", or "".
    how: str = ""


class Detector:
    """Offline identification restricted to the supported languages."""

    def __init__(
        self, languages: dict[str, Language], ignore: Iterable[str] = (), low_accuracy: bool = False
    ) -> None:
        self._codes = set(languages)
        self._low_accuracy = low_accuracy
        self.cues = C.load_cues(tuple(languages))
        # Job titles ("care navigator", "link worker") are English in every language and
        # look like Romanian or Portuguese words: they are not evidence of a language.
        titles = frozenset(p for p in (C.phrase(n) for n in ignore if n.strip()) if p)
        self._neutral = self.cues.neutral | titles
        self._detector: LanguageDetector | None = None

    def _build(self) -> LanguageDetector:
        from lingua import IsoCode639_1, LanguageDetectorBuilder
        from lingua import Language as LinguaLanguage

        chosen = [LinguaLanguage.from_iso_code_639_1(IsoCode639_1.from_str(c)) for c in sorted(self._codes)]
        # High accuracy mode: about 170 MB more than low accuracy mode, but a third as many
        # wrong switches on the held-out messages (measured in docs/languages.md).
        builder = LanguageDetectorBuilder.from_languages(*chosen).with_preloaded_language_models()
        return (builder.with_low_accuracy_mode() if self._low_accuracy else builder).build()

    def warm_up(self) -> None:
        if self._detector is None:
            self._detector = self._build()

    def detect(self, text: str) -> str | None:
        """The language of a message in the middle of a conversation, if clear; else None."""
        return self.identify(text).language

    def identify(self, text: str, first: bool = False) -> Guess:
        """What a message says about its language. `first`: no language is known yet, so a
        greeting or a common first word of one or two words decides."""
        said = words(text)
        if not said:
            return Guess()
        kept, _ = C.strip(said, self._neutral)
        script = C.by_script(kept or said, self.cues)
        if script is not None:
            offer = (script.near,) if script.near else ()
            return Guess(script.language, offer, "script")
        kept, salams = C.strip(kept, self.cues.salam)
        roman = C.romanised(kept, self.cues)
        if roman is not None:
            return Guess(offer=(roman,), how="romanised")
        long = len(said) >= MIN_WORDS
        leaning: str | None = None
        if long and len(kept) >= 2:
            found, confidence = self._lingua(" ".join(kept))
            if found is not None and confidence >= MIN_CONFIDENCE:
                return Guess(found, how="detector")
            leaning = found if confidence >= LEANING else None
        if long or first:
            cued = C.by_first_words(kept, self.cues)
            if cued is not None and leaning in (None, cued):
                return Guess(cued, how="first words")
        if salams and not kept:
            return Guess(offer=self.cues.salam_offers, how="salam")
        return Guess()

    def _lingua(self, sample: str) -> tuple[str | None, float]:
        """lingua's most likely language for a text, and its confidence."""
        self.warm_up()
        assert self._detector is not None
        values = self._detector.compute_language_confidence_values(sample)
        if not values:
            return None, 0.0
        code = values[0].language.iso_code_639_1.name.lower()
        return (code, values[0].value) if code in self._codes else (None, 0.0)
