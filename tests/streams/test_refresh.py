"""SatisfactionRefresher and RefreshState: which centers a refresh recomputes, its snapshot and its records."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from dost_contract.centers import load_registry
from dost_contract.opening_hours import load_timezone
from dost_contract.settings import Settings
from streams.partitioning import centers_in_partitions
from streams.refresh import RefreshState, SatisfactionRefresher
from streams.scoring import ALL_GROUPS, DAY_SECONDS, HOUR_SECONDS, CenterDay, Tally, day_key, day_start
from streams.state import CenterDayStore

SETTINGS = Settings()
REGISTRY = load_registry(SETTINGS)
PARTITIONS = SETTINGS.topic_partitions
P5 = ["baku-1", "baku-4", "baku-5", "smart-agali"]  # the registry centers of partition 5, sorted
P1 = ["baku-2", "baku-3", "karabakh-shusha"]
NOW = datetime(2026, 3, 10, 12, 30, tzinfo=timezone.utc).timestamp()  # 16:30 in Baku: open
EMPTY = {window: {"ratings": 0, "satisfied": 0, "satisfaction_ratio": None} for window in ("1h", "24h", "7d", "30d")}


def test_first_refresh_then_the_hour_turning_and_a_rebalance_recompute_everything():
    state = RefreshState()
    owned = frozenset({"baku-1", "baku-2"})
    assert state.everything_moved(100, owned)  # the first refresh has seen nothing yet
    assert not state.everything_moved(100, owned)  # same hour, same centers: only changed ones
    assert state.everything_moved(101, owned)  # the windows slid
    assert not state.everything_moved(101, frozenset({"baku-2", "baku-1"}))
    assert state.everything_moved(101, frozenset({"baku-1"}))  # a rebalance moved a center away
    assert (state.hour, state.owned) == (101, frozenset({"baku-1"}))


class FakeClock:
    """Advances ``step`` seconds every time the refresher reads it."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now - self.step


def new_refresher(budget: float = 1000.0, step: float = 0.0) -> tuple[SatisfactionRefresher, CenterDayStore]:
    store = CenterDayStore({}, lambda partition, key, day: None, PARTITIONS)
    zone = load_timezone(SETTINGS.centers_timezone)
    return SatisfactionRefresher(store, REGISTRY, PARTITIONS, budget, zone, clock=FakeClock(step)), store


def add(store: CenterDayStore, center_id: str, epoch: float, rating: int, feedback_id: str) -> None:
    key = day_key(center_id, day_start(epoch))
    day = store.get(key)
    day.apply(None, epoch, rating)  # de-duplication is the counter's (streams.dedup), not the day's
    store.put(key, day)


def total(refresh, center_id: str, window: str) -> Tally:
    return refresh.snapshot.windows[center_id][ALL_GROUPS][window]


def published(refresh) -> list[str]:
    return [key.decode() for key, _ in refresh.records]


def test_the_registry_centers_of_partitions_1_and_5():
    assert centers_in_partitions(REGISTRY.ids(), PARTITIONS, {5}) == P5
    assert centers_in_partitions(REGISTRY.ids(), PARTITIONS, {1}) == P1


def test_for_settings_takes_the_budget_and_the_centers_timezone():
    store = CenterDayStore({}, lambda partition, key, day: None, PARTITIONS)
    refresher = SatisfactionRefresher.for_settings(store, REGISTRY, SETTINGS)
    assert refresher.budget_seconds == 0.1 and str(refresher.zone) == "Asia/Baku" and refresher.partitions == 6


def test_the_first_refresh_computes_every_owned_center_and_only_those():
    refresher, store = new_refresher()
    add(store, "baku-4", NOW - 60, 5, "a")
    add(store, "smart-agali", NOW - 2 * HOUR_SECONDS, 2, "b")
    add(store, "baku-2", NOW - 60, 5, "c")  # partition 1: not owned
    refresh = refresher.refresh(NOW, {5}, set())
    assert sorted(refresh.snapshot.windows) == P5
    assert total(refresh, "baku-4", "1h") == Tally(1, 1)
    assert total(refresh, "smart-agali", "1h") == Tally(0, 0) and total(refresh, "smart-agali", "24h") == Tally(1, 0)
    assert total(refresh, "baku-1", "30d") == Tally(0, 0)
    assert published(refresh) == P5  # nothing published yet: every computed center is new
    assert refresher.pending == set()


