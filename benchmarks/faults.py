"""Never lose a work: the real daemon SIGKILLed at random, against platforms that fail at random.

Each run gets a fresh data folder whose slot passed two minutes ago (yesterday's work
already posted), and a fake X and a fake Mastodon on 127.0.0.1 (tests/fake_x.py and
tests/fake_mastodon.py, reached through tests/fake_x_launcher.py: the real tweepy and
Mastodon.py over real HTTP) that fail `--fault-rate` of all calls at random: a 500, a 503,
a 429 with the platform's reset header, a connection dropped before the platform acted,
or one dropped after it acted (the post is made, its answer is lost); every call takes
20-250 ms each way. `auria run` (its catch-up makes the slot's work and posts it) is
SIGKILLed, with its generation child (the process group, as systemd and Docker kill),
at a random time: half the time within the kill window from its start, half the time
0-3 s after the work is stored (generation would otherwise take most kills). It is
restarted; when the kill left a post `sending`, half the time the restart is killed 0-0.3 s
after its first tick began (in its recovery), else it is killed again with probability
1/3 (at most `--max-kills` kills a run); the last start is left to finish: both posts
recorded `posted`, then SIGTERM, which must exit 0.

The phase of each kill is read from the store while the daemon is stopped (SIGSTOP) just
before the SIGKILL: starting (before its `daemon_started` event), recovery (a post the
previous process left `sending` not yet reconciled), generating, sending, retry wait
(a post waits for its next try), between posts (the work is stored, a platform not yet
started), idle (everything posted).

Checked after each run, against what the fakes recorded: duplicates (a second status of
the work's haiku on a platform, or a status of another haiku for the slot) and losses (a
post the store says posted that the platform does not have under that id, a post not
posted by the deadline, the work re-made, gone or without its picture). Targets: 0 and 0.
Prints a table; exits 0 when both are 0, 1 otherwise.

    python benchmarks/faults.py [--runs 40] [--fault-rate 0.2] [--seed 1] [--window S] [--max-kills 3]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
for folder in (TESTS, ROOT):  # the fakes live with the tests; the project at the root
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from fake_mastodon import PUBLIC, FakeMastodon  # noqa: E402
from fake_x import FAULTS, FakeX  # noqa: E402

LAUNCHER = TESTS / "fake_x_launcher.py"
PLATFORMS = ("x", "mastodon")
SECRETS = {"AURIA_X_API_KEY": "bench-x-api-key", "AURIA_X_API_SECRET": "bench-x-api-secret",
           "AURIA_X_ACCESS_TOKEN": "bench-x-access-token", "AURIA_X_ACCESS_TOKEN_SECRET": "bench-x-token-secret"}
LATENCY = (0.02, 0.25)  # seconds, before the platform acts and again before it answers
FINISH_TIMEOUT_S = 180  # the last start must have both posts recorded by then
STOP_TIMEOUT_S = 30
PHASES = ("starting", "recovery", "generating", "sending", "retry wait", "between posts", "idle")


@dataclass
class Run:
    kills: list[str] = field(default_factory=list)  # the phase of each kill
    duplicates: list[str] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)
    faults: Counter = field(default_factory=Counter)
    deduplicated: int = 0  # resends the platform answered with the post it had (X's 403, Mastodon's key)
    seconds: float = 0.0
    starts: int = 0


@dataclass
class Summary:
    runs: list[Run]
    window: float
    seconds: float

    @property
    def duplicates(self) -> list[str]:
        return [d for run in self.runs for d in run.duplicates]

    @property
    def losses(self) -> list[str]:
        return [loss for run in self.runs for loss in run.losses]

    @property
    def kills(self) -> Counter:
        return Counter(phase for run in self.runs for phase in run.kills)


class Daemon:
    """One data folder with a due slot, and `auria run` on it against the two fakes."""

    def __init__(self, folder: Path, x: FakeX, mastodon: FakeMastodon):
        from bot.config import load_config
        from state.store import open_store

        self.folder, self.x, self.mastodon = folder, x, mastodon
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        self.slot = now - timedelta(minutes=2)
        self.config_path = folder / "auria.toml"
        self.config_path.write_text(
            f'data_dir = "{folder / "data"}"\ntimezone = "UTC"\n'
            '[generator]\ndevice = "cpu"\n'
            # The same pipeline, quicker: 8 poet candidates, the colour transfer for the style.
            '[poet]\ncandidates = 8\n[stylist]\nmethod = "colour"\n'
            f'[publish]\nplatforms = {json.dumps(list(PLATFORMS))}\nmastodon_url = "{PUBLIC}"\n'
            # Fast retries (1.2 s first, at most 2.2 s apart), and enough of them that a run of
            # faults never makes the daemon give up: giving up is not what is measured here.
            'retry_first_minutes = 0.02\nretry_max_hours = 0.0006\nretry_attempts = 100\n'
            f'[schedule]\ntimes = ["{self.slot:%H:%M}"]\ncatch_up_hours = 6\n', encoding="utf-8")
        self.config = load_config(self.config_path)
        db = open_store(self.config.db_path)
        try:
            self._seed(db, self.slot - timedelta(days=1))
        finally:
            db.conn.close()
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.left_sending: dict[str, int] = {}  # platform -> attempt the last kill left `sending`

    @staticmethod
    def _seed(db, slot: datetime) -> None:
        """Yesterday's work, made and posted: without a last slot a new store starts now."""
        from bot.schedule import slot_id
        from state.posts import mark_posted, start_sending
        from state.slots import claim_slot
        from state.works import update_work

        work_id, _ = claim_slot(db, slot_id(slot))
        update_work(db, work_id, "work_generated", status="ready", haiku="yesterday's haiku\nposted\nlong ago")
        for platform in PLATFORMS:
            mark_posted(db, start_sending(db, work_id, platform), "1000", "https://example.invalid/1000")

    def start(self) -> None:
        self.starts += 1
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AURIA_") and k not in ("CREDENTIALS_DIRECTORY", "NOTIFY_SOCKET", "WATCHDOG_USEC")}
        env.update(SECRETS, AURIA_MASTODON_ACCESS_TOKEN=self.mastodon.token, PYTHONPATH=str(ROOT))
        with open(self.folder / f"daemon-{self.starts}.log", "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(LAUNCHER), self.x.base_url, "--mastodon", self.mastodon.base_url,
                 "--config", str(self.config_path), "run"],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_to_kill(self, after: str, seconds: float) -> bool:
        """Wait `seconds` after the start ("start"), after the work is stored ("posting"),
        or after this process's first tick began ("recovery"); False if it exited first."""
        began = time.monotonic()
        while self.proc.poll() is None:
            if time.monotonic() - began > FINISH_TIMEOUT_S or after == "start" or (
                    self.started() if after == "recovery" else (self.work() or {}).get("status") == "ready"):
                break
            time.sleep(0.02)
        deadline = (began if after == "start" else time.monotonic()) + seconds
        while self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.proc.poll() is None

    def kill(self) -> str:
        """SIGSTOP the process group, read the phase from the store, SIGKILL; the phase."""
        os.killpg(self.proc.pid, signal.SIGSTOP)
        try:
            phase = self.phase()
        finally:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.left_sending = {p: post["attempts"] for p, post in self.posts().items() if post["state"] == "sending"}
        return phase

    def stop(self) -> int:
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
            return -1

    def log_tail(self, lines: int = 15) -> str:
        text = (self.folder / f"daemon-{self.starts}.log").read_text(errors="replace")
        return "\n".join("    " + line for line in text.splitlines()[-lines:])

    # -- the store, read-only ------------------------------------------------------------------

    def _db(self):
        from state.store import open_store_readonly

        return open_store_readonly(self.config.db_path)

    def work(self) -> dict | None:
        from bot.schedule import slot_id
        from state.slots import work_for_slot

        db = self._db()
        try:
            return work_for_slot(db, slot_id(self.slot))
        finally:
            db.conn.close()

    def posts(self) -> dict[str, dict]:
        from state.posts import posts_for

        work = self.work()
        if work is None:
            return {}
        db = self._db()
        try:
            return posts_for(db, work["id"])
        finally:
            db.conn.close()

    def finished(self) -> bool:
        """Both posts are through (or given up), and this process has started its first tick:
        its signal handlers are in place, so SIGTERM now must end it with exit code 0."""
        posts = self.posts()
        return self.started() and all(
            posts.get(p, {}).get("state") in ("posted", "failed", "needs_human") for p in PLATFORMS)

    def started(self) -> bool:
        """This process has recorded its `daemon_started` event (its first tick began)."""
        db = self._db()
        try:
            return any(json.loads(detail).get("pid") == self.proc.pid for (detail,) in db.execute(
                "SELECT detail FROM events WHERE kind = 'daemon_started'").fetchall())
        finally:
            db.conn.close()

    def phase(self) -> str:
        if not self.started():
            return "starting"
        work, posts = self.work(), self.posts()
        states = {p: posts[p]["state"] for p in posts}
        if any(states.get(p) == "sending" and posts[p]["attempts"] == attempt for p, attempt in self.left_sending.items()):
            return "recovery"  # the same attempt still `sending`: not reconciled yet
        if work is None or work["status"] in ("claimed", "generating", "failed"):
            return "generating"
        if "sending" in states.values():
            return "sending"
        if "retry" in states.values():
            return "retry wait"
        if all(states.get(p) == "posted" for p in PLATFORMS):
            return "idle"
        return "between posts"

    # -- the promises ------------------------------------------------------------------------

    def check(self, run: Run) -> None:
        """Duplicates and losses of this run's work, against what the fakes hold."""
        work = self.work()
        db = self._db()
        try:
            works = db.execute("SELECT count(*) FROM works").fetchone()[0]
            claims = db.execute("SELECT count(*) FROM events WHERE kind = 'slot_claimed'").fetchone()[0]
        finally:
            db.conn.close()
        if work is None:
            run.losses.append("the slot has no work")
            return
        if works != 2 or claims != 2:
            run.losses.append(f"{works} works and {claims} slot claims in the store, expected 2 and 2")
        if work["status"] != "ready" or not work["image_path"] or not Path(work["image_path"]).is_file():
            run.losses.append(f"work {work['id']} is {work['status']}, picture {work['image_path']!r}")
        haiku = work["haiku"].split("\n")[0]
        posts = self.posts()
        for platform, fake in (("x", self.x), ("mastodon", self.mastodon)):
            made = fake.tweets if platform == "x" else fake.statuses
            ours = [s for s in made if haiku and haiku in s["text"]]
            if len(ours) > 1:
                run.duplicates.append(f"{platform}: {len(ours)} posts of work {work['id']}: {[s['id'] for s in ours]}")
            strays = [s for s in made if s not in ours]
            if strays:
                run.duplicates.append(f"{platform}: {len(strays)} posts of another haiku for the slot")
            post = posts.get(platform)
            if post is None or post["state"] != "posted":
                state = post["state"] if post else "no post"
                error = f" ({post['error']})" if post and post.get("error") else ""
                run.losses.append(f"{platform}: never posted: {state}{error}")
            elif post["remote_id"] not in {s["id"] for s in ours}:
                run.losses.append(f"{platform}: recorded posted as {post['remote_id']}, the platform has no such post")
            for error in fake.errors:
                run.losses.append(f"{platform}: the fake itself failed: {error}")


