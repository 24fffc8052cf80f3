"""``SatisfactionRefresher``: the windows the worker exports and publishes, recomputed on a timer.

Each refresh recomputes the 1h/24h/7d/30d windows (``streams.scoring``) of the centers
that changed, or of every owned center when the hour turns or partitions move, within a
time budget (centers it does not reach wait for the next tick, so the event loop never
stalls on thousands). The closed hours of each center are summed once an hour
(``streams.closed_hours``), so recomputing a touched center costs its current hour only.
It returns the snapshot for the Prometheus collector and the ``center.satisfaction``
records of the centers whose windows changed. No Faust here: the timer in ``streams.app``
passes the owned partitions and sends the records.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from dost_contract.centers import CenterRegistry
from dost_contract.change_detection import SHIPPED_DETECTORS, DetectorSpec, detectors_for_profile
from dost_contract.opening_hours import is_open, load_timezone
from dost_contract.settings import Settings
from streams.closed_hours import ClosedHoursCache
from streams.detector import DetectorReading
from streams.metrics import SatisfactionSnapshot
from streams.partitioning import centers_in_partitions
from streams.scoring import ALL_GROUPS, HOUR_SECONDS, Tally
from streams.state import CenterDayStore


@dataclass
class RefreshState:
    """What the last refresh saw. Windows slide every hour and ownership moves on a
    rebalance; either means every owned center's windows must be recomputed."""

    hour: int | None = None
    owned: frozenset[str] = frozenset()

    def everything_moved(self, hour: int, owned: frozenset[str]) -> bool:
        moved = hour != self.hour or owned != self.owned
        self.hour, self.owned = hour, owned
        return moved


@dataclass(frozen=True)
class Refresh:
    snapshot: SatisfactionSnapshot
    records: list[tuple[bytes, bytes]] = field(default_factory=list)  # (key, value) for center.satisfaction


class SatisfactionRefresher:
    def __init__(self, store: CenterDayStore, registry: CenterRegistry, partitions: int, budget_seconds: float,
                 zone: ZoneInfo, clock: Callable[[], float] = time.perf_counter,
                 detectors: tuple[DetectorSpec, ...] = SHIPPED_DETECTORS) -> None:
        self.store = store
        self.center_ids = registry.ids()
        self.centers = registry.by_id()
        self.hours = {center_id: center.hours for center_id, center in self.centers.items()}
        self.partitions = partitions
        self.budget_seconds = budget_seconds
        self.zone = zone
        self.clock = clock  # measures the budget
        self.pending: set[str] = set()  # centers whose windows need recomputing
        self.windows_by_center: dict[str, dict[str, dict[str, Tally]]] = {}
        self.detectors = detectors
        self.readings_by_center: dict[str, tuple[DetectorReading, ...]] = {}
        self.closed_hours = ClosedHoursCache(detectors)
        self.last_published: dict[str, dict] = {}
        self.state = RefreshState()

    @classmethod
    def for_settings(cls, store: CenterDayStore, registry: CenterRegistry, settings: Settings) -> "SatisfactionRefresher":
        return cls(store, registry, settings.topic_partitions, settings.refresh_budget_seconds,
                   load_timezone(settings.centers_timezone), detectors=detectors_for_profile(settings.profile))

    def refresh(self, now: float, owned_partitions: set[int], changed: set[str]) -> Refresh:
        """Recompute what ``changed`` (and the clock or a rebalance) requires, at ``now``."""
        owned = frozenset(centers_in_partitions(self.center_ids, self.partitions, owned_partitions))
        self.pending |= changed
        if self.state.everything_moved(int(now // HOUR_SECONDS), owned):
            self.pending |= owned
            for center_id in set(self.windows_by_center) - owned:
                del self.windows_by_center[center_id]
                self.readings_by_center.pop(center_id, None)
                self.closed_hours.forget(center_id)
        computed = []
        deadline = self.clock() + self.budget_seconds
        for center_id in sorted(self.pending & owned):
            days = self.store.days_for_window(center_id, now)
            self.windows_by_center[center_id], self.readings_by_center[center_id] = (
                self.closed_hours.windows_and_readings(center_id, days, now))
            computed.append(center_id)
            if self.clock() > deadline:
                break
        self.pending.difference_update(computed)
        self.pending.intersection_update(owned)
        now_utc = datetime.fromtimestamp(now, timezone.utc)
        return Refresh(self._snapshot(owned, now_utc), self._records(computed, now_utc))

    def _snapshot(self, owned: frozenset[str], now_utc: datetime) -> SatisfactionSnapshot:
        return SatisfactionSnapshot(
            windows={c: self.windows_by_center[c] for c in owned if c in self.windows_by_center},
            targets={c: self.centers[c].target for c in owned},
            info={c: (self.centers[c].region, self.centers[c].kind.value) for c in owned},
            open={c: is_open(self.hours[c], now_utc, self.zone) for c in owned},
            open_hours_per_week={c: self.hours[c].hours_per_week for c in owned},
            detectors={c: self.readings_by_center[c] for c in owned if c in self.readings_by_center},
        )

    def _records(self, computed: list[str], now_utc: datetime) -> list[tuple[bytes, bytes]]:
        """center.satisfaction carries a center's windows whenever they change, at most once a refresh."""
        records = []
        for center_id in computed:
            state = {
                window: {"ratings": t.ratings, "satisfied": t.satisfied, "satisfaction_ratio": t.satisfaction_ratio}
                for window, t in self.windows_by_center[center_id][ALL_GROUPS].items()
            }
            if self.last_published.get(center_id) == state:
                continue
            self.last_published[center_id] = state
            record = {"center_id": center_id, "computed_at": now_utc.isoformat(),
                      "target": self.centers[center_id].target, "windows": state}
            records.append((center_id.encode(), json.dumps(record).encode()))
        return records
