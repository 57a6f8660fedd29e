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
from state.events import first_daemon_start
from state.posts import PostState, last_posts, open_posts, posted_platforms
from state.slots import slot_skip_reason, work_for_slot
from state.works import WITHDRAWN, WorkStatus, works_awaiting_approval


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
    queue = [p for p in pending if p["state"] == PostState.RETRY]
    health.lines.append(f"retry queue: {len(queue)}")
    health.lines += [f"  work {p['work_id']} {p['platform']}: attempt {p['attempts']}, next {p['next_attempt_at']}: "
                     f"{p['error']}" for p in queue]
    for waiting in works_awaiting_approval(db):
        work_id = waiting["id"]
        health.lines.append(f"waiting for approval: work {work_id} (slot {waiting['slot']}): "
                            f"auria approve {work_id} / auria reject {work_id}")
    for post in pending:
        if post["state"] == PostState.NEEDS_HUMAN:
            health.problems.append(f"work {post['work_id']} on {post['platform']} needs a human: {post['error']}")
        elif post["state"] == PostState.SENDING:
            health.lines.append(f"in flight (or left by a crash): work {post['work_id']} {post['platform']} "
                                f"since {post['updated_at']}")
    return health


def _check_slot(health: Health, config, db, slot: datetime, now: datetime) -> None:
    sid = slot_id(slot)
    work = work_for_slot(db, sid) if db else None
    posted = posted_platforms(db, work["id"]) if work else set()
    missing = [p for p in config.publish.platforms if p not in posted]
    state = f"work {work['id']} ({work['status']})" if work else _no_work(db, sid)
    health.lines.append(f"latest slot: {sid}: {state}; posted on {', '.join(sorted(posted)) or 'nothing'}")
    late = now - slot > timedelta(hours=config.schedule.grace_hours)
    if work and work["status"] == WorkStatus.AWAITING_APPROVAL and late:
        health.problems.append(f"slot {sid}: work {work['id']} waits for approval "
                               f"(auria approve {work['id']} or auria reject {work['id']})")
    elif missing and late and _was_due(db, work, slot):
        health.problems.append(f"slot {sid} is overdue: not posted on {', '.join(missing)} "
                               f"{span(now - slot)} after its time")


def _no_work(db, sid: str) -> str:
    if db is None:
        return "no work"
    reason = slot_skip_reason(db, sid)
    return "no work" if reason is None else f"skipped ({reason or 'no reason recorded'})"


def _was_due(db, work: dict | None, slot: datetime) -> bool:
    """Whether Auria owed this slot a post: a work that a person rejected, or that a newer
    slot superseded, owes nothing; a slot with no work was owed only if the daemon was
    already running then (a fresh install is not overdue for the slot before its start)."""
    if work is not None:
        return work["status"] not in WITHDRAWN
    if db is None:
        return False
    first_start = first_daemon_start(db)
    return (first_start is not None and datetime.fromisoformat(first_start) <= slot
            and _no_work(db, slot_id(slot)) == "no work")


def span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m"
