"""issue 14: an index on `tickets.created_at`

The day the loaded data runs to (`store.queries.latest_ticket_date`: the latest `created_at`) opens every meeting
brief and the manager's home; without this index it was a scan of every ticket (36 ms at `medium`, per brief).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 16:00:00
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tickets_created_at', 'tickets', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tickets_created_at', table_name='tickets')
