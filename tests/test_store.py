import sqlite3
from datetime import datetime

import pytest

from core.errors import AuriaError
from state.events import events_for, record_event
from state.store import MIGRATIONS, open_store, schema_version
from state.works import add_work, get_work, haiku_exists, haiku_key, known_haiku_keys, list_works

HAIKU = "an old silent pond\na frog jumps into the pond\nsplash! silence again"


@pytest.fixture
def db(tmp_path):
    db = open_store(tmp_path / "data" / "auria.db")
    yield db
    db.close()


def add(db, haiku=HAIKU, **kw):
    kw = {"shape": "5-7-5", "seed": 7, "params": {"temperature": 0.8}, "models": {"poet": "ab12"}, **kw}
    return add_work(db, haiku=haiku, **kw)


# Opening and migrating.


def test_open_creates_folders_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "deep" / "er" / "auria.db"
    db = open_store(path)
    assert path.is_file()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert {"works", "posts", "events", "schema_version"} <= set(db.table_names())
    assert schema_version(db) == len(MIGRATIONS)


def test_reopen_is_idempotent_and_keeps_data(tmp_path):
    path = tmp_path / "auria.db"
    db = open_store(path)
    work_id = add(db)
    db.close()
    for _ in range(2):
        db = open_store(path)
        assert db.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)
        assert get_work(db, work_id)["haiku"] == HAIKU
        db.close()


def test_newer_schema_than_code_is_a_clear_error(tmp_path):
    path = tmp_path / "auria.db"
    db = open_store(path)
    db.execute("INSERT INTO schema_version VALUES (?, ?)", [len(MIGRATIONS) + 1, "2030-01-01T00:00:00+00:00"])
    db.close()
    with pytest.raises(AuriaError) as e:
        open_store(path)
    assert str(path) in str(e.value)
    assert f"schema version {len(MIGRATIONS) + 1}, newer than this Auria understands" in str(e.value)


