from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from core.errors import AuriaError
from bot.schedule import due_slots, next_slot, parse_times, slot_id, slots_between, slots_on

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN)


def ids(slots):
    return [slot_id(s) for s in slots]


def test_slot_id_is_iso_to_the_minute_with_offset():
    assert slot_id(berlin(2026, 11, 25, 9, 0, 42)) == "2026-11-25T09:00+01:00"
    assert slot_id(berlin(2026, 7, 1, 9)) == "2026-07-01T09:00+02:00"
    assert slot_id(datetime(2026, 7, 1, 9, tzinfo=UTC)) == "2026-07-01T09:00+00:00"
    assert datetime.fromisoformat("2026-11-25T09:00+01:00") == berlin(2026, 11, 25, 9)
    with pytest.raises(ValueError):
        slot_id(datetime(2026, 7, 1, 9))


def test_next_slot_before_and_after_todays_time():
    assert ids([next_slot(["09:00"], "Europe/Berlin", berlin(2026, 11, 25, 8, 59))]) == [
        "2026-11-25T09:00+01:00"]
    # strictly after now: at 09:00 exactly the next one is tomorrow's
    assert slot_id(next_slot(["09:00"], "Europe/Berlin", berlin(2026, 11, 25, 9))) == (
        "2026-11-26T09:00+01:00")
    assert slot_id(next_slot(["09:00"], "Europe/Berlin", berlin(2026, 11, 25, 23, 59))) == (
        "2026-11-26T09:00+01:00")
    # month and year ends
    assert slot_id(next_slot(["09:00"], "Europe/Berlin", berlin(2026, 12, 31, 10))) == (
        "2027-01-01T09:00+01:00")


def test_several_times_a_day():
    times = ["21:30", "09:00", "13:15"]
    assert parse_times(times) == sorted(parse_times(times))
    now = berlin(2026, 11, 25, 10)
    assert slot_id(next_slot(times, BERLIN, now)) == "2026-11-25T13:15+01:00"
    assert slot_id(next_slot(times, BERLIN, berlin(2026, 11, 25, 13, 15))) == (
        "2026-11-25T21:30+01:00")
    assert ids(slots_between(times, BERLIN, berlin(2026, 11, 25, 9), berlin(2026, 11, 26, 9))) == [
        "2026-11-25T13:15+01:00", "2026-11-25T21:30+01:00", "2026-11-26T09:00+01:00"]


def test_now_in_another_zone_is_converted():
    # 07:30 UTC is 08:30 in Berlin (winter): today's 09:00 is still ahead
    now = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)
    slot = next_slot(["09:00"], "Europe/Berlin", now)
    assert slot_id(slot) == "2026-11-25T09:00+01:00"
    assert slot.astimezone(UTC) == datetime(2026, 11, 25, 8, tzinfo=UTC)
    # 23:30 UTC on the 24th is already the 25th in Tokyo (08:30 JST)
    now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert slot_id(next_slot(["09:00"], "Asia/Tokyo", now)) == "2026-11-25T09:00+09:00"
    # 08:30 UTC is 09:30 in Berlin: the next one is tomorrow
    now = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
    assert slot_id(next_slot(["09:00"], "Europe/Berlin", now)) == "2026-11-26T09:00+01:00"


def test_spring_forward_a_missing_time_moves_to_the_first_valid_minute():
    # 2026-03-29: Berlin clocks jump from 02:00 CET to 03:00 CEST
    day = date(2026, 3, 29)
    assert ids(slots_on(["02:30"], BERLIN, day)) == ["2026-03-29T03:00+02:00"]
    assert ids(slots_on(["02:00"], BERLIN, day)) == ["2026-03-29T03:00+02:00"]
    assert ids(slots_on(["01:59", "03:00"], BERLIN, day)) == [
        "2026-03-29T01:59+01:00", "2026-03-29T03:00+02:00"]
    # 02:30 and 03:00 fall on the same instant that day: one slot
    assert ids(slots_on(["02:30", "03:00"], BERLIN, day)) == ["2026-03-29T03:00+02:00"]
    assert slot_id(next_slot(["02:30"], BERLIN, berlin(2026, 3, 29, 1))) == (
        "2026-03-29T03:00+02:00")
    # the days around it are normal
    assert ids(slots_between(["02:30"], BERLIN, berlin(2026, 3, 28), berlin(2026, 3, 31))) == [
        "2026-03-28T02:30+01:00", "2026-03-29T03:00+02:00", "2026-03-30T02:30+02:00"]
    # 24 hours a day apart except across the jump
    normal = slots_on(["09:00"], BERLIN, date(2026, 3, 28))[0]
    after = slots_on(["09:00"], BERLIN, day)[0]
    assert after.astimezone(UTC) - normal.astimezone(UTC) == timedelta(hours=23)