def test_later_refreshes_compute_only_the_changed_centers():
    refresher, store = new_refresher()
    refresher.refresh(NOW, {5}, set())
    add(store, "baku-1", NOW - 60, 4, "a")
    add(store, "baku-4", NOW - 60, 4, "b")  # in the store, but nobody said it changed
    refresh = refresher.refresh(NOW + 1, {5}, {"baku-1"})
    assert total(refresh, "baku-1", "1h") == Tally(1, 1)
    assert total(refresh, "baku-4", "1h") == Tally(0, 0)  # not recomputed: the old windows stay
    assert sorted(refresh.snapshot.windows) == P5
    assert published(refresh) == ["baku-1"]
    assert published(refresher.refresh(NOW + 2, {5}, set())) == []


def test_the_hour_turning_recomputes_every_owned_center():
    refresher, store = new_refresher()
    refresher.refresh(NOW, {5}, set())
    add(store, "baku-4", NOW - 60, 4, "a")
    refresh = refresher.refresh(NOW + HOUR_SECONDS, {5}, set())  # 13:30: the 12:00 hour left the 1h window
    assert total(refresh, "baku-4", "1h") == Tally(0, 0) and total(refresh, "baku-4", "24h") == Tally(1, 1)
    assert published(refresh) == ["baku-4"]  # the others' windows are still empty: nothing to publish


def test_a_rebalance_recomputes_everything_and_drops_centers_no_longer_owned():
    refresher, store = new_refresher()
    refresher.refresh(NOW, {5}, set())
    add(store, "baku-2", NOW - 60, 1, "a")
    refresh = refresher.refresh(NOW + 1, {1}, set())
    assert sorted(refresh.snapshot.windows) == P1
    assert sorted(refresher.windows_by_center) == P1
    assert total(refresh, "baku-2", "1h") == Tally(1, 0)
    assert published(refresh) == P1
    for field in (refresh.snapshot.targets, refresh.snapshot.info, refresh.snapshot.open,
                  refresh.snapshot.open_hours_per_week):
        assert sorted(field) == P1


def test_changed_centers_that_are_not_owned_are_neither_computed_nor_kept_pending():
    refresher, store = new_refresher()
    refresher.refresh(NOW, {5}, set())
    refresh = refresher.refresh(NOW + 1, {5}, {"baku-2", "baku-1"})
    assert "baku-2" not in refresh.snapshot.windows and refresher.pending == set()
    assert published(refresh) == []  # baku-1 recomputed, but its windows did not change


def test_the_budget_leaves_unreached_centers_pending_for_the_next_refresh():
    refresher, store = new_refresher(budget=2.5, step=1.0)  # the clock passes the deadline on the 3rd center
    for center_id in P5:
        add(store, center_id, NOW - 60, 5, center_id)
    refresh = refresher.refresh(NOW, {5}, set())
    assert sorted(refresh.snapshot.windows) == P5[:3]
    assert published(refresh) == P5[:3] and refresher.pending == {"smart-agali"}
    assert sorted(refresh.snapshot.targets) == P5  # the registry series cover every owned center
    refresh = refresher.refresh(NOW + 1, {5}, set())
    assert published(refresh) == ["smart-agali"] and total(refresh, "smart-agali", "1h") == Tally(1, 1)
    assert sorted(refresh.snapshot.windows) == P5 and refresher.pending == set()


def test_a_budget_already_spent_still_computes_one_center_per_refresh():
    refresher, _ = new_refresher(budget=0.5, step=1.0)
    computed = [published(refresher.refresh(NOW + n, {5}, set())) for n in range(5)]
    assert computed == [["baku-1"], ["baku-4"], ["baku-5"], ["smart-agali"], []]


def test_a_record_carries_the_centers_windows_in_the_contract_shape():
    refresher, store = new_refresher()
    for epoch, rating, feedback_id in [(NOW - 600, 5, "a"), (NOW - 2 * HOUR_SECONDS, 2, "b"),
                                       (NOW - 3 * DAY_SECONDS, 4, "c"), (NOW - 20 * DAY_SECONDS, 1, "d")]:
        add(store, "baku-1", epoch, rating, feedback_id)
    records = dict(refresher.refresh(NOW, {5}, set()).records)
    expected = {
        "center_id": "baku-1",
        "computed_at": "2026-03-10T12:30:00+00:00",
        "target": 0.985,
        "windows": {
            "1h": {"ratings": 1, "satisfied": 1, "satisfaction_ratio": 1.0},
            "24h": {"ratings": 2, "satisfied": 1, "satisfaction_ratio": 0.5},
            "7d": {"ratings": 3, "satisfied": 2, "satisfaction_ratio": 2 / 3},
            "30d": {"ratings": 4, "satisfied": 2, "satisfaction_ratio": 0.5},
        },
    }
    assert records[b"baku-1"] == json.dumps(expected).encode()
    assert json.loads(records[b"smart-agali"]) == {"center_id": "smart-agali", "computed_at": expected["computed_at"],
                                                   "target": 0.985, "windows": EMPTY}


