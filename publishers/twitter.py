"""The X (Twitter) adapter: upload the picture, set its alt text, create the post.

The calls, in order, all OAuth 1.0a user context through one requests session:

1. ``POST https://api.x.com/2/media/upload`` multipart ``media`` (the JPEG) and
   ``media_category=tweet_image``: tweepy 4.17 has no v2 media upload and X retired the
   v1.1 upload endpoints, so this one is ours, signed with tweepy's ``OAuth1UserHandler``.
2. ``POST https://api.x.com/2/media/metadata`` ``{"id", "metadata": {"alt_text": {"text"}}}``
   (skipped when the alt text is empty; cut at a word boundary to X's 1,000 characters).
3. ``tweepy.Client.create_tweet(text=caption, media_ids=[id])``. tweepy 4.17 sends its v2
   calls to ``https://api.twitter.com`` (a fixed host in ``BaseClient.request``); X serves
   the same API there, so the tweepy calls go to that host and ours to api.x.com.

The post's URL is ``https://x.com/USERNAME/status/ID`` with the username from
``get_me`` (asked once and cached); when that lookup fails after the post is out, the URL
is ``https://x.com/i/web/status/ID``, which X redirects to the same post: a posted post is
never reported as failed because of its URL.

Errors, for every call: 429 -> retry when the exhausted rate limit resets; 5xx, timeouts,
dropped connections and unreadable success bodies -> retry; 401, 402 and the 403s that mean
the app or account must be fixed (app permissions, enrolment, suspended or locked account)
-> a human; a 403 for duplicate content on create_tweet -> our recent posts are searched
and the one found is the result (it is already posted), else permanent; other 4xx ->
permanent. Messages name the call and the status and carry X's title and detail, never a
header or a credential.
"""
from __future__ import annotations

import html
import logging
import re
import time
import unicodedata

import requests
import tweepy
from requests.adapters import HTTPAdapter

from core.errors import AuriaError
from core.secrets import SecretFilter, get_secret, redact
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
from publishers.platforms.x import PLATFORM
from publishers.settings import Settings

log = logging.getLogger("auria.publish.x")

API = "https://api.x.com/2"
MEDIA_UPLOAD_URL = f"{API}/media/upload"
MEDIA_METADATA_URL = f"{API}/media/metadata"
TWEETS_URL = "https://api.twitter.com/2/tweets"  # where tweepy 4.17's create_tweet posts (its v2 host)
MEDIA_CATEGORY = "tweet_image"
SECRETS = PLATFORM.secrets
ALT_TEXT_LIMIT = 1000
RECENT_POSTS = 20
TIMEOUT = (10, 60)  # seconds: connect, read (tweepy sets none: a stalled socket would hang the job)
# requests-oauthlib and oauthlib log the signed Authorization header (consumer key, access
# token) at DEBUG; these loggers get the secret filter themselves, whatever handler is used.
_SIGNING_LOGGERS = ("requests_oauthlib.oauth1_auth", "oauthlib.oauth1.rfc5849")
# (remaining, reset) header pairs; a 429 waits for the latest reset among the exhausted ones.
_LIMIT_HEADERS = (
    ("x-rate-limit-remaining", "x-rate-limit-reset"),
    ("x-user-limit-24hour-remaining", "x-user-limit-24hour-reset"),
    ("x-app-limit-24hour-remaining", "x-app-limit-24hour-reset"),
)
# 403s a person must resolve (problem type suffixes and words in X's detail or v1 codes).
_HUMAN_403_TYPES = ("/oauth1-permissions", "/client-forbidden")
_HUMAN_403_WORDS = re.compile(r"suspended|locked|enrol", re.I)
_HUMAN_403_CODES = {64, 261, 326}  # v1-style codes: account suspended, app cannot write, account locked
_TCO = re.compile(r"https?://t\.co/\S+", re.I)


class _TimeoutAdapter(HTTPAdapter):
    """Gives every request on the session a timeout unless the call set one."""

    def send(self, request, timeout=None, **kwargs):
        return super().send(request, timeout=TIMEOUT if timeout is None else timeout, **kwargs)


