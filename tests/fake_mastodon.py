"""A local fake of a Mastodon server, for tests that run the real daemon and the real
Mastodon.py over real HTTP, kill and restart it, and then count what the server received.

    with FakeMastodon() as m:                                   # serves m.base_url
        m.hold("/api/v1/statuses", after_commit=True)           # posted, the answer held
        ...                                                     # the daemon posts to https://mastodon.test
        m.wait_held(10); kill the client; m.release()
        assert len(m.statuses) == 1

The control API is FakeX's (tests/fake_x.py: start/stop on the same port, calls, errors,
script, hold/wait_held/release); the traffic for https://mastodon.test gets here through
its redirect: `install_redirect(x_url, extra={HOST: m.base_url})`, or the launcher's
`--mastodon URL`.

It serves what the adapter (publishers/mastodon.py) calls, with Mastodon's shapes:
POST /api/v2/media (200, processed at once), GET /api/v1/media/ID, POST /api/v1/statuses
(form or JSON; a repeated Idempotency-Key answers the status it already made, as Mastodon
does), GET /api/v1/accounts/verify_credentials, GET /api/v1/accounts/ID/statuses
(newest first), and GET /api/v2/instance and /api/v1/instance with the status length in
``configuration.statuses.max_characters`` (``max_characters``: 500 as Mastodon's default,
None to leave it out; a status longer is refused with Mastodon's 422). Every call needs `Authorization: Bearer TOKEN`. A status's content is
HTML as Mastodon renders plain text: paragraphs, <br /> lines, escaped, hashtags linked.
"""
from __future__ import annotations

import html
import itertools
import re
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs

from fake_x import FakePlatform, _json, _multipart

HOST = "mastodon.test"
PUBLIC = f"https://{HOST}"  # the instance address in publish.mastodon_url
TOKEN = "fake-mastodon-token"
ACCOUNT = {"id": "1", "username": "auria", "acct": "auria", "display_name": "Auria", "locked": False,
           "bot": True, "created_at": "2024-01-01T00:00:00.000Z", "note": "<p>haiku and pictures</p>",
           "url": f"{PUBLIC}/@auria", "avatar": f"{PUBLIC}/avatars/original/missing.png",
           "header": f"{PUBLIC}/headers/original/missing.png", "followers_count": 0,
           "following_count": 0, "statuses_count": 0, "emojis": [], "fields": []}

NOT_FOUND = {"error": "Record not found"}
INVALID_TOKEN = {"error": "The access token is invalid"}
ACCOUNT_STATUSES = re.compile(r"/api/v1/accounts/([^/]+)/statuses")
MEDIA = re.compile(r"/api/v1/media/([^/]+)")
HASHTAG = re.compile(r"(?<![\w&/])#(\w+)")


def invalid(message: str) -> tuple[int, dict, dict]:
    return 422, {}, {"error": f"Validation failed: {message}"}


