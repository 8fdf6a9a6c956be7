"""issue 14: `survey_question_rollup`, survey answers summed per partner × quarter × question

A country's anonymized comparison grouped `survey_rollup` (answer values × categories × industries) into answer
counts per partner, quarter and question on every refresh: 1.05 s of a 200-survey delta's comparison for Russia
at `large`. This rollup holds the cells the comparison computes from (answers, their sum, top-box answers,
promoters and detractors under both NPS schemes, each question on its own scale). Filled here from
`survey_rollup`, with the same sums as `store.rollups.survey_question_rows`.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 19:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_question_rollup',
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('question', sa.String(length=32), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('top', sa.Integer(), nullable=False),
    sa.Column('promoters_top1', sa.Integer(), nullable=False),
    sa.Column('detractors_top1', sa.Integer(), nullable=False),
    sa.Column('promoters_top2', sa.Integer(), nullable=False),
    sa.Column('detractors_top2', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', 'quarter', 'question')
    )
    op.create_index('ix_survey_question_rollup_quarter', 'survey_question_rollup', ['quarter'], unique=False)

    def counted(condition: str) -> str:
        return f"COALESCE(SUM(CASE WHEN {condition} THEN answers ELSE 0 END), 0)"

    op.execute(
        "INSERT INTO survey_question_rollup (partner_id, quarter, question, answers, total, top, promoters_top1, "
        "detractors_top1, promoters_top2, detractors_top2) "
        "SELECT partner_id, quarter, question, SUM(answers), COALESCE(SUM(answers * answer), 0), "
        f"{counted('(scale = 10 AND answer >= 9) OR (scale <> 10 AND answer >= 4)')}, "
        f"{counted('(scale = 10 AND answer >= 9) OR (scale <> 10 AND answer >= 5)')}, "
        f"{counted('(scale = 10 AND answer <= 6) OR (scale <> 10 AND answer <= 3)')}, "
        f"{counted('(scale = 10 AND answer >= 9) OR (scale <> 10 AND answer >= 4)')}, "
        f"{counted('(scale = 10 AND answer <= 6) OR (scale <> 10 AND answer <= 2)')} "
        "FROM survey_rollup GROUP BY partner_id, quarter, question")


def downgrade() -> None:
    op.drop_index('ix_survey_question_rollup_quarter', table_name='survey_question_rollup')
    op.drop_table('survey_question_rollup')
