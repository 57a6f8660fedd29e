"""The child process of POST /api/generate: make one preview work and store it.

    python -m bot.gallery.generate CONFIG_FILE_OR_EMPTY SEED

The gallery's own process keeps its store connection read-only; this process opens the
store for writing, makes the work through the pipeline (which runs the steps in a child
of its own), and prints ``{"id": ..., "status": ...}`` on stdout.
"""
from __future__ import annotations

import json
import subprocess
import sys

from core.errors import AuriaError
from state.works import WorkStatus


class GenerationError(Exception):
    """The work could not be made; the message is for the server's log, not the visitor."""


def generate_preview(config, seed: int) -> int:
    """Make a preview work in a child process; returns its id."""
    command = [sys.executable, "-m", "bot.gallery.generate", str(config.source or ""), str(seed)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=config.generator.timeout + 60)
    except subprocess.TimeoutExpired:
        raise GenerationError(f"generation did not finish within {config.generator.timeout + 60:g} s") from None
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise GenerationError(f"generation exited {done.returncode}: {done.stderr.strip()[-500:]}") from None
    if result.get("status") != WorkStatus.PREVIEW:
        raise GenerationError(f"work {result.get('id')} failed: {result.get('error')}")
    return result["id"]


def main(argv: list[str]) -> int:
    from bot.config import load_config
    from core.logs import configure_logging
    from generator.pipeline import make_work
    from state.store import open_store

    path, seed = argv
    try:
        config = load_config(path or None)
        configure_logging(config.log_level, config.log_format)
        work = make_work(config, open_store(config.db_path), seed=int(seed), status=WorkStatus.PREVIEW)
    except AuriaError as error:
        print(json.dumps({"error": str(error)}))
        return 2
    print(json.dumps({"id": work["id"], "status": work["status"], "error": work["error"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
