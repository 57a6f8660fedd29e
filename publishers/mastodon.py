"""The Mastodon adapter: upload the picture with its alt text, then post the status.

The calls, in order, through Mastodon.py (requests) with ``Authorization: Bearer TOKEN``:

1. ``POST {publish.mastodon_url}/api/v2/media``, multipart ``file`` (the JPEG) and
   ``description`` (the alt text). A 202 (``url`` still null: the server processes the
   file in the background) is followed by ``GET /api/v1/media/ID`` every few seconds until
   ``url`` is set, for at most a minute.
2. ``POST /api/v1/statuses``, form fields ``status`` (the caption), ``media_ids[]``,
   ``visibility=public``, with ``Idempotency-Key`` the post's own key (random, stored before
   the first send): Mastodon answers a repeated key (for an hour) with the status it
   already made, so a retry after a lost answer never posts twice.

The client is built with ``version_check_mode="created"`` and ``mastodon_version="4.0.0"``:
Mastodon.py then asks the server nothing about its version (without a version it would
call ``/api/v1/instance`` and ``/api/v2/instance`` before uploading, recursing without end
when they fail; with ``version_check_mode="none"`` the given version is ignored and the
upload goes to the deprecated ``/api/v1/media``). ``ratelimit_method="throw"``: a 429 is
ours to schedule, never a sleep inside the call.

The caption is cut to the instance's own status length, asked once per adapter before
the first post (``caption_limit``): ``GET /api/v2/instance`` ``configuration.statuses.
max_characters``; where the server has no v2 (404 or 410: Mastodon before 4.0, other
servers) or it says nothing, ``GET /api/v1/instance`` ``max_toot_chars`` (Pleroma, Akkoma,
glitch-soc) or its ``configuration.statuses.max_characters``; and Mastodon's default of 500
when neither says or the look-up fails (down, 5xx, 429, locked down): 500 is what every
stock server takes, and a post must never wait on metadata.

Errors, for every call: 429 -> retry when ``X-RateLimit-Reset`` (ISO time) says; 5xx,
timeouts, dropped connections, unreadable answers, 408/409/425 and a 422 for media still
processing -> retry; 401 (token revoked or wrong) and 403 (account suspended or disabled,
token without the write scopes: nothing a retry or another post fixes) -> a human; other
4xx (422 validation, 413 too large, 404) -> permanent. Messages name the call and status
and carry the server's error text, never the token.
"""
from __future__ import annotations

import logging
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from core.secrets import get_secret, redact
from publishers.base import (
    NeedsHumanError,
    NotConfiguredError,
    PermanentError,
    Post,
    Publisher,
    PublishError,
    PublishResult,
    RetryableError,
)
from publishers.captions import LIMITS, length
from publishers.platforms.mastodon import PLATFORM
from publishers.settings import Settings

log = logging.getLogger("auria.publish.mastodon")

# Any version with /api/v2/media (3.1.4+) and every call used here; nothing newer is needed.
ASSUMED_VERSION = "4.0.0"
MEDIA_PATH = "/api/v2/media"  # Mastodon.py's media_post (4.0 instances and later)
STATUSES_PATH = "/api/v1/statuses"  # ... and status_post
VISIBILITY = "public"
TIMEOUT = 60  # seconds per request (Mastodon.py's default is 300)
LOOKUP_TIMEOUT = 10  # seconds for the instance's character limit: a slow answer is no answer
RECENT_POSTS = 20
MEDIA_POLLS = 20  # GET /api/v1/media/ID at most this often while the upload is processed
MEDIA_POLL_SECONDS = 3.0
PROCESSING_RETRY_SECONDS = 60.0
_RETRY_STATUSES = {408, 409, 425}
_ERROR_TEXT_LIMIT = 300


