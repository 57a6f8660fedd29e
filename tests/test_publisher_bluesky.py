"""The Bluesky adapter through the real atproto client.

atproto talks httpx, which `responses` cannot see: the adapter takes an httpx transport, and
these tests give it an `httpx.MockTransport` whose handler plays Bluesky. Everything above
the transport (atproto's Client, its Request class, its error mapping, session refresh) runs
for real.
"""
import base64
import io
import json
import logging
import stat
import time
from urllib.parse import parse_qs

import httpx
import pytest
from atproto_client.client.session import Session
from PIL import Image

from bot.config import Config, PublishConfig
from publishers.base import NeedsHumanError, NotConfiguredError, PermanentError, Post, PublishResult, RetryableError
from publishers.bluesky import MAX_IMAGE_BYTES, BlueskyPublisher, prepare_image
from publishers.captions import caption
from publishers.registry import make_publisher

XRPC = "https://bsky.social/xrpc"
HANDLE = "auria.bsky.social"
DID = "did:plc:auriatestauriatest000000"
PASSWORD = "bsky-app-pass-SECRET-1234"
LINES = ["old pond, still", "a frog leaps into the dusk", "the water's answer"]
ALT = "A pale green pond at dusk; a small frog mid-leap leaves rings on the water."
RKEY = "3lbq7xyzabc2k"
POST_URI = f"at://{DID}/app.bsky.feed.post/{RKEY}"
BLOB_CID = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"


def fake_jwt(name: str, expires_in: int) -> str:
    """An unsigned JWT shaped like Bluesky's (atproto reads `exp` to decide when to refresh)."""
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    payload = {"scope": "com.atproto.appPass", "sub": DID, "iat": now, "exp": now + expires_in, "jti": name}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.{part(name)}"


ACCESS = fake_jwt("access-1", 7200)
REFRESH = fake_jwt("refresh-1", 60 * 86400)
ACCESS_2 = fake_jwt("access-2", 7200)
REFRESH_2 = fake_jwt("refresh-2", 60 * 86400)
SECRETS = (PASSWORD, ACCESS, REFRESH, ACCESS_2, REFRESH_2)


def session_body(access=ACCESS, refresh=REFRESH, **extra):
    return {"did": DID, "handle": HANDLE, "accessJwt": access, "refreshJwt": refresh, "active": True, **extra}


def blob_body(size=1234):
    return {"blob": {"$type": "blob", "ref": {"$link": BLOB_CID}, "mimeType": "image/jpeg", "size": size}}


def xrpc_error(status, error, message="", headers=None):
    body = {"error": error, **({"message": message} if message else {})}
    return httpx.Response(status, json=body, headers=headers)


class FakeBluesky:
    """An httpx handler: answers queued per XRPC method, in order, and records every request."""

    def __init__(self):
        self.queues: dict[str, list] = {}
        self.requests: list[httpx.Request] = []

    def on(self, nsid, *answers):
        self.queues.setdefault(nsid, []).extend(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        nsid = request.url.path.rsplit("/", 1)[-1]
        queue = self.queues.get(nsid)
        if not queue:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, dict):
            return httpx.Response(200, json=answer)
        return answer

    @property
    def sequence(self):
        return [f"{r.method} {r.url.copy_with(query=None)}" for r in self.requests]

    def body(self, index):
        return json.loads(self.requests[index].content)


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("AURIA_BLUESKY_APP_PASSWORD", PASSWORD)
    return PASSWORD


@pytest.fixture
def config(tmp_path):
    return Config(data_dir=tmp_path / "data", publish=PublishConfig(platforms=["bluesky"], bluesky_handle=HANDLE))


@pytest.fixture
def server():
    return FakeBluesky()


@pytest.fixture
def make(config, server, password):
    def make_publisher_():
        return BlueskyPublisher(config, transport=httpx.MockTransport(server))

    return make_publisher_


