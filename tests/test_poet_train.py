"""Training the poet on a tiny corpus: both stages, checkpoints, resuming, export, errors,
and two processes under torchrun."""
import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys

import pytest
import torch
from poet_fixtures import single_torch_thread, tiny_model_config, write_corpus  # noqa: F401
from safetensors.torch import load_file

from bot.cli import main
from core.errors import AuriaError
from generator.poet import train as train_module
from generator.poet import weights
from generator.poet.model import PoetModelConfig
from generator.poet.syllables import counts
from generator.poet.train import TrainConfig, batches, examples_of, poem_texts, train
from generator.poet.tokens import build_vocabulary
from generator.poet.write import Poet


def config_for(corpus, run, **overrides):
    settings = dict(pretrain_epochs=1, epochs=2, batch_size=8, log_every=2, vocabulary=200, model=tiny_model_config())
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
    """One uninterrupted run, one pretraining and two fine-tuning epochs: (progress, run folder, log messages)."""
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


def test_examples_skip_what_the_model_cannot_learn(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text(
        "old pond\na frog jumps in\nsplash\n\n"
        "café at noon\nthe cup is cold\nrain\n\n"  # outside the alphabet
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen\nold\nrain\n\n"
        "autumn moon\na crow on a branch\ndusk\n",
        encoding="utf-8",
    )
    texts = poem_texts(path)
    assert len(texts) == 3 and all(register == "literary" for _, register in texts)  # no registers file
    vocab = build_vocabulary([t for t, _ in texts], max_words=100, min_count=1)
    examples, skipped, chars = examples_of(texts, vocab, PoetModelConfig())
    assert skipped == 1 and len(examples) == 2  # the line of 17 syllables
    assert examples[0][4] == (2, 4, 1) and examples[1][5] == 0
    assert chars == len("old pond\na frog jumps in\nsplash") + len("autumn moon\na crow on a branch\ndusk") + 2


def test_batches_are_deterministic_and_cover_every_example(corpus):
    texts = poem_texts(corpus[0] / "train.txt")
    examples, _, _ = examples_of(texts, build_vocabulary([t for t, _ in texts], 200), tiny_model_config())
    first = batches(examples, 8, seed=3, epoch=0)
    assert first == batches(examples, 8, seed=3, epoch=0)
    assert first != batches(examples, 8, seed=3, epoch=1)
    assert sorted(map(id, (e for b in first for e in b))) == sorted(map(id, examples))
    assert all(len(b) <= 8 for b in first)


# a tiny run


def test_run_writes_checkpoint_progress_vocabulary_and_best(tiny_run):
    progress, run, _ = tiny_run
    assert {"checkpoint.safetensors", "progress.json", "best.safetensors", "vocabulary.txt"} <= {p.name for p in run.iterdir()}
    assert not list(run.glob("*.tmp"))
    saved = json.loads((run / "progress.json").read_text())
    assert saved["stage"] == 2 and saved["epoch"] == 0
    assert [(h["stage"], h["epoch"]) for h in saved["history"]] == [("pretrain", 1), ("finetune", 1), ("finetune", 2)]
    finetune = [h for h in saved["history"] if h["stage"] == "finetune"]
    assert saved["best"] == min(finetune, key=lambda h: h["valid_bpc"])
    assert saved["config"]["model"]["hidden"] == 24
    checkpoint = load_file(str(run / "checkpoint.safetensors"))
    assert "rng.torch" in checkpoint
    assert any(k.startswith("model.") for k in checkpoint) and any(k.startswith("optimizer.") for k in checkpoint)
    best = load_file(str(run / "best.safetensors"))
    assert set(best) == {k[len("model."):] for k in checkpoint if k.startswith("model.")}
    assert progress["history"] == saved["history"]


def test_validation_is_logged_every_epoch_of_both_stages(tiny_run):
    progress, _, messages = tiny_run
    done = [m for m in messages if " done: validation " in m]
    assert [m.split()[:3] for m in done] == [["pretrain", "epoch", "1/1"], ["finetune", "epoch", "1/2"], ["finetune", "epoch", "2/2"]]
    for line, record in zip(done, progress["history"]):
        assert f"{record['valid_bits_per_token']:.4f} bits per token" in line
    assert any(m.startswith("pretrain data: 12 poems (0 skipped)") for m in messages)
    assert any(m.startswith("finetune data: 48 poems (0 skipped)") for m in messages)
    assert any("train bits/token" in m and "tokens/s" in m and "eta" in m for m in messages)
    assert any(m.startswith("exported the weights of finetune epoch") for m in messages)


def test_run_exports_loadable_weights(tiny_run, corpus):
    progress, run, _ = tiny_run
    out = run / "weights"
    for name in (weights.MODEL_FILE, weights.NOVELTY_FILE, weights.CARD_FILE):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644
    loaded = weights.load(out)
    assert loaded.critic is None  # trained separately, by `auria poet critic`
    assert loaded.vocab.tokens == (run / "vocabulary.txt").read_text().split("\n")
    training = json.loads(loaded.metadata["training"])
    assert training["history"] == progress["history"] and training["best"] == progress["best"]
    assert training["poems"] == {"pretrain": 12, "finetune": 48}
    splits = corpus[1]
    assert len(loaded.novelty.poems) == sum(len(s) for s in splits.values())
    for split in splits.values():
        assert loaded.novelty.problem(split[0]) == "copies a corpus poem"
    card = (out / weights.CARD_FILE).read_text()
    assert "# Auria poet: model card" in card and "hidden 24" in card
    for record in progress["history"]:
        assert f"| {record['stage']} | {record['epoch']} | {record['valid_bits_per_token']:.4f} |" in card
    best = load_file(str(run / "best.safetensors"))
    for key, value in loaded.model.state_dict().items():
        assert torch.equal(value, best[key].half().float())  # shipped in float16


def test_exported_weights_drive_the_decoder(tiny_run):
    _, run, _ = tiny_run
    poet = Poet(weights.load(run / "weights"))
    batch = poet.sample(16, (2, 3, 2), "literary", torch.Generator().manual_seed(0))
    assert all(counts(c.lines) == (2, 3, 2) for c in batch)


def test_critic_is_trained_into_the_weights_folder(tiny_run, corpus, tmp_path, config_file, capsys):
    _, run, _ = tiny_run
    folder = tmp_path / "weights"
    shutil.copytree(run / "weights", folder)
    shape = counts(corpus[1]["train"][0])
    code = main(["--config", str(config_file), "poet", "critic", "--corpus", str(corpus[0]), "--weights", str(folder),
                 "--samples", "40", "--shape", "-".join(map(str, shape))])
    out, err = capsys.readouterr()
    assert code == 0, err
    record = json.loads(out)
    assert record["machine"] == 40 and record["human"] > 0 and 0 <= record["held_out_accuracy"] <= 1
    loaded = weights.load(folder)
    assert loaded.critic is not None and weights.CRITIC_FILE in loaded.file_hashes
    assert json.loads(loaded.critic.metadata["training"]) == record
    haiku = Poet(loaded).write(1, seed=1, shape=shape, candidates=8, max_attempts=50).haiku[0]
    assert haiku.score != haiku.likelihood  # ranked by the critic, not by likelihood alone


def test_critic_without_human_poems_near_the_shape_is_an_error(tiny_run, corpus, config_file, capsys):
    _, run, _ = tiny_run
    code = main(["--config", str(config_file), "poet", "critic", "--corpus", str(corpus[0]), "--weights",
                 str(run / "weights"), "--shape", "12-12-12"])
    err = capsys.readouterr().err
    assert code == 2 and "no literary poems near the shape 12-12-12 to train the critic on" in err and err.count("\n") == 1


def test_a_run_without_pretraining_needs_no_verse(corpus, tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus[0], folder)
    (folder / "verse-train.txt").unlink()
    with pytest.raises(AuriaError, match="verse-train.txt: missing; .*--pretrain-epochs 0"):
        train(config_for(folder, tmp_path / "run"))
    progress = train(config_for(folder, tmp_path / "run", pretrain_epochs=0, epochs=1))
    assert [h["stage"] for h in progress["history"]] == ["finetune"]


# resuming


def test_resume_after_the_last_epoch_continues_with_the_next(corpus, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="auria.poet.train")
    run = tmp_path / "run"
    first = train(config_for(corpus[0], run, epochs=1))
    assert [h["epoch"] for h in first["history"]] == [1, 1]
    caplog.clear()
    second = train(config_for(corpus[0], run, epochs=2))
    assert [(h["stage"], h["epoch"]) for h in second["history"]] == [("pretrain", 1), ("finetune", 1), ("finetune", 2)]
    assert second["history"][:2] == first["history"]
    assert "finetune epoch 1/2" not in caplog.text  # the first epoch is not trained or validated again
    assert "finetune epoch 2/2 done: validation" in caplog.text


def test_rerunning_a_finished_run_only_exports(corpus, tiny_run, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="auria.poet.train")
    progress, run, _ = tiny_run
    again = train(config_for(corpus[0], run, weights_out=str(tmp_path / "out")))
    assert again["history"] == progress["history"]
    assert "done: validation" not in caplog.text
    weights.load(tmp_path / "out")


def test_resume_after_an_interrupt_mid_epoch_matches_an_uninterrupted_run(corpus, tmp_path, monkeypatch, caplog, tiny_run):
    caplog.set_level(logging.INFO, logger="auria.poet.train")
    run = tmp_path / "run"
    real_loss, calls = train_module.sequence_loss, []

    def loss_then_interrupt(model, batch):
        calls.append(1)
        if len(calls) == 5:  # the second fine-tuning step (after 2 pretraining steps and 1 validation batch)
            os.kill(os.getpid(), signal.SIGINT)
        return real_loss(model, batch)

    monkeypatch.setattr(train_module, "sequence_loss", loss_then_interrupt)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(AuriaError, match="training interrupted; checkpoint saved"):
        train(config_for(corpus[0], run))
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back
    saved = json.loads((run / "progress.json").read_text())
    assert (saved["stage"], saved["epoch"], saved["step_in_epoch"]) == (1, 0, 2)

    monkeypatch.setattr(train_module, "sequence_loss", real_loss)
    caplog.clear()
    progress = train(config_for(corpus[0], run))
    assert f"resuming from {run / 'checkpoint.safetensors'} at stage 2, epoch 1, step 2" in caplog.text
    # Model, optimizer and random state all came back: the same numbers as without the interrupt.
    assert progress["history"] == tiny_run[0]["history"]


def test_checkpoint_of_another_model_size_is_refused(corpus, tiny_run):
    _, run, _ = tiny_run
    other = PoetModelConfig(hidden=32, embed=8, syllable_embed=4, lines_embed=4, register_embed=4, dropout=0.0)
    with pytest.raises(AuriaError, match="different model size; use another --run folder") as info:
        train(config_for(corpus[0], run, model=other))
    assert "\n" not in str(info.value)


# two processes under torchrun (DistributedDataParallel over gloo)


def test_torchrun_with_two_cpu_processes(corpus, tmp_path, config_file):
    run = tmp_path / "run"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        "-m", "bot", "--config", str(config_file), "poet", "train", "--corpus", str(corpus[0]), "--run-dir", str(run),
        "--pretrain-epochs", "1", "--epochs", "1", "--hidden", "16", "--embed", "8", "--vocabulary", "200",
        "--batch-size", "4", "--threads", "1",
    ]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "distributed: process 0 of 2 (gloo)" in done.stderr and "distributed: process 1 of 2 (gloo)" in done.stderr
    progress = json.loads((run / "progress.json").read_text())
    # 48 poems in batches of 4 is 12 batches an epoch, 6 for each process.
    assert progress["stage"] == 2 and [h["stage"] for h in progress["history"]] == ["pretrain", "finetune"]
    loaded = weights.load(run / "weights")
    assert json.loads(loaded.metadata["training"])["processes"] == 2
    assert done.stderr.count("exported the weights") == 1  # process 0 alone writes


