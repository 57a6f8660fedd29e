"""Slots: the moments a daily schedule (``["09:00", ...]`` in an IANA time zone) fires.

Everything here is pure: ``now`` and the other instants are passed in as aware datetimes.
Slots come back as aware datetimes in the schedule's zone; they are compared as instants
(in UTC), never by wall-clock time.

Daylight saving (zoneinfo rules):

- a time that does not exist that day (02:30 on a spring-forward day in Europe/Berlin)
  moves forward to the first minute that does exist (03:00 CEST);
- a time that occurs twice (02:30 on a fall-back day) fires once, at the first
  occurrence (``fold=0``, still summer time).

Two schedule times that land on the same instant (02:30 and 03:00 on a spring-forward day)
give one slot.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import AuriaError

_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
# A wall-clock gap (and a day a zone skips entirely) is well under two days.
_MAX_GAP_MINUTES = 2 * 24 * 60


def slot_id(dt: datetime) -> str:
    """A slot's key in the store: ISO 8601 to the minute with its offset,
    e.g. ``"2026-11-25T09:00+01:00"``. ``datetime.fromisoformat`` reads it back."""
    _require_aware(dt, "slot")
    return dt.replace(second=0, microsecond=0).isoformat(timespec="minutes")


def parse_times(times: list[str]) -> list[time]:
    """``["09:00", "21:30"]`` -> sorted, de-duplicated ``time`` objects."""
    if isinstance(times, str) or not times:
        raise AuriaError(f'schedule times must be a non-empty list like ["09:00"], got {times!r}')
    parsed = set()
    for text in times:
        match = _TIME.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise AuriaError(f'schedule time must be "HH:MM" (00:00 to 23:59), got {text!r}')
        parsed.add(time(int(match[1]), int(match[2])))
    return sorted(parsed)


def zone(tz: str | tzinfo) -> tzinfo:
    """An IANA name (``"Europe/Berlin"``) or a tzinfo -> tzinfo."""
    if not isinstance(tz, str):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        problem = 'use an IANA name like "Europe/Berlin"'
        raise AuriaError(f"unknown time zone {tz!r}: {problem}") from None


def slots_on(times: list[str], tz: str | tzinfo, day: date) -> list[datetime]:
    """The slots of one local calendar day, earliest first (see the module's DST rules)."""
    tz = zone(tz)
    slots: dict[datetime, datetime] = {}
    for t in parse_times(times):
        local = _existing(datetime.combine(day, t, tzinfo=tz))
        slots.setdefault(_utc(local), local)
    return [slots[key] for key in sorted(slots)]


def slots_between(
    times: list[str], tz: str | tzinfo, start: datetime, end: datetime
) -> list[datetime]:
    """The slots ``s`` with ``start < s <= end``, earliest first."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    tz = zone(tz)
    if _utc(end) <= _utc(start):
        return []
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    found = []
    while day <= last:
        found += [s for s in slots_on(times, tz, day) if _utc(start) < _utc(s) <= _utc(end)]
        day += timedelta(days=1)
    return found


def next_slot(times: list[str], tz: str | tzinfo, now: datetime) -> datetime:
    """The first slot strictly after ``now``."""
    _require_aware(now, "now")
    tz = zone(tz)
    day = now.astimezone(tz).date() - timedelta(days=1)
    for _ in range(8):  # any daily schedule fires within a few calendar days
        later = [s for s in slots_on(times, tz, day) if _utc(s) > _utc(now)]
        if later:
            return later[0]
        day += timedelta(days=1)
    raise AssertionError("no slot within a week")  # pragma: no cover


def due_slots(
    times: list[str],
    tz: str | tzinfo,
    last_checked: datetime,
    now: datetime,
    catch_up: timedelta,
) -> tuple[list[datetime], list[datetime]]:
    """Catch-up after downtime: ``(produce, skip)`` for the slots missed since ``last_checked``.

    Missed slots are those with ``last_checked < s <= now`` (``last_checked`` is typically
    the latest slot the store has a work for). ``produce`` holds at most one: the newest
    missed slot with ``now - catch_up <= s``. ``skip`` holds every other missed slot,
    earliest first, for the caller to log. With ``catch_up`` zero only a slot falling
    exactly on ``now`` is produced.
    """
    if catch_up < timedelta(0):
        raise AuriaError(f"catch_up must not be negative, got {catch_up}")
    missed = slots_between(times, tz, last_checked, now)
    if missed and _utc(missed[-1]) >= _utc(now) - catch_up:
        return [missed[-1]], missed[:-1]
    return [], missed


def _existing(local: datetime) -> datetime:
    """``local`` if that wall-clock minute exists in its zone, else the first one after it."""
    for minutes in range(_MAX_GAP_MINUTES):
        candidate = local + timedelta(minutes=minutes)  # wall-clock arithmetic, same tzinfo
        if _exists(candidate):
            return candidate
    raise AuriaError(f"{local.tzinfo}: no valid time within two days of {local:%Y-%m-%d %H:%M}")


def _exists(local: datetime) -> bool:
    round_trip = _utc(local).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None, fold=0) == local.replace(tzinfo=None, fold=0)


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(timezone.utc)


def _require_aware(dt: datetime, name: str) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {dt!r}")
