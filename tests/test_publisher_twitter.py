"""The X adapter over HTTP: the real tweepy client and our signed media calls, answered by
`responses` with X's documented shapes. No test reaches the network."""
from __future__ import annotations

import json
import logging
import time

import pytest
import requests
import responses
import tweepy
from PIL import Image

from bot.config import Config
from publishers.base import NeedsHumanError, NotConfiguredError, PermanentError, Post, PublishResult, RetryableError
from publishers.captions import caption
from publishers import twitter
from publishers.twitter import XPublisher, alt_text

UPLOAD = "https://api.x.com/2/media/upload"
METADATA = "https://api.x.com/2/media/metadata"
# tweepy 4.17 sends every v2 call to this fixed host (BaseClient.request), not api.x.com.
TWEETS = "https://api.twitter.com/2/tweets"
ME = "https://api.twitter.com/2/users/me"
USER_TWEETS = "https://api.twitter.com/2/users/1500/tweets"

SECRETS = {
    "AURIA_X_API_KEY": "ck-FAKE-consumer-key-1111",
    "AURIA_X_API_SECRET": "cs-FAKE-consumer-secret-2222",
    "AURIA_X_ACCESS_TOKEN": "1500-FAKE-access-token-3333",
    "AURIA_X_ACCESS_TOKEN_SECRET": "ats-FAKE-token-secret-4444",
}
MEDIA_ID = "1880028106020515840"
TWEET_ID = "1880028200000000001"
LINES = ["moonlight on the snow", "a crow folds its black wings in", "the old cedar sighs"]
ALT = "A crow on a snowy cedar branch under a full moon, in deep blue and silver."

UPLOADED = {"data": {"id": MEDIA_ID, "media_key": f"3_{MEDIA_ID}", "size": 1234, "expires_after_secs": 86400,
                     "image": {"image_type": "image/jpeg", "w": 64, "h": 64}}}
METADATA_SET = {"data": {"id": MEDIA_ID, "associated_metadata": {"alt_text": {"text": ALT}}}}
ME_BODY = {"data": {"id": "1500", "name": "Auria", "username": "auria_haiku"}}


def problem(status: int, title: str, detail: str, type_: str = "about:blank", **extra) -> dict:
    return {"title": title, "detail": detail, "type": type_, "status": status, **extra}


def created(text: str) -> dict:
    return {"data": {"id": TWEET_ID, "text": text, "edit_history_tweet_ids": [TWEET_ID]}}


@pytest.fixture(autouse=True)
def x_secrets(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog):
    """Every test runs with DEBUG logging captured; no credential may appear in it."""
    caplog.set_level(logging.DEBUG)
    yield
    # At teardown caplog.records is the teardown phase's: read the setup and call phases.
    records = caplog.get_records("setup") + caplog.get_records("call")
    texts = [caplog.handler.format(record) for record in records]
    for value in SECRETS.values():
        assert all(value not in text for text in texts), "a credential reached the logs"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def post(tmp_path):
    path = tmp_path / "work-7.jpg"
    Image.new("RGB", (64, 64), (20, 30, 90)).save(path, "JPEG", quality=90)
    return Post(work_id=7, lines=LINES, image_path=path, alt_text=ALT,
                caption=caption("x", LINES, "Auria", ["haiku", "aiart"]))


@pytest.fixture
def publisher(tmp_path):
    return XPublisher(Config(data_dir=tmp_path / "data"))


def sequence(rsps) -> list[tuple[str, str]]:
    return [(call.request.method, call.request.url) for call in rsps.calls]


def assert_clean(error: BaseException) -> None:
    for value in SECRETS.values():
        assert value not in str(error)
        assert value not in repr(error.args)


def expect(cls, fn, *args):
    with pytest.raises(cls) as info:
        fn(*args)
    assert type(info.value) is cls, f"{type(info.value).__name__}: {info.value}"
    assert_clean(info.value)
    return info.value


# -- the happy path -------------------------------------------------------------------------


