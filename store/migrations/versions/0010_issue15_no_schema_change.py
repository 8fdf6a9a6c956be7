"""issue 15 (answers at a glance): no schema change — keeps the revision chain linear

Page state lives in the URL (deep links), not in the database, so this revision changes nothing.
Chain: 0009 -> 0010.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 06:30:00
"""

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to do."""


def downgrade() -> None:
    """Nothing to undo."""
