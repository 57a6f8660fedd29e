"""The Instagram adapter, over HTTP through instagrapi's real client with `responses`.

The client is built with ``private_transport="requests"`` (instagrapi 3.x defaults to a curl
adapter that `responses` cannot see) and ``request_timeout=0``. A small fake Instagram
answers each endpoint with the JSON instagrapi reads (copied from what its code expects) and
records every request; unknown URLs fail the test. Only the two-factor and challenge-code
prompts of `auria login instagram` are tested at instagrapi's method level (``Client.login``
replaced): those flows are long Bloks exchanges that instagrapi itself drives.
"""
from __future__ import annotations

import base64
import functools
import json
import logging
import os
import re
import stat
import time
from urllib.parse import parse_qs

import pytest
import requests
import responses
from PIL import Image

from bot.config import Config
from core.errors import AuriaError
from publishers.base import NeedsHumanError, NotConfiguredError, PermanentError, Post, RetryableError
from publishers.captions import caption
from publishers.instagram import (
    FEEDBACK_RETRY,
    PLEASE_WAIT_RETRY,
    RATE_LIMIT_RETRY,
    SESSION_FILE,
    InstagramPublisher,
    build_client,
    cmd_login_instagram,
    login_interactive,
)

USERNAME = "auria_bot"
PASSWORD = "correct-horse-battery-staple-42"
USER_ID = "4242"
SESSION_ID = "4242%3AsEsSiOnSeCrEt1234567890%3A12%3AAYc"
I = "https://i.instagram.com"
B = "https://b.i.instagram.com"
HAIKU = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]

LOGIN = [
    ("POST", f"{B}/graphql_www"),
    ("POST", f"{B}/api/v1/bloks/async_action/com.bloks.www.bloks.caa.login.process_client_data_and_redirect/"),
    ("POST", f"{B}/api/v1/attestation/create_android_keystore/"),
    ("POST", f"{B}/api/v1/bloks/async_action/com.bloks.www.caa.login.oauth.token.fetch.async/"),
    ("GET", f"{I}/api/v1/qe/sync/"),
    ("POST", f"{B}/api/v1/bloks/async_action/com.bloks.www.bloks.caa.login.async.send_login_request/"),
    ("POST", f"{I}/api/v1/feed/reels_tray/"),
    ("POST", f"{I}/api/v1/feed/timeline/"),
]
RELOGIN = LOGIN[1:]  # the device key registered at the first login is in the session
SEND_LOGIN = LOGIN[5]
CURRENT_USER = ("GET", f"{I}/api/v1/accounts/current_user/")
FEED = ("GET", f"{I}/api/v1/feed/user/{USER_ID}/")
RUPLOAD = ("POST", f"{I}/rupload_igphoto/*")
CONFIGURE = ("POST", f"{I}/api/v1/media/configure/")
PHOTO = [FEED, RUPLOAD, CONFIGURE]  # photo_upload: the feed first, instagrapi notes the posts there
UPLOAD = [FEED] + PHOTO  # publish: is the haiku already posted? then photo_upload


@functools.lru_cache(maxsize=1)
def _public_key() -> str:
    from Cryptodome.PublicKey import RSA

    return base64.b64encode(RSA.generate(1024).publickey().export_key()).decode()


def _user(**extra) -> dict:
    return {"pk": int(USER_ID), "username": USERNAME, "full_name": "Auria", "is_private": False,
            "profile_pic_url": "https://scontent.cdninstagram.com/p.jpg", "is_verified": False,
            "is_business": False, **extra}


def media(code="C0dEAuRiA1", pk="3300000000000000001", text="\n".join(HAIKU)) -> dict:
    return {"pk": pk, "id": f"{pk}_{USER_ID}", "code": code, "taken_at": 1764057600, "media_type": 1,
            "user": {"pk": USER_ID, "username": USERNAME}, "caption": {"text": text}, "like_count": 0,
            "image_versions2": {"candidates": [{"url": "https://scontent.cdninstagram.com/a.jpg",
                                                "width": 1080, "height": 1350}]}}


