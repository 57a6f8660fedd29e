"""The audit trail: what happened, when, to which work."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlite_utils


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def record_event(db: sqlite_utils.Database, kind: str, work_id: int | None = None, **detail) -> int:
    """Append an event; inside a caller's ``db.atomic()`` block it joins that transaction."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO events (at, work_id, kind, detail) VALUES (?, ?, ?, ?)",
            [utc_now(), work_id, kind, json.dumps(detail, ensure_ascii=False, sort_keys=True)],
        )
    return cursor.lastrowid


def events_for(db: sqlite_utils.Database, work_id: int) -> list[dict]:
    """A work's events, oldest first, with ``detail`` decoded."""
    rows = db.query("SELECT * FROM events WHERE work_id = ? ORDER BY id", [work_id])
    return [{**row, "detail": json.loads(row["detail"] or "{}")} for row in rows]


def record_daemon_start(db: sqlite_utils.Database, pid: int) -> int:
    """The daemon started (`auria status` owes no post to a slot before its first start)."""
    return record_event(db, "daemon_started", None, pid=pid)


def first_daemon_start(db: sqlite_utils.Database) -> str | None:
    """When a daemon first started on this store, or None if none ever did."""
    (at,) = db.execute("SELECT min(at) FROM events WHERE kind = 'daemon_started'").fetchone()
    return at
