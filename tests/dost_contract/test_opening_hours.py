"""Opening hours: parsing the registry's strings and "open at this instant" in Asia/Baku."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from dost_contract.centers import RegistryError, load_registry
from dost_contract.opening_hours import (
    EVERY_DAY,
    OpeningHoursError,
    add_working_time,
    is_open,
    load_timezone,
    parse_opening_hours,
    working_day_seconds,
)
from dost_contract.settings import Settings

BAKU = load_timezone("Asia/Baku")  # UTC+4 all year (no DST since 2016)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_every_day_hours():
    hours = parse_opening_hours("09:00-18:00")
    assert hours.days == EVERY_DAY
    assert (hours.opens, hours.closes) == (time(9), time(18))
    assert hours.hours_per_week == 63


@pytest.mark.parametrize(
    "text, days, weekly",
    [
        ("Mon-Sat 09:00-18:00", {0, 1, 2, 3, 4, 5}, 54),
        ("Mon,Wed,Fri 10:00-14:30", {0, 2, 4}, 13.5),
        ("monday-friday 08:30-17:30", {0, 1, 2, 3, 4}, 45),
        ("Sun 9:00-13:00", {6}, 4),
    ],
)
def test_day_lists_and_ranges(text, days, weekly):
    hours = parse_opening_hours(text)
    assert hours.days == days
    assert hours.hours_per_week == weekly


def test_open_is_half_open_interval_in_baku_time():
    hours = parse_opening_hours("09:00-18:00")
    # 2026-11-23 is a Monday. 09:00 in Baku is 05:00 UTC.
    assert not is_open(hours, utc(2026, 11, 23, 4, 59, 59), BAKU)
    assert is_open(hours, utc(2026, 11, 23, 5, 0), BAKU)
    assert is_open(hours, utc(2026, 11, 23, 13, 59, 59), BAKU)
    assert not is_open(hours, utc(2026, 11, 23, 14, 0), BAKU)  # 18:00 Baku: closed
    assert not is_open(hours, utc(2026, 11, 23, 22, 0), BAKU)  # 02:00 Baku, Tuesday


def test_weekday_is_taken_in_local_time_not_utc():
    hours = parse_opening_hours("Mon-Sat 00:00-06:00")
    # Sunday 21:00 UTC is Monday 01:00 in Baku: open, though it is still Sunday in UTC.
    assert is_open(hours, utc(2026, 11, 22, 21, 0), BAKU)
    # Saturday 21:00 UTC is Sunday 01:00 in Baku: closed.
    assert not is_open(hours, utc(2026, 11, 21, 21, 0), BAKU)


def test_naive_datetimes_are_utc():
    hours = parse_opening_hours("09:00-18:00")
    assert is_open(hours, datetime(2026, 11, 23, 5, 0), BAKU)


@pytest.mark.parametrize(
    "text, message",
    [
        ("9-18", "malformed"),
        ("09:00", "malformed"),
        ("", "malformed"),
        ("18:00-09:00", "must be before closing"),
        ("09:00-09:00", "must be before closing"),
        ("25:00-26:00", "not a time of day"),
        ("09:75-10:00", "not a time of day"),
        ("Xyz 09:00-18:00", "unknown day 'Xyz'"),
        ("Mo 09:00-18:00", "unknown day 'Mo'"),
        ("Sat-Mon 09:00-18:00", "runs backwards"),
        ("Mon,,Tue 09:00-18:00", "empty day"),
    ],
)
def test_bad_strings_say_what_is_wrong(text, message):
    with pytest.raises(OpeningHoursError, match=message) as caught:
        parse_opening_hours(text)
    assert repr(text) in str(caught.value)


def test_unknown_time_zone_is_a_clear_error():
    with pytest.raises(OpeningHoursError, match="unknown time zone 'Asia/Nowhere'"):
        load_timezone("Asia/Nowhere")


def test_a_registry_with_bad_hours_fails_at_load_naming_the_center(tmp_path):
    path = tmp_path / "centers.yaml"
    path.write_text(
        "centers:\n"
        "  - {center_id: a-1, name: {az: A, en: A}, region: r, kind: city, opening_hours: '09:00-18:00'}\n"
        "  - {center_id: b-1, name: {az: B, en: B}, region: r, kind: city, opening_hours: '9am-6pm'}\n"
    )
    with pytest.raises(RegistryError) as caught:
        load_registry(Settings(centers_file=path))
    message = str(caught.value)
    assert "centers.1.opening_hours" in message and "'9am-6pm' is malformed" in message


def test_every_seed_center_has_valid_hours():
    for center in load_registry(Settings(), include_planned=True).centers:
        assert center.hours.hours_per_week > 0, center.center_id


# 2026-12-01 is a Tuesday; Baku is UTC+4.
@pytest.mark.parametrize("hours,start,seconds,end", [
    # every day 09-18 (9 h a day): Tue 10:00 + 18 h = Tue 8 h, Wed 9 h, Thu 1 h -> Thu 10:00 Baku
    ("09:00-18:00", utc(2026, 12, 1, 6), 18 * 3600, utc(2026, 12, 3, 6)),
    # Mon-Fri: Friday 17:00 + 18 h = Fri 1 h, Mon 9 h, Tue 8 h -> Tue 17:00 Baku
    ("Mon-Fri 09:00-18:00", utc(2026, 12, 4, 13), 18 * 3600, utc(2026, 12, 8, 13)),
    # opened on Saturday night: the clock starts Monday at opening; a day's worth ends at closing
    ("Mon-Fri 09:00-18:00", utc(2026, 12, 5, 19), 9 * 3600, utc(2026, 12, 7, 14)),
    # nothing to add: the next open instant (now, if open)
    ("Mon-Fri 09:00-18:00", utc(2026, 12, 5, 19), 0, utc(2026, 12, 7, 5)),
    ("09:00-18:00", utc(2026, 12, 1, 6, 30), 0, utc(2026, 12, 1, 6, 30)),
    # a short day once a week: 30 working days of 1 h take 30 weeks
    ("Wed 10:00-11:00", utc(2026, 12, 1, 0), 30 * 3600, datetime(2027, 6, 23, 7, tzinfo=timezone.utc)),
])
def test_working_time_counts_only_opening_hours_in_baku(hours, start, seconds, end):
    assert add_working_time(parse_opening_hours(hours), start, seconds, BAKU) == end


def test_a_working_day_is_opening_to_closing_and_negative_time_is_refused():
    hours = parse_opening_hours("Mon-Sat 09:30-18:00")
    assert working_day_seconds(hours) == 8.5 * 3600
    with pytest.raises(ValueError, match="negative"):
        add_working_time(hours, utc(2026, 12, 1), -1, BAKU)