@pytest.fixture
def publisher(make):
    return make()


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "image.jpg"
    Image.new("RGB", (1080, 1350), (40, 90, 70)).save(path, "JPEG", quality=90)
    return path


@pytest.fixture
def post(image):
    text = caption("bluesky", LINES, "Auria", ["haiku", "poetry", "aiart"])
    return Post(work_id=7, lines=LINES, image_path=image, alt_text=ALT, caption=text, key=RKEY)


def save_session(config, access=ACCESS, refresh=REFRESH, handle=HANDLE, pds="https://bsky.social"):
    config.data_dir.mkdir(parents=True, exist_ok=True)
    path = config.data_dir / "bluesky-session.txt"
    path.write_text(Session(handle, DID, access, refresh, pds).encode() + "\n")
    path.chmod(0o600)
    return path


def saved_session(config) -> Session:
    return Session.decode((config.data_dir / "bluesky-session.txt").read_text().strip())


CREATE_SESSION = f"POST {XRPC}/com.atproto.server.createSession"
REFRESH_SESSION = f"POST {XRPC}/com.atproto.server.refreshSession"
UPLOAD = f"POST {XRPC}/com.atproto.repo.uploadBlob"
CREATE_RECORD = f"POST {XRPC}/com.atproto.repo.createRecord"


def answer_post(server):
    server.on("com.atproto.repo.uploadBlob", blob_body())
    server.on("com.atproto.repo.createRecord", {"uri": POST_URI, "cid": "bafyreigh2akiscaild"})


# -- success ------------------------------------------------------------------------------

