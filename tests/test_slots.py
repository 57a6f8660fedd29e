import multiprocessing
import sqlite3

import pytest

import state.slots
from state.events import events_for
from state.slots import claim_slot, last_slot, work_for_slot
from state.store import open_store
from state.works import add_work

SLOT = "2026-11-25T09:00+01:00"


@pytest.fixture
def db_path(data_dir):
    return data_dir / "auria.db"


@pytest.fixture
def db(db_path):
    return open_store(db_path)


def test_claiming_twice_gives_the_same_work(db):
    work_id, created = claim_slot(db, SLOT)
    assert created
    assert claim_slot(db, SLOT) == (work_id, False)
    assert db.execute("SELECT count(*) FROM works").fetchone()[0] == 1
    work = work_for_slot(db, SLOT)
    got = (work["id"], work["slot"], work["status"], work["haiku"])
    assert got == (work_id, SLOT, "claimed", "")


def test_a_claim_records_its_events(db):
    work_id, _ = claim_slot(db, SLOT)
    claim_slot(db, SLOT)
    kinds = [(e["kind"], e["detail"].get("slot")) for e in events_for(db, work_id)]
    assert kinds == [("work_created", SLOT), ("slot_claimed", SLOT)]


def test_work_fields_pass_through(db):
    work_id, _ = claim_slot(db, SLOT, seed=7, params={"temperature": 0.8})
    work = work_for_slot(db, SLOT)
    assert (work["seed"], work["params"], work["status"]) == (7, {"temperature": 0.8}, "claimed")


def test_a_lost_race_returns_the_winners_work(db, monkeypatch):
    winner = add_work(db, haiku="", shape=None, seed=None, params=None, models=None, slot=SLOT)
    real = state.slots._work_id
    calls = []

    def not_yet(db, slot):  # the first look misses the row another process is inserting
        calls.append(slot)
        return None if len(calls) == 1 else real(db, slot)

    monkeypatch.setattr(state.slots, "_work_id", not_yet)
    assert claim_slot(db, SLOT) == (winner, False)
    assert db.execute("SELECT count(*) FROM works").fetchone()[0] == 1
    assert not db.conn.in_transaction
    assert [e["kind"] for e in events_for(db, winner)] == ["work_created"]


def test_another_integrity_error_is_not_swallowed(db):
    with pytest.raises(sqlite3.IntegrityError):
        claim_slot(db, SLOT, status=None)  # works.status is NOT NULL
    assert work_for_slot(db, SLOT) is None
    assert not db.conn.in_transaction


def _claim_at_once(path, barrier, results):
    db = open_store(path)
    barrier.wait()
    results.put(claim_slot(db, SLOT))


def test_concurrent_claims_from_several_processes_make_one_work(db_path):
    open_store(db_path)  # migrated before the race
    ctx = multiprocessing.get_context("spawn")
    n = 4
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_claim_at_once, args=(db_path, barrier, results)) for _ in range(n)]
    for p in procs:
        p.start()
    got = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    db = open_store(db_path)
    assert db.execute("SELECT count(*) FROM works").fetchone()[0] == 1
    work_id = work_for_slot(db, SLOT)["id"]
    assert sorted(got) == [(work_id, False)] * (n - 1) + [(work_id, True)]
    kinds = [e["kind"] for e in events_for(db, work_id)]
    assert kinds == ["work_created", "slot_claimed"]


def test_last_slot_and_work_for_slot(db):
    assert last_slot(db) is None
    assert work_for_slot(db, SLOT) is None
    add_work(db, haiku="no slot", shape=None, seed=None, params=None, models=None)
    assert last_slot(db) is None
    claim_slot(db, "2026-10-25T09:00+01:00")
    claim_slot(db, "2026-10-24T23:30+02:00")  # 21:30 UTC: earlier, though it sorts later as text
    claim_slot(db, "2026-10-25T02:30+02:00")
    assert last_slot(db) == "2026-10-25T09:00+01:00"
    claim_slot(db, SLOT)
    assert last_slot(db) == SLOT


def test_a_newer_slot_skips_older_works_that_never_went_out(db):
    from state.posts import mark_posted, start_sending
    from state.slots import skip_older_slots
    from state.works import get_work, update_work

    ids = {}
    for day, status in (("21", "claimed"), ("22", "awaiting_approval"), ("23", "ready"), ("24", "ready"),
                        ("25", "failed")):
        ids[day], _ = claim_slot(db, f"2026-11-{day}T09:00+00:00")
        update_work(db, ids[day], "set", status=status)
    mark_posted(db, start_sending(db, ids["24"], "x"), "1", "https://x.com/a/status/1")  # went out
    later = "2026-11-25T10:00+01:00"  # 09:00 UTC: the same instant as the 25th's slot, not after it
    assert skip_older_slots(db, later, "superseded") == [ids["21"], ids["22"], ids["23"]]
    assert [get_work(db, ids[d])["status"] for d in sorted(ids)] == ["skipped"] * 3 + ["ready", "failed"]
    assert events_for(db, ids["22"])[-1]["kind"] == "slot_skipped"
    assert skip_older_slots(db, later, "superseded") == [], "already skipped: nothing more"
