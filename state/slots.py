"""Slots in the store: at most one work per slot (``works.slot`` is UNIQUE).

A slot is the key ``bot.schedule.slot_id`` gives, e.g. ``"2026-11-25T09:00+01:00"``.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import sqlite_utils

from state.events import record_event
from state.works import UNFINISHED, WorkStatus, add_work, get_work, skip_work


def claim_slot(db: sqlite_utils.Database, slot: str, **work_fields) -> tuple[int, bool]:
    """The work for ``slot``: ``(work id, created)``.

    An existing work for the slot is returned as it is (``created`` False); a second one is
    never made. Otherwise a work with status ``claimed`` and an empty haiku (``work_fields``
    override those and pass any other ``add_work`` field) is inserted with its
    ``work_created`` and ``slot_claimed`` events, in one transaction. Two processes claiming
    at once: one inserts, the other loses on the UNIQUE constraint and gets that row.
    """
    existing = _work_id(db, slot)
    if existing is not None:
        return existing, False
    fields = {"haiku": "", "shape": None, "seed": None, "params": None, "models": None,
              "status": WorkStatus.CLAIMED, **work_fields, "slot": slot}
    try:
        # The transaction's first statement is the INSERT, so it takes the write lock
        # (waiting up to the busy timeout) rather than upgrading a stale read snapshot.
        with db.atomic():
            work_id = add_work(db, **fields)
            record_event(db, "slot_claimed", work_id, slot=slot)
    except sqlite3.IntegrityError:
        existing = _work_id(db, slot)
        if existing is None:  # some other constraint failed: not a lost race
            raise
        return existing, False
    return work_id, True


def work_for_slot(db: sqlite_utils.Database, slot: str) -> dict | None:
    """The slot's work (JSON fields decoded, as ``get_work``), or None."""
    work_id = _work_id(db, slot)
    return None if work_id is None else get_work(db, work_id)


def skip_older_slots(db: sqlite_utils.Database, slot: str, reason: str) -> list[int]:
    """Mark the unfinished works of slots before ``slot`` (and finished ones never sent to
    any platform) ``skipped`` (each with a
    ``slot_skipped`` event): a slot's work is made and posted in its own time or never, so
    the bot never posts two slots' works at once. Returns their ids."""
    unfinished = sorted(UNFINISHED)
    rows = db.execute(
        f"SELECT id, slot FROM works WHERE slot IS NOT NULL AND (status IN ({', '.join('?' * len(unfinished))})"
        " OR (status = ? AND id NOT IN (SELECT work_id FROM posts)))",  # made, never sent anywhere
        [*unfinished, WorkStatus.READY]).fetchall()
    older = [work_id for work_id, other in rows if _instant(other) < _instant(slot)]
    return [work_id for work_id in older if skip_work(db, work_id, reason)]


def record_slot_skipped(db: sqlite_utils.Database, slot: str, reason: str) -> None:
    """A slot that never got a work (missed while Auria was down, or the store failed until
    too late) is recorded as skipped, with why."""
    record_event(db, "slot_skipped", None, slot=slot, reason=reason)


def slot_skip_reason(db: sqlite_utils.Database, slot: str) -> str | None:
    """Why a slot that never got a work was skipped ("" when no reason was recorded), or
    None when it was not."""
    row = db.execute("SELECT json_extract(detail, '$.reason') FROM events WHERE kind = 'slot_skipped' "
                     "AND json_extract(detail, '$.slot') = ?", [slot]).fetchone()
    return None if row is None else row[0] or ""


def last_slot(db: sqlite_utils.Database) -> str | None:
    """The latest slot (as an instant, whatever its offset) that has a work, or None."""
    slots = [slot for (slot,) in db.execute("SELECT slot FROM works WHERE slot IS NOT NULL")]
    return max(slots, key=_instant, default=None)


def _instant(slot: str) -> datetime:
    return datetime.fromisoformat(slot).astimezone(timezone.utc)


def _work_id(db: sqlite_utils.Database, slot: str) -> int | None:
    row = db.execute("SELECT id FROM works WHERE slot = ?", [slot]).fetchone()
    return None if row is None else row[0]
