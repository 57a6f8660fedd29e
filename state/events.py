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