def test_not_a_database_file(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(AuriaError, match=rf"^{path}: not a usable SQLite database \(file is not a database\)$"):
        open_store(path)


def test_an_empty_file_is_not_a_fresh_store(tmp_path, capsys):
    from bot.cli import main
    from state.store import open_store_readonly

    path = tmp_path / "auria.db"
    path.write_bytes(b"")
    message = rf"^{path}: an empty file, not a store; restore the store from a backup, or move this file away"
    with pytest.raises(AuriaError, match=message):
        open_store(path)
    with pytest.raises(AuriaError, match=message):
        open_store_readonly(path)
    assert path.stat().st_size == 0, "nothing was written over it"
    config = tmp_path / "auria.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n')
    assert main(["--config", str(config), "status"]) == 2
    assert "an empty file, not a store" in capsys.readouterr().err
    assert open_store(tmp_path / "new" / "auria.db").tables, "a missing store is made afresh"


def test_folder_instead_of_database(tmp_path):
    with pytest.raises(AuriaError, match=rf"^{tmp_path}: not a usable SQLite database"):
        open_store(tmp_path)


def test_failed_migration_rolls_back_and_names_it(tmp_path):
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE works (x)")  # somebody else's database
    other.commit()
    other.close()
    with pytest.raises(AuriaError, match=r"other\.db: migration 1 failed: table works already exists"):
        open_store(path)
    check = sqlite3.connect(path)
    assert [r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["works"]


def test_data_folder_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(AuriaError, match="cannot create the data folder"):
        open_store(tmp_path / "file" / "auria.db")


# Constraints.


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.execute("INSERT INTO posts (work_id, platform, state, updated_at) VALUES (99, 'x', 'pending', 'now')")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        record_event(db, "posted", work_id=99)


def test_one_post_per_work_and_platform(db):
    work_id = add(db)
    insert = "INSERT INTO posts (work_id, platform, state, updated_at) VALUES (?, ?, 'pending', 'now')"
    db.execute(insert, [work_id, "x"])
    db.execute(insert, [work_id, "instagram"])
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        db.execute(insert, [work_id, "x"])
    assert db.execute("SELECT attempts FROM posts WHERE platform = 'x'").fetchone()[0] == 0


def test_post_state_is_checked(db):
    work_id = add(db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute("INSERT INTO posts (work_id, platform, state, updated_at) VALUES (?, 'x', 'done', 'now')", [work_id])


def test_one_work_per_slot(db):
    add(db, slot="2026-11-25T09:00+01:00")
    add(db, haiku="another")  # NULL slots do not collide
    add(db, haiku="and another")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        add(db, haiku="a second one", slot="2026-11-25T09:00+01:00")
    assert db["works"].count == 3


# Works and events.


def test_add_and_get_work(db):
    work_id = add(
        db, shape=(5, 7, 5), timings={"poet": 1.25}, mood="sadness", slot="2026-11-25T09:00+01:00",
        image_path="images/ab.jpg", image_sha256="ab" * 32, style="udnie", alt_text="a pond",
    )
    work = get_work(db, work_id)
    assert work["haiku"] == HAIKU
    assert work["haiku_key"] == "an old silent pond a frog jumps into the pond splash silence again"
    assert work["shape"] == "5-7-5"
    assert work["params"] == {"temperature": 0.8}
    assert work["models"] == {"poet": "ab12"}
    assert work["timings"] == {"poet": 1.25}
    assert work["status"] == "draft"
    assert (work["mood"], work["style"], work["alt_text"]) == ("sadness", "udnie", "a pond")
    assert work["error"] is None
    assert datetime.fromisoformat(work["created_at"]).utcoffset().total_seconds() == 0
    assert get_work(db, 12345) is None


def test_add_work_records_its_event_in_the_same_transaction(db):
    work_id = add(db, slot="s1")
    [event] = events_for(db, work_id)
    assert event["kind"] == "work_created"
    assert event["detail"] == {"status": "draft", "slot": "s1"}
    # A failed insert leaves neither a work nor an event behind.
    with pytest.raises(sqlite3.IntegrityError):
        add(db, haiku="other", slot="s1")
    assert db["works"].count == 1
    assert db["events"].count == 1


def test_event_rolls_back_with_the_callers_transaction(db):
    work_id = add(db)
    with pytest.raises(RuntimeError):
        with db.atomic():
            record_event(db, "claimed", work_id, slot="s")
            raise RuntimeError
    assert [e["kind"] for e in events_for(db, work_id)] == ["work_created"]


def test_record_event_without_work_and_events_for(db):
    work_id = add(db)
    record_event(db, "daemon_started", pid=42)
    record_event(db, "post_failed", work_id, platform="x", error="429")
    events = events_for(db, work_id)
    assert [e["kind"] for e in events] == ["work_created", "post_failed"]
    assert events[1]["detail"] == {"platform": "x", "error": "429"}
    assert db.execute("SELECT work_id, kind FROM events WHERE kind = 'daemon_started'").fetchone() == (None, "daemon_started")


def test_list_works_latest_first_with_limit(db):
    ids = [add(db, haiku=f"poem {i}") for i in range(5)]
    assert [w["id"] for w in list_works(db)] == ids[::-1]
    assert [w["id"] for w in list_works(db, limit=2)] == ids[:-3:-1]
    assert list_works(db)[0]["params"] == {"temperature": 0.8}


@pytest.mark.parametrize(
    "text, key",
    [
        ("An Old Silent Pond", "an old silent pond"),
        ("frog —  jumps!\nin…", "frog jumps in"),
        ("  ‘snow’ on\tthe_roof  ", "snow on the roof"),
        ("ﬁrst 2 moons", "first 2 moons"),
        ("café crème", "café crème"),
        ("", ""),
    ],
)
def test_haiku_key(text, key):
    assert haiku_key(text) == key


def test_repeat_checks(db):
    assert not haiku_exists(db, HAIKU)
    add(db)
    add(db, haiku="Autumn moon —\nthe crow\nstays")
    assert haiku_exists(db, HAIKU.upper().replace("\n", " / "))
    assert not haiku_exists(db, "an old silent pond")
    assert known_haiku_keys(db) == {haiku_key(HAIKU), "autumn moon the crow stays"}
