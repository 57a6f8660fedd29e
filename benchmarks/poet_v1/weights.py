"""The first poet (character LSTM, 2026-11): its weights and fingerprints, loaded for the
benchmarks' old-beside-new comparison. Not used by the product.

generator/poet/weights/
  poet.safetensors     LSTM weights; metadata holds the model config, alphabet and training record
  novelty.safetensors  fingerprints of corpus poems and lines (see novelty.py)
  MODEL_CARD.md        sources, counts, training command, metrics, date
safetensors, never pickle: loading a pickle runs whatever code it carries.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open

from bot.errors import AuriaError
from poet_v1.model import SYMBOLS, PoetLSTM, PoetModelConfig
from generator.poet.novelty import NoveltyIndex

SHIPPED = Path(__file__).parent / "weights"  # the first poet, kept for comparison
MODEL_FILE = "poet.safetensors"
NOVELTY_FILE = "novelty.safetensors"
CARD_FILE = "MODEL_CARD.md"
FORMAT = "auria-poet-lstm/1"


@dataclass
class LoadedPoet:
    model: PoetLSTM
    novelty: NoveltyIndex
    metadata: dict
    file_hashes: dict[str, str]  # file name -> sha256, recorded with every work


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_tensors(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    if not path.is_file():
        raise AuriaError(f"{path}: poet weights file is missing (reinstall Auria or set poet.weights)")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})
    except (SafetensorError, OSError, ValueError) as error:
        raise AuriaError(f"{path}: not a readable safetensors file ({error})") from None


def load(weights_dir: str | Path | None = None) -> LoadedPoet:
    """Load the poet from a weights folder (the shipped one by default), checking every file."""
    folder = Path(weights_dir) if weights_dir else SHIPPED
    if not folder.is_dir():
        raise AuriaError(f"{folder}: poet weights folder does not exist")
    model_path, novelty_path = folder / MODEL_FILE, folder / NOVELTY_FILE
    state, metadata = _read_tensors(model_path)
    if metadata.get("format") != FORMAT or metadata.get("symbols") != SYMBOLS:
        raise AuriaError(f"{model_path}: not an Auria poet model of format {FORMAT} with this alphabet")
    try:
        config = PoetModelConfig.from_json(metadata["config"])
        model = PoetLSTM(config)
        model.load_state_dict(state)
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        detail = next((line.strip() for line in str(error).splitlines()[1:] if line.strip()), str(error))
        raise AuriaError(f"{model_path}: weights do not match the model they describe ({detail})") from None
    model.eval()
    fingerprints, _ = _read_tensors(novelty_path)
    if set(fingerprints) != {"poems", "lines"}:
        raise AuriaError(f"{novelty_path}: expected 'poems' and 'lines' fingerprint tensors")
    hashes = {name: sha256_file(folder / name) for name in (MODEL_FILE, NOVELTY_FILE)}
    return LoadedPoet(model, NoveltyIndex(fingerprints), metadata, hashes)
