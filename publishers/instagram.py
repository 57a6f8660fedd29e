"""The Instagram adapter: instagrapi (Instagram's private mobile API) with a saved session.

Session. instagrapi's settings (device ids, cookies, the ``Authorization`` token) live in
``DATA_DIR/instagram-session.json``, mode 0600, written atomically after every use. Each use
follows instagrapi's recommended pattern: load the saved settings, then
``Client.login(username, password)``, which checks the session with one
``GET accounts/current_user/`` and logs in with the password only when Instagram rejects
it (``login_required``), or when there is no session yet. A session saved for another
username is ignored. ``auria login instagram`` (``login_interactive``) does the one-time
login by hand: two-factor codes and e-mail/SMS challenge codes are asked on the terminal.
The daemon never waits for a person: a challenge there is a ``NeedsHumanError``.

Device. A fresh session gets device ids derived from the username (stable across lost
session files, so Instagram keeps seeing one phone) and instagrapi's default device and
app profile (a fixed user agent).

Transport. instagrapi 3.x sends private-API calls through an HTTP/2-only curl adapter by
default (``private_transport="curl"``, needs curl_cffi); that is what this adapter uses,
falling back to plain requests (with a warning) when curl_cffi is missing. Tests build the
client with ``build_client(private_transport="requests", request_timeout=0)`` so that
``responses`` sees every call. instagrapi's own HTTP retries are off (``session_retry_total=0``,
as the curl transport has none anyway): a replayed ``media/configure`` could post twice,
and retrying is the daemon's job. Every request gets a (10 s, 60 s) timeout.

Publishing. The JPEG must be 320..1080 px wide with an aspect ratio from 4:5 to 1.91:1, the
caption at most 2,200 characters with at most 30 hashtags; otherwise ``PermanentError``
before any network call. Then, unless the post is already there (below), ``photo_upload(path,
caption, extra_data=
{"custom_accessibility_caption": alt})``: ``POST /rupload_igphoto/NAME`` (the bytes), then
``POST /api/v1/media/configure/`` (signed body with the caption and the alt text). Note that
instagrapi re-encodes the JPEG before the upload (Pillow's default quality).

Errors (instagrapi exception -> taxonomy); a ``login_required`` after login triggers one
password login and one retry of the call first:

- two-factor, challenge/checkpoint, captcha, suspended account, bad password or username,
  blocked IP (sentry block), ``login_required`` again after that one new login, 401,
  "needs upgrade" -> ``NeedsHumanError`` (a person runs ``auria login instagram`` or
  opens the Instagram app);
- "Please wait a few minutes" -> ``RetryableError(retry_after=600)``;
- ``feedback_required`` (action blocked, "try again later") -> ``RetryableError(3600)``;
- 429 / ``rate_limit_error`` -> ``RetryableError`` after the ``Retry-After`` header or 900 s;
- timeouts, dropped connections, 5xx, unreadable bodies -> ``RetryableError`` (no delay
  given: the daemon's backoff);
- an answer instagrapi cannot read (pydantic validation, a missing key) -> ``RetryableError``;
- other 4xx and refusals while posting (bad image, caption refused) -> ``PermanentError``;
  while logging in, any other refusal -> ``NeedsHumanError``.

A ``RetryableError`` from ``publish`` may come after Instagram accepted the post (a timeout
on ``media/configure``), and Instagram has no duplicate check: so ``publish`` first looks
for the haiku among the account's 12 latest posts (``find_existing``, one
``GET feed/user/ID/``) and returns the post found instead of posting it again.
Messages never carry the password, session ids, cookies or the ``Authorization`` token.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import re
import uuid
from pathlib import Path
from typing import Callable

from core.errors import AuriaError
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
from publishers.platforms.instagram import PLATFORM
from publishers.settings import Settings

log = logging.getLogger("auria.publish.instagram")

SESSION_FILE = "instagram-session.json"
SECRETS = PLATFORM.secrets
CAPTION_LIMIT = PLATFORM.caption_limit
HASHTAG_LIMIT = PLATFORM.max_hashtags
MIN_WIDTH, MAX_WIDTH = 320, 1080
MIN_ASPECT, MAX_ASPECT = 4 / 5, 1.91  # width / height
ASPECT_TOLERANCE = 0.005  # 1.91:1 is rounded; instagrapi's own bound is 90/47 = 1.915
HTTP_TIMEOUT = (10, 60)  # connect, read (seconds) for every request instagrapi makes
RECENT_POSTS = 12
# Retry delays (seconds) where Instagram says "later" without saying when.
PLEASE_WAIT_RETRY = 600  # "Please wait a few minutes before you try again."
RATE_LIMIT_RETRY = 900  # 429 / rate_limit_error without a Retry-After header
FEEDBACK_RETRY = 3600  # feedback_required: an action block, usually lifted within hours
_ACCOUNT_KEY = "auria_account"  # in the session file: a hash of the username it belongs to
# Settings that are this program's policy, not the session's: never taken from the file.
_POLICY_KEYS = ("request_timeout", "session_retry_total", "session_retry_backoff_factor",
                "session_retry_statuses", "private_transport", "public_transport",
                "public_transport_impersonate", "tls_verify")
_HASHTAG = re.compile(r"(?<![\w#])#\w+")


def _extra_data(alt: str) -> dict:
    """photo_upload's extra_data: the alt text, when there is one."""
    return {"custom_accessibility_caption": alt} if alt else {}


