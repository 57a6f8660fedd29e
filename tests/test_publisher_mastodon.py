"""The Mastodon adapter through the real Mastodon.py, with HTTP answered by `responses`."""
import email
import email.policy
import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from PIL import Image

from bot.config import Config, PublishConfig
from publishers import mastodon as mastodon_module
from publishers.base import NeedsHumanError, NotConfiguredError, PermanentError, Post, PublishResult, RetryableError
from publishers.captions import caption
from publishers.mastodon import MastodonPublisher, html_to_text
from publishers.registry import make_publisher

BASE = "https://mastodon.example"
TOKEN = "mastodon-token-SECRET-5678"
MEDIA_URL = f"{BASE}/api/v2/media"
STATUS_URL = f"{BASE}/api/v1/statuses"
VERIFY_URL = f"{BASE}/api/v1/accounts/verify_credentials"
LINES = ["old pond, still", "a frog leaps into the dusk", "the water's answer"]
ALT = "A pale green pond at dusk; a small frog mid-leap leaves rings on the water."

MEDIA = {"id": "109", "type": "image", "url": f"{BASE}/system/media/109.jpg", "preview_url": None,
         "remote_url": None, "description": ALT, "blurhash": None, "meta": {}}
STATUS = {"id": "110", "uri": f"{BASE}/users/auria/statuses/110", "url": f"{BASE}/@auria/110",
          "content": "<p>old pond</p>", "visibility": "public", "media_attachments": [MEDIA], "reblog": None}
ACCOUNT = {"id": "42", "username": "auria", "acct": "auria", "display_name": "Auria", "url": f"{BASE}/@auria"}


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("AURIA_MASTODON_ACCESS_TOKEN", TOKEN)
    return TOKEN


@pytest.fixture
def config(tmp_path):
    return Config(data_dir=tmp_path / "data", publish=PublishConfig(platforms=["mastodon"], mastodon_url=BASE))


@pytest.fixture
def publisher(config, token):
    publisher = MastodonPublisher(config)
    publisher.sleeps = []
    publisher._sleep = publisher.sleeps.append  # the media polling never really waits
    # As post_work leaves it: the instance's limit asked already (its own tests are below).
    publisher._max_characters = 500
    return publisher


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "image.jpg"
    Image.new("RGB", (1080, 1350), (40, 90, 70)).save(path, "JPEG", quality=90)
    return path


@pytest.fixture
def post(image):
    text = caption("mastodon", LINES, "Auria", ["haiku", "poetry", "aiart"])
    return Post(work_id=7, lines=LINES, image_path=image, alt_text=ALT, caption=text, key="3kq2ahhxylj2a")


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def multipart_fields(request) -> dict:
    """name -> (filename, content type, payload bytes) of a multipart/form-data request."""
    raw = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode() + request.body
    message = email.message_from_bytes(raw, policy=email.policy.HTTP)
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
    return fields


def sequence(rsps) -> list[str]:
    return [f"{call.request.method} {call.request.url.split('?')[0]}" for call in rsps.calls]


# -- success ------------------------------------------------------------------------------

def test_publish_uploads_the_image_with_alt_text_then_posts_the_status(publisher, post, image, rsps):
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, json=STATUS)

    result = publisher.publish(post)

    assert result == PublishResult(remote_id="110", url=f"{BASE}/@auria/110")
    assert sequence(rsps) == [f"POST {MEDIA_URL}", f"POST {STATUS_URL}"]  # no version probe, no v1 media
    for call in rsps.calls:
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    fields = multipart_fields(rsps.calls[0].request)
    assert set(fields) == {"file", "description"}
    assert fields["file"] == ("image.jpg", "image/jpeg", image.read_bytes())
    assert fields["description"][2].decode() == ALT
    status_request = rsps.calls[1].request
    assert status_request.headers["Idempotency-Key"] == "3kq2ahhxylj2a", "the post's own stored key"
    form = parse_qs(status_request.body)
    assert form["status"] == [post.caption]
    assert form["media_ids[]"] == ["109"]
    assert form["visibility"] == ["public"]
    assert publisher.sleeps == []


