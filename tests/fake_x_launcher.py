"""Run the auria command line with X's traffic sent to a fake X.

    python tests/fake_x_launcher.py BASE_URL [auria arguments...]

For tests that run the real daemon in a subprocess: the process-wide patch reaches the
session and adapter the X publisher builds for itself. The generation child process
(`python -m generator.steps`) never posts, so it needs no patch.
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

if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1].startswith("http://"):
        sys.exit("usage: fake_x_launcher.py BASE_URL [auria arguments...]")
    install_redirect(sys.argv[1])
    sys.exit(bot.cli.main(sys.argv[2:]))
