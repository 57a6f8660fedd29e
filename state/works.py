"""Works: one haiku with its picture and everything needed to make it again."""
from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Sequence

import sqlite_utils

from state.events import record_event, utc_now

JSON_FIELDS = ("params", "models", "timings", "steps", "plan")


def haiku_key(text: str) -> str:
    """The haiku reduced for repeat checks: lowercase letters and digits, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", " ", text).strip()


def add_work(
    db: sqlite_utils.Database,
    *,
    haiku: str,
    shape: str | Sequence[int] | None,
    seed: int | None,
    params: dict | None,
    models: dict | None,
    status: str = "draft",
    slot: str | None = None,
    image_path: str | None = None,
    image_sha256: str | None = None,
    mood: str | None = None,
    style: str | None = None,
    alt_text: str | None = None,
    timings: dict | None = None,
    error: str | None = None,
    generator_pid: int | None = None,
) -> int:
    """Store a new work and its ``work_created`` event in one transaction; returns its id."""
    if shape is not None and not isinstance(shape, str):
        shape = "-".join(str(n) for n in shape)
    row = {
        "created_at": utc_now(),
        "slot": slot,
        "status": status,
        "haiku": haiku,
        "haiku_key": haiku_key(haiku),
        "shape": shape,
        "seed": seed,
        "params": _to_json(params),
        "models": _to_json(models),
        "image_path": None if image_path is None else str(image_path),
        "image_sha256": image_sha256,
        "mood": mood,
        "style": style,
        "alt_text": alt_text,
        "timings": _to_json(timings),
        "error": error,
    }
    if generator_pid is not None:  # only a generating work has one (and older schemas no column)
        row["generator_pid"] = generator_pid
    with db.atomic():
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        sql = f"INSERT INTO works ({columns}) VALUES ({marks})"
        work_id = db.execute(sql, list(row.values())).lastrowid
        record_event(db, "work_created", work_id, status=status, slot=slot)
    return work_id


def get_work(db: sqlite_utils.Database, work_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM works WHERE id = ?", [work_id]))
    return _decoded(rows[0]) if rows else None


def list_works(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    """The latest works first."""
    rows = db.query("SELECT * FROM works ORDER BY id DESC LIMIT ?", [limit])
    return [_decoded(row) for row in rows]


def haiku_exists(db: sqlite_utils.Database, text: str) -> bool:
    row = db.execute("SELECT 1 FROM works WHERE haiku_key = ? LIMIT 1", [haiku_key(text)])
    return row.fetchone() is not None


def known_haiku_keys(db: sqlite_utils.Database) -> set[str]:
    """The haiku the poet must not write again: those posted, or ready or waiting to be
    (drafts stored by `poet write --save`, works awaiting approval).
    A preview, a failed, rejected or skipped work blocks nothing, so a seed previewed and
    then posted makes the same work."""
    rows = db.execute(
        "SELECT DISTINCT haiku_key FROM works WHERE status IN ('draft', 'ready', 'awaiting_approval') "
        "OR id IN (SELECT work_id FROM posts WHERE state = 'posted')")
    return {key for (key,) in rows}


def _to_json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def abandoned_generations(db: sqlite_utils.Database) -> list[dict]:
    """Works left `generating` by a process that is gone (killed during a preview or a
    post-now), not a slot's: the daemon finishes those itself. A work whose process is
    alive, in this or another command, is not abandoned."""
    rows = db.query("SELECT * FROM works WHERE status = 'generating' AND slot IS NULL ORDER BY id")
    return [_decoded(row) for row in rows if not _alive(row["generator_pid"])]


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def update_work(db: sqlite_utils.Database, work_id: int, event: str, **fields) -> None:
    """Change a work's fields and record `event` with the new status, in one transaction.

    JSON fields (params, models, timings, steps, plan) are given as Python values; a new
    haiku gets its repeat-check key.
    """
    row = {k: _to_json(v) if k in JSON_FIELDS else v for k, v in fields.items()}
    if "haiku" in row:
        row["haiku_key"] = haiku_key(row["haiku"])
    if "image_path" in row and row["image_path"] is not None:
        row["image_path"] = str(row["image_path"])
    with db.atomic():
        assignments = ", ".join(f"{column} = ?" for column in row)
        db.execute(f"UPDATE works SET {assignments} WHERE id = ?", [*row.values(), work_id])
        record_event(db, event, work_id, status=fields.get("status"), error=fields.get("error"))


def decide(db: sqlite_utils.Database, work_id: int, approve: bool) -> bool:
    """Approve (status ``ready``: the daemon posts it) or reject a work that waits for
    approval, with its event; False when the work is not waiting (any more)."""
    status = "ready" if approve else "rejected"
    with db.atomic():
        changed = db.execute("UPDATE works SET status = ? WHERE id = ? AND status = 'awaiting_approval'",
                             [status, work_id]).rowcount
        if changed:
            record_event(db, "work_approved" if approve else "work_rejected", work_id, status=status)
    return bool(changed)


def _decoded(row: dict) -> dict:
    return {**row, **{f: json.loads(row[f]) for f in JSON_FIELDS if row.get(f) is not None}}