def build_client(private_transport: str | None = None, request_timeout: float = 1.0, **options):
    """A new instagrapi Client as this adapter uses it (see the module docstring).

    ``private_transport=None`` is instagrapi's default ("curl") when curl_cffi is usable,
    else "requests"; tests pass "requests" (and ``request_timeout=0``: instagrapi sleeps
    that long before every call after login).
    """
    from instagrapi import Client

    options = {"delay_range": None, "request_timeout": request_timeout, "session_retry_total": 0,
               "with_challenge_flow": False, "logger": _client_logger(), **options}
    if private_transport is None:
        try:
            client = Client(private_transport="curl", **options)
        except RuntimeError as error:  # curl_cffi missing or libcurl too old
            log.warning("instagram: the curl transport is unavailable (%s); using requests", error)
            client = Client(private_transport="requests", **options)
    else:
        client = Client(private_transport=private_transport, **options)
    for session in (client.private, client.public):
        _default_timeout(session, HTTP_TIMEOUT)
    return client


class InstagramPublisher(Publisher):
    platform = PLATFORM
    name = PLATFORM.name

    def __init__(self, config: Settings, *, client_factory: Callable[[], object] | None = None):
        self.config = config
        self._client_factory = client_factory or build_client
        self._client = None
        self._username = ""

    @property
    def session_path(self) -> Path:
        return Path(self.config.data_dir) / SESSION_FILE

    # -- the interface ------------------------------------------------------------------

    def validate(self) -> None:
        self._credentials()

    def check(self) -> str:
        account = self._call("account check", lambda client: client.account_info())
        return f"@{account.username}"

    def publish(self, post: Post) -> PublishResult:
        _check_image(post.image_path)
        _check_caption(post.caption)
        # A retry after a timeout or a dropped connection on media/configure may follow a post
        # that went out: Instagram has no duplicate check, so look first (one GET).
        existing = self.find_existing(post)
        if existing is not None:
            log.info("instagram: work %s is already posted (%s); not posting it again", post.work_id, existing.url)
            return existing
        extra = _extra_data(post.alt_text)
        media = self._call("photo upload", lambda client: client.photo_upload(
            Path(post.image_path), post.caption, extra_data=extra))
        if not getattr(media, "code", None):
            raise RetryableError("Instagram photo upload: the response names no post; "
                                 "it may be posted: look for it before posting again")
        return PublishResult(remote_id=str(media.pk or media.id), url=_post_url(media.code))

    @classmethod
    def plan_requests(cls, text: str, alt: str, image_name: str, publish: dict) -> dict:
        return {"1_photo_upload": {"call": "instagrapi.Client.photo_upload", "path": image_name, "caption": text,
                                   "extra_data": _extra_data(alt)}}

    def find_existing(self, post: Post) -> PublishResult | None:
        def recent(client):
            # Not user_medias(): instagrapi answers [] when that call fails, which would
            # read as "not posted" and post twice.
            return client.private_request(f"feed/user/{client.user_id}/", params={
                "count": RECENT_POSTS, "rank_token": client.rank_token, "ranked_content": "true"})

        feed = self._call("recent posts", recent)
        items = feed.get("items") if isinstance(feed, dict) else None
        if not isinstance(items, list):
            raise RetryableError("Instagram recent posts: the response has no list of posts")
        for item in items[:RECENT_POSTS]:
            text = ((item.get("caption") or {}).get("text") or "") if isinstance(item, dict) else ""
            if _same_post(text, post) and item.get("code"):
                return PublishResult(remote_id=str(item.get("pk") or item.get("id")), url=_post_url(item["code"]))
        return None

    # -- the one-time interactive login -------------------------------------------------

    def login_interactive(self, ask: Callable[[str], str] = input,
                          ask_secret: Callable[[str], str] = getpass.getpass,
                          out: Callable[[str], None] = print) -> str:
        """Log in by hand (password, two-factor code, challenge code); save the session.

        Returns the account's username."""
        username = get_secret("instagram_username")
        password = get_secret("instagram_password")
        if not username:
            username = ask("Instagram username: ").strip().lstrip("@")
        if not password:
            password = ask_secret("Instagram password: ")
            out("Note: the daemon also needs AURIA_INSTAGRAM_PASSWORD (or $CREDENTIALS_DIRECTORY/"
                "instagram_password) to log in again when Instagram ends the session.")
        if not username or not password:
            raise NotConfiguredError("instagram: a username and a password are needed to log in")
        self._username = username
        client = self._new_client()
        client.with_challenge_flow = True

        def challenge_code(_username, choice=None) -> str:
            where = getattr(choice, "name", None) or str(choice or "e-mail or SMS")
            return ask(f"Instagram sent a security code ({where.lower()}); enter it: ").strip()

        def new_password(_username) -> str:
            raise NeedsHumanError("Instagram asks for a new password: change it in the Instagram app, "
                                  "update AURIA_INSTAGRAM_PASSWORD, then run `auria login instagram` again")

        client.challenge_code_handler = challenge_code
        client.change_password_handler = new_password
        reused = self._restore_session(client, username)
        code = ""
        try:
            for attempt in range(3):
                try:
                    client.login(username, password, verification_code=code)
                    break
                except _ig().TwoFactorRequired:
                    if attempt == 2:
                        raise
                    code = ask("Instagram asks for a two-factor code (authenticator app or SMS): ").strip()
                    if not code:
                        raise NeedsHumanError("Instagram login: no two-factor code given") from None
            account = client.account_info()
        except Exception as error:  # noqa: BLE001 - mapped, or re-raised when not Instagram's
            raise self._mapped(error, "login", client, logging_in=True) from None
        self._client = client
        self._save_session(client)
        how = "the saved session is still valid" if reused and not code else "logged in"
        out(f"Instagram: @{account.username} ({how}); session saved in {self.session_path} (mode 0600)")
        return account.username

    # -- the session --------------------------------------------------------------------

    def _credentials(self) -> tuple[str, str]:
        values = {name: get_secret(name) for name in SECRETS}
        missing = [name for name, value in values.items() if not value]
        if missing:
            where = ", ".join(f"AURIA_{name.upper()}" for name in missing)
            files = ", ".join(f"$CREDENTIALS_DIRECTORY/{name}" for name in missing)
            raise NotConfiguredError(f"instagram: publishing to Instagram needs its login; not set: {where} "
                                     f"(environment variables, or the files {files})")
        return values["instagram_username"], values["instagram_password"]

    def _new_client(self):
        return self._client_factory()

    def _logged_in(self):
        """The client, logged in: the saved session when Instagram accepts it, else the password."""
        if self._client is not None:
            return self._client
        username, password = self._credentials()
        self._username = username
        client = self._new_client()
        reused = self._restore_session(client, username)
        before = client.last_login
        try:
            client.login(username, password)
        except Exception as error:  # noqa: BLE001
            raise self._mapped(error, "login", client, logging_in=True) from None
        if not reused:
            log.info("instagram: logged in with the password (no saved session)")
        elif client.last_login != before:
            log.info("instagram: the saved session was rejected; logged in with the password")
        else:
            log.debug("instagram: reusing the saved session")
        self._client = client
        self._save_session(client)
        return client

    def _call(self, what: str, call):
        """``call(client)`` on the logged-in client; after a ``login_required``, one new
        login and one more try. Saves the session (it may have been refreshed)."""
        client = self._logged_in()
        try:
            return self._call_once(what, call, client)
        except _ig().LoginRequired:
            log.warning("instagram: %s: Instagram ended the session; logging in again", what)
        try:
            client.relogin()
        except Exception as error:  # noqa: BLE001
            raise self._mapped(error, "login", client, logging_in=True) from None
        self._save_session(client)
        try:
            return self._call_once(what, call, client)
        except _ig().LoginRequired as error:
            raise self._mapped(error, what, client) from None

    def _call_once(self, what: str, call, client):
        """``call(client)``; errors mapped, except ``LoginRequired`` (the caller logs in again)."""
        try:
            result = call(client)
        except _ig().LoginRequired:
            raise
        except Exception as error:  # noqa: BLE001
            raise self._mapped(error, what, client) from None
        self._save_session(client)
        return result

    def _restore_session(self, client, username: str) -> bool:
        """Load the saved session into `client`; False (and fresh device ids) when there is none."""
        path = self.session_path
        settings = None
        try:
            settings = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(settings, dict):
                raise ValueError("not a JSON object")
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError, ValueError) as error:
            log.warning("instagram: ignoring the unreadable session file %s (%s); logging in with the password",
                        path, type(error).__name__)
            settings = None
        if settings is not None and settings.get(_ACCOUNT_KEY) != _account_tag(username):
            log.warning("instagram: the saved session in %s is for another account; logging in with the password",
                        path)
            settings = None
        if settings is None:
            client.set_uuids(_device_ids(username))
            return False
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass
        for key in (_ACCOUNT_KEY, *_POLICY_KEYS):
            settings.pop(key, None)
        try:
            client.set_settings(settings)
        except Exception as error:  # noqa: BLE001 - a malformed file: start over
            log.warning("instagram: ignoring the session file %s (%s); logging in with the password",
                        path, type(error).__name__)
            client.set_settings({})
            client.set_uuids(_device_ids(username))
            return False
        return True

    def _save_session(self, client) -> None:
        """instagrapi's settings (``get_settings``, what ``dump_settings`` writes), 0600, atomically."""
        settings = client.get_settings()
        settings[_ACCOUNT_KEY] = _account_tag(self._username)
        write_private(self.session_path, json.dumps(settings, indent=2))

    # -- errors -------------------------------------------------------------------------

    def _mapped(self, error: BaseException, what: str, client=None, logging_in: bool = False) -> BaseException:
        """The taxonomy's error for an instagrapi/requests error; other errors come back as they are."""
        if isinstance(error, (PublishError, AuriaError)):
            return error
        mapped = _classify(error, f"Instagram {what}", logging_in)
        if mapped is None:
            return error
        # The password and the session; the username may stay (the log filter hides it from logs).
        secrets = _session_values(client) + [v for v in [_password()] if v]
        text = redact(str(mapped), sorted(set(secrets), key=len, reverse=True))
        mapped.args = (text,)
        return mapped


