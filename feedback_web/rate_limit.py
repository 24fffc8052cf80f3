"""Per-device rate limiting: a token bucket per key, in this process's memory.

A kiosk earns one submission every ``interval`` seconds and may save up ``burst`` of
them, so a tablet flushing a short offline queue gets through while a stuck button or
a script does not. Several web processes each keep their own buckets (see docs/channels.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    interval: float
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (tokens, updated)

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        tokens, updated = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - updated) / self.interval)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) * self.interval