# errors


def test_no_usable_poems_is_an_error(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for split in ("train", "valid", "test"):
        (folder / f"{split}.txt").write_text("café\nnoël\nthé\n", encoding="utf-8")
    with pytest.raises(AuriaError, match="no usable poems for the finetune stage"):
        train(config_for(folder, tmp_path / "run", pretrain_epochs=0))


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
    assert code == 2 and err == (
        "auria: error: --epochs, --batch-size and --vocabulary must be at least 1, --pretrain-epochs at least 0\n"
    )


# the real command, interrupted with Ctrl-C


def _auria(*args):
    return [sys.executable, "-m", "bot", *args]


@pytest.mark.slow
def test_cli_train_interrupted_by_sigint_then_resumed(tmp_path, config_file):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, train=200, valid=20, test=4)
    run = tmp_path / "run"
    command = _auria("--config", str(config_file), "poet", "train", "--corpus", str(corpus), "--run", str(run),
                     "--hidden", "16", "--embed", "8", "--vocabulary", "300", "--pretrain-epochs", "0", "--epochs", "2",
                     "--batch-size", "2", "--max-poems", "150", "--threads", "1")
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
    assert saved["stage"] == 0 and saved["epoch"] == 0 and saved["step_in_epoch"] >= 1 and saved["history"] == []
    assert (run / "checkpoint.safetensors").exists() and not (run / "best.safetensors").exists()

    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert f"resuming from {run / 'checkpoint.safetensors'} at stage 1, epoch 1, step {saved['step_in_epoch']}" in second.stderr
    assert "finetune epoch 2/2 done: validation" in second.stderr
    progress = json.loads((run / "progress.json").read_text())
    assert [h["epoch"] for h in progress["history"]] == [1, 2]
    weights.load(run / "weights")
