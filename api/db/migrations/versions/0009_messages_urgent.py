"""messages urgent: the safety screen's replies go out before anything else queued

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 20:15:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # The urgent lane's holding sweep (every second) and the recovery sweep look for
        # messages by state and age, across all conversations.
        batch_op.create_index(
            'ix_messages_direction_status_created', ['direction', 'status', 'created_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_direction_status_created')
        batch_op.drop_column('urgent')
