"""`auria poet ...`: build the corpus, train the model, write haiku."""
from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path

from core.errors import AuriaError

log = logging.getLogger("auria.poet")


def register(subparsers) -> None:
    poet = subparsers.add_parser("poet", help="the haiku language model: corpus, training, writing")
    commands = poet.add_subparsers(dest="poet_command", metavar="COMMAND", required=True)

    corpus = commands.add_parser("corpus", help="build the training corpus from raw haiku collections")
    corpus.add_argument("--src", required=True, metavar="DIR", help="folder of raw collections")
    corpus.add_argument("--out", required=True, metavar="DIR", help="where train/valid/test.txt and report.json go")
    corpus.add_argument("--verse", metavar="DIR", help="public-domain verse for pretraining (verse-train/valid.txt)")
    corpus.set_defaults(func=cmd_corpus)

    train = commands.add_parser("train", help="train the LSTM (resumes from the run folder's checkpoint)")
    train.add_argument("--corpus", required=True, metavar="DIR", help="output folder of `auria poet corpus`")
    # --run-dir as well: under torchrun, "--run" is taken for an abbreviation of its --run-path.
    train.add_argument("--run", "--run-dir", dest="run", required=True, metavar="DIR", help="checkpoints and progress go here")
    train.add_argument("--weights-out", metavar="DIR", help="export the best epoch here (default RUN/weights)")
    train.add_argument("--pretrain-epochs", type=int, default=2, help="epochs on the verse passages first (default 2; 0: none)")
    train.add_argument("--epochs", type=int, default=7, help="fine-tuning epochs on the haiku (default 6)")
    train.add_argument("--vocabulary", type=int, default=16000, help="words in the vocabulary (default 16000)")
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--learning-rate", type=float, default=3e-3)
    train.add_argument("--hidden", type=int, default=512, help="LSTM width")
    train.add_argument("--embed", type=int, default=256, help="word embedding width")
    train.add_argument("--dropout", type=float, default=0.3)
    train.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    train.add_argument("--threads", type=int, default=0, help="CPU threads (default: torch's choice)")
    train.add_argument("--seed", type=int, default=1234)
    train.add_argument("--max-poems", type=int, default=0, help="train on the first N poems only (trial runs)")
    train.set_defaults(func=cmd_train)

    critic = commands.add_parser("critic", help="train the critic that ranks candidates, into the weights folder")
    critic.add_argument("--corpus", required=True, metavar="DIR", help="output folder of `auria poet corpus`")
    critic.add_argument("--weights", required=True, metavar="DIR", help="the trained model's folder; critic.safetensors goes there")
    critic.add_argument("--samples", type=int, default=0, help="model samples to learn from (default: as many as human poems)")
    critic.add_argument("--shape", default="5-7-5")
    critic.add_argument("--register", default="literary")
    critic.add_argument("--seed", type=int, default=1234)
    critic.set_defaults(func=cmd_critic)

    write = commands.add_parser("write", help="write haiku with the shipped (or configured) model")
    write.add_argument("--n", type=int, default=1, help="how many haiku")
    write.add_argument("--seed", type=int, help="haiku k comes from seed S+k alone (default: random)")
    write.add_argument("--shape", help="syllables per line, e.g. 5-7-5 (default: poet.shape)")
    write.add_argument("--temperature", type=float, help="default: poet.temperature")
    write.add_argument("--top-p", type=float, help="default: poet.top_p")
    write.add_argument("--register", help="literary or social (default: poet.register)")
    write.add_argument("--candidates", type=int, help="candidates sampled per haiku (default: poet.candidates)")
    write.add_argument("--weights", metavar="DIR", help="a poet weights folder (default: poet.weights, else the shipped one)")
    write.add_argument("--explain", action="store_true", help="show the best candidates with their scores")
    write.add_argument("--save", action="store_true", help="store each haiku as a draft work")
    write.add_argument("--json", action="store_true", help="one JSON object per haiku")
    write.set_defaults(func=cmd_write)


def cmd_corpus(args, config) -> int:
    from generator.poet.corpus import build_corpus, format_report
    from generator.poet.verse import build_verse, format_verse_report

    started = time.perf_counter()
    report = build_corpus(Path(args.src), Path(args.out))
    print(format_report(report))
    if args.verse:
        print(format_verse_report(build_verse(Path(args.verse), Path(args.out))))
    log.info("corpus: written to %s in %.1f s", args.out, time.perf_counter() - started)
    return 0


def cmd_train(args, config) -> int:
    from generator.poet.model import PoetModelConfig
    from generator.poet.train import TrainConfig, train

    corpus = Path(args.corpus)
    for split in ("train.txt", "valid.txt"):
        if not (corpus / split).is_file():
            raise AuriaError(f"{corpus / split}: missing; build it with `auria poet corpus --src RAW --out {corpus}`")
    if args.epochs < 1 or args.batch_size < 1 or args.pretrain_epochs < 0 or args.vocabulary < 1:
        raise AuriaError("--epochs, --batch-size and --vocabulary must be at least 1, --pretrain-epochs at least 0")
    train(
        TrainConfig(
            corpus=str(corpus), run=args.run, weights_out=args.weights_out or "", epochs=args.epochs,
            pretrain_epochs=args.pretrain_epochs, vocabulary=args.vocabulary,
            batch_size=args.batch_size, learning_rate=args.learning_rate, device=args.device,
            threads=args.threads, seed=args.seed, max_poems=args.max_poems,
            model=PoetModelConfig(hidden=args.hidden, embed=args.embed, dropout=args.dropout),
        )
    )
    return 0