def one_run(number: int, rng: random.Random, fault_rate: float, window: float, max_kills: int,
            keep: Path | None = None) -> Run:
    """One data folder, killed 1..max_kills times at random, then finished and checked."""
    run = Run()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"auria-bench-faults-{number}-") as tmp, \
            FakeX() as x, FakeMastodon() as mastodon:
        folder = Path(tmp)
        x.chaos(fault_rate, seed=rng.randrange(2**32), latency=LATENCY)
        mastodon.chaos(fault_rate, seed=rng.randrange(2**32), latency=LATENCY)
        daemon = Daemon(folder, x, mastodon)
        try:
            plan = kill_plan(rng, window)
            while True:
                daemon.start()
                if not daemon.wait_to_kill(*plan):
                    run.losses.append(f"auria run exited with {daemon.proc.returncode} by itself:\n{daemon.log_tail()}")
                    break
                run.kills.append(daemon.kill())
                if len(run.kills) >= max_kills:
                    break
                if daemon.left_sending and rng.random() < 0.5:
                    plan = ("recovery", rng.uniform(0.0, 0.3))
                elif rng.random() < 1 / 3:
                    plan = kill_plan(rng, window)
                else:
                    break
            if not run.losses:
                daemon.start()
                deadline = time.monotonic() + FINISH_TIMEOUT_S
                while not daemon.finished() and time.monotonic() < deadline and daemon.proc.poll() is None:
                    time.sleep(0.1)
                if daemon.proc.poll() is not None:
                    run.losses.append(f"auria run exited with {daemon.proc.returncode} by itself:\n{daemon.log_tail()}")
                else:
                    code = daemon.stop()
                    if code != 0:
                        run.losses.append(f"auria run exited with {code} after SIGTERM (expected 0)")
                daemon.check(run)
        finally:
            if daemon.proc is not None and daemon.proc.poll() is None:
                os.killpg(daemon.proc.pid, signal.SIGKILL)
                daemon.proc.wait(10)
            run.faults = Counter(fault for _, _, fault in x.faults + mastodon.faults)
            run.deduplicated = x.duplicates_refused + mastodon.keys_replayed
            run.starts = daemon.starts
            if keep is not None and (run.duplicates or run.losses):
                import shutil

                shutil.copytree(folder, keep / f"run-{number}", dirs_exist_ok=True)
    run.seconds = time.perf_counter() - started
    return run


