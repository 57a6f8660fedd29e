"""The first poet (character LSTM, weights of 2026-11-25) and its fingerprints, loaded for
the benchmarks' old-beside-new comparison. Not used by the product. The files are read
with the product's safetensors reader, so a broken file is the same one-line error.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import AuriaError
from generator.poet.novelty import NoveltyIndex
from generator.poet.weights import _read_tensors
from poet_v1.model import SYMBOLS, PoetLSTM, PoetModelConfig

SHIPPED = Path(__file__).parent / "weights"
FORMAT = "auria-poet-lstm/1"


@dataclass
class LoadedPoet:
    model: PoetLSTM
    novelty: NoveltyIndex
    metadata: dict


def load(weights_dir: str | Path | None = None) -> LoadedPoet:
    folder = Path(weights_dir) if weights_dir else SHIPPED
    state, metadata = _read_tensors(folder / "poet.safetensors")
    if metadata.get("format") != FORMAT or metadata.get("symbols") != SYMBOLS:
        raise AuriaError(f"{folder}: not the first poet's weights (format {FORMAT})")
    model = PoetLSTM(PoetModelConfig.from_json(metadata["config"]))
    model.load_state_dict(state)
    fingerprints, _ = _read_tensors(folder / "novelty.safetensors")
    return LoadedPoet(model.eval(), NoveltyIndex(fingerprints), metadata)
