"""issue 14: an index on `ticket_sla.computed_at`

The admin settings page asks whether a policy or calendar was saved after the stored SLA values were computed
(`store.admin_queries.sla_is_stale`: the earliest `computed_at`); without this index that was a scan of every
ticket's SLA row (0.98 s at `large`, 2 M rows).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 16:00:00
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_ticket_sla_computed_at', 'ticket_sla', ['computed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_sla_computed_at', table_name='ticket_sla')
