"""A work's life (state/works.py), the store's CHECK on it and migration 6 that added it; the
posts' states; posting outcomes as values; the typed messages to the generation child."""
import json
import re
import sqlite3

import pytest

from core.errors import AuriaError
from state import store
from state.events import events_for
from state.posts import PostState, mark_posted, start_sending
from state.store import MIGRATIONS, open_store, schema_version
from state.works import (
    INITIAL,
    TRANSITIONS,
    WorkStatus,
    WorkStatusError,
    add_work,
    approve_work,
    fail_generation,
    finish_generation,
    generation_failures,
    get_work,
    ready_preview,
    reject_work,
    skip_work,
    start_generation,
    update_work,
    was_approved,
)

S = WorkStatus


@pytest.fixture
def db(tmp_path):
    db = open_store(tmp_path / "auria.db")
    yield db
    db.close()


def work_in(db, status: WorkStatus, **fields) -> int:
    """A work put straight into `status` (update_work holds no rules: a test's set-up)."""
    work_id = add_work(db, haiku="old pond\na frog jumps in\nsplash", shape="5-7-5", seed=1, params=None,
                       models=None, status=S.GENERATING, **fields)
    if status is not S.GENERATING:
        update_work(db, work_id, "test_setup", status=status)
    return work_id


# The statuses and the store's CHECK.


def _check_names(db, table: str, column: str) -> set[str]:
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
    found = re.search(rf"CHECK \({column} IN \(([^)]*)\)\)", sql)
    assert found, f"{table}.{column} has no CHECK"
    return set(re.findall(r"'([a-z_]+)'", found.group(1)))


def test_the_stores_checks_name_exactly_the_statuses_and_states(db):
    """A status added to WorkStatus needs a migration that rebuilds the CHECK (as 6 does)."""
    assert _check_names(db, "works", "status") == {s.value for s in WorkStatus}
    assert _check_names(db, "posts", "state") == {s.value for s in PostState}


def test_a_status_outside_the_life_is_refused_by_the_store(db):
    work_id = work_in(db, S.READY)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute("UPDATE works SET status = 'posted' WHERE id = ?", [work_id])
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        add_work(db, haiku="x", shape=None, seed=None, params=None, models=None, status="done")
    assert get_work(db, work_id)["status"] == "ready"


def test_statuses_are_the_strings_the_store_holds():
    assert [s.value for s in WorkStatus] == ["draft", "claimed", "generating", "failed", "preview",
                                             "awaiting_approval", "ready", "rejected", "skipped"]
    assert S.READY == "ready" and f"{S.AWAITING_APPROVAL}" == "awaiting_approval"
    assert json.dumps({"status": S.FAILED}) == '{"status": "failed"}'


def test_every_status_is_reached_and_every_move_is_named():
    reached = set(INITIAL).union(*(t.targets for t in TRANSITIONS))
    assert reached == set(WorkStatus)
    assert len({t.event for t in TRANSITIONS}) == len(TRANSITIONS)


# One function per transition: allowed from its sources, refused elsewhere.

MOVES = [
    (start_generation, {"seed": 3, "params": {"a": 1}, "generator_pid": 1234},
     {S.CLAIMED, S.GENERATING, S.FAILED}, S.GENERATING, "generation_started"),
    (fail_generation, {"reason": "boom"}, {S.GENERATING}, S.FAILED, "generation_failed"),
    (ready_preview, {}, {S.PREVIEW}, S.READY, "work_readied"),
]


@pytest.mark.parametrize("move, kwargs, sources, target, event", MOVES, ids=[m[0].__name__ for m in MOVES])
def test_a_transition_moves_only_from_its_sources(db, move, kwargs, sources, target, event):
    for status in WorkStatus:
        work_id = work_in(db, status)
        if status in sources:
            move(db, work_id, **kwargs)
            assert get_work(db, work_id)["status"] == target
            assert events_for(db, work_id)[-1]["kind"] == event
        else:
            with pytest.raises(WorkStatusError, match=rf"work {work_id} is {status}: {event} moves a work only from"):
                move(db, work_id, **kwargs)
            assert get_work(db, work_id)["status"] == status
            assert events_for(db, work_id)[-1]["kind"] == ("work_created" if status is S.GENERATING else "test_setup")