def _login_payload() -> dict:
    """send_login_request's answer: the login response embedded in a Bloks action, with the
    IG-Set-Authorization header (base64 JSON with ds_user_id and sessionid) instagrapi applies."""
    authorization = {"ds_user_id": USER_ID, "sessionid": SESSION_ID, "should_use_header_over_cookies": True}
    header = "Bearer IGT:2:" + base64.b64encode(json.dumps(authorization).encode()).decode()
    embedded = {"login_response": json.dumps({"logged_in_user": _user(), "status": "ok"}),
                "headers": json.dumps({"IG-Set-Authorization": header}), "cookies": ""}
    action = "(bk.action.caa.HandleLoginResponse, " + json.dumps(json.dumps(embedded)) + ")"
    return {"layout": {"bloks_payload": {"action": action}}, "status": "ok"}


class Reply:
    def __init__(self, status=200, body=None, headers=None, raw=None):
        self.status, self.body, self.headers, self.raw = status, body, headers or {}, raw


class FakeInstagram:
    """Routes (method, URL pattern) to queued replies (the last one repeats); records requests."""

    def __init__(self, mock: responses.RequestsMock):
        self.requests: list[requests.PreparedRequest] = []
        self.unexpected: list[str] = []
        self.routes: list[tuple[str, re.Pattern, list]] = []
        for method in (responses.GET, responses.POST):
            mock.add_callback(method, re.compile(r"https://.*"), callback=self._answer)
        self.on("POST", f"{B}/graphql_www", {"data": {"xfb_usdid_registration": {"success": True}}})
        self.on("POST", LOGIN[1][1], {"layout": {"bloks_payload": {"data": [
            {"data": {"key": "CAA_ACCOUNT_ACCESS_CONTEXT:aac", "initial": "AAC-0123456789"}}]}}, "status": "ok"})
        self.on("POST", LOGIN[2][1], {"challenge_nonce": "bm9uY2U", "key_nonce": "a2V5", "status": "ok"})
        self.on("POST", LOGIN[3][1], {"status": "ok"})
        self.on("GET", LOGIN[4][1], Reply(200, {"status": "ok"}, {
            "ig-set-password-encryption-key-id": "41", "ig-set-password-encryption-pub-key": _public_key()}))
        self.on("POST", SEND_LOGIN[1], _login_payload())
        self.on("POST", LOGIN[6][1], {"tray": [], "status": "ok"})
        self.on("POST", LOGIN[7][1], {"feed_items": [], "status": "ok"})
        self.on("GET", CURRENT_USER[1], {"user": _user(), "status": "ok"})
        self.on("GET", FEED[1], {"items": [], "more_available": False, "status": "ok"})
        self.on("POST", f"{I}/rupload_igphoto/.+", {"upload_id": "1", "status": "ok"})
        self.on("POST", CONFIGURE[1], {"media": media(), "status": "ok"})

    def on(self, method: str, url: str, *replies) -> None:
        pattern = re.compile(re.escape(url) if "+" not in url else url)
        self.routes.insert(0, (method, pattern, list(replies)))

    def _answer(self, request):
        self.requests.append(request)
        url = request.url.split("?")[0]
        for method, pattern, replies in self.routes:
            if method == request.method and pattern.fullmatch(url):
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if isinstance(reply, BaseException):
                    raise reply
                if not isinstance(reply, Reply):
                    reply = Reply(200, reply)
                body = reply.raw if reply.raw is not None else json.dumps(reply.body)
                return reply.status, {"Content-Type": "application/json", **reply.headers}, body
        self.unexpected.append(f"{request.method} {url}")
        return 599, {}, "unexpected request"

    @property
    def calls(self) -> list[tuple[str, str]]:
        out = []
        for request in self.requests:
            url = request.url.split("?")[0]
            if "/rupload_igphoto/" in url:
                url = f"{I}/rupload_igphoto/*"
            out.append((request.method, url))
        return out

    def clear(self) -> None:
        self.requests.clear()

    def last(self, method: str, url: str) -> requests.PreparedRequest:
        return [r for r, call in zip(self.requests, self.calls) if call == (method, url)][-1]


@pytest.fixture
def ig():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeInstagram(mock)
        yield fake
        assert not fake.unexpected, fake.unexpected


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    """instagrapi sleeps 3 s before media/configure and 60 s after a 408: not in tests."""
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


@pytest.fixture
def secrets(monkeypatch):
    monkeypatch.setenv("AURIA_INSTAGRAM_USERNAME", USERNAME)
    monkeypatch.setenv("AURIA_INSTAGRAM_PASSWORD", PASSWORD)


@pytest.fixture
def config(tmp_path):
    return Config(data_dir=tmp_path / "data")