class XPublisher(Publisher):
    platform = PLATFORM
    name = PLATFORM.name

    def __init__(self, config: Settings, *, session: requests.Session | None = None):
        self.config = config
        if session is None:
            session = requests.Session()
            session.mount("https://", _TimeoutAdapter())
        self.session = session
        self._client: tweepy.Client | None = None
        self._auth = None
        self._me: tuple[str, str] | None = None  # (user id, username), once asked
        for name in _SIGNING_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, SecretFilter) for f in logger.filters):
                logger.addFilter(SecretFilter())

    # -- configuration ---------------------------------------------------------------------

    def validate(self) -> None:
        missing = [name for name in SECRETS if not get_secret(name)]
        if missing:
            where = ", ".join(f"AURIA_{name.upper()} (or $CREDENTIALS_DIRECTORY/{name})" for name in missing)
            raise NotConfiguredError(f"x: publishing to X needs its API credentials; not set: {where}")

    def _tweepy(self) -> tweepy.Client:
        if self._client is None:
            try:
                self.validate()
                key, secret, token, token_secret = (get_secret(name) for name in SECRETS)
            except AuriaError as error:  # NotConfiguredError, or an unreadable credential file
                raise NeedsHumanError(str(error)) from None
            self._auth = tweepy.OAuth1UserHandler(key, secret, token, token_secret).apply_auth()
            client = tweepy.Client(consumer_key=key, consumer_secret=secret, access_token=token,
                                   access_token_secret=token_secret, wait_on_rate_limit=False)
            client.session = self.session  # one session: our timeouts, and tests see every call
            self._client = client
        return self._client

    # -- the interface ---------------------------------------------------------------------

    def check(self) -> str:
        return "@" + self._whoami()[1]

    def publish(self, post: Post) -> PublishResult:
        client = self._tweepy()
        media_id = self._upload(post)
        alt = alt_text(post.alt_text)
        if alt:
            self._post("media metadata", MEDIA_METADATA_URL, json=_metadata(media_id, alt))
        try:
            response = client.create_tweet(text=post.caption, media_ids=[media_id], user_auth=True)
        except tweepy.errors.Forbidden as error:
            if not _is_duplicate(error.response):
                raise _mapped("create_tweet", error) from None
            found = self.find_existing(post)
            if found is None:
                raise PermanentError(
                    f"{_describe('create_tweet', error.response)} (and none of our last {RECENT_POSTS} "
                    "posts has this haiku)") from None
            log.info("x: work %d was already posted as %s", post.work_id, found.remote_id)
            return found
        except Exception as error:  # noqa: BLE001 - every failure becomes a taxonomy error
            raise _mapped("create_tweet", error) from None
        tweet_id = str(response.data.get("id") or "") if isinstance(response.data, dict) else ""
        if not tweet_id:
            # X answered 2xx, so the post most likely exists: the retry's create_tweet gets
            # X's duplicate-content 403 and finds it.
            raise RetryableError("X create_tweet: success status without a post id in the response")
        return PublishResult(remote_id=tweet_id, url=self._url(tweet_id, lookup=True))

    @classmethod
    def plan_requests(cls, text: str, alt: str, image_name: str, publish: dict) -> dict:
        media_id = "<media id from step 1>"
        steps = [("media_upload", {"method": "POST", "url": MEDIA_UPLOAD_URL,
                                   "multipart": {"media": image_name, "media_category": MEDIA_CATEGORY}})]
        if alt_text(alt):
            steps.append(("media_metadata", {"method": "POST", "url": MEDIA_METADATA_URL,
                                             "json": _metadata(media_id, alt_text(alt))}))
        steps.append(("create_tweet", {"method": "POST", "url": TWEETS_URL,
                                       "json": {"text": text, "media": {"media_ids": [media_id]}}}))
        return {f"{i}_{name}": request for i, (name, request) in enumerate(steps, 1)}

    def find_existing(self, post: Post) -> PublishResult | None:
        user_id, _ = self._whoami()
        try:
            # our own posts only: a retweet or a reply quoting the haiku is someone else's post
            response = self._tweepy().get_users_tweets(user_id, max_results=RECENT_POSTS, user_auth=True,
                                                       exclude=["retweets", "replies"])
        except Exception as error:  # noqa: BLE001
            raise _mapped("get_users_tweets", error) from None
        haiku = _normalise("\n".join(post.lines))
        text = _normalise(post.caption)
        for tweet in response.data or []:
            if (tweet.text or "").startswith("RT @"):  # should the timeline hold a retweet anyway
                continue
            theirs = _normalise(_TCO.sub(" ", html.unescape(tweet.text or "")))
            if (haiku and haiku in theirs) or theirs == text:
                return PublishResult(remote_id=str(tweet.id), url=self._url(str(tweet.id)))
        return None

    # -- the calls -------------------------------------------------------------------------

    def _upload(self, post: Post) -> str:
        try:
            image = post.image_path.read_bytes()
        except OSError as error:
            raise PermanentError(f"X media upload: cannot read {post.image_path}: {error.strerror}") from None
        data = self._post("media upload", MEDIA_UPLOAD_URL,
                          files={"media": (post.image_path.name, image, "image/jpeg")},
                          data={"media_category": MEDIA_CATEGORY})
        media = data.get("data") or {}
        media_id = str(media.get("id") or data.get("media_id_string") or "")
        if not media_id:
            raise RetryableError("X media upload: success status without a media id in the response")
        return media_id

    def _post(self, call: str, url: str, **kwargs) -> dict:
        """One of our own signed calls; its JSON body, or the mapped error."""
        self._tweepy()
        try:
            response = self.session.post(url, auth=self._auth, timeout=TIMEOUT, **kwargs)
        except Exception as error:  # noqa: BLE001
            raise _mapped(call, error) from None
        if not 200 <= response.status_code < 300:
            raise _for_response(call, response)
        try:
            body = response.json()
        except ValueError:
            raise RetryableError(f"X {call}: HTTP {response.status_code} but the body is not JSON") from None
        return body if isinstance(body, dict) else {}

    def _whoami(self) -> tuple[str, str]:
        if self._me is None:
            try:
                user = self._tweepy().get_me(user_auth=True).data
            except Exception as error:  # noqa: BLE001
                raise _mapped("get_me", error) from None
            if user is None:
                raise RetryableError("X get_me: success status without a user in the response")
            self._me = (str(user.id), str(user.username))
        return self._me

    def _url(self, tweet_id: str, lookup: bool = False) -> str:
        if self._me is None and lookup:
            try:
                self._whoami()
            except PublishError as error:
                log.warning("x: posted %s, but cannot look up our username for its URL: %s", tweet_id, error)
        if self._me is None:
            return f"https://x.com/i/web/status/{tweet_id}"
        return f"https://x.com/{self._me[1]}/status/{tweet_id}"


