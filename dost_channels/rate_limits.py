"""Token buckets in the shared store, so a limit holds across every web process.

A key (``device:…``, ``client:…``, ``ip:…``) earns one request every ``interval`` seconds
and may save up ``burst`` of them. ``take_token`` is the pure arithmetic; ``acquire_rate``
applies it to the key's row in one write transaction, so two processes never both spend
the last token. Times are wall-clock (``time.time``): processes share no monotonic clock.

A mixin of ``ChannelStore`` (``dost_channels.store``).
"""

from __future__ import annotations

import time

RATE_LIMITS_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_buckets (
    bucket_key  TEXT PRIMARY KEY,
    tokens      REAL NOT NULL,
    updated_at  REAL NOT NULL
);
"""


def take_token(tokens: float, updated_at: float, now: float, interval: float, burst: int) -> tuple[float, float]:
    """(tokens left, seconds to wait): wait 0.0 when a token was taken."""
    tokens = min(float(burst), tokens + max(0.0, now - updated_at) / interval)
    if tokens >= 1.0:
        return tokens - 1.0, 0.0
    return tokens, (1.0 - tokens) * interval


class RateLimits:
    """The ``rate_buckets`` table."""

    def acquire_rate(self, key: str, interval: float, burst: int, now: float | None = None) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is available."""
        now = time.time() if now is None else now
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT tokens, updated_at FROM rate_buckets WHERE bucket_key = ?",
                                       (key,)).fetchone()
                tokens, updated_at = (row["tokens"], row["updated_at"]) if row else (float(burst), now)
                tokens, wait = take_token(tokens, updated_at, now, interval, burst)
                self._db.execute(
                    "INSERT INTO rate_buckets (bucket_key, tokens, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (bucket_key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
                    (key, tokens, max(now, updated_at)),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return wait

    def prune_rate_buckets(self, older_than: float) -> int:
        """Forget buckets untouched since ``older_than`` (they would be full again anyway)."""
        return self._write("DELETE FROM rate_buckets WHERE updated_at < ?", (older_than,))