def make(config) -> InstagramPublisher:
    return InstagramPublisher(config, client_factory=_test_client)


def _test_client():
    return build_client(private_transport="requests", request_timeout=0)


@pytest.fixture
def post(tmp_path):
    return _post(tmp_path, 1080, 1350)


def _post(tmp_path, width, height, fmt="JPEG", text=None) -> Post:
    path = tmp_path / f"work-{width}x{height}.{'jpg' if fmt == 'JPEG' else fmt.lower()}"
    Image.new("RGB", (width, height), (40, 90, 160)).save(path, fmt)
    text = text if text is not None else caption("instagram", HAIKU, "Auria", ["haiku", "poetry", "aiart"])
    return Post(work_id=7, lines=HAIKU, image_path=path, alt_text="A blue square, like a still pond at dusk.",
                caption=text)


def _signed(request) -> dict:
    """The JSON inside instagrapi's ``signed_body=SIGNATURE.{json}`` form body."""
    body = parse_qs(request.body if isinstance(request.body, str) else request.body.decode())
    signed = body["signed_body"][0]
    assert signed.startswith("SIGNATURE.")
    return json.loads(signed[len("SIGNATURE."):])


def _form(request) -> dict:
    body = request.body if isinstance(request.body, str) else request.body.decode()
    return {k: v[0] for k, v in parse_qs(body).items()}


def _logged_in(config, ig) -> InstagramPublisher:
    """A publisher that has logged in with the password (session saved); the record cleared."""
    publisher = make(config)
    assert publisher.check() == f"@{USERNAME}"
    ig.clear()
    return publisher


# -- configuration ---------------------------------------------------------------------------

def test_validate_names_the_missing_variables_never_values(config, monkeypatch):
    with pytest.raises(NotConfiguredError) as error:
        make(config).validate()
    assert "AURIA_INSTAGRAM_USERNAME" in str(error.value) and "AURIA_INSTAGRAM_PASSWORD" in str(error.value)
    monkeypatch.setenv("AURIA_INSTAGRAM_USERNAME", "someone-secretive")
    with pytest.raises(NotConfiguredError) as error:
        make(config).validate()
    message = str(error.value)
    assert "AURIA_INSTAGRAM_PASSWORD" in message and "$CREDENTIALS_DIRECTORY/instagram_password" in message
    assert "AURIA_INSTAGRAM_USERNAME" not in message and "someone-secretive" not in message


def test_validate_accepts_systemd_credentials_and_reads_nothing_at_construction(config, credentials_dir, ig):
    publisher = make(config)  # no secrets yet: constructing reads nothing
    (credentials_dir / "instagram_username").write_text(USERNAME + "\n")
    (credentials_dir / "instagram_password").write_text(PASSWORD + "\n")
    publisher.validate()
    assert ig.calls == []  # validate() never touches the network


def test_build_client_defaults_to_the_curl_transport_or_falls_back_to_requests():
    client = build_client()
    assert client.private_transport in ("curl", "requests")
    assert client.session_retry_total == 0 and client.delay_range is None
    assert client.with_challenge_flow is False  # the daemon never waits for a code on stdin


# -- login and the session -------------------------------------------------------------------

def test_first_use_logs_in_with_the_password_and_saves_the_session_0600(config, secrets, ig, caplog):
    caplog.set_level(logging.INFO)
    assert make(config).check() == f"@{USERNAME}"
    assert ig.calls == LOGIN + [CURRENT_USER]
    login = _form(ig.last(*SEND_LOGIN))
    params = json.loads(login["params"])["client_input_params"]
    assert params["contact_point"] == USERNAME
    assert params["password"].startswith("#PWD_INSTAGRAM:4:")  # encrypted with the key from qe/sync
    assert all(request.req_kwargs["timeout"] == (10, 60) for request in ig.requests)
    assert all(PASSWORD.encode() not in (r.body if isinstance(r.body, bytes) else (r.body or "").encode())
               for r in ig.requests)
    session = config.data_dir / SESSION_FILE
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    saved = json.loads(session.read_text())
    assert saved["authorization_data"]["sessionid"] == SESSION_ID
    assert PASSWORD not in session.read_text()
    assert "logged in with the password (no saved session)" in caplog.text


