"""Posts: one row per (work, platform), and the state it is in.

pending -> sending -> posted | retry | failed | needs_human. `sending` is written before
the remote call, so a crash mid-call leaves a row that recovery must reconcile with the
platform instead of blindly sending again. Every change is one transaction with its event.
"""
from __future__ import annotations

import re
import secrets
import time
from datetime import datetime
from enum import StrEnum

import sqlite_utils

from state.events import record_event, utc_now


class PostState(StrEnum):
    """Where a work's post on one platform is; the value is what the store holds (the
    posts.state CHECK has the same names)."""

    PENDING = "pending"  # made, not sent yet
    SENDING = "sending"  # marked before the platform is called: a crash leaves it to recovery
    POSTED = "posted"  # the platform has it (remote_id, url)
    RETRY = "retry"  # a passing error: sent again at next_attempt_at
    FAILED = "failed"  # for good (or until `auria retry ID`)
    NEEDS_HUMAN = "needs_human"  # the platform or the crash left a question only a person can answer


# A post in one of these is never sent again from start_sending.
NOT_RESENT = frozenset({PostState.POSTED, PostState.SENDING, PostState.NEEDS_HUMAN})

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
TID_PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")  # as the AT Protocol checks


def new_post_key() -> str:
    """A post's idempotency key: an AT Protocol TID (13 characters, base32-sortable: the
    microseconds since 1970 and 10 random bits). It is never derived from the work id, so two
    stores, or a store restored from a backup, never share one. Mastodon takes it as the
    Idempotency-Key and Bluesky as the record key (a post's key must be a TID there)."""
    value = (time.time_ns() // 1000) << 10 | secrets.randbits(10)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def posts_for(db: sqlite_utils.Database, work_id: int) -> dict[str, dict]:
    rows = db.query("SELECT * FROM posts WHERE work_id = ? ORDER BY id", [work_id])
    return {row["platform"]: row for row in rows}


def start_sending(db: sqlite_utils.Database, work_id: int, platform: str) -> dict | None:
    """Mark the work's post on `platform` as sending (creating it), or None if it is posted
    already, or being sent, or waiting for a human: those are never sent again from here."""
    now = utc_now()
    with db.atomic():
        db.execute(
            "INSERT OR IGNORE INTO posts (work_id, platform, state, attempts, updated_at) VALUES (?, ?, ?, 0, ?)",
            [work_id, platform, PostState.PENDING, now],
        )
        # the key is stored before the first send, and kept through every retry
        db.execute("UPDATE posts SET idempotency_key = ? WHERE work_id = ? AND platform = ? AND idempotency_key IS NULL",
                   [new_post_key(), work_id, platform])
        row = next(db.query("SELECT * FROM posts WHERE work_id = ? AND platform = ?", [work_id, platform]))
        if row["state"] in NOT_RESENT:
            return None
        db.execute(
            "UPDATE posts SET state = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
            [PostState.SENDING, now, row["id"]]
        )
        record_event(db, "post_sending", work_id, platform=platform, attempt=row["attempts"] + 1)
    return {**row, "state": PostState.SENDING, "attempts": row["attempts"] + 1, "previous_state": row["state"]}


def mark_posted(db: sqlite_utils.Database, post: dict, remote_id: str, url: str) -> None:
    _set(db, post, PostState.POSTED, "post_posted", remote_id=remote_id, url=url, error=None, next_attempt_at=None)


def mark_retry(db: sqlite_utils.Database, post: dict, error: str, next_attempt_at: str) -> None:
    _set(db, post, PostState.RETRY, "post_retry", error=error, next_attempt_at=next_attempt_at)


def mark_failed(db: sqlite_utils.Database, post: dict, error: str) -> None:
    _set(db, post, PostState.FAILED, "post_failed", error=error, next_attempt_at=None)


def mark_needs_human(db: sqlite_utils.Database, post: dict, error: str) -> None:
    _set(db, post, PostState.NEEDS_HUMAN, "post_needs_human", error=error, next_attempt_at=None)


def _set(db: sqlite_utils.Database, post: dict, state: str, event: str, **fields) -> None:
    fields["updated_at"] = utc_now()
    with db.atomic():
        assignments = ", ".join(f"{k} = ?" for k in fields)
        db.execute(f"UPDATE posts SET state = ?, {assignments} WHERE id = ?", [state, *fields.values(), post["id"]])
        detail = {k: v for k, v in fields.items() if k in ("remote_id", "url", "error", "next_attempt_at") and v}
        record_event(db, event, post["work_id"], platform=post["platform"], **detail)


def requeue(db: sqlite_utils.Database, work_id: int) -> list[str]:
    """Put a work's failed and needs-a-human posts back in the retry queue (an operator fixed
    the cause); returns their platforms."""
    with db.atomic():
        rows = list(db.query(
            "SELECT * FROM posts WHERE work_id = ? AND state IN (?, ?)",
            [work_id, PostState.FAILED, PostState.NEEDS_HUMAN]))
        for row in rows:
            _set(db, row, PostState.RETRY, "post_requeued", next_attempt_at=utc_now())
    return [row["platform"] for row in rows]


def open_posts(db: sqlite_utils.Database) -> list[dict]:
    """Every post not posted yet (retry queue, in flight, waiting for a human, failed)."""
    return list(db.query("SELECT * FROM posts WHERE state != ? ORDER BY work_id, platform", [PostState.POSTED]))


def last_posts(db: sqlite_utils.Database) -> dict[str, dict]:
    """The most recent post per platform, whatever its state."""
    rows = db.query("SELECT * FROM posts WHERE id IN (SELECT max(id) FROM posts GROUP BY platform) ORDER BY platform")
    return {row["platform"]: row for row in rows}


def posted_platforms(db: sqlite_utils.Database, work_id: int) -> set[str]:
    """The platforms the work is posted on."""
    return {platform for platform, post in posts_for(db, work_id).items() if post["state"] == PostState.POSTED}


def posts_left_sending(db: sqlite_utils.Database, updated_before: str) -> list[dict]:
    """Posts marked sending at or before `updated_before` (an ISO time) and not answered
    since: a crash (or a process still in its call, when the time is recent) left them."""
    return list(db.query("SELECT * FROM posts WHERE state = ? AND updated_at <= ?",
                         [PostState.SENDING, updated_before]))


def posts_due_for_retry(db: sqlite_utils.Database, now: datetime) -> list[dict]:
    """Posts in the retry queue whose next attempt time has come (or that have none)."""
    rows = db.query("SELECT * FROM posts WHERE state = ?", [PostState.RETRY])
    return [row for row in rows
            if not row["next_attempt_at"] or datetime.fromisoformat(row["next_attempt_at"]) <= now]


def posts_of_works(db: sqlite_utils.Database, work_ids: list[int]) -> dict[int, dict[str, dict]]:
    """Each work's posts (``state`` and ``url``) by platform, in one query."""
    posts: dict[int, dict[str, dict]] = {work_id: {} for work_id in work_ids}
    if work_ids:
        marks = ", ".join("?" for _ in work_ids)
        for work_id, platform, state, url in db.execute(
                f"SELECT work_id, platform, state, url FROM posts WHERE work_id IN ({marks})", list(work_ids)):
            posts[work_id][platform] = {"state": state, "url": url}
    return posts


def posts_by_platform_and_state(db: sqlite_utils.Database) -> list[tuple[str, str, int]]:
    """How many posts each (platform, state) has, as (platform, state, count)."""
    return db.execute("SELECT platform, state, count(*) FROM posts GROUP BY platform, state "
                      "ORDER BY platform, state").fetchall()


def last_posted_at(db: sqlite_utils.Database) -> dict[str, int]:
    """When the latest post on each platform went out, in Unix seconds."""
    return dict(db.execute("SELECT platform, max(CAST(strftime('%s', updated_at) AS INTEGER)) FROM posts "
                           "WHERE state = ? GROUP BY platform ORDER BY platform", [PostState.POSTED]).fetchall())
