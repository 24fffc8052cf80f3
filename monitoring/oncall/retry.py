"""The delivery retry schedule: exponential backoff with a cap and a last attempt. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from dost_contract.settings import Settings


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    factor: float
    max_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "RetryPolicy":
        return cls(
            max_attempts=settings.oncall_max_attempts,
            base_seconds=settings.oncall_retry_base_seconds,
            factor=settings.oncall_retry_factor,
            max_seconds=settings.oncall_retry_max_seconds,
        )

    def delay(self, attempts_done: int) -> float:
        """Seconds to wait after the ``attempts_done``-th failed attempt (1-based)."""
        return min(self.base_seconds * self.factor ** (attempts_done - 1), self.max_seconds)

    def after_failure(self, attempts_done: int, now: float) -> float | None:
        """When to try again after a failure, or None when that was the last attempt."""
        if attempts_done >= self.max_attempts:
            return None
        return now + self.delay(attempts_done)

    def schedule(self) -> list[float]:
        """Every wait between attempts, in order (docs and `oncall check`)."""
        return [self.delay(n) for n in range(1, self.max_attempts)]
