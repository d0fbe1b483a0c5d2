"""The circuit breaker: when it opens, how long it stays open, and the one probe after that."""

from __future__ import annotations

import time

import pytest

from fakes.providers import PROMPT, run_chain, run_outcomes
from tarot.llm.attempts import ChainExhausted, ChainRun
from tarot.llm.base import ErrorKind, ProviderError
from tarot.llm.breaker import CircuitBreaker
from tarot.llm.chain import ProviderChain
from tarot.llm.reader import provider as reader_provider


class Clock:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def breaker(clock: Clock, threshold: int = 3, cooldown: float = 60.0) -> CircuitBreaker:
    return CircuitBreaker(threshold=threshold, cooldown=cooldown, clock=clock)


def test_it_opens_on_the_threshold_th_consecutive_failure_not_before(clock):
    b = breaker(clock, threshold=3)
    assert [b.failed(), b.failed()] == [False, False]
    assert b.state == "closed" and b.enter() == "call"
    assert b.failed() is True
    assert b.state == "open" and b.enter() is None
    assert b.open_until == clock.now + 60.0


def test_every_failure_counts(clock):
    b = breaker(clock, threshold=2)
    b.failed()
    assert b.consecutive_failures == 1
    b.failed()
    assert b.consecutive_failures == 2 and b.is_open()


def test_a_success_wipes_the_failures_so_far(clock):
    b = breaker(clock, threshold=3)
    b.failed()
    b.failed()
    b.succeeded()
    assert b.consecutive_failures == 0
    b.failed()
    b.failed()
    assert b.state == "closed", "two failures after a success are two, not four"


def test_the_cooldown_runs_out_and_not_a_moment_before(clock):
    b = breaker(clock, threshold=1, cooldown=60.0)
    b.failed()
    clock.now += 59.9
    assert b.state == "open" and b.enter() is None
    clock.now += 0.1
    assert b.state == "half_open" and not b.is_open()


def test_half_open_lets_exactly_one_probe_through(clock):
    b = breaker(clock, threshold=1)
    b.failed()
    clock.now += 61
    assert b.enter() == "probe"
    assert b.enter() is None, "a second caller waits while the probe is out"
    assert b.enter() is None


def test_a_successful_probe_closes_the_breaker(clock):
    b = breaker(clock, threshold=2)
    b.failed()
    b.failed()
    clock.now += 61
    entry = b.enter()
    b.succeeded()
    b.leave(entry)
    assert b.state == "closed" and b.consecutive_failures == 0
    assert [b.enter(), b.enter()] == ["call", "call"]


def test_a_failed_probe_opens_it_for_another_cooldown(clock):
    b = breaker(clock, threshold=2, cooldown=60.0)
    b.failed()
    b.failed()
    clock.now += 61
    entry = b.enter()
    assert b.failed() is True, "one failure is enough while half-open"
    b.leave(entry)
    assert b.state == "open" and b.open_until == clock.now + 60.0


def test_a_probe_that_ends_without_an_outcome_frees_the_slot(clock):
    b = breaker(clock, threshold=1)
    b.failed()
    clock.now += 61
    entry = b.enter()
    b.leave(entry)  # cancelled: neither a success nor a failure was recorded
    assert b.enter() == "probe"


def test_leaving_a_normal_call_does_not_free_someone_elses_probe(clock):
    b = breaker(clock, threshold=1)
    call = b.enter()  # closed: a normal call
    b.failed()
    clock.now += 61
    assert b.enter() == "probe"
    b.leave(call)
    assert b.enter() is None


def test_the_scheduler_closes_a_cooled_breaker_unless_a_probe_is_out(clock):
    b = breaker(clock, threshold=1)
    b.failed()
    assert b.close_if_cooled() is False, "still cooling"
    clock.now += 61
    entry = b.enter()
    assert b.close_if_cooled() is False, "the probe decides"
    b.leave(entry)
    assert b.close_if_cooled() is True
    assert b.state == "closed" and b.consecutive_failures == 0


