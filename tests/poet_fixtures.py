"""Helpers shared by the poet's tests: tiny corpora in the corpus builder's output format,
a tiny model configuration, and single-threaded torch for batch-1 decoding.

Imported by the test modules (pytest puts tests/ on sys.path); never reads /work/shared.
"""
from __future__ import annotations

import json
import random
from contextlib import contextmanager
from pathlib import Path

import pytest

ADJECTIVES = "old quiet cold silver autumn morning winter summer empty distant gentle small".split()
NOUNS = "pond moon river garden mountain window meadow lantern harbor forest temple crow".split()
VERBS = "falls drifts sleeps waits glows turns rests fades sings hides shines bends".split()
PLACES = "over the water|into the evening|under the willow|along the shore|beyond the hills|across the field".split("|")


def tiny_poems(count: int, seed: int = 0) -> list[list[str]]:
    """`count` distinct, plain English three-line poems of dictionary words."""
    rng = random.Random(seed)
    poems, seen = [], set()
    while len(poems) < count:
        lines = [
            f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}",
            f"a {rng.choice(NOUNS)} {rng.choice(VERBS)} {rng.choice(PLACES)}",
            f"the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(VERBS)}",
        ]
        key = "\n".join(lines)
        if key not in seen:
            seen.add(key)
            poems.append(lines)
    return poems


def write_split(path: Path, poems: list[list[str]]) -> None:
    """A split file as build_corpus writes it: 3 lines per poem, poems separated by a blank line."""
    text = "\n\n".join("\n".join(lines) for lines in poems)
    path.write_text(text + "\n" if text else "", encoding="utf-8", newline="\n")


VERSE = [
    ["the sun is gone beyond the western hill", "and all the birds are quiet in the wood", "the evening wind is cold upon the sea"],
    ["o gentle night that comes upon the land", "and lays a silver hand on every tree", "we wait for you beside the sleeping stream"],
    ["i wandered lonely by the river side", "and heard the water singing to the stones", "a song of summer and of fading days"],
    ["my heart is like a bird upon the bough", "that sings although the winter wind is near", "and knows the spring will come again to me"],
]


def write_corpus(folder: Path, train: int = 48, valid: int = 12, test: int = 8, seed: int = 0) -> dict[str, list[list[str]]]:
    """Write train/valid/test.txt (every fourth poem social, the rest literary), their
    registers, verse-train/valid.txt and report.json into `folder`; returns the poems per split."""
    folder.mkdir(parents=True, exist_ok=True)
    poems = tiny_poems(train + valid + test, seed)
    splits = {"train": poems[:train], "valid": poems[train : train + valid], "test": poems[train + valid :]}
    for name, split in splits.items():
        write_split(folder / f"{name}.txt", split)
        registers = ["social\ttiny" if i % 4 == 3 else "literary\ttiny" for i in range(len(split))]
        (folder / f"{name}.registers.tsv").write_text("\n".join(registers) + "\n", encoding="utf-8")
    write_split(folder / "verse-train.txt", VERSE * 3)
    write_split(folder / "verse-valid.txt", VERSE[:2])
    total = train + valid + test
    dropped = {r: 0 for r in ("empty", "not english", "not three lines", "too long", "content", "duplicate")}
    report = {
        "sources": {"tiny": {"read": total, "dropped": dropped, "kept": total}},
        "total": {"read": total, "dropped": dropped, "kept": total},
        "splits": {name: len(split) for name, split in splits.items()},
        "inputs": {"tiny.txt": "0" * 64},
        "skipped": [],
    }
    (folder / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return splits


def tiny_model_config():
    from generator.poet.model import PoetModelConfig

    return PoetModelConfig(hidden=24, embed=8, syllable_embed=4, lines_embed=4, register_embed=4, dropout=0.0)


@contextmanager
def one_torch_thread():
    """Decoding runs the LSTM one symbol at a time; with several intra-op threads on a busy
    machine each step can be many times slower, so the tests decode on one thread."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@pytest.fixture(scope="module", autouse=True)
def single_torch_thread():
    """Import into a test module to run all of its tests on one torch thread."""
    with one_torch_thread():
        yield
