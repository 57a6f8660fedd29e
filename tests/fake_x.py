"""A local fake of the X API, for tests that run the real daemon and the real tweepy client
over real HTTP, kill and restart it, and then count what the platform received.

    with FakeX() as x:                                  # serves x.base_url, http://127.0.0.1:PORT
        x.script("/2/tweets", [(500, {}, None)])        # the next /2/tweets call gets a 500
        x.hold("/2/tweets", after_commit=True)          # the next one is posted, its answer held
        ...                                             # a client talks to x.base_url
        x.wait_held(10); kill the client; x.release()
        assert len(x.tweets) == 1

For a long random run (benchmarks/faults.py), `chaos(rate, seed)` makes every authorised
call, with probability `rate`, fail in one of `FAULTS` (a 500, a 503, a 429 with the
platform's reset header, a connection dropped before the platform acted, or one dropped
after it acted: the post is made, its answer never comes), with a random latency around
it; `faults` lists what was done to which call.

Requests reach it through `RedirectAdapter` (mounted on a session) or `install_redirect`
(a process-wide patch, for a daemon that builds its own session): both send what was meant
for https://api.x.com or https://api.twitter.com here, same path and query, and the hosts
given in `extra` to theirs (tests/fake_mastodon.py: https://mastodon.test).

`FakePlatform` holds what any such fake needs (the server on a kept port, the records of
calls, scripted answers, holds); a platform adds its checks and routes (`FakeX` here).

The fake checks what the adapter relies on (an OAuth header, the multipart fields, known
media ids, X's duplicate-content 403, the timeline's shape) and nothing more: signatures
are not verified, and a duplicate is the exact same text.
"""
from __future__ import annotations

import email.parser
import html
import itertools
import json
import random
import re
import select
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlsplit, urlunsplit

from requests.adapters import HTTPAdapter

USER = {"id": "1001", "name": "Auria", "username": "auria_bot"}
X_HOSTS = ("api.x.com", "api.twitter.com")
LOOPBACK = ("127.0.0.1", "localhost", "::1")

# X's error bodies: problem details (the adapter reads title, detail and type), or v1-style.
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
DUPLICATE = {"title": "Forbidden", "type": "about:blank", "status": 403,
             "detail": "You are not allowed to create a Tweet with duplicate content."}
NOT_FOUND = {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}
USER_TWEETS = re.compile(r"/2/users/(\d+)/tweets")
FAULTS = ("500", "503", "429", "drop", "drop after commit")


def invalid(detail: str) -> tuple[int, dict, dict]:
    return 400, {}, {"title": "Invalid Request", "type": "https://api.twitter.com/2/problems/invalid-request",
                     "status": 400, "detail": detail, "errors": [{"message": detail}]}


class _Hold:
    def __init__(self, after_commit: bool):
        self.after_commit = after_commit
        self.held = threading.Event()  # a call is blocked on it
        self.released = threading.Event()
        self.dropped = False  # stop() let it go: answer nothing


