"""Delivery states of outbound messages, ordered so a late callback never moves one back."""

from __future__ import annotations

# Our own states come first; then Twilio's MessageStatus values.
# Terminal states share the top rank, so whichever arrives first stays.
STATUS_RANK: dict[str, int] = {
    "pending": 0,
    "sending": 1,
    "accepted": 2,
    "scheduled": 2,
    "queued": 3,
    "sending_provider": 4,
    "sent": 5,
    "delivered": 6,
    "undelivered": 6,
    "failed": 6,
    "read": 7,
}

TWILIO_STATUSES = {
    "accepted",
    "scheduled",
    "queued",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "read",
    "canceled",
}


def rank_of(twilio_status: str) -> int | None:
    """Rank of a status Twilio reports, or None if it is not one we track."""
    status = twilio_status.strip().lower()
    if status == "sending":  # Twilio's "sending" is after our own hand-over
        return STATUS_RANK["sending_provider"]
    if status == "canceled":
        return STATUS_RANK["failed"]
    return STATUS_RANK.get(status) if status in TWILIO_STATUSES else None


def visible_status(twilio_status: str) -> str:
    status = twilio_status.strip().lower()
    return "failed" if status == "canceled" else status
