"""What the gallery shows of a work: the public view of store rows.

Built field by field from what a visitor may see: the haiku, the picture, mood and style,
the posts' links, and the creative process (each step's seed, parameters, model hashes,
inputs, outputs, seconds). Never a server path (the image is a content-addressed URL), a
secret or an error message (it may name files).
"""
from __future__ import annotations

import re

from state.posts import posts_for
from state.works import get_work

SHOWN = ("ready", "preview")  # finished works; drafts, failures and works awaiting approval stay private
MAX_LIMIT = 100
ARTIFACT = re.compile(r"[0-9a-f]{64}")
STEP_ORDER = ("poet", "painter", "stylist", "finish")  # the pipeline's order
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png"}
# Where each step's images are (the others are text or JSON: not served).
_IMAGE_OUTPUTS = {("painter", "image"): "png", ("stylist", "image"): "png", ("finish", "image"): "jpg"}


class Urls:
    """Links for the running server; the static export passes its own (relative files)."""

    def work(self, work_id: int) -> str:
        return f"/works/{work_id}"

    def artifact(self, sha256: str, ext: str) -> str:
        return f"/artifacts/{sha256}.{ext}"

    def index(self, before: int | None = None) -> str:
        return "/" if before is None else f"/?before={before}"


# The columns a list shows: two queries a page (works, then their posts), no JSON decoded
# but the total seconds; the list is the hot path (benchmarks/serve.py).
_LIST_COLUMNS = ("id, created_at, slot, status, haiku, shape, seed, mood, style, alt_text, image_sha256, "
                 "json_extract(timings, '$.total') AS seconds")


def page_of_works(db, limit: int, before: int | None) -> tuple[list[dict], int | None]:
    """Up to `limit` shown works (the list's columns), newest first, with ids below
    `before`; and the `before` of the next page (None on the last)."""
    marks = ", ".join("?" for _ in SHOWN)
    sql = f"SELECT {_LIST_COLUMNS} FROM works WHERE status IN ({marks}) AND image_sha256 IS NOT NULL"
    params: list = list(SHOWN)
    if before is not None:
        sql += " AND id < ?"
        params.append(before)
    cursor = db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit + 1])
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["id"] if more else None)


def shown_work(db, work_id: int) -> dict | None:
    work = get_work(db, work_id)
    if work is None or work["status"] not in SHOWN or not work.get("image_sha256"):
        return None
    return work


def summaries(db, rows: list[dict], urls: Urls) -> list[dict]:
    """The list's works (rows of page_of_works), with their posts in one query."""
    posts: dict[int, dict[str, dict]] = {row["id"]: {} for row in rows}
    if rows:
        marks = ", ".join("?" for _ in rows)
        for work_id, platform, state, url in db.execute(
                f"SELECT work_id, platform, state, url FROM posts WHERE work_id IN ({marks})", list(posts)):
            posts[work_id][platform] = {"state": state, "url": url}
    return [_summary(row, posts[row["id"]], urls) for row in rows]


def summary(db, work: dict, urls: Urls) -> dict:
    """One work (as get_work gives it) as the gallery's list shows it."""
    return _summary({**work, "seconds": (work.get("timings") or {}).get("total")}, posts_for(db, work["id"]), urls)


def _is_https(url: str | None) -> bool:
    """A platform's answer goes into a link only as an https URL: a `javascript:` or `data:`
    one would run or show in the gallery's page."""
    from urllib.parse import urlsplit

    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc) and not any(c.isspace() or ord(c) < 32 for c in url)


def _summary(row: dict, posts: dict[str, dict], urls: Urls) -> dict:
    return {
        "id": row["id"],
        "created_at": row["created_at"],
        "slot": row["slot"],
        "status": row["status"],
        "haiku": row["haiku"].split("\n"),
        "shape": row["shape"],
        "seed": row["seed"],
        "mood": row["mood"],
        "style": row["style"],
        "alt_text": row["alt_text"],
        "image": urls.artifact(row["image_sha256"], "jpg"),
        "page": urls.work(row["id"]),
        "posts": [{"platform": platform, "state": post["state"],
                   "url": post["url"] if post["state"] == "posted" and _is_https(post["url"]) else None}
                  for platform, post in sorted(posts.items())],
        "seconds": row["seconds"],
    }


def detail(db, work: dict, urls: Urls) -> dict:
    """A work with its creative process: the plan and every step's record."""
    steps = []
    records = work.get("steps") or {}
    for name in sorted(records, key=lambda n: STEP_ORDER.index(n) if n in STEP_ORDER else len(STEP_ORDER)):
        record = records[name]
        outputs = {}
        for output, sha in (record.get("outputs") or {}).items():
            ext = _IMAGE_OUTPUTS.get((name, output))
            outputs[output] = {"sha256": sha, **({"url": urls.artifact(sha, ext)} if ext else {})}
        steps.append({
            "step": name,
            "seed": record.get("seed"),
            "seconds": record.get("seconds"),
            "reused": record.get("reused", False),
            "params": _without_paths(record.get("params") or {}),
            "models": dict(record.get("models") or {}),
            "inputs": dict(record.get("inputs") or {}),
            "outputs": outputs,
        })
    plan = work.get("plan") or {}
    return {
        **summary(db, work, urls),
        "params": _without_paths(work.get("params") or {}),
        "plan": {key: plan.get(key) for key in ("time_of_day", "season", "placements") if key in plan},
        "steps": steps,
        "timings": work.get("timings") or {},
    }


def _without_paths(value):
    """Parameters minus anything that names a file on the server (an imported painting's
    path, a weights folder): a visitor sees the settings, not the machine."""
    if isinstance(value, dict):
        return {k: _without_paths(v) for k, v in value.items()
                if not (k.endswith("path") or k in ("weights", "data_dir")) and not _is_path(v)}
    if isinstance(value, list):
        return [_without_paths(v) for v in value if not _is_path(v)]
    return value


def _is_path(value) -> bool:
    return isinstance(value, str) and (value.startswith(("/", "~")) or re.match(r"[A-Za-z]:\\", value) is not None)