class FakePlatform:
    """A platform served on 127.0.0.1, with its life cycle, records and faults. Subclasses
    say who is authorised, what a refusal and a failure look like, and answer the calls."""

    name = "platform"  # for the server thread's name

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[tuple[str, str]] = []
        self._errors: list[str] = []  # exceptions inside the fake itself: a test should see none
        self._scripts: dict[str, list[tuple]] = {}
        self._holds: dict[str, _Hold] = {}  # armed, not reached by a call yet
        self._reached: list[_Hold] = []  # reached by a call, maybe released since
        self._last_hold: _Hold | None = None  # what wait_held() waits for
        self._server: _Server | None = None
        self.port = 0  # chosen by the system at the first start, kept for every restart
        self._chaos: tuple[float, random.Random, tuple[float, float]] | None = None
        self._faults: list[tuple[str, str, str]] = []

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is None:
            server = _Server(("127.0.0.1", self.port), _Handler)
            server.fake = self
            self.port = server.server_address[1]
            self._server = server
            # A short poll interval: shutdown() waits up to one.
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                             name=f"fake-{self.name}-{self.port}", daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the port: connections are refused until start(). State is kept. A call
        held meanwhile is let go and dropped without an answer, as an outage would."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        for hold in self._blocked():
            hold.dropped = True
            hold.released.set()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- records: copies, safe to read while a client is talking ---------------------------

    @property
    def calls(self) -> list[tuple[str, str]]:
        """Every request received, as (method, path without the query), authorised or not."""
        with self._lock:
            return list(self._calls)

    @property
    def errors(self) -> list[str]:
        with self._lock:
            return list(self._errors)

    # -- faults ----------------------------------------------------------------------------

    def script(self, path: str, responses: list[tuple[int, dict, object]]) -> None:
        """The next len(responses) authorised calls to `path` get these (status, headers,
        JSON body or None) instead of the platform's answer, and change nothing."""
        with self._lock:
            self._scripts.setdefault(path, []).extend(responses)

    def chaos(self, rate: float, seed: int | None = None, latency: tuple[float, float] = (0.0, 0.0)) -> None:
        """From now on each authorised call (scripts and holds aside) fails with probability
        `rate` in one of FAULTS, chosen evenly, and waits a random `latency` (seconds, low
        and high) before the platform acts and again before it answers."""
        with self._lock:
            self._chaos = (rate, random.Random(seed), latency)

    @property
    def faults(self) -> list[tuple[str, str, str]]:
        """The faults chaos() made, oldest first: (method, path, fault)."""
        with self._lock:
            return list(self._faults)

    def hold(self, path: str, after_commit: bool = False) -> None:
        """Block the next authorised call to `path` until release().

        Before the commit (the default) the platform has not acted: if the client is gone
        when released (kill it and wait for it first), nothing is recorded and nothing
        answered. With after_commit the post or upload is recorded first and only the answer
        waits; it then goes to whoever still listens."""
        with self._lock:
            self._last_hold = self._holds[path] = _Hold(after_commit)

    def wait_held(self, timeout: float) -> bool:
        """True once the call armed by the last hold() is blocked in the handler."""
        hold = self._last_hold
        return hold is not None and hold.held.wait(timeout)

    def release(self) -> None:
        """Let the held calls go (and the last armed one, should it come later)."""
        for hold in self._blocked() + ([self._last_hold] if self._last_hold else []):
            hold.released.set()

    def _blocked(self) -> list[_Hold]:
        """Holds reached by a call and not released yet."""
        with self._lock:
            self._reached = [hold for hold in self._reached if not hold.released.is_set()]
            return list(self._reached)

    # -- what a platform provides ------------------------------------------------------------

    def _authorised(self, headers) -> bool:
        raise NotImplementedError

    def _unauthorised(self) -> tuple[int, dict, object]:
        raise NotImplementedError

    def _failed(self) -> tuple[int, dict, object]:
        """The answer when the fake itself fails (recorded in errors)."""
        return 500, {}, None

    def _unavailable(self) -> tuple[int, dict, object]:
        return 503, {}, None

    def _rate_limited(self, reset_seconds: int) -> tuple[int, dict, object]:
        """A 429 with the platform's header for when the limit resets."""
        raise NotImplementedError

    def _route(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple:
        """(status, headers, JSON body or None) for an authorised call neither scripted nor dropped."""
        raise NotImplementedError

    # -- the server's side -------------------------------------------------------------------

    def _arrive(self, method: str, path: str, authorised: bool) -> tuple[tuple | None, _Hold | None]:
        """Record the call; an authorised one takes its scripted answer and hold, if armed."""
        with self._lock:
            self._calls.append((method, path))
            if not authorised:
                return None, None
            queue = self._scripts.get(path)
            hold = self._holds.pop(path, None)
            if hold:
                self._reached.append(hold)
            return (queue.pop(0) if queue else None), hold

    def _chaos_for(self, method: str, path: str) -> tuple[str | None, float, float]:
        """(the fault for this call or None, latency before acting, latency before answering)."""
        with self._lock:
            if self._chaos is None:
                return None, 0.0, 0.0
            rate, rng, (low, high) = self._chaos
            fault = rng.choice(FAULTS) if rng.random() < rate else None
            if fault:
                self._faults.append((method, path, fault))
            return fault, rng.uniform(low, high), rng.uniform(low, high)

    def _fault_answer(self, fault: str) -> tuple[int, dict, object]:
        if fault == "500":
            return self._failed()
        if fault == "503":
            return self._unavailable()
        return self._rate_limited(reset_seconds=2)


class FakeX(FakePlatform):
    name = "x"

    def __init__(self) -> None:
        super().__init__()
        self._tweets: list[dict] = []
        self._uploads: dict[str, dict] = {}
        self._ids = itertools.count(1)
        self._duplicates_refused = 0

    # -- what the platform holds: copies, safe to read while a client is talking -----------

    @property
    def tweets(self) -> list[dict]:
        """Posts accepted, oldest first: {"id", "text", "media_ids"}."""
        with self._lock:
            return [dict(t, media_ids=list(t["media_ids"])) for t in self._tweets]

    @property
    def uploads(self) -> list[dict]:
        """Media accepted, oldest first: {"id", "size", "media_category", "alt_text" (None until set)}."""
        with self._lock:
            return [dict(u) for u in self._uploads.values()]

    @property
    def duplicates_refused(self) -> int:
        """Posts refused with X's duplicate-content 403: a client sending the same text again."""
        with self._lock:
            return self._duplicates_refused

    # -- the platform ----------------------------------------------------------------------

    def _authorised(self, headers) -> bool:
        return headers.get("Authorization", "").startswith("OAuth ")

    def _unauthorised(self) -> tuple:
        return 401, {}, UNAUTHORIZED

    def _failed(self) -> tuple:
        return 500, {}, {"title": "Internal Server Error", "detail": "fake X failed", "status": 500}

    def _unavailable(self) -> tuple:
        return 503, {}, {"title": "Service Unavailable", "detail": "fake X is over capacity", "status": 503}

    def _rate_limited(self, reset_seconds: int) -> tuple:
        return 429, {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0",
                     "x-rate-limit-reset": str(int(time.time()) + reset_seconds)}, \
            {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}

    def _new_id(self) -> str:
        # Snowflake-sized decimal strings like X's, unique across media and posts.
        return str(1_880_000_000_000_000_000 + next(self._ids))

    def _route(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple:
        if (method, path) == ("POST", "/2/media/upload"):
            return self._upload(headers.get("Content-Type", ""), body)
        if (method, path) == ("POST", "/2/media/metadata"):
            return self._metadata(body)
        if (method, path) == ("POST", "/2/tweets"):
            return self._create_tweet(body)
        if (method, path) == ("GET", "/2/users/me"):
            return 200, {}, {"data": dict(USER)}
        match = USER_TWEETS.fullmatch(path)
        if method == "GET" and match:
            return self._timeline(match[1], query)
        return 404, {}, NOT_FOUND

    def _upload(self, content_type: str, body: bytes) -> tuple:
        fields = _multipart(content_type, body)
        media, category = fields.get("media"), fields.get("media_category")
        if not media or not category:
            return invalid("media and media_category are required (multipart/form-data)")
        media_id = self._new_id()
        with self._lock:
            self._uploads[media_id] = {"id": media_id, "size": len(media),
                                       "media_category": category.decode(), "alt_text": None}
        return 200, {}, {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": len(media),
                                  "expires_after_secs": 86400}}

    def _metadata(self, body: bytes) -> tuple:
        data = _json(body)
        media_id = str(data.get("id") or "")
        alt = ((data.get("metadata") or {}).get("alt_text") or {}).get("text")
        with self._lock:
            if media_id not in self._uploads or not isinstance(alt, str):
                return invalid("id must be an uploaded media id and metadata.alt_text.text a string")
            self._uploads[media_id]["alt_text"] = alt
        return 200, {}, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}

    def _create_tweet(self, body: bytes) -> tuple:
        data = _json(body)
        text = data.get("text")
        media_ids = [str(m) for m in (data.get("media") or {}).get("media_ids") or []]
        if not isinstance(text, str) or not (text or media_ids):
            return invalid("text or media is required")
        with self._lock:
            if any(m not in self._uploads for m in media_ids):
                return invalid("Your media IDs are invalid.")
            if any(t["text"] == text for t in self._tweets):
                self._duplicates_refused += 1
                return 403, {}, DUPLICATE
            tweet = {"id": self._new_id(), "text": text, "media_ids": media_ids}
            self._tweets.append(tweet)
        return 201, {}, {"data": _shown(tweet)}

    def _timeline(self, user_id: str, query: dict) -> tuple:
        try:
            limit = int(query.get("max_results", ["10"])[0])
        except ValueError:
            limit = 0
        if not 5 <= limit <= 100:  # X's bounds for this endpoint
            return invalid("max_results must be between 5 and 100")
        with self._lock:
            tweets = list(reversed(self._tweets))[:limit] if user_id == USER["id"] else []
        if not tweets:
            return 200, {}, {"meta": {"result_count": 0}}  # X leaves "data" out, not []
        return 200, {}, {"data": [_shown(t) for t in tweets],
                         "meta": {"result_count": len(tweets), "newest_id": tweets[0]["id"],
                                  "oldest_id": tweets[-1]["id"]}}


