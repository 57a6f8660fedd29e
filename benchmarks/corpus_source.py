"""The benchmarks' shared way to name the corpus: a built one, or raw collections to build."""
from __future__ import annotations

import tempfile
from pathlib import Path

from generator.poet.corpus import build_corpus


def add_corpus_arguments(parser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--src", help="raw haiku collections; the corpus is built into a temporary folder")
    source.add_argument("--corpus", help="output folder of `auria poet corpus`")


def corpus_folder(args) -> Path:
    """The corpus folder the arguments name, building it first from --src."""
    if args.corpus:
        return Path(args.corpus)
    corpus = Path(tempfile.mkdtemp(prefix="auria-corpus-"))
    build_corpus(Path(args.src), corpus)
    return corpus