def test_publish_sends_the_three_calls_and_returns_the_post(rsps, publisher, post):
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, json=created(post.caption), status=201)
    rsps.get(ME, json=ME_BODY)

    result = publisher.publish(post)

    assert result == PublishResult(TWEET_ID, f"https://x.com/auria_haiku/status/{TWEET_ID}")
    assert sequence(rsps) == [("POST", UPLOAD), ("POST", METADATA), ("POST", TWEETS), ("GET", ME)]
    for call in rsps.calls:
        auth = call.request.headers["Authorization"]
        assert auth.startswith("OAuth ")
        assert f'oauth_consumer_key="{SECRETS["AURIA_X_API_KEY"]}"' in auth
        assert 'oauth_signature_method="HMAC-SHA1"' in auth and "oauth_signature=" in auth
        assert call.request.req_kwargs["timeout"] == twitter.TIMEOUT

    upload = rsps.calls[0].request
    assert upload.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="media"; filename="work-7.jpg"' in upload.body
    assert b"Content-Type: image/jpeg" in upload.body
    assert post.image_path.read_bytes() in upload.body
    assert b'name="media_category"\r\n\r\ntweet_image\r\n' in upload.body

    assert json.loads(rsps.calls[1].request.body) == {"id": MEDIA_ID, "metadata": {"alt_text": {"text": ALT}}}
    assert rsps.calls[1].request.headers["Content-Type"] == "application/json"
    assert json.loads(rsps.calls[2].request.body) == {"text": post.caption, "media": {"media_ids": [MEDIA_ID]}}


def test_signing_debug_logs_are_redacted(rsps, publisher, post, caplog):
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, json=created(post.caption), status=201)
    rsps.get(ME, json=ME_BODY)
    publisher.publish(post)
    # requests-oauthlib logs the signed header at DEBUG; the adapter's filter redacts it.
    signed = [r.getMessage() for r in caplog.records if r.name == "requests_oauthlib.oauth1_auth"
              and "Updated headers" in r.getMessage()]
    assert len(signed) == 4 and all('oauth_consumer_key="***"' in m for m in signed)


def test_known_username_gives_the_url_without_another_call(rsps, publisher, post):
    rsps.get(ME, json=ME_BODY)
    assert publisher.check() == "@auria_haiku"
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, json=created(post.caption), status=201)
    assert publisher.publish(post).url == f"https://x.com/auria_haiku/status/{TWEET_ID}"
    assert [url for _, url in sequence(rsps)].count(ME) == 1


def test_a_failed_username_lookup_after_posting_still_reports_the_post(rsps, publisher, post, caplog):
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, json=created(post.caption), status=201)
    rsps.get(ME, json=problem(503, "Service Unavailable", "Service Unavailable"), status=503)
    result = publisher.publish(post)
    assert result == PublishResult(TWEET_ID, f"https://x.com/i/web/status/{TWEET_ID}")
    assert "cannot look up our username" in caplog.text


def test_empty_alt_text_skips_the_metadata_call(rsps, publisher, post):
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(TWEETS, json=created(post.caption), status=201)
    rsps.get(ME, json=ME_BODY)
    publisher.publish(Post(**{**post.__dict__, "alt_text": "  "}))
    assert sequence(rsps) == [("POST", UPLOAD), ("POST", TWEETS), ("GET", ME)]


def test_long_alt_text_is_cut_at_a_word_boundary(rsps, publisher, post):
    long = "A crow on the snow " + "beneath a silver moon " * 60
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, json=created(post.caption), status=201)
    rsps.get(ME, json=ME_BODY)
    publisher.publish(Post(**{**post.__dict__, "alt_text": long}))
    sent = json.loads(rsps.calls[1].request.body)["metadata"]["alt_text"]["text"]
    assert len(sent) <= 1000 and sent.endswith("…")
    assert long.startswith(sent[:-1]) and long[len(sent) - 1] == " "


def test_alt_text_limits():
    assert alt_text(" short ") == "short"
    exact = "x" * 1000
    assert alt_text(exact) == exact
    word_ends_at_999 = "a" * 998 + " b" + " more"
    assert alt_text(word_ends_at_999) == "a" * 998 + "…"
    assert alt_text("y" * 1500) == "y" * 999 + "…"


def test_a_caller_session_carries_every_call(rsps, tmp_path, post):
    session = requests.Session()
    session.headers["X-Probe"] = "mine"
    publisher = XPublisher(Config(data_dir=tmp_path), session=session)
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, json=created(post.caption), status=201)
    rsps.get(ME, json=ME_BODY)
    publisher.publish(post)
    assert all(call.request.headers["X-Probe"] == "mine" for call in rsps.calls)


# -- errors, for each of the three calls -----------------------------------------------------


def _rate_limited(reset_in: int) -> dict:
    reset = int(time.time()) + reset_in
    return dict(json=problem(429, "Too Many Requests", "Too Many Requests"), status=429,
                headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})


