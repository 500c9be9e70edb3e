"""messages: our delivery state and the provider's status in two columns

`messages.status` kept both our own outbound states and Twilio's MessageStatus, ordered by
`status_rank`; our "sending" (hand-over cut off: look it up before a resend) and Twilio's
"sending" (it has the message) were the same word. Now `status` holds our state (pending,
handing_over, with_provider, failed) and the new `provider_status` Twilio's word
(api/db/delivery_states.py); `status_rank` goes (the provider status is ranked in code).

Existing outbound rows:
- pending stays pending;
- "sending" with status_rank >= 4 was Twilio's (it ranked after every state of ours):
  with_provider, provider status sending; any other "sending" was ours: handing_over;
- Twilio's words (accepted, scheduled, queued, sent, delivered, undelivered, read):
  with_provider with that provider status;
- "failed" with a provider SID was reported by Twilio (failed or canceled): with_provider,
  provider status failed; without one it was ours (refused, or out of tries): failed.
Inbound rows are not touched. The downgrade maps back (canceled becomes failed, as before).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TWILIO_WORDS = "('accepted', 'scheduled', 'queued', 'sent', 'delivered', 'undelivered', 'read')"
#: The old ranks (api/gateway/delivery.py before this revision).
OLD_RANK = (
    "CASE status WHEN 'pending' THEN 0 WHEN 'accepted' THEN 2 WHEN 'scheduled' THEN 2"
    " WHEN 'queued' THEN 3 WHEN 'sending' THEN 4 WHEN 'sent' THEN 5 WHEN 'delivered' THEN 6"
    " WHEN 'undelivered' THEN 6 WHEN 'failed' THEN 6 WHEN 'read' THEN 7 ELSE 0 END"
)


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_status', sa.String(length=16), nullable=True))
    out = "direction = 'out'"
    op.execute(
        "UPDATE messages SET provider_status = 'sending', status = 'with_provider'"
        f" WHERE {out} AND status = 'sending' AND status_rank >= 4"
    )
    op.execute(f"UPDATE messages SET status = 'handing_over' WHERE {out} AND status = 'sending'")
    op.execute(
        "UPDATE messages SET provider_status = status, status = 'with_provider'"
        f" WHERE {out} AND status IN {TWILIO_WORDS}"
    )
    op.execute(
        "UPDATE messages SET provider_status = 'failed', status = 'with_provider'"
        f" WHERE {out} AND status = 'failed' AND provider_sid IS NOT NULL"
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('status_rank')


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_rank', sa.Integer(), nullable=False, server_default='0'))
    out = "direction = 'out'"
    op.execute(f"UPDATE messages SET status = 'sending' WHERE {out} AND status = 'handing_over'")
    op.execute(
        "UPDATE messages SET status = CASE WHEN provider_status IS NULL THEN 'queued'"
        " WHEN provider_status = 'canceled' THEN 'failed' ELSE provider_status END"
        f" WHERE {out} AND status = 'with_provider'"
    )
    # Our own "sending" ranked 0 (the worker never raised it); Twilio's ranked 4.
    op.execute(
        f"UPDATE messages SET status_rank = {OLD_RANK}"
        f" WHERE {out} AND NOT (status = 'sending' AND provider_status IS NULL)"
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('status_rank', server_default=None, existing_type=sa.Integer())
        batch_op.drop_column('provider_status')
