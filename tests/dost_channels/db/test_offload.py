"""Database calls run on their own threads: the event loop keeps serving, a stuck call times out."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from dost_channels.db.offload import in_db_thread


def test_a_slow_call_leaves_the_loop_free_and_returns_its_value():
    async def main():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        name = await in_db_thread(lambda pause: (time.sleep(pause), threading.current_thread().name)[1], 0.3)
        task.cancel()
        return name, ticks

    name, ticks = asyncio.run(main())
    assert name.startswith("dost-db") and ticks >= 5  # the loop ran while the call slept


def test_a_call_past_its_timeout_raises():
    with pytest.raises(TimeoutError):
        asyncio.run(in_db_thread(time.sleep, 1.0, timeout=0.05))


def test_a_cancel_arriving_as_the_call_completes_is_not_swallowed():
    """The on-call dispatcher's shutdown hung on this: asyncio.wait_for (Python 3.11) returned
    the finished call's result to a task that had just been cancelled, so its loop ran on."""
    async def main():
        release = threading.Event()
        started = threading.Event()

        def call() -> int:
            started.set()
            release.wait(5)
            return 1

        task = asyncio.create_task(in_db_thread(call))
        await asyncio.to_thread(started.wait, 5)
        release.set()
        time.sleep(0.2)  # on the loop's thread: the call finishes and its result is queued first ...
        task.cancel()  # ... then the cancel, in the same turn of the loop
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
