"""The daemon and what an operator needs to see and do around it: `auria run`,
`auria status [--check]`, `auria retry ID`, `auria approve ID` and `auria reject ID`."""
from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone


def register(subparsers) -> None:
    run = subparsers.add_parser("run", help="the daemon: make and post a work at every slot of schedule.times")
    run.set_defaults(func=cmd_run)
    status = subparsers.add_parser("status", help="next slot, last post per platform, retry queue, what needs a human")
    status.add_argument("--check", action="store_true",
                        help="exit 1 when the latest slot is overdue or a post needs a human (for health checks)")
    status.set_defaults(func=cmd_status)
    retry = subparsers.add_parser("retry", help="post a work again where it failed or waited for a human")
    retry.add_argument("work_id", type=int, metavar="ID")
    retry.set_defaults(func=cmd_retry)
    for name, verb in (("approve", "post"), ("reject", "never post")):
        decide = subparsers.add_parser(name, help=f"{verb} a slot's work that waits for approval (publish.require_approval)")
        decide.add_argument("work_id", type=int, metavar="ID")
        decide.set_defaults(func=cmd_decide, approve=name == "approve")


def cmd_run(args, config) -> int:
    from bot.daemon import run

    return run(config)


def cmd_status(args, config, now: datetime | None = None) -> int:
    from bot.schedule import next_slot, slot_id, slots_between
    from state.posts import last_posts, open_posts
    from state.slots import work_for_slot
    from state.store import open_store

    now = now or datetime.now(timezone.utc)
    schedule = config.schedule
    db = open_store(config.db_path) if config.db_path.exists() else None
    upcoming = next_slot(schedule.times, config.timezone, now)
    print(f"next slot: {slot_id(upcoming)} (in {_span(upcoming - now)})")
    problems = []
    latest = slots_between(schedule.times, config.timezone, now - timedelta(days=2), now)
    if latest:
        slot = latest[-1]
        work = work_for_slot(db, slot_id(slot)) if db else None
        posted = _posted_platforms(db, work["id"]) if work else set()
        missing = [p for p in config.publish.platforms if p not in posted]
        state = f"work {work['id']} ({work['status']})" if work else _no_work(db, slot)
        print(f"latest slot: {slot_id(slot)}: {state}; posted on {', '.join(sorted(posted)) or 'nothing'}")
        late = now - slot > timedelta(hours=schedule.grace_hours)
        if work and work["status"] == "awaiting_approval" and late:
            problems.append(f"slot {slot_id(slot)}: work {work['id']} waits for approval "
                            f"(auria approve {work['id']} or auria reject {work['id']})")
        elif missing and late and _was_due(db, work, slot):
            problems.append(f"slot {slot_id(slot)} is overdue: not posted on {', '.join(missing)} "
                            f"{_span(now - slot)} after its time")
    if db is None:
        print("no store yet")
    else:
        print("last post per platform:")
        for platform, post in last_posts(db).items():
            where = post["url"] or post["error"] or ""
            print(f"  {platform:<10} work {post['work_id']}: {post['state']} {post['updated_at']} {where}".rstrip())
        pending = open_posts(db)
        queue = [p for p in pending if p["state"] == "retry"]
        print(f"retry queue: {len(queue)}" + "".join(
            f"\n  work {p['work_id']} {p['platform']}: attempt {p['attempts']}, next {p['next_attempt_at']}: {p['error']}"
            for p in queue))
        for work_id, slot in db.execute("SELECT id, slot FROM works WHERE status = 'awaiting_approval' ORDER BY id"):
            print(f"waiting for approval: work {work_id} (slot {slot}): auria approve {work_id} / auria reject {work_id}")
        for post in pending:
            if post["state"] == "needs_human":
                problems.append(f"work {post['work_id']} on {post['platform']} needs a human: {post['error']}")
            elif post["state"] == "sending":
                print(f"in flight (or left by a crash): work {post['work_id']} {post['platform']} since {post['updated_at']}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if not problems:
        print("OK")
    return 1 if args.check and problems else 0


def cmd_retry(args, config) -> int:
    from publishers.posting import post_work
    from publishers.registry import make_publisher
    from state.posts import posts_for, requeue
    from state.store import open_store
    from state.works import get_work

    db = open_store(config.db_path)
    work = get_work(db, args.work_id)
    if work is None or not work.get("image_path"):
        print(f"auria: error: no finished work with id {args.work_id}", file=sys.stderr)
        return 1
    requeue(db, work["id"])
    platforms = [p for p in config.publish.platforms if posts_for(db, work["id"]).get(p, {}).get("state") != "posted"]
    if not platforms:
        print(f"work {work['id']} is posted on every enabled platform")
        return 0
    publishers = [make_publisher(platform, config) for platform in platforms]
    for publisher in publishers:
        publisher.validate()
    outcomes = post_work(db, work, publishers, config.publish)
    for platform, outcome in outcomes.items():
        print(f"{platform}: {outcome}")
    return 0 if all(o.startswith("posted") for o in outcomes.values()) else 1


def cmd_decide(args, config) -> int:
    from bot.errors import AuriaError
    from state.store import open_store
    from state.works import decide, get_work

    db = open_store(config.db_path)
    work = get_work(db, args.work_id)
    if work is None:
        print(f"auria: error: no work with id {args.work_id}", file=sys.stderr)
        return 1
    if not decide(db, work["id"], args.approve):
        raise AuriaError(f"work {work['id']} is not waiting for approval (it is {work['status']})")
    if args.approve:
        print(f"work {work['id']} approved: the running daemon posts it within a minute")
    else:
        print(f"work {work['id']} rejected: it will not be posted")
    return 0


def _no_work(db, slot: datetime) -> str:
    if db is None:
        return "no work"
    from bot.schedule import slot_id

    skipped = db.execute("SELECT json_extract(detail, '$.reason') FROM events WHERE kind = 'slot_skipped' "
                         "AND json_extract(detail, '$.slot') = ?", [slot_id(slot)]).fetchone()
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
    return first_start is not None and datetime.fromisoformat(first_start) <= slot and _no_work(db, slot) == "no work"


def _posted_platforms(db, work_id: int) -> set[str]:
    from state.posts import posts_for

    return {p for p, row in posts_for(db, work_id).items() if row["state"] == "posted"}


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m"
