"""The delivery loop: sends the outbox's due deliveries, retries with backoff, and marks
the last failure ``failed`` (ERROR log, counter), so no notification is lost silently.

It runs inside the receiver (an asyncio task started with the app). Because state lives
in the outbox, a restarted receiver picks up every delivery still pending.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

from prometheus_client import Counter

from dost_channels.db.offload import in_db_thread
from monitoring.oncall.channels import ChannelSenders
from monitoring.oncall.outbox import Outbox, PendingDelivery
from monitoring.oncall.payload import WebhookPayload
from monitoring.oncall.retry import RetryPolicy

logger = logging.getLogger("dost.oncall.delivery")

IDLE_POLL_SECONDS = 5.0  # longest sleep with nothing due (a wake() cuts it short)
ERROR_TEXT_MAX = 500
LEASE_MARGIN_SECONDS = 30.0


class Dispatcher:
    def __init__(
        self,
        outbox: Outbox,
        senders: ChannelSenders,
        policy: RetryPolicy,
        deliveries_total: Counter,
        send_timeout: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.outbox = outbox
        self.senders = senders
        self.policy = policy
        self.deliveries_total = deliveries_total
        self.send_timeout = send_timeout
        self.clock = clock
        # A claimed delivery is not due again (for another receiver sharing the outbox) before
        # its send has had time to finish or fail.
        self.lease_seconds = send_timeout + LEASE_MARGIN_SECONDS
        self._wake = asyncio.Event()
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None  # set by run(); wake() from other threads

    def wake(self) -> None:
        """Safe from any thread: the receiver stores notifications on the database threads."""
        loop = self._loop
        try:
            on_loop = loop is None or asyncio.get_running_loop() is loop
        except RuntimeError:  # no loop in this thread
            on_loop = False
        if on_loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()  # before reading: a wake() from now on is not lost
            next_due = None
            try:
                self._start(await in_db_thread(self.outbox.claim_due, self.clock(), self.lease_seconds,
                                               exclude=set(self._in_flight)))
                next_due = await in_db_thread(self.outbox.next_due_at, exclude=set(self._in_flight))
            except Exception:  # the outbox unreadable for a moment must not end the loop
                logger.exception("reading the on-call outbox failed; retrying")
            wait = IDLE_POLL_SECONDS if next_due is None else max(0.0, min(IDLE_POLL_SECONDS, next_due - self.clock()))
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that
            # arrives as the wake-up completes, and the loop would run on after shutdown.
            try:
                async with asyncio.timeout(wait if wait > 0 else 0.05):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def deliver_due(self) -> int:
        """Start a send for every due delivery not already in flight; returns how many."""
        return self._start(self.outbox.claim_due(self.clock(), self.lease_seconds, exclude=set(self._in_flight)))

    def _start(self, due: list[PendingDelivery]) -> int:
        for delivery in due:
            self._in_flight.add(delivery.id)
            task = asyncio.create_task(self._attempt(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(due)

    async def drain(self) -> None:
        """Wait for the sends in flight (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _attempt(self, delivery: PendingDelivery) -> None:
        attempts = delivery.attempts + 1
        try:
            payload = WebhookPayload.model_validate_json(delivery.payload)
            async with asyncio.timeout(self.send_timeout):  # not wait_for: see run()
                await self.senders.send(delivery.channel, delivery.channel_config, payload, delivery.payload,
                                        delivery.id)
        except Exception as exc:  # any failure of a channel is retried, then reported
            error = (f"{type(exc).__name__}: {exc}" if str(exc) else repr(exc))[:ERROR_TEXT_MAX]
            await in_db_thread(self._failed, delivery, attempts, error)
        else:
            await in_db_thread(self.outbox.mark_sent, delivery.id, attempts, self.clock())
            self._count(delivery, "sent")
            logger.info("delivered notification %s via %s (attempt %d)", delivery.notification_id,
                        delivery.channel, attempts)
        finally:
            self._in_flight.discard(delivery.id)
            self.wake()

    def _failed(self, delivery: PendingDelivery, attempts: int, error: str) -> None:
        now = self.clock()
        next_at = self.policy.after_failure(attempts, now)
        if next_at is None:
            self.outbox.mark_failed(delivery.id, attempts, error, now)
            self._count(delivery, "failed")
            logger.error(
                "on-call delivery %d FAILED for good: notification %s via %s (%s) after %d attempts: %s",
                delivery.id, delivery.notification_id, delivery.channel, delivery.channel_type, attempts, error,
            )
            return
        self.outbox.mark_retry(delivery.id, attempts, next_at, error, now)
        self._count(delivery, "retried")
        logger.warning(
            "on-call delivery %d via %s failed (attempt %d of %d), retrying in %.1fs: %s",
            delivery.id, delivery.channel, attempts, self.policy.max_attempts, next_at - now, error,
        )

    def _count(self, delivery: PendingDelivery, result: str) -> None:
        self.deliveries_total.labels(channel=delivery.channel, severity=delivery.severity, result=result).inc()
