"""What the gallery shows of a work: the public view of store rows.

Built field by field from what a visitor may see: the haiku, the picture, mood and style,
the posts' links, and the creative process (each step's seed, parameters, model hashes,
inputs, outputs, seconds). Never a server path (the image is a content-addressed URL), a
secret or an error message (it may name files).
"""
from __future__ import annotations

import re

from generator.messages import STEPS
from state.posts import PostState, posts_for, posts_of_works
from state.works import get_work, is_shown, page_of_shown_works

MAX_LIMIT = 100
ARTIFACT = re.compile(r"[0-9a-f]{64}")
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


def page_of_works(db, limit: int, before: int | None) -> tuple[list[dict], int | None]:
    """Up to `limit` shown works (the list's columns), newest first, with ids below
    `before`; and the `before` of the next page (None on the last)."""
    return page_of_shown_works(db, limit, before)


def shown_work(db, work_id: int) -> dict | None:
    work = get_work(db, work_id)
    return work if is_shown(work) else None


def summaries(db, rows: list[dict], urls: Urls) -> list[dict]:
    """The list's works (rows of page_of_works), with their posts in one query."""
    posts = posts_of_works(db, [row["id"] for row in rows])
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
                   "url": post["url"] if post["state"] == PostState.POSTED and _is_https(post["url"]) else None}
                  for platform, post in sorted(posts.items())],
        "seconds": row["seconds"],
    }


def detail(db, work: dict, urls: Urls) -> dict:
    """A work with its creative process: the plan and every step's record."""
    steps = []
    records = work.get("steps") or {}
    for name in sorted(records, key=lambda n: STEPS.index(n) if n in STEPS else len(STEPS)):
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