def test_a_saved_session_is_reused_without_logging_in(config, secrets, ig):
    _logged_in(config, ig)
    assert make(config).check() == f"@{USERNAME}"  # a new publisher, as in a new run
    assert ig.calls == [CURRENT_USER, CURRENT_USER]  # login()'s session check, then check()'s call
    headers = ig.last(*CURRENT_USER).headers
    assert SESSION_ID in base64.b64decode(headers["Authorization"].rsplit(":", 1)[1]).decode()


def test_a_rejected_session_means_one_password_login(config, secrets, ig, caplog):
    _logged_in(config, ig)
    caplog.set_level(logging.INFO)
    ig.on("GET", CURRENT_USER[1], Reply(403, {"message": "login_required", "status": "fail"}),
          {"user": _user(), "status": "ok"})
    assert make(config).check() == f"@{USERNAME}"
    assert ig.calls == [CURRENT_USER] + RELOGIN + [CURRENT_USER]
    assert "session was rejected; logged in with the password" in caplog.text
    assert stat.S_IMODE((config.data_dir / SESSION_FILE).stat().st_mode) == 0o600


def test_the_session_file_is_rewritten_0600_even_when_it_was_readable_by_others(config, secrets, ig):
    _logged_in(config, ig)
    session = config.data_dir / SESSION_FILE
    os.chmod(session, 0o644)
    make(config).check()
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert not list(config.data_dir.glob("*.tmp"))


def test_an_unreadable_session_file_means_a_password_login(config, secrets, ig):
    config.data_dir.mkdir(parents=True)
    (config.data_dir / SESSION_FILE).write_text("{not json")
    make(config).check()
    assert ig.calls == LOGIN + [CURRENT_USER]
    assert json.loads((config.data_dir / SESSION_FILE).read_text())["authorization_data"]["ds_user_id"] == USER_ID


def test_a_session_saved_for_another_username_is_not_used(config, secrets, ig, monkeypatch):
    _logged_in(config, ig)
    monkeypatch.setenv("AURIA_INSTAGRAM_USERNAME", "another_account")
    make(config).check()
    assert ig.calls[: len(LOGIN)] == LOGIN


def test_fresh_logins_present_the_same_device(tmp_path, secrets, ig):
    seen = []
    for name in ("a", "b"):
        make(Config(data_dir=tmp_path / name)).check()
        request = ig.last(*SEND_LOGIN)
        seen.append((request.headers["User-Agent"], request.headers["X-IG-Android-ID"],
                     request.headers["X-IG-Family-Device-ID"]))
    assert seen[0] == seen[1]
    assert seen[0][0].startswith("Instagram ") and "Android" in seen[0][0]


# -- publishing ------------------------------------------------------------------------------

def test_publish_uploads_the_photo_then_configures_it_with_caption_and_alt_text(config, secrets, ig, post):
    publisher = _logged_in(config, ig)
    result = publisher.publish(post)
    assert result.remote_id == "3300000000000000001"
    assert result.url == "https://www.instagram.com/p/C0dEAuRiA1/"
    assert ig.calls == UPLOAD
    upload = ig.last(*RUPLOAD)
    assert upload.headers["X-Entity-Type"] == "image/jpeg"
    assert json.loads(upload.headers["X-Instagram-Rupload-Params"])["media_type"] == "1"
    assert upload.body[:2] == b"\xff\xd8" and int(upload.headers["X-Entity-Length"]) == len(upload.body)
    configure = _signed(ig.last(*CONFIGURE))
    assert configure["caption"] == post.caption
    assert configure["custom_accessibility_caption"] == post.alt_text
    assert configure["upload_id"] == json.loads(upload.headers["X-Instagram-Rupload-Params"])["upload_id"]
    assert configure["extra"] == {"source_width": 1080, "source_height": 1350}
    assert "Authorization" in ig.last(*CONFIGURE).headers
    assert all(request.req_kwargs["timeout"] == (10, 60) for request in ig.requests)  # never unbounded


def test_publish_from_cold_logs_in_first(config, secrets, ig, post):
    assert make(config).publish(post).url.endswith("/p/C0dEAuRiA1/")
    assert ig.calls == LOGIN + UPLOAD