def login_interactive(config: Settings, ask: Callable[[str], str] = input,
                      ask_secret: Callable[[str], str] = getpass.getpass, *,
                      client_factory: Callable[[], object] | None = None,
                      out: Callable[[str], None] = print) -> str:
    """``auria login instagram``: the one-time login by hand; returns the username."""
    return InstagramPublisher(config, client_factory=client_factory).login_interactive(ask, ask_secret, out)


def cmd_login_instagram(args, config: Settings) -> int:
    """The CLI command: 0 when logged in; a failure is an AuriaError (one line, exit 2)."""
    try:
        login_interactive(config)
    except PublishError as error:
        raise AuriaError(str(error)) from None
    except EOFError:
        raise AuriaError("instagram: login needs a terminal to read the password and codes from") from None
    return 0


# -- helpers ------------------------------------------------------------------------------

def _ig():
    from instagrapi import exceptions

    return exceptions


def _classify(error: BaseException, what: str, logging_in: bool) -> PublishError | None:
    import requests

    ig = _ig()
    again = "run `auria login instagram`"
    if isinstance(error, ig.TwoFactorRequired):
        return NeedsHumanError(f"{what}: Instagram asks for a two-factor code: {again}")
    if isinstance(error, (ig.ChallengeError, ig.CaptchaChallengeRequired)):
        return NeedsHumanError(f"{what}: Instagram wants to verify the account (challenge): approve it in the "
                               f"Instagram app, then {again}")
    if isinstance(error, ig.AccountSuspended):
        return NeedsHumanError(f"{what}: Instagram has suspended the account: see the Instagram app")
    if isinstance(error, (ig.BadPassword, ig.BadCredentials)):
        return NeedsHumanError(f"{what}: Instagram rejected the username or password (AURIA_INSTAGRAM_USERNAME, "
                               "AURIA_INSTAGRAM_PASSWORD); it says the same when it distrusts this IP address")
    if isinstance(error, ig.ProxyAddressIsBlocked):
        return NeedsHumanError(f"{what}: Instagram says the username belongs to no account, or it blocks "
                               "this IP address")
    if isinstance(error, ig.SentryBlock):
        return NeedsHumanError(f"{what}: Instagram blocks logins from this device or IP address (sentry_block)")
    if isinstance(error, (ig.LoginRequired, ig.ReloginAttemptExceeded, ig.ClientLoginRequired)):
        return NeedsHumanError(f"{what}: Instagram rejected the session even after a new login: {again}")
    if isinstance(error, ig.ClientUnauthorizedError):
        return NeedsHumanError(f"{what}: HTTP 401 (session not accepted): {again}")
    if isinstance(error, ig.ClientNeedsUpgradeError):
        return NeedsHumanError(f"{what}: Instagram wants a newer app version: upgrade instagrapi")
    if isinstance(error, ig.UserNotFound):
        return NeedsHumanError(f"{what}: Instagram does not find the account")
    if isinstance(error, ig.PleaseWaitFewMinutes):
        return RetryableError(f"{what}: Instagram says to wait a few minutes", PLEASE_WAIT_RETRY)
    if isinstance(error, ig.FeedbackRequired):
        title = _short(getattr(error, "feedback_title", "") or "action blocked")
        detail = _short(getattr(error, "feedback_message", "") or "")
        return RetryableError(f"{what}: feedback_required: {title}" + (f": {detail}" if detail else ""),
                              FEEDBACK_RETRY)
    if isinstance(error, (ig.RateLimitError, ig.ClientThrottledError)):
        wait = _retry_after(getattr(error, "response", None)) or RATE_LIMIT_RETRY
        return RetryableError(f"{what}: rate limited (HTTP 429); retry in {wait:.0f} s", wait)
    if isinstance(error, (requests.Timeout, ig.ClientRequestTimeout)):
        return RetryableError(f"{what}: timed out ({type(error).__name__})")
    if isinstance(error, (ig.ClientConnectionError, ig.ClientIncompleteReadError, requests.RequestException)):
        return RetryableError(f"{what}: network error ({type(error).__name__}: {_short(str(error))})")
    if isinstance(error, ig.PhotoConfigureError) and (_status(error) or 200) < 400:
        return RetryableError(f"{what}: Instagram took the photo but returned no post; it may be posted "
                              "(the next try looks for it first)")
    if isinstance(error, ig.ClientJSONDecodeError):
        return RetryableError(f"{what}: the response is not the JSON expected")
    if isinstance(error, ig.ClientError):
        status = _status(error)
        reason = _short(getattr(error, "message", "") or str(error))
        message = f"{what}: " + (f"HTTP {status}: " if status else "") + f"{type(error).__name__}: {reason}"
        if status is not None and status >= 500:
            return RetryableError(message)
        if logging_in:
            return NeedsHumanError(f"{message}; {again}")
        if status in (401, 403):  # the account is refused (a checkpoint, a block): a human's matter
            return NeedsHumanError(f"{message}; {again}")
        return PermanentError(message)
    if type(error).__module__.startswith("pydantic") or isinstance(error, KeyError):
        # instagrapi could not read an answer (a changed response shape): the call may have
        # worked, so not permanent; the next publish looks for the post first.
        return RetryableError(f"{what}: the response is not what instagrapi expects "
                              f"({type(error).__name__}: {_short(str(error), 120)})")
    if isinstance(error, (ValueError, AssertionError)) and not logging_in:
        return PermanentError(f"{what}: {type(error).__name__}: {_short(str(error))}")
    return None


