"""catalog and readings

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("arcana", sa.String(length=8), nullable=False),
        sa.Column("suit", sa.String(length=12), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("rank", sa.String(length=12), nullable=True),
        sa.Column("keywords_upright", sa.JSON(), nullable=False),
        sa.Column("keywords_reversed", sa.JSON(), nullable=False),
        sa.Column("meaning_upright", sa.Text(), nullable=False),
        sa.Column("meaning_reversed", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("element", sa.String(length=8), nullable=False),
        sa.Column("astrology", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card")),
        sa.UniqueConstraint("code", name=op.f("uq_card_code")),
        sa.UniqueConstraint("ordinal", name=op.f("uq_card_ordinal")),
    )
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_arcana"), ["arcana"], unique=False)
        batch_op.create_index(batch_op.f("ix_card_suit"), ["suit"], unique=False)

    op.create_table(
        "spread",
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_spread")),
    )
    op.create_table(
        "reading",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("spread_slug", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("reversals", sa.Boolean(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("cards", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("interpretation", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=True),
        sa.Column("model", sa.String(length=80), nullable=True),
        sa.Column("attempts", sa.JSON(), nullable=False),
        sa.Column("usage", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["spread_slug"], ["spread.slug"], name=op.f("fk_reading_spread_slug_spread")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading")),
    )
    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reading_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            "ix_reading_status_created_at", ["status", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.drop_index("ix_reading_status_created_at")
        batch_op.drop_index(batch_op.f("ix_reading_owner_id"))

    op.drop_table("reading")
    op.drop_table("spread")
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_suit"))
        batch_op.drop_index(batch_op.f("ix_card_arcana"))

    op.drop_table("card")
