"""The daemon's footprint: idle memory of `auria run` and the start-up time of `auria --help`.

Each run starts `auria run` on an empty data folder with fake X and Instagram credentials
(validate() only checks that they are set; nothing is sent) and a slot about 12 hours away,
waits for its "running:" log line and 3 more seconds, reads VmRSS and VmHWM from
/proc/PID/status, checks in /proc/PID/maps that torch is not loaded, then stops it with
SIGTERM and expects exit code 0 within 10 s. Prints a table; exits 0 whatever the numbers
(it reports), 1 when the daemon failed to start or to stop. Linux only (/proc).
Targets: idle RSS <= 80 MB, `auria --help` <= 0.5 s.

    python benchmarks/daemon.py [--runs 5] [--help-runs 10]
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

RSS_TARGET_MB = 80
HELP_TARGET_S = 0.5
START_TIMEOUT_S = 60
SETTLE_S = 3
STOP_TIMEOUT_S = 10
FAKE_SECRETS = {
    "AURIA_X_API_KEY": "bench-x-api-key",
    "AURIA_X_API_SECRET": "bench-x-api-secret",
    "AURIA_X_ACCESS_TOKEN": "bench-x-access-token",
    "AURIA_X_ACCESS_TOKEN_SECRET": "bench-x-access-token-secret",
    "AURIA_INSTAGRAM_USERNAME": "bench-instagram-username",
    "AURIA_INSTAGRAM_PASSWORD": "bench-instagram-password",
}


class DaemonFailed(Exception):
    pass


def auria_command() -> list[str]:
    """The `auria` script of this interpreter's environment, else `python -m bot`."""
    script = Path(sys.executable).with_name("auria")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def clean_environment() -> dict[str, str]:
    """This environment without any Auria settings, secrets or systemd sockets of its own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AURIA_") and k not in ("CREDENTIALS_DIRECTORY", "NOTIFY_SOCKET", "WATCHDOG_USEC")}
    env.update(FAKE_SECRETS)
    return env


def write_config(folder: Path) -> Path:
    slot = (datetime.now(timezone.utc) + timedelta(hours=12)).strftime("%H:%M")
    path = folder / "auria.toml"
    path.write_text(
        f'data_dir = "{folder / "data"}"\n'
        'timezone = "UTC"\n'
        'log_level = "info"\n'
        'log_format = "plain"\n\n'
        "[publish]\n"
        'platforms = ["x", "instagram"]\n\n'
        "[schedule]\n"
        f'times = ["{slot}"]\n',
        encoding="utf-8",
    )
    return path


def proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise DaemonFailed(f"no {field} in /proc/{pid}/status")


def torch_mappings(pid: int) -> list[str]:
    """Files of torch mapped into the process (libtorch*.so, anything under a torch/ folder)."""
    found = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split(maxsplit=5)
        path = parts[5] if len(parts) == 6 else ""
        if "libtorch" in path or "/torch/" in path:
            found.add(path)
    return sorted(found)


def measure_daemon() -> dict:
    """One start of `auria run`: RSS and peak RSS in MB once idle, torch's files if loaded."""
    with tempfile.TemporaryDirectory(prefix="auria-bench-daemon-") as tmp:
        folder = Path(tmp)
        config = write_config(folder)
        process = subprocess.Popen(auria_command() + ["--config", str(config), "run"], cwd=folder,
                                   env=clean_environment(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines: list[str] = []
        running = threading.Event()

        def read_stderr() -> None:  # keep draining so the daemon never blocks on a full pipe
            for line in process.stderr:
                lines.append(line.rstrip("\n"))
                if "running:" in line:
                    running.set()

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        try:
            started = time.perf_counter()
            while not running.wait(0.1):
                if process.poll() is not None:
                    raise DaemonFailed(f"auria run exited with {process.returncode} before it was running")
                if time.perf_counter() - started > START_TIMEOUT_S:
                    raise DaemonFailed(f"no 'running:' log line within {START_TIMEOUT_S} s")
            start_s = time.perf_counter() - started
            time.sleep(SETTLE_S)
            if process.poll() is not None:
                raise DaemonFailed(f"auria run exited with {process.returncode} while idle")
            result = {
                "start_s": start_s,
                "rss_mb": proc_status_kb(process.pid, "VmRSS") / 1024,
                "hwm_mb": proc_status_kb(process.pid, "VmHWM") / 1024,
                "torch": torch_mappings(process.pid),
            }
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise DaemonFailed(f"auria run still running {STOP_TIMEOUT_S} s after SIGTERM") from None
            if code != 0:
                raise DaemonFailed(f"auria run exited with {code} after SIGTERM (expected 0)")
            return result
        except DaemonFailed as error:
            reader.join(1)
            tail = "\n".join(f"    {line}" for line in lines[-20:])
            raise DaemonFailed(f"{error}\n  its stderr (last lines):\n{tail}") from None
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            reader.join(1)


def help_seconds() -> float:
    started = time.perf_counter()
    subprocess.run(auria_command() + ["--help"], env=clean_environment(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts of `auria run` to measure (default 5)")
    parser.add_argument("--help-runs", type=int, default=10, help="timed runs of `auria --help` (default 10)")
    args = parser.parse_args()
    if args.runs < 1 or args.help_runs < 1:
        parser.error("--runs and --help-runs must be >= 1")

    daemons = []
    for k in range(args.runs):
        try:
            daemons.append(measure_daemon())
        except DaemonFailed as error:
            print(f"run {k + 1}: {error}", file=sys.stderr)
            return 1
    help_seconds()  # warm-up: the page cache and the bytecode
    helps = [help_seconds() for _ in range(args.help_runs)]

    rows = [
        ("idle RSS of `auria run` (MB)", [d["rss_mb"] for d in daemons], RSS_TARGET_MB, "{:.1f}"),
        ("peak RSS (VmHWM) of `auria run` (MB)", [d["hwm_mb"] for d in daemons], None, "{:.1f}"),
        ("`auria run` start to 'running:' (s)", [d["start_s"] for d in daemons], None, "{:.2f}"),
        ("`auria --help` wall time (s)", helps, HELP_TARGET_S, "{:.3f}"),
    ]
    print(f"`auria run` idle, {args.runs} starts ({SETTLE_S} s after 'running:'); `auria --help`, "
          f"{args.help_runs} runs after one warm-up; {' '.join(auria_command())}, Python {sys.version.split()[0]}\n")
    print("| measure | median | min | max | target | ok |")
    print("|---|---:|---:|---:|---:|---|")
    for name, values, target, fmt in rows:
        median = statistics.median(values)
        limit = f"<= {target}" if target is not None else ""
        ok = ("yes" if median <= target else "NO") if target is not None else ""
        print(f"| {name} | {fmt.format(median)} | {fmt.format(min(values))} | {fmt.format(max(values))} "
              f"| {limit} | {ok} |")
    loaded = sorted({path for d in daemons for path in d["torch"]})
    if loaded:
        print(f"\ntorch WAS loaded by `auria run` ({len(loaded)} files mapped, e.g. {loaded[0]})")
    else:
        print(f"\ntorch was not loaded by `auria run` (no libtorch or torch/ file in /proc/PID/maps, {args.runs} runs)")
    print(f"every `auria run` exited 0 within {STOP_TIMEOUT_S} s of SIGTERM")
    return 0


if __name__ == "__main__":
    sys.exit(main())
