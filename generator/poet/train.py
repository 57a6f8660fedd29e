"""Training the poet: one short loop in the spirit of nanoGPT.

`auria poet train --corpus CORPUS --run RUN` trains on CORPUS/train.txt, reports validation
bits per character after every epoch, checkpoints into RUN (safetensors, never pickle),
resumes from RUN's checkpoint after an interruption, and exports the best epoch's weights
with their novelty fingerprints and model card.
"""
from __future__ import annotations

import json
import logging
import math
import random
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from bot.errors import AuriaError
from generator.poet import weights as poet_weights
from generator.poet.corpus import load_split
from generator.poet.model import PoetLSTM, PoetModelConfig, conditioning, make_batch, sequence_loss, shape_of
from generator.poet.vocab import model_text

log = logging.getLogger("auria.poet.train")


@dataclass
class TrainConfig:
    corpus: str
    run: str
    weights_out: str = ""  # default: RUN/weights
    epochs: int = 14  # about an hour on a 2-core CPU at ~6,200 characters/s
    batch_size: int = 64
    learning_rate: float = 3e-3
    final_learning_rate: float = 2e-4  # cosine decay over all steps
    grad_clip: float = 1.0
    device: str = "cpu"
    seed: int = 1234
    threads: int = 0  # 0: torch's default
    log_every: int = 100
    checkpoint_every: int = 400
    max_poems: int = 0  # 0: all; small values make quick trial runs and tests
    model: PoetModelConfig = field(default_factory=PoetModelConfig)


def usable_texts(path: Path, model_config: PoetModelConfig) -> tuple[list[tuple[str, tuple[int, ...]]], int]:
    """(model text, shape) of every poem of a split file the model can learn, and how many it cannot.

    A poem is left out when it uses characters outside the alphabet or has a line of zero or
    more than max_syllables syllables. The n-gram baseline is measured on the same poems.
    """
    usable, skipped = [], 0
    for lines in load_split(path):
        text = model_text(lines)
        shape = shape_of(text) if text else ()
        if not text or not all(0 < n <= model_config.max_syllables for n in shape) or len(shape) > model_config.max_lines:
            skipped += 1
        else:
            usable.append((text, shape))
    return usable, skipped