def test_fall_back_a_repeated_time_fires_once_at_its_first_occurrence():
    # 2026-10-25: Berlin clocks go back from 03:00 CEST to 02:00 CET; 02:30 happens twice
    day = date(2026, 10, 25)
    assert ids(slots_on(["02:30"], BERLIN, day)) == ["2026-10-25T02:30+02:00"]
    start = datetime(2026, 10, 24, 22, tzinfo=UTC)  # 00:00 CEST
    end = datetime(2026, 10, 25, 3, tzinfo=UTC)  # 04:00 CET, after both 02:30s
    assert ids(slots_between(["02:30"], BERLIN, start, end)) == ["2026-10-25T02:30+02:00"]
    # between the two 02:30s (00:30 and 01:30 UTC) the next one is tomorrow's
    between = datetime(2026, 10, 25, 1, tzinfo=UTC)
    assert slot_id(next_slot(["02:30"], BERLIN, between)) == "2026-10-26T02:30+01:00"
    assert slot_id(next_slot(["09:00"], BERLIN, between)) == "2026-10-25T09:00+01:00"


def test_slots_between_excludes_start_and_includes_end():
    start, end = berlin(2026, 11, 25, 9), berlin(2026, 11, 27, 9)
    assert ids(slots_between(["09:00"], BERLIN, start, end)) == [
        "2026-11-26T09:00+01:00", "2026-11-27T09:00+01:00"]
    assert slots_between(["09:00"], BERLIN, end, start) == []


def test_due_slots_down_across_three_slots_produces_the_newest_inside_the_window():
    times = ["09:00", "13:00", "17:00"]
    last = berlin(2026, 11, 25, 9)  # the last slot with a work
    now = berlin(2026, 11, 26, 10)  # missed 13:00, 17:00 and 09:00 the next day
    produce, skip = due_slots(times, BERLIN, last, now, timedelta(hours=6))
    assert ids(produce) == ["2026-11-26T09:00+01:00"]
    assert ids(skip) == ["2026-11-25T13:00+01:00", "2026-11-25T17:00+01:00"]


def test_due_slots_with_the_newest_missed_slot_outside_the_window_skips_all():
    times = ["09:00", "13:00", "17:00"]
    last, now = berlin(2026, 11, 25, 9), berlin(2026, 11, 26, 8)  # newest missed: 17:00
    produce, skip = due_slots(times, BERLIN, last, now, timedelta(hours=6))
    assert produce == []
    assert ids(skip) == ["2026-11-25T13:00+01:00", "2026-11-25T17:00+01:00"]
    # the window's edge is inclusive
    produce, skip = due_slots(times, BERLIN, last, berlin(2026, 11, 25, 23), timedelta(hours=6))
    assert ids(produce) == ["2026-11-25T17:00+01:00"]


def test_due_slots_with_no_catch_up_produces_none():
    times = ["09:00", "13:00", "17:00"]
    last, now = berlin(2026, 11, 25, 9), berlin(2026, 11, 26, 10)
    produce, skip = due_slots(times, BERLIN, last, now, timedelta(0))
    assert produce == []
    assert len(skip) == 3


def test_due_slots_with_nothing_missed():
    last, now = berlin(2026, 11, 25, 9), berlin(2026, 11, 25, 20)
    assert due_slots(["09:00"], BERLIN, last, now, timedelta(hours=6)) == ([], [])


def test_bad_schedules_are_refused():
    for bad in (["9:00"], ["24:00"], ["09:60"], [], "09:00", [900]):
        with pytest.raises(AuriaError):
            parse_times(bad)
    with pytest.raises(AuriaError, match="unknown time zone"):
        next_slot(["09:00"], "Mars/Olympus", berlin(2026, 1, 1))
    with pytest.raises(AuriaError):
        due_slots(["09:00"], BERLIN, berlin(2026, 1, 1), berlin(2026, 1, 2), timedelta(hours=-1))
