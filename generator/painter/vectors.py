"""Word vectors trained on the haiku corpus, for words the lexicon does not know.

A haiku says "puddle" or "heron's" or "gulls"; the lexicon cannot list every word, so the
planner asks which motif a word's company most resembles. The vectors are classic count
vectors (Levy, Goldberg & Dagan 2015): co-occurrence counts in a small window inside each
poem, positive PMI with the context distribution smoothed (alpha 0.75), a truncated SVD
whose left vectors are scaled by the square root of the singular values, each row
L2-normalised. numpy only; training on ~30k poems takes a few seconds.

The result ships as generator/painter/weights/word_vectors.safetensors (a float16 matrix, the
vocabulary and the training record in the metadata), so the product never reads the corpus.

    python -m generator.painter.vectors --corpus CORPUS_DIR --out generator/painter/weights/
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

from core.errors import AuriaError
from generator.painter.lexicon import STOPWORDS, WORDS, words_of

SHIPPED = Path(__file__).parent / "weights" / "word_vectors.safetensors"
FORMAT = "auria-word-vectors/1"
# Cosine similarity a word needs to its nearest motif centroid to be painted as that motif.
# Tuned by eye with benchmarks/motif_coverage.py: at 0.5 most guesses are sensible ("bare" ->
# tree, "melting" -> snow, "plop" -> frog) but only 80% of haiku get a motif; below ~0.45
# the guesses turn arbitrary ("scent" -> hills, "glass" -> ice). Words seen fewer than ~10
# times have the noisiest vectors, and few of them reach it.
MOTIF_THRESHOLD = 0.48


@dataclass
class VectorConfig:
    dims: int = 64
    window: int = 4  # content words on each side, inside one poem
    min_count: int = 3
    alpha: float = 0.75  # context-distribution smoothing: rare contexts get less PMI boost
    seed: int = 0  # for the randomized SVD's test matrix


# --- training ------------------------------------------------------------------------------

def content_words(poem: list[str]) -> list[str]:
    """The poem's words in order, all lines together, stopwords dropped."""
    return [w for line in poem for w in words_of(line) if w not in STOPWORDS]


def cooccurrences(poems: list[list[str]], index: dict[str, int], window: int):
    """Symmetric window counts as sparse triples (rows, cols, counts), sorted by row."""
    size = len(index)
    keys = []
    for poem in poems:
        ids = [index[w] for w in content_words(poem) if w in index]
        for i, a in enumerate(ids):
            for b in ids[i + 1:i + 1 + window]:
                keys.append(a * size + b)
                keys.append(b * size + a)
    keys, counts = np.unique(np.array(keys, dtype=np.int64), return_counts=True)
    return keys // size, keys % size, counts.astype(np.float64)


def ppmi_matrix(rows, cols, counts, size: int, alpha: float) -> np.ndarray:
    """Dense PPMI matrix; PMI(w, c) = log(n(w,c) * sum_c n(c)^a / (n(w) * n(c)^a))."""
    word_totals = np.bincount(rows, weights=counts, minlength=size)
    context_smoothed = np.bincount(cols, weights=counts, minlength=size) ** alpha
    pmi = np.log(counts * context_smoothed.sum() / (word_totals[rows] * context_smoothed[cols]))
    matrix = np.zeros((size, size), dtype=np.float32)
    matrix[rows, cols] = np.maximum(pmi, 0.0)
    return matrix


def truncated_svd(matrix: np.ndarray, dims: int, seed: int, oversample: int = 64, power_iterations: int = 10):
    """Top `dims` left singular vectors and values by randomized SVD (Halko et al. 2011).

    A PPMI spectrum is flat, so it takes generous oversampling and power iterations to
    converge: with 16 and 4, the 64th singular value came out 5% low and the motif guesses
    changed with the seed; with 64 and 10 they agree with a much longer run.
    """
    rng = np.random.default_rng(seed)
    sample = matrix @ rng.standard_normal((matrix.shape[1], dims + oversample)).astype(np.float32)
    for _ in range(power_iterations):  # sharpen the spectrum; QR keeps the basis stable
        sample, _ = np.linalg.qr(sample)
        sample, _ = np.linalg.qr(matrix.T @ sample)
        sample = matrix @ sample
    basis, _ = np.linalg.qr(sample)
    small_u, values, _ = np.linalg.svd(basis.T @ matrix, full_matrices=False)
    return (basis @ small_u)[:, :dims], values[:dims]


