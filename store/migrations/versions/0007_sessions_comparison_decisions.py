"""sessions and comparison decisions (SPEC §8, issue 18)

`sessions`: log-in sessions kept on the server so that log-out and a password change end them.
`comparison_decisions`: the level (city/region/country) each partner's comparison of a window was
first shown at, so that later loads can only withhold it, never show it at a finer level.

Revision ID: 0007
Revises: 0010 (main already had 0006, 0008, 0009 and 0010 when this branch was rebased: appended after them to keep one head)
Create Date: 2026-11-30 06:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sessions',
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sid')
    )
    op.create_index('ix_sessions_user_id', 'sessions', ['user_id'])
    op.create_index('ix_sessions_expires_at', 'sessions', ['expires_at'])
    op.create_table('comparison_decisions',
    sa.Column('window_id', sa.String(length=16), nullable=False),
    sa.Column('scheme', sa.String(length=8), nullable=False),
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('window_id', 'scheme', 'partner_id', 'metric')
    )


def downgrade() -> None:
    op.drop_table('comparison_decisions')
    op.drop_index('ix_sessions_expires_at', table_name='sessions')
    op.drop_index('ix_sessions_user_id', table_name='sessions')
    op.drop_table('sessions')
