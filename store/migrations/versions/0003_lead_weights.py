"""lead weights: admin adjustments of the 1cfresh lead shares (seed 002)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lead_weights',
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('partner_id')
    )


def downgrade() -> None:
    op.drop_table('lead_weights')
