"""Paintings: the user's WikiArt Emotions images, each registered under the emotions it evokes."""
from __future__ import annotations

import json
from collections.abc import Sequence

import sqlite_utils

from state.events import utc_now

FIELDS = ("title", "artist", "year", "style", "image_path", "image_sha256", "emotions")


def upsert_painting(
    db: sqlite_utils.Database,
    *,
    id: str,
    image_path: str,
    image_sha256: str,
    emotions: Sequence[str],
    title: str | None = None,
    artist: str | None = None,
    year: str | None = None,
    style: str | None = None,
) -> str:
    """Add or update one painting; returns "added", "updated" or "unchanged".

    ``imported_at`` changes only when something else did, so importing the same files
    twice leaves the table exactly as it was.
    """
    row = {
        "title": title,
        "artist": artist,
        "year": year,
        "style": style,
        "image_path": str(image_path),
        "image_sha256": image_sha256,
        "emotions": json.dumps(sorted(set(emotions))),
    }
    with db.atomic():
        found = list(db.query(f"SELECT {', '.join(FIELDS)} FROM paintings WHERE id = ?", [id]))
        if found and found[0] == row:
            return "unchanged"
        columns = ["id", *row, "imported_at"]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        db.execute(
            f"INSERT INTO paintings ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            [id, *row.values(), utc_now()],
        )
    return "updated" if found else "added"


def get_painting(db: sqlite_utils.Database, painting_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM paintings WHERE id = ?", [painting_id]))
    return _decoded(rows[0]) if rows else None


def all_paintings(db: sqlite_utils.Database) -> list[dict]:
    """Every painting, by ID, with ``emotions`` decoded."""
    return [_decoded(row) for row in db.query("SELECT * FROM paintings ORDER BY id")]


def paintings_for_mood(db: sqlite_utils.Database, mood: str) -> list[dict]:
    """The paintings registered under ``mood`` (an emotion name), by ID."""
    rows = db.query(
        "SELECT p.* FROM paintings p WHERE EXISTS "
        "(SELECT 1 FROM json_each(p.emotions) e WHERE e.value = ?) ORDER BY p.id",
        [mood],
    )
    return [_decoded(row) for row in rows]


def count_paintings(db: sqlite_utils.Database) -> dict[str, int]:
    """How many paintings each emotion has (emotions with none left out)."""
    rows = db.execute(
        "SELECT e.value, count(*) FROM paintings p, json_each(p.emotions) e GROUP BY e.value"
    )
    return dict(rows.fetchall())


def _decoded(row: dict) -> dict:
    return {**row, "emotions": json.loads(row["emotions"])}
