"""The ``auria`` command line.

Exit codes: 0 success; 1 the thing asked for does not exist (``auria show 99``);
2 a user error: bad arguments, a bad config file, an unreadable database (one line
``auria: error: ...`` on stderr, never a traceback); 130 interrupted.

Command groups register themselves: each function in ``COMMAND_GROUPS`` takes the
subparsers object and adds its parsers with ``set_defaults(func=...)``; a command
function takes ``(args, config)`` and returns the exit code. Imports that cost time
(sqlite-utils, torch, ...) happen inside command functions so ``auria --help`` stays
fast; the base CLI never imports torch.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys

from bot.config import LOG_LEVELS
from core.errors import AuriaError


def register_config(subparsers) -> None:
    group = subparsers.add_parser("config", help="inspect the configuration")
    commands = group.add_subparsers(dest="config_command", metavar="COMMAND", required=True)
    check = commands.add_parser(
        "check", help="validate the configuration, print it and which secrets are set"
    )
    check.set_defaults(func=cmd_config_check)


def register_works(subparsers) -> None:
    history = subparsers.add_parser("history", help="list the latest works")
    history.add_argument("--limit", type=_positive_int, default=20, metavar="N",
                         help="how many works to list (default 20)")
    history.set_defaults(func=cmd_history)
    show = subparsers.add_parser("show", help="show one work in full, with its events")
    show.add_argument("work_id", type=work_id, metavar="ID")
    show.set_defaults(func=cmd_show)


def register_poet(subparsers) -> None:
    from generator.poet.cli import register

    register(subparsers)


def register_making(subparsers) -> None:
    from bot.works_cli import register

    register(subparsers)


def register_styles(subparsers) -> None:
    from generator.stylist.cli import register

    register(subparsers)


def register_accounts(subparsers) -> None:
    from bot.accounts_cli import register

    register(subparsers)


def register_status(subparsers) -> None:
    from bot.status_cli import register

    register(subparsers)


def register_gallery(subparsers) -> None:
    from bot.gallery.cli import register

    register(subparsers)


COMMAND_GROUPS = [
    register_config, register_works, register_poet, register_making, register_styles, register_accounts,
    register_status, register_gallery,
]


def cmd_config_check(args, config) -> int:
    from bot.config import as_dotted
    from core.secrets import SECRET_NAMES, get_secret

    print(f"# config: {config.source if config.source else 'built-in defaults'}")
    for key, value in as_dotted(config).items():
        print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for name in SECRET_NAMES:
        print(f"secret {name}: {'set' if get_secret(name) else 'not set'}")
    print("config OK")
    return 0


def cmd_history(args, config) -> int:
    from state.works import list_works

    db = _open_existing_store(config)
    works = list_works(db, limit=args.limit) if db else []
    if not works:
        print("no works yet")
    for work in works:
        created = _local_time(work["created_at"], config.timezone)
        print(f"{work['id']:>5}  {created}  {work['status']:<8} {_one_line(work['haiku'])}")
    return 0


def cmd_show(args, config) -> int:
    from state.events import events_for
    from state.works import get_work

    db = _open_existing_store(config)
    work = get_work(db, args.work_id) if db else None
    if work is None:
        print(f"auria: error: no work with id {args.work_id}", file=sys.stderr)
        return 1
    print(f"work {work['id']}")
    for key, value in work.items():
        if key == "id":
            continue
        if key == "haiku":
            print("haiku:")
            for line in value.splitlines():
                print(f"    {line}")
        elif isinstance(value, (dict, list)):
            print(f"{key}:")
            for line in json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).splitlines():
                print(f"    {line}")
        else:
            print(f"{key}: {'-' if value is None else value}")
    print("events:")
    for event in events_for(db, work["id"]):
        detail = json.dumps(event["detail"], ensure_ascii=False, sort_keys=True)
        print(f"    {event['at']}  {event['kind']}  {detail}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auria", description="Auria, an AI poet-painter: a haiku and its picture, every day."
    )
    parser.add_argument("--config", metavar="PATH",
                        help="configuration file (default: $AURIA_CONFIG, else config/auria.toml)")
    parser.add_argument("--log-level", choices=LOG_LEVELS,
                        help="overrides log_level from the config")
    parser.add_argument("-V", "--version", action="version", version=f"auria {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in COMMAND_GROUPS:
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version and usage errors: argparse already printed
        return e.code if isinstance(e.code, int) else 2
    config = None
    try:
        from bot.config import load_config
        from core.logs import configure_logging

        config = load_config(args.config)
        if args.log_level:
            config.log_level = args.log_level
        configure_logging(config.log_level, config.log_format)
        return args.func(args, config)
    except AuriaError as e:
        print(f"auria: error: {e}", file=sys.stderr)
        return 2
    except sqlite3.OperationalError as e:  # the store locked by another process, a full disk
        print(f"auria: error: the store: {e}" + ("; another process holds it, try again" if "locked" in str(e) else ""),
              file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as e:  # pages damaged after it was opened ("malformed")
        where = config.db_path if config else "the store"
        print(f"auria: error: {where}: damaged ({e}); restore it from a backup", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and cut short: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush is quiet
        return 0


def _open_existing_store(config):
    """The store, or None when there is none yet (reading must not create a data folder)."""
    from state.store import open_store

    return open_store(config.db_path) if config.db_path.exists() else None


def _local_time(utc_iso: str, tz_name: str) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(utc_iso).astimezone(ZoneInfo(tz_name))
    return local.strftime("%Y-%m-%d %H:%M")


def _one_line(haiku: str) -> str:
    return " / ".join(line.strip() for line in haiku.splitlines() if line.strip())


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return n


MAX_WORK_ID = 2**63 - 1  # SQLite's largest integer: a larger id cannot be looked up at all


def work_id(text: str) -> int:
    """argparse type of a work id: a whole number from 1 to SQLite's largest integer."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_WORK_ID:
        raise argparse.ArgumentTypeError(f"a work id is a whole number from 1 to {MAX_WORK_ID}, got {text!r}")
    return n


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("auria")
    except PackageNotFoundError:
        return "unknown"