# --- the breaker inside the chain: real SDK, fake server ---


@pytest.fixture
def gemini_first(make_settings, chain_settings, clock):
    """A chain gemini -> openai (no offline) that opens after two failures, on the test clock."""
    values = chain_settings | {
        "llm_providers": "gemini,openai",
        "llm_cooldown_failures": 2,
        "llm_cooldown_seconds": 60,
        "llm_max_attempts": 1,
    }
    return ProviderChain(make_settings(**values), clock=clock)


async def test_the_chain_skips_an_open_provider_then_probes_it(gemini_first, gemini, clock):
    gemini.script = ["500", "500"]
    try:
        assert run_outcomes(await run_chain(gemini_first)) == [
            ("gemini", "server_error"),
            ("openai", "ok"),
        ]
        assert run_outcomes(await run_chain(gemini_first))[0] == ("gemini", "server_error")
        assert run_outcomes(await run_chain(gemini_first)) == [
            ("gemini", "skipped_cooldown"),
            ("openai", "ok"),
        ]
        assert len(gemini.requests) == 2
        clock.now += 61
        probe = await run_chain(gemini_first)
        assert run_outcomes(probe) == [("gemini", "ok")], "the probe succeeds and writes"
        assert gemini_first.stats["gemini"].breaker.state == "closed"
    finally:
        await gemini_first.aclose()


async def test_while_the_probe_streams_other_readings_go_to_the_next_provider(
    gemini_first, gemini, openai, clock
):
    gemini.script = ["500", "500"]
    try:
        await run_chain(gemini_first)
        await run_chain(gemini_first)
        clock.now += 61
        gemini.chunk_delay = 0.05
        probe_run = ChainRun()
        probe = aiter(gemini_first.stream(PROMPT, probe_run, deadline=time.monotonic() + 30))
        first = await anext(probe)  # the probe is out and has written its first text
        assert isinstance(first, str) and first
        other = await run_chain(gemini_first)
        assert run_outcomes(other) == [("gemini", "skipped_cooldown"), ("openai", "ok")]
        async for _ in probe:
            pass
        assert run_outcomes(probe_run) == [("gemini", "ok")]
        assert len(gemini.requests) == 3, "two failures and one probe"
    finally:
        await gemini_first.aclose()


async def test_a_probe_abandoned_mid_stream_lets_the_next_reading_probe(
    gemini_first, gemini, clock
):
    gemini.script = ["500", "500"]
    try:
        await run_chain(gemini_first)
        await run_chain(gemini_first)
        clock.now += 61
        probe = gemini_first.stream(PROMPT, ChainRun(), deadline=time.monotonic() + 30)
        await anext(aiter(probe))
        await probe.aclose()  # e.g. the worker was cancelled at shutdown
        again = await run_chain(gemini_first)
        assert run_outcomes(again) == [("gemini", "ok")]
    finally:
        await gemini_first.aclose()


class BrokenReader:
    """An offline reader that always fails, to show that the last resort never cools down."""

    name, model = "offline", "broken"

    async def stream(self, prompt):
        raise ProviderError(ErrorKind.MALFORMED, "broken on purpose")
        yield  # an async generator, like every provider's stream

    async def aclose(self) -> None:
        """Nothing to close."""


async def test_the_offline_reader_is_tried_every_time_however_often_it_fails(
    make_settings, monkeypatch, clock
):
    monkeypatch.setattr(reader_provider, "build", lambda settings: BrokenReader())
    chain = ProviderChain(
        make_settings(llm_providers="offline", llm_cooldown_failures=1), clock=clock
    )
    for _ in range(3):
        run = ChainRun()
        with pytest.raises(ChainExhausted):
            async for _ in chain.stream(PROMPT, run, deadline=time.monotonic() + 30):
                pass
        assert run_outcomes(run) == [("offline", "malformed")]
    assert chain.stats["offline"].breaker.state == "closed"
    assert chain.stats["offline"].failures == 3
