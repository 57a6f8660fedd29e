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
    with pytest.raises(PermanentError, match="501 characters, over Mastodon's 500"):
        publisher.publish(long)
    assert len(rsps.calls) == 0


def test_a_missing_image_is_permanent_and_sends_nothing(publisher, post, rsps, tmp_path):
    missing = Post(post.work_id, post.lines, tmp_path / "gone.jpg", post.alt_text, post.caption)
    with pytest.raises(PermanentError, match="cannot read the image"):
        publisher.publish(missing)
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