class MastodonPublisher(Publisher):
    platform = PLATFORM
    name = PLATFORM.name

    def __init__(self, config: Settings):
        self.config = config
        self._sleep = time.sleep  # tests replace it: the media polling never really waits
        self._max_characters: int | None = None  # the instance's limit, once asked

    # -- configuration -------------------------------------------------------------------

    def validate(self) -> None:
        missing = []
        if not self.config.publish.mastodon_url:
            where = f" ({self.config.source})" if self.config.source else ""
            missing.append(f'publish.mastodon_url in the config file{where}, e.g. "https://mastodon.social"')
        if not get_secret("mastodon_access_token"):
            missing.append("the access token: set AURIA_MASTODON_ACCESS_TOKEN or the file "
                           "$CREDENTIALS_DIRECTORY/mastodon_access_token (Preferences > Development > "
                           "New application, scopes read and write)")
        if missing:
            raise NotConfiguredError("mastodon: missing " + "; and ".join(missing))

    def _client(self, timeout: float = TIMEOUT) -> tuple[Mastodon, str]:
        """A fresh client (no request is made building it) and the token, for redaction."""
        try:
            self.validate()
        except NotConfiguredError as error:
            raise NeedsHumanError(str(error)) from None
        token = get_secret("mastodon_access_token")
        client = Mastodon(
            access_token=token,
            api_base_url=self.config.publish.mastodon_url,
            ratelimit_method="throw",
            version_check_mode="created",
            mastodon_version=ASSUMED_VERSION,
            request_timeout=timeout,
            user_agent="auria (haiku bot; Mastodon.py)",
        )
        return client, token

    # -- the interface -------------------------------------------------------------------

    def check(self) -> str:
        client, token = self._client()
        account = self._call(client, token, "verify credentials", client.account_verify_credentials)
        acct = account["acct"]
        host = urlsplit(client.api_base_url).hostname or ""
        return f"@{acct}" if "@" in acct or not host else f"@{acct}@{host}"

    def caption_limit(self) -> int:
        """The instance's status length, asked once for this adapter; never raises."""
        if self._max_characters is None:
            self._max_characters = self._instance_limit()
        return self._max_characters

    def publish(self, post: Post) -> PublishResult:
        limit = self.caption_limit()
        if length("mastodon", post.caption) > limit:
            raise PermanentError(f"mastodon: the caption is {length('mastodon', post.caption)} characters, "
                                 f"over the instance's {limit}")
        client, token = self._client()
        try:
            image = open(post.image_path, "rb")
        except OSError as error:
            raise PermanentError(f"mastodon: cannot read the image {post.image_path}: {error.strerror}") from None
        with image:
            media = self._call(client, token, "media upload", lambda: client.media_post(
                image, mime_type="image/jpeg", description=post.alt_text, file_name=post.image_path.name))
        media = self._wait_for_media(client, token, media)
        status = self._call(client, token, "status post", lambda: client.status_post(
            post.caption, media_ids=[media["id"]], visibility=VISIBILITY,
            idempotency_key=post.key or None))
        result = PublishResult(remote_id=str(status["id"]), url=status.get("url") or status["uri"])
        log.info("mastodon: work %d posted as %s", post.work_id, result.url)
        return result

    @classmethod
    def plan_requests(cls, text: str, alt: str, image_name: str, publish: dict) -> dict:
        base = publish.get("mastodon_url") or "https://<publish.mastodon_url>"
        return {
            "1_media": {"method": "POST", "url": f"{base}{MEDIA_PATH}",
                        "multipart": {"file": image_name, "description": alt}},
            "2_status": {"method": "POST", "url": f"{base}{STATUSES_PATH}",
                         "json": {"status": text, "media_ids": ["<media id from step 1>"], "visibility": VISIBILITY}},
        }

    def find_existing(self, post: Post) -> PublishResult | None:
        client, token = self._client()
        me = self._call(client, token, "verify credentials", client.account_verify_credentials)
        statuses = self._call(client, token, "recent statuses",
                              lambda: client.account_statuses(me["id"], limit=RECENT_POSTS))
        wanted = _normalize("\n".join(post.lines))
        for status in statuses:
            if status.get("reblog"):
                continue
            if wanted and wanted in _normalize(html_to_text(status.get("content") or "")):
                return PublishResult(remote_id=str(status["id"]), url=status.get("url") or status["uri"])
        return None

    # -- helpers -------------------------------------------------------------------------

    def _instance_limit(self) -> int:
        default = LIMITS["mastodon"]
        try:
            client, token = self._client(timeout=LOOKUP_TIMEOUT)
        except NeedsHumanError:  # not configured: publish() says so, with nothing sent
            return default
        try:
            try:
                limit = _max_characters(client.instance_v2(), ("configuration", "statuses", "max_characters"))
            except MastodonError as error:
                if not isinstance(error, MastodonNotFoundError) and _status_of(error)[0] != 410:
                    raise
                limit = None  # no v2 on this server
            if limit is None:
                v1 = client.instance_v1()
                limit = (_max_characters(v1, ("max_toot_chars",))
                         or _max_characters(v1, ("configuration", "statuses", "max_characters")))
        except Exception as error:  # noqa: BLE001 - metadata: a failed look-up never stops a post
            reason = str(map_error(error, "instance look-up", client, token)) if isinstance(error, MastodonError) \
                else redact(f"mastodon: instance look-up failed: {type(error).__name__}: {error}", [token])
            log.warning("%s; captions are cut to Mastodon's default of %d characters", reason, default)
            return default
        if limit is None:
            log.info("mastodon: the instance does not say its status length; captions are cut to %d", default)
            return default
        log.debug("mastodon: the instance takes statuses of up to %d characters", limit)
        return limit

    def _wait_for_media(self, client: Mastodon, token: str, media):
        """The attachment once the server has processed it (its url is set)."""
        polls = 0
        while media.get("url") is None:
            if polls == MEDIA_POLLS:
                raise RetryableError("mastodon: the uploaded image is still being processed; try again later",
                                     retry_after=PROCESSING_RETRY_SECONDS)
            polls += 1
            self._sleep(MEDIA_POLL_SECONDS)
            media = self._call(client, token, "media status", lambda: client.media(media["id"]))
        return media

    def _call(self, client: Mastodon, token: str, action: str, fn):
        try:
            return fn()
        except MastodonError as error:
            raise map_error(error, action, client, token) from None