def test_start_and_fail_store_their_fields_and_events(db):
    work_id = work_in(db, S.FAILED, slot="2026-11-25T09:00+00:00")
    update_work(db, work_id, "test_setup", error="an old failure")
    start_generation(db, work_id, seed=9, params={"poet": {}}, generator_pid=4321)
    work = get_work(db, work_id)
    assert (work["status"], work["seed"], work["params"], work["generator_pid"], work["error"]) == \
        ("generating", 9, {"poet": {}}, 4321, None)
    assert events_for(db, work_id)[-1]["detail"] == {"status": "generating", "error": None}
    fail_generation(db, work_id, "the child crashed")
    assert (get_work(db, work_id)["status"], get_work(db, work_id)["error"]) == ("failed", "the child crashed")
    assert events_for(db, work_id)[-1]["detail"] == {"status": "failed", "error": "the child crashed"}
    assert [e["at"] for e in events_for(db, work_id) if e["kind"] == "generation_failed"] == \
        generation_failures(db, work_id)


@pytest.mark.parametrize("status", [S.PREVIEW, S.READY, S.AWAITING_APPROVAL])
def test_finish_generation_stores_the_made_work(db, status):
    work_id = work_in(db, S.GENERATING)
    finish_generation(db, work_id, status, haiku="a\nb\nc", image_path="/x.jpg", steps={"poet": {"seconds": 1}},
                      timings={"total": 1.5})
    work = get_work(db, work_id)
    assert (work["status"], work["haiku"], work["haiku_key"], work["steps"], work["timings"]) == \
        (status, "a\nb\nc", "a b c", {"poet": {"seconds": 1}}, {"total": 1.5})
    assert events_for(db, work_id)[-1]["kind"] == "work_generated"


def test_finish_generation_refuses_a_status_it_does_not_end_in_and_a_work_not_generating(db):
    work_id = work_in(db, S.GENERATING)
    with pytest.raises(WorkStatusError, match="work_generated moves a work to"):
        finish_generation(db, work_id, S.REJECTED)
    with pytest.raises(ValueError):
        finish_generation(db, work_id, "posted")
    done = work_in(db, S.SKIPPED)
    with pytest.raises(WorkStatusError, match=f"work {done} is skipped"):
        finish_generation(db, done, S.READY, haiku="x")
    assert get_work(db, done)["haiku"] != "x"
    with pytest.raises(WorkStatusError, match="work 999 does not exist"):
        fail_generation(db, 999, "x")


def test_approve_and_reject_only_a_waiting_work(db):
    for status in WorkStatus:
        first, second = work_in(db, status), work_in(db, status)
        waiting = status is S.AWAITING_APPROVAL
        assert approve_work(db, first) is waiting and reject_work(db, second) is waiting
        assert get_work(db, first)["status"] == (S.READY if waiting else status)
        assert get_work(db, second)["status"] == (S.REJECTED if waiting else status)
        assert was_approved(db, first) is waiting and not was_approved(db, second)
    waiting = work_in(db, S.AWAITING_APPROVAL)
    approve_work(db, waiting)
    assert events_for(db, waiting)[-1]["detail"] == {"status": "ready"}


def test_skip_work_skips_what_never_went_out(db):
    for status in WorkStatus:
        work_id = work_in(db, status)
        skippable = status in {S.CLAIMED, S.GENERATING, S.FAILED, S.AWAITING_APPROVAL, S.READY}
        assert skip_work(db, work_id, "superseded") is skippable
        work = get_work(db, work_id)
        assert work["status"] == (S.SKIPPED if skippable else status)
        if skippable:
            assert work["error"] == "superseded"
            assert events_for(db, work_id)[-1]["kind"] == "slot_skipped"
            assert events_for(db, work_id)[-1]["detail"] == {"reason": "superseded"}