ERRORS = {
    "400": (dict(json=problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                              "https://api.twitter.com/2/problems/invalid-request",
                              errors=[{"message": "media_category is not one of [tweet_image, ...]"}]),
                 status=400), PermanentError, "HTTP 400 Invalid Request"),
    "401": (dict(json=problem(401, "Unauthorized", "Unauthorized"), status=401), NeedsHumanError,
            "credentials rejected"),
    "403": (dict(json=problem(403, "Forbidden", "You are not permitted to perform this action."), status=403),
            PermanentError, "not permitted"),
    "404": (dict(json=problem(404, "Not Found Error", "Could not find media.",
                              "https://api.twitter.com/2/problems/resource-not-found"), status=404),
            PermanentError, "HTTP 404"),
    "429": (lambda: _rate_limited(120), RetryableError, "rate limited"),  # the reset is relative to now
    "500": (dict(json=problem(500, "Internal Server Error", "Internal Server Error"), status=500), RetryableError,
            "HTTP 500"),
    "503": (dict(body="<html>over capacity</html>", status=503, content_type="text/html"), RetryableError,
            "HTTP 503 Service Unavailable"),
    "timeout": (dict(body=requests.exceptions.ReadTimeout("read timed out")), RetryableError, "timed out"),
    "reset": (dict(body=requests.exceptions.ConnectionError("Connection reset by peer")), RetryableError,
              "network error"),
}
STAGES = {"upload": ("media upload", UPLOAD), "metadata": ("media metadata", METADATA),
          "create": ("create_tweet", TWEETS)}


@pytest.mark.parametrize("case", ERRORS)
@pytest.mark.parametrize("stage", STAGES)
def test_errors_map_to_the_taxonomy(rsps, publisher, post, stage, case):
    answer, cls, words = ERRORS[case]
    if (stage, case) == ("upload", "400"):
        cls = RetryableError  # X has refused valid uploads with 400: retried, a bounded number of times
    answer = answer() if callable(answer) else answer
    call, failing_url = STAGES[stage]
    expected = []
    for url in (UPLOAD, METADATA, TWEETS):
        if url == failing_url:
            rsps.post(url, **answer)
            expected.append(("POST", url))
            break
        rsps.post(url, json=UPLOADED if url == UPLOAD else METADATA_SET)
        expected.append(("POST", url))

    error = expect(cls, publisher.publish, post)

    assert sequence(rsps) == expected  # nothing after the failing call
    assert str(error).startswith(f"X {call}: ")
    assert words in str(error)
    if case == "429":
        assert 115 <= error.retry_after <= 121
    elif cls is RetryableError:
        assert error.retry_after is None


def test_rate_limit_reset_in_the_past_waits_at_least_a_second(rsps, publisher, post):
    rsps.post(UPLOAD, **_rate_limited(-30))
    assert expect(RetryableError, publisher.publish, post).retry_after == 1


def test_daily_post_limit_waits_for_its_own_reset(rsps, publisher, post):
    now = int(time.time())
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, json=problem(429, "Too Many Requests", "Too Many Requests"), status=429, headers={
        "x-rate-limit-remaining": "99", "x-rate-limit-reset": str(now + 600),
        "x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(now + 7200),
        "x-app-limit-24hour-remaining": "1000", "x-app-limit-24hour-reset": str(now + 50000)})
    assert 7195 <= expect(RetryableError, publisher.publish, post).retry_after <= 7201


def test_rate_limit_without_headers_leaves_the_wait_to_the_caller(rsps, publisher, post):
    rsps.post(UPLOAD, json=problem(429, "Too Many Requests", "Too Many Requests"), status=429)
    assert expect(RetryableError, publisher.publish, post).retry_after is None


@pytest.mark.parametrize("body", [
    problem(403, "Forbidden", "Your client app is not configured with the appropriate oauth1 app permissions "
            "for this endpoint.", "https://api.twitter.com/2/problems/oauth1-permissions"),
    problem(403, "Client Forbidden", "This request must be made using an approved developer account that is "
            "enrolled in the requested endpoint.", "https://api.twitter.com/2/problems/client-forbidden",
            reason="client-not-enrolled", registration_url="https://developer.x.com"),
    {"errors": [{"code": 64, "message": "Your account is suspended and is not permitted to access this feature."}]},
    problem(403, "Forbidden", "This account is temporarily locked."),
], ids=["oauth1-permissions", "client-forbidden", "suspended", "locked"])
@pytest.mark.parametrize("stage", ["upload", "create"])
def test_forbidden_for_the_account_or_app_needs_a_human(rsps, publisher, post, body, stage):
    if stage == "create":
        rsps.post(UPLOAD, json=UPLOADED)
        rsps.post(METADATA, json=METADATA_SET)
        rsps.post(TWEETS, json=body, status=403)
    else:
        rsps.post(UPLOAD, json=body, status=403)
    error = expect(NeedsHumanError, publisher.publish, post)
    assert "HTTP 403" in str(error)


