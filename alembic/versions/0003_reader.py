"""the reader's safety class and structured answer on each reading

Revision ID: 0003_reader
Revises: 0004_idempotency
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_reader"
down_revision = "0004_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reading") as batch:
        batch.add_column(sa.Column("safety_class", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("reader", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reading") as batch:
        batch.drop_column("reader")
        batch.drop_column("safety_class")
