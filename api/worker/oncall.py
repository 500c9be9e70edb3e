"""The out-of-hours alert for a safety flag: one short message to the on-call address.

The alert says what kind of flag and where to open the conversation, never the resident's
words, name or number: it goes to a phone that others may see. It is staff-facing text in
English (the team's working language), not a resident message, so it is not in the catalog.
Sent once per flagged message (a Redis key taken before the send); a send the provider did
not take is retried with backoff, a refusal is written to the audit log for the team.
"""

from __future__ import annotations

import logging
from typing import Any

from arq import Retry

from api.db.models import AuditEvent, Channel, Conversation
from api.gateway.parsing import parse_address
from api.transports.base import AmbiguousSendError, Outgoing, PermanentSendError, TransientSendError
from api.worker.deps import backoff, deps_of

log = logging.getLogger(__name__)

KIND_WORDS = {
    "immediate_danger": "immediate danger",
    "medical_emergency": "medical emergency",
    "suicide_self_harm": "suicide or self-harm",
    "domestic_abuse": "domestic abuse",
    "child_at_risk": "a child at risk",
}
#: How long "sent" is remembered: far longer than any retry of the same job.
SENT_TTL = 7 * 24 * 3600


def alert_text(kind: str, link: str) -> str:
    """One SMS part (the link names the conversation)."""
    words = KIND_WORDS.get(kind, "safety")
    return f"Safety flag out of hours: {words}. The resident has the urgent numbers. {link}"


async def oncall_alert(ctx: dict[str, Any], conversation_id: int, message_id: int) -> bool:
    deps = deps_of(ctx)
    settings = deps.settings
    address = parse_address(settings.oncall_alert_to)
    if not address.valid:
        log.error("ONCALL_ALERT_TO is not a phone number; no on-call alert sent")
        return False
    sent_key = f"{settings.queue_name}:oncall:sent:{message_id}"
    async with deps.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        kind = (conversation.safety_flag if conversation else None) or "safety"
        body = alert_text(kind, settings.public_url(f"/inbox/conversations/{conversation_id}"))
        outgoing = Outgoing(to=address.phone, channel=Channel(address.channel), body=body)
        if not await deps.redis.set(sent_key, "1", nx=True, ex=SENT_TTL):
            return False  # this flag's alert is already out (or on its way)
        attempt = ctx.get("job_try", 1)
        try:
            await deps.transport.send(outgoing)
        except (TransientSendError, AmbiguousSendError) as exc:
            if isinstance(exc, TransientSendError):
                await deps.redis.delete(sent_key)  # not taken: the retry sends it
            # Ambiguous: it may have gone; a second alert is better than none, but not a loop.
            elif attempt < 3:
                await deps.redis.delete(sent_key)
            log.warning("on-call alert not sent yet (%s); trying again", exc.code)
            raise Retry(defer=backoff(attempt, settings.retry_max_delay)) from None
        except PermanentSendError as exc:
            session.add(
                AuditEvent(
                    actor="safety screen",
                    action="oncall_alert_failed",
                    conversation_id=conversation_id,
                    note=str(exc.code)[:200],
                )
            )
            await session.commit()
            log.error("on-call alert refused by the provider (%s)", exc.code)
            return False
        session.add(
            AuditEvent(
                actor="safety screen", action="oncall_alerted", conversation_id=conversation_id, note=kind
            )
        )
        await session.commit()
    log.info("on-call alerted for conversation %s", conversation_id)
    return True