def test_payment_required_needs_a_human(rsps, publisher, post):
    rsps.post(UPLOAD, json=problem(402, "Payment Required", "Your account has no credits left."), status=402)
    assert "no credits" in str(expect(NeedsHumanError, publisher.publish, post))


def test_success_without_ids_is_retried(rsps, publisher, post):
    rsps.post(UPLOAD, body="<html>ok</html>", content_type="text/html")
    assert "not JSON" in str(expect(RetryableError, publisher.publish, post))


def test_created_without_an_id_is_retried(rsps, publisher, post):
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, json={"errors": [{"message": "odd"}]}, status=201)
    assert "without a post id" in str(expect(RetryableError, publisher.publish, post))


def test_unreadable_created_body_is_retried(rsps, publisher, post):
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, body="<html>", status=201)
    expect(RetryableError, publisher.publish, post)


def test_v1_style_wrapped_request_errors_are_retryable():
    wrapped = tweepy.errors.TweepyException("Failed to send request: reset")
    wrapped.__cause__ = requests.exceptions.ConnectionError("reset")
    assert isinstance(twitter._mapped("create_tweet", wrapped), RetryableError)
    assert isinstance(twitter._mapped("create_tweet", tweepy.errors.TweepyException("odd")), PermanentError)


# -- duplicate content ---------------------------------------------------------------------

DUPLICATE = problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")


def _duplicate(rsps):
    rsps.post(UPLOAD, json=UPLOADED)
    rsps.post(METADATA, json=METADATA_SET)
    rsps.post(TWEETS, json=DUPLICATE, status=403)


def test_duplicate_content_returns_the_post_already_there(rsps, publisher, post):
    _duplicate(rsps)
    rsps.get(ME, json=ME_BODY)
    # X returns the text with its media link appended, HTML-escaped, whitespace altered.
    theirs = "  ".join(LINES) + "\n\n— Auria\n\n#haiku #aiart https://t.co/AbCdEf123"
    rsps.get(USER_TWEETS, json={"data": [
        {"id": "1880000000000000099", "text": "an unrelated post &amp; more", "edit_history_tweet_ids": ["1"]},
        {"id": "1880000000000000042", "text": theirs, "edit_history_tweet_ids": ["1880000000000000042"]},
    ], "meta": {"result_count": 2}})

    result = publisher.publish(post)

    assert result == PublishResult("1880000000000000042", "https://x.com/auria_haiku/status/1880000000000000042")
    assert sequence(rsps) == [("POST", UPLOAD), ("POST", METADATA), ("POST", TWEETS), ("GET", ME),
                              ("GET", USER_TWEETS + "?max_results=20&exclude=retweets%2Creplies")]
    assert rsps.calls[4].request.headers["Authorization"].startswith("OAuth ")


def test_duplicate_content_not_among_our_posts_is_permanent(rsps, publisher, post):
    _duplicate(rsps)
    rsps.get(ME, json=ME_BODY)
    rsps.get(USER_TWEETS, json={"data": [{"id": "9", "text": "another haiku entirely", "edit_history_tweet_ids": ["9"]}],
                                "meta": {"result_count": 1}})
    error = expect(PermanentError, publisher.publish, post)
    assert str(error).startswith("X create_tweet: HTTP 403 Forbidden: You are not allowed")
    assert "duplicate content" in str(error) and "none of our last 20 posts" in str(error)


def test_duplicate_content_with_the_lookup_failing_raises_the_lookups_error(rsps, publisher, post):
    _duplicate(rsps)
    rsps.get(ME, json=ME_BODY)
    rsps.get(USER_TWEETS, json=problem(500, "Internal Server Error", "Internal Server Error"), status=500)
    assert str(expect(RetryableError, publisher.publish, post)).startswith("X get_users_tweets: HTTP 500")


# -- find_existing and check ----------------------------------------------------------------


def test_find_existing_matches_the_haiku_lines(rsps, publisher, post):
    rsps.get(ME, json=ME_BODY)
    rsps.get(USER_TWEETS, json={"data": [
        {"id": "30", "text": " ".join(LINES).upper() + " https://t.co/x1", "edit_history_tweet_ids": ["30"]},
        {"id": "20", "text": post.caption, "edit_history_tweet_ids": ["20"]},
    ], "meta": {"result_count": 2}})
    assert publisher.find_existing(post) == PublishResult("30", "https://x.com/auria_haiku/status/30")
    assert rsps.calls[1].request.params == {"max_results": "20", "exclude": "retweets,replies"}


