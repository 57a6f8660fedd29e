"""The poet's shipped files: weights, novelty fingerprints and model card.

generator/poet/weights/
  poet.safetensors     LSTM weights in float16; metadata holds the model config, the
                       vocabulary and the training record
  novelty.safetensors  fingerprints of corpus poems and lines (see novelty.py)
  critic.safetensors   the critic that ranks candidates (critic.py); optional for a
                       folder the user trained: without it candidates rank by likelihood
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

from core.errors import AuriaError
from generator.poet.corpus import register_of
from generator.poet.critic import Critic
from generator.poet.model import PoetLSTM, PoetModelConfig
from generator.poet.novelty import NoveltyIndex, build_fingerprints
from generator.poet.tokens import SPECIAL, Vocabulary

SHIPPED = Path(__file__).parent / "weights"
MODEL_FILE = "poet.safetensors"
NOVELTY_FILE = "novelty.safetensors"
CRITIC_FILE = "critic.safetensors"
CARD_FILE = "MODEL_CARD.md"
FORMAT = "auria-poet-word-lstm/2"


@dataclass
class LoadedPoet:
    model: PoetLSTM
    vocab: Vocabulary
    novelty: NoveltyIndex
    critic: Critic | None  # None: the folder has no critic; candidates rank by likelihood
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
    if metadata.get("format") != FORMAT:
        found = metadata.get("format", "none")
        raise AuriaError(f"{model_path}: not an Auria poet model of format {FORMAT} (found {found}); retrain it with `auria poet train`")
    try:
        tokens = metadata["vocabulary"].split("\n")
        if tuple(tokens[: len(SPECIAL)]) != SPECIAL:
            raise ValueError("the vocabulary does not start with the special tokens")
        vocab = Vocabulary(tokens)
        config = PoetModelConfig.from_json(metadata["config"])
        if config.vocab_size != len(vocab):
            raise ValueError(f"{len(vocab)} vocabulary tokens for a model of {config.vocab_size}")
        model = PoetLSTM(config)
        model.load_state_dict({k: v.float() for k, v in state.items()})
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        detail = next((line.strip() for line in str(error).splitlines()[1:] if line.strip()), str(error))
        raise AuriaError(f"{model_path}: weights do not match the model they describe ({detail})") from None
    model.eval()
    fingerprints, _ = _read_tensors(novelty_path)
    if set(fingerprints) != {"poems", "lines"}:
        raise AuriaError(f"{novelty_path}: expected 'poems' and 'lines' fingerprint tensors")
    critic = None
    if (folder / CRITIC_FILE).exists():
        critic = Critic.from_file(*_read_tensors(folder / CRITIC_FILE), path=str(folder / CRITIC_FILE))
    names = [MODEL_FILE, NOVELTY_FILE] + ([CRITIC_FILE] if critic else [])
    hashes = {name: sha256_file(folder / name) for name in names}
    return LoadedPoet(model, vocab, NoveltyIndex(fingerprints), critic, metadata, hashes)


def export(model: PoetLSTM, vocab: Vocabulary, out: Path, *, corpus: Path, training: dict) -> None:
    """Write the weights, the fingerprints of every corpus poem, and the model card."""
    from generator.poet.corpus import load_split  # training-time only

    out.mkdir(parents=True, exist_ok=True)
    trained_at = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    command = "auria poet train " + " ".join(sys.argv[3:]) if sys.argv[1:3] == ["poet", "train"] else ""
    metadata = {
        "format": FORMAT,
        "vocabulary": "\n".join(vocab.tokens),
        "config": model.config.to_json(),
        "trained_at": trained_at,
        "training": json.dumps(training, sort_keys=True),
    }
    # float16 halves the file; the decoder computes in float32, and samples do not change
    # in a way a reader could tell (the benchmark scores the shipped file).
    state = {k: v.detach().cpu().half().contiguous() for k, v in model.state_dict().items()}
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
    history = "\n".join(
        f"| {h['stage']} | {h['epoch']} | {h['valid_bits_per_token']:.4f} | {h['valid_bpc']:.4f} |" for h in training["history"]
    )
    sources = report.get("sources", {})
    source_rows = "\n".join(
        f"| {name} | {register_of(name)} | {row.get('read', '')} | {row.get('kept', '')} |" for name, row in sorted(sources.items())
    )
    splits = report.get("splits", {})
    poems, tokens = training["poems"], training["tokens"]
    best = training["best"]
    return f"""# Auria poet: model card

