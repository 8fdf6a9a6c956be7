"""issue 14: `survey_score_rollup`, survey answers counted per partner × quarter × survey metric

Trends and the management home summed `survey_rollup` (every question × answer value × category × industry) for
each view: 175 k rows for two quarters of CSAT at `large`. This rollup holds the sums per partner, quarter and
metric (CSAT, NPS of the partner, NPS of the platform). Filled here from `survey_rollup`, with the same sums as
`store.rollups.survey_score_rows` (the question lists as of this revision).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 16:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

SATISFACTION = ("q_business_goals", "q_design", "q_dev_quality", "q_managers", "q_budget", "q_speed",
                "q_platform_usability", "q_platform_features")
RECOMMEND = ("q_recommend_partner", "q_recommend_platform")


def _in(questions: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{q}'" for q in questions) + ")"


def upgrade() -> None:
    op.create_table('survey_score_rollup',
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('top', sa.Integer(), nullable=False),
    sa.Column('promoters_top1', sa.Integer(), nullable=False),
    sa.Column('detractors_top1', sa.Integer(), nullable=False),
    sa.Column('promoters_top2', sa.Integer(), nullable=False),
    sa.Column('detractors_top2', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', 'quarter', 'metric')
    )
    op.create_index('ix_survey_score_rollup_quarter', 'survey_score_rollup', ['quarter'], unique=False)
    recommend = f"question IN {_in(RECOMMEND)}"

    def counted(condition: str) -> str:
        return f"COALESCE(SUM(CASE WHEN {condition} THEN answers ELSE 0 END), 0)"

    op.execute(
        "INSERT INTO survey_score_rollup (partner_id, quarter, metric, answers, top, promoters_top1, detractors_top1, "
        "promoters_top2, detractors_top2) "
        f"SELECT partner_id, quarter, metric, SUM(answers), "
        f"{counted('(scale = 10 AND answer >= 9) OR (scale <> 10 AND answer >= 4)')}, "
        f"{counted(f'{recommend} AND ((scale = 10 AND answer >= 9) OR (scale <> 10 AND answer >= 5))')}, "
        f"{counted(f'{recommend} AND ((scale = 10 AND answer <= 6) OR (scale <> 10 AND answer <= 3))')}, "
        f"{counted(f'{recommend} AND ((scale = 10 AND answer >= 9) OR (scale <> 10 AND answer >= 4))')}, "
        f"{counted(f'{recommend} AND ((scale = 10 AND answer <= 6) OR (scale <> 10 AND answer <= 2))')} "
        "FROM (SELECT survey_rollup.*, CASE "
        f"WHEN question IN {_in(SATISFACTION)} THEN 'csat' "
        "WHEN question = 'q_recommend_partner' THEN 'nps_partner' "
        "WHEN question = 'q_recommend_platform' THEN 'nps_platform' END AS metric FROM survey_rollup) AS counts "
        "WHERE metric IS NOT NULL GROUP BY partner_id, quarter, metric")


def downgrade() -> None:
    op.drop_index('ix_survey_score_rollup_quarter', table_name='survey_score_rollup')
    op.drop_table('survey_score_rollup')
