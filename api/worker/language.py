"""Which language to answer in, before the bot sees a message.

- The numbered language menu ("LANG", "language", or menu choice 4) and its answer, and a
  language's own name on its own ("polski", "বাংলা"), choose the language for good.
- Otherwise a message of three words or more is run through the offline detector; a clear
  result that differs from the current language switches to it and says so (in the new
  language, with how to change it). A chosen
  language is never switched by detection, and short replies ("tak", "da", "1") never are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply
from api.db.models import Author, Contact, Conversation, Direction, Message, utcnow
from api.languages import Detector, is_menu_word, load_languages, menu_choice, named_language

CHOSEN = "chosen"
DETECTED = "detected"
#: Messages that are about the language itself, never repeated after a change.
NOT_REPEATED = frozenset({"language_menu", "language_set", "language_detected", "holding"})


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
    named = named_language(text, languages)
    if named is not None:
        return await _chosen(session, contact, conversation, named)
    if contact.language_source != CHOSEN:
        detected = detector.detect(text)
        if detected is not None and detected != current:
            return LanguageStep(detected, [BotReply("language_detected")], new_language=(detected, DETECTED))
        if detected is not None and contact.language_source is None:
            # The language already in use, now known: recorded, nothing to confirm.
            return LanguageStep(current, new_language=(detected, DETECTED))
    return LanguageStep(current)


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
