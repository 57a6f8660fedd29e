"""`auria status [--check]` and `auria retry ID`."""
from argparse import Namespace
from datetime import datetime, timezone

import pytest
import responses

from bot.cli import main
from bot.config import load_config
from bot.status_cli import cmd_status
from state.posts import mark_needs_human, mark_posted, posts_for, start_sending
from state.slots import claim_slot
from state.store import open_store
from state.works import update_work

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)  # the 09:00 UTC slot was 1h30 ago


def _config(write_config, extra=""):
    return load_config(write_config(f'data_dir = "data"\n[publish]\nplatforms = ["x"]\n[schedule]\ntimes = ["09:00"]\n{extra}'))


def _slot_work(config, tmp_path):
    db = open_store(config.db_path)
    work_id, _ = claim_slot(db, "2026-11-25T09:00+00:00")
    image = tmp_path / "w.jpg"
    image.write_bytes(b"\xff\xd8jpeg")
    update_work(db, work_id, "work_generated", status="ready", haiku="old pond\nfrog\nsplash", image_path=image,
                alt_text="A painting")
    return db, work_id


def test_a_slot_posted_everywhere_is_ok(write_config, tmp_path, capsys):
    config = _config(write_config)
    db, work_id = _slot_work(config, tmp_path)
    mark_posted(db, start_sending(db, work_id, "x"), "1", "https://x.com/a/status/1")
    assert cmd_status(Namespace(check=True), config, now=NOW) == 0
    out = capsys.readouterr().out
    assert "next slot: 2026-11-26T09:00+00:00 (in 22h 30m)" in out
    assert f"latest slot: 2026-11-25T09:00+00:00: work {work_id} (ready); posted on x" in out
    assert out.rstrip().endswith("OK")


def test_an_unposted_slot_is_overdue_only_after_the_grace_time(write_config, tmp_path, capsys):
    config = _config(write_config, "grace_hours = 2\n")
    _slot_work(config, tmp_path)
    assert cmd_status(Namespace(check=True), config, now=NOW) == 0
    late = datetime(2026, 11, 25, 11, 30, tzinfo=timezone.utc)
    assert cmd_status(Namespace(check=True), config, now=late) == 1
    assert "PROBLEM: slot 2026-11-25T09:00+00:00 is overdue: not posted on x 2h 30m after its time" in capsys.readouterr().out
    assert cmd_status(Namespace(check=False), config, now=late) == 0, "without --check it only reports"


def test_a_post_that_needs_a_human_fails_the_check_and_retry_posts_it(write_config, tmp_path, capsys, x_credentials):
    config = _config(write_config)
    db, work_id = _slot_work(config, tmp_path)
    mark_needs_human(db, start_sending(db, work_id, "x"), "x: HTTP 401 Unauthorized")
    assert cmd_status(Namespace(check=True), config, now=NOW) == 1
    assert f"PROBLEM: work {work_id} on x needs a human: x: HTTP 401 Unauthorized" in capsys.readouterr().out

    with responses.RequestsMock() as http:
        http.get("https://api.twitter.com/2/users/me", json={"data": {"id": "1", "name": "A", "username": "auria"}})
        http.get("https://api.twitter.com/2/users/1/tweets", json={"data": [], "meta": {"result_count": 0}})
        http.post("https://api.x.com/2/media/upload", json={"data": {"id": "5", "media_key": "3_5"}})
        http.post("https://api.x.com/2/media/metadata", json={"data": {"associated_metadata": True}})
        http.post("https://api.twitter.com/2/tweets", status=201, json={"data": {"id": "99", "text": "old pond"}})
        assert main(["--config", str(config.source), "retry", str(work_id)]) == 0
    post = posts_for(db, work_id)["x"]
    assert post["state"] == "posted" and post["remote_id"] == "99" and post["attempts"] == 2
    assert main(["--config", str(config.source), "retry", "404"]) == 1


LATE = datetime(2026, 11, 25, 11, 30, tzinfo=timezone.utc)  # the 09:00 UTC slot was 2h30 ago: past the grace time


def _started(db, at):
    """A `daemon_started` event at `at` (an ISO time), as `auria run` records at its start."""
    from state.events import record_event

    event_id = record_event(db, "daemon_started", None, pid=1)
    with db.atomic():
        db.execute("UPDATE events SET at = ? WHERE id = ?", [at, event_id])


@pytest.mark.parametrize("started_at, code", [
    (None, 0),  # a fresh install: never started, owes nothing
    ("2026-11-25T10:00:00+00:00", 0),  # first started after the slot: owes nothing for it
    ("2026-11-24T12:00:00+00:00", 1),  # running since before the slot: the slot is overdue
    ("2026-11-25T09:00:00+00:00", 1),  # started at the slot's very time
])
def test_a_slot_without_a_work_is_overdue_only_if_the_daemon_ran_before_it(write_config, capsys, started_at, code):
    config = _config(write_config)
    db = open_store(config.db_path)
    if started_at:
        _started(db, started_at)
    assert cmd_status(Namespace(check=True), config, now=LATE) == code
    out = capsys.readouterr().out
    assert "latest slot: 2026-11-25T09:00+00:00: no work; posted on nothing" in out
    overdue = "PROBLEM: slot 2026-11-25T09:00+00:00 is overdue: not posted on x 2h 30m after its time"
    assert (overdue in out) == bool(code)
    assert out.rstrip().endswith("OK") == (not code)


def test_a_slot_recorded_as_skipped_shows_so_and_is_not_a_problem(write_config, capsys):
    from state.events import record_event

    config = _config(write_config)
    db = open_store(config.db_path)
    _started(db, "2026-11-24T12:00:00+00:00")
    record_event(db, "slot_skipped", None, slot="2026-11-25T09:00+00:00", reason="missed while Auria was down")
    assert cmd_status(Namespace(check=True), config, now=LATE) == 0
    out = capsys.readouterr().out
    assert "latest slot: 2026-11-25T09:00+00:00: skipped" in out
    assert "PROBLEM" not in out and out.rstrip().endswith("OK")


def test_a_slot_skipped_event_for_another_slot_does_not_excuse_this_one(write_config, capsys):
    from state.events import record_event

    config = _config(write_config)
    db = open_store(config.db_path)
    _started(db, "2026-11-23T12:00:00+00:00")
    record_event(db, "slot_skipped", None, slot="2026-11-24T09:00+00:00", reason="missed while Auria was down")
    assert cmd_status(Namespace(check=True), config, now=LATE) == 1
    assert "latest slot: 2026-11-25T09:00+00:00: no work" in capsys.readouterr().out


@pytest.mark.parametrize("status, code", [("rejected", 0), ("skipped", 0), ("failed", 1), ("ready", 1)])
def test_a_rejected_or_skipped_work_is_not_overdue(write_config, tmp_path, capsys, status, code):
    config = _config(write_config)
    db, work_id = _slot_work(config, tmp_path)
    _started(db, "2026-11-24T12:00:00+00:00")
    with db.atomic():
        db.execute("UPDATE works SET status = ? WHERE id = ?", [status, work_id])
    assert cmd_status(Namespace(check=True), config, now=LATE) == code
    out = capsys.readouterr().out
    assert f"latest slot: 2026-11-25T09:00+00:00: work {work_id} ({status}); posted on nothing" in out
    assert ("is overdue" in out) == bool(code)