@pytest.mark.parametrize("size, fmt, problem", [
    ((1200, 1500), "JPEG", "320 to 1080 px wide"),
    ((300, 300), "JPEG", "320 to 1080 px wide"),
    ((1080, 1500), "JPEG", "4:5 (0.8) to 1.91:1"),
    ((1080, 540), "JPEG", "4:5 (0.8) to 1.91:1"),
    ((1080, 1350), "PNG", "not a JPEG"),
])
def test_an_image_outside_instagrams_limits_is_refused_before_any_call(config, secrets, ig, tmp_path,
                                                                     size, fmt, problem):
    with pytest.raises(PermanentError, match=re.escape(problem)):
        make(config).publish(_post(tmp_path, *size, fmt=fmt))
    assert ig.calls == []


@pytest.mark.parametrize("size", [(1080, 1350), (1080, 1080), (1080, 566), (320, 400)])
def test_images_within_the_limits_are_accepted(config, secrets, ig, tmp_path, size):
    make(config).publish(_post(tmp_path, *size))


def test_a_caption_over_the_limits_is_refused(config, secrets, ig, tmp_path):
    with pytest.raises(PermanentError, match="2201 characters; the limit is 2200"):
        make(config).publish(_post(tmp_path, 1080, 1350, text="x" * 2201))
    tags = " ".join(f"#tag{i}" for i in range(31))
    with pytest.raises(PermanentError, match="31 hashtags; the limit is 30"):
        make(config).publish(_post(tmp_path, 1080, 1350, text="pond\n\n" + tags))
    assert ig.calls == []


def test_publish_returns_the_post_already_there_instead_of_posting_twice(config, secrets, ig, post):
    publisher = _logged_in(config, ig)
    ig.on("GET", FEED[1], {"items": [media("AlReAdY", "77", post.caption)], "status": "ok"})
    assert publisher.publish(post).url == "https://www.instagram.com/p/AlReAdY/"
    assert ig.calls == [FEED]


def test_a_configure_answer_without_the_post_is_retryable_then_found(config, secrets, ig, post):
    publisher = _logged_in(config, ig)
    ig.on("POST", CONFIGURE[1], {"status": "ok"})  # no "media": instagrapi looks at the feed 5 times
    with pytest.raises(RetryableError, match="it may be posted"):
        publisher.publish(post)
    assert ig.calls == UPLOAD + [FEED] * 5
    ig.clear()
    ig.on("GET", FEED[1], {"items": [media("LaTeR", "78", post.caption)], "status": "ok"})
    assert publisher.publish(post).remote_id == "78"
    assert ig.calls == [FEED]


def test_settings_in_the_session_file_do_not_override_the_clients_policy(config, secrets, ig, no_sleep):
    _logged_in(config, ig)
    session = config.data_dir / SESSION_FILE
    saved = json.loads(session.read_text())
    saved.update(request_timeout=7, session_retry_total=5, private_transport="utls")
    session.write_text(json.dumps(saved))
    make(config).check()
    assert 7 not in no_sleep and ig.calls == [CURRENT_USER, CURRENT_USER]
    assert json.loads(session.read_text())["private_transport"] == "requests"


def test_a_missing_image_is_permanent(config, secrets, ig, post):
    post.image_path.unlink()
    with pytest.raises(PermanentError, match="does not exist"):
        make(config).publish(post)


# -- errors ----------------------------------------------------------------------------------

CHALLENGE = {"message": "challenge_required", "status": "fail", "lock": True,
             "challenge": {"url": "https://i.instagram.com/challenge/4242/AbCdEf/",
                           "api_path": "/challenge/4242/AbCdEf/",
                           "hide_webview_header": True, "lock": True, "logout": False, "native_flow": True}}
FEEDBACK = {"message": "feedback_required", "spam": True, "feedback_title": "Try Again Later",
            "feedback_message": "We restrict certain activity to protect our community.",
            "feedback_url": "repute/report_problem/scraping/", "status": "fail"}
PLEASE_WAIT = {"message": "Please wait a few minutes before you try again.", "status": "fail"}


