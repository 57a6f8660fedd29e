"""Training the poet: one short loop in the spirit of nanoGPT, in two stages.

`auria poet train --corpus CORPUS --run RUN` first pretrains on the verse passages
(CORPUS/verse-train.txt, see verse.py), then fine-tunes on the haiku (CORPUS/train.txt, each
poem with its register), reports validation loss after every epoch of both stages (bits per
token and per character), checkpoints into RUN (safetensors, never pickle), resumes from
RUN's checkpoint after an interruption, and exports the fine-tuning epoch best on
validation with its vocabulary, novelty fingerprints and model card.

Under `torchrun --nproc_per_node N -m bot poet train ...` each process trains on every N-th
batch through DistributedDataParallel (gloo on CPUs, nccl on GPUs); process 0 writes the
checkpoints and the export.
"""
from __future__ import annotations

import json
import logging
import math
import os
import random
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from core.errors import AuriaError
from generator.poet import weights as poet_weights
from generator.poet.corpus import load_registers, load_split
from generator.poet.model import REGISTERS, PoetLSTM, PoetModelConfig, conditioning, make_batch, sequence_loss, shape_of
from generator.poet.tokens import Vocabulary, build_vocabulary
from generator.poet.vocab import model_text

log = logging.getLogger("auria.poet.train")
VOCAB_FILE = "vocabulary.txt"


@dataclass
class TrainConfig:
    corpus: str
    run: str
    weights_out: str = ""  # default: RUN/weights
    pretrain_epochs: int = 2  # on the verse passages; 0 skips pretraining
    epochs: int = 6  # fine-tuning on the haiku; both stages take about 55 minutes on 2 CPU cores
    vocabulary: int = 16000  # words; the most frequent dictionary words of both corpora
    batch_size: int = 64
    learning_rate: float = 3e-3
    final_learning_rate: float = 2e-4  # cosine decay over each stage
    grad_clip: float = 1.0
    device: str = "cpu"
    seed: int = 1234
    threads: int = 0  # 0: torch's default
    log_every: int = 100
    checkpoint_every: int = 400
    max_poems: int = 0  # 0: all; small values make quick trial runs and tests
    model: PoetModelConfig = field(default_factory=PoetModelConfig)


@dataclass
class Stage:
    name: str  # "pretrain" or "finetune"
    epochs: int
    train: list[tuple]
    valid: list[tuple]
    valid_chars: int  # characters of the validation texts, each poem's end counted as one


def poem_texts(path: Path, register: str | None = None) -> list[tuple[str, str]]:
    """(model text, register) of every poem of a split file inside the model's alphabet; the
    registers recorded beside the split, or `register` for all of them."""
    poems = load_split(path)
    registers = [register] * len(poems) if register else load_registers(path, len(poems))
    texts = [(model_text(lines), poem_register) for lines, poem_register in zip(poems, registers)]
    return [(text, poem_register) for text, poem_register in texts if text]


def examples_of(texts: list[tuple[str, str]], vocab: Vocabulary, model_config: PoetModelConfig) -> tuple[list[tuple], int, int]:
    """Model inputs for every poem the model can learn, how many it cannot (lines of zero
    or more than max_syllables syllables, counted over the known words, or only unknown
    words), and the characters of the learnt poems (each poem's end counted as one)."""
    examples, skipped, chars = [], 0, 0
    for text, register in texts:
        ids = vocab.encode(text)
        shape = shape_of(ids, vocab)
        known = sum(vocab.is_word(i) and i != vocab.unknown for i in ids)
        if not known or not all(0 < n <= model_config.max_syllables for n in shape) or len(shape) > model_config.max_lines:
            skipped += 1
            continue
        examples.append((*conditioning(ids, shape, vocab), shape, REGISTERS.index(register)))
        chars += len(text) + 1
    return examples, skipped, chars


def batches(examples: list[tuple], batch_size: int, seed: int, epoch: int) -> list[list[tuple]]:
    """A deterministic shuffled epoch, grouped by length so little of a batch is padding."""
    order = list(range(len(examples)))
    random.Random(seed * 1000 + epoch).shuffle(order)
    chunk = batch_size * 50
    grouped = []
    for start in range(0, len(order), chunk):
        grouped += sorted(order[start : start + chunk], key=lambda i: len(examples[i][0]))
    result = [[examples[i] for i in grouped[s : s + batch_size]] for s in range(0, len(grouped), batch_size)]
    random.Random(seed * 1000 + epoch + 1).shuffle(result)
    return result