def test_first_publish_logs_in_uploads_and_creates_the_post(publisher, server, post, image, config):
    server.on("com.atproto.server.createSession", session_body())
    answer_post(server)

    result = publisher.publish(post)

    assert result == PublishResult(POST_URI, f"https://bsky.app/profile/{HANDLE}/post/{RKEY}")
    assert server.sequence == [CREATE_SESSION, UPLOAD, CREATE_RECORD]
    login, upload, create = server.requests
    assert "authorization" not in login.headers
    assert server.body(0) == {"identifier": HANDLE, "password": PASSWORD}
    for request in (upload, create):
        assert request.headers["authorization"] == f"Bearer {ACCESS}"
    assert upload.headers["content-type"] == "image/jpeg"
    assert upload.content == image.read_bytes()  # under 1,000,000 bytes: sent as it is

    body = server.body(2)
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    assert body["rkey"] == RKEY, "the record key is the post's stored key: a retried create names the same record"
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == post.caption
    assert record["langs"] == ["en"] and record["createdAt"]
    assert [f["features"][0]["tag"] for f in record["facets"]] == ["haiku", "poetry", "aiart"]
    embed = record["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    (picture,) = embed["images"]
    assert picture["alt"] == ALT
    assert picture["image"]["ref"] == {"$link": BLOB_CID} and picture["image"]["mimeType"] == "image/jpeg"
    assert (picture["aspectRatio"]["width"], picture["aspectRatio"]["height"]) == (1080, 1350)


def test_the_session_is_saved_with_mode_0600_and_reused(make, server, post, config):
    server.on("com.atproto.server.createSession", session_body())
    answer_post(server)
    make().publish(post)

    path = config.data_dir / "bluesky-session.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    session = saved_session(config)
    assert (session.handle, session.did, session.access_jwt, session.refresh_jwt) == (HANDLE, DID, ACCESS, REFRESH)

    server.requests.clear()
    answer_post(server)
    make().publish(post)  # a new process: the saved session, no createSession
    assert server.sequence == [UPLOAD, CREATE_RECORD]
    assert server.requests[0].headers["authorization"] == f"Bearer {ACCESS}"


def test_an_existing_session_file_with_loose_permissions_is_replaced_0600(publisher, server, post, config):
    config.data_dir.mkdir(parents=True)
    path = config.data_dir / "bluesky-session.txt"
    path.write_text("not a session\n")
    path.chmod(0o644)
    server.on("com.atproto.server.createSession", session_body())
    answer_post(server)

    publisher.publish(post)
    assert server.sequence[0] == CREATE_SESSION  # the unreadable file meant a password login
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert saved_session(config).access_jwt == ACCESS


@pytest.mark.parametrize("rejection", [
    xrpc_error(400, "ExpiredToken", "Token has expired"),
    xrpc_error(400, "InvalidToken", "Token could not be verified"),
    xrpc_error(401, "AuthenticationRequired", "Authentication Required"),
], ids=["expired", "invalid", "401"])
def test_a_rejected_saved_session_means_one_password_login_and_a_second_try(publisher, server, post, config,
                                                                            rejection):
    save_session(config)
    server.on("com.atproto.repo.uploadBlob", rejection)
    server.on("com.atproto.server.createSession", session_body(ACCESS_2, REFRESH_2))
    answer_post(server)

    assert publisher.publish(post).remote_id == POST_URI
    assert server.sequence == [UPLOAD, CREATE_SESSION, UPLOAD, CREATE_RECORD]
    assert server.requests[0].headers["authorization"] == f"Bearer {ACCESS}"
    assert server.requests[2].headers["authorization"] == f"Bearer {ACCESS_2}"
    assert server.requests[3].headers["authorization"] == f"Bearer {ACCESS_2}"
    assert saved_session(config).access_jwt == ACCESS_2


def test_an_access_token_near_expiry_is_refreshed_and_the_refresh_saved(publisher, server, post, config):
    save_session(config, access=fake_jwt("access-expiring", 60))  # atproto refreshes 15 minutes early
    server.on("com.atproto.server.refreshSession", session_body(ACCESS_2, REFRESH_2))
    answer_post(server)

    publisher.publish(post)
    assert server.sequence == [REFRESH_SESSION, UPLOAD, CREATE_RECORD]
    assert server.requests[0].headers["authorization"] == f"Bearer {REFRESH}"
    assert server.requests[1].headers["authorization"] == f"Bearer {ACCESS_2}"
    path = config.data_dir / "bluesky-session.txt"
    assert saved_session(config).refresh_jwt == REFRESH_2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_expired_refresh_token_falls_back_to_the_password(publisher, server, post, config):
    save_session(config, access=fake_jwt("access-expired", -60))
    server.on("com.atproto.server.refreshSession", xrpc_error(400, "ExpiredToken", "Token has expired"))
    server.on("com.atproto.server.createSession", session_body(ACCESS_2, REFRESH_2))
    answer_post(server)

    publisher.publish(post)
    assert server.sequence == [REFRESH_SESSION, CREATE_SESSION, UPLOAD, CREATE_RECORD]
    assert saved_session(config).access_jwt == ACCESS_2


def test_a_saved_session_with_an_unreadable_token_falls_back_to_the_password(publisher, server, post, config):
    save_session(config, access="not-a-jwt")  # atproto cannot read its expiry
    server.on("com.atproto.server.createSession", session_body(ACCESS_2, REFRESH_2))
    answer_post(server)
    publisher.publish(post)
    assert server.sequence == [CREATE_SESSION, UPLOAD, CREATE_RECORD]
    assert saved_session(config).access_jwt == ACCESS_2


def test_a_session_saved_for_another_handle_is_not_used(publisher, server, post, config):
    save_session(config, handle="someone-else.bsky.social")
    server.on("com.atproto.server.createSession", session_body())
    answer_post(server)
    publisher.publish(post)
    assert server.sequence == [CREATE_SESSION, UPLOAD, CREATE_RECORD]


def test_calls_go_to_the_pds_the_session_names(make, server, post, config):
    pds = "https://morel.us-east.host.bsky.network"
    did_doc = {"@context": ["https://www.w3.org/ns/did/v1"], "id": DID, "alsoKnownAs": [f"at://{HANDLE}"],
               "verificationMethod": [], "service": [
                   {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds}]}
    server.on("com.atproto.server.createSession", session_body(didDoc=did_doc))
    answer_post(server)
    make().publish(post)
    assert server.sequence == [CREATE_SESSION, f"POST {pds}/xrpc/com.atproto.repo.uploadBlob",
                               f"POST {pds}/xrpc/com.atproto.repo.createRecord"]

    server.requests.clear()
    answer_post(server)
    make().publish(post)  # the saved session remembers the PDS
    assert server.sequence == [f"POST {pds}/xrpc/com.atproto.repo.uploadBlob",
                               f"POST {pds}/xrpc/com.atproto.repo.createRecord"]


def test_an_image_over_a_million_bytes_is_re_encoded_smaller(publisher, server, post, tmp_path, caplog):
    noisy = tmp_path / "noisy.jpg"
    pixels = Image.effect_noise((1080, 1350), 90).convert("RGB")
    pixels.save(noisy, "JPEG", quality=98)
    assert noisy.stat().st_size > MAX_IMAGE_BYTES
    server.on("com.atproto.server.createSession", session_body())
    answer_post(server)
    caplog.set_level(logging.INFO, logger="auria.publish.bluesky")

    publisher.publish(Post(post.work_id, post.lines, noisy, post.alt_text, post.caption))

    sent = server.requests[1].content
    assert len(sent) <= MAX_IMAGE_BYTES
    with Image.open(io.BytesIO(sent)) as uploaded:
        assert uploaded.format == "JPEG"
        size = uploaded.size
    ratio = server.body(2)["record"]["embed"]["images"][0]["aspectRatio"]
    assert (ratio["width"], ratio["height"]) == size
    assert "re-encoded as JPEG quality" in caplog.text


def test_prepare_image_leaves_a_small_jpeg_alone(image):
    data, width, height = prepare_image(image)
    assert data == image.read_bytes() and (width, height) == (1080, 1350)


def test_prepare_image_turns_another_format_into_jpeg(tmp_path):
    png = tmp_path / "image.png"
    Image.new("RGB", (400, 500), (200, 30, 30)).save(png)
    data, width, height = prepare_image(png)
    with Image.open(io.BytesIO(data)) as converted:
        assert converted.format == "JPEG" and converted.size == (width, height) == (400, 500)


def test_registry_builds_the_adapter(config):
    assert isinstance(make_publisher("bluesky", config), BlueskyPublisher)


# -- errors -------------------------------------------------------------------------------

def logged_in(server):
    server.on("com.atproto.server.createSession", session_body())
    server.on("com.atproto.repo.uploadBlob", blob_body())


ERRORS = [
    (xrpc_error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer "
                                        "than 300 graphemes"), PermanentError),
    (xrpc_error(401, "AuthenticationRequired", "Authentication Required"), NeedsHumanError),
    (xrpc_error(403, "Forbidden", "Bad token scope"), NeedsHumanError),
    (xrpc_error(404, "NotFound", "Could not find repo"), PermanentError),
    (xrpc_error(400, "AccountTakedown", "Account has been taken down"), NeedsHumanError),
    (xrpc_error(500, "InternalServerError", "Internal Server Error"), RetryableError),
    (httpx.Response(502, text="<html>Bad Gateway</html>"), RetryableError),
    (xrpc_error(503, "ServiceUnavailable"), RetryableError),
    (httpx.ReadTimeout("The read operation timed out"), RetryableError),
    (httpx.ConnectTimeout("timed out"), RetryableError),
    (httpx.ReadError("[Errno 104] Connection reset by peer"), RetryableError),
    (httpx.ConnectError("[Errno 111] Connection refused"), RetryableError),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), RetryableError),
]


