"""`auria poet ...`: build the corpus, train the model, write haiku."""
from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path

from bot.errors import AuriaError

log = logging.getLogger("auria.poet")


def register(subparsers) -> None:
    poet = subparsers.add_parser("poet", help="the haiku language model: corpus, training, writing")
    commands = poet.add_subparsers(dest="poet_command", metavar="COMMAND", required=True)

    corpus = commands.add_parser("corpus", help="build the training corpus from raw haiku collections")
    corpus.add_argument("--src", required=True, metavar="DIR", help="folder of raw collections")
    corpus.add_argument("--out", required=True, metavar="DIR", help="where train/valid/test.txt and report.json go")
    corpus.set_defaults(func=cmd_corpus)

    train = commands.add_parser("train", help="train the LSTM (resumes from the run folder's checkpoint)")
    train.add_argument("--corpus", required=True, metavar="DIR", help="output folder of `auria poet corpus`")
    train.add_argument("--run", required=True, metavar="DIR", help="checkpoints and progress go here")
    train.add_argument("--weights-out", metavar="DIR", help="export the best epoch here (default RUN/weights)")
    train.add_argument("--epochs", type=int, default=14, help="default 14: about an hour on 2 CPU cores")
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--learning-rate", type=float, default=3e-3)
    train.add_argument("--hidden", type=int, default=384, help="LSTM width")
    train.add_argument("--dropout", type=float, default=0.3)
    train.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    train.add_argument("--threads", type=int, default=0, help="CPU threads (default: torch's choice)")
    train.add_argument("--seed", type=int, default=1234)
    train.add_argument("--max-poems", type=int, default=0, help="train on the first N poems only (trial runs)")
    train.set_defaults(func=cmd_train)

    write = commands.add_parser("write", help="write haiku with the shipped (or configured) model")
    write.add_argument("--n", type=int, default=1, help="how many haiku")
    write.add_argument("--seed", type=int, help="haiku k comes from seed S+k alone (default: random)")
    write.add_argument("--shape", help="syllables per line, e.g. 5-7-5 (default: poet.shape)")
    write.add_argument("--temperature", type=float, help="default: poet.temperature")
    write.add_argument("--top-p", type=float, help="default: poet.top_p")
    write.add_argument("--save", action="store_true", help="store each haiku as a draft work")
    write.add_argument("--json", action="store_true", help="one JSON object per haiku")
    write.set_defaults(func=cmd_write)


def cmd_corpus(args, config) -> int:
    from generator.poet.corpus import build_corpus, format_report

    started = time.perf_counter()
    report = build_corpus(Path(args.src), Path(args.out))
    print(format_report(report))
    log.info("corpus: written to %s in %.1f s", args.out, time.perf_counter() - started)
    return 0


def cmd_train(args, config) -> int:
    from generator.poet.model import PoetModelConfig
    from generator.poet.train import TrainConfig, train

    corpus = Path(args.corpus)
    for split in ("train.txt", "valid.txt"):
        if not (corpus / split).is_file():
            raise AuriaError(f"{corpus / split}: missing; build it with `auria poet corpus --src RAW --out {corpus}`")
    if args.epochs < 1 or args.batch_size < 1:
        raise AuriaError("--epochs and --batch-size must be at least 1")
    train(
        TrainConfig(
            corpus=str(corpus), run=args.run, weights_out=args.weights_out or "", epochs=args.epochs,
            batch_size=args.batch_size, learning_rate=args.learning_rate, device=args.device,
            threads=args.threads, seed=args.seed, max_poems=args.max_poems,
            model=PoetModelConfig(hidden=args.hidden, dropout=args.dropout),
        )
    )
    return 0


def cmd_write(args, config) -> int:
    from generator.poet.weights import load
    from generator.poet.write import Poet, parse_shape

    shape = parse_shape(args.shape or config.poet.shape)
    temperature = config.poet.temperature if args.temperature is None else args.temperature
    top_p = config.poet.top_p if args.top_p is None else args.top_p
    if not 0 < temperature <= 2:
        raise AuriaError(f"--temperature must be in (0, 2], got {temperature}")
    if not 0 < top_p <= 1:
        raise AuriaError(f"--top-p must be in (0, 1], got {top_p}")
    if args.n < 1:
        raise AuriaError(f"--n must be at least 1, got {args.n}")
    seed = secrets.randbelow(2**31) if args.seed is None else args.seed

    db = _store(config, create=args.save)
    known = _known_keys(db)
    loaded = load(config.poet.weights or None)
    poet = Poet(loaded)
    report = poet.write(
        args.n, seed=seed, shape=shape, temperature=temperature, top_p=top_p,
        max_attempts=config.poet.max_attempts, known_keys=known,
    )
    params = {"temperature": temperature, "top_p": top_p, "shape": "-".join(map(str, shape))}
    for haiku in report.haiku:
        work_id = _save(db, haiku, params, loaded.file_hashes) if args.save else None
        if args.json:
            print(json.dumps({"lines": haiku.lines, "seed": haiku.seed, "work_id": work_id, **params}))
        else:
            print(haiku.text)
            saved = f", saved as work {work_id}" if work_id else ""
            print(f"    (seed {haiku.seed}, {params['shape']}, {haiku.seconds:.2f} s{saved})\n")
    rejected = ", ".join(f"{k} {v}" for k, v in sorted(report.rejected.items())) or "none"
    log.info(
        "poet: wrote %d haiku in %.2f s (%d samples, %d dead ends; rejected: %s)",
        len(report.haiku), report.seconds, report.samples, report.gave_up, rejected,
    )
    return 0


def _store(config, create: bool):
    from state.store import open_store

    return open_store(config.db_path) if create or config.db_path.exists() else None


def _known_keys(db) -> set[str]:
    from state.works import known_haiku_keys

    return known_haiku_keys(db) if db is not None else set()


def _save(db, haiku, params: dict, model_hashes: dict) -> int:
    from state.works import add_work

    return add_work(
        db, haiku=haiku.text, shape=params["shape"], seed=haiku.seed, params=params,
        models={"poet": model_hashes}, timings={"poet": round(haiku.seconds, 3)}, status="draft",
    )
