"""Works: one haiku with its picture and everything needed to make it again, and its life.

A work's life is here and only here: its statuses (``WorkStatus``), the moves between them
(``Transition``: where from, where to, which event it records) and one function per move.
Nothing else changes a work's status; ``works.status`` has a CHECK on the same names
(migration 6), and tests/test_work_life.py holds the two together.

::

    add_work (poet write --save)  new -> draft
    claim_slot                    new -> claimed
    add_work (a preview, remake)  new -> generating
    start_generation              claimed, generating, failed -> generating
    fail_generation               generating -> failed
    finish_generation             generating -> preview, ready, awaiting_approval
    ready_preview                 preview -> ready
    approve_work, reject_work     awaiting_approval -> ready, rejected
    skip_work                     claimed, generating, failed, awaiting_approval, ready -> skipped

To add a status: a member of ``WorkStatus``, the transitions that reach and leave it (and
their functions), the groups below it belongs to, and a migration that rebuilds the CHECK
(as migration 6 does).
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import sqlite_utils

from state.events import record_event, utc_now
from state.posts import PostState

JSON_FIELDS = ("params", "models", "timings", "steps", "plan")


class WorkStatus(StrEnum):
    """Where a work is in its life; the value is what the store holds."""

    DRAFT = "draft"  # a haiku stored by `poet write --save`, never painted
    CLAIMED = "claimed"  # a slot's work, reserved before anything is made
    GENERATING = "generating"  # a child process is making it (``generator_pid``)
    FAILED = "failed"  # making it failed (``error`` says why); a slot's is made again
    PREVIEW = "preview"  # made to be looked at (preview, the gallery's generate): never posted as such
    AWAITING_APPROVAL = "awaiting_approval"  # made for a slot, waits for `auria approve` or `reject`
    READY = "ready"  # made (or approved), to be posted
    REJECTED = "rejected"  # a person said no: never posted
    SKIPPED = "skipped"  # a newer slot came first: never posted


_S = WorkStatus  # for the tables below
# A slot's work in one of these is (made) again by the daemon.
TO_MAKE = frozenset({_S.CLAIMED, _S.GENERATING, _S.FAILED})
# A finished work: what making one ends in.
MADE = frozenset({_S.PREVIEW, _S.READY, _S.AWAITING_APPROVAL})
# A slot's work in one of these has not gone out: a newer slot supersedes it (a ready one
# too, when it was never sent anywhere).
UNFINISHED = frozenset({_S.CLAIMED, _S.GENERATING, _S.FAILED, _S.AWAITING_APPROVAL})
# The gallery shows these (drafts, failures and works awaiting approval stay private).
SHOWN = frozenset({_S.READY, _S.PREVIEW})
# Their haiku the poet must not write again (a preview, failed, rejected or skipped work
# blocks nothing, so a seed previewed and then posted makes the same work).
BLOCKS_HAIKU = frozenset({_S.DRAFT, _S.READY, _S.AWAITING_APPROVAL})
# A person or a newer slot withdrew it: its slot is owed no post.
WITHDRAWN = frozenset({_S.REJECTED, _S.SKIPPED})
# `post-now --work ID` posts one of these as it is.
POSTABLE_BY_HAND = frozenset({_S.PREVIEW, _S.READY})


@dataclass(frozen=True)
class Transition:
    """One move of a work's life: the statuses it leaves, those it reaches, its event."""

    event: str
    sources: frozenset[WorkStatus]
    targets: frozenset[WorkStatus]


START_GENERATION = Transition("generation_started", TO_MAKE, frozenset({_S.GENERATING}))
FAIL_GENERATION = Transition("generation_failed", frozenset({_S.GENERATING}), frozenset({_S.FAILED}))
FINISH_GENERATION = Transition("work_generated", frozenset({_S.GENERATING}), MADE)
READY_PREVIEW = Transition("work_readied", frozenset({_S.PREVIEW}), frozenset({_S.READY}))
APPROVE = Transition("work_approved", frozenset({_S.AWAITING_APPROVAL}), frozenset({_S.READY}))
REJECT = Transition("work_rejected", frozenset({_S.AWAITING_APPROVAL}), frozenset({_S.REJECTED}))
SKIP = Transition("slot_skipped", UNFINISHED | {_S.READY}, frozenset({_S.SKIPPED}))
TRANSITIONS = (START_GENERATION, FAIL_GENERATION, FINISH_GENERATION, READY_PREVIEW, APPROVE, REJECT, SKIP)
# How works come into the store: add_work (generating: a preview's, a remake's),
# claim_slot (claimed), `poet write --save` (draft).
INITIAL = frozenset({_S.DRAFT, _S.CLAIMED, _S.GENERATING})


