"""Database layer: engine, sessions and models."""

# The newest alembic revision; the server compares it with the database to skip migrating
# (and importing alembic) when nothing changed. A test keeps it equal to alembic's head.
HEAD_REVISION = "0006_features"
