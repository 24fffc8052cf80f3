"""Database calls off the event loop: a bounded pool of threads, with a timeout.

The stores are synchronous (SQLAlchemy Core, short transactions). The web's handlers and
the SMS-invitation agent are ``async``: they ``await in_db_thread(store.method, …)``, so a
slow database holds one of ``DB_THREADS`` threads, never the loop. A call that does not
finish in ``DB_CALL_TIMEOUT_SECONDS`` raises ``TimeoutError`` (its thread finishes on its
own: the engines bound their waits, see ``engine``).
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

DB_THREADS = 16  # per process: the PostgreSQL pool holds 5 (+10 overflow) connections
DB_CALL_TIMEOUT_SECONDS = 30.0

T = TypeVar("T")
_EXECUTOR = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="dost-db")


async def in_db_thread(function: Callable[..., T], *args, timeout: float = DB_CALL_TIMEOUT_SECONDS, **kwargs) -> T:
    """``function(*args, **kwargs)`` on the database threads; the loop keeps serving meanwhile."""
    loop = asyncio.get_running_loop()
    call = loop.run_in_executor(_EXECUTOR, functools.partial(function, *args, **kwargs))
    # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that arrives as
    # the call completes, so a loop cancelled at shutdown (the on-call dispatcher) ran on.
    async with asyncio.timeout(timeout):
        return await call