def test_a_202_upload_is_polled_until_processed(publisher, post, rsps):
    rsps.post(MEDIA_URL, json={**MEDIA, "url": None}, status=202)
    rsps.get(f"{BASE}/api/v1/media/109", json={**MEDIA, "url": None}, status=206)
    rsps.get(f"{BASE}/api/v1/media/109", json=MEDIA, status=200)
    rsps.post(STATUS_URL, json=STATUS)

    assert publisher.publish(post).remote_id == "110"
    assert sequence(rsps) == [f"POST {MEDIA_URL}", f"GET {BASE}/api/v1/media/109",
                              f"GET {BASE}/api/v1/media/109", f"POST {STATUS_URL}"]
    assert rsps.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert publisher.sleeps == [mastodon_module.MEDIA_POLL_SECONDS] * 2
    assert parse_qs(rsps.calls[3].request.body)["media_ids[]"] == ["109"]


def test_an_upload_that_never_finishes_processing_is_retried_later(publisher, post, rsps, monkeypatch):
    monkeypatch.setattr(mastodon_module, "MEDIA_POLLS", 2)
    rsps.post(MEDIA_URL, json={**MEDIA, "url": None}, status=202)
    rsps.get(f"{BASE}/api/v1/media/109", json={**MEDIA, "url": None}, status=206)
    rsps.get(f"{BASE}/api/v1/media/109", json={**MEDIA, "url": None}, status=206)

    with pytest.raises(RetryableError, match="still being processed") as caught:
        publisher.publish(post)
    assert caught.value.retry_after == mastodon_module.PROCESSING_RETRY_SECONDS
    assert all("statuses" not in c.request.url for c in rsps.calls)


def test_the_status_url_falls_back_to_the_uri(publisher, post, rsps):
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, json={**STATUS, "url": None})
    assert publisher.publish(post).url == STATUS["uri"]


def test_registry_builds_the_adapter(config):
    assert isinstance(make_publisher("mastodon", config), MastodonPublisher)


# -- errors -------------------------------------------------------------------------------

STATUS_ERRORS = [
    (400, {"error": "Bad request"}, PermanentError),
    (401, {"error": "The access token is invalid"}, NeedsHumanError),
    (403, {"error": "Your login is currently disabled"}, NeedsHumanError),
    (404, {"error": "Record not found"}, PermanentError),
    (422, {"error": "Validation failed: Text character limit of 500 exceeded"}, PermanentError),
    (422, {"error": "Cannot attach files that have not finished processing. Try again in a moment!"},
     RetryableError),
    (408, {"error": "Request timeout"}, RetryableError),
    (500, {"error": "We're sorry, but something went wrong on our end."}, RetryableError),
    (502, {"error": "Bad gateway"}, RetryableError),
    (503, {"error": "Service unavailable"}, RetryableError),
    (504, {"error": "Gateway timeout"}, RetryableError),
]


@pytest.mark.parametrize("status,body,expected", STATUS_ERRORS)
def test_status_post_errors_map_to_the_taxonomy(publisher, post, rsps, status, body, expected):
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, json=body, status=status)
    with pytest.raises(expected) as caught:
        publisher.publish(post)
    message = str(caught.value)
    assert message.startswith("mastodon: status post failed: HTTP %d" % status)
    assert body["error"] in message
    assert TOKEN not in message


@pytest.mark.parametrize("status,expected", [(400, PermanentError), (401, NeedsHumanError), (403, NeedsHumanError),
                                             (413, PermanentError), (422, PermanentError), (500, RetryableError)])
def test_media_upload_errors_map_to_the_taxonomy_and_no_status_is_posted(publisher, post, rsps, status, expected):
    rsps.post(MEDIA_URL, json={"error": "nope"}, status=status)
    with pytest.raises(expected, match=f"media upload failed: HTTP {status}"):
        publisher.publish(post)
    assert sequence(rsps) == [f"POST {MEDIA_URL}"]


def test_429_is_retried_when_x_ratelimit_reset_says(publisher, post, rsps):
    reset = datetime.now(timezone.utc) + timedelta(seconds=300)
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, json={"error": "Too many requests"}, status=429, headers={
        "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z")})
    with pytest.raises(RetryableError, match="rate limited") as caught:
        publisher.publish(post)
    assert 290 <= caught.value.retry_after <= 300
    assert len(rsps.calls) == 2  # thrown, not slept on and repeated


