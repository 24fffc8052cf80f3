"""``RestartPolicy``: when the local stack restarts a crashed service, and when it gives up.

Production (compose, ``restart: unless-stopped``) restarts a crashed service; the local
stack does the same for its workers: after a crash it waits (1 s, 2 s, 4 s, ... up to
``max_delay_seconds``) and starts the service again. A run that lasted
``stable_after_seconds`` resets the count, so only repeated fast crashes (a service that
cannot start, a poisoned input it cannot get past) make it give up. Pure: the clock is
passed in; ``LocalStack.watch`` acts on the decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Restart:
    delay_seconds: float
    fast_crashes: int  # crashes in a row that came soon after a (re)start, this one included


@dataclass
class RestartPolicy:
    base_delay_seconds: float = 1.0
    max_delay_seconds: float = 30.0
    stable_after_seconds: float = 60.0
    give_up_after: int = 5  # fast crashes in a row
    _fast: dict[str, int] = field(default_factory=dict)

    def on_crash(self, name: str, ran_seconds: float) -> Restart | None:
        """The restart for a service that died after ``ran_seconds``; None: give up."""
        fast = 1 if ran_seconds >= self.stable_after_seconds else self._fast.get(name, 0) + 1
        self._fast[name] = fast
        if fast >= self.give_up_after:
            return None
        return Restart(min(self.base_delay_seconds * 2 ** (fast - 1), self.max_delay_seconds), fast)