def kill_plan(rng: random.Random, window: float) -> tuple[str, float]:
    """When to kill a start: at a random time within the window, or (half the time, as
    generation would take most kills) a random 0-3 s after the work is stored, while it
    is posted."""
    if rng.random() < 0.5:
        return "start", rng.uniform(0.0, window)
    return "posting", rng.uniform(0.0, 3.0)


def calibrate(rng: random.Random, fault_rate: float) -> float:
    """Seconds from start to both posts recorded, in one run without kills (same faults)."""
    with tempfile.TemporaryDirectory(prefix="auria-bench-faults-calibrate-") as tmp, \
            FakeX() as x, FakeMastodon() as mastodon:
        x.chaos(fault_rate, seed=rng.randrange(2**32), latency=LATENCY)
        mastodon.chaos(fault_rate, seed=rng.randrange(2**32), latency=LATENCY)
        daemon = Daemon(Path(tmp), x, mastodon)
        started = time.monotonic()
        daemon.start()
        try:
            while not daemon.finished():
                if daemon.proc.poll() is not None or time.monotonic() - started > FINISH_TIMEOUT_S:
                    raise SystemExit(f"calibration: the daemon did not post within {FINISH_TIMEOUT_S} s:\n"
                                     f"{daemon.log_tail()}")
                time.sleep(0.05)
            return time.monotonic() - started
        finally:
            daemon.stop()


