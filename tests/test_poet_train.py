"""Training the poet on a tiny corpus: checkpoints, resuming, export, errors."""
import json
import logging
import os
import signal
import stat
import subprocess
import sys

import pytest
import torch
from poet_fixtures import single_torch_thread, tiny_model_config, write_corpus  # noqa: F401
from safetensors.torch import load_file

from bot.cli import main
from bot.errors import AuriaError
from generator.poet import train as train_module
from generator.poet import weights
from generator.poet.model import PoetModelConfig
from generator.poet.syllables import counts
from generator.poet.train import TrainConfig, batches, load_examples, train
from generator.poet.write import Poet


def config_for(corpus, run, **overrides):
    settings = dict(epochs=2, batch_size=8, log_every=2, model=tiny_model_config())
    settings.update(overrides)
    return TrainConfig(corpus=str(corpus), run=str(run), **settings)


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    splits = write_corpus(folder)
    return folder, splits


@pytest.fixture(scope="module")
def tiny_run(corpus, tmp_path_factory):
    """One uninterrupted two-epoch run: (progress, run folder, log messages)."""
    run = tmp_path_factory.mktemp("run")
    logger = logging.getLogger("auria.poet.train")
    handler, level = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        progress = train(config_for(corpus[0], run))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return progress, run, handler.messages


# data