def train(poems: list[list[str]], config: VectorConfig) -> tuple[list[str], np.ndarray]:
    """Vocabulary (by falling count, then alphabetically) and its unit vectors (float32)."""
    frequency = Counter(w for poem in poems for w in content_words(poem))
    words = sorted((w for w, n in frequency.items() if n >= config.min_count),
                   key=lambda w: (-frequency[w], w))
    if len(words) <= config.dims:
        raise AuriaError(f"only {len(words)} words occur {config.min_count}+ times: "
                         f"too few for {config.dims}-dimensional vectors")
    index = {w: i for i, w in enumerate(words)}
    rows, cols, counts = cooccurrences(poems, index, config.window)
    matrix = ppmi_matrix(rows, cols, counts, len(words), config.alpha)
    left, values = truncated_svd(matrix, config.dims, config.seed)
    vectors = left * np.sqrt(values)
    return words, _unit_rows(vectors.astype(np.float32))


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def save(path: Path, words: list[str], vectors: np.ndarray, config: VectorConfig,
         corpus_sha256: str, poems: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {
        "format": FORMAT,
        "vocabulary": json.dumps(words, separators=(",", ":")),
        "config": json.dumps(asdict(config)),
        "dims": str(config.dims),
        "window": str(config.window),
        "min_count": str(config.min_count),
        "trained": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "corpus_sha256": corpus_sha256,
        "poems": str(poems),
    }
    save_file({"vectors": vectors.astype(np.float16)}, str(path), metadata=metadata)


# --- using them ----------------------------------------------------------------------------

class WordVectors:
    """Unit word vectors with each motif's centroid (the mean of its lexicon words' vectors)."""

    def __init__(self, words: list[str], vectors: np.ndarray, metadata: dict | None = None,
                 sha256: str | None = None):
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}
        self.vectors = _unit_rows(vectors.astype(np.float32))
        self.metadata = metadata or {}
        self.sha256 = sha256  # of the file they were loaded from; recorded with every work
        # A motif's centroid: the mean of its lexicon words' vectors. Motifs none of whose
        # words are in the vocabulary (possible with a tiny corpus) cannot be guessed.
        known = {motif: [self.index[w] for w in names if w in self.index] for motif, names in WORDS.items()}
        self.motifs = [motif for motif, rows in known.items() if rows]
        means = [self.vectors[known[motif]].mean(axis=0) for motif in self.motifs]
        self.centroids = _unit_rows(np.array(means, dtype=np.float32).reshape(len(means), self.vectors.shape[1]))

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def similar(self, word: str, n: int = 10) -> list[tuple[str, float]]:
        """The n words nearest to `word` by cosine similarity (itself excluded)."""
        if word not in self.index:
            return []
        similarities = self.vectors @ self.vectors[self.index[word]]
        order = [i for i in np.argsort(-similarities, kind="stable") if self.words[i] != word]
        return [(self.words[i], float(similarities[i])) for i in order[:n]]

    def nearest_motif(self, word: str, threshold: float = MOTIF_THRESHOLD) -> tuple[str, float] | None:
        """(motif, similarity) of the motif centroid nearest to `word`, if it is near enough."""
        if word not in self.index or not self.motifs:
            return None
        similarities = self.centroids @ self.vectors[self.index[word]]
        best = int(np.argmax(similarities))
        similarity = round(float(similarities[best]), 4)
        return (self.motifs[best], similarity) if similarity >= threshold else None


def load_vectors(path: str | Path | None = None) -> WordVectors:
    """Load word vectors (the shipped file by default); AuriaError if missing or unreadable."""
    path = Path(path) if path else SHIPPED
    if not path.is_file():
        raise AuriaError(f"{path}: word vectors file is missing (reinstall Auria, or train it with "
                         "python -m generator.painter.vectors)")
    try:
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        with safe_open(str(path), framework="np") as f:
            metadata = dict(f.metadata() or {})
            vectors = f.get_tensor("vectors")
        words = json.loads(metadata["vocabulary"])
    except (SafetensorError, OSError, ValueError, KeyError) as error:
        raise AuriaError(f"{path}: not a readable word vectors file ({error})") from None
    if metadata.get("format") != FORMAT or vectors.ndim != 2 or len(words) != vectors.shape[0]:
        raise AuriaError(f"{path}: not Auria word vectors of format {FORMAT}")
    return WordVectors(words, vectors, metadata, sha256)


# --- command line --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    from generator.poet.corpus import load_split  # training only: the painter never reads the corpus

    parser = argparse.ArgumentParser(prog="python -m generator.painter.vectors", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True, type=Path, help="folder written by `auria poet corpus`")
    parser.add_argument("--out", required=True, type=Path, help="folder for word_vectors.safetensors")
    defaults = VectorConfig()
    parser.add_argument("--dims", type=int, default=defaults.dims)
    parser.add_argument("--window", type=int, default=defaults.window)
    parser.add_argument("--min-count", type=int, default=defaults.min_count)
    args = parser.parse_args(argv)
    config = VectorConfig(dims=args.dims, window=args.window, min_count=args.min_count)
    try:
        started = time.perf_counter()
        train_file = args.corpus / "train.txt"
        poems = load_split(train_file)
        words, vectors = train(poems, config)
        out = args.out / SHIPPED.name
        corpus_sha256 = hashlib.sha256(train_file.read_bytes()).hexdigest()
        save(out, words, vectors, config, corpus_sha256, len(poems))
        seconds = time.perf_counter() - started
    except AuriaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{len(poems)} poems, {len(words)} words x {config.dims} dims in {seconds:.1f} s")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    loaded = load_vectors(out)
    for word in [w for w in ("moon", "snow", "heron", "puddle", "city") if w in loaded]:
        near = ", ".join(f"{w} {s:.2f}" for w, s in loaded.similar(word, 6))
        print(f"  {word:8} {near}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
