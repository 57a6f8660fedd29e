"""`auria accounts check` and `auria login instagram`: the accounts Auria posts with."""
from __future__ import annotations

import logging

log = logging.getLogger("auria")
_PROBLEM = {
    "NotConfiguredError": "not configured",
    "NeedsHumanError": "needs a human",
    "RetryableError": "unavailable now, try later",
    "PermanentError": "refused",
}


def register(subparsers) -> None:
    accounts = subparsers.add_parser("accounts", help="the platform accounts Auria posts with")
    commands = accounts.add_subparsers(dest="accounts_command", metavar="COMMAND", required=True)
    check = commands.add_parser("check", help="one cheap authenticated call per enabled platform")
    check.set_defaults(func=cmd_accounts_check)
    login = subparsers.add_parser("login", help="one-time interactive login (2FA, challenge codes)")
    login.add_argument("platform", choices=["instagram"])
    login.set_defaults(func=cmd_login)


def cmd_accounts_check(args, config) -> int:
    from core.errors import AuriaError
    from publishers.base import PublishError
    from publishers.registry import make_publisher

    if not config.publish.platforms:
        print("no platforms enabled (publish.platforms)")
        return 0
    ok = True
    for platform in config.publish.platforms:
        try:
            publisher = make_publisher(platform, config)
            publisher.validate()
            who = publisher.check()
        except (AuriaError, PublishError) as error:
            ok = False
            message = str(error).removeprefix(f"{platform}: ")
            print(f"{platform}: {_PROBLEM.get(type(error).__name__, 'error')}: {message}")
        else:
            print(f"{platform}: OK ({who})")
    return 0 if ok else 1


def cmd_login(args, config) -> int:
    from publishers.instagram import cmd_login_instagram

    return cmd_login_instagram(args, config)
