"""Run the auria command line with X's traffic sent to a fake X (and Mastodon's to a fake Mastodon).

    python tests/fake_x_launcher.py BASE_URL [--mastodon MASTODON_URL] [auria arguments...]

For tests that run the real daemon in a subprocess: the process-wide patch reaches the
session and adapter the X publisher builds for itself, and Mastodon.py's session. With
--mastodon (right after BASE_URL), https://mastodon.test goes to MASTODON_URL (set
publish.mastodon_url = "https://mastodon.test"); without it that host is refused like any
other. The generation child process (`python -m generator.steps`) never posts, so it
needs no patch.
"""
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# tests/ is not a package: fake_x is imported from here, the project from the repo root.
for folder in (TESTS, TESTS.parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from fake_x import install_redirect  # noqa: E402

import bot.cli  # noqa: E402

MASTODON_HOST = "mastodon.test"
USAGE = "usage: fake_x_launcher.py BASE_URL [--mastodon MASTODON_URL] [auria arguments...]"

if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1].startswith("http://"):
        sys.exit(USAGE)
    base_url, args, extra = sys.argv[1], sys.argv[2:], {}
    if args[:1] == ["--mastodon"]:
        if len(args) < 2 or not args[1].startswith("http://"):
            sys.exit(USAGE)
        extra[MASTODON_HOST], args = args[1], args[2:]
    install_redirect(base_url, extra)
    sys.exit(bot.cli.main(args))
