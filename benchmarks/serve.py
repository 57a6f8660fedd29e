"""Gallery throughput and latency: `auria serve` over a store of 10,000 works, under load.

Builds a temporary data folder whose store holds N shown works (status "ready", a 3-line
haiku, mood, style, alt text, seed, timings, the scene plan and four step records of a real
work's size; all pointing at one real JPEG artifact) and posts on X (and some on Instagram)
for part of them, starts `auria serve` on it (its own process, the store read-only, the
access log at info as deployed, into a file), waits for GET /healthz, then loads it from
this process: C threads, each with one keep-alive `http.client` connection to 127.0.0.1,
a 2 s warm-up, then D s measured per endpoint:

    GET /api/works            (limit 20, the default)
    GET /api/works?limit=100  (the largest page)
    GET /api/works?before=ID  (ID: a work in the middle)
    GET /                     (the HTML page)

Every request's latency is recorded (from sending to the whole body read); every answer
is checked (200, the content type, the JSON shape: the page's size, newest first, the
`next` link; the HTML page's number of works). Prints a markdown table, the store's size,
the server's RSS after the load and the CPU each side used (the server is one process with
one event loop: 100% of a core means it is the bottleneck; the client's share shows it is
not), and the client's ceiling: the same load on a path no route takes (a 404 that reads no
store), which shows how many requests a second this client and uvicorn manage here.
Stops the server with SIGTERM and removes the folder. Exits 0 whatever the numbers (it
reports), 1 when the server failed to start. Linux only (/proc).

    python benchmarks/serve.py [--works 10000] [--concurrency 8] [--seconds 10]
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from state.store import open_store
from state.works import haiku_key

WARMUP_S = 2.0
FLOOR_S = 3.0
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10
REQUEST_TIMEOUT_S = 30
SUMMARY_KEYS = {"id", "created_at", "slot", "status", "haiku", "shape", "seed", "mood", "style", "alt_text",
                "image", "page", "posts", "seconds"}

MOODS = ("happiness", "love", "optimism", "trust", "gratitude", "humility", "anticipation",
         "surprise", "shyness", "neutral", "sadness", "fear", "anger", "pessimism", "regret")
MOTIFS = (("moon", "sky"), ("sun", "sky"), ("clouds", "sky"), ("rain", "sky"), ("crow", "sky"),
          ("geese", "sky"), ("heron", "middle"), ("fog", "middle"), ("fireflies", "middle"),
          ("mountain", "middle"), ("pond", "foreground"), ("reeds", "foreground"),
          ("butterfly", "foreground"), ("cherry", "foreground"), ("stone", "foreground"))
WORDS5 = ("autumn moonlight", "a crow on the branch", "morning fog lifting", "the old silent pond",
          "cherry blossoms fall", "cold rain on the roof", "first snow on the hill", "a heron waiting")
WORDS7 = ("the sound of water after the frog", "a lone lantern sways in the wind",
          "the river carries the last leaves", "geese cross the pale evening sky",
          "my shadow walks ahead of me", "fireflies drift above the reeds")
STYLE_DESCRIPTIONS = ("sky blue and ochre gold, soft strokes and navy outlines, sunny and calm",
                      "deep indigo and rust, heavy strokes and black outlines, stormy and dark",
                      "pale rose and sage green, light washes and no outlines, quiet and tender",
                      "amber and charcoal, dry brush and thick outlines, restless and bold")
TIMES_OF_DAY = ("dawn", "day", "dusk", "night")
SEASONS = ("spring", "summer", "autumn", "winter", "none")


class ServerFailed(Exception):
    pass


# --- the store -----------------------------------------------------------------------------

def small_jpeg() -> bytes:
    """A real JPEG (PIL when installed, else a hand-made 1x1 baseline JPEG)."""
    try:
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (108, 135), (70, 90, 140)).save(buffer, "JPEG", quality=85)
        return buffer.getvalue()
    except ImportError:  # pragma: no cover - PIL is a dependency of the project
        return bytes.fromhex(
            "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912"
            "130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001"
            "000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303"
            "020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282"
            "090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a73747576"
            "7778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9ca"
            "d2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9")


def hex64(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def work_row(k: int, created: datetime, image_sha: str, image_path: str, model_hashes: dict,
             rng: random.Random) -> tuple:
    """One finished work as the pipeline stores it (columns in INSERT order below)."""
    lines = [rng.choice(WORDS5), rng.choice(WORDS7), rng.choice(WORDS5)]
    haiku = "\n".join(lines)
    seed = rng.randrange(2**31)
    mood = rng.choice(MOODS)
    index = rng.randrange(26)
    description = rng.choice(STYLE_DESCRIPTIONS)
    time_of_day, season = rng.choice(TIMES_OF_DAY), rng.choice(SEASONS)
    placements = []
    for _ in range(rng.randint(2, 5)):
        motif, layer = rng.choice(MOTIFS)
        via = rng.choice(("lexicon", "vectors"))
        placements.append({"motif": motif, "layer": layer, "line": rng.randrange(3), "word": motif, "via": via,
                           "similarity": round(rng.uniform(0.4, 0.9), 4) if via == "vectors" else None})
    plan = {"lines": lines, "placements": placements, "time_of_day": time_of_day, "season": season}
    alt_text = (f"A painting of {' and '.join(p['motif'] for p in placements)} at {time_of_day}"
                f"{'' if season == 'none' else ' in ' + season}, in {description}, mood: {mood}")
    seconds = {"poet": round(rng.uniform(0.4, 2.5), 3), "painter": round(rng.uniform(0.5, 1.5), 3),
               "stylist": round(rng.uniform(2.0, 9.0), 3), "finish": round(rng.uniform(0.1, 0.4), 3)}
    timings = {**seconds, "total": round(sum(seconds.values()) + rng.uniform(0.5, 3.0), 3)}
    style = {"kind": "builtin", "mood": mood, "index": index, "painting_id": None, "painting_path": None,
             "description": description, "label": f"builtin:{index}"}
    haiku_sha, painter_sha, plan_sha, stylist_sha, alt_sha = (hex64(rng) for _ in range(5))
    steps = {
        "poet": {"seed": seed, "params": {"shape": "5-7-5", "temperature": 0.8, "top_p": 0.95, "given": False,
                                          "device": "cpu"},
                 "models": model_hashes["poet"], "inputs": {}, "outputs": {"haiku": haiku_sha}, "warnings": [],
                 "step": "poet", "reused": False, "seconds": seconds["poet"]},
        "painter": {"seed": seed, "params": {"painter": "scene", "size": [1080, 1350]},
                    "models": model_hashes["painter"], "inputs": {"haiku": haiku_sha},
                    "outputs": {"image": painter_sha, "plan": plan_sha},
                    "step": "painter", "reused": False, "seconds": seconds["painter"]},
        "stylist": {"seed": seed, "params": {"mood_setting": "random", "mood": mood, "style": style, "strength": 1.0,
                                             "method": "network", "device": "cpu"},
                    "models": model_hashes["stylist"], "inputs": {"image": painter_sha},
                    "outputs": {"image": stylist_sha}, "step": "stylist", "reused": False,
                    "seconds": seconds["stylist"]},
        "finish": {"seed": seed, "params": {"size": [1080, 1350], "jpeg_quality": 90, "max_bytes": 4_800_000},
                   "models": {}, "inputs": {"image": stylist_sha},
                   "outputs": {"image": image_sha, "alt_text": alt_sha},
                   "step": "finish", "reused": False, "seconds": seconds["finish"]},
    }
    params = {"poet": {"shape": "5-7-5", "temperature": 0.8, "top_p": 0.95},
              "stylist": {"mood": "random", "strength": 1.0, "method": "network", "use_paintings": True},
              "generator": {"painter": "scene", "device": "auto", "timeout": 300.0}}
    models = {name: record["models"] for name, record in steps.items()}
    dump = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)  # noqa: E731 - as state.works
    created_at = created.isoformat(timespec="seconds")
    slot = created.replace(minute=0, second=0).isoformat(timespec="minutes")
    return (k, created_at, slot, "ready", haiku, haiku_key(haiku), "5-7-5", seed, dump(params), dump(models),
            image_path, image_sha, mood, f"builtin:{index}", alt_text, dump(timings), None, dump(plan), dump(steps))


def build_store(data_dir: Path, works: int, seed: int = 1) -> dict:
    """The store with `works` shown works and their posts, and the one JPEG they point at."""
    rng = random.Random(seed)
    jpeg = small_jpeg()
    image_sha = hashlib.sha256(jpeg).hexdigest()
    image_path = data_dir / "artifacts" / image_sha[:2] / f"{image_sha}.jpg"
    image_path.parent.mkdir(parents=True, exist_ok=True)
    image_path.write_bytes(jpeg)
    model_hashes = {"poet": {"poet.safetensors": hex64(rng), "novelty.safetensors": hex64(rng)},
                    "painter": {"word_vectors.safetensors": hex64(rng)},
                    "stylist": {"multistyle26.onnx": hex64(rng)}}
    # One work an hour, the last 3 days ago (so /healthz finds no overdue slot: it answers 200).
    last = (datetime.now(timezone.utc) - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    first = last - timedelta(hours=works - 1)

    def rows():
        for k in range(1, works + 1):
            yield work_row(k, first + timedelta(hours=k - 1, minutes=7, seconds=rng.randrange(60)),
                           image_sha, str(image_path), model_hashes, rng)

    def posts():
        for k in range(1, works + 1):
            posted = (first + timedelta(hours=k - 1, minutes=9)).isoformat(timespec="seconds")
            if rng.random() < 0.7:
                remote = str(1_800_000_000_000_000_000 + k)
                yield (k, "x", "posted", remote, f"https://x.com/auria_haiku/status/{remote}", 1, None, None, posted)
            draw = rng.random()
            if draw < 0.4:
                code = f"C{k:010d}"
                yield (k, "instagram", "posted", code, f"https://www.instagram.com/p/{code}/", 1, None, None, posted)
            elif draw < 0.42:
                yield (k, "instagram", "failed", None, None, 8, None, "the platform refused the upload (400)", posted)

    db = open_store(data_dir / "auria.db")
    conn = db.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO works (id, created_at, slot, status, haiku, haiku_key, shape, seed, params, models, image_path,"
        " image_sha256, mood, style, alt_text, timings, error, plan, steps)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    conn.executemany(
        "INSERT INTO posts (work_id, platform, state, remote_id, url, attempts, next_attempt_at, error, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", posts())
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {"works": conn.execute("SELECT count(*) FROM works").fetchone()[0],
              "posts": conn.execute("SELECT count(*) FROM posts").fetchone()[0],
              "steps_bytes": conn.execute("SELECT avg(length(steps)) FROM works").fetchone()[0] or 0}
    conn.close()
    counts["mb"] = sum(p.stat().st_size for p in data_dir.glob("auria.db*")) / 1e6
    return counts


def write_config(folder: Path, data_dir: Path, port: int) -> Path:
    path = folder / "auria.toml"
    path.write_text(
        f'data_dir = "{data_dir}"\n'
        'timezone = "UTC"\n'
        'log_level = "info"\n'
        'log_format = "plain"\n\n'
        "[publish]\n"
        'platforms = ["x", "instagram"]\n\n'
        "[gallery]\n"
        'host = "127.0.0.1"\n'
        f"port = {port}\n",
        encoding="utf-8",
    )
    return path


# --- the server ----------------------------------------------------------------------------

def auria_command() -> list[str]:
    """The `auria` script of this interpreter's environment, else `python -m bot`."""
    script = Path(sys.executable).with_name("auria")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def clean_environment() -> dict[str, str]:
    """This environment without any Auria settings or secrets (generation stays off)."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("AURIA_") and k not in ("CREDENTIALS_DIRECTORY", "NOTIFY_SOCKET", "WATCHDOG_USEC")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(process: subprocess.Popen, port: int) -> float:
    started = time.perf_counter()
    while True:
        if process.poll() is not None:
            raise ServerFailed(f"auria serve exited with {process.returncode} before answering /healthz")
        if time.perf_counter() - started > START_TIMEOUT_S:
            raise ServerFailed(f"/healthz did not answer within {START_TIMEOUT_S} s")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200:
                return time.perf_counter() - started
            raise ServerFailed(f"/healthz answered {response.status}: {body[:200]!r}")
        except OSError:
            time.sleep(0.1)


def proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the load --------------------------------------------------------------------------------

def check_api(body: bytes, headers, limit: int, before: int | None, shown: int) -> str | None:
    """None when the JSON answer is a right page, else what is wrong."""
    if not (headers.get("content-type") or "").startswith("application/json"):
        return f"content-type {headers.get('content-type')}"
    data = json.loads(body)
    if not isinstance(data, dict) or set(data) != {"works", "next"}:
        return "not {works, next}"
    available = shown if before is None else min(shown, before - 1)
    works = data["works"]
    if len(works) != min(limit, available):
        return f"{len(works)} works, expected {min(limit, available)}"
    ids = [w.get("id") for w in works]
    if ids != sorted(ids, reverse=True) or (before is not None and ids and ids[0] >= before):
        return "ids not newest first below before"
    for work in works:
        if set(work) != SUMMARY_KEYS or not isinstance(work["haiku"], list) or len(work["haiku"]) != 3 \
                or not work["image"].startswith("/artifacts/") or not isinstance(work["posts"], list):
            return f"work {work.get('id')}: unexpected shape"
    if (data["next"] is not None) != (available > limit):
        return f"next is {data['next']!r}"
    return None


def check_html(body: bytes, headers, limit: int, before: int | None, shown: int) -> str | None:
    if not (headers.get("content-type") or "").startswith("text/html"):
        return f"content-type {headers.get('content-type')}"
    expected = min(limit, shown)
    found = body.count(b'<article class="work"')
    return None if found == expected else f"{found} works on the page, expected {expected}"


def run_load(port: int, path: str, check, concurrency: int, seconds: float, warmup: float,
             status: int = 200) -> dict:
    """`concurrency` threads, one keep-alive connection each, hit `path` for warmup + seconds;
    returns the latencies (s) of the requests started after the warm-up, and the errors."""
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[list[str]] = [[] for _ in range(concurrency)]
    barrier = threading.Barrier(concurrency + 1)

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        mine, wrong = latencies[k], errors[k]
        barrier.wait()
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                break
            problem = None
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                t1 = time.perf_counter()
                if response.status != status:
                    problem = f"status {response.status}"
                elif check is not None:
                    problem = check(body, response.headers)
            except (OSError, http.client.HTTPException, ValueError) as error:
                t1 = time.perf_counter()
                problem = f"{type(error).__name__}: {error}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
            if t0 >= measure_from:
                mine.append(t1 - t0)
                if problem:
                    wrong.append(problem)
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    for thread in threads:
        thread.join()
    return {"latencies": [x for part in latencies for x in part], "errors": [e for part in errors for e in part]}


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=10_000, help="works in the store (default 10000)")
    parser.add_argument("--concurrency", type=int, default=8, help="keep-alive connections (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per endpoint (default 10)")
    args = parser.parse_args()
    if args.works < 1 or args.concurrency < 1 or args.seconds <= 0:
        parser.error("--works and --concurrency must be >= 1, --seconds > 0")

    folder = Path(tempfile.mkdtemp(prefix="auria-bench-serve-"))
    process = None
    try:
        data_dir = folder / "data"
        started = time.perf_counter()
        store = build_store(data_dir, args.works)
        build_s = time.perf_counter() - started
        port = free_port()
        config = write_config(folder, data_dir, port)
        log_path = folder / "serve.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(auria_command() + ["--config", str(config), "serve", "--port", str(port)],
                                       cwd=folder, env=clean_environment(), stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT)
        try:
            start_s = wait_until_healthy(process, port)
        except ServerFailed as error:
            lines = log_path.read_text(errors="replace").splitlines()[-20:]
            print(f"{error}\n  its log (last lines):\n" + "\n".join(f"    {line}" for line in lines), file=sys.stderr)
            return 1

        shown, middle = store["works"], max(2, store["works"] // 2)
        endpoints = [
            ("GET /api/works", "/api/works", lambda b, h: check_api(b, h, 20, None, shown)),
            ("GET /api/works?limit=100", "/api/works?limit=100", lambda b, h: check_api(b, h, 100, None, shown)),
            (f"GET /api/works?before={middle}", f"/api/works?before={middle}",
             lambda b, h: check_api(b, h, 20, middle, shown)),
            ("GET /", "/", lambda b, h: check_html(b, h, 20, None, shown)),
        ]
        rows = []
        for name, path, check in endpoints:
            cpu_server, cpu_client = proc_cpu_seconds(process.pid), time.process_time()
            wall = time.perf_counter()
            result = run_load(port, path, check, args.concurrency, args.seconds, WARMUP_S)
            wall = time.perf_counter() - wall
            server_share = (proc_cpu_seconds(process.pid) - cpu_server) / wall
            client_share = (time.process_time() - cpu_client) / wall
            latencies = sorted(result["latencies"])
            rows.append((name, len(latencies), len(result["errors"]), len(latencies) / args.seconds,
                         *(percentile(latencies, p) * 1000 for p in (50, 90, 99)),
                         (latencies[-1] if latencies else float("nan")) * 1000, server_share, client_share,
                         result["errors"][:1]))
        # The ceiling of this client with uvicorn on this machine: a path no route takes (404, no store).
        floor = run_load(port, "/no-such-page", None, args.concurrency, FLOOR_S, 1.0, status=404)
        floor_rate = (len(floor["latencies"]) - len(floor["errors"])) / FLOOR_S
        rss_mb = proc_status_kb(process.pid, "VmRSS") / 1024
        hwm_mb = proc_status_kb(process.pid, "VmHWM") / 1024

        print(f"`auria serve` (uvicorn, one process; {' '.join(auria_command())}, Python {sys.version.split()[0]}); "
              f"load from this process: {args.concurrency} threads with one keep-alive http.client connection "
              f"each, {WARMUP_S:.0f} s warm-up then {args.seconds:g} s per endpoint\n")
        print("| endpoint | requests | errors | requests/s | p50 ms | p90 ms | p99 ms | max ms "
              "| server CPU | client CPU |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, count, errors, rate, p50, p90, p99, worst, server_share, client_share, _ in rows:
            print(f"| {name} | {count} | {errors} | {rate:.1f} | {p50:.1f} | {p90:.1f} | {p99:.1f} | {worst:.1f} "
                  f"| {server_share:.0%} | {client_share:.0%} |")
        print(f"\nstore: {store['works']} works, {store['posts']} posts, {store['mb']:.1f} MB "
              f"(steps JSON {store['steps_bytes'] / 1024:.1f} KB a work; built in {build_s:.1f} s); "
              f"server RSS after the load {rss_mb:.1f} MB (peak {hwm_mb:.1f} MB); concurrency {args.concurrency}; "
              f"machine: {os.cpu_count()} CPUs; server up in {start_s:.1f} s")
        print("CPU: of one core, over warm-up + measure (the server is one event loop: ~100% is its ceiling)")
        print(f"client ceiling: {floor_rate:.0f} requests/s on GET /no-such-page (a 404 without the store, "
              f"same client, {FLOOR_S:g} s), so the rates above are the server's")
        for name, *_, first_error in rows:
            if first_error:
                print(f"first error of {name}: {first_error[0]}")
        return 0
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
