"""comparison rollup: every partner's anonymized comparison per page window, NPS scheme and metric (SPEC §8, §9)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('comparison_rollup',
    sa.Column('window_id', sa.String(length=16), nullable=False),
    sa.Column('scheme', sa.String(length=8), nullable=False),
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('withheld', sa.Boolean(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('group_name', sa.String(length=200), nullable=True),
    sa.Column('group_name_en', sa.String(length=200), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('n_partners', sa.Integer(), nullable=False),
    sa.Column('n_answers', sa.Integer(), nullable=False),
    sa.Column('reason_ru', sa.Text(), nullable=True),
    sa.Column('reason_en', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('window_id', 'scheme', 'partner_id', 'metric')
    )


def downgrade() -> None:
    op.drop_table('comparison_rollup')
