"""The daemon finishing what a crash or a passing error left: resume, backoff, recovery, a locked store."""
import logging
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

import generator.pipeline
import state.store
from bot.config import load_config
from bot.daemon import STALE_SENDING, Daemon, slot_seed
from bot.schedule import slot_id
from publishers.base import Publisher, PublishResult
from state.events import events_for
from state.posts import mark_posted, posts_for, start_sending
from state.slots import claim_slot, work_for_slot
from state.works import decide, get_work, list_works, update_work

SLOT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
SID = "2026-11-25T09:00+00:00"
PLATFORMS = ["instagram", "x"]


def _config(write_config, publish="", times="09:00"):
    return load_config(write_config(
        'data_dir = "data"\ntimezone = "UTC"\n[generator]\ndevice = "cpu"\n'
        f'[publish]\nplatforms = ["x", "instagram"]\n{publish}'
        f'[schedule]\ntimes = ["{times}"]\ncatch_up_hours = 6\n'))


@pytest.fixture
def config(write_config):
    return _config(write_config)


class Recorder(Publisher):
    """A platform that records what it is asked to publish and to find."""

    def __init__(self, name, calls, found=None):
        self.name, self.calls, self.found = name, calls, found

    def validate(self):
        pass

    def check(self):
        return "@auria"

    def publish(self, post):
        self.calls.append(("publish", self.name, post.work_id))
        return PublishResult(f"{self.name}-{post.work_id}", f"https://{self.name}.example/{post.work_id}")

    def find_existing(self, post):
        self.calls.append(("find", self.name, post.work_id))
        return self.found


@pytest.fixture
def calls(monkeypatch):
    """Every Daemon's publishers are Recorders (finding nothing); the calls they got."""
    got = []
    monkeypatch.setattr(Daemon, "publishers", lambda self, platforms=None: [
        Recorder(p, got) for p in (platforms or self.config.publish.platforms)])
    return got


def _published(calls):
    return sorted((platform, work_id) for kind, platform, work_id in calls if kind == "publish")


@pytest.fixture
def made(monkeypatch, tmp_path):
    """generator.pipeline.make_works replaced: records each job and stores a finished work
    (or a failed one, while `made.fail` is set)."""

    class Made(list):
        fail = False

    jobs = Made()

    def fake_make_works(config, db, batch):
        for job in batch:
            jobs.append(job)
            if jobs.fail:
                update_work(db, job.work_id, "generation_failed", status="failed", error="boom")
            else:
                image = tmp_path / f"made-{job.work_id}.jpg"
                image.write_bytes(b"\xff\xd8jpeg")
                update_work(db, job.work_id, "work_generated", status=job.status, haiku="made\nagain\nnow",
                            image_path=image, alt_text="alt")
        return [get_work(db, job.work_id) for job in batch]

    monkeypatch.setattr(generator.pipeline, "make_works", fake_make_works)
    return jobs


def _stored_work(db, tmp_path, sid=SID, status="ready") -> int:
    """A slot's finished work, stored as a killed daemon would have left it (no posts)."""
    work_id, _ = claim_slot(db, sid, seed=slot_seed(sid))
    image = tmp_path / f"work-{work_id}.jpg"
    image.write_bytes(b"\xff\xd8jpeg")
    update_work(db, work_id, "work_generated", status=status, haiku="old pond\nfrog\nsplash", image_path=image,
                alt_text="A painting")
    return work_id


@pytest.mark.parametrize("posted_before", [[], ["x"]])
def test_tick_posts_the_latest_slots_stored_work_where_it_has_no_post(config, calls, tmp_path, posted_before):
    daemon = Daemon(config)
    work_id = _stored_work(daemon.db, tmp_path)
    for platform in posted_before:
        mark_posted(daemon.db, start_sending(daemon.db, work_id, platform), "1", "https://x.example/1")
    daemon.tick(SLOT + timedelta(hours=1))
    assert _published(calls) == [(p, work_id) for p in PLATFORMS if p not in posted_before]
    assert {p: row["state"] for p, row in posts_for(daemon.db, work_id).items()} == {p: "posted" for p in PLATFORMS}
    daemon.tick(SLOT + timedelta(hours=1, minutes=1))
    assert len(_published(calls)) == 2 - len(posted_before), "posted once per platform"