@pytest.mark.parametrize("answer,expected", ERRORS, ids=[
    "400", "401", "403", "404", "takedown", "500", "502", "503", "read-timeout", "connect-timeout",
    "connection-reset", "connection-refused", "disconnected"])
def test_create_record_errors_map_to_the_taxonomy(publisher, server, post, answer, expected):
    logged_in(server)
    server.on("com.atproto.repo.createRecord", answer)
    # a refused create first asks whether the record is there already (a lost answer)
    server.on("com.atproto.repo.getRecord", xrpc_error(400, "RecordNotFound", "Could not locate record"))
    with pytest.raises(expected) as caught:
        publisher.publish(post)
    message = str(caught.value)
    assert message.startswith("bluesky: create post failed")
    if isinstance(answer, httpx.Response):
        assert f"HTTP {answer.status_code}" in message
    # a fresh password login is never repeated: one createSession in all
    looked = [f"GET {XRPC}/com.atproto.repo.getRecord"] if expected is PermanentError else []
    assert server.sequence == [CREATE_SESSION, UPLOAD, CREATE_RECORD, *looked]
    for secret in SECRETS:
        assert secret not in message


@pytest.mark.parametrize("answer,expected", [
    (xrpc_error(400, "InvalidMimeType", "Wrong type of file"), PermanentError),
    (httpx.Response(413, text="Payload Too Large"), PermanentError),
    (xrpc_error(500, "InternalServerError"), RetryableError),
    (httpx.ReadError("[Errno 104] Connection reset by peer"), RetryableError),
], ids=["400", "413", "500", "connection-reset"])
def test_upload_errors_map_to_the_taxonomy_and_no_post_is_created(publisher, server, post, answer, expected):
    server.on("com.atproto.server.createSession", session_body())
    server.on("com.atproto.repo.uploadBlob", answer)
    with pytest.raises(expected, match="image upload failed"):
        publisher.publish(post)
    assert server.sequence == [CREATE_SESSION, UPLOAD]


