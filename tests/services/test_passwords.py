"""Password hashing: documented parameters, bounded and off the loop, old hashes upgraded."""

import asyncio
import threading

from argon2 import PasswordHasher
from sqlalchemy import select

from tarot.db.models import User
from tarot.services import passwords

PASSWORD = "correct horse battery"


class Spy:
    """Counts how many calls run at once, and on which threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = self.peak = self.calls = 0
        self.threads: set[str] = set()

    def run(self, function, *args):
        with self.lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
            self.threads.add(threading.current_thread().name)
        try:
            return function(*args)
        finally:
            with self.lock:
                self.running -= 1


class WatchedHasher(PasswordHasher):
    """The real argon2 hasher with the service's parameters, watched by two spies."""

    def __init__(self):
        real = passwords.hasher()
        super().__init__(
            time_cost=real.time_cost, memory_cost=real.memory_cost, parallelism=real.parallelism
        )
        self.verifies, self.hashes = Spy(), Spy()

    def verify(self, stored, password):
        return self.verifies.run(super().verify, stored, password)

    def hash(self, password, *, salt=None):
        return self.hashes.run(super().hash, password)


async def test_hashes_use_the_documented_parameters(pg_client):
    made = await pg_client.post(
        "/api/v1/auth/register", json={"email": "params@example.com", "password": PASSWORD}
    )
    assert made.status_code == 201
    async with pg_client.app.state.tarot.db.sessionmaker() as session:
        stored = await session.scalar(
            select(User.password_hash).where(User.email == "params@example.com")
        )
    assert stored.startswith("$argon2id$v=19$m=7168,t=5,p=1$")


async def test_a_burst_of_logins_hashes_one_at_a_time_off_the_loop(pg_client, monkeypatch):
    made = await pg_client.post(
        "/api/v1/auth/register", json={"email": "burst@example.com", "password": PASSWORD}
    )
    assert made.status_code == 201
    monkeypatch.setattr(passwords, "_dummy_hash", None)  # the throwaway hash is made anew
    watched = WatchedHasher()
    monkeypatch.setattr(passwords, "hasher", lambda: watched)
    verify, make = watched.verifies, watched.hashes
    emails = ["burst@example.com"] * 6 + [f"nobody{n}@example.com" for n in range(6)]
    answers = await asyncio.gather(
        *(
            pg_client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            for email in emails
        )
    )
    assert [answer.status_code for answer in answers] == [200] * 6 + [401] * 6
    assert verify.calls == 12
    assert verify.peak <= passwords.HASH_CONCURRENCY
    assert passwords.HASH_CONCURRENCY * passwords.MEMORY_COST_KIB <= 20 * 1024, "20 MB budget"
    assert make.calls >= 1, "the throwaway hash for unknown emails was made"
    loop_thread = threading.current_thread().name
    assert loop_thread not in verify.threads | make.threads
    assert all(name.startswith("argon2") for name in verify.threads | make.threads)


async def test_an_old_hash_is_upgraded_on_login(pg_client):
    made = await pg_client.post(
        "/api/v1/auth/register", json={"email": "old@example.com", "password": PASSWORD}
    )
    assert made.status_code == 201
    old = PasswordHasher().hash(PASSWORD)  # the library default main used to store
    assert "m=65536" in old
    db = pg_client.app.state.tarot.db
    async with db.sessionmaker.begin() as session:
        user = await session.scalar(select(User).where(User.email == "old@example.com"))
        user.password_hash = old
    login = await pg_client.post(
        "/api/v1/auth/login", json={"email": "old@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200
    async with db.sessionmaker() as session:
        stored = await session.scalar(
            select(User.password_hash).where(User.email == "old@example.com")
        )
    assert stored != old and not passwords.needs_rehash(stored)
    again = await pg_client.post(
        "/api/v1/auth/login", json={"email": "old@example.com", "password": PASSWORD}
    )
    assert again.status_code == 200, "the upgraded hash still verifies"


async def test_a_corrupt_stored_hash_is_a_wrong_password_not_a_crash():
    assert not await passwords.verify_password("not-a-hash", PASSWORD)
    assert not await passwords.verify_password(None, PASSWORD)
