"""The kill loop of benchmarks/faults.py, in short: the real `auria run` SIGKILLed at random
times (one to three times a data folder), against a fake X and a fake Mastodon that fail a
fifth of all calls at random (500, 503, 429, dropped connections, drops after the post was
made), then finished; nothing may be posted twice or lost.

Slow (a minute or two, 8 data folders): `python -m pytest -m slow tests/test_kill_loop.py`.
The benchmark runs 40: `python benchmarks/faults.py`.
"""
from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "faults.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("auria_faults_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_random_kills_and_platform_faults_neither_lose_a_work_nor_post_one_twice(tmp_path):
    faults = load_benchmark()
    started = time.perf_counter()
    # A fixed kill window instead of the benchmark's calibration run: about the time a start
    # takes to make the work and post it on an idle 2-core machine.
    summary = faults.kill_loop(runs=8, fault_rate=0.2, seed=12, window=8.0, keep=tmp_path)
    faults.print_table(summary, 0.2, 12)  # shown with -s, or when the test fails
    assert summary.duplicates == []
    assert summary.losses == []
    kills = summary.kills
    assert sum(kills.values()) >= 8 and set(kills) <= set(faults.PHASES)
    injected = sum(sum(run.faults.values()) for run in summary.runs)
    assert injected > 0, "the fakes failed some calls"
    print(f"kill loop: {len(summary.runs)} runs, {sum(kills.values())} kills in {time.perf_counter() - started:.0f} s")
