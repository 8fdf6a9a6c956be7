"""issue 14: `comparison_rollup.answers_from`, the group's answer count as the floor of its shown band

The page shows a comparison group's answer count only as a band («30–49», «50–99», «100+»). The rollup stored the
exact count, which moves with every answer in a country: a 200-survey file rewrote 32 k of Russia's 71 k rows at
`large` for figures no one sees. The column now holds the band's floor (30, 50, 100; 0 when withheld), as
`metrics.privacy.answer_band_floor` computes it.

`comparison_rollup.row_digest`: a hash of each row's values, so a refresh writes only the rows whose digest changed
(`store.bulk.replace_frame`); NULL until the next refresh writes the row.

Revision ID: 0017
Revises: 0016_stored_counts
Create Date: 2026-11-30 23:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016_stored_counts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comparison_rollup') as batch:
        batch.alter_column('n_answers', new_column_name='answers_from')
        batch.add_column(sa.Column('row_digest', sa.BigInteger(), nullable=True))
    op.execute("UPDATE comparison_rollup SET answers_from = CASE WHEN answers_from >= 100 THEN 100 "
               "WHEN answers_from >= 50 THEN 50 WHEN answers_from >= 30 THEN 30 ELSE 0 END")


def downgrade() -> None:
    # the exact counts are gone: the next refresh writes them again
    with op.batch_alter_table('comparison_rollup') as batch:
        batch.drop_column('row_digest')
        batch.alter_column('answers_from', new_column_name='n_answers')
