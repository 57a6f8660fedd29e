"""The Bluesky adapter: log in (reusing the saved session), upload the picture, create the post.

The calls, in order, through atproto's ``Client`` (httpx) at ``https://bsky.social/xrpc``,
or at the account's PDS once a session names it:

1. Only without a usable saved session: ``POST com.atproto.server.createSession``
   ``{"identifier": handle, "password": app password}``. The session (handle, DID, access
   and refresh JWTs, PDS) is written to ``DATA_DIR/bluesky-session.txt`` with mode 0600 and
   reused by later runs: createSession is rate limited per account (30 per 5 minutes, 300 a
   day). atproto refreshes the access JWT itself (``com.atproto.server.refreshSession``)
   when it is within 15 minutes of expiring; the refreshed session is saved too. When the
   saved session is rejected (401, ``ExpiredToken``, ``InvalidToken``, an unreadable JWT),
   the adapter logs in with the password once and repeats the call.
2. ``POST com.atproto.repo.uploadBlob``, the JPEG as the body, ``Content-Type: image/jpeg``.
   Bluesky refuses images over 1,000,000 bytes: a larger file is re-encoded in memory at
   lower JPEG quality (and scaled down if that is not enough); the log says so.
3. ``POST com.atproto.repo.createRecord`` ``{"repo": DID, "collection": "app.bsky.feed.post",
   "record": {"$type": "app.bsky.feed.post", "text", "createdAt", "langs", "facets"
   (the hashtags, so they are links), "embed": {"$type": "app.bsky.embed.images", "images":
   [{"alt", "image": blob, "aspectRatio": {"width", "height"}}]}}}`` -> ``uri``, ``cid``; the
   post's page is ``https://bsky.app/profile/HANDLE/post/RKEY``.

Errors: 429 -> retry at ``ratelimit-reset`` (or ``retry-after``); 5xx, 409, timeouts, dropped
connections -> retry; 401/403 after one password login, ``AuthenticationRequired`` (wrong
handle or app password), ``AccountTakedown``/suspension/deactivation, ``AuthFactorTokenRequired``
-> a human; other 4xx (400 ``InvalidRequest``, 413 too large) -> permanent. Messages name the
call, the status and Bluesky's error name and message, never the password or a JWT.
"""
from __future__ import annotations

import io
import logging
import re
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from atproto import Client, models
from atproto_client.client.session import Session, SessionEvent
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    LoginRequiredError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.models.utils import get_response_model
from atproto_client.request import Request
from atproto_client.utils.facet_detection import detect_facets
from atproto_core.exceptions import AtProtocolError
from atproto_core.uri import AtUri
from atproto_server.exceptions import InvalidTokenError
from PIL import Image

from core.secrets import get_secret, redact, write_private
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
from publishers.captions import LIMITS, graphemes
from publishers.platforms.bluesky import PLATFORM
from publishers.settings import Settings

log = logging.getLogger("auria.publish.bluesky")

SESSION_FILE = "bluesky-session.txt"
XRPC = "https://bsky.social/xrpc"  # atproto's Client's default service
UPLOAD_BLOB = "com.atproto.repo.uploadBlob"
POST_COLLECTION = "app.bsky.feed.post"
IMAGE_TYPE = "image/jpeg"
MAX_IMAGE_BYTES = 1_000_000  # app.bsky.embed.images: maxSize of an image blob
RECENT_POSTS = 20
TIMEOUT = httpx.Timeout(60.0, connect=15.0)
LANGS = ["en"]
# Bluesky error names a person must act on, whatever the status.
_HUMAN_ERRORS = {"AccountTakedown", "AccountSuspended", "AccountDeactivated", "AuthFactorTokenRequired",
                 "AuthenticationRequired"}
# The saved session is no good: log in with the password and repeat the call.
_SESSION_ERRORS = {"ExpiredToken", "InvalidToken"}
_RETRY_STATUSES = {408, 409, 425}
_ERROR_TEXT_LIMIT = 300