def map_error(error: MastodonError, action: str, client: Mastodon | None = None, token: str = "") -> PublishError:
    """The taxonomy class for a Mastodon.py exception (``token`` is redacted from the message)."""
    status, reason, detail = _status_of(error)
    what = f"mastodon: {action} failed"
    if status is not None:
        what += f": HTTP {status}{' ' + reason if reason else ''}"
    if detail:
        what += f": {detail}"
    message = redact(what, [token] if token else [])

    if isinstance(error, MastodonRatelimitError):
        retry_after = None
        reset = getattr(client, "ratelimit_reset", None)  # epoch from X-RateLimit-Reset, None if absent or past
        if reset is not None:
            retry_after = max(0.0, float(reset) - time.time())
        return RetryableError(redact(f"mastodon: {action} failed: rate limited (HTTP 429)", [token] if token else []),
                              retry_after=retry_after)
    if isinstance(error, MastodonNetworkError):  # timeouts, refused or reset connections, DNS
        return RetryableError(message)
    if isinstance(error, MastodonUnauthorizedError):
        return NeedsHumanError(message + " (the access token was rejected: set a new AURIA_MASTODON_ACCESS_TOKEN)")
    if isinstance(error, MastodonServerError):
        return RetryableError(message)
    if isinstance(error, MastodonAPIError):
        if status is None:  # a success status with a body that is not JSON (a proxy's page)
            return RetryableError(message)
        if status == 403:
            return NeedsHumanError(message + " (account suspended or disabled, or the token lacks the write scope)")
        if status >= 500 or status in _RETRY_STATUSES:
            return RetryableError(message)
        if status == 422 and "processing" in (detail or "").lower():
            return RetryableError(message, retry_after=PROCESSING_RETRY_SECONDS)
        if status == 404:
            return PermanentError(message + " (is publish.mastodon_url a Mastodon server?)")
        return PermanentError(message)
    return PermanentError(message)  # version or argument errors: a bug here, not the server


def _max_characters(data, path: tuple[str, ...]) -> int | None:
    """The positive whole number at `path` in an instance document, else None."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, int) and not isinstance(data, bool) and data > 0 else None


def _status_of(error: MastodonError) -> tuple[int | None, str, str]:
    """(HTTP status, reason, server's error text) from Mastodon.py's exception args."""
    args = error.args
    if len(args) >= 2 and isinstance(args[1], int):
        reason = args[2] if len(args) > 2 and isinstance(args[2], str) else ""
        detail = args[3] if len(args) > 3 and isinstance(args[3], str) else ""
        return args[1], reason, _shorten(detail)
    return None, "", _shorten(" ".join(str(a) for a in args))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _ERROR_TEXT_LIMIT else text[: _ERROR_TEXT_LIMIT - 1] + "…"


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(content: str) -> str:
    """A status's HTML content as plain text: <br> a newline, paragraphs a blank line."""
    parser = _TextExtractor()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()
