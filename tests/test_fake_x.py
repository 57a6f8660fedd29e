"""The fake X is faithful enough: the real XPublisher and tweepy, over real HTTP on loopback,
get from it what they get from X (a post, a duplicate 403, errors, an outage)."""
from __future__ import annotations

import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from PIL import Image

from bot.config import Config
from fake_x import FAULTS, FakeX, RedirectAdapter, UnexpectedHost
from publishers.base import Post, PublishResult, RetryableError
from publishers.captions import caption
from publishers.twitter import XPublisher

ROOT = Path(__file__).resolve().parent.parent
LINES = ["moonlight on the snow", "a crow folds its black wings in", "the old cedar sighs"]
ALT = "A crow on a snowy cedar branch under a full moon."


@pytest.fixture
def fake():
    with FakeX() as x:
        yield x
    assert x.errors == []


@pytest.fixture
def publisher(fake, x_credentials, tmp_path):
    session = requests.Session()
    session.mount("https://", RedirectAdapter(fake.base_url))
    return XPublisher(Config(data_dir=tmp_path / "data"), session=session)


def make_post(tmp_path, lines=LINES) -> Post:
    path = tmp_path / "work-7.jpg"
    Image.new("RGB", (64, 64), (20, 30, 90)).save(path, "JPEG", quality=90)
    return Post(work_id=7, lines=lines, image_path=path, alt_text=ALT,
                caption=caption("x", lines, "Auria", ["haiku", "aiart"]))


@pytest.fixture
def post(tmp_path):
    return make_post(tmp_path)


def test_publish_posts_one_tweet_with_its_picture_and_alt_text(fake, publisher, post):
    result = publisher.publish(post)

    [tweet] = fake.tweets
    [upload] = fake.uploads
    assert result == PublishResult(tweet["id"], f"https://x.com/auria_bot/status/{tweet['id']}")
    assert tweet == {"id": tweet["id"], "text": post.caption, "media_ids": [upload["id"]]}
    assert upload["alt_text"] == ALT and upload["media_category"] == "tweet_image"
    assert upload["size"] == post.image_path.stat().st_size
    assert fake.calls == [("POST", "/2/media/upload"), ("POST", "/2/media/metadata"),
                          ("POST", "/2/tweets"), ("GET", "/2/users/me")]


def test_find_existing_and_a_repeated_publish_find_the_post(fake, publisher, post):
    first = publisher.publish(post)
    assert publisher.find_existing(post) == first
    # The same caption again: X's duplicate-content 403, then the timeline lookup.
    assert publisher.publish(post) == first
    assert len(fake.tweets) == 1 and fake.duplicates_refused == 1
    assert fake.calls[-2:] == [("POST", "/2/tweets"), ("GET", "/2/users/1001/tweets")]


def test_find_existing_on_an_empty_timeline(fake, publisher, post):
    assert publisher.find_existing(post) is None


def test_a_scripted_500_is_retryable_and_changes_nothing(fake, publisher, post):
    fake.script("/2/tweets", [(500, {}, {"title": "Internal Server Error", "status": 500})])
    with pytest.raises(RetryableError, match="create_tweet: HTTP 500"):
        publisher.publish(post)
    assert fake.tweets == []
    assert publisher.publish(post).remote_id == fake.tweets[0]["id"]  # the script is used up


def test_a_scripted_429_waits_for_the_reset(fake, publisher, post):
    reset = int(time.time()) + 30
    fake.script("/2/media/upload", [(429, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
                                     {"title": "Too Many Requests", "status": 429})])
    with pytest.raises(RetryableError) as info:
        publisher.publish(post)
    assert 27 <= info.value.retry_after <= 31
    assert fake.uploads == []


def test_stop_refuses_connections_and_start_brings_the_platform_back(fake, publisher, post, tmp_path):
    publisher.publish(post)
    port = fake.port
    fake.stop()
    with pytest.raises(RetryableError, match="network error"):
        publisher.publish(make_post(tmp_path, ["a", "b", "c"]))
    fake.start()
    assert fake.port == port
    publisher.publish(make_post(tmp_path, ["a", "b", "c"]))
    assert len(fake.tweets) == 2  # state survived the outage


