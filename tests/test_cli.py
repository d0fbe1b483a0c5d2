"""The tarot command: admin creation and idempotent seeding."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from tarot.config import Settings
from tarot.db.models import Card, User
from tarot.db.session import create_database

TAROT = str(Path(sys.executable).parent / "tarot")


def run(*args: str, url: str, **env: str) -> subprocess.CompletedProcess:
    environment = os.environ | {"DATABASE_URL": url} | env
    return subprocess.run(
        [TAROT, *args], env=environment, capture_output=True, text=True, timeout=60, check=False
    )


async def test_admin_create_and_seed_twice(database_urls):
    url = database_urls["postgres"]
    made = run(
        "admin",
        "create",
        "--email",
        "Ops@Example.com",
        url=url,
        TAROT_ADMIN_PASSWORD="a-long-admin-password",
    )
    assert made.returncode == 0, made.stderr
    assert "a-long-admin-password" not in made.stdout + made.stderr
    too_short = run(
        "admin", "create", "--email", "x@example.com", url=url, TAROT_ADMIN_PASSWORD="short"
    )
    assert too_short.returncode != 0
    for _ in range(2):
        assert run("db", "seed", url=url).returncode == 0

    db = create_database(Settings(DATABASE_URL=url))
    try:
        async with db.sessionmaker() as session:
            admin = await session.scalar(select(User).where(User.email == "ops@example.com"))
            cards = await session.scalar(select(func.count()).select_from(Card))
            assert admin.role == "admin"
            assert cards == 78
            await session.delete(admin)
            await session.commit()
    finally:
        await db.dispose()
