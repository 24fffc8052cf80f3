"""Token buckets in the shared store, so a limit holds across every web process.

A key (``device:…``, ``client:…``, ``ip:…``) earns one request every ``interval`` seconds
and may save up ``burst`` of them. ``take_token`` is the pure arithmetic; ``acquire_rate``
applies it to the key's row in one write transaction that holds the row locked (created
first if new, then ``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``),
so two processes never both spend the last token. Times are wall-clock (``time.time``):
processes share no monotonic clock.

A mixin of ``ChannelStore`` (``dost_channels.store``).
"""

from __future__ import annotations

import time


def take_token(tokens: float, updated_at: float, now: float, interval: float, burst: int) -> tuple[float, float]:
    """(tokens left, seconds to wait): wait 0.0 when a token was taken."""
    left, taken, wait = take_tokens(tokens, updated_at, now, interval, burst, 1)
    return left, wait


def take_tokens(tokens: float, updated_at: float, now: float, interval: float, burst: int,
                wanted: int) -> tuple[float, int, float]:
    """(tokens left, tokens taken, seconds to wait): up to ``wanted`` whole tokens; wait is
    0.0 when at least one was taken."""
    tokens = min(float(burst), tokens + max(0.0, now - updated_at) / interval)
    taken = min(wanted, int(tokens))
    if taken >= 1:
        return tokens - taken, taken, 0.0
    return tokens, 0, (1.0 - tokens) * interval


class RateLimits:
    """The ``rate_buckets`` table."""

    def acquire_rate(self, key: str, interval: float, burst: int, now: float | None = None) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is available."""
        taken, wait = self.acquire_rates(key, interval, burst, 1, now)
        return wait

    def acquire_rates(self, key: str, interval: float, burst: int, wanted: int,
                      now: float | None = None) -> tuple[int, float]:
        """Take up to ``wanted`` tokens for ``key`` in one transaction: (taken, seconds to wait)."""
        now = time.time() if now is None else now
        with self._transaction() as tx:
            tx.write("INSERT INTO rate_buckets (bucket_key, tokens, updated_at) VALUES (?, ?, ?) "
                     "ON CONFLICT DO NOTHING", (key, float(burst), now))
            row = tx.one("SELECT tokens, updated_at FROM rate_buckets WHERE bucket_key = ?" + tx.for_update, (key,))
            tokens, taken, wait = take_tokens(row["tokens"], row["updated_at"], now, interval, burst, wanted)
            tx.write("UPDATE rate_buckets SET tokens = ?, updated_at = ? WHERE bucket_key = ?",
                     (tokens, max(now, row["updated_at"]), key))
        return taken, wait

    def prune_rate_buckets(self, older_than: float) -> int:
        """Forget buckets untouched since ``older_than`` (they would be full again anyway)."""
        return self._write("DELETE FROM rate_buckets WHERE updated_at < ?", (older_than,))
