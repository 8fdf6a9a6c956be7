"""issue 14: the ordered resolution times behind the exact support-speed medians

`support_speed_values` holds one row per resolved psm/classic ticket, indexed by stratum, seconds and ticket id,
and `support_speed_rollup` keeps each stratum's lower middle row, so a delta load finds a touched stratum's new
median by walking from that row as many rows as it changed instead of sorting the stratum.
Filled here from the stored tickets and SLA values (the same rows `store.ticket_rollups` writes).

Revision ID: 0011
Revises: 0007 (the head: the chain runs 0010 -> 0007)
Create Date: 2026-11-30 09:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('support_speed_values',
    sa.Column('ticket_id', sa.String(length=64), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=True),
    sa.Column('priority', sa.SmallInteger(), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    op.create_index('ix_support_speed_values_stratum', 'support_speed_values',
                    ['service', 'type', 'priority', 'seconds', 'ticket_id'], unique=False)
    # stored rows get their middle row at their stratum's next refresh
    op.add_column('support_speed_rollup', sa.Column('middle_seconds', sa.Float(), nullable=True))
    op.add_column('support_speed_rollup', sa.Column('middle_ticket_id', sa.String(length=64), nullable=True))
    op.execute(
        "INSERT INTO support_speed_values (ticket_id, service, type, priority, seconds) "
        "SELECT t.ticket_id, lower(trim(t.service)), t.type, t.priority, s.resolution_working_s "
        "FROM tickets t JOIN ticket_sla s ON s.ticket_id = t.ticket_id "
        "WHERE lower(trim(t.service)) IN ('psm', 'classic') AND s.resolution_working_s IS NOT NULL")


def downgrade() -> None:
    op.drop_column('support_speed_rollup', 'middle_ticket_id')
    op.drop_column('support_speed_rollup', 'middle_seconds')
    op.drop_index('ix_support_speed_values_stratum', table_name='support_speed_values')
    op.drop_table('support_speed_values')
