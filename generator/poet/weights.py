"""The poet's shipped files: weights, novelty fingerprints and model card.

generator/poet/weights/
  poet.safetensors     LSTM weights; metadata holds the model config, alphabet and training record
  novelty.safetensors  fingerprints of corpus poems and lines (see novelty.py)
  MODEL_CARD.md        sources, counts, training command, metrics, date
safetensors, never pickle: loading a pickle runs whatever code it carries.
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from bot.errors import AuriaError
from generator.poet.model import SYMBOLS, PoetLSTM, PoetModelConfig
from generator.poet.novelty import NoveltyIndex, build_fingerprints

SHIPPED = Path(__file__).parent / "weights"
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


def export(model: PoetLSTM, out: Path, *, corpus: Path, training: dict) -> None:
    """Write the weights, the fingerprints of every corpus poem, and the model card."""
    from generator.poet.corpus import load_split  # training-time only

    out.mkdir(parents=True, exist_ok=True)
    trained_at = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    command = "auria poet train " + " ".join(sys.argv[3:]) if sys.argv[1:3] == ["poet", "train"] else ""
    metadata = {
        "format": FORMAT,
        "symbols": SYMBOLS,
        "config": model.config.to_json(),
        "trained_at": trained_at,
        "training": json.dumps(training, sort_keys=True),
    }
    state = {k: v.detach().cpu().float().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out / MODEL_FILE), metadata=metadata)
    poems = [p for split in ("train", "valid", "test") for p in load_split(corpus / f"{split}.txt")]
    fingerprints = build_fingerprints(poems)
    save_file(fingerprints, str(out / NOVELTY_FILE))
    report = json.loads((corpus / "report.json").read_text()) if (corpus / "report.json").exists() else {}
    (out / CARD_FILE).write_text(model_card(model, training, report, fingerprints, trained_at, command))
    for name in (MODEL_FILE, NOVELTY_FILE, CARD_FILE):
        (out / name).chmod(0o644)  # shipped files: readable by whoever runs Auria


def model_card(model, training, report, fingerprints, trained_at, command) -> str:
    params = sum(p.numel() for p in model.parameters())
    c = model.config
    history = "\n".join(f"| {h['epoch']} | {h['valid_bpc']:.4f} |" for h in training["history"])
    sources = report.get("sources", {})
    source_rows = "\n".join(
        f"| {name} | {row.get('read', '')} | {row.get('kept', '')} |" for name, row in sorted(sources.items())
    )
    splits = report.get("splits", {})
    return f"""# Auria poet: model card

A character-level LSTM language model that writes haiku, conditioned on the syllable count
of each line (the target shape sets the initial state; every step sees the syllables its
line still needs and the lines left). Trained {trained_at} by the Auria project.

## Model
- {c.layers}-layer LSTM, hidden {c.hidden}, character embedding {c.char_embed}, syllables-left
  embedding {c.syllable_embed}, lines-left embedding {c.lines_embed}, dropout {c.dropout}
- {params:,} parameters, float32, safetensors; alphabet of {len(SYMBOLS)} symbols
  (lowercase letters, space, `!',-.:;?`, newline, end of poem)
- Lines of up to {c.max_syllables} syllables, poems of up to {c.max_lines} lines

## Data
Public haiku collections, not redistributed with the model (see the corpus builder):
github.com/docmarionum1/haikurnn (`input/poems/raw/`) and github.com/ytixu/haiku-scraper
(`data/`): Daily Haiku, The Heron's Nest, Temps Libres, Reddit r/haiku, Twitter #haiku,
The Haiku Foundation, Haiku Society of America, Modern Haiku, Basho/Buson translations,
Sam Ballas' PoetRNN collection, haikuzao. English three-line poems only, normalised,
deduplicated, content-filtered; split by a hash of the normalised text
(train {splits.get('train', '?')}, validation {splits.get('valid', '?')}, test {splits.get('test', '?')} poems).

| source | read | kept |
|---|---|---|
{source_rows}

Trained on {training['training_poems']:,} poems (those of the training split inside the
alphabet). Novelty fingerprints: {len(fingerprints['poems']):,} poems, {len(fingerprints['lines']):,} lines
of three or more words.

## Training
```
{command or 'auria poet train --corpus CORPUS --run RUN --weights-out generator/poet/weights'}
```
Device {training['device']}, seed {training['seed']}, batch {training['batch_size']}, Adam at
{training['learning_rate']} with cosine decay, {training['epochs']} epochs; the weights are
those of epoch {training['best_epoch']}, the best on validation.

| epoch | validation bits per character |
|---|---|
{history}

## Use and limits
Writes short English poems in the style of modern and Reddit/Twitter haiku. Output is
filtered for exact syllable shape, novelty against the corpus, profanity, slurs,
mentions, URLs and hashtags, but a language model can still write something unkind or
meaningless: `require_approval` (later) lets a human look first.
"""
