"""The delivery loop on a real outbox file and a real local webhook: retries, give-up, restart."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Callable

import pytest
from prometheus_client import CollectorRegistry, Counter

from dost_contract import metric_names
from dost_contract.settings import Settings
from dost_feedback.stack.processes import free_port
from monitoring.oncall.channels import ChannelSenders
from monitoring.oncall.dispatch import Dispatcher
from monitoring.oncall.outbox import NewChannel, Outbox
from monitoring.oncall.retry import RetryPolicy
from tests.monitoring.oncall.helpers import FlakyWebhookServer, webhook_payload

pytestmark = pytest.mark.timeout(60)

FAST = RetryPolicy(max_attempts=3, base_seconds=0.05, factor=2.0, max_seconds=0.2)


class Loop:
    """A Dispatcher with its outbox, senders and counter, as the receiver wires them."""

    def __init__(self, tmp_path: Path, policy: RetryPolicy = FAST, clock: Callable[[], float] | None = None):
        self.registry = CollectorRegistry()
        counter = Counter(metric_names.ONCALL_DELIVERIES_TOTAL, "test", ["channel", "severity", "result"],
                          registry=self.registry)
        self.outbox = Outbox(tmp_path / "oncall.sqlite3")
        self.senders = ChannelSenders(Settings(state_dir=tmp_path, oncall_send_timeout_seconds=5.0))
        kwargs = {"clock": clock} if clock else {}
        self.dispatcher = Dispatcher(self.outbox, self.senders, policy, counter, 5.0, **kwargs)

    def count(self, result: str, channel: str = "chat") -> float:
        return self.registry.get_sample_value(
            metric_names.ONCALL_DELIVERIES_TOTAL, {"channel": channel, "severity": "page", "result": result}) or 0

    def persist(self, url: str, at: float = 0.0, payload: str | None = None) -> int:
        return self.outbox.persist(
            received_at=at, receiver="page@baku", status="firing", severity="page", region="baku",
            summary="PAGE ...", payload=payload or json.dumps(webhook_payload()),
            channels=[NewChannel("chat", "webhook", {"type": "webhook", "url": url})],
        )

    async def run_until(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        task = asyncio.create_task(self.dispatcher.run())
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await asyncio.sleep(0.02)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.dispatcher.drain()

    async def close(self) -> None:
        await self.senders.aclose()
        self.outbox.close()


@pytest.fixture
def flaky():
    servers = []

    def start(failures: int | None, port: int | None = None) -> FlakyWebhookServer:
        servers.append(FlakyWebhookServer(failures).start(port))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_a_webhook_failing_twice_is_retried_then_sent(tmp_path: Path, flaky):
    server = flaky(failures=2)

    async def go():
        loop = Loop(tmp_path)
        loop.persist(server.url, at=0.0)
        await loop.run_until(lambda: loop.outbox.counts()["sent"] == 1)
        [entry] = loop.outbox.log()
        counts = (loop.count("retried"), loop.count("sent"), loop.count("failed"))
        await loop.close()
        return entry, counts

    entry, counts = asyncio.run(go())
    assert server.attempts == 3 and len(server.bodies) == 1
    assert server.bodies[0]["alerts"][0]["fingerprint"] == "a1b2c3d4e5f60718"
    assert (entry.state, entry.attempts, entry.last_error, entry.next_attempt_at) == ("sent", 3, None, None)
    assert counts == (2, 1, 0)


def test_after_the_last_attempt_the_delivery_is_failed_logged_and_counted(
    tmp_path: Path, flaky, caplog: pytest.LogCaptureFixture
):
    server = flaky(failures=None)

    async def go():
        loop = Loop(tmp_path)
        loop.persist(server.url)
        await loop.run_until(lambda: loop.outbox.counts()["failed"] == 1)
        await asyncio.sleep(0.3)  # longer than any retry wait: nothing more is tried
        [entry] = loop.outbox.log()
        counts = (loop.count("retried"), loop.count("sent"), loop.count("failed"))
        await loop.close()
        return entry, counts

    with caplog.at_level(logging.WARNING, logger="dost.oncall.delivery"):
        entry, counts = asyncio.run(go())
    assert server.attempts == 3  # max_attempts, then no more
    assert (entry.state, entry.attempts) == ("failed", 3)
    assert entry.last_error == f"ChannelError: webhook {server.url} answered 500"
    assert counts == (2, 0, 1)
    levels = [r.levelno for r in caplog.records if r.name == "dost.oncall.delivery"]
    assert levels == [logging.WARNING, logging.WARNING, logging.ERROR]
    assert "FAILED for good" in caplog.records[-1].getMessage()


def test_a_failure_is_rescheduled_by_the_retry_policy(tmp_path: Path):
    url = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens
    policy = RetryPolicy(max_attempts=5, base_seconds=30.0, factor=2.0, max_seconds=600.0)

    async def go():
        loop = Loop(tmp_path, policy, clock=lambda: 1000.0)
        loop.persist(url, at=1000.0)
        assert loop.dispatcher.deliver_due() == 1
        assert loop.dispatcher.deliver_due() == 0  # in flight: not started twice
        await loop.dispatcher.drain()
        [entry] = loop.outbox.log()
        due_again = loop.outbox.due(1029.0), loop.outbox.due(1030.0)
        await loop.close()
        return entry, due_again

    entry, (early, on_time) = asyncio.run(go())
    assert (entry.state, entry.attempts, entry.next_attempt_at) == ("pending", 1, 1030.0)
    assert entry.last_error.startswith(f"ChannelError: webhook {url} unreachable")
    assert early == [] and [d.attempts for d in on_time] == [1]


def test_a_stored_payload_that_no_longer_parses_fails_instead_of_stopping_the_loop(tmp_path: Path):
    async def go():
        loop = Loop(tmp_path, RetryPolicy(max_attempts=1, base_seconds=1, factor=1, max_seconds=1))
        loop.persist("http://127.0.0.1:1/hook", payload='{"not": "a notification"}')
        await loop.run_until(lambda: loop.outbox.counts()["failed"] == 1)
        [entry] = loop.outbox.log()
        failed = loop.count("failed")
        await loop.close()
        return entry, failed

    entry, failed = asyncio.run(go())
    assert entry.attempts == 1 and entry.last_error.startswith("ValidationError: ")
    assert failed == 1


def test_pending_deliveries_are_sent_by_a_restarted_dispatcher(tmp_path: Path, flaky):
    port = free_port()  # the webhook is down during the first run
    slow = RetryPolicy(max_attempts=100, base_seconds=0.3, factor=1.0, max_seconds=0.3)

    async def first_run():
        loop = Loop(tmp_path, slow)
        loop.persist(f"http://127.0.0.1:{port}/hook")
        await loop.run_until(lambda: loop.outbox.log()[0].attempts >= 1)
        await loop.close()

    async def second_run():
        loop = Loop(tmp_path, slow)  # the same outbox file, a fresh process's objects
        await loop.run_until(lambda: loop.outbox.counts()["sent"] == 1)
        [entry] = loop.outbox.log()
        await loop.close()
        return entry

    asyncio.run(first_run())
    server = flaky(failures=0, port=port)
    entry = asyncio.run(second_run())
    assert entry.state == "sent" and entry.attempts >= 2
    assert [body["alerts"][0]["fingerprint"] for body in server.bodies] == ["a1b2c3d4e5f60718"]


def test_a_cancel_right_after_a_wake_up_stops_the_loop(tmp_path: Path):
    """The receiver's shutdown cancels the loop; a wake() in the same turn (a send just
    finished) must not swallow that cancel and leave the loop running."""

    async def cancel_after_wake() -> bool:
        loop = Loop(tmp_path)
        task = asyncio.create_task(loop.dispatcher.run())
        await asyncio.sleep(0.05)  # the loop is waiting for work
        loop.dispatcher.wake()
        await asyncio.sleep(0)  # the wake-up completes ...
        task.cancel()  # ... as the cancel arrives
        done, _ = await asyncio.wait({task}, timeout=2)
        if not done:
            task.cancel()
        await loop.close()
        return bool(done) and task.cancelled()

    assert asyncio.run(cancel_after_wake())
