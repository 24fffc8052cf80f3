import json
from datetime import datetime, timedelta, timezone

import pytest

from dost_contract.events import ServiceGroup
from streams.scoring import (
    ALL_GROUPS,
    DAY_SECONDS,
    HOUR_SECONDS,
    UNSPECIFIED_GROUP,
    CenterDay,
    Tally,
    day_key,
    day_start,
    days_in_longest_window,
    hour_start,
    parse_day_key,
    unreachable_days,
    window_tallies,
    window_tally,
)

HOUR = HOUR_SECONDS
DAY = DAY_SECONDS
GROUPS = [g.value for g in ServiceGroup]
# 30 minutes past midnight UTC on a night when Europe changes clocks: irrelevant in UTC.
NOW = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc).timestamp()


def days_from(ratings: list[tuple[float, int, str | None]]) -> dict[int, CenterDay]:
    days: dict[int, CenterDay] = {}
    for epoch, rating, group in ratings:
        days.setdefault(day_start(epoch), CenterDay()).apply(group, epoch, rating)
    return days


def test_tally_counts_four_and_five_as_satisfied():
    tally = Tally()
    for rating in (1, 2, 3, 4, 5):
        tally = tally.add(rating)
    assert tally == Tally(ratings=5, satisfied=2)
    assert tally.satisfaction_ratio == pytest.approx(0.4)


def test_empty_tally_has_no_ratio_rather_than_zero():
    assert Tally().satisfaction_ratio is None


@pytest.mark.parametrize(
    ("moment", "expected_hour", "expected_day"),
    [
        (datetime(2026, 1, 1, 10, 0, 0), datetime(2026, 1, 1, 10), datetime(2026, 1, 1)),
        (datetime(2026, 1, 1, 10, 59, 59, 999999), datetime(2026, 1, 1, 10), datetime(2026, 1, 1)),
        (datetime(2026, 1, 1, 23, 59, 59), datetime(2026, 1, 1, 23), datetime(2026, 1, 1)),
        (datetime(2026, 1, 2, 0, 0, 0), datetime(2026, 1, 2, 0), datetime(2026, 1, 2)),
    ],
)
def test_hour_and_day_boundaries(moment, expected_hour, expected_day):
    utc = timezone.utc
    epoch = moment.replace(tzinfo=utc).timestamp()
    assert hour_start(epoch) == expected_hour.replace(tzinfo=utc).timestamp()
    assert day_start(epoch) == expected_day.replace(tzinfo=utc).timestamp()


def test_baku_local_time_lands_in_the_utc_day():
    baku = timezone(timedelta(hours=4))
    epoch = datetime(2026, 1, 2, 2, 30, tzinfo=baku).timestamp()  # 22:30 UTC on Jan 1
    assert day_start(epoch) == datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()


def test_day_key_round_trip_with_dashes_in_center_id():
    assert parse_day_key(day_key("karabakh-barda", 1700000000)) == ("karabakh-barda", 1700000000)


def test_a_source_offset_counts_once_per_center_day_and_offsets_only_move_forward():
    day = CenterDay()
    assert day.apply("pensions", NOW, 5, offset=7)
    assert not day.apply("pensions", NOW, 5, offset=7)
    assert not day.apply("employment", NOW + 60, 1, offset=3)  # a replay cannot change anything
    assert day.offset == 7
    assert day.tally(ALL_GROUPS, 0, 23) == Tally(1, 1)
    assert day.tally("pensions", 0, 23) == Tally(1, 1)
    assert day.tally("employment", 0, 23) == Tally()


def test_missing_service_group_is_counted_as_unspecified():
    day = CenterDay()
    day.apply(None, NOW, 2)
    assert day.tally(UNSPECIFIED_GROUP, 0, 23) == Tally(1, 0)
    assert day.groups() == {ALL_GROUPS, UNSPECIFIED_GROUP}


def test_center_day_json_round_trip_keeps_the_offset_and_counts():
    day = CenterDay()
    day.apply("pensions", NOW, 5, offset=1)
    day.apply(None, NOW + 3 * HOUR, 1, offset=2)
    again = CenterDay.from_json(day.__json__())
    assert again == day
    assert not again.apply("pensions", NOW, 5, offset=2)


def test_a_center_day_record_stays_small_whatever_the_days_volume():
    day = CenterDay()
    for offset in range(100_000):
        day.apply(GROUPS[offset % len(GROUPS)], NOW + offset % 3600, 1 + offset % 5, offset)
    size = len(json.dumps(day.__json__()))
    assert size < 12 * 48 * 8 + 200, size  # 12 groups x 48 hourly counts: no per-rating data
    assert day.tally(ALL_GROUPS, 0, 23).ratings == 100_000


def test_a_record_written_before_offsets_existed_decodes_with_no_offset():
    old = {"hours": {ALL_GROUPS: [1] + [0] * 47}, "ids": ["a"]}
    assert CenterDay.from_json(old).offset == -1


def test_window_edges_include_current_hour_and_23_before_it():
    current = hour_start(NOW)
    days = days_from([
        (current + 10, 5, None),  # current hour
        (current - 23 * HOUR, 1, None),  # oldest hour inside 24h (yesterday)
        (current - 24 * HOUR, 5, None),  # just outside 24h, inside 7d
        (current - 7 * DAY + HOUR, 5, None),  # oldest inside 7d
        (current - 7 * DAY, 5, None),  # just outside 7d
        (current - 30 * DAY + HOUR, 1, None),  # oldest inside 30d
        (current - 30 * DAY, 1, None),  # outside every window
    ])
    windows = window_tallies(days, NOW)[ALL_GROUPS]
    assert windows["1h"] == Tally(1, 1)
    assert windows["24h"] == Tally(2, 1)
    assert windows["7d"] == Tally(4, 3)
    assert windows["30d"] == Tally(6, 4)


def test_window_spanning_midnight_sums_both_days():
    yesterday_late = hour_start(NOW) - HOUR  # 23:00 the previous UTC day
    days = days_from([(yesterday_late + 5, 4, None), (NOW, 2, None)])
    assert len(days) == 2
    assert window_tally(days, ALL_GROUPS, NOW, 2 * HOUR) == Tally(2, 1)
    assert window_tally(days, ALL_GROUPS, NOW, HOUR) == Tally(1, 0)


def test_per_service_group_windows():
    days = days_from([(NOW, 5, "pensions"), (NOW, 1, "pensions"), (NOW, 4, "employment")])
    windows = window_tallies(days, NOW)
    assert windows["pensions"]["24h"] == Tally(2, 1)
    assert windows["employment"]["24h"] == Tally(1, 1)
    assert windows[ALL_GROUPS]["24h"] == Tally(3, 2)


def test_empty_windows_are_zero_not_missing():
    windows = window_tallies({}, NOW)
    assert set(windows) == {ALL_GROUPS}
    assert set(windows[ALL_GROUPS]) == {"1h", "24h", "7d", "30d"}
    assert all(t == Tally() for t in windows[ALL_GROUPS].values())


def test_days_in_longest_window_cover_30_days_of_hours():
    days = days_in_longest_window(NOW)
    assert days[-1] == day_start(NOW)
    assert days[0] == day_start(hour_start(NOW) - 30 * DAY + HOUR)
    assert len(days) == 31


def test_unreachable_days_are_those_no_window_reaches():
    today = day_start(NOW)
    keys = [day_key("c", today), day_key("c", today - 30 * DAY), day_key("c", today - 31 * DAY)]
    assert unreachable_days(keys, NOW) == [day_key("c", today - 31 * DAY)]