# Migration 6 on a store made before it.


def _old_store(path, monkeypatch, version: int = 5):
    monkeypatch.setattr(store, "MIGRATIONS", MIGRATIONS[:version])
    db = open_store(path)
    assert schema_version(db) == version
    monkeypatch.setattr(store, "MIGRATIONS", MIGRATIONS)
    return db


def _rows(db, table: str) -> list[tuple]:
    return db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()


def test_a_version_5_store_opens_and_gets_the_check_keeping_everything(tmp_path, monkeypatch):
    path = tmp_path / "auria.db"
    db = _old_store(path, monkeypatch)
    ids = {}
    for k, status in enumerate(WorkStatus):
        ids[status] = add_work(db, haiku=f"haiku {k}\nline two\nline three", shape="5-7-5", seed=k,
                               params={"poet": {"shape": "5-7-5"}}, models={"poet": {"f": "ab"}}, status=status,
                               slot=f"2026-11-{k + 1:02d}T09:00+00:00", image_path=f"/data/{k}.jpg",
                               image_sha256=f"{k:064x}", mood="love", style="a style", alt_text="alt",
                               timings={"total": k + 0.5}, error="why" if status is S.FAILED else None,
                               generator_pid=100 + k)
    update_work(db, ids[S.READY], "work_generated", plan={"lines": ["a"]}, steps={"poet": {"seconds": 1.0}})
    post = start_sending(db, ids[S.READY], "x")
    mark_posted(db, post, "42", "https://x.com/a/status/42")
    start_sending(db, ids[S.READY], "mastodon")
    before = {table: _rows(db, table) for table in ("works", "posts", "events", "paintings")}
    columns = [c[1] for c in db.execute("PRAGMA table_info(works)")]
    db.close()

    db = open_store(path)
    assert schema_version(db) == len(MIGRATIONS) == 6
    assert {table: _rows(db, table) for table in before} == before, "every row, id and value kept"
    assert [c[1] for c in db.execute("PRAGMA table_info(works)")] == columns
    assert _check_names(db, "works", "status") == {s.value for s in WorkStatus}
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute("UPDATE works SET status = 'done' WHERE id = ?", [ids[S.READY]])
    # indexes, uniqueness and references as before
    indexes = {row[1]: row[2] for row in db.execute("PRAGMA index_list(works)")}
    assert "works_haiku_key" in indexes and any(unique for name, unique in indexes.items() if "autoindex" in name)
    assert [row[2] for row in db.execute("SELECT * FROM pragma_index_info('works_haiku_key')")] == ["haiku_key"]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        add_work(db, haiku="a second work", shape=None, seed=None, params=None, models=None,
                 slot="2026-11-01T09:00+00:00", status=S.CLAIMED)
    for table in ("posts", "events"):
        assert [(row[2], row[3], row[4]) for row in db.execute(f"PRAGMA foreign_key_list({table})")] == \
            [("works", "work_id", "id")]
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.execute("INSERT INTO posts (work_id, platform, state, updated_at) VALUES (999, 'x', 'pending', 'now')")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert not db["works_new"].exists()
    # and the store works on: a new work gets the next id, decoded as before
    new = add_work(db, haiku="after the upgrade", shape=None, seed=None, params=None, models=None)
    assert new == max(ids.values()) + 1
    assert get_work(db, ids[S.READY])["steps"] == {"poet": {"seconds": 1.0}}
    db.close()