def test_429_without_a_reset_header_leaves_the_delay_to_the_caller(publisher, post, rsps):
    rsps.post(MEDIA_URL, json={"error": "Too many requests"}, status=429)
    with pytest.raises(RetryableError) as caught:
        publisher.publish(post)
    assert caught.value.retry_after is None


@pytest.mark.parametrize("exception", [
    requests.exceptions.ReadTimeout("HTTPSConnectionPool(host='mastodon.example', port=443): Read timed out."),
    requests.exceptions.ConnectTimeout("connect timed out"),
    requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset by peer")),
], ids=["read-timeout", "connect-timeout", "connection-reset"])
def test_timeouts_and_dropped_connections_are_retried(publisher, post, rsps, exception):
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, body=exception)
    with pytest.raises(RetryableError, match="status post failed"):
        publisher.publish(post)


def test_a_success_status_with_a_body_that_is_not_json_is_retried(publisher, post, rsps):
    rsps.post(MEDIA_URL, body="<html>maintenance</html>", status=200, content_type="text/html")
    with pytest.raises(RetryableError, match="media upload failed"):
        publisher.publish(post)


def test_a_caption_over_500_characters_is_permanent_and_sends_nothing(publisher, post, rsps):
    long = Post(post.work_id, post.lines, post.image_path, post.alt_text, "x" * 501)
    with pytest.raises(PermanentError, match="501 characters, over the instance's 500"):
        publisher.publish(long)
    assert len(rsps.calls) == 0


def test_a_missing_image_is_permanent_and_sends_nothing(publisher, post, rsps, tmp_path):
    missing = Post(post.work_id, post.lines, tmp_path / "gone.jpg", post.alt_text, post.caption)
    with pytest.raises(PermanentError, match="cannot read the image"):
        publisher.publish(missing)
    assert len(rsps.calls) == 0


# -- the instance's character limit ---------------------------------------------------------

INSTANCE_V2_URL = f"{BASE}/api/v2/instance/"  # Mastodon.py asks with the trailing slash
INSTANCE_V1_URL = f"{BASE}/api/v1/instance/"
LONG_LINES = [("an old pond at dusk " * 12).strip(), ("a frog leaps into the dark water " * 7).strip(),
              ("the sound of rings widening " * 8).strip()]


def instance_v2(max_characters=None) -> dict:
    configuration = {"urls": {"streaming": "wss://mastodon.example"}}
    if max_characters is not None:
        configuration["statuses"] = {"max_characters": max_characters, "max_media_attachments": 4,
                                     "characters_reserved_per_url": 23}
    return {"domain": "mastodon.example", "title": "Mastodon", "version": "4.3.2", "configuration": configuration}


@pytest.fixture
def store(tmp_path, image):
    from state.store import open_store
    from state.works import add_work, get_work

    db = open_store(tmp_path / "auria.db")
    work_id = add_work(db, haiku="\n".join(LONG_LINES), shape="5-7-5", seed=1, params={}, models={},
                       status="ready", image_path=image, alt_text=ALT)
    return db, get_work(db, work_id)


def post_through(store, config, rsps) -> str:
    """post_work with a fresh adapter, as the daemon does; the status text it sent."""
    from publishers.posting import post_work

    db, work = store
    publisher = MastodonPublisher(config)
    outcomes = post_work(db, work, [publisher], config.publish)
    assert outcomes["mastodon"].startswith("posted"), outcomes
    [status_call] = [c for c in rsps.calls if c.request.url == STATUS_URL]
    return parse_qs(status_call.request.body)["status"][0]


def test_an_instance_of_1000_characters_takes_a_700_character_caption_uncut(store, config, token, rsps):
    rsps.get(INSTANCE_V2_URL, json=instance_v2(1000))
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, json=STATUS)

    sent = post_through(store, config, rsps)

    haiku = "\n".join(LONG_LINES)
    assert len(haiku) > 500
    assert sent == f"{haiku}\n\n— Auria\n\n#haiku #poetry #aiart" and 700 <= len(sent) <= 1000, len(sent)
    assert sequence(rsps) == [f"GET {INSTANCE_V2_URL}", f"POST {MEDIA_URL}", f"POST {STATUS_URL}"]
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_limit_is_asked_once_per_adapter(config, token, rsps):
    rsps.get(INSTANCE_V2_URL, json=instance_v2(3000))
    publisher = MastodonPublisher(config)
    assert [publisher.caption_limit() for _ in range(3)] == [3000] * 3
    assert len(rsps.calls) == 1


