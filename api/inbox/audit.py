"""The append-only audit log (api/db/models.AuditEvent): who saw or did what, and when.

Notes say what was done, never what a resident wrote.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import AuditEvent

ACTIONS = frozenset(
    {
        "login",
        "login_failed",
        "login_throttled",
        "access_refused",
        "password_changed",
        "password_reset",
        "logout",
        "session_ended",
        "other_sessions_ended",
        "conversation_viewed",
        "reply_sent",
        "note_added",
        "claimed",
        "assigned",
        "handed_back",
        "resolved",
        "export",
        "audit_viewed",
        "safety_flag_cleared",
        "appointment_booked",
        "appointment_moved",
        "appointment_cancelled",
    }
)


def record(
    session: AsyncSession,
    actor: str,
    action: str,
    conversation_id: int | None = None,
    note: str | None = None,
    source: str | None = None,
) -> None:
    """Add one row. `source`: the client address (where the person was)."""
    assert action in ACTIONS, action
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            conversation_id=conversation_id,
            note=note,
            source=source[:64] if source else None,
        )
    )