def _shown(tweet: dict) -> dict:
    # As X shows a post: HTML-escaped, with a t.co link to the picture appended.
    text = html.escape(tweet["text"], quote=False)
    if tweet["media_ids"]:
        text += f" https://t.co/{tweet['id'][-10:]}"
    return {"id": tweet["id"], "text": text, "edit_history_tweet_ids": [tweet["id"]]}


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    if not content_type.startswith("multipart/form-data"):
        return {}
    message = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    if not message.is_multipart():
        return {}
    return {part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in message.get_payload()}


def _client_gone(sock: socket.socket) -> bool:
    """The peer closed its end (a killed process's sockets are closed by the kernel)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True  # restart on the same port despite connections in TIME_WAIT
    daemon_threads = True  # a held call must not keep the test process alive
    fake: FakePlatform

    def handle_error(self, request, client_address):
        # A client killed mid-call leaves a dead socket: expected here, not a server error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so no pooled keep-alive connection outlives
    # stop() and every call after it meets a closed port.
    protocol_version = "HTTP/1.0"
    server: _Server

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")

    def do_DELETE(self):
        self._serve("DELETE")

    def log_message(self, format, *args):
        pass  # quiet: the test reads fake.calls instead

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        authorised = fake._authorised(self.headers)
        scripted, hold = fake._arrive(method, url.path, authorised)
        if not authorised:
            return self._answer(*fake._unauthorised())
        if hold and not hold.after_commit and not self._wait(hold):
            return  # the client left, or the platform went down, before anything happened
        fault, before, after = (None, 0.0, 0.0) if scripted or hold else fake._chaos_for(method, url.path)
        time.sleep(before)
        if fault == "drop":
            return  # the connection closes unanswered; nothing happened
        if fault and fault != "drop after commit":
            return self._answer(*fake._fault_answer(fault))
        if scripted:
            answer = scripted
        else:
            try:
                answer = fake._route(method, url.path, parse_qs(url.query), self.headers, body)
            except Exception as error:  # noqa: BLE001 - a bug in the fake: tell the test, answer 500
                with fake._lock:
                    fake._errors.append(f"{method} {url.path}: {type(error).__name__}: {error}")
                answer = fake._failed()
        if hold and hold.after_commit and not self._wait(hold):
            return
        time.sleep(after)
        if fault == "drop after commit":
            return  # the platform acted; its answer never comes
        self._answer(*answer)

    def _wait(self, hold: _Hold) -> bool:
        """Block until released; whether to carry on (False: drop the call unanswered)."""
        hold.held.set()
        hold.released.wait()
        if hold.dropped:
            return False
        return hold.after_commit or not _client_gone(self.connection)

    def _answer(self, status: int, headers: dict, body) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        try:
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, str(value))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except ConnectionError:
            pass  # the client was killed while we held its answer


# -- sending X's traffic here ----------------------------------------------------------------


class UnexpectedHost(RuntimeError):
    """A request for a host that is neither faked nor loopback: the fake will not let it out."""


def redirected_url(url: str, base_url: str, extra: dict[str, str] | None = None) -> str:
    """`url` with X's hosts sent to base_url and each host in `extra` (a name, no port) to
    its base URL; loopback unchanged; anything else refused."""
    parts = urlsplit(url)
    targets = {**dict.fromkeys(X_HOSTS, base_url), **(extra or {})}
    if parts.hostname in targets:
        base = urlsplit(targets[parts.hostname])
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
    if parts.hostname in LOOPBACK:
        return url
    faked = list(targets)
    raise UnexpectedHost(f"fake X: refusing a request to {parts.scheme}://{parts.netloc} "
                         f"(only {', '.join(faked[:-1])} and {faked[-1]} are faked)")


def _send_redirected(send, adapter, request, base_url: str, kwargs: dict, extra: dict[str, str] | None = None):
    url = redirected_url(request.url, base_url, extra)
    if url != request.url:
        request = request.copy()
        request.url = url
        kwargs["proxies"] = {}  # proxies chosen for the real host must not carry loopback traffic
    return send(adapter, request, **kwargs)


class RedirectAdapter(HTTPAdapter):
    """Mount on a session for https:// to send X's calls to the fake at base_url (and the
    hosts in `extra`, {"mastodon.test": URL}, to theirs)."""

    def __init__(self, base_url: str, extra: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url
        self.extra = dict(extra or {})

    def send(self, request, **kwargs):
        return _send_redirected(HTTPAdapter.send, self, request, self.base_url, kwargs, self.extra)


_original_send = None


def install_redirect(base_url: str, extra: dict[str, str] | None = None) -> None:
    """Patch HTTPAdapter.send for the whole process (every session and adapter subclass,
    timeouts and other arguments kept): X's calls go to base_url, those for a host in
    `extra` to its base URL, other hosts are refused."""
    global _original_send
    if _original_send is None:
        _original_send = HTTPAdapter.send
    original = _original_send
    extra = dict(extra or {})

    def send(self, request, **kwargs):
        return _send_redirected(original, self, request, base_url, kwargs, extra)

    HTTPAdapter.send = send