def cmd_critic(args, config) -> int:
    from generator.poet.critic import build_critic
    from generator.poet.write import parse_register, parse_shape

    if args.samples < 0:
        raise AuriaError(f"--samples must be at least 0, got {args.samples}")
    started = time.perf_counter()
    record = build_critic(
        Path(args.weights), Path(args.corpus), samples=args.samples, shape=parse_shape(args.shape),
        register=parse_register(args.register), seed=args.seed,
    )
    print(json.dumps(record))
    log.info("critic: trained and saved into %s in %.1f s", args.weights, time.perf_counter() - started)
    return 0


def cmd_write(args, config) -> int:
    from generator.poet.weights import load
    from generator.poet.write import Poet, parse_register, parse_shape

    shape = parse_shape(args.shape or config.poet.shape)
    temperature = config.poet.temperature if args.temperature is None else args.temperature
    top_p = config.poet.top_p if args.top_p is None else args.top_p
    if not 0 < temperature <= 2:
        raise AuriaError(f"--temperature must be in (0, 2], got {temperature}")
    if not 0 < top_p <= 1:
        raise AuriaError(f"--top-p must be in (0, 1], got {top_p}")
    if args.n < 1:
        raise AuriaError(f"--n must be at least 1, got {args.n}")
    register = parse_register(args.register or config.poet.register)
    candidates = config.poet.candidates if args.candidates is None else args.candidates
    if not 1 <= candidates <= 4096:
        raise AuriaError(f"--candidates must be 1 to 4096, got {candidates}")
    seed = secrets.randbelow(2**31) if args.seed is None else args.seed

    db = _store(config, create=args.save)
    known = _known_keys(db)
    loaded = load(args.weights or config.poet.weights or None)
    poet = Poet(loaded)
    report = poet.write(
        args.n, seed=seed, shape=shape, register=register, candidates=candidates, temperature=temperature,
        top_p=top_p, max_attempts=config.poet.max_attempts, known_keys=known, keep_top=EXPLAINED if args.explain else 0,
    )
    params = {"temperature": temperature, "top_p": top_p, "shape": "-".join(map(str, shape)),
              "register": register, "candidates": candidates}
    for haiku in report.haiku:
        work_id = _save(db, haiku, params, loaded.file_hashes) if args.save else None
        if args.json:
            print(json.dumps({"lines": haiku.lines, "seed": haiku.seed, "work_id": work_id, **params, **haiku.record()}))
            continue
        print(haiku.text)
        saved = f", saved as work {work_id}" if work_id else ""
        print(f"    (seed {haiku.seed}, {params['shape']}, best of {haiku.candidates}: score {haiku.score:.2f}, "
              f"critic {haiku.critic:.2f}, {haiku.seconds:.2f} s{saved})\n")
        if args.explain:
            print(_explanation(haiku))
    rejected = ", ".join(f"{k} {v}" for k, v in sorted(report.rejected.items())) or "none"
    log.info(
        "poet: wrote %d haiku in %.2f s (%d candidates; rejected: %s)",
        len(report.haiku), report.seconds, report.samples, rejected,
    )
    return 0


EXPLAINED = 8  # candidates shown by --explain


def _explanation(haiku) -> str:
    """The best candidates that passed the filters, with what ranked them."""
    rows = [f"    {'#':>2}  {'score':>6}  {'critic':>6}  {'log p':>6}  candidate"]
    for i, candidate in enumerate(haiku.top, start=1):
        text = " / ".join(candidate.lines)
        rows.append(f"    {i:>2}  {candidate.score:>6.2f}  {candidate.critic:>6.2f}  {candidate.likelihood:>6.2f}  {text}")
    from generator.poet.critic import LIKELIHOOD_WEIGHT

    rows.append(f"    ({haiku.passed} of {haiku.candidates} candidates passed the filters; score = critic + "
                f"{LIKELIHOOD_WEIGHT:g} x standardised log p per token)\n")
    return "\n".join(rows)


def _store(config, create: bool):
    from state.store import open_store

    return open_store(config.db_path) if create or config.db_path.exists() else None


def _known_keys(db) -> set[str]:
    from state.works import known_haiku_keys

    return known_haiku_keys(db) if db is not None else set()


def _save(db, haiku, params: dict, model_hashes: dict) -> int:
    from state.works import WorkStatus, add_work

    return add_work(
        db, haiku=haiku.text, shape=params["shape"], seed=haiku.seed, params=params | {"choice": haiku.record()},
        models={"poet": model_hashes}, timings={"poet": round(haiku.seconds, 3)}, status=WorkStatus.DRAFT,
    )