class WorkStatusError(Exception):
    """A move the work's life does not allow from where the work is: a bug or a race, not
    something the user typed (the commands check what they are asked first)."""


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
    status: WorkStatus | str = WorkStatus.DRAFT,
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
    """Store a new work and its ``work_created`` event in one transaction; returns its id.

    Application code creates works in an ``INITIAL`` status (tests set up others); the
    store refuses a status that is not a ``WorkStatus``."""
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
    (``BLOCKS_HAIKU``: drafts stored by `poet write --save`, works awaiting approval)."""
    blocking = sorted(BLOCKS_HAIKU)
    rows = db.execute(
        f"SELECT DISTINCT haiku_key FROM works WHERE status IN ({_marks(blocking)}) "
        "OR id IN (SELECT work_id FROM posts WHERE state = ?)", [*blocking, PostState.POSTED])
    return {key for (key,) in rows}


def _to_json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def abandoned_generations(db: sqlite_utils.Database) -> list[dict]:
    """Works left `generating` by a process that is gone (killed during a preview or a
    post-now), not a slot's: the daemon finishes those itself. A work whose process is
    alive, in this or another command, is not abandoned."""
    rows = db.query("SELECT * FROM works WHERE status = ? AND slot IS NULL ORDER BY id", [WorkStatus.GENERATING])
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
    haiku gets its repeat-check key. A ``status`` given here is checked only against the
    names, by the store (tests set stores up with it): the application moves a work with
    the transition functions below, which hold the rules.
    """
    with db.atomic():
        _set_fields(db, "id = ?", [work_id], fields)
        record_event(db, event, work_id, status=fields.get("status"), error=fields.get("error"))


# -- a work's life: one function per transition ------------------------------------------


def start_generation(db: sqlite_utils.Database, work_id: int, *, seed: int | None, params: dict | None,
                     generator_pid: int) -> None:
    """A stored work (a slot's: claimed, or left generating or failed) is being made again
    by the process `generator_pid`; its previous error is cleared."""
    _move(db, work_id, START_GENERATION, WorkStatus.GENERATING, seed=seed, params=params, error=None,
          generator_pid=generator_pid)


def fail_generation(db: sqlite_utils.Database, work_id: int, reason: str) -> None:
    """Making the work failed, for `reason` (shown by `auria show`)."""
    _move(db, work_id, FAIL_GENERATION, WorkStatus.FAILED, error=reason)


def finish_generation(db: sqlite_utils.Database, work_id: int, status: WorkStatus | str, **made) -> None:
    """The work is made: its haiku, picture and records (`made`: the work's fields) are
    stored, and it becomes `status` (preview, ready or awaiting_approval)."""
    _move(db, work_id, FINISH_GENERATION, WorkStatus(status), **made)


def ready_preview(db: sqlite_utils.Database, work_id: int) -> None:
    """A previewed work is to be posted as it is (`auria post-now --work ID`)."""
    _move(db, work_id, READY_PREVIEW, WorkStatus.READY)


def approve_work(db: sqlite_utils.Database, work_id: int) -> bool:
    """A work waiting for approval is approved (ready: the daemon posts it); False when it
    is not waiting (any more)."""
    return _move(db, work_id, APPROVE, WorkStatus.READY, refused=False, detail={"status": WorkStatus.READY})


def reject_work(db: sqlite_utils.Database, work_id: int) -> bool:
    """A work waiting for approval is rejected: it is never posted; False when it is not
    waiting (any more)."""
    return _move(db, work_id, REJECT, WorkStatus.REJECTED, refused=False, detail={"status": WorkStatus.REJECTED})


def decide(db: sqlite_utils.Database, work_id: int, approve: bool) -> bool:
    """Approve (``approve_work``) or reject (``reject_work``) a work that waits for approval."""
    return approve_work(db, work_id) if approve else reject_work(db, work_id)


def skip_work(db: sqlite_utils.Database, work_id: int, reason: str) -> bool:
    """A slot's work that never went out is skipped (a newer slot came), with its
    ``slot_skipped`` event; False when it is past that (posted, rejected, skipped)."""
    return _move(db, work_id, SKIP, WorkStatus.SKIPPED, refused=False, detail={"reason": reason}, error=reason)


