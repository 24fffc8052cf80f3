"""Center opening hours: parsing the registry's ``opening_hours`` and "is it open now?".

Pure functions, no I/O. The registry writes hours in the centers' local time
(Asia/Baku, ``Settings.centers_timezone``)::

    "09:00-18:00"              every day, 09:00 up to (not including) 18:00
    "Mon-Sat 09:00-18:00"      Monday to Saturday only
    "Mon,Wed,Fri 10:00-14:00"  a list of days

A center is open in ``[opens, closes)``; hours across midnight are not supported (no DOST
center works nights), so ``opens`` must be before ``closes``. Bad strings raise
``OpeningHoursError`` with a message that quotes the string and shows the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # weekday() order
EVERY_DAY = frozenset(range(7))
FORMAT_HELP = "expected 'HH:MM-HH:MM' or 'Mon-Fri HH:MM-HH:MM' (days Mon..Sun, ranges or comma lists)"

_HOURS = re.compile(r"^(?:(?P<days>[A-Za-z,\- ]+?)\s+)?(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})$")


class OpeningHoursError(ValueError):
    """An ``opening_hours`` string that cannot be understood."""


@dataclass(frozen=True)
class OpeningHours:
    days: frozenset[int]  # weekday numbers, Monday = 0
    opens: time
    closes: time

    def is_open(self, local: datetime) -> bool:
        """Open at this local wall-clock time (the datetime's own fields, its tzinfo ignored)?"""
        return local.weekday() in self.days and self.opens <= local.time().replace(tzinfo=None) < self.closes

    @property
    def hours_per_week(self) -> float:
        minutes = (self.closes.hour * 60 + self.closes.minute) - (self.opens.hour * 60 + self.opens.minute)
        return len(self.days) * minutes / 60


def _parse_time(text: str, hours: str) -> time:
    hour, _, minute = text.partition(":")
    try:
        return time(int(hour), int(minute))
    except ValueError:
        raise OpeningHoursError(f"opening_hours {hours!r}: {text!r} is not a time of day (00:00-23:59)") from None


def _day(name: str, hours: str) -> int:
    key = name.strip().lower()
    for index, full in enumerate(FULL_DAY_NAMES):
        if len(key) >= 3 and full.startswith(key):  # "Mon", "Mond", "Monday"
            return index
    raise OpeningHoursError(f"opening_hours {hours!r}: unknown day {name.strip()!r}; {FORMAT_HELP}")


def _parse_days(text: str, hours: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            raise OpeningHoursError(f"opening_hours {hours!r}: empty day in {text!r}; {FORMAT_HELP}")
        first, dash, last = part.partition("-")
        if not dash:
            days.add(_day(first, hours))
            continue
        start, end = _day(first, hours), _day(last, hours)
        if start > end:
            raise OpeningHoursError(f"opening_hours {hours!r}: day range {part.strip()!r} runs backwards")
        days.update(range(start, end + 1))
    return frozenset(days)


def parse_opening_hours(hours: str) -> OpeningHours:
    """Parse a registry ``opening_hours`` string (see the module doc); ``OpeningHoursError`` if bad."""
    if not isinstance(hours, str):
        raise OpeningHoursError(f"opening_hours must be a string, got {hours!r}; {FORMAT_HELP}")
    match = _HOURS.match(hours.strip())
    if not match:
        raise OpeningHoursError(f"opening_hours {hours!r} is malformed; {FORMAT_HELP}")
    opens, closes = _parse_time(match["opens"], hours), _parse_time(match["closes"], hours)
    if opens >= closes:
        raise OpeningHoursError(
            f"opening_hours {hours!r}: opening ({opens:%H:%M}) must be before closing ({closes:%H:%M})"
        )
    days = _parse_days(match["days"], hours) if match["days"] else EVERY_DAY
    return OpeningHours(days=days, opens=opens, closes=closes)


def load_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise OpeningHoursError(f"unknown time zone {name!r} (an IANA name such as 'Asia/Baku')") from None


def is_open(hours: OpeningHours, when: datetime, zone: ZoneInfo) -> bool:
    """Is a center with these hours open at the instant ``when`` (timezone-aware; naive = UTC)?"""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return hours.is_open(when.astimezone(zone))


def working_day_seconds(hours: OpeningHours) -> float:
    """The length of one working day: opening to closing."""
    return float((hours.closes.hour * 60 + hours.closes.minute - hours.opens.hour * 60 - hours.opens.minute) * 60)


def add_working_time(hours: OpeningHours, start: datetime, seconds: float, zone: ZoneInfo) -> datetime:
    """The instant (UTC) after ``seconds`` of the center's open time have passed from ``start``.

    Time outside the opening hours does not count: a case opened on Friday evening at a
    Mon-Fri center starts its clock on Monday at opening. A deadline that falls exactly at
    closing is that closing time (not the next opening).
    """
    if seconds < 0:
        raise ValueError(f"working time must not be negative, got {seconds}")
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    local = start.astimezone(zone)
    day, remaining = local.date(), float(seconds)
    open_days_needed = int(seconds // working_day_seconds(hours)) + 2
    for _ in range(open_days_needed * 7):  # at least one open day in every week
        if day.weekday() in hours.days:
            opens = datetime.combine(day, hours.opens, zone)
            closes = datetime.combine(day, hours.closes, zone)
            begin = max(opens, local)
            if begin < closes:
                span = (closes - begin).total_seconds()
                if remaining <= span:
                    return (begin + timedelta(seconds=remaining)).astimezone(timezone.utc)
                remaining -= span
        day += timedelta(days=1)
    raise ValueError(f"no end of {seconds} s of working time found for {hours}")  # unreachable: days is non-empty
