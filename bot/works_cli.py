"""`auria preview`, `auria post-now --dry-run`, `auria remake`: making complete works by hand."""
from __future__ import annotations

import logging
import secrets
import sys
from pathlib import Path

from bot.config import platform_names
from core.errors import AuriaError
from generator.messages import STEPS
from generator.painter.media import MEDIUM_SETTINGS

log = logging.getLogger("auria")


def register(subparsers) -> None:
    from bot.cli import work_id

    preview = subparsers.add_parser(
        "preview", help="make complete works and show what would be posted, in a local folder (no accounts)")
    preview.add_argument("--out", default="auria-preview", metavar="DIR", help="default ./auria-preview")
    preview.add_argument("--count", type=int, default=1, metavar="N", help="how many works (default 1)")
    preview.add_argument("--seed", type=int, help="work k uses seed S+k (default: random)")
    preview.add_argument("--haiku", metavar="TEXT", help='paint this poem instead: lines separated by " / " or newlines')
    preview.add_argument("--mood", help="a mood instead of stylist.mood (see `auria styles list`)")
    preview.add_argument("--medium", choices=MEDIUM_SETTINGS, help="a medium instead of painter.medium")
    preview.set_defaults(func=cmd_preview)

    post_now = subparsers.add_parser("post-now", help="make a work now and post it (--dry-run: to a folder)")
    post_now.add_argument("--dry-run", action="store_true", help="write what would be posted instead of posting")
    post_now.add_argument("--platform", action="append", choices=platform_names(), metavar="P",
                          help="post only here (repeatable; default: publish.platforms)")
    post_now.add_argument("--out", metavar="DIR", help="dry-run folder (default DATA_DIR/dry-run/work-ID)")
    post_now.add_argument("--seed", type=int)
    post_now.add_argument("--work", type=work_id, metavar="ID", help="post this previewed work as it is")
    post_now.set_defaults(func=cmd_post_now)

    remake = subparsers.add_parser("remake", help="make a work again from one of its steps, keeping the earlier ones")
    remake.add_argument("work_id", type=work_id, metavar="ID")
    remake.add_argument("--from-step", required=True, choices=STEPS)
    remake.add_argument("--seed", type=int, help="seed for the steps made again (default: the work's)")
    remake.add_argument("--mood", help="a mood instead of stylist.mood")
    remake.add_argument("--medium", choices=MEDIUM_SETTINGS, help="a medium instead of painter.medium")
    remake.add_argument("--out", metavar="DIR", help="also write a dry-run preview of the new work here")
    remake.set_defaults(func=cmd_remake)


def cmd_preview(args, config) -> int:
    if args.count < 1:
        raise AuriaError(f"--count must be at least 1, got {args.count}")
    haiku = parse_haiku(args.haiku) if args.haiku else None
    seed = secrets.randbelow(2**31) if args.seed is None else args.seed
    config.painter.medium = args.medium or config.painter.medium
    works = _make(config, [seed + k for k in range(args.count)], haiku=haiku, mood=args.mood)
    return _publish_dry_run(config, works, Path(args.out))


def cmd_post_now(args, config) -> int:
    if args.platform:
        config.publish.platforms = list(dict.fromkeys(args.platform))
    if not config.publish.platforms:
        raise AuriaError("no platform to post to: set publish.platforms or give --platform")
    if args.work is not None:
        return _post_previewed(args, config)
    seed = secrets.randbelow(2**31) if args.seed is None else args.seed
    if args.dry_run:
        works = _make(config, [seed])
        out = Path(args.out) if args.out else config.data_dir / "dry-run" / f"work-{works[0]['id']}"
        return _publish_dry_run(config, works, out)
    from publishers.posting import post_work
    from state.store import open_store
    from state.works import WorkStatus

    publishers = _checked_publishers(config)  # before a work is made: a missing account is the user's to fix first
    work = _make(config, [seed], status=WorkStatus.READY)[0]
    if work["status"] == WorkStatus.FAILED:
        return 1
    return _report(post_work(open_store(config.db_path), work, publishers, config.publish))


