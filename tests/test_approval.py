"""publish.require_approval: a slot's work waits for `auria approve ID` or `auria reject ID`."""
import sqlite3
import subprocess
import sys
from argparse import Namespace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.daemon import Daemon
from bot.status_cli import cmd_status
from publishers.base import Publisher, PublishResult
from state.events import events_for
from state.posts import posts_for
from state.slots import claim_slot, work_for_slot
from state.works import decide, get_work, update_work

SLOT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
SID = "2026-11-25T09:00+00:00"


@pytest.fixture
def config(write_config):
    return load_config(write_config(
        'data_dir = "data"\ntimezone = "UTC"\n[generator]\ndevice = "cpu"\n'
        '[publish]\nplatforms = ["x", "instagram"]\nrequire_approval = true\n'
        '[schedule]\ntimes = ["09:00"]\ncatch_up_hours = 6\ngrace_hours = 2\n'))


class Recorder(Publisher):
    """A platform that records what it is asked to publish."""

    def __init__(self, name, sent):
        self.name, self.sent = name, sent

    def validate(self):
        pass

    def check(self):
        return "@auria"

    def publish(self, post):
        self.sent.append((self.name, post.work_id))
        return PublishResult(f"{self.name}-{post.work_id}", f"https://{self.name}.example/{post.work_id}")

    def find_existing(self, post):
        return None


@pytest.fixture
def sent(config, monkeypatch):
    """Every Daemon's publishers are Recorders; the list of (platform, work id) they published."""
    published = []
    monkeypatch.setattr(Daemon, "publishers", lambda self, platforms=None: [
        Recorder(p, published) for p in (platforms or self.config.publish.platforms)])
    return published


def _waiting_work(db, tmp_path, sid=SID) -> int:
    """A slot's finished work waiting for approval, made through the store (no generation)."""
    work_id, _ = claim_slot(db, sid, seed=7)
    image = tmp_path / f"work-{work_id}.jpg"
    image.write_bytes(b"\xff\xd8jpeg")
    update_work(db, work_id, "work_generated", status="awaiting_approval", haiku="old pond\nfrog\nsplash",
                image_path=image, alt_text="A painting")
    return work_id


def _cli(config, *args):
    return main(["--config", str(config.source), *args])


def test_a_slot_waits_for_approval_and_is_posted_once_when_approved(config, sent, capsys):
    daemon = Daemon(config)
    work = daemon.run_slot(SLOT)  # one real generation
    assert work["status"] == "awaiting_approval" and work["slot"] == SID
    assert work["haiku"] and Path(work["image_path"]).is_file()
    assert sent == [] and posts_for(daemon.db, work["id"]) == {}

    daemon.tick(SLOT + timedelta(minutes=5))
    assert sent == [], "a work waiting for approval is never posted"

    assert _cli(config, "approve", str(work["id"])) == 0
    assert f"work {work['id']} approved" in capsys.readouterr().out
    assert get_work(daemon.db, work["id"])["status"] == "ready"
    assert "work_approved" in [e["kind"] for e in events_for(daemon.db, work["id"])]

    daemon.tick(SLOT + timedelta(minutes=10))
    assert sorted(sent) == [("instagram", work["id"]), ("x", work["id"])]
    assert {p: row["state"] for p, row in posts_for(daemon.db, work["id"]).items()} == {
        "x": "posted", "instagram": "posted"}
    daemon.tick(SLOT + timedelta(minutes=11))
    assert len(sent) == 2, "a second tick posts nothing more"


def test_a_rejected_work_is_never_posted(config, sent, tmp_path, capsys):
    daemon = Daemon(config)
    work_id = _waiting_work(daemon.db, tmp_path)
    assert _cli(config, "reject", str(work_id)) == 0
    assert f"work {work_id} rejected" in capsys.readouterr().out
    assert get_work(daemon.db, work_id)["status"] == "rejected"
    assert "work_rejected" in [e["kind"] for e in events_for(daemon.db, work_id)]
    daemon.tick(SLOT + timedelta(minutes=5))
    assert sent == [] and posts_for(daemon.db, work_id) == {}


@pytest.mark.parametrize("first, then, status", [
    ("approve", "approve", "ready"), ("approve", "reject", "ready"),
    ("reject", "approve", "rejected"), ("reject", "reject", "rejected"),
])
def test_deciding_a_work_not_waiting_exits_2_naming_its_status(config, tmp_path, capsys, first, then, status):
    daemon = Daemon(config)
    work_id = _waiting_work(daemon.db, tmp_path)
    assert _cli(config, first, str(work_id)) == 0
    capsys.readouterr()
    assert _cli(config, then, str(work_id)) == 2
    err = capsys.readouterr().err
    assert err == f"auria: error: work {work_id} is not waiting for approval (it is {status})\n"
    assert get_work(daemon.db, work_id)["status"] == status


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_deciding_an_unknown_work_exits_1(config, capsys, verb):
    Daemon(config).db  # the store exists, the work does not
    assert _cli(config, verb, "404") == 1
    assert capsys.readouterr().err == "auria: error: no work with id 404\n"


