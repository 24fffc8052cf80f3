"""Rate limits that hold across web processes: token buckets in the shared channel store.

- per kiosk device (``device:<id>``): one rating per ``DOST_KIOSK_RATE_LIMIT_SECONDS``, a
  burst of ``DOST_KIOSK_RATE_LIMIT_BURST`` (a tablet flushing a short offline queue gets
  through; a stuck button or a script does not);
- per integration client (``client:<id>``): ``DOST_CLIENT_RATE_LIMIT_PER_SECOND``;
- per IP on the public endpoints ``/r/…`` and ``/sms/inbound`` (``ip:<addr>``):
  ``DOST_PUBLIC_RATE_LIMIT_PER_SECOND``, checked before anything else.

Over the limit: 429 with ``Retry-After``.

A fast bucket (the client limit, 1000/s) would cost a write transaction per rating, so a
process takes its tokens from the shared bucket in leases of up to 0.1 s of the rate and
spends them locally. A lease is never more than the shared bucket held, so every process
together still stays within the limit; an unspent lease expires after ``LEASE_SECONDS``
(its tokens are lost, never spent later as an extra burst). Slow buckets (a tablet's one
per 5 s, the per-IP limit) lease a single token: every request is checked in the store.
"""

from __future__ import annotations

import threading
import time

from dost_channels.store import ChannelStore

LEASE_SECONDS = 1.0
LEASE_SHARE_OF_RATE_SECONDS = 0.1


def lease_size(interval: float, burst: int) -> int:
    """Tokens one store round trip takes: 0.1 s of the rate, at most a tenth of the burst."""
    return max(1, min(burst // 10, int(LEASE_SHARE_OF_RATE_SECONDS / interval)))


class TokenBucket:
    """One family of buckets (one interval and burst) in the shared store."""

    def __init__(self, store: ChannelStore, interval: float, burst: int) -> None:
        self.store = store
        self.interval = interval
        self.burst = burst
        self.lease = lease_size(interval, burst)
        self._leased: dict[str, tuple[int, float]] = {}  # key -> (tokens in hand, leased at, monotonic)
        self._lock = threading.Lock()  # acquire runs on the database threads, spend_leased on the loop too
        self._fetch_lock = threading.Lock()  # held while a new lease is taken from the store

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is available."""
        if self.lease == 1:  # a slow bucket: every request asks the store
            taken, wait = self.store.acquire_rates(key, self.interval, self.burst, 1, now)
            return 0.0 if taken else wait
        if self.spend_leased(key):
            return 0.0
        # One thread at a time takes a new lease; the others then spend from it. Without
        # this, every thread that ran out at once took a lease and all but one were lost.
        with self._fetch_lock:
            if self.spend_leased(key):
                return 0.0
            taken, wait = self.store.acquire_rates(key, self.interval, self.burst, self.lease, now)
            if taken > 1:
                with self._lock:
                    if len(self._leased) > 10_000:  # many keys: drop what is in hand rather than grow
                        self._leased.clear()
                    self._leased[key] = (taken - 1, time.monotonic())
        return 0.0 if taken else wait

    def spend_leased(self, key: str) -> bool:
        """Spend one token of this process's unexpired lease for ``key``, if it holds one."""
        if self.lease <= 1:
            return False
        with self._lock:
            tokens, leased_at = self._leased.get(key, (0, 0.0))
            if tokens < 1 or time.monotonic() - leased_at > LEASE_SECONDS:
                return False
            self._leased[key] = (tokens - 1, leased_at)
            return True
