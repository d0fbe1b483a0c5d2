"""follow-ups, custom spreads, client draws, focus and tone, and private notes on readings

Revision ID: 0006_features
Revises: 0003_reader
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_features"
down_revision = "0005_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reading") as batch:
        # A custom spread or a follow-up has no catalog spread; its positions live on the row.
        batch.alter_column("spread_slug", existing_type=sa.String(length=40), nullable=True)
        batch.add_column(sa.Column("positions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("parent_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column("draw_source", sa.String(length=8), nullable=False, server_default="server")
        )
        batch.add_column(sa.Column("focus", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("tone", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("note_updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reading_parent_id_reading"), "reading", ["parent_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch.create_index(op.f("ix_reading_parent_id"), ["parent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reading") as batch:
        batch.drop_index(op.f("ix_reading_parent_id"))
        batch.drop_constraint(op.f("fk_reading_parent_id_reading"), type_="foreignkey")
        for column in ("note_updated_at", "note", "tone", "focus", "draw_source", "parent_id"):
            batch.drop_column(column)
        batch.drop_column("positions")
        batch.alter_column("spread_slug", existing_type=sa.String(length=40), nullable=False)
