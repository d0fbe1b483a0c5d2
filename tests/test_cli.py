"""The tarot command: admin creation and idempotent seeding."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select

from tarot.config import Settings
from tarot.db.models import Card, User
from tarot.db.session import create_database
from tarot.services.passwords import verify_password

TAROT = str(Path(sys.executable).parent / "tarot")


def run(*args: str, url: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "TAROT_ADMIN_PASSWORD"}
    environment |= {"DATABASE_URL": url} | env
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


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def assert_one_line(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


BAD_URLS = {
    "garbage": ("not a url", "not a database URL"),
    "empty": ("", "empty"),
    "closed port": (f"postgres://postgres@127.0.0.1:{closed_port()}/x", "connection refused"),
    "unknown host": ("postgres://postgres@no-such-host.invalid/x", "unknown host"),
    "missing database": (
        "postgres://postgres@127.0.0.1:5432/tarot_no_such_database",
        "does not exist",
    ),
    "mysql": ("mysql://user:secret-pw@127.0.0.1/tarot", "'mysql'"),
}


@pytest.mark.parametrize("case", list(BAD_URLS))
@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve",), ("db", "seed")])
def test_a_bad_database_url_is_one_line_and_exit_1(case, command):
    url, cause = BAD_URLS[case]
    result = run(*command, url=url)
    assert_one_line(result, "DATABASE_URL", cause)
    assert "secret-pw" not in result.stderr


@pytest.fixture
async def empty_database(pg_server_url):
    """A Postgres database that exists but was never migrated."""
    name = f"tarot_empty_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{pg_server_url.rpartition('/')[0]}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def test_seed_and_admin_before_upgrade_say_to_upgrade(empty_database):
    assert_one_line(run("db", "seed", url=empty_database), "tarot db upgrade")
    admin = run(
        "admin",
        "create",
        "--email",
        "ops@example.com",
        url=empty_database,
        TAROT_ADMIN_PASSWORD="a-long-admin-password",
    )
    assert_one_line(admin, "tarot db upgrade")


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "two@@example.com", "sp ace@example.com"])
def test_admin_create_refuses_a_bad_email(database_urls, email):
    result = run(
        "admin",
        "create",
        "--email",
        email,
        url=database_urls["postgres"],
        TAROT_ADMIN_PASSWORD="a-long-admin-password",
    )
    assert_one_line(result, "not a valid email")


async def test_admin_create_on_an_existing_account_sets_the_new_password(database_urls):
    url = database_urls["postgres"]
    first = run(
        "admin",
        "create",
        "--email",
        "twice@example.com",
        url=url,
        TAROT_ADMIN_PASSWORD="first-password-1",
    )
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    second = run(
        "admin",
        "create",
        "--email",
        "twice@example.com",
        url=url,
        TAROT_ADMIN_PASSWORD="second-password-2",
    )
    assert second.returncode == 0, second.stderr
    assert (
        "already existed" in second.stdout and "password is now the one you gave" in second.stdout
    )
    db = create_database(Settings(DATABASE_URL=url))
    try:
        async with db.sessionmaker() as session:
            user = await session.scalar(select(User).where(User.email == "twice@example.com"))
            assert user.role == "admin"
            assert await verify_password(user.password_hash, "second-password-2")
            assert not await verify_password(user.password_hash, "first-password-1")
            await session.delete(user)
            await session.commit()
    finally:
        await db.dispose()
