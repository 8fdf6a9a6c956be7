"""workflows: meeting actions and snapshots, TOP-10 exclusions and approvals, KKV renewals, churn reasons (SPEC §12)

Revision ID: 0009
Revises: 0005 (on this branch; re-point at 0008 when merged after revisions 0006-0008)
Create Date: 2026-11-30 06:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

Ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('meeting_actions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('finding', sa.String(length=120), nullable=False),
    sa.Column('finding_label', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', Ts, nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', Ts, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_meeting_actions_client_id', 'meeting_actions', ['client_id'])
    op.create_table('meeting_snapshots',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('created_at', Ts, nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_meeting_snapshots_client_id', 'meeting_snapshots', ['client_id'])
    op.create_table('top10_exclusions',
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('created_at', Ts, nullable=False),
    sa.PrimaryKeyConstraint('quarter', 'partner_id')
    )
    op.create_table('top10_approvals',
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('approved_at', Ts, nullable=False),
    sa.Column('ranking', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('quarter')
    )
    op.create_table('kkv_renewals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', Ts, nullable=False),
    sa.Column('review_due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=64), nullable=True),
    sa.Column('reviewed_at', Ts, nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_kkv_renewals_partner_id', 'kkv_renewals', ['partner_id'])
    op.create_table('kkv_level_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('changed_at', Ts, nullable=False),
    sa.Column('old_level', sa.String(length=16), nullable=False),
    sa.Column('new_level', sa.String(length=16), nullable=False),
    sa.Column('old_valid_until', sa.Date(), nullable=True),
    sa.Column('new_valid_until', sa.Date(), nullable=True),
    sa.Column('cause', sa.String(length=32), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_kkv_level_changes_partner_id', 'kkv_level_changes', ['partner_id'])
    op.create_table('churn_reasons',
    sa.Column('contract_id', sa.String(length=64), nullable=False),
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('updated_at', Ts, nullable=False),
    sa.PrimaryKeyConstraint('contract_id')
    )
    op.create_index('ix_churn_reasons_partner_id', 'churn_reasons', ['partner_id'])


def downgrade() -> None:
    for table in ('churn_reasons', 'kkv_level_changes', 'kkv_renewals', 'top10_approvals', 'top10_exclusions',
                  'meeting_snapshots', 'meeting_actions'):
        op.drop_table(table)