@pytest.mark.parametrize("after_commit", [False, True])
def test_a_held_call_goes_on_when_released(fake, publisher, post, after_commit):
    fake.hold("/2/tweets", after_commit=after_commit)
    results = []
    worker = threading.Thread(target=lambda: results.append(publisher.publish(post)))
    worker.start()
    assert fake.wait_held(5)
    assert len(fake.tweets) == int(after_commit)  # after the commit: accepted, the client not told yet
    fake.release()
    worker.join(5)
    assert results[0].remote_id == fake.tweets[0]["id"] and len(fake.tweets) == 1


def _raw_create(fake, text: str) -> socket.socket:
    """A create_tweet sent by hand, so the test can hang up as a killed process would."""
    body = ('{"text": "%s"}' % text).encode()
    sock = socket.create_connection(("127.0.0.1", fake.port))
    sock.sendall(b"POST /2/tweets HTTP/1.1\r\nHost: api.twitter.com\r\nAuthorization: OAuth x\r\n"
                 b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    return sock


@pytest.mark.parametrize("after_commit, posted", [(False, 0), (True, 1)])
def test_a_client_gone_while_held(fake, publisher, post, after_commit, posted):
    fake.hold("/2/tweets", after_commit=after_commit)
    sock = _raw_create(fake, "hello")
    assert fake.wait_held(5)
    sock.close()
    fake.release()
    time.sleep(0.2)  # the handler's turn: drop the call, or write to the closed socket
    assert len(fake.tweets) == posted
    publisher.publish(post)  # the server lived through the dead socket
    assert len(fake.tweets) == posted + 1


def test_unsigned_calls_and_unknown_paths(fake):
    assert requests.get(fake.base_url + "/2/users/me").status_code == 401
    assert requests.get(fake.base_url + "/2/nothing", headers={"Authorization": "OAuth x"}).status_code == 404


def test_other_hosts_are_refused(fake):
    session = requests.Session()
    session.mount("https://", RedirectAdapter(fake.base_url))
    with pytest.raises(UnexpectedHost, match="example.org"):
        session.get("https://example.org/")


def test_accounts_check_through_the_launcher(fake, x_credentials, write_config, data_dir):
    config = write_config(f'data_dir = "{data_dir}"\n[publish]\nplatforms = ["x"]\n')
    done = subprocess.run(
        [sys.executable, "tests/fake_x_launcher.py", fake.base_url, "--config", str(config), "accounts", "check"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "x: OK (@auria_bot)\n"), done.stderr
    assert fake.calls == [("GET", "/2/users/me")]


# -- chaos: the random faults of benchmarks/faults.py ------------------------------------------

def _seed_for(fault: str) -> int:
    """A seed whose first chaos draw is `fault` (each call draws the rate check, then the kind)."""
    for seed in range(200):
        rng = random.Random(seed)
        rng.random()
        if rng.choice(FAULTS) == fault:
            return seed
    raise AssertionError(f"no seed gives {fault}")


@pytest.mark.parametrize("fault,message", [
    ("500", "HTTP 500"), ("503", "HTTP 503"), ("429", "rate limited"), ("drop", "network error"),
])
def test_chaos_faults_reach_the_adapter_as_passing_errors(fake, publisher, post, fault, message):
    fake.chaos(1.0, seed=_seed_for(fault))
    with pytest.raises(RetryableError, match=message) as caught:
        publisher.publish(post)
    assert fake.faults[0] == ("POST", "/2/media/upload", fault)
    assert fake.uploads == [] and fake.tweets == []
    if fault == "429":
        assert 0 < caught.value.retry_after <= 3, "the reset header is read"


def test_chaos_drop_after_commit_makes_the_post_and_loses_its_answer(fake, publisher, post):
    publisher.publish(post)  # the picture and a first post, without faults
    seed = _seed_for("drop after commit")
    fake.chaos(1.0, seed=seed)
    again = make_post(post.image_path.parent, ["a second haiku", "about the crow", "and its cedar"])
    with pytest.raises(RetryableError, match="network error"):
        publisher.publish(again)
    assert len(fake.uploads) == 2, "the upload was made; only its answer was lost"
    fake.chaos(0.0)
    assert fake.faults == [("POST", "/2/media/upload", "drop after commit")]


def test_chaos_with_rate_zero_changes_nothing_and_adds_latency(fake, publisher, post):
    fake.chaos(0.0, seed=1, latency=(0.05, 0.05))
    started = time.perf_counter()
    publisher.publish(post)
    assert len(fake.tweets) == 1 and fake.faults == []
    assert time.perf_counter() - started >= 0.05 * 2 * 3, "before and after each of the three calls"