class FakeMastodon(FakePlatform):
    name = "mastodon"

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self._statuses: list[dict] = []
        self._uploads: dict[str, dict] = {}
        self._keys: dict[str, str] = {}  # Idempotency-Key -> the status it made
        self._keys_replayed = 0
        self._ids = itertools.count(1)
        self.max_characters: int | None = 500

    # -- what the server holds: copies, safe to read while a client is talking -------------

    @property
    def statuses(self) -> list[dict]:
        """Statuses made, oldest first: {"id", "text", "media_ids", "visibility",
        "idempotency_key", "created_at"}."""
        with self._lock:
            return [dict(s, media_ids=list(s["media_ids"])) for s in self._statuses]

    @property
    def keys_replayed(self) -> int:
        """Status posts answered with the status their Idempotency-Key made before."""
        with self._lock:
            return self._keys_replayed

    @property
    def uploads(self) -> list[dict]:
        """Media uploaded, oldest first: {"id", "size", "description", "status_id" (None until attached)}."""
        with self._lock:
            return [dict(u) for u in self._uploads.values()]

    # -- the server ------------------------------------------------------------------------

    def _authorised(self, headers) -> bool:
        return headers.get("Authorization", "") == f"Bearer {self.token}"

    def _unauthorised(self) -> tuple:
        return 401, {}, INVALID_TOKEN

    def _failed(self) -> tuple:
        return 500, {}, {"error": "We're sorry, but something went wrong on our end. (fake Mastodon failed)"}

    def _unavailable(self) -> tuple:
        return 503, {}, {"error": "Service Unavailable"}

    def _rate_limited(self, reset_seconds: int) -> tuple:
        reset = datetime.fromtimestamp(time.time() + reset_seconds, timezone.utc)
        return 429, {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                     "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z")}, \
            {"error": "Too many requests"}

    def _new_id(self) -> str:
        # Snowflake-sized decimal strings like Mastodon's, unique across media and statuses.
        return str(113_000_000_000_000_000 + next(self._ids))

    def _route(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple:
        if (method, path) == ("POST", "/api/v2/media"):
            return self._upload(headers.get("Content-Type", ""), body)
        if (method, path) == ("POST", "/api/v1/statuses"):
            return self._create_status(headers, body)
        if (method, path) == ("GET", "/api/v1/accounts/verify_credentials"):
            return 200, {}, self._account(source=True)
        if method == "GET" and path.rstrip("/") in ("/api/v2/instance", "/api/v1/instance"):
            return 200, {}, self._instance(version=2 if path.startswith("/api/v2/") else 1)
        match = MEDIA.fullmatch(path)
        if method == "GET" and match:
            with self._lock:
                upload = self._uploads.get(match[1])
                return (200, {}, _attachment(upload)) if upload else (404, {}, NOT_FOUND)
        match = ACCOUNT_STATUSES.fullmatch(path)
        if method == "GET" and match:
            return self._account_statuses(match[1], query)
        return 404, {}, NOT_FOUND

    def _account(self, source: bool = False) -> dict:
        with self._lock:
            account = dict(ACCOUNT, statuses_count=len(self._statuses))
        if source:  # verify_credentials adds the owner's settings
            account["source"] = {"privacy": "public", "sensitive": False, "language": "en", "note": "", "fields": []}
        return account

    def _instance(self, version: int) -> dict:
        """The instance document, trimmed to what a client reads (and the length, if set)."""
        document = {"domain" if version == 2 else "uri": HOST, "title": "Fake Mastodon", "version": "4.3.0",
                    "configuration": {"urls": {"streaming": f"wss://{HOST}"}}}
        if self.max_characters is not None:
            document["configuration"]["statuses"] = {"max_characters": self.max_characters,
                                                     "max_media_attachments": 4, "characters_reserved_per_url": 23}
        return document

    def _upload(self, content_type: str, body: bytes) -> tuple:
        fields = _multipart(content_type, body)
        data = fields.get("file")
        if not data:
            return invalid("File can't be blank")
        if not data.startswith(b"\xff\xd8"):  # the adapter sends JPEGs only
            return invalid("File content type is invalid")
        description = (fields.get("description") or b"").decode()
        media_id = self._new_id()
        with self._lock:
            self._uploads[media_id] = {"id": media_id, "size": len(data), "description": description or None,
                                       "status_id": None}
            return 200, {}, _attachment(self._uploads[media_id])

    def _create_status(self, headers, body: bytes) -> tuple:
        if headers.get("Content-Type", "").startswith("application/json"):
            data = _json(body)
            text, media_ids, visibility = data.get("status"), data.get("media_ids") or [], data.get("visibility")
        else:
            form = parse_qs(body.decode(), keep_blank_values=True)
            text = form.get("status", [None])[0]
            media_ids, visibility = form.get("media_ids[]", []), form.get("visibility", [None])[0]
        media_ids = [str(m) for m in media_ids]
        key = headers.get("Idempotency-Key")
        with self._lock:
            if key and key in self._keys:  # Mastodon keeps a key an hour: the same status again
                self._keys_replayed += 1
                return 200, {}, self._shown(next(s for s in self._statuses if s["id"] == self._keys[key]))
            if not text and not media_ids:
                return invalid("Text can't be blank")
            if text and len(text) > (self.max_characters or 500):
                return invalid(f"Text character limit of {self.max_characters or 500} exceeded")
            if any(m not in self._uploads or self._uploads[m]["status_id"] for m in media_ids):
                return invalid(f"Media attachments not found: {', '.join(media_ids)}")
            if visibility not in (None, "public", "unlisted", "private", "direct"):
                return invalid("Visibility is not included in the list")
            status = {"id": self._new_id(), "text": text or "", "media_ids": media_ids,
                      "visibility": visibility or "public", "idempotency_key": key,
                      "created_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds")
                      .replace("+00:00", "Z")}
            for media_id in media_ids:
                self._uploads[media_id]["status_id"] = status["id"]
            self._statuses.append(status)
            if key:
                self._keys[key] = status["id"]
            return 200, {}, self._shown(status)

    def _account_statuses(self, account_id: str, query: dict) -> tuple:
        if account_id != ACCOUNT["id"]:
            return 404, {}, NOT_FOUND
        try:
            limit = min(int(query.get("limit", ["20"])[0]), 40)  # Mastodon caps it at 40
        except ValueError:
            limit = 20
        with self._lock:
            return 200, {}, [self._shown(s) for s in reversed(self._statuses)][:max(limit, 1)]

    def _shown(self, status: dict) -> dict:
        """A status as the API shows it (the lock is held)."""
        sid = status["id"]
        return {"id": sid, "created_at": status["created_at"], "in_reply_to_id": None,
                "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
                "visibility": status["visibility"], "language": "en",
                "uri": f"{PUBLIC}/users/auria/statuses/{sid}", "url": f"{PUBLIC}/@auria/{sid}",
                "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": None,
                "content": content_html(status["text"]), "reblog": None,
                "application": {"name": "auria", "website": None},
                "account": dict(ACCOUNT, statuses_count=len(self._statuses)),
                "media_attachments": [_attachment(self._uploads[m]) for m in status["media_ids"]],
                "mentions": [], "tags": [{"name": t.lower(), "url": f"{PUBLIC}/tags/{t.lower()}"}
                                         for t in HASHTAG.findall(status["text"])],
                "emojis": [], "card": None, "poll": None}


def _attachment(upload: dict) -> dict:
    mid = upload["id"]
    return {"id": mid, "type": "image", "url": f"{PUBLIC}/system/media_attachments/files/{mid}/original/image.jpg",
            "preview_url": f"{PUBLIC}/system/media_attachments/files/{mid}/small/image.jpg", "remote_url": None,
            "preview_remote_url": None, "text_url": None, "meta": {}, "description": upload["description"],
            "blurhash": None}


def content_html(text: str) -> str:
    """Plain text as Mastodon renders it: a paragraph per blank-line-separated block, <br />
    between its lines, HTML-escaped (an apostrophe as &#39;), hashtags linked."""
    def line(raw: str) -> str:
        escaped = html.escape(raw).replace("&#x27;", "&#39;")
        return HASHTAG.sub(lambda m: f'<a href="{PUBLIC}/tags/{m[1].lower()}" class="mention hashtag" '
                                     f'rel="tag">#<span>{m[1]}</span></a>', escaped)

    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join("<p>" + "<br />".join(line(x) for x in block.split("\n")) + "</p>" for block in blocks)