@pytest.mark.parametrize("reply, kind, retry_after, words", [
    (Reply(400, CHALLENGE), NeedsHumanError, None, "challenge"),
    (Reply(400, {"message": "", "two_factor_info": {"two_factor_identifier": "x"}, "status": "fail"}),
     NeedsHumanError, None, "two-factor"),
    (Reply(400, PLEASE_WAIT), RetryableError, PLEASE_WAIT_RETRY, "wait a few minutes"),
    (Reply(400, FEEDBACK), RetryableError, FEEDBACK_RETRY, "Try Again Later"),
    (Reply(400, {"message": "rate limited", "error_type": "rate_limit_error", "status": "fail"}),
     RetryableError, RATE_LIMIT_RETRY, "rate limited"),
    (Reply(429, {"message": "", "status": "fail"}), RetryableError, RATE_LIMIT_RETRY, "HTTP 429"),
    (Reply(429, {"status": "fail"}, {"Retry-After": "120"}), RetryableError, 120, "retry in 120 s"),
    (Reply(500, raw="<html>oops</html>"), RetryableError, None, "HTTP 500"),
    (Reply(502, {"status": "fail"}), RetryableError, None, "HTTP 502"),
    (Reply(200, raw="<html>not json</html>"), RetryableError, None, "not the JSON expected"),
    (requests.exceptions.ReadTimeout("read timed out"), RetryableError, None, "timed out"),
    (requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset by peer")),
     RetryableError, None, "network error"),
    (Reply(400, {"message": "media_needs_reupload", "error_title": "bad image input extra:{}", "status": "fail"}),
     PermanentError, None, "media_needs_reupload"),
    (Reply(200, {"message": "Uploaded image isn't in an allowed aspect ratio", "status": "fail"}),
     PermanentError, None, "aspect ratio"),
    (Reply(404, {"message": "not found", "status": "fail"}), PermanentError, None, "HTTP 404"),
    (Reply(200, {"media": {"pk": "1", "code": "X"}, "status": "ok"}), RetryableError, None,
     "not what instagrapi expects"),
])
def test_configure_errors_map_into_the_taxonomy(config, secrets, ig, post, caplog,
                                                reply, kind, retry_after, words):
    publisher = _logged_in(config, ig)
    caplog.set_level(logging.DEBUG)
    ig.on("POST", CONFIGURE[1], reply)
    with pytest.raises(kind) as error:
        publisher.publish(post)
    assert type(error.value) is kind
    assert words in str(error.value)
    assert str(error.value).startswith("Instagram photo upload: ")
    if kind is RetryableError:
        assert error.value.retry_after == retry_after
    assert ig.calls.count(CONFIGURE) == 1  # no client-side replay of the configure call
    _assert_no_secret(str(error.value), caplog.text)


def _assert_no_secret(*texts):
    for text in texts:
        assert PASSWORD not in text
        assert SESSION_ID not in text and "sEsSiOnSeCrEt" not in text
        assert "IGT:2:" not in text and "Bearer" not in text


def test_a_408_is_retried_once_by_instagrapi_then_retryable(config, secrets, ig, post, no_sleep):
    publisher = _logged_in(config, ig)
    ig.on("POST", CONFIGURE[1], Reply(408, {"status": "fail"}))
    with pytest.raises(RetryableError, match="timed out"):
        publisher.publish(post)
    assert ig.calls.count(CONFIGURE) == 2 and 60 in no_sleep


def test_an_upload_refused_with_5xx_is_retryable_and_4xx_permanent(config, secrets, ig, post):
    publisher = _logged_in(config, ig)
    ig.on("POST", f"{I}/rupload_igphoto/.+", Reply(503, raw="busy"), Reply(400, raw="bad image"))
    with pytest.raises(RetryableError, match="HTTP 503"):
        publisher.publish(post)
    with pytest.raises(PermanentError, match="HTTP 400"):
        publisher.publish(post)
    assert CONFIGURE not in ig.calls


def test_login_required_while_posting_means_one_new_login_then_success(config, secrets, ig, post):
    publisher = _logged_in(config, ig)
    ig.on("POST", CONFIGURE[1], Reply(403, {"message": "login_required", "status": "fail"}),
          {"media": media(), "status": "ok"})
    assert publisher.publish(post).remote_id == "3300000000000000001"
    assert ig.calls == UPLOAD + RELOGIN + PHOTO


def test_login_required_again_after_the_new_login_needs_a_human(config, secrets, ig, post, caplog):
    publisher = _logged_in(config, ig)
    caplog.set_level(logging.DEBUG)
    ig.on("POST", CONFIGURE[1], Reply(403, {"message": "login_required", "status": "fail"}))
    with pytest.raises(NeedsHumanError, match="rejected the session even after a new login") as error:
        publisher.publish(post)
    assert ig.calls == UPLOAD + RELOGIN + PHOTO  # exactly one password login
    _assert_no_secret(str(error.value), caplog.text)


