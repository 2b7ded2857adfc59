"""The runner's HTTP transport: retries (429 with Retry-After, 5xx, timeouts, connection
errors) with full-jitter backoff, what is not retried, rate limits on a fake clock, and the
concurrency bound, all against the mock model server on loopback."""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from honing.evaluate._mock_server import FailurePlan, MockModelServer
from honing.evaluate._transport import TokenBucket, Transport, retry_after_seconds
from honing.evaluate.targets import TargetError


def body(text: str = "hello") -> dict:
    return {"model": "mock", "messages": [{"role": "user", "content": text}]}


def url(server: MockModelServer) -> str:
    return f"{server.base_url}/chat/completions"


async def post(transport: Transport, target_url: str, payload: dict) -> tuple[dict, float]:
    try:
        return await transport.post_json(target_url, payload)
    finally:
        await transport.aclose()


class FakeClock:
    """Time that passes only when someone sleeps: rate-limit tests take no real time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def test_success_returns_json_and_latency():
    with MockModelServer(latency_ms=20) as server:
        answer, latency_ms = asyncio.run(post(Transport(), url(server), body("hi")))
    assert answer["choices"][0]["message"]["content"] == "echo: hi"
    assert 15 <= latency_ms < 2000


def test_429_is_retried_after_at_least_retry_after():
    plan = FailurePlan(status_429_first=2, retry_after_s=0.15)
    with MockModelServer(failures=plan) as server:
        transport = Transport(backoff_base_s=0.001, seed=1)
        start = time.perf_counter()
        answer, _ = asyncio.run(post(transport, url(server), body()))
        elapsed = time.perf_counter() - start
        assert server.count(body()) == 3
    assert answer["choices"][0]["message"]["content"] == "echo: hello"
    assert elapsed >= 0.3  # two waits of at least the server's Retry-After
    assert (transport.stats.status_429, transport.stats.retries, transport.stats.attempts) == (2, 2, 3)
    assert transport.stats.successes == 1 and transport.stats.failures == 0


def test_500_is_retried():
    with MockModelServer(failures=FailurePlan(status_500_every=2)) as server:
        transport = Transport(backoff_base_s=0.001)

        async def run() -> list[dict]:
            try:
                return [(await transport.post_json(url(server), body(f"q{i}")))[0] for i in range(4)]
            finally:
                await transport.aclose()

        answers = asyncio.run(run())
    assert [a["choices"][0]["message"]["content"] for a in answers] == [f"echo: q{i}" for i in range(4)]
    assert transport.stats.status_5xx >= 2 and transport.stats.retries == transport.stats.status_5xx


def test_exhausted_retries_raise_retryable_error_with_status_and_attempts():
    with MockModelServer(failures=FailurePlan(always_500_for={"BOOM"})) as server:
        transport = Transport(max_retries=2, backoff_base_s=0.001)
        with pytest.raises(TargetError) as caught:
            asyncio.run(post(transport, url(server), body("please BOOM")))
        assert server.count(body("please BOOM")) == 3
    error = caught.value
    assert error.retryable is True and error.status == 500
    assert "3 attempts" in str(error) and "HTTP 500" in str(error)
    assert transport.stats.failures == 1


def test_400_is_not_retried():
    with MockModelServer() as server:
        transport = Transport(backoff_base_s=0.001)
        with pytest.raises(TargetError) as caught:
            asyncio.run(post(transport, url(server) + "?key=secret", {"model": "mock", "messages": []}))
    assert caught.value.retryable is False and caught.value.status == 400
    assert "messages" in str(caught.value)  # the server's error message is shown
    assert "secret" not in str(caught.value)  # the query string may hold secrets
    assert transport.stats.attempts == 1


def test_timeout_is_retried_then_an_error():
    with MockModelServer(latency_ms=400) as server:
        transport = Transport(timeout_s=0.05, max_retries=1, backoff_base_s=0.001)
        with pytest.raises(TargetError) as caught:
            asyncio.run(post(transport, url(server), body()))
    assert caught.value.retryable is True and caught.value.status is None
    assert "timed out" in str(caught.value) and "2 attempts" in str(caught.value)
    assert transport.stats.timeouts == 2


def test_connection_errors_are_retried():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    transport = Transport(max_retries=2, backoff_base_s=0.001)
    with pytest.raises(TargetError) as caught:
        asyncio.run(post(transport, f"http://127.0.0.1:{port}/v1/chat/completions", body()))
    assert caught.value.retryable is True and transport.stats.connection_errors == 3


def test_a_retry_after_beyond_the_limit_fails_at_once():
    plan = FailurePlan(status_429_first=5, retry_after_s=900)
    with MockModelServer(failures=plan) as server:
        transport = Transport(max_retry_after_s=10)
        with pytest.raises(TargetError) as caught:
            asyncio.run(post(transport, url(server), body()))
    assert caught.value.retryable and caught.value.status == 429 and caught.value.retry_after == 900
    assert transport.stats.attempts == 1


def test_concurrency_limit_is_respected():
    with MockModelServer(latency_ms=40) as server:
        transport = Transport(concurrency=4)

        async def run() -> None:
            try:
                await asyncio.gather(*(transport.post_json(url(server), body(f"q{i}")) for i in range(20)))
            finally:
                await transport.aclose()

        asyncio.run(run())
        assert server.requests == 20
        assert server.max_in_flight == 4
        assert server.connections <= 4  # connections were kept alive and reused


def test_backoff_is_full_jitter_within_the_cap_and_at_least_retry_after():
    transport = Transport(backoff_base_s=0.5, backoff_max_s=4, seed=7)
    for attempt in range(8):
        cap = min(4, 0.5 * 2**attempt)
        waits = [transport.backoff(attempt) for _ in range(200)]
        assert all(0 <= w <= cap for w in waits)
        assert max(waits) > cap * 0.8  # jitter spreads over the whole range
    assert all(transport.backoff(0, retry_after=3.0) >= 3.0 for _ in range(50))
    assert Transport(seed=3).backoff(2) == Transport(seed=3).backoff(2)  # seeded: reproducible


def test_retry_after_header_forms():
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds({"Retry-After": "2"}) == 2.0
    assert retry_after_seconds({"Retry-After": "0.25"}) == 0.25
    assert 27 <= retry_after_seconds({"Retry-After": later}) <= 31
    assert retry_after_seconds({"retry-after-ms": "1500", "Retry-After": "9"}) == 1.5
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_request_bucket_paces_requests_on_a_fake_clock():
    clock = FakeClock()

    async def run() -> None:
        bucket = TokenBucket(60, clock=clock, sleep=clock.sleep)  # one a second, burst 1
        for _ in range(10):
            await bucket.acquire()

    asyncio.run(run())
    assert clock.now - 1000.0 == pytest.approx(9.0)  # the first at once, then one a second


def test_bucket_is_fair_and_does_not_poll():
    clock = FakeClock()
    order: list[int] = []

    async def run() -> None:
        bucket = TokenBucket(120, clock=clock, sleep=clock.sleep)  # 2 a second, burst 2

        async def one(i: int) -> None:
            await bucket.acquire()
            order.append(i)

        await asyncio.gather(*(one(i) for i in range(8)))

    asyncio.run(run())
    assert order == list(range(8))  # first come, first served
    assert clock.now - 1000.0 == pytest.approx(3.0)  # 2 at once, 6 more at 2/s
    assert len(clock.sleeps) == 6  # one exact sleep per waiter, no polling


def test_token_bucket_with_requests_larger_than_the_burst_and_corrections():
    clock = FakeClock()
    times: list[float] = []

    async def run() -> None:
        bucket = TokenBucket(6000, clock=clock, sleep=clock.sleep)  # 100 tokens/s, burst 100
        for _ in range(3):
            await bucket.acquire(250)  # bigger than the bucket: waits for a full bucket, then debt
            times.append(clock.now - 1000.0)
        bucket.correct(-150)  # the last request used 100 tokens, not 250: refunded (bucket -150 -> 0)
        await bucket.acquire(100)
        times.append(clock.now - 1000.0)

    asyncio.run(run())
    assert times == pytest.approx([0.0, 2.5, 5.0, 6.0])


def test_transport_rate_limits_requests_and_tokens_with_a_fake_clock():
    clock = FakeClock()
    with MockModelServer() as server:
        transport = Transport(requests_per_minute=120, tokens_per_minute=60_000, clock=clock, sleep=clock.sleep)

        async def run() -> None:
            try:
                for i in range(6):
                    await transport.post_json(url(server), body(f"q{i}"), expected_tokens=10)
            finally:
                await transport.aclose()

        asyncio.run(run())
    assert clock.now - 1000.0 == pytest.approx(2.0)  # 2 at once, then 2 a second
    assert transport.stats.rate_limit_wait_s == pytest.approx(2.0)
    assert transport.limits_tokens
