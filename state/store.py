"""Opening the store: one SQLite file, WAL mode, foreign keys on, ordered migrations.

Migration N is ``MIGRATIONS[N - 1]``; ``schema_version`` has one row per migration applied.
Append new migrations, never edit an applied one. Foreign keys are off while a migration
runs and checked before it commits, so a migration can rebuild a table (SQLite cannot add a
constraint to one: create the new table, copy the rows, drop the old one, rename the new
one, make its indexes again; as migration 6 does).
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from core.errors import AuriaError

BUSY_TIMEOUT_MS = 5000

MIGRATIONS = [
    # 1: works, their posts per platform, and the audit trail.
    """
    CREATE TABLE works (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        slot TEXT UNIQUE,
        status TEXT NOT NULL,
        haiku TEXT NOT NULL,
        haiku_key TEXT NOT NULL,
        shape TEXT,
        seed INTEGER,
        params TEXT,
        models TEXT,
        image_path TEXT,
        image_sha256 TEXT,
        mood TEXT,
        style TEXT,
        alt_text TEXT,
        timings TEXT,
        error TEXT
    );
    CREATE INDEX works_haiku_key ON works (haiku_key);
    CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        work_id INTEGER NOT NULL REFERENCES works (id),
        platform TEXT NOT NULL,
        state TEXT NOT NULL
            CHECK (state IN ('pending', 'sending', 'posted', 'retry', 'failed', 'needs_human')),
        remote_id TEXT,
        url TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        error TEXT,
        updated_at TEXT NOT NULL,
        UNIQUE (work_id, platform)
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        work_id INTEGER REFERENCES works (id),
        kind TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX events_work_id ON events (work_id);
    """,
    # 2: paintings imported from WikiArt Emotions, each under the emotions its image evokes.
    """
    CREATE TABLE paintings (
        id TEXT PRIMARY KEY,
        title TEXT,
        artist TEXT,
        year TEXT,
        style TEXT,
        image_path TEXT NOT NULL,
        image_sha256 TEXT NOT NULL,
        emotions TEXT NOT NULL,
        imported_at TEXT NOT NULL
    );
    """,
    # 3: how a work was made: the scene plan and each step's record (seed, parameters,
    # model hashes, input and output artifact hashes, seconds).
    """
    ALTER TABLE works ADD COLUMN plan TEXT;
    ALTER TABLE works ADD COLUMN steps TEXT;
    """,
    # 4: each post's own idempotency key, made and stored before its first send (work ids
    # repeat across stores, and in a store restored from a backup, so they cannot be keys).
    """
    ALTER TABLE posts ADD COLUMN idempotency_key TEXT;
    """,
    # 5: the process generating a work, so a work whose process was killed is found.
    """
    ALTER TABLE works ADD COLUMN generator_pid INTEGER;
    """,
    # 6: works.status is one of the statuses of a work's life (state.works.WorkStatus), as
    # posts.state already was: the table rebuilt with the CHECK, every column, row, id,
    # index and reference kept.
    """
    CREATE TABLE works_new (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        slot TEXT UNIQUE,
        status TEXT NOT NULL
            CHECK (status IN ('draft', 'claimed', 'generating', 'failed', 'preview', 'awaiting_approval',
                              'ready', 'rejected', 'skipped')),
        haiku TEXT NOT NULL,
        haiku_key TEXT NOT NULL,
        shape TEXT,
        seed INTEGER,
        params TEXT,
        models TEXT,
        image_path TEXT,
        image_sha256 TEXT,
        mood TEXT,
        style TEXT,
        alt_text TEXT,
        timings TEXT,
        error TEXT,
        plan TEXT,
        steps TEXT,
        generator_pid INTEGER
    );
    INSERT INTO works_new (id, created_at, slot, status, haiku, haiku_key, shape, seed, params, models,
                           image_path, image_sha256, mood, style, alt_text, timings, error, plan, steps,
                           generator_pid)
        SELECT id, created_at, slot, status, haiku, haiku_key, shape, seed, params, models,
               image_path, image_sha256, mood, style, alt_text, timings, error, plan, steps, generator_pid
        FROM works;
    DROP TABLE works;
    ALTER TABLE works_new RENAME TO works;
    CREATE INDEX works_haiku_key ON works (haiku_key);
    """,
]


def open_store(path: Path) -> sqlite_utils.Database:
    """Open (creating it and its folder if needed) and migrate the database at ``path``."""
    path = Path(path)
    _refuse_empty(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise AuriaError(f"{path.parent}: cannot create the data folder: {e.strerror}") from None
    try:
        db = sqlite_utils.Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        db.enable_wal()
    except sqlite3.DatabaseError as e:
        raise AuriaError(f"{path}: not a usable SQLite database ({e})") from None
    migrate(db, path)
    return db


def open_store_readonly(path: Path) -> sqlite_utils.Database:
    """Open the store for a reader that must never write (the gallery): SQLite's read-only
    mode, so any write fails with "attempt to write a readonly database". The store must
    exist and be migrated; readers never migrate."""
    path = Path(path)
    if not path.is_file():
        raise AuriaError(f"{path}: no store yet (make a work first: auria preview, or run the daemon)")
    _refuse_empty(path)
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = sqlite_utils.Database(conn)
        found = schema_version(db)
    except sqlite3.DatabaseError as e:
        raise AuriaError(f"{path}: not a usable SQLite database ({e})") from None
    if found != len(MIGRATIONS):
        raise AuriaError(f"{path}: schema version {found}, this Auria reads {len(MIGRATIONS)}: "
                         + ("upgrade Auria" if found > len(MIGRATIONS) else "run `auria status` once to migrate it"))
    return db


def _refuse_empty(path: Path) -> None:
    """An empty file where the store should be is a store that was lost (truncated, or a
    failed copy), not a fresh one: recreating it would silently start over with no works."""
    if path.is_file() and path.stat().st_size == 0:
        raise AuriaError(f"{path}: an empty file, not a store; restore the store from a backup, "
                         "or move this file away to start a new one")


def schema_version(db: sqlite_utils.Database) -> int:
    if not db["schema_version"].exists():
        return 0
    return db.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(db: sqlite_utils.Database, path: Path | str = "database") -> None:
    """Apply the pending migrations, each in its own transaction."""
    latest = len(MIGRATIONS)
    found = schema_version(db)
    if found > latest:
        raise AuriaError(
            f"{path}: the database has schema version {found}, newer than this Auria "
            f"understands ({latest}); upgrade Auria"
        )
    if found == latest:
        return
    # Off outside the transactions (SQLite ignores the pragma inside one), so a migration
    # can drop and rename a table others refer to; each is checked before it commits.
    (foreign_keys,) = db.execute("PRAGMA foreign_keys").fetchone()
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        while found < latest:
            # IMMEDIATE takes the write lock first, so two processes opening a fresh
            # database cannot both run the same migration.
            db.execute("BEGIN IMMEDIATE")
            try:
                db.conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version "
                    "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
                found = schema_version(db)
                if found < latest:
                    for statement in _statements(MIGRATIONS[found]):
                        db.conn.execute(statement)
                    broken = db.conn.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        table, rowid, parent, _ = broken[0]
                        raise sqlite3.IntegrityError(
                            f"{len(broken)} row(s) refer to rows that are gone, e.g. {table} row {rowid} to {parent}")
                    found += 1
                    db.conn.execute(
                        "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                        [found, datetime.now(timezone.utc).isoformat(timespec="seconds")],
                    )
                db.conn.execute("COMMIT")
            except sqlite3.Error as e:
                db.rollback()
                raise AuriaError(f"{path}: migration {found + 1} failed: {e}") from None
    finally:
        db.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")


def _statements(script: str) -> list[str]:
    # Statement by statement: sqlite3's executescript() would commit the open transaction.
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]