def _password() -> str | None:
    try:
        return get_secret("instagram_password")
    except AuriaError:
        return None


def _status(error) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(error, "code", None)
    return status if isinstance(status, int) else None


def _retry_after(response) -> float | None:
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    try:
        return max(float(value), 1.0) if value else None
    except (TypeError, ValueError):
        return None


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _session_values(client) -> list[str]:
    """The session's secret values (cookies, the Authorization token and its parts)."""
    if client is None:
        return []
    values = []
    try:
        values += [v for v in client.private.cookies.get_dict().values() if isinstance(v, str)]
        values += [str(v) for v in (client.authorization_data or {}).values() if isinstance(v, (str, int))]
        if client.authorization:
            values.append(client.authorization)
    except Exception:  # noqa: BLE001 - best effort; never the reason an error is lost
        pass
    return [v for v in values if len(v) >= 8]


def _client_logger() -> logging.Logger:
    """instagrapi's logger for our clients: its DEBUG records carry whole responses (with the
    session token after a login), so they are dropped."""
    logger = logging.getLogger("auria.publish.instagram.instagrapi")
    if not any(isinstance(f, _DropDebug) for f in logger.filters):
        logger.addFilter(_DropDebug())
    return logger


class _DropDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def _default_timeout(session, timeout) -> None:
    """Give every request of a requests.Session a timeout (instagrapi passes none)."""
    request = session.request

    def request_with_timeout(method, url, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = timeout
        return request(method, url, **kwargs)

    session.request = request_with_timeout


def _account_tag(username: str) -> str:
    return hashlib.sha256(f"auria-instagram:{username.strip().lower()}".encode()).hexdigest()[:16]


def _device_ids(username: str) -> dict[str, str]:
    """Device ids instagrapi would make at random, derived from the username instead."""
    seed = f"auria-instagram-device:{username.strip().lower()}"

    def one(kind: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}:{kind}"))

    return {
        "phone_id": one("phone_id"),
        "uuid": one("uuid"),
        "client_session_id": one("client_session_id"),
        "advertising_id": one("advertising_id"),
        "android_device_id": "android-" + hashlib.sha256(seed.encode()).hexdigest()[:16],
        "request_id": one("request_id"),
        "tray_session_id": one("tray_session_id"),
    }


def _check_image(path) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            kind, (width, height) = image.format, image.size
    except FileNotFoundError:
        raise PermanentError(f"Instagram: the image {path} does not exist") from None
    except (OSError, UnidentifiedImageError) as error:
        raise PermanentError(f"Instagram: cannot read the image {path}: {type(error).__name__}") from None
    if kind != "JPEG":
        raise PermanentError(f"Instagram: the image {path} is {kind or 'not an image'}, not a JPEG")
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise PermanentError(f"Instagram: the image is {width}x{height} px; Instagram takes "
                             f"{MIN_WIDTH} to {MAX_WIDTH} px wide (Auria's are 1080x1350)")
    ratio = width / height
    if not MIN_ASPECT - ASPECT_TOLERANCE <= ratio <= MAX_ASPECT + ASPECT_TOLERANCE:
        raise PermanentError(f"Instagram: the image is {width}x{height} px (aspect {ratio:.3f}); Instagram "
                             f"takes 4:5 (0.8) to 1.91:1 and would crop it (Auria's are 1080x1350)")


def _check_caption(text: str) -> None:
    if len(text) > CAPTION_LIMIT:
        raise PermanentError(f"Instagram: the caption has {len(text)} characters; the limit is {CAPTION_LIMIT}")
    tags = len(_HASHTAG.findall(text))
    if tags > HASHTAG_LIMIT:
        raise PermanentError(f"Instagram: the caption has {tags} hashtags; the limit is {HASHTAG_LIMIT}")


def _post_url(code: str) -> str:
    return f"https://www.instagram.com/p/{code}/"


def _normal(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _same_post(text: str, post: Post) -> bool:
    """A caption is this post's when it is the caption sent, or starts with the haiku's lines."""
    if not text:
        return False
    got = _normal(text)
    if got == _normal(post.caption):
        return True
    haiku = _normal("\n".join(post.lines))
    return bool(haiku) and got[: len(haiku)] == haiku
