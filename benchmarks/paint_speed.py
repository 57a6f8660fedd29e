"""How long the scene painter takes at full size (1080x1350), per picture and per motif.

Twenty plans of 3-6 random motifs (each in a random layer it may live in) at random times
of day and seasons, with fixed seeds; then every motif alone in its home layer, timing its
renderer call only. The design asks for about 1 s a picture on a 2-core CPU.

    python benchmarks/paint_speed.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from generator.painter.motifs import LAYERS, MOTIFS
from generator.painter.plan import TIMES_OF_DAY, SEASONS, Placement, ScenePlan
from generator.painter.render import RENDERERS, paint

SIZE = (1080, 1350)


def random_plan(rng: np.random.Generator) -> ScenePlan:
    motifs = rng.choice(sorted(MOTIFS), size=int(rng.integers(3, 7)), replace=False)
    placements = []
    for motif in motifs:
        layer = str(rng.choice(MOTIFS[motif][1]))
        placements.append(Placement(str(motif), layer, LAYERS.index(layer), str(motif), "lexicon"))
    return ScenePlan(
        lines=["", "", ""],
        placements=placements,
        time_of_day=str(rng.choice(TIMES_OF_DAY)),
        season=str(rng.choice(SEASONS)),
    )


def timed_renderers() -> dict[str, list[float]]:
    """Wrap every renderer so each call's time is recorded under its motif."""
    spent: dict[str, list[float]] = {name: [] for name in RENDERERS}
    for name, draw in list(RENDERERS.items()):

        def timed(scene, slot, rng, _name=name, _draw=draw):
            started = time.perf_counter()
            _draw(scene, slot, rng)
            spent[_name].append(time.perf_counter() - started)

        RENDERERS[name] = timed
    return spent


def main() -> None:
    rng = np.random.default_rng(2026)
    plans = [random_plan(rng) for _ in range(20)]
    paint(plans[0], 0, SIZE)  # warm up imports and caches
    seconds = []
    for seed, plan in enumerate(plans):
        started = time.perf_counter()
        paint(plan, seed, SIZE)
        seconds.append(time.perf_counter() - started)
    print(f"paint() at {SIZE[0]}x{SIZE[1]}, 20 plans of 3-6 motifs")
    print(f"{'plan':>4} {'seconds':>8}  {'time':<6} {'season':<7} motifs")
    for i, (plan, s) in enumerate(zip(plans, seconds)):
        motifs = ", ".join(f"{p.motif}@{p.layer[0]}" for p in plan.placements)
        print(f"{i:>4} {s:>8.3f}  {plan.time_of_day:<6} {plan.season:<7} {motifs}")
    print(f"{'median':>13} {statistics.median(seconds):.3f} s   {'max':>5} {max(seconds):.3f} s")

    spent = timed_renderers()
    for motif, (home, _) in MOTIFS.items():
        for time_of_day in ("day", "night"):
            plan = ScenePlan(
                lines=[""],
                placements=[Placement(motif, home, 0, motif, "lexicon")],
                time_of_day=time_of_day,
            )
            paint(plan, 1, SIZE)
    slowest = sorted(spent.items(), key=lambda kv: -statistics.mean(kv[1]))[:5]
    print("\nslowest motifs alone (renderer call only, mean of day and night)")
    print(f"{'motif':<12} {'layer':<11} {'seconds':>8}")
    for motif, times in slowest:
        print(f"{motif:<12} {MOTIFS[motif][0]:<11} {statistics.mean(times):>8.3f}")
    empty = ScenePlan(lines=[""], placements=[])
    started = time.perf_counter()
    paint(empty, 1, SIZE)
    print(f"\nbackground only (empty plan): {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