@pytest.mark.parametrize("approved, hours, posted", [
    (False, 5, True), (False, 7, False), (True, 7, True), (True, 20, True),  # 20 h: before the next slot
])
def test_a_stored_work_is_posted_inside_catch_up_hours_or_once_approved(config, calls, tmp_path, approved, hours,
                                                                         posted):
    daemon = Daemon(config)
    work_id = _stored_work(daemon.db, tmp_path, status="awaiting_approval" if approved else "ready")
    if approved:
        assert decide(daemon.db, work_id, approve=True)
    daemon.tick(SLOT + timedelta(hours=hours))
    assert _published(calls) == ([(p, work_id) for p in PLATFORMS] if posted else [])


@pytest.mark.parametrize("status", ["claimed", "generating"])
def test_a_latest_slot_work_left_unmade_is_made_again_inside_catch_up(config, calls, made, status):
    daemon = Daemon(config)
    work_id, _ = claim_slot(daemon.db, SID, seed=slot_seed(SID))
    if status == "generating":  # killed while the child process was generating
        update_work(daemon.db, work_id, "generation_started", status="generating")
    daemon.tick(SLOT + timedelta(hours=7))
    assert made == [] and get_work(daemon.db, work_id)["status"] == status, "outside catch_up_hours: left"

    daemon.tick(SLOT + timedelta(hours=1))
    assert [(job.work_id, job.seed, job.status) for job in made] == [(work_id, slot_seed(SID), "ready")]
    assert _published(calls) == [(p, work_id) for p in PLATFORMS]
    daemon.tick(SLOT + timedelta(hours=1, minutes=1))
    assert len(made) == 1 and len(calls) == 2
    assert len(list_works(daemon.db)) == 1


def test_a_failed_generation_is_made_again_after_its_backoff_up_to_retry_attempts(write_config, calls, made):
    # Backoff is measured from the generation_failed event's real time: a slot of now, and a
    # schedule whose own slots are half a day away from every tick below.
    now = datetime.now(timezone.utc)
    config = _config(write_config, "retry_first_minutes = 5\nretry_max_hours = 6\nretry_attempts = 2\n",
                     times=f"{now + timedelta(hours=12):%H:%M}")
    daemon = Daemon(config)
    sid = slot_id(now)
    work_id, _ = claim_slot(daemon.db, sid, seed=slot_seed(sid))
    update_work(daemon.db, work_id, "generation_failed", status="failed", error="the child crashed")

    def last_failure():
        return datetime.fromisoformat([e for e in events_for(daemon.db, work_id)
                                       if e["kind"] == "generation_failed"][-1]["at"])

    first = last_failure()
    daemon.tick(first + timedelta(seconds=299))  # backoff_seconds(1) = 5 min
    assert made == []
    made.fail = True
    daemon.tick(first + timedelta(seconds=300))
    assert [job.work_id for job in made] == [work_id]
    assert get_work(daemon.db, work_id)["status"] == "failed"

    second = last_failure()
    daemon.tick(second + timedelta(seconds=300))
    assert len(made) == 1
    daemon.tick(second + timedelta(hours=1))  # past backoff_seconds(2) = 10 min, but 2 failures = retry_attempts
    assert len(made) == 1 and calls == []
    assert get_work(daemon.db, work_id)["status"] == "failed"


def test_recover_leaves_young_sending_posts_alone_and_reconciles_stale_ones(config, monkeypatch, tmp_path):
    daemon = Daemon(config)
    calls = []
    found = PublishResult("42", "https://x.example/42")
    monkeypatch.setattr(Daemon, "publishers", lambda self, platforms=None: [
        Recorder(p, calls, found) for p in (platforms or self.config.publish.platforms)])
    daemon.tick(SLOT + timedelta(hours=1))  # the start's tick, on an empty store: the daemon runs
    work_id = _stored_work(daemon.db, tmp_path)
    for platform in PLATFORMS:
        start_sending(daemon.db, work_id, platform)  # then the process died, or is still sending
    stale = (datetime.now(timezone.utc) - STALE_SENDING - timedelta(minutes=1)).isoformat(timespec="seconds")
    with daemon.db.atomic():
        daemon.db.execute("UPDATE posts SET updated_at = ? WHERE platform = 'x'", [stale])

    daemon.recover(older_than=STALE_SENDING)
    posts = posts_for(daemon.db, work_id)
    assert posts["x"]["state"] == "posted" and posts["x"]["remote_id"] == "42"
    assert posts["instagram"]["state"] == "sending"
    assert calls == [("find", "x", work_id)], "found on the platform: never sent again"

    daemon.tick(SLOT + timedelta(hours=1, minutes=1))  # a running daemon's tick: only stale posts
    assert posts_for(daemon.db, work_id)["instagram"]["state"] == "sending"
    assert calls == [("find", "x", work_id)]

    Daemon(config).tick(SLOT + timedelta(hours=1, minutes=2))  # a new daemon's first tick: every sending post
    assert posts_for(daemon.db, work_id)["instagram"]["state"] == "posted"
    assert calls == [("find", "x", work_id), ("find", "instagram", work_id)]


HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()  # held until the test says so: longer than the busy timeout
db.execute("COMMIT")
"""


def test_a_store_locked_by_another_process_stops_the_slot_and_tick_makes_it_once(config, calls, made, tmp_path,
                                                                                  monkeypatch, caplog):
    monkeypatch.setattr(state.store, "BUSY_TIMEOUT_MS", 300)  # the same path as 5 s, sooner
    daemon = Daemon(config)
    earlier = _stored_work(daemon.db, tmp_path, sid="2026-11-24T09:00+00:00")
    mark_posted(daemon.db, start_sending(daemon.db, earlier, "x"), "1", "https://x.example/1")
    mark_posted(daemon.db, start_sending(daemon.db, earlier, "instagram"), "2", "https://instagram.example/2")
    daemon.tick(SLOT - timedelta(hours=1))  # the daemon is running; nothing is due

    def snapshot():
        return [list(daemon.db.execute(f"SELECT * FROM {table} ORDER BY id")) for table in ("works", "posts", "events")]

    before = snapshot()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(config.db_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        caplog.set_level(logging.INFO, logger="auria")
        assert daemon.run_slot(SLOT) is None
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "locked by another process" in errors[0] and SID in errors[0]
        assert daemon.unmade == {SID}
        daemon.tick(SLOT + timedelta(minutes=1))  # still locked: the tick stops too, and raises nothing
        assert daemon.unmade == {SID}
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert made == [] and calls == []
    assert snapshot() == before, "nothing stored was lost or half-written"

    daemon.tick(SLOT + timedelta(minutes=2))
    work = work_for_slot(daemon.db, SID)
    assert [job.work_id for job in made] == [work["id"]] and work["status"] == "ready"
    assert _published(calls) == [(p, work["id"]) for p in PLATFORMS]
    assert daemon.unmade == set()
    daemon.tick(SLOT + timedelta(minutes=3))
    assert len(made) == 1 and len(calls) == 2
    assert len(list_works(daemon.db)) == 2


def test_an_unmade_slot_past_catch_up_is_skipped_with_its_slot_recorded(config, made, calls):
    daemon = Daemon(config)
    daemon.unmade.add(SID)
    daemon.tick(SLOT + timedelta(hours=7))
    assert made == [] and daemon.unmade == set()
    skipped = list(daemon.db.query("SELECT * FROM events WHERE kind = 'slot_skipped'"))
    assert len(skipped) == 1 and SID in skipped[0]["detail"]


@pytest.mark.parametrize("publish, seconds", [
    ("", 60.0), ("retry_first_minutes = 5\n", 60.0), ("retry_first_minutes = 1\n", 60.0),
    ("retry_first_minutes = 0.5\n", 30.0), ("retry_first_minutes = 0.1\n", 6.0),
    ("retry_first_minutes = 0.001\n", 1.0),
])
def test_tick_runs_every_minute_or_as_often_as_a_short_first_retry(write_config, publish, seconds):
    assert Daemon(_config(write_config, publish)).tick_seconds == pytest.approx(seconds)



class _Unsure(Recorder):
    """A platform whose look-up fails: for now (503, 429) or for good (it cannot tell)."""

    def __init__(self, name, calls, error):
        super().__init__(name, calls)
        self.error = error

    def find_existing(self, post):
        self.calls.append(("find", self.name, post.work_id))
        raise self.error


def test_recovery_retries_a_look_up_that_failed_for_now_and_asks_a_human_only_when_it_cannot_tell(
        config, monkeypatch, tmp_path):
    from publishers.base import NeedsHumanError, RetryableError

    daemon = Daemon(config)
    calls = []
    errors = {"x": RetryableError("503 Service Unavailable", retry_after=30), "instagram": NeedsHumanError("login required")}
    monkeypatch.setattr(Daemon, "publishers", lambda self, platforms=None: [
        _Unsure(p, calls, errors[p]) for p in (platforms or self.config.publish.platforms)])
    daemon.tick(SLOT + timedelta(hours=1))
    work_id = _stored_work(daemon.db, tmp_path)
    for platform in PLATFORMS:
        start_sending(daemon.db, work_id, platform)
    daemon.recover()
    posts = posts_for(daemon.db, work_id)
    assert posts["x"]["state"] == "retry", "one 503 on the look-up does not strand the post"
    assert "failed for now" in posts["x"]["error"] and posts["x"]["next_attempt_at"]
    assert posts["instagram"]["state"] == "needs_human"
