"""ticket rollups: SLA compliance per month × partner, dedicated-support speed, charges and worked time (SPEC §9)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sla_rollup',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('met', sa.Integer(), nullable=False),
    sa.Column('breached', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'partner_id')
    )
    op.create_index('ix_sla_rollup_quarter', 'sla_rollup', ['quarter'], unique=False)
    op.create_table('support_speed_rollup',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=True),
    sa.Column('priority', sa.SmallInteger(), nullable=True),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('median_working_s', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('support_charge_rollup',
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('rework', sa.Boolean(), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', 'month', 'rework')
    )
    op.create_table('support_work_rollup',
    sa.Column('ticket_id', sa.String(length=64), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('support_hours', sa.Float(), nullable=False),
    sa.Column('development_hours', sa.Float(), nullable=False),
    sa.Column('staff', sa.Integer(), nullable=False),
    sa.Column('first_work_date', sa.Date(), nullable=False),
    sa.Column('last_work_date', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    op.create_index('ix_support_work_rollup_last_work_date', 'support_work_rollup', ['last_work_date'], unique=False)
    op.create_index('ix_tickets_resolved_at', 'tickets', ['resolved_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tickets_resolved_at', table_name='tickets')
    op.drop_index('ix_support_work_rollup_last_work_date', table_name='support_work_rollup')
    op.drop_table('support_work_rollup')
    op.drop_table('support_charge_rollup')
    op.drop_table('support_speed_rollup')
    op.drop_index('ix_sla_rollup_quarter', table_name='sla_rollup')
    op.drop_table('sla_rollup')
