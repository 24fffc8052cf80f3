from datetime import datetime, timezone

import pytest

from streams.scoring import (
    BUCKET_SECONDS,
    Tally,
    bucket_key,
    bucket_start,
    center_windows,
    is_expired,
    parse_bucket_key,
    window_floor,
    window_tallies,
)

HOUR = BUCKET_SECONDS
DAY = 24 * HOUR
NOW = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc).timestamp()  # a DST-change night in Europe: irrelevant in UTC


def test_tally_counts_four_and_five_as_satisfied():
    tally = Tally()
    for rating in (1, 2, 3, 4, 5):
        tally = tally.add(rating)
    assert tally == Tally(ratings=5, satisfied=2)
    assert tally.satisfaction_ratio == pytest.approx(0.4)


def test_empty_tally_has_no_ratio_rather_than_zero():
    assert Tally().satisfaction_ratio is None


def test_tally_list_round_trip_and_missing_value():
    assert Tally.from_list(Tally(7, 5).to_list()) == Tally(7, 5)
    assert Tally.from_list(None) == Tally()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 1, 1, 10, 0, 0, tzinfo=timezone.utc), datetime(2026, 1, 1, 10, tzinfo=timezone.utc)),
        (datetime(2026, 1, 1, 10, 59, 59, 999999, tzinfo=timezone.utc), datetime(2026, 1, 1, 10, tzinfo=timezone.utc)),
        (datetime(2026, 1, 1, 11, 0, 0, tzinfo=timezone.utc), datetime(2026, 1, 1, 11, tzinfo=timezone.utc)),
    ],
)
def test_bucket_boundaries(moment, expected):
    assert bucket_start(moment) == expected.timestamp()


def test_bucket_start_uses_the_instant_not_the_local_offset():
    from datetime import timedelta

    baku = timezone(timedelta(hours=4))
    assert bucket_start(datetime(2026, 1, 1, 14, 30, tzinfo=baku)) == datetime(
        2026, 1, 1, 10, tzinfo=timezone.utc
    ).timestamp()


def test_bucket_key_round_trip_with_dashes_in_center_id():
    assert parse_bucket_key(bucket_key("karabakh-barda", 1700000000)) == ("karabakh-barda", 1700000000)


def test_window_edges_include_current_hour_and_23_before_it():
    current = bucket_start(NOW)
    buckets = {
        current: Tally(1, 1),
        current - 23 * HOUR: Tally(1, 0),  # oldest bucket inside 24h
        current - 24 * HOUR: Tally(1, 1),  # just outside 24h, inside 7d
        current - 7 * DAY + HOUR: Tally(1, 1),  # oldest inside 7d
        current - 7 * DAY: Tally(1, 1),  # just outside 7d
        current - 30 * DAY + HOUR: Tally(1, 0),  # oldest inside 30d
        current - 30 * DAY: Tally(100, 0),  # expired
    }
    windows = window_tallies(buckets, NOW)
    assert windows["1h"] == Tally(1, 1)
    assert windows["24h"] == Tally(2, 1)
    assert windows["7d"] == Tally(4, 3)
    assert windows["30d"] == Tally(6, 4)


def test_empty_windows_are_zero_not_missing():
    windows = window_tallies({}, NOW)
    assert set(windows) == {"1h", "24h", "7d", "30d"}
    assert all(t == Tally() for t in windows.values())


def test_expiry_matches_the_longest_window():
    floor = window_floor(NOW, 30 * DAY)
    assert not is_expired(floor, NOW)
    assert is_expired(floor - HOUR, NOW)


def test_center_windows_groups_table_items_and_includes_silent_centers():
    current = bucket_start(NOW)
    items = [
        (bucket_key("baku-1", current), [3, 2]),
        (bucket_key("baku-1", current - 2 * DAY), [5, 5]),
        (bucket_key("baku-2", current), [1, 1]),
    ]
    windows = center_windows(items, ["baku-1", "smart-agali"], NOW)
    assert set(windows) == {"baku-1", "smart-agali"}  # baku-2 is not this worker's center
    assert windows["baku-1"]["24h"] == Tally(3, 2)
    assert windows["baku-1"]["7d"] == Tally(8, 7)
    assert windows["smart-agali"]["30d"] == Tally()