def test_find_existing_never_takes_someone_elses_retweet_for_our_post(rsps, publisher, post):
    rsps.get(ME, json=ME_BODY)
    rsps.get(USER_TWEETS, json={"data": [
        {"id": "41", "text": "RT @someone: " + " ".join(LINES), "edit_history_tweet_ids": ["41"]},
    ], "meta": {"result_count": 1}})
    assert publisher.find_existing(post) is None


def test_find_existing_none_found(rsps, publisher, post):
    rsps.get(ME, json=ME_BODY)
    rsps.get(USER_TWEETS, json={"data": [{"id": "5", "text": "moonlight on the snow", "edit_history_tweet_ids": ["5"]}],
                                "meta": {"result_count": 1}})
    assert publisher.find_existing(post) is None


def test_find_existing_on_an_empty_timeline(rsps, publisher, post):
    rsps.get(ME, json=ME_BODY)
    rsps.get(USER_TWEETS, json={"meta": {"result_count": 0}})
    assert publisher.find_existing(post) is None


@pytest.mark.parametrize("answer, cls", [
    (lambda: _rate_limited(60), RetryableError),
    (dict(json=problem(401, "Unauthorized", "Unauthorized"), status=401), NeedsHumanError),
    (dict(body=requests.exceptions.ConnectTimeout("connect timed out")), RetryableError),
], ids=["429", "401", "timeout"])
def test_find_existing_failures_raise_the_mapped_error(rsps, publisher, post, answer, cls):
    rsps.get(ME, json=ME_BODY)
    rsps.get(USER_TWEETS, **(answer() if callable(answer) else answer))
    assert str(expect(cls, publisher.find_existing, post)).startswith("X get_users_tweets: ")


def test_check_returns_the_handle(rsps, publisher):
    rsps.get(ME, json=ME_BODY)
    assert publisher.check() == "@auria_haiku"
    assert rsps.calls[0].request.headers["Authorization"].startswith("OAuth ")


@pytest.mark.parametrize("answer, cls", [
    (dict(json=problem(401, "Unauthorized", "Unauthorized"), status=401), NeedsHumanError),
    (dict(json=problem(500, "Internal Server Error", "Internal Server Error"), status=500), RetryableError),
    (dict(body=requests.exceptions.ConnectionError("Connection reset by peer")), RetryableError),
], ids=["401", "500", "reset"])
def test_check_failures(rsps, publisher, answer, cls):
    rsps.get(ME, **answer)
    assert str(expect(cls, publisher.check)).startswith("X get_me: ")


# -- configuration ---------------------------------------------------------------------------


def test_validate_names_every_missing_variable_and_no_value(monkeypatch, rsps, publisher):
    for name in SECRETS:
        monkeypatch.delenv(name)
    error = expect(NotConfiguredError, publisher.validate)
    for name in SECRETS:
        assert name in str(error)
        assert f"$CREDENTIALS_DIRECTORY/{name.removeprefix('AURIA_').lower()}" in str(error)
    assert len(rsps.calls) == 0


def test_validate_names_only_what_is_missing(monkeypatch, publisher):
    monkeypatch.delenv("AURIA_X_ACCESS_TOKEN_SECRET")
    monkeypatch.setenv("AURIA_X_API_SECRET", "   ")  # blank counts as unset
    message = str(expect(NotConfiguredError, publisher.validate))
    assert "AURIA_X_ACCESS_TOKEN_SECRET" in message and "AURIA_X_API_SECRET" in message
    assert "AURIA_X_API_KEY" not in message and "AURIA_X_ACCESS_TOKEN " not in message


def test_validate_accepts_credential_files(monkeypatch, credentials_dir, publisher):
    for name, value in SECRETS.items():
        monkeypatch.delenv(name)
        (credentials_dir / name.removeprefix("AURIA_").lower()).write_text(value + "\n")
    publisher.validate()


def test_publish_without_credentials_needs_a_human_and_sends_nothing(monkeypatch, rsps, publisher, post):
    monkeypatch.delenv("AURIA_X_API_KEY")
    assert "AURIA_X_API_KEY" in str(expect(NeedsHumanError, publisher.publish, post))
    assert len(rsps.calls) == 0


def test_missing_image_is_permanent_and_sends_nothing(rsps, publisher, post):
    post.image_path.unlink()
    assert "cannot read" in str(expect(PermanentError, publisher.publish, post))
    assert len(rsps.calls) == 0