def _move(db: sqlite_utils.Database, work_id: int, transition: Transition, to: WorkStatus, *,
          refused: bool | None = None, detail: dict | None = None, **fields) -> bool:
    """Move the work by `transition` to `to`, with `fields`, and record its event, in one
    transaction. The status is tested in the UPDATE itself (no read before the write, which
    would fail when another process wrote in between). A work elsewhere in its life:
    ``WorkStatusError``, or the value of `refused` when one is given."""
    if to not in transition.targets:
        raise WorkStatusError(f"{transition.event} moves a work to {', '.join(sorted(transition.targets))}, not {to}")
    sources = sorted(transition.sources)
    with db.atomic():
        changed = _set_fields(db, f"id = ? AND status IN ({_marks(sources)})", [work_id, *sources],
                              {"status": to, **fields})
        if changed:
            record_event(db, transition.event, work_id,
                         **(detail if detail is not None else {"status": to, "error": fields.get("error")}))
            return True
    if refused is not None:
        return refused
    found = get_work(db, work_id)
    where = f"is {found['status']}" if found else "does not exist"
    raise WorkStatusError(f"work {work_id} {where}: {transition.event} moves a work only from "
                          f"{', '.join(sources)}")


def _set_fields(db: sqlite_utils.Database, where: str, params: list, fields: dict) -> int:
    row = {k: _to_json(v) if k in JSON_FIELDS else v for k, v in fields.items()}
    if "haiku" in row:
        row["haiku_key"] = haiku_key(row["haiku"])
    if "image_path" in row and row["image_path"] is not None:
        row["image_path"] = str(row["image_path"])
    assignments = ", ".join(f"{column} = ?" for column in row)
    return db.execute(f"UPDATE works SET {assignments} WHERE {where}", [*row.values(), *params]).rowcount


# -- what the rest of Auria asks about works ---------------------------------------------


def was_approved(db: sqlite_utils.Database, work_id: int) -> bool:
    """Whether a person approved the work (a ready work may have been, or never needed it)."""
    return db.execute("SELECT 1 FROM events WHERE work_id = ? AND kind = ? LIMIT 1",
                      [work_id, APPROVE.event]).fetchone() is not None


def generation_failures(db: sqlite_utils.Database, work_id: int) -> list[str]:
    """When making the work failed, oldest first (the daemon's backoff counts them)."""
    rows = db.execute("SELECT at FROM events WHERE work_id = ? AND kind = ? ORDER BY id",
                      [work_id, FAIL_GENERATION.event])
    return [at for (at,) in rows]


def works_awaiting_approval(db: sqlite_utils.Database) -> list[dict]:
    """The works waiting for a person's decision, oldest first: their ``id`` and ``slot``."""
    rows = db.execute("SELECT id, slot FROM works WHERE status = ? ORDER BY id", [WorkStatus.AWAITING_APPROVAL])
    return [{"id": work_id, "slot": slot} for work_id, slot in rows]


def is_shown(work: dict | None) -> bool:
    """Whether the gallery shows this work (a finished one, with its picture)."""
    return work is not None and work["status"] in SHOWN and bool(work.get("image_sha256"))


# The columns the gallery's list shows: no JSON decoded but the total seconds; the list is
# the hot path (benchmarks/serve.py).
_LIST_COLUMNS = ("id, created_at, slot, status, haiku, shape, seed, mood, style, alt_text, image_sha256, "
                 "json_extract(timings, '$.total') AS seconds")


def page_of_shown_works(db: sqlite_utils.Database, limit: int, before: int | None) -> tuple[list[dict], int | None]:
    """Up to `limit` works the gallery shows (the list's columns), newest first, with ids
    below `before`; and the `before` of the next page (None on the last)."""
    shown = sorted(SHOWN)
    sql = f"SELECT {_LIST_COLUMNS} FROM works WHERE status IN ({_marks(shown)}) AND image_sha256 IS NOT NULL"
    params: list = list(shown)
    if before is not None:
        sql += " AND id < ?"
        params.append(before)
    cursor = db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit + 1])
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["id"] if more else None)


def works_by_status(db: sqlite_utils.Database) -> dict[str, int]:
    """How many works are in each status (those with none left out), by status name."""
    return dict(db.execute("SELECT status, count(*) FROM works GROUP BY status ORDER BY status").fetchall())


def generation_seconds(db: sqlite_utils.Database) -> list[float]:
    """Every made work's total seconds (SQLite's JSON reader: no work's timings decoded here)."""
    rows = db.execute("SELECT json_extract(timings, '$.total') FROM works WHERE timings IS NOT NULL")
    return [seconds for (seconds,) in rows if isinstance(seconds, (int, float))]


def _marks(values: Sequence) -> str:
    return ", ".join("?" for _ in values)


def _decoded(row: dict) -> dict:
    return {**row, **{f: json.loads(row[f]) for f in JSON_FIELDS if row.get(f) is not None}}
