"""The daemon through crashes, outages and restarts, with real processes.

Each test runs the real `auria run` in a subprocess (tests/fake_x_launcher.py sends its X
traffic to a fake X on 127.0.0.1: real tweepy, real HTTP), on a real SQLite file, breaks
it at one point (SIGKILL, a platform outage, a locked store, a full disk), restarts it
where a crash was the break, and checks the two promises: exactly one post on X for the
slot, and no work lost.

The kills go to the daemon's process group, as systemd (KillMode=control-group) and
Docker do: the generation child dies with the daemon.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import load_config
from bot.schedule import slot_id
from fake_x import FakeX
from state.events import events_for
from state.posts import mark_posted, posts_for, start_sending
from state.slots import claim_slot, work_for_slot
from state.store import open_store
from state.works import get_work, update_work

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "tests" / "fake_x_launcher.py"
X_SECRETS = {"AURIA_X_API_KEY": "fake-key", "AURIA_X_API_SECRET": "fake-secret",
             "AURIA_X_ACCESS_TOKEN": "fake-token", "AURIA_X_ACCESS_TOKEN_SECRET": "fake-token-secret"}


def minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


class Bot:
    """One data folder and config; `start()` runs a daemon on it against the fake X."""

    def __init__(self, tmp_path: Path, fake: FakeX, times: list[datetime], catch_up_hours: float = 6):
        self.tmp_path, self.fake = tmp_path, fake
        self.config_path = tmp_path / "auria.toml"
        hhmm = sorted({t.strftime("%H:%M") for t in times})
        self.config_path.write_text(
            f'data_dir = "{tmp_path / "data"}"\ntimezone = "UTC"\n'
            '[generator]\ndevice = "cpu"\n'
            '[publish]\nplatforms = ["x"]\n'
            # Fast retries: a first retry after 1.2 s, never more than 4 s apart.
            'retry_first_minutes = 0.02\nretry_max_hours = 0.0011\n'
            f'[schedule]\ntimes = {json.dumps(hhmm)}\ncatch_up_hours = {catch_up_hours}\n')
        self.config = load_config(self.config_path)
        self.db = open_store(self.config.db_path)
        self.proc: subprocess.Popen | None = None
        self.runs = 0

    def seed(self, slot: datetime) -> int:
        """An earlier slot's work, made and finished: the store's history before the test."""
        work_id, _ = claim_slot(self.db, slot_id(slot))
        update_work(self.db, work_id, "work_generated", status="ready", haiku="an older haiku\nalready\nposted")
        mark_posted(self.db, start_sending(self.db, work_id, "x"), "1000", "https://x.com/auria_bot/status/1000")
        return work_id

    def start(self, **env) -> subprocess.Popen:
        self.runs += 1
        self.log = self.tmp_path / f"daemon-{self.runs}.log"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("AURIA_")}
        full_env.update(X_SECRETS, PYTHONPATH=str(ROOT), **env)
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(LAUNCHER), self.fake.base_url, "--config", str(self.config_path), "run"],
                cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self.proc

    def logged(self) -> str:
        return self.log.read_text()

    def wait_for(self, what: str, check, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"the daemon exited with {self.proc.returncode} before {what}:\n{self.logged()}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{self.logged()}")

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def kill_during(self, fake, path: str, after_commit: bool = False) -> None:
        """Start the daemon, kill it while `fake` holds its call to `path` (before or after
        the platform took it in), then let the held call go to the dead client."""
        fake.hold(path, after_commit=after_commit)
        self.start()
        assert fake.wait_held(90), self.logged()
        self.kill()
        fake.release()

    def stop(self) -> None:
        """SIGTERM, as systemd stops a service: the daemon must exit 0."""
        os.kill(self.proc.pid, signal.SIGTERM)
        assert self.proc.wait(30) == 0, self.logged()

    def work(self, slot: datetime) -> dict | None:
        return work_for_slot(self.db, slot_id(slot))

    def post_state(self, slot: datetime) -> str | None:
        work = self.work(slot)
        return posts_for(self.db, work["id"]).get("x", {}).get("state") if work else None

    def assert_posted_once(self, slot: datetime, works: int) -> dict:
        """Exactly one X post for the slot, recorded as posted, and every work still stored."""
        work = self.work(slot)
        post = posts_for(self.db, work["id"])["x"]
        tweets = [t for t in self.fake.tweets if work["haiku"].split("\n")[0] in t["text"]]
        assert len(self.fake.tweets) == 1 and len(tweets) == 1, self.fake.tweets
        assert post["state"] == "posted" and post["remote_id"] == tweets[0]["id"]
        assert work["status"] == "ready" and Path(work["image_path"]).is_file()
        assert self.db.execute("SELECT count(*) FROM works").fetchone()[0] == works
        assert self.fake.errors == []
        return work


@pytest.fixture
def fake():
    with FakeX() as x:
        yield x


@pytest.fixture
def due(tmp_path, fake):
    """A bot whose slot passed two minutes ago, with yesterday's slot already done: its
    daemon makes and posts the slot as soon as it starts (the catch-up)."""
    slot = minute(datetime.now(timezone.utc)) - timedelta(minutes=2)
    bot = Bot(tmp_path, fake, [slot])
    bot.seed(slot - timedelta(days=1))
    yield bot, slot
    if bot.proc and bot.proc.poll() is None:
        bot.kill()


def finish_after_restart(bot: Bot, slot: datetime) -> dict:
    bot.start()
    bot.wait_for("the slot posted", lambda: bot.post_state(slot) == "posted")
    bot.stop()
    return bot.assert_posted_once(slot, works=2)


def test_killed_during_generation_the_slot_is_made_and_posted_once_after_restart(due):
    bot, slot = due
    bot.start(AURIA_FAULT="hang:painter")
    bot.wait_for("the painter step", lambda: "poet: done" in bot.logged())
    assert bot.work(slot)["status"] == "generating"
    bot.kill()
    work = finish_after_restart(bot, slot)
    assert [e["kind"] for e in events_for(bot.db, work["id"])].count("slot_claimed") == 1


def test_killed_after_the_work_is_stored_it_is_posted_once_after_restart(due):
    bot, slot = due
    first = bot.start(AURIA_FAULT="hang:stored")
    bot.wait_for("the stored work", lambda: (bot.work(slot) or {}).get("status") == "ready")
    # A second daemon on the same folder meanwhile: refused, naming the first.
    second = subprocess.run([sys.executable, "-m", "bot", "--config", str(bot.config_path), "run"], cwd=ROOT,
                            env={**os.environ, **X_SECRETS}, capture_output=True, text=True, timeout=60)
    assert second.returncode == 2 and f"another Auria (pid {first.pid}) is running" in second.stderr
    made = bot.work(slot)
    bot.kill()
    assert bot.fake.calls == [] and posts_for(bot.db, made["id"]) == {}
    work = finish_after_restart(bot, slot)
    assert work["image_sha256"] == made["image_sha256"], "the stored work is posted, not made again"


def test_killed_after_the_upload_before_the_post_it_is_posted_once_after_restart(due):
    bot, slot = due
    bot.kill_during(bot.fake, "/2/tweets")  # the client is gone: X never got the post
    assert len(bot.fake.uploads) == 1 and bot.fake.tweets == []
    assert bot.post_state(slot) == "sending"
    finish_after_restart(bot, slot)
    assert "recovered work" in bot.logged()


def test_killed_after_x_accepted_the_post_the_restart_finds_it_and_does_not_post_again(due):
    bot, slot = due
    bot.kill_during(bot.fake, "/2/tweets", after_commit=True)
    assert len(bot.fake.tweets) == 1 and bot.post_state(slot) == "sending"
    finish_after_restart(bot, slot)
    assert len(bot.fake.uploads) == 1, "found on X: nothing was uploaded again"


def test_x_down_refused_then_500_then_429_is_retried_until_it_is_up(due):
    bot, slot = due
    bot.fake.stop()  # connection refused
    bot.start()
    bot.wait_for("a first retry", lambda: bot.post_state(slot) == "retry")
    reset = int(time.time()) + 3
    bot.fake.script("/2/media/upload", [
        (500, {}, {"title": "Internal Server Error"}),
        (429, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}, {"title": "Too Many Requests"}),
    ])
    bot.fake.start()
    bot.wait_for("the slot posted", lambda: bot.post_state(slot) == "posted", timeout=120)
    bot.stop()
    work = bot.assert_posted_once(slot, works=2)
    errors = [e["detail"]["error"] for e in events_for(bot.db, work["id"]) if e["kind"] == "post_retry"]
    assert any("network error" in e for e in errors)
    assert any("HTTP 500" in e for e in errors)
    assert any("HTTP 429" in e and "rate limited" in e for e in errors)
    assert time.time() >= reset, "the 429's reset time was waited for"
    assert posts_for(bot.db, work["id"])["x"]["attempts"] >= 4


def test_down_across_three_slots_one_catch_up_post_the_rest_skipped(tmp_path, fake):
    now = datetime.now(timezone.utc)
    slots = [minute(now - timedelta(hours=h)) for h in (20, 12, 3)]
    bot = Bot(tmp_path, fake, slots, catch_up_hours=6)
    bot.seed(slots[-1] - timedelta(days=1))  # the last slot made before Auria went down
    bot.start()
    try:
        bot.wait_for("the catch-up post", lambda: bot.post_state(slots[-1]) == "posted")
        bot.stop()
    finally:
        if bot.proc.poll() is None:
            bot.kill()
    bot.assert_posted_once(slots[-1], works=2)
    skipped = [json.loads(d)["slot"] for (d,) in bot.db.execute("SELECT detail FROM events WHERE kind = 'slot_skipped'")]
    assert skipped == [slot_id(slots[0]), slot_id(slots[1])]
    assert bot.work(slots[0]) is None and bot.work(slots[1]) is None
    assert bot.logged().count("older than catch_up_hours: skipped") == 2


def test_a_store_locked_by_another_process_is_waited_out(due, tmp_path):
    bot, slot = due
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
         f"db = sqlite3.connect({str(bot.config.db_path)!r}, isolation_level=None)\n"
         "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(9); db.execute('COMMIT')"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        bot.start()
        bot.wait_for("the slot posted", lambda: bot.post_state(slot) == "posted", timeout=120)
    finally:
        holder.kill()
        holder.wait()
    bot.stop()
    bot.assert_posted_once(slot, works=2)
    assert "the store is locked by another process (database is locked)" in bot.logged()


def test_a_full_disk_while_writing_the_image_fails_clearly_and_is_retried(due, tmp_path):
    bot, slot = due
    bot.start(AURIA_FAULT="enospc:artifact.jpg", AURIA_FAULT_ONCE=str(tmp_path / "disk-full-once"))
    bot.wait_for("the slot posted", lambda: bot.post_state(slot) == "posted", timeout=120)
    bot.stop()
    work = bot.assert_posted_once(slot, works=2)
    [failure] = [e for e in events_for(bot.db, work["id"]) if e["kind"] == "generation_failed"]
    assert "cannot write artifact (No space left on device)" in failure["detail"]["error"]
    assert "No space left on device" in bot.logged()
    leftovers = [p for p in (tmp_path / "data" / "artifacts").rglob(".tmp-*")]
    assert leftovers == []
    assert get_work(bot.db, 1)["haiku"].startswith("an older haiku"), "the earlier work is untouched"
