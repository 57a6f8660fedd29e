"""How long the painter and the stylist take per work at 1080x1350, per medium, and how much memory.

1. Twenty plans of 3-6 random motifs (each in a random layer it may live in) at random
   times of day and seasons, with fixed seeds, are run through the real painter and stylist
   steps (generator/steps.py: plan, underpainting, mood style at 640 px, brushwork, PNG
   outputs) once per medium: median and max seconds of each step and of both together.
2. End to end: `auria preview` of 3 works (one per medium, the poet included) in a fresh
   data folder; seconds per work, and the peak RSS of the generator's child process.

Target on 2 cores: painter + stylist <= 3 s median; peak RSS <= 800 MB.

    python benchmarks/paint_speed.py [--plans 20]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from generator.artifacts import ArtifactStore
from generator.painter.media import MEDIA
from generator.painter.motifs import LAYERS, MOTIFS
from generator.painter.plan import SEASONS, TIMES_OF_DAY

WORDS_OF = {"dawn": "dawn", "day": "noon", "dusk": "dusk", "night": "night"}


def random_poem(rng: np.random.Generator) -> list[str]:
    """Three lines naming 3-6 random motifs, a time of day and a season, for the real planner."""
    motifs = [str(m) for m in rng.choice(sorted(MOTIFS), size=int(rng.integers(3, 7)), replace=False)]
    lines = [[], [], []]
    for motif in motifs:
        layer = str(rng.choice(MOTIFS[motif][1]))
        lines[LAYERS.index(layer)].append(motif)
    season = str(rng.choice(SEASONS))
    lines[0].insert(0, WORDS_OF[str(rng.choice(TIMES_OF_DAY))] + ("" if season == "none" else f" {season}"))
    return [" ".join(words) or "still" for words in lines]


def request(data_dir: str, seed: int, medium: str, lines: list[str]):
    """The child's request for one work: the default settings, on the CPU, in `medium`."""
    from bot.config import Config
    from generator.pipeline import Job, work_request

    config = Config(data_dir=Path(data_dir))
    config.generator.device, config.painter.medium, config.stylist.use_paintings = "cpu", medium, False
    return work_request(config, Job(seed=seed, haiku=lines))


def step_times(plans: int) -> None:
    from generator.steps import painter_step, stylist_step

    rng = np.random.default_rng(2026)
    poems = [random_poem(rng) for _ in range(plans)]
    print(f"painter and stylist steps at 1080x1350, {plans} plans of 3-6 motifs, per medium")
    print(f"{'medium':<12} {'painter med':>11} {'stylist med':>11} {'both med':>9} {'both max':>9}")
    with tempfile.TemporaryDirectory() as data:
        store = ArtifactStore(data)
        for medium in MEDIA:
            painter, stylist = [], []
            for seed, lines in enumerate(poems):
                req = request(data, seed, medium, lines)
                state = {"lines": lines}
                started = time.perf_counter()
                painter_step(req, store, state)
                middle = time.perf_counter()
                stylist_step(req, store, state)
                painter.append(middle - started)
                stylist.append(time.perf_counter() - middle)
            both = [a + b for a, b in zip(painter, stylist)]
            print(f"{medium:<12} {statistics.median(painter):>10.2f}s {statistics.median(stylist):>10.2f}s "
                  f"{statistics.median(both):>8.2f}s {max(both):>8.2f}s")


def end_to_end() -> None:
    print("\nauria preview, 3 works (one per medium, the poet writing), a fresh data folder")
    print(f"{'medium':<12} {'s/work':>7} {'child peak RSS':>15}")
    for medium in MEDIA:
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / "auria.toml"
            config.write_text(f'data_dir = "{folder}/data"\n[generator]\ndevice = "cpu"\n'
                              f'[painter]\nmedium = "{medium}"\n')
            # Through a wrapper interpreter: its RUSAGE_CHILDREN peak is this run's alone,
            # the largest of the CLI process and the generator child it starts.
            wrapper = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
                       "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "bot", "--config",
                                   str(config), "preview", "--count", "1", "--seed", "11", "--out", f"{folder}/out"],
                                  check=True, capture_output=True, text=True, env=os.environ | {"AURIA_CONFIG": ""})
            seconds = time.perf_counter() - started
            print(f"{medium:<12} {seconds:>6.1f}s {int(done.stdout.split()[-1]) / 1024:>12.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=20)
    args = parser.parse_args()
    step_times(args.plans)
    end_to_end()


if __name__ == "__main__":
    main()
