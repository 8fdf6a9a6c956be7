"""official production calendars, the rule of each SLA target and the instants of its live state, recompute log
(SPEC §5, issue 12)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('production_calendar_days',
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('country', 'day')
    )
    op.create_table('production_calendar_years',
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('country', 'year')
    )
    op.create_table('sla_recomputes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('trigger', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=True),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_sla_recomputes_at', 'sla_recomputes', ['at'])
    with op.batch_alter_table('ticket_sla') as batch:
        batch.add_column(sa.Column('rule', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('at_risk_from', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('is_open', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('clock_stopped', sa.Boolean(), nullable=True))
        batch.create_index('ix_ticket_sla_is_open', ['is_open'], unique=False)
    # rows computed before: whether the ticket was open then (the at-risk instant needs the calendar:
    # `cli.py recompute` fills it; until then such open tickets read open or breached)
    op.execute("UPDATE ticket_sla SET is_open = COALESCE((SELECT t.resolved_at IS NULL OR t.resolved_at > "
               "ticket_sla.computed_at FROM tickets t WHERE t.ticket_id = ticket_sla.ticket_id), TRUE)")


def downgrade() -> None:
    with op.batch_alter_table('ticket_sla') as batch:
        batch.drop_index('ix_ticket_sla_is_open')
        for name in ('clock_stopped', 'is_open', 'at_risk_from', 'rule'):
            batch.drop_column(name)
    op.drop_index('ix_sla_recomputes_at', table_name='sla_recomputes')
    op.drop_table('sla_recomputes')
    op.drop_table('production_calendar_years')
    op.drop_table('production_calendar_days')
