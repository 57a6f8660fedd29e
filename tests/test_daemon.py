"""The daemon's pieces: one work per slot, recovery of `sending` posts, catch-up, one daemon."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from bot.cli import main
from bot.config import load_config
from bot.daemon import Daemon, current_slot, slot_seed
from publishers.base import NeedsHumanError, Publisher, PublishResult, RetryableError
from state.events import events_for
from state.posts import posts_for, start_sending
from state.works import list_works


@pytest.fixture
def config(write_config):
    return load_config(write_config(
        'data_dir = "data"\ntimezone = "UTC"\n[generator]\ndevice = "cpu"\n[publish]\nplatforms = []\n'
        '[schedule]\ntimes = ["09:00"]\ncatch_up_hours = 6\n'))


SLOT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def test_a_slot_gets_one_work_made_once(config):
    daemon = Daemon(config)
    work = daemon.run_slot(SLOT)
    assert work["status"] == "ready" and work["slot"] == "2026-11-25T09:00+00:00"
    assert work["seed"] == slot_seed("2026-11-25T09:00+00:00")
    again = daemon.run_slot(SLOT)
    assert again["id"] == work["id"] and again["image_sha256"] == work["image_sha256"]
    assert len(list_works(daemon.db)) == 1
    assert [e["kind"] for e in events_for(daemon.db, work["id"])].count("work_generated") == 1


def test_a_slot_whose_generation_failed_is_made_again_into_the_same_work(config, monkeypatch):
    daemon = Daemon(config)
    monkeypatch.setenv("AURIA_FAULT", "crash:stylist")
    failed = daemon.run_slot(SLOT)
    assert failed["status"] == "failed"
    monkeypatch.delenv("AURIA_FAULT")
    made = daemon.run_slot(SLOT)
    assert made["id"] == failed["id"] and made["status"] == "ready"
    assert len(list_works(daemon.db)) == 1


def test_catch_up_makes_the_newest_missed_slot_once_and_skips_older_ones(config, monkeypatch):
    daemon = Daemon(config)
    from state.slots import claim_slot

    claim_slot(daemon.db, "2026-11-22T09:00+00:00")
    made = []
    monkeypatch.setattr(daemon, "run_slot", made.append)
    daemon.catch_up(datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc))  # down across 23, 24, 25
    assert made == [SLOT]
    skipped = [e for e in daemon.db.query("SELECT * FROM events WHERE kind = 'slot_skipped'")]
    assert [json.loads(e["detail"])["slot"] for e in skipped] == ["2026-11-23T09:00+00:00", "2026-11-24T09:00+00:00"]
    made.clear()
    daemon.catch_up(datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc))  # 7 h late: outside catch_up
    assert made == []


class Fake(Publisher):
    def __init__(self, name, found):
        self.name, self.found = name, found

    def validate(self):
        pass

    def check(self):
        return "@a"

    def publish(self, post):
        return PublishResult("new", "https://example/new")

    def find_existing(self, post):
        if isinstance(self.found, Exception):
            raise self.found
        return self.found


@pytest.mark.parametrize(
    "found, state",
    [(PublishResult("42", "https://x.com/a/status/42"), "posted"), (None, "retry"),
     (RetryableError("x: 503"), "retry"), (NeedsHumanError("x: 401 credentials rejected"), "needs_human")],
)
def test_a_post_left_sending_is_reconciled_not_resent(config, monkeypatch, tmp_path, found, state):
    daemon = Daemon(config)
    from state.slots import claim_slot
    from state.works import update_work

    work_id, _ = claim_slot(daemon.db, "2026-11-25T09:00+00:00")
    update_work(daemon.db, work_id, "work_generated", status="ready", haiku="a\nb\nc", image_path=tmp_path / "i.jpg",
                alt_text="alt")
    start_sending(daemon.db, work_id, "x")  # then the process died
    monkeypatch.setattr(daemon, "publishers", lambda platforms=None: [Fake("x", found)])
    daemon.recover()
    assert posts_for(daemon.db, work_id)["x"]["state"] == state


def test_current_slot_is_the_latest_at_or_before_now(config):
    assert current_slot(config, datetime(2026, 11, 25, 9, 3, tzinfo=timezone.utc)) == SLOT
    assert current_slot(config, datetime(2026, 11, 25, 8, 59, tzinfo=timezone.utc)).day == 24


def test_a_second_daemon_on_the_same_folder_exits_naming_the_holder(config, capsys):
    config.data_dir.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from bot.lock import DataDirLock; "
         f"l = DataDirLock({str(config.data_dir)!r}).acquire(); print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert main(["--config", str(config.source), "run"]) == 2
        assert f"another Auria (pid {holder.pid}) is running" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()


def test_every_tick_failure_is_one_line_and_an_unusable_store_stops_the_daemon(config, monkeypatch, caplog):
    import logging
    import sqlite3

    daemon = Daemon(config)
    stopped = []
    daemon.on_fatal = lambda: stopped.append(True)
    caplog.set_level(logging.DEBUG, logger="auria")

    def caption_bug(now):
        raise ValueError("Single '{' encountered in format string")

    monkeypatch.setattr(daemon, "resume", caption_bug)
    daemon.tick()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["tick: failed: ValueError: Single '{' encountered in format string"]
    assert daemon.fatal is None and stopped == [], "a bug in one tick does not stop the daemon"

    def damaged(now):
        raise sqlite3.DatabaseError("database disk image is malformed")

    caplog.clear()
    monkeypatch.setattr(daemon, "resume", damaged)
    daemon.tick()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["tick: the store cannot be used: DatabaseError: database disk image is malformed; the daemon stops"]
    assert isinstance(daemon.fatal, sqlite3.DatabaseError) and stopped == [True]


def test_only_the_schedulers_busy_notice_is_filtered():
    import logging

    from bot.daemon import _QuietTicks

    def record(message):
        return logging.LogRecord("apscheduler.scheduler", logging.WARNING, __file__, 1, message, None, None)

    quiet = _QuietTicks()
    assert not quiet.filter(record('Execution of job "Daemon.tick (trigger: interval[0:01:00], next run at: x)" '
                                   "skipped: maximum number of running instances reached (1)"))
    assert quiet.filter(record('Job "Daemon.tick (trigger: interval[0:01:00])" raised an exception'))
    assert quiet.filter(record('Run time of job "Daemon.tick (trigger: interval)" was missed by 0:00:05'))


def test_auria_run_on_an_unusable_store_exits_non_zero_saying_why(tmp_path):
    import subprocess
    import sys

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "auria.db").write_bytes(b"")
    config = tmp_path / "auria.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n[publish]\nplatforms = []\n')
    done = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "run"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert "the store cannot be used: " in done.stderr and "an empty file, not a store" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_fatal_store_racing_the_schedulers_own_bookkeeping_still_stops_in_one_line(tmp_path, monkeypatch, caplog):
    """The worker shuts the scheduler down while its loop drops the finished start job; the
    stopped scheduler then raises JobLookupError from its loop (seen under load in CI)."""
    import logging

    from apscheduler.jobstores.base import JobLookupError
    from apscheduler.schedulers.blocking import BlockingScheduler

    from bot import daemon as daemon_module

    def racing_start(scheduler, *args, **kwargs):
        for job in scheduler.get_jobs():  # the jobs run once, as the worker would run them
            if job.id in ("start", "tick"):
                job.func()
        raise JobLookupError("start")

    monkeypatch.setattr(BlockingScheduler, "start", racing_start)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "auria.db").write_bytes(b"")
    config = tmp_path / "auria.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n[publish]\nplatforms = []\n')
    with caplog.at_level(logging.INFO):
        assert daemon_module.run(load_config(config)) == 1
    assert any("stopped: the store cannot be used" in r.getMessage() for r in caplog.records)