class BlueskyPublisher(Publisher):
    platform = PLATFORM
    name = PLATFORM.name

    def __init__(self, config: Settings, *, transport: httpx.BaseTransport | None = None):
        """``transport`` replaces the httpx transport under atproto's client (tests pass an
        ``httpx.MockTransport``); everything above it is atproto's own request code."""
        self.config = config
        self._transport = transport
        self._secrets: list[str] = []  # password and JWTs seen by this instance, for redaction
        self._password_used = False  # whether the current client's session came from the password
        self._session: Session | None = None  # the current client's session, as atproto reports it

    @property
    def session_path(self) -> Path:
        return self.config.data_dir / SESSION_FILE

    # -- configuration -------------------------------------------------------------------

    def validate(self) -> None:
        missing = []
        if not self._handle():
            where = f" ({self.config.source})" if self.config.source else ""
            missing.append(f'publish.bluesky_handle in the config file{where}, e.g. "auria.bsky.social"')
        if not get_secret("bluesky_app_password"):
            missing.append("the app password: set AURIA_BLUESKY_APP_PASSWORD or the file "
                           "$CREDENTIALS_DIRECTORY/bluesky_app_password (Settings > Privacy and security > "
                           "App passwords; not the account password)")
        if missing:
            raise NotConfiguredError("bluesky: missing " + "; and ".join(missing))

    def _handle(self) -> str:
        return self.config.publish.bluesky_handle.strip().lstrip("@")

    # -- the interface -------------------------------------------------------------------

    def check(self) -> str:
        with self._connected() as client:
            session = self._call(client, "get session", lambda: client.com.atproto.server.get_session())
        return f"@{session.handle}"

    def publish(self, post: Post) -> PublishResult:
        limit = LIMITS["bluesky"]
        if graphemes(post.caption) > limit:
            raise PermanentError(f"bluesky: the caption is {graphemes(post.caption)} graphemes, over Bluesky's {limit}")
        data, width, height = prepare_image(post.image_path)
        with self._connected() as client:
            # atproto's upload_blob hands the bytes to httpx as `data=`, which httpx deprecates
            # for raw bodies; the same XRPC call with `content=` and the image's own type:
            upload = self._call(client, "image upload", lambda: get_response_model(
                client.invoke_procedure(UPLOAD_BLOB, content=data, headers={"Content-Type": IMAGE_TYPE}),
                models.ComAtprotoRepoUploadBlob.Response))
            image = models.AppBskyEmbedImages.Image(
                alt=post.alt_text, image=upload.blob,
                aspect_ratio=models.AppBskyEmbedDefs.AspectRatio(width=width, height=height))
            record = models.AppBskyFeedPost.Record(
                text=post.caption,
                created_at=client.get_current_time_iso(),
                langs=LANGS,
                facets=detect_facets(post.caption) or None,  # hashtags and links, found without a request
                embed=models.AppBskyEmbedImages.Main(images=[image]),
            )
            # The record key is the post's stored key: a retried create of the same post names
            # the same record, which the repository holds only once. A create refused because
            # the record is there already (the first try's answer was lost) is that post.
            try:
                uri = self._call(client, "create post", lambda: client.app.bsky.feed.post.create(
                    self._session.did, record, rkey=post.key or None)).uri
            except PermanentError:
                uri = self._existing_record(client, post.key)
                if uri is None:
                    raise
        result = PublishResult(remote_id=uri, url=post_url(self._session.handle or self._handle(), uri))
        log.info("bluesky: work %d posted as %s", post.work_id, result.url)
        return result

    @classmethod
    def plan_requests(cls, text: str, alt: str, image_name: str, publish: dict) -> dict:
        return {
            "1_upload_blob": {"method": "POST", "url": f"{XRPC}/{UPLOAD_BLOB}", "body": image_name,
                              "content_type": IMAGE_TYPE},
            "2_create_record": {"method": "POST", "url": f"{XRPC}/com.atproto.repo.createRecord",
                                "json": {"collection": POST_COLLECTION, "record": {
                                    "$type": POST_COLLECTION, "text": text,
                                    "embed": {"$type": "app.bsky.embed.images",
                                              "images": [{"alt": alt, "image": "<blob from step 1>"}]}}}},
        }

    def _existing_record(self, client: Client, key: str) -> str | None:
        """The URI of this account's post with record key ``key``, if it exists."""
        if not key:
            return None
        try:
            found = self._call(client, "get post", lambda: client.app.bsky.feed.post.get(self._session.did, key))
        except PublishError:
            return None
        return found.uri

    def find_existing(self, post: Post) -> PublishResult | None:
        with self._connected() as client:
            did = self._session.did
            feed = self._call(client, "recent posts", lambda: client.get_author_feed(did, limit=RECENT_POSTS))
        wanted = _normalize("\n".join(post.lines))
        for item in feed.feed:
            if item.reason is not None or item.post.author.did != did:
                continue  # a repost, or someone else's post
            record = item.post.record
            text = record.get("text") if isinstance(record, dict) else getattr(record, "text", "")
            if wanted and wanted in _normalize(text or ""):
                return PublishResult(remote_id=item.post.uri, url=post_url(item.post.author.handle, item.post.uri))
        return None

    # -- session -------------------------------------------------------------------------

    @contextmanager
    def _connected(self):
        """A client with a session: the saved one when there is one for this handle (no
        request), else a password login. Its connections are closed afterwards."""
        try:
            self.validate()
        except NotConfiguredError as error:
            raise NeedsHumanError(str(error)) from None
        self._remember(get_secret("bluesky_app_password"))
        kwargs = {"timeout": TIMEOUT}
        if self._transport is not None:
            kwargs["transport"] = self._transport
        client = Client(request=Request(**kwargs))
        client.on_session_change(self._on_session_change)
        self._password_used = False
        self._session = None
        try:
            saved = self._load_session()
            if saved is not None:
                self._remember(saved.access_jwt, saved.refresh_jwt)
                client.login(session_string=saved.encode(), fetch_bsky_profile=False)  # no request
                log.debug("bluesky: reusing the saved session for @%s", saved.handle)
            else:
                self._password_login(client)
            yield client
        finally:
            client.request.close()

    def _password_login(self, client: Client) -> None:
        handle, password = self._handle(), get_secret("bluesky_app_password")
        try:
            client.login(handle, password, fetch_bsky_profile=False)
        except (AtProtocolError, httpx.HTTPError) as error:
            mapped = self._map(error, "login")
            if isinstance(mapped, NeedsHumanError):
                raise NeedsHumanError(f"{mapped} (check publish.bluesky_handle and AURIA_BLUESKY_APP_PASSWORD)") from None
            raise mapped from None
        self._password_used = True
        log.info("bluesky: logged in as @%s with the app password", self._session.handle)

    def _load_session(self) -> Session | None:
        try:
            text = self.session_path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            log.warning("bluesky: cannot read the saved session %s (%s); logging in with the password",
                        self.session_path, type(error).__name__)
            return None
        try:
            session = Session.decode(text)
        except ValueError:
            log.warning("bluesky: the saved session %s is unreadable; logging in with the password", self.session_path)
            return None
        if session.handle.lower() != self._handle().lower():
            log.info("bluesky: the saved session is for another handle; logging in with the password")
            return None
        return session

    def _on_session_change(self, event: SessionEvent, session: Session) -> None:
        """atproto's callback on every import, login and refresh: keep the session, and write
        it (mode 0600, replacing the file atomically) after a login or refresh."""
        self._session = session
        self._remember(session.access_jwt, session.refresh_jwt)
        if event not in (SessionEvent.CREATE, SessionEvent.REFRESH):
            return
        path = self.session_path
        try:
            write_private(path, session.encode() + "\n")
        except OSError as error:
            log.warning("bluesky: cannot save the session to %s (%s); the next run logs in with the password",
                        path, error.strerror)

    def _forget_session(self) -> None:
        try:
            self.session_path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            log.warning("bluesky: cannot remove the rejected session %s (%s)", self.session_path, error.strerror)

    # -- calls and errors ----------------------------------------------------------------

    def _call(self, client: Client, action: str, fn):
        """fn(), with one password login and a second try when the saved session is rejected."""
        try:
            return fn()
        except (AtProtocolError, httpx.HTTPError) as error:
            if self._password_used or not _session_rejected(error):
                raise self._map(error, action) from None
            log.info("bluesky: the saved session was rejected (%s); logging in with the password",
                     _error_name(error) or type(error).__name__)
        self._forget_session()
        self._password_login(client)
        try:
            return fn()
        except (AtProtocolError, httpx.HTTPError) as error:
            raise self._map(error, action) from None

    def _map(self, error: Exception, action: str) -> PublishError:
        return map_error(error, action, self._secrets)

    def _remember(self, *values: str | None) -> None:
        for value in values:
            if value and value not in self._secrets:
                self._secrets.append(value)
        self._secrets.sort(key=len, reverse=True)