def test_429_is_retried_when_ratelimit_reset_says(publisher, server, post):
    logged_in(server)
    reset = int(time.time()) + 300
    server.on("com.atproto.repo.createRecord", xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers={
        "ratelimit-limit": "5000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset),
        "ratelimit-policy": "5000;w=3600"}))
    with pytest.raises(RetryableError, match="HTTP 429") as caught:
        publisher.publish(post)
    assert 290 <= caught.value.retry_after <= 300


def test_429_at_login_prefers_retry_after(publisher, server, post):
    server.on("com.atproto.server.createSession", xrpc_error(429, "RateLimitExceeded", headers={
        "retry-after": "120", "ratelimit-reset": str(int(time.time()) + 86400)}))
    with pytest.raises(RetryableError, match="login failed: HTTP 429") as caught:
        publisher.publish(post)
    assert caught.value.retry_after == 120


@pytest.mark.parametrize("error,message", [
    ("AuthenticationRequired", "Invalid identifier or password"),
    ("AccountTakedown", "Account has been taken down"),
    ("AuthFactorTokenRequired", "A sign in code has been sent to your email address"),
])
def test_a_refused_password_login_needs_a_human(publisher, server, post, config, error, message):
    server.on("com.atproto.server.createSession", xrpc_error(401, error, message))
    with pytest.raises(NeedsHumanError) as caught:
        publisher.publish(post)
    text = str(caught.value)
    assert f"login failed: HTTP 401: {error}: {message}" in text
    assert "AURIA_BLUESKY_APP_PASSWORD" in text and PASSWORD not in text
    assert server.sequence == [CREATE_SESSION]
    assert not (config.data_dir / "bluesky-session.txt").exists()


def test_a_takedown_with_the_saved_session_needs_a_human_without_a_new_login(publisher, server, post, config):
    save_session(config)
    server.on("com.atproto.repo.uploadBlob", xrpc_error(401, "AccountTakedown", "Account has been taken down"))
    with pytest.raises(NeedsHumanError, match="AccountTakedown"):
        publisher.publish(post)
    assert server.sequence == [UPLOAD]


