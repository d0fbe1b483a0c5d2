"""What checking an access token costs, and how revocation reaches another instance."""

from contextlib import contextmanager

from sqlalchemy import event

PASSWORD = "correct horse battery"


@contextmanager
def counting(app):
    """Count the SQL statements the app's engine runs inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = app.state.tarot.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def signed_in(client, email: str) -> dict:
    body = {"email": email, "password": PASSWORD}
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
    tokens = (await client.post("/api/v1/auth/login", json=body)).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_a_signed_in_request_costs_one_lookup_cached_or_not(client):
    headers = await signed_in(client, "ron@example.com")
    with counting(client.app) as first:
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    with counting(client.app) as cached:
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    selects = [s for s in first if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "auth_session" in selects[0], "session check + account, joined"
    cached_selects = [s for s in cached if s.lstrip().upper().startswith("SELECT")]
    assert len(cached_selects) == 1 and "auth_session" not in cached_selects[0]
    with counting(client.app) as anonymous:
        assert (await client.get("/api/v1/spreads")).status_code == 200
    assert not [s for s in anonymous if "auth_session" in s], "no token, no session work"


async def test_revocation_reaches_another_instance_after_its_check_ttl(make_client):
    async with (
        make_client("postgres") as here,
        make_client("postgres", session_check_seconds=0) as uncached,
        make_client("postgres", session_check_seconds=3600) as cached,
    ):
        headers = await signed_in(here, "sue@example.com")
        for other in (uncached, cached):
            assert (await other.get("/api/v1/me", headers=headers)).status_code == 200
        assert (await here.post("/api/v1/auth/logout", headers=headers)).status_code == 204
        assert (await here.get("/api/v1/me", headers=headers)).status_code == 401
        assert (await uncached.get("/api/v1/me", headers=headers)).status_code == 401
        # Within its TTL an instance still trusts what it saw: the documented trade-off.
        assert (await cached.get("/api/v1/me", headers=headers)).status_code == 200
        cached.app.state.tarot.session_cache.expire(
            cached.app.state.tarot.session_cache.timer() + 3601
        )
        assert (await cached.get("/api/v1/me", headers=headers)).status_code == 401


async def test_ended_sessions_are_purged_with_their_tokens(client):
    from sqlalchemy import func, select, update

    from tarot.db.models import AuthSession, RefreshToken, utcnow
    from tarot.services.sessions import purge_ended

    headers = await signed_in(client, "tom@example.com")
    await signed_in(client, "uma@example.com")
    db = client.app.state.tarot.db
    async with db.sessionmaker.begin() as session:
        oldest = await session.scalar(select(AuthSession.id).limit(1))
        await session.execute(
            update(AuthSession).where(AuthSession.id == oldest).values(expires_at=utcnow())
        )
    assert await purge_ended(db=db) == 1
    async with db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AuthSession)) == 1
        assert await session.scalar(select(func.count()).select_from(RefreshToken)) == 1
    assert headers  # the other account's session is untouched


async def test_refresh_is_rate_limited_per_client_address(make_client):
    async with make_client("sqlite", rate_auth="3/minute") as client:
        body = {"refresh_token": "not-a-token-we-issued"}
        codes = [
            (await client.post("/api/v1/auth/refresh", json=body)).status_code for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
