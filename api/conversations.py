"""Conversation ownership: one explicit transition function (no callbacks hidden in models)."""

from __future__ import annotations

from api.db.models import Conversation, Owner

#: Which owner may follow which. The bot is silent in WAITING and HUMAN.
ALLOWED: dict[Owner, set[Owner]] = {
    Owner.BOT: {Owner.WAITING, Owner.HUMAN, Owner.RESOLVED},
    Owner.WAITING: {Owner.HUMAN, Owner.BOT, Owner.RESOLVED},
    Owner.HUMAN: {Owner.BOT, Owner.RESOLVED, Owner.WAITING},
    Owner.RESOLVED: {Owner.BOT, Owner.WAITING, Owner.HUMAN},
}


class TransitionError(ValueError):
    pass


def transition(conversation: Conversation, to: Owner) -> bool:
    """Move ownership; returns False when it was already there. The caller commits."""
    current = Owner(conversation.owner)
    if current == to:
        return False
    if to not in ALLOWED[current]:
        raise TransitionError(f"{current} -> {to} is not allowed")
    conversation.owner = to.value
    return True


def bot_may_answer(conversation: Conversation) -> bool:
    return Owner(conversation.owner) in (Owner.BOT, Owner.RESOLVED)