def test_a_rejected_session_and_a_refused_password_needs_a_human(publisher, server, post, config):
    save_session(config)
    server.on("com.atproto.repo.uploadBlob", xrpc_error(400, "ExpiredToken", "Token has expired"))
    server.on("com.atproto.server.createSession", xrpc_error(401, "AuthenticationRequired",
                                                              "Invalid identifier or password"))
    with pytest.raises(NeedsHumanError, match="login failed: HTTP 401"):
        publisher.publish(post)
    assert server.sequence == [UPLOAD, CREATE_SESSION]


def test_a_caption_over_300_graphemes_is_permanent_and_sends_nothing(publisher, server, post):
    long = Post(post.work_id, post.lines, post.image_path, post.alt_text, "a" * 301)
    with pytest.raises(PermanentError, match="301 graphemes, over Bluesky's 300"):
        publisher.publish(long)
    assert server.requests == []


def test_graphemes_not_code_points_are_counted(publisher, server, post):
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # one grapheme, five code points
    logged_in(server)
    server.on("com.atproto.repo.createRecord", {"uri": POST_URI, "cid": "bafyreigh2akiscaild"})
    publisher.publish(Post(post.work_id, post.lines, post.image_path, post.alt_text, family * 300))
    assert server.body(2)["record"]["text"] == family * 300


# -- find_existing and check --------------------------------------------------------------

def feed_item(text, uri=POST_URI, did=DID, handle=HANDLE, repost=False):
    author = {"did": did, "handle": handle}
    item = {"post": {"uri": uri, "cid": "bafyreigh2akiscaild", "author": author, "indexedAt": "2026-11-25T09:00:00Z",
                     "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T09:00:00Z"}}}
    if repost:
        item["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": DID, "handle": HANDLE},
                          "indexedAt": "2026-11-25T09:00:00Z"}
    return item


def test_find_existing_matches_our_recent_post_by_its_haiku(publisher, server, post):
    theirs = f"at://did:plc:someoneelse/app.bsky.feed.post/{RKEY}"
    server.on("com.atproto.server.createSession", session_body())
    server.on("app.bsky.feed.getAuthorFeed", {"feed": [
        feed_item("a different haiku", uri=f"at://{DID}/app.bsky.feed.post/3aaaaaaaaaaaa"),
        feed_item(post.caption, uri=theirs, did="did:plc:someoneelse", handle="else.bsky.social", repost=True),
        feed_item(post.caption),
    ]})

    assert publisher.find_existing(post) == PublishResult(POST_URI, f"https://bsky.app/profile/{HANDLE}/post/{RKEY}")
    request = server.requests[1]
    assert server.sequence == [CREATE_SESSION, f"GET {XRPC}/app.bsky.feed.getAuthorFeed"]
    assert request.headers["authorization"] == f"Bearer {ACCESS}"
    query = parse_qs(request.url.query.decode())
    assert query["actor"] == [DID] and query["limit"] == ["20"]


def test_find_existing_returns_none_when_nothing_matches(publisher, server, post):
    server.on("com.atproto.server.createSession", session_body())
    server.on("app.bsky.feed.getAuthorFeed", {"feed": [feed_item("another day, another pond")]})
    assert publisher.find_existing(post) is None


def test_find_existing_raises_when_it_cannot_tell(publisher, server, post):
    server.on("com.atproto.server.createSession", session_body())
    server.on("app.bsky.feed.getAuthorFeed", xrpc_error(502, "UpstreamFailure"))
    with pytest.raises(RetryableError, match="recent posts failed: HTTP 502"):
        publisher.find_existing(post)


def test_check_returns_the_handle(publisher, server, config):
    save_session(config)
    server.on("com.atproto.server.getSession", {"handle": HANDLE, "did": DID, "active": True})
    assert publisher.check() == f"@{HANDLE}"
    assert server.sequence == [f"GET {XRPC}/com.atproto.server.getSession"]
    assert server.requests[0].headers["authorization"] == f"Bearer {ACCESS}"


# -- validate and secrets -----------------------------------------------------------------