# -- helpers -------------------------------------------------------------------------------


def _metadata(media_id: str, alt: str) -> dict:
    """The media metadata call's body: the image's alt text."""
    return {"id": media_id, "metadata": {"alt_text": {"text": alt}}}


def alt_text(text: str) -> str:
    """The alt text within X's 1,000 characters, cut at a word boundary with an ellipsis."""
    text = text.strip()
    if len(text) <= ALT_TEXT_LIMIT:
        return text
    head = text[:ALT_TEXT_LIMIT]  # the last word is whole only if a space follows it within these
    spaces = [m.start() for m in re.finditer(r"\s", head)]
    head = head[: spaces[-1]] if spaces else head[: ALT_TEXT_LIMIT - 1]
    return head.rstrip() + "…"


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _mapped(call: str, error: BaseException) -> PublishError:
    """A tweepy or requests exception as a taxonomy error."""
    if isinstance(error, PublishError):
        return error
    if isinstance(error, tweepy.errors.HTTPException) and isinstance(error.response, requests.Response):
        return _for_response(call, error.response)
    cause = error
    if isinstance(error, tweepy.errors.TweepyException) and isinstance(error.__cause__, requests.RequestException):
        cause = error.__cause__  # tweepy's v1.1 API wraps requests errors this way
    if isinstance(cause, requests.exceptions.JSONDecodeError):
        return RetryableError(f"X {call}: the response body is not the JSON expected")
    if isinstance(cause, requests.exceptions.Timeout):
        return RetryableError(f"X {call}: timed out ({type(cause).__name__})")
    if isinstance(cause, requests.RequestException):
        return RetryableError(f"X {call}: network error ({type(cause).__name__}: {_short(str(cause))})")
    return PermanentError(f"X {call}: {type(error).__name__}: {_short(str(error))}")