def map_error(error: Exception, action: str, secrets: list[str] = ()) -> PublishError:
    """The taxonomy class for an atproto (or raw httpx) exception; ``secrets`` are redacted."""
    mapped = _classify(error, action)
    mapped.args = (redact(str(mapped), list(secrets)),)
    return mapped


def _classify(error: Exception, action: str) -> PublishError:
    response = getattr(error, "response", None)
    status = response.status_code if response is not None else None
    name = _error_name(error)
    message = f"bluesky: {action} failed"
    if status is not None:
        message += f": HTTP {status}"
    detail = _error_detail(error)
    if detail:
        message += f": {detail}"

    if isinstance(error, RateLimitExceededError):
        retry_after = error.retry_after
        if retry_after is None and error.reset_at is not None:
            retry_after = max(0.0, error.reset_at.timestamp() - time.time())
        return RetryableError(message, retry_after=retry_after)
    if isinstance(error, InvokeTimeoutError):
        return RetryableError(f"bluesky: {action} failed: timed out")
    if name in _HUMAN_ERRORS:
        return NeedsHumanError(message)
    if isinstance(error, NetworkError):  # transport failures, and 409/413/502 answers
        if status == 413:
            return PermanentError(message + " (too large)")
        if status is None:
            cause = error.__cause__
            reason = f"{type(cause).__name__}: {cause}" if cause is not None else "network error"
            return RetryableError(f"bluesky: {action} failed: {_shorten(reason)}")
        return RetryableError(message)
    if isinstance(error, httpx.TimeoutException):
        return RetryableError(f"bluesky: {action} failed: timed out")
    if isinstance(error, httpx.HTTPError):  # what atproto passes through unwrapped (protocol errors)
        return RetryableError(f"bluesky: {action} failed: {_shorten(f'{type(error).__name__}: {error}')}")
    if isinstance(error, UnauthorizedError):  # 401 and 403
        return NeedsHumanError(message)
    if isinstance(error, (InvalidTokenError, LoginRequiredError)):
        return NeedsHumanError(f"bluesky: {action} failed: the session is not usable ({type(error).__name__})")
    if isinstance(error, BadRequestError):
        if name in _SESSION_ERRORS:
            return NeedsHumanError(message)
        return PermanentError(message)
    if isinstance(error, RequestException):
        if status is not None and (status >= 500 or status in _RETRY_STATUSES):
            return RetryableError(message)
        return PermanentError(message)
    if isinstance(error, ModelError):  # a success status with an answer that is not the documented shape
        return RetryableError(f"bluesky: {action} failed: unexpected answer ({type(error).__name__})")
    return PermanentError(f"bluesky: {action} failed: {type(error).__name__}")