@torch.no_grad()
def bits_per_token(model: PoetLSTM, examples: list[tuple], device: str, batch_size: int = 256) -> tuple[float, float]:
    """(mean -log2 p over every predicted token, END included; the total bits), dropout off."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    ordered = sorted(examples, key=lambda e: len(e[0]))
    for start in range(0, len(ordered), batch_size):
        batch = make_batch(ordered[start : start + batch_size], model.config.max_lines, device)
        loss, n = sequence_loss(model, batch)
        total, count = total + float(loss), count + n
    model.train(was_training)
    return total / count / math.log(2), total / math.log(2)


def _save_checkpoint(run: Path, model, optimizer, progress: dict) -> None:
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for i, param in enumerate(params):
        for key, value in optimizer.state.get(param, {}).items():
            tensors[f"optimizer.{i}.{key}"] = torch.as_tensor(value).detach().cpu().contiguous()
    tensors["rng.torch"] = torch.get_rng_state()
    tmp = run / "checkpoint.safetensors.tmp"
    save_file(tensors, str(tmp))
    tmp.replace(run / "checkpoint.safetensors")  # atomic: an interrupt never leaves half a file
    (run / "progress.json.tmp").write_text(json.dumps(progress, indent=2))
    (run / "progress.json.tmp").replace(run / "progress.json")


def _load_checkpoint(run: Path, model, optimizer, device: str) -> dict:
    tensors = load_file(str(run / "checkpoint.safetensors"), device="cpu")
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for i, param in enumerate(params):
        prefix = f"optimizer.{i}."
        state = {k[len(prefix) :]: v.to(device) for k, v in tensors.items() if k.startswith(prefix)}
        if state:
            state["step"] = state["step"].cpu()  # Adam keeps its step counter on the CPU
            optimizer.state[param] = state
    torch.set_rng_state(tensors["rng.torch"])
    return json.loads((run / "progress.json").read_text())


def _vocabulary(config: TrainConfig, run: Path, haiku: list[tuple[str, str]], verse: list[tuple[str, str]]) -> Vocabulary:
    """The run's vocabulary: built from both training corpora once, then read back on resume."""
    path = run / VOCAB_FILE
    if path.exists():
        return Vocabulary(path.read_text(encoding="utf-8").split("\n"))
    vocab = build_vocabulary([t for t, _ in haiku + verse], config.vocabulary)
    if _rank() == 0:
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(vocab.tokens), encoding="utf-8")
        tmp.replace(path)
    return vocab


def _first(items: list, n: int) -> list:
    """The first n items; all of them when n is 0."""
    return items[:n] if n else items


