"""Is Auria on time? The report behind `auria status`, `--check` and the gallery's /healthz.

Problems are what a health check fails on: the latest slot of the schedule not posted on
every platform `schedule.grace_hours` after its time (when Auria owed it a post), a work
waiting for approval past that time, a post that needs a human. Everything else is
reported, not judged. The store may be read-only (the gallery opens it so).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.schedule import next_slot, slot_id, slots_between
from state.posts import last_posts, open_posts, posts_for
from state.slots import work_for_slot


@dataclass
class Health:
    lines: list[str] = field(default_factory=list)  # the report, one line each
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(config, db, now: datetime) -> Health:
    """The report for `now`; `db` is None when there is no store yet."""
    health, schedule = Health(), config.schedule
    upcoming = next_slot(schedule.times, config.timezone, now)
    health.lines.append(f"next slot: {slot_id(upcoming)} (in {span(upcoming - now)})")
    latest = slots_between(schedule.times, config.timezone, now - timedelta(days=2), now)
    if latest:
        _check_slot(health, config, db, latest[-1], now)
    if db is None:
        health.lines.append("no store yet")
        return health
    health.lines.append("last post per platform:")
    for platform, post in last_posts(db).items():
        where = post["url"] or post["error"] or ""
        health.lines.append(f"  {platform:<10} work {post['work_id']}: {post['state']} {post['updated_at']} {where}".rstrip())
    pending = open_posts(db)
    queue = [p for p in pending if p["state"] == "retry"]
    health.lines.append(f"retry queue: {len(queue)}")
    health.lines += [f"  work {p['work_id']} {p['platform']}: attempt {p['attempts']}, next {p['next_attempt_at']}: "
                     f"{p['error']}" for p in queue]
    for work_id, slot in db.execute("SELECT id, slot FROM works WHERE status = 'awaiting_approval' ORDER BY id"):
        health.lines.append(f"waiting for approval: work {work_id} (slot {slot}): "
                            f"auria approve {work_id} / auria reject {work_id}")
    for post in pending:
        if post["state"] == "needs_human":
            health.problems.append(f"work {post['work_id']} on {post['platform']} needs a human: {post['error']}")
        elif post["state"] == "sending":
            health.lines.append(f"in flight (or left by a crash): work {post['work_id']} {post['platform']} "
                                f"since {post['updated_at']}")
    return health


def _check_slot(health: Health, config, db, slot: datetime, now: datetime) -> None:
    sid = slot_id(slot)
    work = work_for_slot(db, sid) if db else None
    posted = {p for p, row in posts_for(db, work["id"]).items() if row["state"] == "posted"} if work else set()
    missing = [p for p in config.publish.platforms if p not in posted]
    state = f"work {work['id']} ({work['status']})" if work else _no_work(db, sid)
    health.lines.append(f"latest slot: {sid}: {state}; posted on {', '.join(sorted(posted)) or 'nothing'}")
    late = now - slot > timedelta(hours=config.schedule.grace_hours)
    if work and work["status"] == "awaiting_approval" and late:
        health.problems.append(f"slot {sid}: work {work['id']} waits for approval "
                               f"(auria approve {work['id']} or auria reject {work['id']})")
    elif missing and late and _was_due(db, work, slot):
        health.problems.append(f"slot {sid} is overdue: not posted on {', '.join(missing)} "
                               f"{span(now - slot)} after its time")


def _no_work(db, sid: str) -> str:
    if db is None:
        return "no work"
    skipped = db.execute("SELECT json_extract(detail, '$.reason') FROM events WHERE kind = 'slot_skipped' "
                         "AND json_extract(detail, '$.slot') = ?", [sid]).fetchone()
    return f"skipped ({skipped[0] or 'no reason recorded'})" if skipped else "no work"


def _was_due(db, work: dict | None, slot: datetime) -> bool:
    """Whether Auria owed this slot a post: a work that a person rejected, or that a newer
    slot superseded, owes nothing; a slot with no work was owed only if the daemon was
    already running then (a fresh install is not overdue for the slot before its start)."""
    if work is not None:
        return work["status"] not in ("rejected", "skipped")
    if db is None:
        return False
    (first_start,) = db.execute("SELECT min(at) FROM events WHERE kind = 'daemon_started'").fetchone()
    return (first_start is not None and datetime.fromisoformat(first_start) <= slot
            and _no_work(db, slot_id(slot)) == "no work")


def span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m"