def _post_previewed(args, config) -> int:
    """`post-now --work ID`: the work a preview made, posted as it is (not made again)."""
    from publishers.posting import post_work
    from state.store import open_store
    from state.works import POSTABLE_BY_HAND, WorkStatus, get_work, ready_preview

    if args.seed is not None:
        raise AuriaError("--work posts a work as it was made: it takes no --seed")
    db = open_store(config.db_path)
    work = get_work(db, args.work)
    if work is None:
        print(f"auria: error: no work with id {args.work}", file=sys.stderr)
        return 1
    if work["status"] not in POSTABLE_BY_HAND:
        raise AuriaError(f"work {args.work} is {work['status']}: only a preview or a ready work can be posted")
    if args.dry_run:
        out = Path(args.out) if args.out else config.data_dir / "dry-run" / f"work-{work['id']}"
        return _publish_dry_run(config, [work], out)
    publishers = _checked_publishers(config)
    if work["status"] == WorkStatus.PREVIEW:
        ready_preview(db, work["id"])
        work = get_work(db, work["id"])
    return _report(post_work(db, work, publishers, config.publish))


def _checked_publishers(config) -> list:
    """The enabled platforms' publishers, each with its settings and secrets checked."""
    from publishers.registry import make_publisher

    publishers = [make_publisher(platform, config) for platform in config.publish.platforms]
    for publisher in publishers:
        publisher.validate()
    return publishers


def _report(outcomes: dict) -> int:
    """Print each platform's outcome; 0 when every one was posted."""
    from publishers.posting import all_posted

    for platform, outcome in outcomes.items():
        print(f"{platform}: {outcome}")
    return 0 if all_posted(outcomes) else 1


def cmd_remake(args, config) -> int:
    from generator.pipeline import make_work
    from state.store import open_store
    from state.works import WorkStatus, get_work

    _check_mood(args.mood)
    db = open_store(config.db_path)
    original = get_work(db, args.work_id)
    if original is None:
        print(f"auria: error: no work with id {args.work_id}", file=sys.stderr)
        return 1
    seed = original["seed"] if args.seed is None else args.seed
    config.painter.medium = args.medium or config.painter.medium
    work = make_work(config, db, seed=seed, remake_of=args.work_id, from_step=args.from_step, mood=args.mood)
    _print_work(work)
    if work["status"] == WorkStatus.FAILED:
        return 1
    return _publish_dry_run(config, [work], Path(args.out)) if args.out else 0


def parse_haiku(text: str) -> list[str]:
    """'an old pond / a frog jumps in / the sound of water' -> its lines."""
    separator = "\n" if "\n" in text else "/"
    lines = [line.strip() for line in text.split(separator) if line.strip()]
    if not 1 <= len(lines) <= 5:
        raise AuriaError(f'--haiku needs 1 to 5 lines separated by " / " or newlines, got {len(lines)}')
    if any(len(line) > 80 for line in lines):
        raise AuriaError("--haiku: a line is longer than 80 characters")
    return lines


def _make(config, seeds: list[int], haiku: list[str] | None = None, mood: str | None = None,
          status: str | None = None) -> list[dict]:
    """The works of `seeds`, made and stored, each in `status` (default preview)."""
    from generator.pipeline import Job, make_works
    from state.store import open_store
    from state.works import WorkStatus

    status = status or WorkStatus.PREVIEW

    _check_mood(mood)
    db = open_store(config.db_path)
    works = make_works(config, db, [Job(seed=seed, haiku=haiku, mood=mood, status=status) for seed in seeds])
    for work in works:
        _print_work(work)
    return works


def _publish_dry_run(config, works: list[dict], out: Path) -> int:
    from publishers import platforms
    from publishers.dryrun import write_dry_run
    from state.works import WorkStatus

    made = [w for w in works if w["status"] != WorkStatus.FAILED]
    if made:
        publish = config.publish
        index = write_dry_run(out, made, publish.platforms, publish.signature, publish.hashtags, publish.templates,
                              settings=platforms.settings_of(publish))
        print(f"preview: {index}")
    failed = len(works) - len(made)
    if failed:
        print(f"auria: error: {failed} of {len(works)} works failed (see `auria show ID`)", file=sys.stderr)
        return 1
    return 0


def _print_work(work: dict) -> None:
    from state.works import WorkStatus

    if work["status"] == WorkStatus.FAILED:
        print(f"work {work['id']}: failed: {work['error']}")
        return
    medium = ((work.get("steps") or {}).get("stylist") or {}).get("params", {}).get("medium")
    print(f"work {work['id']} (seed {work['seed']}, mood {work['mood']}, {medium or 'no medium'}, {work['style']})")
    for line in work["haiku"].split("\n"):
        print(f"    {line}")


def _check_mood(mood: str | None) -> None:
    if mood:
        from generator.stylist.moods import MOODS

        if mood not in MOODS:
            raise AuriaError(f"unknown mood {mood!r}: one of {', '.join(MOODS)}")
