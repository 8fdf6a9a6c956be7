"""Storage: SQLAlchemy models, engine/session helpers, Alembic migrations, bulk writes, queries, rollups."""