@pytest.mark.parametrize("reply, kind, words", [
    (Reply(400, {"message": "The password you entered is incorrect.", "error_type": "bad_password",
                 "status": "fail"}), NeedsHumanError, "rejected the username or password"),
    (Reply(400, CHALLENGE), NeedsHumanError, "challenge"),
    (Reply(400, PLEASE_WAIT), RetryableError, "wait a few minutes"),
    (Reply(400, {"message": "sentry", "error_type": "sentry_block", "status": "fail"}), NeedsHumanError,
     "sentry_block"),
    (Reply(400, {"message": "invalid_user", "error_type": "invalid_user", "status": "fail"}), NeedsHumanError,
     "auria login instagram"),
    (Reply(503, {"status": "fail"}), RetryableError, "HTTP 503"),
    (requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset by peer")),
     RetryableError, "network error"),
])
def test_password_login_errors_map_into_the_taxonomy(config, secrets, ig, post, caplog, reply, kind, words):
    caplog.set_level(logging.DEBUG)
    ig.on("POST", SEND_LOGIN[1], reply)
    with pytest.raises(kind, match=words) as error:
        make(config).publish(post)
    assert str(error.value).startswith("Instagram login: ")
    assert CONFIGURE not in ig.calls and not (config.data_dir / SESSION_FILE).exists()
    _assert_no_secret(str(error.value), caplog.text)


def test_a_challenge_on_the_session_check_needs_a_human_and_waits_for_no_input(config, secrets, ig, monkeypatch):
    _logged_in(config, ig)
    monkeypatch.setattr("builtins.input", lambda *a: pytest.fail("the daemon asked for input"))
    ig.on("GET", CURRENT_USER[1], Reply(400, CHALLENGE))
    with pytest.raises(NeedsHumanError, match="approve it in the Instagram app"):
        make(config).check()
    assert ig.calls == [CURRENT_USER]


def test_messages_and_logs_carry_no_secret_when_instagram_echoes_them(config, secrets, ig, post, caplog):
    publisher = _logged_in(config, ig)
    caplog.set_level(logging.DEBUG)
    echo = {"message": f"bad request for {PASSWORD} with sessionid={SESSION_ID}", "status": "fail"}
    ig.on("POST", CONFIGURE[1], Reply(400, echo))
    with pytest.raises(PermanentError) as error:
        publisher.publish(post)
    assert "***" in str(error.value)
    _assert_no_secret(str(error.value), caplog.text)


# -- find_existing and check -----------------------------------------------------------------

def test_find_existing_finds_the_post_by_its_haiku(config, secrets, ig, post):
    publisher = _logged_in(config, ig)
    ig.on("GET", FEED[1], {"items": [media("OtHeR", "1", "another poem"), media("ThEoNe", "99", post.caption)],
                           "status": "ok"})
    assert publisher.find_existing(post).url == "https://www.instagram.com/p/ThEoNe/"
    assert publisher.find_existing(post).remote_id == "99"
    assert parse_qs(ig.last(*FEED).url.split("?")[1])["count"] == ["12"]
    ig.on("GET", FEED[1], {"items": [media("EdItEd", "98", "\n".join(HAIKU) + "\n\n#haiku")], "status": "ok"})
    assert publisher.find_existing(post).remote_id == "98"


def test_find_existing_answers_none_only_when_it_could_look(config, secrets, ig, post):
    publisher = _logged_in(config, ig)
    ig.on("GET", FEED[1], {"items": [media("OtHeR", "1", "an old silent pond\nanother poem")], "status": "ok"})
    assert publisher.find_existing(post) is None
    ig.on("GET", FEED[1], Reply(500, raw="oops"))
    with pytest.raises(RetryableError, match="Instagram recent posts: HTTP 500"):
        publisher.find_existing(post)
    ig.on("GET", FEED[1], Reply(400, CHALLENGE))
    with pytest.raises(NeedsHumanError):
        publisher.find_existing(post)


def test_check_maps_errors(config, secrets, ig):
    ig.on("GET", CURRENT_USER[1], Reply(429, {"status": "fail"}))
    with pytest.raises(RetryableError, match="Instagram account check: rate limited"):
        make(config).check()
    assert ig.calls == LOGIN + [CURRENT_USER]


# -- auria login instagram -------------------------------------------------------------------

