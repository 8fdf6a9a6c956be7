"""issue 14: `stored_counts`, the rows stored per input kind, kept by the loads

The admin's home counted every input table once per process and load (15 `count(*)`, 0.4–0.8 s at `large`). Each
load now adds the rows its upserts inserted to this table in its own transaction (`store.bulk.upsert_dataframe`),
so the home reads 15 rows. Filled here with the exact counts of the stored rows (the kinds of
`store.models.KIND_TABLES` as of this revision).

Revision ID: 0016_stored_counts
Revises: 0015
Create Date: 2026-11-30 23:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_stored_counts'
down_revision = '0015'
branch_labels = None
depends_on = None

KIND_TABLES = {"partners": "partners", "clients": "clients", "projects": "projects", "monitor_tests": "monitor_tests",
               "license_keys": "license_keys", "surveys": "surveys", "tickets": "tickets",
               "ticket_pauses": "ticket_pauses", "worklog": "worklog", "staff": "staff", "deposits": "deposits",
               "kkv_points": "kkv_points", "enterprise_reports": "enterprise_reports",
               "saas_contracts": "saas_contracts", "leads": "leads"}


def upgrade() -> None:
    op.create_table('stored_counts',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind')
    )
    for kind, table in KIND_TABLES.items():
        op.execute(f"INSERT INTO stored_counts (kind, rows) SELECT '{kind}', count(*) FROM \"{table}\" "
                   "HAVING count(*) > 0")  # a kind without a row has none (a new database: no row)


def downgrade() -> None:
    op.drop_table('stored_counts')