A word-level LSTM language model that writes haiku, conditioned on the syllable count of
each line and on a register (literary haiku, social-media haiku, or verse): the target
shape and register set the initial state; every step sees the syllables its line still
needs and the lines left. Every token is a word of the CMU Pronouncing Dictionary (or a
punctuation mark, the line break, the end), so every line can be held to its count
exactly. Pretrained on public-domain verse, fine-tuned on haiku. Trained {trained_at} by
the Auria project.

## Model
- {c.layers}-layer LSTM, hidden {c.hidden}, word embedding {c.embed} (tied with the output
  layer), syllables-left embedding {c.syllable_embed}, lines-left embedding {c.lines_embed},
  register embedding {c.register_embed}, dropout {c.dropout}
- {params:,} parameters, stored in float16, safetensors; a vocabulary of {c.vocab_size:,}
  tokens (the most frequent dictionary words of both corpora, `,` `.` `...` `?` `!` `:` `;`,
  a spaced dash, an in-word hyphen, line break, end, unknown word; the unknown word is
  learnt from but never written)
- Lines of up to {c.max_syllables} syllables, poems of up to {c.max_lines} lines

## Data
Pretraining: public-domain verse from Project Gutenberg (the Oxford Book of English Verse,
the Home Book of Verse vol. 1, Emily Dickinson, poem-o-matic's Gutenberg books, the
deepspeare sonnets, detokenized), cut into passages of three consecutive lines of a
stanza: {poems.get('pretrain', 0):,} passages, {tokens.get('pretrain', 0):,} tokens.

Fine-tuning: public haiku collections, not redistributed with the model (see the corpus
builder): github.com/docmarionum1/haikurnn, github.com/ytixu/haiku-scraper,
github.com/Notgnoshi/research (the haiku journals' literary poems) and
github.com/akira-nair/csci1470-final-project-POE-M (r/haiku). English three-line poems
only, normalised, deduplicated, content-filtered; split by a hash of the normalised text
(train {splits.get('train', '?')}, validation {splits.get('valid', '?')}, test {splits.get('test', '?')} poems):
{poems.get('finetune', 0):,} training poems, {tokens.get('finetune', 0):,} tokens.

| source | register | read | kept |
|---|---|---|---|
{source_rows}

Novelty fingerprints: {len(fingerprints['poems']):,} poems, {len(fingerprints['lines']):,} lines of
three or more words (every split).

## Training
```
{command or 'auria poet train --corpus CORPUS --run RUN --weights-out generator/poet/weights'}
```
Device {training['device']} ({training['processes']} process(es)), seed {training['seed']}, batch
{training['batch_size']}, Adam at {training['learning_rate']} with cosine decay in each stage,
{training['pretrain_epochs']} pretraining and {training['epochs']} fine-tuning epochs; the
weights are those of {best['stage']} epoch {best['epoch']}, the best on validation.
Bits per character divide the bits of every token (the end of each poem included) by the
characters of the text plus one; an unknown word counts as one token, so these numbers are
for following training, not for comparing models (the benchmark does that on texts written
in known words only).

| stage | epoch | validation bits per token | bits per character |
|---|---|---|---|
{history}

## Critic
`critic.safetensors` ranks the candidates: `auria poet critic --corpus CORPUS --weights DIR`
trains it (a logistic regression over hashed word n-grams, critic.py) on the corpus's
training poems of the literary register near the shape against as many of this model's
own samples that pass the filters; its training record is in the file's metadata.

## Use and limits
Writes short English poems in the manner of modern literary haiku (or, asked for the social
register, of Reddit and Twitter haiku). Output is filtered for exact syllable shape,
novelty against the corpus, profanity, slurs, mentions, URLs and hashtags, then ranked by
the critic, but a language model can still write something unkind or meaningless:
`publish.require_approval` lets a person look first.
"""
