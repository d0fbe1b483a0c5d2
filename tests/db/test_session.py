"""The engine keeps SQL parameters (questions, texts, emails) out of errors and logs."""

import logging

import pytest
from sqlalchemy import delete, select, text, update

from tarot.config import Settings
from tarot.db.migrate import seed, upgrade
from tarot.db.models import Card
from tarot.db.session import create_database, rowcount

QUESTION = "Will my secret plan with Dana work out?"


async def test_a_failed_insert_does_not_log_the_question(make_client, tmp_path, caplog):
    url = f"sqlite+aiosqlite:///{tmp_path / 'broken.db'}"
    await upgrade(url)
    db = create_database(Settings(DATABASE_URL=url))
    async with db.sessionmaker.begin() as session:
        await seed(session)
        # A real database error on the very statement that carries the question.
        await session.execute(
            text(
                "CREATE TRIGGER refuse_readings BEFORE INSERT ON reading "
                "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"
            )
        )
    await db.dispose()
    caplog.set_level(logging.INFO)
    async with make_client("sqlite", DATABASE_URL=url) as client:
        try:
            answer = await client.post("/api/v1/readings", json={"question": QUESTION})
            seen = answer.text
        except Exception as error:  # ASGITransport re-raises what the 500 handler logged
            seen = str(error)
    assert "forced failure" in caplog.text, "the error itself was logged"
    assert QUESTION not in caplog.text
    assert QUESTION not in seen


async def test_postgres_errors_hide_parameters_too(make_settings):
    db = create_database(make_settings("postgres"))
    try:
        async with db.sessionmaker() as session:
            try:  # a NOT NULL violation on the statement that carries the question
                await session.execute(
                    text("INSERT INTO reading (id, question) VALUES (gen_random_uuid(), :q)"),
                    {"q": QUESTION},
                )
            except Exception as error:  # the IntegrityError SQLAlchemy wraps
                message = str(error)
            else:
                raise AssertionError("the insert should have failed")
    finally:
        await db.dispose()
    assert "violates not-null constraint" in message
    assert QUESTION not in message


async def test_rowcount_counts_dml_rows_and_refuses_other_results(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'count.db'}"
    await upgrade(url)
    db = create_database(Settings(DATABASE_URL=url))
    try:
        async with db.sessionmaker.begin() as session:
            await seed(session)
            touched = await session.execute(update(Card).values(name=Card.name))
            assert rowcount(touched) == 78
            gone = await session.execute(delete(Card).where(Card.code == "no-such-card"))
            assert rowcount(gone) == 0
            with pytest.raises(TypeError, match="UPDATE or DELETE"):
                rowcount(await session.execute(select(Card)))
    finally:
        await db.dispose()
