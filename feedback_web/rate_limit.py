"""Rate limits that hold across web processes: token buckets in the shared channel store.

- per kiosk device (``device:<id>``): one rating per ``DOST_KIOSK_RATE_LIMIT_SECONDS``, a
  burst of ``DOST_KIOSK_RATE_LIMIT_BURST`` (a tablet flushing a short offline queue gets
  through; a stuck button or a script does not);
- per integration client (``client:<id>``): ``DOST_CLIENT_RATE_LIMIT_PER_SECOND``;
- per IP on the public endpoints ``/r/…`` and ``/sms/inbound`` (``ip:<addr>``):
  ``DOST_PUBLIC_RATE_LIMIT_PER_SECOND``, checked before anything else.

Over the limit: 429 with ``Retry-After``.
"""

from __future__ import annotations

from dataclasses import dataclass

from dost_channels.store import ChannelStore


@dataclass(frozen=True)
class TokenBucket:
    """One family of buckets (one interval and burst) in the shared store."""

    store: ChannelStore
    interval: float
    burst: int

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is available."""
        return self.store.acquire_rate(key, self.interval, self.burst, now)