def _for_response(call: str, response: requests.Response) -> PublishError:
    status = response.status_code
    message = _describe(call, response)
    if status == 429:
        wait = _retry_after(response.headers)
        return RetryableError(message + (f" (rate limited; retry in {wait:.0f} s)" if wait else ""), wait)
    if status >= 500 or status == 408:
        return RetryableError(message, _retry_after(response.headers, rate_limit=False))
    if status == 400 and call == "media upload":
        # In May 2025 X refused valid multipart uploads with 400 for a while: retried (up to
        # publish.retry_attempts), then failed, rather than losing that day's post at once.
        return RetryableError(f"{message} (an upload 400 is retried a bounded number of times)")
    if status == 401:
        return NeedsHumanError(f"{message} (credentials rejected: check the X app's keys and tokens)")
    if status == 402:
        return NeedsHumanError(f"{message} (the X developer account needs credits or a plan)")
    if status == 403 and _needs_human_403(response):
        return NeedsHumanError(message)
    return PermanentError(message)


def _problem(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _describe(call: str, response: requests.Response) -> str:
    """'X CALL: HTTP 403 Forbidden: detail' from X's problem body (or v1-style errors)."""
    body = _problem(response)
    title = str(body.get("title") or response.reason or "").strip()
    details = [str(body["detail"])] if body.get("detail") else []
    for error in body.get("errors") or []:
        if isinstance(error, dict) and error.get("message"):
            details.append(str(error["message"]))
        elif isinstance(error, str):
            details.append(error)
    if isinstance(body.get("error"), str):
        details.append(body["error"])
    detail = "; ".join(d for d in dict.fromkeys(details) if d != title)
    text = f"X {call}: HTTP {response.status_code}" + (f" {title}" if title else "")
    return text + (f": {_short(detail)}" if detail else "")


def _is_duplicate(response: requests.Response) -> bool:
    body = _problem(response)
    texts = [body.get("detail"), body.get("title"), body.get("type")]
    texts += [e.get("message") if isinstance(e, dict) else e for e in body.get("errors") or []]
    codes = {e.get("code") for e in body.get("errors") or [] if isinstance(e, dict)}
    return 187 in codes or any(isinstance(t, str) and "duplicate" in t.lower() for t in texts)


def _needs_human_403(response: requests.Response) -> bool:
    body = _problem(response)
    if str(body.get("type", "")).endswith(_HUMAN_403_TYPES):
        return True
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    if any(e.get("code") in _HUMAN_403_CODES for e in errors):
        return True
    texts = [body.get("detail"), body.get("reason")] + [e.get("message") for e in errors]
    return any(isinstance(t, str) and _HUMAN_403_WORDS.search(t) for t in texts)


def _retry_after(headers, rate_limit: bool = True) -> float | None:
    """Seconds until the exhausted limit resets (at least 1), from X's headers."""
    resets = []
    if rate_limit:
        exhausted = [_int(headers.get(reset)) for remaining, reset in _LIMIT_HEADERS
                     if headers.get(remaining) == "0"]
        resets = [r for r in exhausted if r is not None] or [_int(headers.get("x-rate-limit-reset"))]
    resets = [r for r in resets if r is not None]
    if resets:
        return max(1.0, float(max(resets) - time.time()))
    seconds = _int(headers.get("retry-after"))
    return max(1.0, float(seconds)) if seconds is not None else None


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _short(text: str, limit: int = 300) -> str:
    text = redact(" ".join(text.split()), [v for v in (_secret_or_none(n) for n in SECRETS) if v])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _secret_or_none(name: str) -> str | None:
    try:
        return get_secret(name)
    except AuriaError:
        return None