def kill_loop(runs: int, fault_rate: float = 0.2, seed: int = 1, window: float | None = None,
              max_kills: int = 3, keep: Path | None = None, progress=None) -> Summary:
    """`runs` runs; the kill window is one calibration run's time unless given."""
    rng = random.Random(seed)
    started = time.perf_counter()
    if window is None:
        window = calibrate(rng, fault_rate)
    results = []
    for number in range(1, runs + 1):
        run = one_run(number, rng, fault_rate, window, max_kills, keep)
        results.append(run)
        if progress:
            progress(number, run)
    return Summary(results, window, time.perf_counter() - started)


def print_table(summary: Summary, fault_rate: float, seed: int) -> None:
    runs = summary.runs
    kills = summary.kills
    faults = Counter()
    for run in runs:
        faults.update(run.faults)
    print(f"\n`auria run` SIGKILLed at random within {summary.window:.1f} s of each start, X and Mastodon "
          f"failing {fault_rate:.0%} of calls, seed {seed}; Python {sys.version.split()[0]}\n")
    print("| measure | value | target | ok |")
    print("|---|---:|---:|---|")
    print(f"| runs | {len(runs)} | | |")
    print(f"| kills | {sum(kills.values())} | | |")
    for phase in PHASES:
        print(f"| kills while {phase} | {kills.get(phase, 0)} | | |")
    print(f"| daemon starts | {sum(r.starts for r in runs)} | | |")
    print(f"| platform faults injected | {sum(faults.values())} "
          f"({', '.join(f'{k} {faults.get(k, 0)}' for k in FAULTS)}) | | |")
    print(f"| resends the platform deduplicated (X's duplicate 403, Mastodon's Idempotency-Key) "
          f"| {sum(r.deduplicated for r in runs)} | | |")
    duplicates, losses = summary.duplicates, summary.losses
    print(f"| duplicates | {len(duplicates)} | 0 | {'yes' if not duplicates else 'NO'} |")
    print(f"| losses | {len(losses)} | 0 | {'yes' if not losses else 'NO'} |")
    seconds = [r.seconds for r in runs]
    print(f"| seconds a run (median, max) | {sorted(seconds)[len(seconds) // 2]:.1f}, {max(seconds):.1f} | | |")
    print(f"| total run time (s) | {summary.seconds:.0f} | | |")
    for what, items in (("duplicate", duplicates), ("loss", losses)):
        for item in items:
            print(f"{what}: {item}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="data folders killed and finished (default 40)")
    parser.add_argument("--fault-rate", type=float, default=0.2, help="share of platform calls that fail (0.2)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the kill times and the faults (1)")
    parser.add_argument("--window", type=float, help="kill within this many seconds of a start "
                                                     "(default: one calibration run's time to both posts)")
    parser.add_argument("--max-kills", type=int, default=3, help="kills a run at most (3)")
    parser.add_argument("--keep", type=Path, help="copy the data folders of failing runs here")
    args = parser.parse_args()
    if args.runs < 1 or args.max_kills < 1 or not 0 <= args.fault_rate < 1:
        parser.error("--runs and --max-kills must be >= 1, --fault-rate in [0, 1)")

    def progress(number: int, run: Run) -> None:
        verdict = "ok" if not (run.duplicates or run.losses) else "DUPLICATE/LOSS"
        print(f"run {number}/{args.runs}: kills {', '.join(run.kills)}; {sum(run.faults.values())} faults; "
              f"{run.seconds:.1f} s; {verdict}", file=sys.stderr, flush=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # leave no daemon behind: the finally blocks run
    summary = kill_loop(args.runs, args.fault_rate, args.seed, args.window, args.max_kills, args.keep, progress)
    print_table(summary, args.fault_rate, args.seed)
    return 0 if not (summary.duplicates or summary.losses) else 1


if __name__ == "__main__":
    sys.exit(main())