def test_validate_names_everything_missing(tmp_path):
    with pytest.raises(NotConfiguredError) as caught:
        BlueskyPublisher(Config(data_dir=tmp_path)).validate()
    message = str(caught.value)
    assert "publish.bluesky_handle" in message
    assert "AURIA_BLUESKY_APP_PASSWORD" in message
    assert "$CREDENTIALS_DIRECTORY/bluesky_app_password" in message


def test_validate_with_only_the_handle_missing_never_shows_the_password(tmp_path, password):
    with pytest.raises(NotConfiguredError, match="publish.bluesky_handle") as caught:
        BlueskyPublisher(Config(data_dir=tmp_path)).validate()
    assert "AURIA_BLUESKY_APP_PASSWORD" not in str(caught.value) and PASSWORD not in str(caught.value)


def test_validate_accepts_the_password_from_the_credentials_directory(config, credentials_dir):
    (credentials_dir / "bluesky_app_password").write_text(PASSWORD + "\n")
    BlueskyPublisher(config).validate()


def test_publishing_unconfigured_needs_a_human_and_sends_nothing(config, server, post):
    publisher = BlueskyPublisher(config, transport=httpx.MockTransport(server))
    with pytest.raises(NeedsHumanError, match="AURIA_BLUESKY_APP_PASSWORD"):
        publisher.publish(post)
    assert server.requests == []


def test_no_secret_in_messages_or_logs(make, server, post, config, caplog):
    caplog.set_level(logging.DEBUG)
    server.on("com.atproto.server.createSession", session_body())
    answer_post(server)
    make().publish(post)  # password login, session saved
    errors = []
    # the saved session is rejected, the password login is refused with a message echoing it
    server.on("com.atproto.repo.uploadBlob", xrpc_error(400, "ExpiredToken", f"Token {ACCESS} has expired"))
    server.on("com.atproto.server.createSession",
              xrpc_error(401, "AuthenticationRequired", f"Invalid identifier or password {PASSWORD}"))
    with pytest.raises(NeedsHumanError) as caught:
        make().publish(post)
    errors.append(caught.value)
    server.on("com.atproto.server.createSession", session_body(ACCESS_2, REFRESH_2))
    server.on("com.atproto.repo.uploadBlob", blob_body())
    server.on("com.atproto.repo.createRecord", xrpc_error(400, "InvalidRequest", f"bad {REFRESH_2}"))
    server.on("com.atproto.repo.getRecord", xrpc_error(400, "RecordNotFound", "Could not locate record"))
    with pytest.raises(PermanentError) as caught:
        make().publish(post)
    errors.append(caught.value)

    assert "***" in str(errors[0]) and "***" in str(errors[1])
    for error in errors:
        for secret in SECRETS:
            assert secret not in str(error) and secret not in repr(error)
        assert error.__cause__ is None and error.__suppress_context__
    assert "HTTP Request" in caplog.text  # httpx logged every request: URLs only
    for secret in SECRETS:
        assert secret not in caplog.text


def test_a_retried_create_whose_record_exists_is_that_post_not_a_second_one(publisher, server, post):
    server.on("com.atproto.server.createSession", session_body())
    server.on("com.atproto.repo.uploadBlob", blob_body())
    server.on("com.atproto.repo.createRecord", xrpc_error(400, "InvalidRequest", "Record already exists"))
    server.on("com.atproto.repo.getRecord", {"uri": POST_URI, "cid": "bafyreigh2akiscaild", "value": {
        "$type": "app.bsky.feed.post", "text": post.caption, "createdAt": "2026-12-01T09:00:00.000Z"}})
    result = publisher.publish(post)
    assert result == PublishResult(POST_URI, f"https://bsky.app/profile/{HANDLE}/post/{RKEY}")
    assert server.sequence[-1] == f"GET {XRPC}/com.atproto.repo.getRecord"
    assert dict(server.requests[-1].url.params)["rkey"] == RKEY