def test_a_center_is_published_again_only_when_its_windows_change():
    refresher, store = new_refresher()
    refresher.refresh(NOW, {5}, set())
    add(store, "baku-5", NOW - 60, 3, "a")
    first = refresher.refresh(NOW + 1, {5}, {"baku-5"})
    assert published(first) == ["baku-5"]
    assert json.loads(first.records[0][1])["windows"]["30d"] == {"ratings": 1, "satisfied": 0,
                                                                 "satisfaction_ratio": 0.0}
    assert published(refresher.refresh(NOW + 2, {5}, {"baku-5"})) == []  # same windows: no record
    add(store, "baku-5", NOW - 30, 5, "b")
    assert published(refresher.refresh(NOW + 3, {5}, {"baku-5"})) == ["baku-5"]


def test_the_snapshot_describes_every_owned_center_from_the_registry():
    refresher, _ = new_refresher()
    snapshot = refresher.refresh(NOW, {5}, set()).snapshot
    assert snapshot.targets == {c: 0.985 for c in P5}
    assert snapshot.info == {"baku-1": ("baku", "city"), "baku-4": ("baku", "city"), "baku-5": ("baku", "city"),
                             "smart-agali": ("east-zangezur", "smart_point")}
    assert snapshot.open == {c: True for c in P5}  # 16:30 in Baku, open 09:00-18:00
    assert snapshot.open_hours_per_week == {c: 63.0 for c in P5}
    centers = REGISTRY.by_id()
    assert snapshot.targets == {c: centers[c].target for c in P5}
    assert snapshot.info == {c: (centers[c].region, centers[c].kind.value) for c in P5}
    evening = refresher.refresh(NOW + 3 * HOUR_SECONDS, {5}, set()).snapshot  # 19:30 in Baku
    assert evening.open == {c: False for c in P5}


def test_owning_nothing_gives_an_empty_snapshot_and_no_records():
    refresher, _ = new_refresher()
    refresh = refresher.refresh(NOW, set(), {"baku-1"})
    assert refresh.records == [] and refresh.snapshot.windows == {} and refresh.snapshot.targets == {}
    assert refresher.pending == set()


def test_service_groups_are_in_the_snapshot_but_records_carry_the_whole_center():
    refresher, store = new_refresher()
    key = day_key("baku-1", day_start(NOW))
    day = CenterDay()
    day.apply("pensions", NOW - 60, 5)
    store.put(key, day)
    refresh = refresher.refresh(NOW, {5}, set())
    assert refresh.snapshot.windows["baku-1"]["pensions"]["1h"] == Tally(1, 1)
    assert sorted(json.loads(dict(refresh.records)[b"baku-1"])) == ["center_id", "computed_at", "target", "windows"]


def test_refresh_exports_the_detectors_of_the_profile_recomputed_from_the_buckets():
    from dost_contract.change_detection import DEV_DETECTORS, SHIPPED_DETECTORS

    store = CenterDayStore({}, lambda partition, key, day: None, PARTITIONS)
    dev = SatisfactionRefresher.for_settings(store, REGISTRY, Settings(profile="dev"))
    assert dev.detectors == DEV_DETECTORS
    refresher, store = new_refresher()
    assert refresher.detectors == SHIPPED_DETECTORS
    for i in range(40):  # a collapse at baku-1: 40 unhappy ratings this morning
        add(store, "baku-1", NOW - 3 * HOUR_SECONDS + i * 60, 1, f"bad-{i}")
    readings = refresher.refresh(NOW, {5}, {"baku-1"}).snapshot.detectors["baku-1"]
    large = {r.detector: r for r in readings}["large"]
    assert large.alarmed and large.unsatisfied == 40 and large.since_epoch == NOW - 3.5 * HOUR_SECONDS
    assert refresher.refresh(NOW, {1}, set()).snapshot.detectors.keys() <= set(P1)  # moved away: dropped