def _session_rejected(error: Exception) -> bool:
    """The saved session (not the account) is the problem: a password login may fix it."""
    if isinstance(error, (InvalidTokenError, LoginRequiredError)):
        return True
    if not isinstance(error, RequestErrorBase) or error.response is None:
        return False
    name = _error_name(error)
    if name in _SESSION_ERRORS:
        return True
    return error.response.status_code == 401 and name not in _HUMAN_ERRORS - {"AuthenticationRequired"}


def _error_name(error: Exception) -> str:
    response = getattr(error, "response", None)
    content = getattr(response, "content", None)
    return content.error if isinstance(content, XrpcError) and content.error else ""


def _error_detail(error: Exception) -> str:
    response = getattr(error, "response", None)
    if response is None:
        return ""
    content = response.content
    if isinstance(content, XrpcError):
        text = f"{content.error}: {content.message}" if content.message else content.error
    else:
        text = ""  # a body that is not an XRPC error (an HTML page): the status says enough
    return _shorten(text or "")


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _ERROR_TEXT_LIMIT else text[: _ERROR_TEXT_LIMIT - 1] + "…"


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def post_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{AtUri.from_str(uri).rkey}"


def prepare_image(path: Path, max_bytes: int = MAX_IMAGE_BYTES) -> tuple[bytes, int, int]:
    """(JPEG bytes within max_bytes, width, height): the file as it is when it fits, else
    re-encoded in memory at falling JPEG quality, then scaled down, until it does."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise PermanentError(f"bluesky: cannot read the image {path}: {error.strerror}") from None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGB") if len(data) > max_bytes or opened.format != "JPEG" else None
            size = opened.size
    except (OSError, Image.DecompressionBombError) as error:
        raise PermanentError(f"bluesky: {path} is not a readable image ({type(error).__name__})") from None
    if image is None:
        return data, *size
    for scale in (1.0, 0.85, 0.7, 0.55, 0.4):
        scaled = image if scale == 1.0 else image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.LANCZOS)
        for quality in (90, 85, 80, 75, 70, 60, 50):
            buffer = io.BytesIO()
            scaled.save(buffer, "JPEG", quality=quality, optimize=True)
            if buffer.tell() <= max_bytes:
                reason = f"is {len(data)} bytes, over Bluesky's {max_bytes}" if len(data) > max_bytes else "is not a JPEG"
                log.info("bluesky: %s %s: sent re-encoded as JPEG quality %d at %dx%d, %d bytes",
                         path, reason, quality, scaled.width, scaled.height, buffer.tell())
                return buffer.getvalue(), scaled.width, scaled.height
    raise PermanentError(f"bluesky: {path} cannot be made smaller than {max_bytes} bytes")