def test_an_instance_that_does_not_say_gets_500(store, config, token, rsps, caplog):
    caplog.set_level(logging.INFO)
    rsps.get(INSTANCE_V2_URL, json=instance_v2(None))
    rsps.get(INSTANCE_V1_URL, json={"uri": "mastodon.example", "title": "Mastodon", "version": "4.3.2"})
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, json=STATUS)

    sent = post_through(store, config, rsps)

    assert len(sent) <= 500 and sent.endswith("…"), "cut at a word, with an ellipsis"
    assert sequence(rsps)[:2] == [f"GET {INSTANCE_V2_URL}", f"GET {INSTANCE_V1_URL}"]
    assert "does not say its status length" in caplog.text


@pytest.mark.parametrize("v1,expected", [
    ({"uri": "pleroma.example", "max_toot_chars": 5000}, 5000),  # Pleroma, Akkoma
    ({"uri": "mastodon.example", "configuration": {"statuses": {"max_characters": 700}}}, 700),  # Mastodon 3.x
    ({"uri": "odd.example", "max_toot_chars": "5000"}, 500),  # not a number: not believed
    ({"uri": "odd.example", "max_toot_chars": 0}, 500),
], ids=["max_toot_chars", "v1-configuration", "a-string", "zero"])
def test_a_server_without_v2_is_asked_at_v1(config, token, rsps, v1, expected):
    rsps.get(INSTANCE_V2_URL, json={"error": "Record not found"}, status=404)
    rsps.get(INSTANCE_V1_URL, json=v1)
    assert MastodonPublisher(config).caption_limit() == expected


@pytest.mark.parametrize("answer", [
    {"json": {"error": "Service unavailable"}, "status": 503},
    {"json": {"error": "Too many requests"}, "status": 429},
    {"json": {"error": "This API requires an authenticated user"}, "status": 401},
    {"body": "<html>maintenance</html>", "status": 200, "content_type": "text/html"},
    {"body": requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset by peer"))},
], ids=["503", "429", "401", "not-json", "connection-reset"])
def test_a_failing_look_up_does_not_fail_the_post_it_is_cut_to_500(store, config, token, rsps, caplog, answer):
    rsps.get(INSTANCE_V2_URL, **answer)
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, json=STATUS)

    sent = post_through(store, config, rsps)

    assert len(sent) <= 500
    assert f"GET {INSTANCE_V1_URL}" not in sequence(rsps), "a server that failed now is not asked again at v1"
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING and "look-up" in r.getMessage()]
    assert "captions are cut to Mastodon's default of 500" in warning.getMessage()
    assert TOKEN not in caplog.text


def test_the_look_up_has_a_short_timeout(config, token, rsps):
    rsps.get(INSTANCE_V2_URL, json=instance_v2(1000))
    MastodonPublisher(config).caption_limit()
    assert rsps.calls[0].request.req_kwargs["timeout"] == mastodon_module.LOOKUP_TIMEOUT


def test_unconfigured_the_look_up_sends_nothing(config, rsps):
    assert MastodonPublisher(config).caption_limit() == 500
    assert len(rsps.calls) == 0


# -- find_existing and check --------------------------------------------------------------

def _status_html(lines, tags=("haiku", "poetry")):
    links = " ".join(f'<a href="{BASE}/tags/{t}" class="mention hashtag" rel="tag">#<span>{t}</span></a>'
                     for t in tags)
    return f"<p>{'<br />'.join(lines)}</p><p>— Auria</p><p>{links}</p>"


def test_find_existing_matches_our_recent_status_by_its_haiku(publisher, post, rsps):
    rsps.get(VERIFY_URL, json=ACCOUNT)
    rsps.get(f"{BASE}/api/v1/accounts/42/statuses", json=[
        {**STATUS, "id": "301", "content": "<p>something else entirely</p>", "url": f"{BASE}/@auria/301"},
        {**STATUS, "id": "302", "content": "", "url": None, "reblog": {**STATUS, "content": _status_html(LINES)}},
        {**STATUS, "id": "303", "content": _status_html(["old pond, still", "a frog leaps into the dusk",
                                                          "the water&#39;s answer"]), "url": f"{BASE}/@auria/303"},
    ])

    assert publisher.find_existing(post) == PublishResult("303", f"{BASE}/@auria/303")
    assert sequence(rsps) == [f"GET {VERIFY_URL}", f"GET {BASE}/api/v1/accounts/42/statuses"]
    query = parse_qs(urlsplit(rsps.calls[1].request.url).query)
    assert query["limit"] == ["20"]
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in rsps.calls)