def test_a_store_with_a_status_outside_the_life_is_not_migrated_and_keeps_its_data(tmp_path, monkeypatch):
    path = tmp_path / "auria.db"
    db = _old_store(path, monkeypatch)
    work_id = add_work(db, haiku="a\nb\nc", shape=None, seed=None, params=None, models=None, status="done")
    db.close()
    with pytest.raises(AuriaError, match=rf"{path}: migration 6 failed: CHECK constraint failed"):
        open_store(path)
    check = sqlite3.connect(path)
    assert check.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 5
    assert check.execute("SELECT status FROM works WHERE id = ?", [work_id]).fetchone()[0] == "done"
    assert {row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == \
        {"schema_version", "works", "posts", "events", "paintings"}


def test_a_migration_that_leaves_a_dangling_reference_is_rolled_back(tmp_path, monkeypatch):
    path = tmp_path / "auria.db"
    db = open_store(path)
    work_id = add_work(db, haiku="a\nb\nc", shape=None, seed=None, params=None, models=None)
    db.close()
    monkeypatch.setattr(store, "MIGRATIONS", [*MIGRATIONS, "DELETE FROM works;"])
    with pytest.raises(AuriaError, match=r"migration 7 failed: .*refer to rows that are gone, e.g. events row"):
        open_store(path)
    monkeypatch.setattr(store, "MIGRATIONS", MIGRATIONS)
    db = open_store(path)
    assert schema_version(db) == 6 and get_work(db, work_id) is not None
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


# Posting outcomes are values.


def test_post_outcomes_are_compared_as_values_and_read_as_lines():
    from publishers.posting import Outcome, PostOutcome, all_posted

    posted = PostOutcome(Outcome.POSTED, "posted: https://x.com/a/status/1")
    retry = PostOutcome(Outcome.RETRY, "retry at 2026-01-01T00:00:00+00:00: HTTP 503")
    assert posted.posted and posted.kind is Outcome.POSTED and not retry.posted
    assert posted == "posted: https://x.com/a/status/1" and f"x: {posted}" == "x: posted: https://x.com/a/status/1"
    assert all_posted({"x": posted}) and not all_posted({"x": posted, "mastodon": retry}) and all_posted({})
    # a line that happens to begin "posted" is not an outcome of posted
    assert not PostOutcome(Outcome.SKIPPED, "posted? skipped (already posted)").posted
    assert {o.value for o in Outcome} - {"skipped"} == {"posted", "retry", "failed", "needs_human"}


# The messages to the generation child.


def test_work_request_and_result_round_trip_through_json():
    from bot.config import Config
    from generator.messages import WorkRequest, WorkResult
    from generator.pipeline import Job, work_request

    config = Config()
    config.generator.device = "cpu"
    request = work_request(config, Job(seed=5, mood="sadness", from_step="stylist"), {"poet": {"seconds": 1}},
                           ["a known haiku"], {"sadness": [{"id": "p1"}]})
    assert request.generator.device == "cpu" and request.stylist.mood == "sadness" and request.poet.weights == ""
    assert request.known_keys == ["a known haiku"] and request.paintings == {"sadness": [{"id": "p1"}]}
    again = WorkRequest.from_dict(json.loads(json.dumps(request.to_dict())))
    assert again == request
    assert "timeout" not in request.to_dict()["generator"], "only what the child reads crosses"
    given = work_request(config, Job(seed=5, haiku=["a", "b", "c"]), None, ["a known haiku"], {})
    assert given.known_keys == [] and given.haiku == ["a", "b", "c"]

    made = WorkResult(haiku=["a", "b", "c"], steps={"poet": {}}, plan={"lines": []}, mood="love", medium="oil",
                      style="s", alt_text="alt", image_sha256="0" * 64, image_path="/x.jpg")
    assert made.ok and "error" not in made.to_dict() and "seconds" not in made.to_dict()
    assert WorkResult.from_dict(json.loads(json.dumps(made.to_dict()))) == made
    failed = WorkResult.failure("the poet step failed")
    assert not failed.ok and failed.to_dict() == {"error": "the poet step failed"}
    assert WorkResult.from_dict(failed.to_dict()) == failed


def test_the_step_names_are_defined_once():
    import bot.works_cli
    import generator.pipeline
    import generator.steps
    from generator.messages import STEPS

    assert STEPS == ("poet", "painter", "stylist", "finish")
    assert generator.steps.STEPS is STEPS and generator.pipeline.STEPS is STEPS and bot.works_cli.STEPS is STEPS
    assert list(generator.steps.STEP_FUNCTIONS) == list(STEPS)