def load_examples(path: Path, model_config: PoetModelConfig, max_poems: int = 0) -> tuple[list[tuple], int]:
    """Model inputs for every usable poem of a split file, and how many were skipped."""
    usable, skipped = usable_texts(path, model_config)
    if max_poems:
        usable = usable[:max_poems]
    return [(*conditioning(text, shape), shape) for text, shape in usable], skipped


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
def bits_per_char(model: PoetLSTM, examples: list[tuple], device: str, batch_size: int = 256) -> float:
    """Mean -log2 p over every predicted symbol (END included), dropout off."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    ordered = sorted(examples, key=lambda e: len(e[0]))
    for start in range(0, len(ordered), batch_size):
        batch = make_batch(ordered[start : start + batch_size], model.config.max_lines, device)
        loss, n = sequence_loss(model, batch)
        total, count = total + float(loss), count + n
    model.train(was_training)
    return total / count / math.log(2)


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


def train(config: TrainConfig) -> dict:
    """Train (or resume) and export the best epoch. Returns the final progress record."""
    run = Path(config.run)
    run.mkdir(parents=True, exist_ok=True)
    if config.threads:
        torch.set_num_threads(config.threads)
    if config.device.startswith("cuda") and not torch.cuda.is_available():
        raise AuriaError(f"--device {config.device}: CUDA is not available on this machine")
    corpus = Path(config.corpus)
    started = time.perf_counter()
    train_examples, skipped = load_examples(corpus / "train.txt", config.model, config.max_poems)
    valid_examples, _ = load_examples(corpus / "valid.txt", config.model, config.max_poems // 5 if config.max_poems else 0)
    if not train_examples or not valid_examples:
        raise AuriaError(f"{corpus}: no usable poems in train.txt / valid.txt")
    train_chars = sum(len(e[3]) for e in train_examples)
    log.info(
        "data: %d training poems (%d skipped: characters outside the alphabet or lines of 0 or >%d syllables), "
        "%d validation poems, %d characters per epoch, prepared in %.1f s",
        len(train_examples), skipped, config.model.max_syllables, len(valid_examples), train_chars,
        time.perf_counter() - started,
    )

    torch.manual_seed(config.seed)
    model = PoetLSTM(config.model).to(config.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    steps_per_epoch = math.ceil(len(train_examples) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    progress = {"config": asdict(config), "epoch": 0, "step_in_epoch": 0, "history": [], "best_bpc": None}

    checkpoint = run / "checkpoint.safetensors"
    if checkpoint.exists():
        saved = json.loads((run / "progress.json").read_text())
        if saved["config"]["model"] != asdict(config.model):
            raise AuriaError(f"{run}: holds a checkpoint of a different model size; use another --run folder")
        progress = _load_checkpoint(run, model, optimizer, config.device)
        progress["config"] = asdict(config)
        log.info("resuming from %s at epoch %d, step %d", checkpoint, progress["epoch"] + 1, progress["step_in_epoch"])

    interrupted = {"signal": None}

    def on_signal(signum, _frame):
        interrupted["signal"] = signum

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    params = sum(p.numel() for p in model.parameters())
    log.info("model: %d parameters, device %s, %d steps per epoch", params, config.device, steps_per_epoch)
    try:
        model.train()
        while progress["epoch"] < config.epochs:
            epoch = progress["epoch"]
            epoch_batches = batches(train_examples, config.batch_size, config.seed, epoch)
            window_loss, window_chars, window_start = 0.0, 0, time.perf_counter()
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
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                optimizer.step()
                window_loss, window_chars = window_loss + loss.item(), window_chars + n
                progress["step_in_epoch"] = step + 1
                if (step + 1) % config.log_every == 0 or step + 1 == len(epoch_batches):
                    elapsed = time.perf_counter() - window_start
                    remaining = total_steps - global_step - 1
                    rate = window_chars / max(elapsed, 1e-9)
                    eta = remaining * config.batch_size * (train_chars / len(train_examples)) / max(rate, 1e-9)
                    log.info(
                        "epoch %d/%d step %d/%d  train bpc %.3f  lr %.5f  %.0f chars/s  eta %s",
                        epoch + 1, config.epochs, step + 1, len(epoch_batches),
                        window_loss / window_chars / math.log(2), lr, rate, _duration(eta),
                    )
                    window_loss, window_chars, window_start = 0.0, 0, time.perf_counter()
                if (step + 1) % config.checkpoint_every == 0:
                    _save_checkpoint(run, model, optimizer, progress)
                if interrupted["signal"]:
                    _save_checkpoint(run, model, optimizer, progress)
                    raise AuriaError(f"training interrupted; checkpoint saved in {run}, run the same command to resume")
            valid_bpc = bits_per_char(model, valid_examples, config.device)
            progress["history"].append({"epoch": epoch + 1, "valid_bpc": round(valid_bpc, 4)})
            log.info("epoch %d/%d done: validation bpc %.4f", epoch + 1, config.epochs, valid_bpc)
            if progress["best_bpc"] is None or valid_bpc < progress["best_bpc"]:
                progress["best_bpc"] = valid_bpc
                progress["best_epoch"] = epoch + 1
                best = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
                save_file(best, str(run / "best.safetensors"))
            progress["epoch"], progress["step_in_epoch"] = epoch + 1, 0
            _save_checkpoint(run, model, optimizer, progress)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)

    weights_out = Path(config.weights_out or run / "weights")
    model.load_state_dict(load_file(str(run / "best.safetensors")))
    poet_weights.export(
        model,
        weights_out,
        corpus=corpus,
        training={
            "epochs": config.epochs,
            "best_epoch": progress["best_epoch"],
            "valid_bpc": round(progress["best_bpc"], 4),
            "history": progress["history"],
            "training_poems": len(train_examples),
            "device": config.device,
            "seed": config.seed,
            "batch_size": config.batch_size,
            "learning_rate": config.learning_rate,
        },
    )
    log.info("exported the weights of epoch %d (validation bpc %.4f) to %s", progress["best_epoch"], progress["best_bpc"], weights_out)
    return progress


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"
