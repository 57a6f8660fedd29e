"""The daemon and what an operator needs to see and do around it: `auria run`,
`auria status [--check]`, `auria retry ID`, `auria approve ID` and `auria reject ID`."""
from __future__ import annotations

import sys
from datetime import datetime, timezone


def register(subparsers) -> None:
    from bot.cli import work_id

    run = subparsers.add_parser("run", help="the daemon: make and post a work at every slot of schedule.times")
    run.set_defaults(func=cmd_run)
    status = subparsers.add_parser("status", help="next slot, last post per platform, retry queue, what needs a human")
    status.add_argument("--check", action="store_true",
                        help="exit 1 when the latest slot is overdue or a post needs a human (for health checks)")
    status.set_defaults(func=cmd_status)
    retry = subparsers.add_parser("retry", help="post a work again where it failed or waited for a human")
    retry.add_argument("work_id", type=work_id, metavar="ID")
    retry.set_defaults(func=cmd_retry)
    for name, verb in (("approve", "post"), ("reject", "never post")):
        decide = subparsers.add_parser(name, help=f"{verb} a slot's work that waits for approval (publish.require_approval)")
        decide.add_argument("work_id", type=work_id, metavar="ID")
        decide.set_defaults(func=cmd_decide, approve=name == "approve")


def cmd_run(args, config) -> int:
    from bot.daemon import run

    return run(config)


def cmd_status(args, config, now: datetime | None = None) -> int:
    from bot.health import check
    from state.store import open_store

    db = open_store(config.db_path) if config.db_path.exists() else None
    health = check(config, db, now or datetime.now(timezone.utc))
    for line in health.lines:
        print(line)
    for problem in health.problems:
        print(f"PROBLEM: {problem}")
    if health.ok:
        print("OK")
    return 1 if args.check and not health.ok else 0


def cmd_retry(args, config) -> int:
    from publishers.posting import all_posted, post_work
    from publishers.registry import make_publisher
    from state.posts import posted_platforms, requeue
    from state.store import open_store
    from state.works import get_work

    db = open_store(config.db_path)
    work = get_work(db, args.work_id)
    if work is None or not work.get("image_path"):
        print(f"auria: error: no finished work with id {args.work_id}", file=sys.stderr)
        return 1
    requeue(db, work["id"])
    posted = posted_platforms(db, work["id"])
    platforms = [p for p in config.publish.platforms if p not in posted]
    if not platforms:
        print(f"work {work['id']} is posted on every enabled platform")
        return 0
    publishers = [make_publisher(platform, config) for platform in platforms]
    for publisher in publishers:
        publisher.validate()
    outcomes = post_work(db, work, publishers, config.publish)
    for platform, outcome in outcomes.items():
        print(f"{platform}: {outcome}")
    return 0 if all_posted(outcomes) else 1


def cmd_decide(args, config) -> int:
    from core.errors import AuriaError
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
