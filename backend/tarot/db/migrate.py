"""Schema migrations and seeding, used by the CLI; alembic is imported only here."""

from __future__ import annotations

import asyncio
from importlib.resources import files

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tarot.db import HEAD_REVISION
from tarot.db.models import Card, Spread


def script_location() -> str:
    """The migration scripts inside the installed package (`tarot/_migrations`).

    That folder is a symlink to the top-level `alembic/` in a checkout and a plain copy in a
    wheel, so a non-editable install migrates without any source tree.
    """
    return str(files("tarot") / "_migrations")


def _alembic_config(database_url: str):
    from alembic.config import Config

    # No alembic.ini: an installed package has none, and env.py configures everything else.
    config = Config()
    config.set_main_option("script_location", script_location())
    config.set_main_option("path_separator", "os")
    config.attributes["database_url"] = database_url
    return config


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database up to `revision` (alembic's env.py runs its own event loop)."""
    from alembic import command

    await asyncio.to_thread(command.upgrade, _alembic_config(database_url), revision)


async def downgrade(database_url: str, revision: str = "base") -> None:
    """Migrate the database down to `revision`."""
    from alembic import command

    await asyncio.to_thread(command.downgrade, _alembic_config(database_url), revision)


def script_head() -> str:
    """The head revision according to alembic's own scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config("")).get_current_head()
    if head is None:  # the package ships its migrations; none found means a broken install
        raise RuntimeError("alembic/versions holds no migration: the package is incomplete")
    return head


async def is_ready(engine: AsyncEngine) -> bool:
    """True when the schema is at HEAD_REVISION and the catalog is seeded.

    Plain queries rather than schema inspection: this runs in the server process, and
    SQLAlchemy's reflection machinery would stay in its memory for good.
    """
    try:
        async with engine.connect() as conn:
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            if version != HEAD_REVISION:
                return False
            return bool(await conn.scalar(text("SELECT count(*) FROM card")))
    except DBAPIError:  # no alembic_version table yet: an empty database
        return False


async def seed(session: AsyncSession) -> dict[str, int]:
    """Insert the cards and spreads that are missing; never overwrites edited rows."""
    from tarot.data import load_cards, load_spreads

    have_cards = set((await session.scalars(select(Card.id))).all())
    have_spreads = set((await session.scalars(select(Spread.slug))).all())
    new_cards = [
        Card(ordinal=index, **card)
        for index, card in enumerate(load_cards())
        if card["id"] not in have_cards
    ]
    new_spreads = [
        Spread(ordinal=index, **spread)
        for index, spread in enumerate(load_spreads())
        if spread["slug"] not in have_spreads
    ]
    session.add_all([*new_cards, *new_spreads])
    await session.flush()
    return {"cards": len(new_cards), "spreads": len(new_spreads)}