def test_login_interactive_logs_in_and_saves_the_session(config, secrets, ig, capsys):
    got = login_interactive(config, ask=_no_prompt, ask_secret=_no_prompt, client_factory=_test_client)
    assert got == USERNAME
    assert ig.calls == LOGIN + [CURRENT_USER]
    out = capsys.readouterr().out
    assert f"@{USERNAME} (logged in)" in out and "mode 0600" in out and PASSWORD not in out
    assert stat.S_IMODE((config.data_dir / SESSION_FILE).stat().st_mode) == 0o600
    ig.clear()
    make(config).check()
    assert ig.calls == [CURRENT_USER, CURRENT_USER]  # the daemon then reuses that session


def _no_prompt(prompt):
    pytest.fail(f"asked {prompt!r} although the secrets are set")


def test_login_interactive_asks_for_what_is_not_configured(config, ig, capsys):
    answers = iter([USERNAME])
    got = login_interactive(config, ask=lambda prompt: next(answers), ask_secret=lambda prompt: PASSWORD,
                            client_factory=_test_client)
    assert got == USERNAME and "also needs AURIA_INSTAGRAM_PASSWORD" in capsys.readouterr().out
    assert PASSWORD.encode() not in b"".join(
        r.body if isinstance(r.body, bytes) else (r.body or "").encode() for r in ig.requests)


def test_login_interactive_asks_for_the_two_factor_code(config, secrets, ig, monkeypatch):
    """Method level: CAA two-factor is a long Bloks exchange; what matters here is that the
    code asked for is passed to Client.login(verification_code=...)."""
    from instagrapi import Client
    from instagrapi.exceptions import TwoFactorRequired

    codes = []

    def login(self, username, password, relogin=False, verification_code=""):
        codes.append(verification_code)
        if not verification_code:
            raise TwoFactorRequired("Two-factor authentication required")
        self.authorization_data = {"ds_user_id": USER_ID, "sessionid": SESSION_ID}
        return True

    monkeypatch.setattr(Client, "login", login)
    prompts = []
    login_interactive(config, ask=lambda p: prompts.append(p) or "123456", ask_secret=_no_prompt,
                      client_factory=_test_client)
    assert codes == ["", "123456"] and "two-factor code" in prompts[0]
    saved = json.loads((config.data_dir / SESSION_FILE).read_text())
    assert saved["authorization_data"]["sessionid"] == SESSION_ID


def test_login_interactive_answers_a_challenge_with_the_code_sent(config, secrets, ig, monkeypatch):
    """Method level: instagrapi's challenge resolver calls challenge_code_handler(username, choice)."""
    from instagrapi import Client
    from instagrapi.mixins.challenge import ChallengeChoice

    handed = []

    def login(self, username, password, relogin=False, verification_code=""):
        assert self.with_challenge_flow is True
        handed.append(self.challenge_code_handler(username, ChallengeChoice.EMAIL))
        self.authorization_data = {"ds_user_id": USER_ID, "sessionid": SESSION_ID}
        return True

    monkeypatch.setattr(Client, "login", login)
    prompts = []
    login_interactive(config, ask=lambda p: prompts.append(p) or " 654321 ", ask_secret=_no_prompt,
                      client_factory=_test_client)
    assert handed == ["654321"] and "(email)" in prompts[0]


def test_cmd_login_instagram_reports_a_failure_as_one_line(config, secrets, ig, monkeypatch):
    import publishers.instagram as module

    monkeypatch.setattr(module, "build_client", _test_client)
    ig.on("POST", SEND_LOGIN[1], Reply(400, {"message": "The password you entered is incorrect.",
                                             "error_type": "bad_password", "status": "fail"}))
    with pytest.raises(AuriaError, match="rejected the username or password") as error:
        cmd_login_instagram(None, config)
    assert PASSWORD not in str(error.value)


def test_cmd_login_instagram_returns_0_when_logged_in(config, secrets, ig, monkeypatch, capsys):
    import publishers.instagram as module

    monkeypatch.setattr(module, "build_client", _test_client)
    assert cmd_login_instagram(None, config) == 0
    assert f"@{USERNAME}" in capsys.readouterr().out


def test_a_403_while_posting_is_a_humans_matter_not_a_failure(config, secrets, ig, post):
    publisher = _logged_in(config, ig)
    ig.on("POST", f"{I}/rupload_igphoto/.+", Reply(403, {"message": "feedback_required", "status": "fail"}))
    with pytest.raises(NeedsHumanError, match="HTTP 403"):
        publisher.publish(post)