def _stages(config: TrainConfig, run: Path) -> tuple[Vocabulary, list[Stage]]:
    corpus = Path(config.corpus)
    # Trial runs (--max-poems N) validate on a fifth as many poems as they train on.
    haiku_train = _first(poem_texts(corpus / "train.txt"), config.max_poems)
    haiku_valid = _first(poem_texts(corpus / "valid.txt"), config.max_poems // 5)
    verse_train: list[tuple[str, str]] = []
    verse_valid: list[tuple[str, str]] = []
    if config.pretrain_epochs:
        for name in ("verse-train.txt", "verse-valid.txt"):
            if not (corpus / name).is_file():
                raise AuriaError(f"{corpus / name}: missing; build it with `auria poet corpus --verse POETRY` or pass --pretrain-epochs 0")
        verse_train = _first(poem_texts(corpus / "verse-train.txt", "verse"), config.max_poems)
        verse_valid = _first(poem_texts(corpus / "verse-valid.txt", "verse"), config.max_poems // 5)
    vocab = _vocabulary(config, run, haiku_train, verse_train)
    config.model.vocab_size = len(vocab)
    stages = []
    for name, epochs, train_texts, valid_texts in (
        ("pretrain", config.pretrain_epochs, verse_train, verse_valid),
        ("finetune", config.epochs, haiku_train, haiku_valid),
    ):
        if not epochs:
            continue
        train_examples, skipped, _ = examples_of(train_texts, vocab, config.model)
        valid_examples, _, valid_chars = examples_of(valid_texts, vocab, config.model)
        if not train_examples or not valid_examples:
            raise AuriaError(f"{corpus}: no usable poems for the {name} stage")
        tokens = sum(len(e[3]) for e in train_examples)
        unknown = sum(e[3].count(vocab.unknown) for e in train_examples)
        log.info(
            "%s data: %d poems (%d skipped), %d tokens an epoch (%.1f%% unknown words), %d validation poems",
            name, len(train_examples), skipped, tokens, 100 * unknown / tokens, len(valid_examples),
        )
        stages.append(Stage(name, epochs, train_examples, valid_examples, valid_chars))
    if not stages:
        raise AuriaError("nothing to train: --epochs and --pretrain-epochs are both 0")
    return vocab, stages


def _rank() -> int:
    return torch.distributed.get_rank() if torch.distributed.is_initialized() else 0


def _world() -> int:
    return torch.distributed.get_world_size() if torch.distributed.is_initialized() else 1


def _start_distributed(config: TrainConfig) -> None:
    """Join the process group torchrun describes in the environment (WORLD_SIZE > 1)."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or torch.distributed.is_initialized():
        return
    cuda = config.device.startswith("cuda")
    if cuda:
        config.device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
        torch.cuda.set_device(config.device)
    torch.distributed.init_process_group("nccl" if cuda else "gloo")
    log.info("distributed: process %d of %d (%s)", _rank(), _world(), "nccl" if cuda else "gloo")


def _barrier() -> None:
    if torch.distributed.is_initialized():
        torch.distributed.barrier()


def train(config: TrainConfig) -> dict:
    """Train (or resume) both stages and export the best fine-tuning epoch. Returns the final progress."""
    run = Path(config.run)
    run.mkdir(parents=True, exist_ok=True)
    if config.threads:
        torch.set_num_threads(config.threads)
    if config.device.startswith("cuda") and not torch.cuda.is_available():
        raise AuriaError(f"--device {config.device}: CUDA is not available on this machine")
    _start_distributed(config)
    started = time.perf_counter()
    vocab, stages = _stages(config, run)
    log.info("vocabulary: %d tokens; data prepared in %.1f s", len(vocab), time.perf_counter() - started)

    torch.manual_seed(config.seed)
    core = PoetLSTM(config.model).to(config.device)
    model = torch.nn.parallel.DistributedDataParallel(core) if _world() > 1 else core
    optimizer = torch.optim.Adam(core.parameters(), lr=config.learning_rate)
    progress = {"config": asdict(config), "stage": 0, "epoch": 0, "step_in_epoch": 0, "history": [], "best": None}

    checkpoint = run / "checkpoint.safetensors"
    if checkpoint.exists():
        saved = json.loads((run / "progress.json").read_text())
        if saved["config"]["model"] != asdict(config.model):
            raise AuriaError(f"{run}: holds a checkpoint of a different model size; use another --run folder")
        progress = _load_checkpoint(run, core, optimizer, config.device)
        progress["config"] = asdict(config)
        last = len(stages) - 1
        done = sum(h["stage"] == stages[last].name for h in progress["history"])
        if progress["stage"] > last and done < stages[last].epochs:  # asked for more epochs than before
            progress["stage"], progress["epoch"], progress["step_in_epoch"] = last, done, 0
        log.info("resuming from %s at stage %d, epoch %d, step %d", checkpoint, progress["stage"] + 1,
                 progress["epoch"] + 1, progress["step_in_epoch"])

    interrupted = {"signal": None}

    def on_signal(signum, _frame):
        interrupted["signal"] = signum

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    log.info("model: %d parameters, device %s", sum(p.numel() for p in core.parameters()), config.device)
    try:
        while progress["stage"] < len(stages):
            _train_stage(config, stages[progress["stage"]], model, core, optimizer, progress, run, interrupted)
            progress["stage"], progress["epoch"], progress["step_in_epoch"] = progress["stage"] + 1, 0, 0
            if _rank() == 0:
                _save_checkpoint(run, core, optimizer, progress)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)

    weights_out = Path(config.weights_out or run / "weights")
    if _rank() == 0:
        core.load_state_dict(load_file(str(run / "best.safetensors")))
        poet_weights.export(core, vocab, weights_out, corpus=Path(config.corpus), training=_training_record(config, progress, stages))
        best = progress["best"]
        log.info("exported the weights of %s epoch %d (validation %.4f bits per character) to %s",
                 best["stage"], best["epoch"], best["valid_bpc"], weights_out)
    _barrier()
    return progress


def _train_stage(config, stage: Stage, model, core, optimizer, progress, run, interrupted) -> None:
    world, rank = _world(), _rank()
    steps_per_epoch = math.ceil(len(stage.train) / config.batch_size) // world  # the batches of an epoch
    total_steps = steps_per_epoch * stage.epochs
    model.train()
    while progress["epoch"] < stage.epochs:
        epoch = progress["epoch"]
        # Every process shuffles alike and takes its own share of the epoch's batches.
        epoch_batches = batches(stage.train, config.batch_size, config.seed + 7919 * progress["stage"], epoch)
        epoch_batches = epoch_batches[rank : steps_per_epoch * world : world]
        window_loss, window_tokens, window_steps, window_start = 0.0, 0, 0, time.perf_counter()
        for step in range(progress["step_in_epoch"], len(epoch_batches)):
            global_step = epoch * steps_per_epoch + step
            fraction = global_step / max(total_steps - 1, 1)
            lr = config.final_learning_rate + 0.5 * (config.learning_rate - config.final_learning_rate) * (
                1 + math.cos(math.pi * fraction)
            )
            for group in optimizer.param_groups:
                group["lr"] = lr
            batch = make_batch(epoch_batches[step], config.model.max_lines, config.device)
            loss, n = sequence_loss(model, batch)
            optimizer.zero_grad(set_to_none=True)
            (loss / n).backward()
            torch.nn.utils.clip_grad_norm_(core.parameters(), config.grad_clip)
            optimizer.step()
            window_loss, window_tokens, window_steps = window_loss + loss.item(), window_tokens + n, window_steps + 1
            progress["step_in_epoch"] = step + 1
            if (step + 1) % config.log_every == 0 or step + 1 == len(epoch_batches):
                elapsed = time.perf_counter() - window_start
                rate = window_tokens * world / max(elapsed, 1e-9)
                eta = (total_steps - global_step - 1) * elapsed / max(window_steps, 1)
                log.info(
                    "%s epoch %d/%d step %d/%d  train bits/token %.3f  lr %.5f  %.0f tokens/s  stage eta %s",
                    stage.name, epoch + 1, stage.epochs, step + 1, len(epoch_batches),
                    window_loss / window_tokens / math.log(2), lr, rate, _duration(eta),
                )
                window_loss, window_tokens, window_steps, window_start = 0.0, 0, 0, time.perf_counter()
            if rank == 0 and (step + 1) % config.checkpoint_every == 0:
                _save_checkpoint(run, core, optimizer, progress)
            if interrupted["signal"]:
                if rank == 0:
                    _save_checkpoint(run, core, optimizer, progress)
                raise AuriaError(f"training interrupted; checkpoint saved in {run}, run the same command to resume")
        per_token, bits = bits_per_token(core, stage.valid, config.device)
        per_char = bits / stage.valid_chars
        record = {"stage": stage.name, "epoch": epoch + 1, "valid_bits_per_token": round(per_token, 4),
                  "valid_bpc": round(per_char, 4)}
        progress["history"].append(record)
        log.info("%s epoch %d/%d done: validation %.4f bits per token, %.4f bits per character",
                 stage.name, epoch + 1, stage.epochs, per_token, per_char)
        # The export is the fine-tuning epoch best on the haiku (a one-stage run: its best).
        if stage.name == "finetune" or not any(h["stage"] == "finetune" for h in progress["history"]):
            best = progress["best"]
            if best is None or best["stage"] != stage.name or per_char < best["valid_bpc"]:
                progress["best"] = record
                if rank == 0:
                    state = {k: v.detach().cpu().contiguous() for k, v in core.state_dict().items()}
                    save_file(state, str(run / "best.safetensors"))
        progress["epoch"], progress["step_in_epoch"] = epoch + 1, 0
        if rank == 0:
            _save_checkpoint(run, core, optimizer, progress)
        _barrier()


def _training_record(config: TrainConfig, progress: dict, stages: list[Stage]) -> dict:
    return {
        "pretrain_epochs": config.pretrain_epochs,
        "epochs": config.epochs,
        "best": progress["best"],
        "history": progress["history"],
        "poems": {stage.name: len(stage.train) for stage in stages},
        "tokens": {stage.name: sum(len(e[3]) for e in stage.train) for stage in stages},
        "device": config.device,
        "processes": _world(),
        "seed": config.seed,
        "batch_size": config.batch_size,
        "learning_rate": config.learning_rate,
    }


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"