@pytest.fixture
def made(monkeypatch, tmp_path):
    """generator.pipeline.make_works replaced: records each job's work id and stores it finished."""
    import generator.pipeline

    work_ids = []

    def fake_make_works(config, db, jobs):
        for job in jobs:
            work_ids.append(job.work_id)
            update_work(db, job.work_id, "work_generated", status=job.status, haiku="new\nwork\nhere",
                        image_path=tmp_path / "new.jpg", alt_text="alt")
        return [get_work(db, job.work_id) for job in jobs]

    monkeypatch.setattr(generator.pipeline, "make_works", fake_make_works)
    return work_ids


def test_an_undecided_work_is_skipped_when_the_next_slot_claims_its_work(config, sent, made, tmp_path, capsys):
    daemon = Daemon(config)
    old = _waiting_work(daemon.db, tmp_path, sid="2026-11-24T09:00+00:00")
    new = daemon.run_slot(SLOT)
    assert made == [new["id"]] and new["id"] != old and new["status"] == "awaiting_approval"
    assert get_work(daemon.db, old)["status"] == "skipped"
    skipped = [e for e in events_for(daemon.db, old) if e["kind"] == "slot_skipped"]
    assert len(skipped) == 1 and SID in skipped[0]["detail"]["reason"]
    assert work_for_slot(daemon.db, SID)["id"] == new["id"]
    assert _cli(config, "approve", str(old)) == 2
    assert "(it is skipped)" in capsys.readouterr().err
    daemon.tick(SLOT + timedelta(minutes=5))
    assert sent == []


def test_an_undecided_work_is_skipped_even_when_the_first_run_stopped_after_the_claim(
        config, sent, made, tmp_path, monkeypatch):
    import state.slots

    daemon = Daemon(config)
    old = _waiting_work(daemon.db, tmp_path, sid="2026-11-24T09:00+00:00")
    real_skip = state.slots.skip_older_slots

    def locked_once(*args, **kwargs):
        monkeypatch.setattr(state.slots, "skip_older_slots", real_skip)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(state.slots, "skip_older_slots", locked_once)
    assert daemon.run_slot(SLOT) is None and daemon.unmade == {SID}
    daemon.tick(SLOT + timedelta(minutes=1))  # the slot's run, tried again
    assert work_for_slot(daemon.db, SID)["status"] == "awaiting_approval"
    assert get_work(daemon.db, old)["status"] == "skipped"


HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
"""


def test_deciding_on_a_store_locked_by_another_process_is_a_one_line_error(config, tmp_path, monkeypatch, capsys):
    import state.store

    monkeypatch.setattr(state.store, "BUSY_TIMEOUT_MS", 300)
    work_id = _waiting_work(Daemon(config).db, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(config.db_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert _cli(config, "approve", str(work_id)) == 2
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    err = capsys.readouterr().err
    assert err.startswith("auria: error:") and "locked" in err and err.count("\n") == 1
    assert get_work(Daemon(config).db, work_id)["status"] == "awaiting_approval"


def test_status_lists_the_waiting_work_and_check_fails_after_the_grace_time(config, tmp_path, capsys):
    daemon = Daemon(config)
    work_id = _waiting_work(daemon.db, tmp_path)
    assert cmd_status(Namespace(check=True), config, now=SLOT + timedelta(hours=1)) == 0
    out = capsys.readouterr().out
    assert f"latest slot: {SID}: work {work_id} (awaiting_approval); posted on nothing" in out
    assert f"waiting for approval: work {work_id} (slot {SID}): auria approve {work_id} / auria reject {work_id}" in out
    assert out.rstrip().endswith("OK")

    assert cmd_status(Namespace(check=True), config, now=SLOT + timedelta(hours=2, minutes=30)) == 1
    out = capsys.readouterr().out
    assert (f"PROBLEM: slot {SID}: work {work_id} waits for approval "
            f"(auria approve {work_id} or auria reject {work_id})") in out
    assert "overdue" not in out


def test_an_approved_work_is_posted_even_when_its_slot_is_older_than_catch_up(config, sent, tmp_path):
    daemon = Daemon(config)
    work_id = _waiting_work(daemon.db, tmp_path)
    later = SLOT + timedelta(hours=20)  # past catch_up_hours (6), before the next slot
    daemon.tick(later)
    assert sent == []
    assert decide(daemon.db, work_id, approve=True)
    daemon.tick(later)
    assert sorted(sent) == [("instagram", work_id), ("x", work_id)]
    daemon.tick(later + timedelta(minutes=1))
    assert len(sent) == 2
