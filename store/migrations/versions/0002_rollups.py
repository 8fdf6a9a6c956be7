"""rollups: survey answer counts and Quality Program competence history (SPEC §9)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:39:51.363681
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('competence_history',
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('keys', sa.Integer(), nullable=False),
    sa.Column('covered', sa.Integer(), nullable=False),
    sa.Column('share', sa.Float(), nullable=True),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', 'month')
    )
    with op.batch_alter_table('competence_history', schema=None) as batch_op:
        batch_op.create_index('ix_competence_history_month', ['month'], unique=False)

    op.create_table('survey_rollup',
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('question', sa.String(length=32), nullable=False),
    sa.Column('scale', sa.SmallInteger(), nullable=False),
    sa.Column('answer', sa.SmallInteger(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('industry', sa.String(length=120), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', 'quarter', 'question', 'scale', 'answer', 'category', 'industry')
    )
    with op.batch_alter_table('survey_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_survey_rollup_quarter', ['quarter'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('survey_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_rollup_quarter')

    op.drop_table('survey_rollup')
    with op.batch_alter_table('competence_history', schema=None) as batch_op:
        batch_op.drop_index('ix_competence_history_month')

    op.drop_table('competence_history')
