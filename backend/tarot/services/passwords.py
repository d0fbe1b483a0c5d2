"""Password hashing with argon2id: the parameters live here, and hashing is bounded.

Parameters: the OWASP Password Storage Cheat Sheet lists five equivalent argon2id minimums
(m=47 MiB t=1, m=19 MiB t=2, m=12 MiB t=3, m=9 MiB t=4, m=7 MiB t=5, all p=1); we take the
least memory, m=7 MiB with t=5 passes, as RFC 9106 section 4 advises when memory is the
constraint (lower m, raise t). The library default (m=64 MiB, p=4) cost 65 MB of peak memory
per login on a server that idles near 80 MB. p=1 keeps each hash on one core (~17 ms here).

All hashing runs in one small executor of its own: at most HASH_CONCURRENCY hashes exist at
once, so a burst of logins waits its turn instead of multiplying the memory, and the event
loop never runs argon2 (not even for the throwaway hash of an unknown email).
"""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import cache

TIME_COST = 5
MEMORY_COST_KIB = 7 * 1024
PARALLELISM = 1
HASH_CONCURRENCY = 1  # peak hashing memory is HASH_CONCURRENCY * MEMORY_COST_KIB

_executor = ThreadPoolExecutor(max_workers=HASH_CONCURRENCY, thread_name_prefix="argon2")
_dummy_hash: str | None = None


@cache
def hasher():
    """The one PasswordHasher; argon2 is imported on first use."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)


async def _in_executor(function, *args):
    return await asyncio.get_running_loop().run_in_executor(_executor, function, *args)


async def hash_password(password: str) -> str:
    """A new argon2id hash of `password`, computed off the event loop."""
    return await _in_executor(hasher().hash, password)


def _verify(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; None (no such user) costs the same and is False."""
    if stored is None:
        await _in_executor(_verify, await _throwaway_hash(), password)
        return False
    return await _in_executor(_verify, stored, password)


def needs_rehash(stored: str) -> bool:
    """True when `stored` was made with other parameters than today's."""
    return hasher().check_needs_rehash(stored)


async def _throwaway_hash() -> str:
    # Made once, in the executor, with the current parameters: unknown emails then take as
    # long to refuse as wrong passwords.
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = await hash_password(secrets.token_hex(16))
    return _dummy_hash