def test_find_existing_returns_none_when_nothing_matches(publisher, post, rsps):
    rsps.get(VERIFY_URL, json=ACCOUNT)
    rsps.get(f"{BASE}/api/v1/accounts/42/statuses", json=[{**STATUS, "content": "<p>another haiku</p>"}])
    assert publisher.find_existing(post) is None


def test_find_existing_raises_when_it_cannot_tell(publisher, post, rsps):
    rsps.get(VERIFY_URL, json=ACCOUNT)
    rsps.get(f"{BASE}/api/v1/accounts/42/statuses", json={"error": "oops"}, status=503)
    with pytest.raises(RetryableError, match="recent statuses failed: HTTP 503"):
        publisher.find_existing(post)


def test_html_to_text_keeps_lines_and_paragraphs():
    assert html_to_text("<p>a &amp; b<br>c</p><p>d</p>") == "a & b\nc\n\nd"


def test_check_returns_the_account(publisher, rsps):
    rsps.get(VERIFY_URL, json=ACCOUNT)
    assert publisher.check() == "@auria@mastodon.example"
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_check_with_a_revoked_token_needs_a_human(publisher, rsps):
    rsps.get(VERIFY_URL, json={"error": "The access token was revoked"}, status=401)
    with pytest.raises(NeedsHumanError, match="HTTP 401.*revoked.*AURIA_MASTODON_ACCESS_TOKEN"):
        publisher.check()


# -- validate and secrets -----------------------------------------------------------------

def test_validate_names_everything_missing(tmp_path):
    publisher = MastodonPublisher(Config(data_dir=tmp_path))
    with pytest.raises(NotConfiguredError) as caught:
        publisher.validate()
    message = str(caught.value)
    assert "publish.mastodon_url" in message
    assert "AURIA_MASTODON_ACCESS_TOKEN" in message
    assert "$CREDENTIALS_DIRECTORY/mastodon_access_token" in message


def test_validate_with_only_the_url_missing_never_shows_the_token(tmp_path, token):
    publisher = MastodonPublisher(Config(data_dir=tmp_path))
    with pytest.raises(NotConfiguredError, match="publish.mastodon_url") as caught:
        publisher.validate()
    assert "AURIA_MASTODON_ACCESS_TOKEN" not in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_validate_accepts_the_token_from_the_credentials_directory(config, credentials_dir):
    (credentials_dir / "mastodon_access_token").write_text(TOKEN + "\n")
    MastodonPublisher(config).validate()


def test_validate_with_the_token_missing(config):
    with pytest.raises(NotConfiguredError, match="AURIA_MASTODON_ACCESS_TOKEN") as caught:
        MastodonPublisher(config).validate()
    assert "mastodon_url" not in str(caught.value)


def test_publishing_unconfigured_needs_a_human_and_sends_nothing(config, post, rsps):
    with pytest.raises(NeedsHumanError, match="AURIA_MASTODON_ACCESS_TOKEN"):
        MastodonPublisher(config).publish(post)
    assert len(rsps.calls) == 0


def test_no_secret_in_messages_or_logs(publisher, post, rsps, caplog):
    caplog.set_level(logging.DEBUG)
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, json=STATUS)
    rsps.post(MEDIA_URL, json=MEDIA)
    rsps.post(STATUS_URL, json={"error": f"The access token {TOKEN} is invalid"}, status=401)
    rsps.post(MEDIA_URL, body=requests.exceptions.ConnectionError(f"cannot reach {BASE}"))

    publisher.publish(post)
    errors = []
    for _ in range(2):
        with pytest.raises((NeedsHumanError, RetryableError)) as caught:
            publisher.publish(post)
        errors.append(caught.value)

    assert isinstance(errors[0], NeedsHumanError)
    assert "***" in str(errors[0])  # the server echoed the token: redacted
    for error in errors:
        assert TOKEN not in str(error) and TOKEN not in repr(error)
        assert error.__cause__ is None and error.__suppress_context__
    assert caplog.records  # the adapter did log
    assert TOKEN not in caplog.text