def test_load_examples_skips_what_the_model_cannot_learn(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text(
        "old pond\na frog jumps in\nsplash\n\n"
        "café at noon\nthe cup is cold\nrain\n\n"  # outside the alphabet
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen\nx\nrain\n\n"
        "autumn moon\na crow on a branch\ndusk\n",
        encoding="utf-8",
    )
    examples, skipped = load_examples(path, PoetModelConfig())
    assert skipped == 2 and len(examples) == 2
    assert examples[0][4] == (2, 4, 1)
    assert load_examples(path, PoetModelConfig(), max_poems=1)[0] == examples[:1]


def test_batches_are_deterministic_and_cover_every_example(corpus):
    examples, _ = load_examples(corpus[0] / "train.txt", tiny_model_config())
    first = batches(examples, 8, seed=3, epoch=0)
    assert first == batches(examples, 8, seed=3, epoch=0)
    assert first != batches(examples, 8, seed=3, epoch=1)
    assert sorted(map(id, (e for b in first for e in b))) == sorted(map(id, examples))
    assert all(len(b) <= 8 for b in first)


# a tiny run


def test_run_writes_checkpoint_progress_and_best(tiny_run):
    progress, run, _ = tiny_run
    assert {"checkpoint.safetensors", "progress.json", "best.safetensors"} <= {p.name for p in run.iterdir()}
    assert not list(run.glob("*.tmp"))
    saved = json.loads((run / "progress.json").read_text())
    assert saved["epoch"] == 2 and saved["step_in_epoch"] == 0
    assert [h["epoch"] for h in saved["history"]] == [1, 2]
    assert saved["best_bpc"] == pytest.approx(min(h["valid_bpc"] for h in saved["history"]), abs=1e-4)
    assert saved["config"]["model"]["hidden"] == 24
    checkpoint = load_file(str(run / "checkpoint.safetensors"))
    assert "rng.torch" in checkpoint
    assert any(k.startswith("model.") for k in checkpoint) and any(k.startswith("optimizer.") for k in checkpoint)
    best = load_file(str(run / "best.safetensors"))
    assert set(best) == {k[len("model."):] for k in checkpoint if k.startswith("model.")}
    assert progress["history"] == saved["history"]


def test_validation_bpc_is_logged_every_epoch(tiny_run):
    progress, _, messages = tiny_run
    done = [m for m in messages if "done: validation bpc" in m]
    assert [m.split()[1] for m in done] == ["1/2", "2/2"]
    for line, record in zip(done, progress["history"]):
        assert float(line.split()[-1]) == pytest.approx(record["valid_bpc"], abs=1e-4)
    assert any(m.startswith("data: 48 training poems (0 skipped") for m in messages)
    assert any("train bpc" in m and "chars/s" in m and "eta" in m for m in messages)
    assert any(m.startswith("exported the weights of epoch") for m in messages)


def test_run_exports_loadable_weights(tiny_run, corpus):
    progress, run, _ = tiny_run
    out = run / "weights"
    for name in (weights.MODEL_FILE, weights.NOVELTY_FILE, weights.CARD_FILE):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644
    loaded = weights.load(out)
    assert loaded.model.config == tiny_model_config()
    training = json.loads(loaded.metadata["training"])
    assert training["history"] == progress["history"]
    assert training["best_epoch"] == progress["best_epoch"]
    assert training["training_poems"] == 48
    # Every corpus poem, of every split, is in the novelty fingerprints.
    splits = corpus[1]
    assert len(loaded.novelty.poems) == sum(len(s) for s in splits.values())
    for split in splits.values():
        assert loaded.novelty.problem(split[0]) == "copies a corpus poem"
    card = (out / weights.CARD_FILE).read_text()
    assert "# Auria poet: model card" in card
    assert "hidden 24" in card and "| tiny | 68 | 68 |" in card
    for record in progress["history"]:
        assert f"| {record['epoch']} | {record['valid_bpc']:.4f} |" in card
    # The exported weights are those of the best epoch.
    best = load_file(str(run / "best.safetensors"))
    for key, value in loaded.model.state_dict().items():
        assert torch.equal(value, best[key])


def test_exported_weights_drive_the_decoder(tiny_run):
    # Two epochs on 48 poems spell no real words, so the writer's filters would reject
    # everything; the constrained decoder itself must still hold every line to its count.
    _, run, _ = tiny_run
    poet = Poet(weights.load(run / "weights"))
    samples = [poet.sample((2, 3, 2), torch.Generator().manual_seed(seed), 0.8, 0.95) for seed in range(4)]
    written = [lines for lines in samples if lines is not None]
    assert written
    assert all(counts(lines) == (2, 3, 2) for lines in written)


# resuming


def test_resume_after_the_last_epoch_continues_with_the_next(corpus, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="auria.poet.train")
    run = tmp_path / "run"
    first = train(config_for(corpus[0], run, epochs=1))
    assert [h["epoch"] for h in first["history"]] == [1]
    assert "epoch 1/1 done: validation bpc" in caplog.text
    caplog.clear()
    second = train(config_for(corpus[0], run, epochs=2))
    assert [h["epoch"] for h in second["history"]] == [1, 2]
    assert second["history"][0] == first["history"][0]
    assert f"resuming from {run / 'checkpoint.safetensors'} at epoch 2, step 0" in caplog.text
    assert "epoch 1/2" not in caplog.text  # the first epoch is not trained or validated again
    assert "epoch 2/2 done: validation bpc" in caplog.text


def test_rerunning_a_finished_run_only_exports(corpus, tiny_run, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="auria.poet.train")
    progress, run, _ = tiny_run
    again = train(config_for(corpus[0], run, weights_out=str(tmp_path / "out")))
    assert again["history"] == progress["history"]
    assert "validation bpc" in caplog.text and "done: validation" not in caplog.text
    weights.load(tmp_path / "out")


def test_resume_after_an_interrupt_mid_epoch_matches_an_uninterrupted_run(corpus, tmp_path, monkeypatch, caplog, tiny_run):
    caplog.set_level(logging.INFO, logger="auria.poet.train")
    run = tmp_path / "run"
    real_loss, calls = train_module.sequence_loss, []

    def loss_then_interrupt(model, batch):
        calls.append(1)
        if len(calls) == 3:  # during the third training step of epoch 1
            os.kill(os.getpid(), signal.SIGINT)
        return real_loss(model, batch)

    monkeypatch.setattr(train_module, "sequence_loss", loss_then_interrupt)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(AuriaError, match="training interrupted; checkpoint saved"):
        train(config_for(corpus[0], run))
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back
    saved = json.loads((run / "progress.json").read_text())
    assert (saved["epoch"], saved["step_in_epoch"], saved["history"]) == (0, 3, [])
    assert not (run / "best.safetensors").exists()

    monkeypatch.setattr(train_module, "sequence_loss", real_loss)
    caplog.clear()
    progress = train(config_for(corpus[0], run))
    assert f"resuming from {run / 'checkpoint.safetensors'} at epoch 1, step 3" in caplog.text
    # Model, optimizer and random state all came back: the same numbers as without the interrupt.
    assert progress["history"] == tiny_run[0]["history"]


def test_checkpoint_of_another_model_size_is_refused(corpus, tiny_run):
    _, run, _ = tiny_run
    other = PoetModelConfig(hidden=32, char_embed=8, syllable_embed=4, lines_embed=4, dropout=0.0)
    with pytest.raises(AuriaError, match="different model size; use another --run folder") as info:
        train(config_for(corpus[0], run, model=other))
    assert "\n" not in str(info.value)


# errors


def test_no_usable_poems_is_an_error(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for split in ("train", "valid", "test"):
        (folder / f"{split}.txt").write_text("café\nnoël\nthé\n", encoding="utf-8")
    with pytest.raises(AuriaError, match="no usable poems"):
        train(config_for(folder, tmp_path / "run"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_is_an_error(corpus, tmp_path):
    with pytest.raises(AuriaError, match="CUDA is not available"):
        train(config_for(corpus[0], tmp_path / "run", device="cuda"))


def test_cli_train_without_train_txt_exits_2(tmp_path, config_file, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code = main(["--config", str(config_file), "poet", "train", "--corpus", str(empty), "--run", str(tmp_path / "run")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith(f"auria: error: {empty / 'train.txt'}: missing; build it with `auria poet corpus")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "run").exists()


def test_cli_train_rejects_zero_epochs(tmp_path, corpus, config_file, capsys):
    code = main(["--config", str(config_file), "poet", "train", "--corpus", str(corpus[0]),
                 "--run", str(tmp_path / "run"), "--epochs", "0"])
    err = capsys.readouterr().err
    assert code == 2 and err == "auria: error: --epochs and --batch-size must be at least 1\n"


# the real command, interrupted with Ctrl-C


def _auria(*args):
    return [sys.executable, "-m", "bot", *args]


@pytest.mark.slow
def test_cli_train_interrupted_by_sigint_then_resumed(tmp_path, config_file):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, train=200, valid=20, test=4)
    run = tmp_path / "run"
    command = _auria("--config", str(config_file), "poet", "train", "--corpus", str(corpus), "--run", str(run),
                     "--hidden", "16", "--epochs", "2", "--batch-size", "2", "--max-poems", "150", "--threads", "1")
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        log = []
        # The "model:" line comes after the signal handlers are in place, before the first step.
        for line in process.stderr:
            log.append(line)
            if "auria.poet.train: model:" in line:
                process.send_signal(signal.SIGINT)
                break
        out, rest = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    err = "".join(log) + rest
    assert process.returncode == 2, err
    assert out == ""
    assert err.splitlines()[-1] == (
        f"auria: error: training interrupted; checkpoint saved in {run}, run the same command to resume"
    )
    assert err.count("auria: error:") == 1 and "Traceback" not in err
    saved = json.loads((run / "progress.json").read_text())
    assert saved["epoch"] == 0 and saved["step_in_epoch"] >= 1 and saved["history"] == []
    assert (run / "checkpoint.safetensors").exists() and not (run / "best.safetensors").exists()

    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert f"resuming from {run / 'checkpoint.safetensors'} at epoch 1, step {saved['step_in_epoch']}" in second.stderr
    assert "epoch 2/2 done: validation bpc" in second.stderr
    progress = json.loads((run / "progress.json").read_text())
    assert [h["epoch"] for h in progress["history"]] == [1, 2]
    weights.load(run / "weights")
