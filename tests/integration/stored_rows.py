"""`count_rows(engine, model, **where)`: how many rows of a table match, for the workflow tests' "nothing written"."""
from __future__ import annotations

from sqlalchemy import Engine, func, select


def count_rows(engine: Engine, model: type, **where: object) -> int:
    """Rows of `model` whose columns equal the given values (all rows without conditions)."""
    stmt = select(func.count()).select_from(model)
    for column, value in where.items():
        stmt = stmt.where(getattr(model, column) == value)
    with engine.connect() as conn:
        return conn.scalar(stmt)
