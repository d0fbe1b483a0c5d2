"""The suite itself: without its Postgres it stops at once with one line saying what to set."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_an_unreachable_test_database_stops_the_suite_in_one_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    env = os.environ | {"TAROT_TEST_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/test"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode != 0
    assert len(lines) == 1, lines[:20]
    assert "TAROT_TEST_DATABASE_URL" in lines[0] and f"127.0.0.1:{port}" in lines[0]


async def test_catalog_edits_are_put_back_even_when_the_test_fails(database_urls):
    from sqlalchemy import select, update

    from fakes.catalog import catalog_restored
    from tarot.config import Settings
    from tarot.db.models import Card, Spread
    from tarot.db.session import create_database

    async def words(db) -> tuple:
        async with db.sessionmaker() as session:
            card = await session.scalar(select(Card.meaning_upright).where(Card.code == "ar01"))
            spread = await session.scalar(select(Spread.name).where(Spread.slug == "single"))
        return card, spread

    class Failed(Exception):
        """Stands for a failing assertion in a test body."""

    for url in database_urls.values():
        db = create_database(Settings(DATABASE_URL=url))
        before = await words(db)
        try:
            async with catalog_restored([url]):
                async with db.sessionmaker.begin() as session:
                    await session.execute(
                        update(Card).where(Card.code == "ar01").values(meaning_upright="edited")
                    )
                    await session.execute(
                        update(Spread).where(Spread.slug == "single").values(name="edited")
                    )
                assert await words(db) == ("edited", "edited")
                raise Failed
        except Failed:
            pass
        assert await words(db) == before, url
        await db.dispose()
