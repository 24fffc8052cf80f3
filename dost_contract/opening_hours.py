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
from datetime import datetime, time, timezone
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
