"""Which language to answer in, before the bot sees a message.

- The numbered language menu ("LANG", "language", or menu choice 4) and its answer, and a
  language's own name on its own ("polski", "বাংলা"), choose the language for good.
- Otherwise the message is identified (api/understanding/language.py: script, cue words,
  the offline detector); a clear result that differs from the current language switches to
  it and says so (in the new language, with how to change it). A chosen language is never
  switched by detection, and short replies later on ("tak", "da", "1") never are.
- Romanised Bengali or Urdu, and salam on its own, switch nothing: the reply ends with an
  offer of the language, in its own Latin-letter form, once a conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply
from api.db.models import Author, Contact, Conversation, Direction, Message, utcnow
from api.languages import is_menu_word, load_languages, menu_choice, named_language
from api.understanding.cues import named as named_by_cues
from api.understanding.language import Detector

CHOSEN = "chosen"
DETECTED = "detected"
#: Messages that are about the language itself, never repeated after a change.
NOT_REPEATED = frozenset({"language_menu", "language_set", "language_detected", "language_offer", "holding"})
OFFER = "language_offer"


@dataclass
class LanguageStep:
    language: str
    #: Replies to send first (a confirmation, the menu, the last question again).
    replies: list[BotReply] = field(default_factory=list)
    #: True when the message was only about the language: the bot does not see it.
    answered: bool = False
    #: (code, "chosen" or "detected") to store on the contact, if it changes.
    new_language: tuple[str, str] | None = None
    #: The menu now waits for an answer.
    menu_open: bool = False
    #: Replies to send after the bot's (the offer of a language the resident may prefer).
    after: list[BotReply] = field(default_factory=list)

    def apply(self, contact: Contact, conversation: Conversation) -> None:
        """Store the outcome; done with the turn's replies, so a retried turn decides again."""
        if self.new_language is not None:
            contact.language, contact.language_source = self.new_language
        conversation.language_menu_at = utcnow() if self.menu_open else None


async def language_step(
    session: AsyncSession,
    contact: Contact,
    conversation: Conversation,
    text: str,
    default: str,
    detector: Detector,
) -> LanguageStep:
    languages = load_languages()
    current = contact.language if contact.language in languages else default
    if conversation.language_menu_at is not None:
        choice = menu_choice(text, languages)
        if choice is not None:
            return await _chosen(session, contact, conversation, choice)
    if is_menu_word(text):
        return LanguageStep(current, [BotReply("language_menu")], answered=True, menu_open=True)
    named = named_language(text, languages) or named_by_cues(text, detector.cues)
    if named is not None:
        return await _chosen(session, contact, conversation, named)
    if contact.language_source == CHOSEN:
        return LanguageStep(current)
    guess = detector.identify(text, first=contact.language_source is None)
    detected = guess.language
    if detected is not None and detected != current:
        return LanguageStep(detected, [BotReply("language_detected")], new_language=(detected, DETECTED))
    step = LanguageStep(current)
    if detected is not None and contact.language_source is None:
        # The language already in use, now known: recorded, nothing to confirm.
        step.new_language = (detected, DETECTED)
    offers = [code for code in guess.offer if code != current and code in languages]
    if offers and not await _offered(session, conversation):
        step.after.append(BotReply(OFFER, {"languages": offers}))
    return step


async def _offered(session: AsyncSession, conversation: Conversation) -> bool:
    """Whether this conversation was offered a language already (once is enough)."""
    found = await session.scalar(
        select(Message.id)
        .where(Message.conversation_id == conversation.id, Message.catalog_key == OFFER)
        .limit(1)
    )
    return found is not None


async def _chosen(
    session: AsyncSession, contact: Contact, conversation: Conversation, code: str
) -> LanguageStep:
    replies = [BotReply("language_set")]
    last = await session.scalar(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.direction == Direction.OUT.value,
            Message.author == Author.BOT.value,
            Message.catalog_key.not_in(NOT_REPEATED),
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
    if last is not None and last.catalog_key:
        # Say the last thing again in the new language, so a question being answered
        # (in the referral, say) is not lost.
        replies.append(BotReply(last.catalog_key, last.params or {}))
    return LanguageStep(code, replies, answered=True, new_language=(code, CHOSEN))
