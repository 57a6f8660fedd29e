"""The poet's model (conditioning, batches, the LSTM), its shipped files and the novelty index."""
import hashlib
import json

import pytest
import torch
from poet_fixtures import tiny_model_config, tiny_poems
from safetensors.torch import save_file

from bot.errors import AuriaError
from generator.poet import weights
from generator.poet.model import (
    SYMBOL_ID,
    SYMBOLS,
    PoetLSTM,
    PoetModelConfig,
    conditioning,
    make_batch,
    sequence_loss,
    shape_of,
)
from generator.poet.novelty import NoveltyIndex, build_fingerprints, checked_lines, fingerprint, normalise
from generator.poet.vocab import END, NEWLINE


@pytest.fixture(scope="module")
def shipped():
    return weights.load()


def example(text):
    shape = shape_of(text)
    return (*conditioning(text, shape), shape)


# conditioning and shape_of


def test_symbols_start_with_end():
    assert SYMBOLS[0] == END and SYMBOL_ID[END] == 0
    assert NEWLINE in SYMBOL_ID and " " in SYMBOL_ID and "'" in SYMBOL_ID
    assert PoetModelConfig().vocab_size == len(SYMBOLS)


def test_shape_of_counts_words_per_line():
    assert shape_of("an old silent pond\na frog jumps into the pond\nsplash! silence again") == (5, 7, 5)
    assert shape_of("old pond\nfrog") == (2, 1)
    # Dashes and commas split words, apostrophes do not: moon / lit / crow's / nest.
    assert shape_of("moon-lit, crow's nest") == (4,)


def test_conditioning_step_by_step():
    text = "old pond\nfrog"
    inputs, syllables_left, lines_left, targets = conditioning(text, (2, 1))
    assert inputs == [0] + [SYMBOL_ID[ch] for ch in text]
    assert targets == [SYMBOL_ID[ch] for ch in text] + [0]
    assert len(inputs) == len(syllables_left) == len(lines_left) == len(targets) == len(text) + 1
    # position:       END o  l  d  ' ' p  o  n  d  \n f  r  o  g
    assert syllables_left == [2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    assert lines_left == [1] * 9 + [0] * 5


def test_conditioning_counts_a_word_only_once_it_is_complete():
    text = "silent pond, a frog\nsplash"
    _, syllables_left, _, _ = conditioning(text, (5, 2))
    by_char = dict(zip(range(len(text) + 1), syllables_left))
    # While "silent" is being spelled the line still needs all 5; the space completes it.
    assert [by_char[i] for i in range(0, 7)] == [5] * 7  # END and "silent"
    assert by_char[7] == 3  # the space after "silent"
    comma = text.index(",") + 1  # +1: position 0 reads END
    assert by_char[comma] == 2  # the comma completes "pond"
    assert by_char[comma + 1] == 2  # the space after it changes nothing
    assert by_char[text.index("frog") + 1] == 1  # the a is counted by the space after it
    newline = text.index(NEWLINE) + 1
    assert syllables_left[newline] == 2  # reset to the next line's target, not 1 - 1
    assert syllables_left[-1] == 2  # "splash" is never completed before END


def test_conditioning_resets_at_every_newline_and_ends_with_end():
    text = "an old silent pond\na frog jumps into the pond\nsplash! silence again"
    shape = shape_of(text)
    inputs, syllables_left, lines_left, targets = conditioning(text, shape)
    newlines = [i + 1 for i, ch in enumerate(text) if ch == NEWLINE]
    assert [syllables_left[i] for i in newlines] == [7, 5]
    assert [lines_left[i] for i in newlines] == [1, 0]
    assert syllables_left[0] == 5 and lines_left[0] == 2
    assert targets[-1] == 0 and inputs[0] == 0
    assert targets.count(0) == 1 and inputs.count(0) == 1
    assert min(syllables_left) >= 0
    # Just before each line ends, its words are all counted but one: the last word is
    # completed by the newline itself, which already shows the next line's target.
    assert syllables_left[newlines[0] - 1] == 5 - 4  # "an old silent" counted, "pond" still open
    assert syllables_left[newlines[1] - 1] == 7 - 6


def test_conditioning_never_goes_below_zero():
    # A longer poem than its target: the feature is clipped at zero, not negative.
    _, syllables_left, _, _ = conditioning("an old silent pond", (2,))
    assert min(syllables_left) == 0 and syllables_left[0] == 2


# batches and the network


def test_make_batch_pads_with_minus_one_targets():
    short, long = example("old pond\nfrog\nsplash"), example("an old silent pond\na frog jumps in\nsplash! again")
    batch = make_batch([short, long], max_lines=5)
    n_short, n_long = len(short[0]), len(long[0])
    assert batch["inputs"].shape == (2, n_long)
    for key in ("inputs", "syllables_left", "lines_left", "targets"):
        assert batch[key].dtype == torch.long and batch[key].shape == (2, n_long)
    assert batch["inputs"][0, :n_short].tolist() == short[0]
    assert batch["targets"][0, :n_short].tolist() == short[3]
    assert (batch["targets"][0, n_short:] == -1).all()
    assert (batch["inputs"][0, n_short:] == 0).all()
    assert (batch["targets"][1] >= 0).all()
    assert batch["shapes"].tolist() == [[2, 1, 1, 0, 0], [5, 4, 3, 0, 0]]


def test_initial_state_and_forward_shapes():
    config = tiny_model_config()
    model = PoetLSTM(config).eval()
    batch = make_batch([example("old pond\nfrog"), example("a cold moon\nrises")], config.max_lines)
    h, c = model.initial_state(batch["shapes"])
    assert h.shape == c.shape == (config.layers, 2, config.hidden)
    assert not torch.equal(h[:, 0], h[:, 1])  # different shapes, different starting states
    logits, (h2, c2) = model(batch["inputs"], batch["syllables_left"], batch["lines_left"], (h, c))
    assert logits.shape == (2, batch["inputs"].shape[1], len(SYMBOLS))
    assert h2.shape == c2.shape == (config.layers, 2, config.hidden)


def test_forward_clamps_out_of_range_conditioning():
    config = tiny_model_config()
    model = PoetLSTM(config).eval()
    state = model.initial_state(torch.tensor([[5, 7, 5, 0, 0]]))
    chars = torch.tensor([[0, 1]])
    logits, _ = model(chars, torch.tensor([[99, -3]]), torch.tensor([[-1, 99]]), state)
    assert torch.isfinite(logits).all()


@torch.no_grad()
def test_loss_ignores_padding():
    torch.manual_seed(0)
    model = PoetLSTM(tiny_model_config()).eval()
    short, long = example("old pond\nfrog"), example("an old silent pond\na frog jumps in\nsplash! again")
    loss_short, n_short = sequence_loss(model, make_batch([short], 5))
    loss_long, n_long = sequence_loss(model, make_batch([long], 5))
    batch = make_batch([short, long], 5)
    loss_both, n_both = sequence_loss(model, batch)
    assert (n_short, n_long, n_both) == (len(short[3]), len(long[3]), len(short[3]) + len(long[3]))
    assert float(loss_both) == pytest.approx(float(loss_short) + float(loss_long), rel=1e-5)
    # Whatever sits in the padding changes nothing.
    pad = batch["targets"] < 0
    for key, value in (("inputs", 7), ("syllables_left", 3), ("lines_left", 2)):
        batch[key] = batch[key].masked_fill(pad, value)
    assert float(sequence_loss(model, batch)[0]) == pytest.approx(float(loss_both), rel=1e-5)


def test_model_config_json_round_trip():
    config = tiny_model_config()
    assert PoetModelConfig.from_json(config.to_json()) == config
    assert json.loads(config.to_json())["hidden"] == 24


# the shipped weights


def test_shipped_weights_load(shipped):
    assert isinstance(shipped.model, PoetLSTM)
    assert not shipped.model.training
    assert shipped.metadata["format"] == weights.FORMAT
    assert shipped.metadata["symbols"] == SYMBOLS
    assert PoetModelConfig.from_json(shipped.metadata["config"]) == shipped.model.config
    assert json.loads(shipped.metadata["training"])["valid_bpc"] > 0
    assert len(shipped.novelty.poems) > 1000 and len(shipped.novelty.lines) > 1000
    assert (weights.SHIPPED / weights.CARD_FILE).is_file()


def test_file_hashes_are_sha256_of_the_files(shipped):
    assert set(shipped.file_hashes) == {weights.MODEL_FILE, weights.NOVELTY_FILE}
    for name, digest in shipped.file_hashes.items():
        assert digest == hashlib.sha256((weights.SHIPPED / name).read_bytes()).hexdigest()


@pytest.fixture
def weights_dir(tmp_path):
    """A writable copy of the shipped weights folder."""
    folder = tmp_path / "weights"
    folder.mkdir()
    for name in (weights.MODEL_FILE, weights.NOVELTY_FILE):
        (folder / name).write_bytes((weights.SHIPPED / name).read_bytes())
    return folder


def load_error(folder) -> str:
    with pytest.raises(AuriaError) as info:
        weights.load(folder)
    message = str(info.value)
    assert "\n" not in message and message
    return message


def test_load_the_copy(weights_dir, shipped):
    loaded = weights.load(weights_dir)
    assert loaded.file_hashes == shipped.file_hashes


def test_load_missing_folder(tmp_path):
    assert "does not exist" in load_error(tmp_path / "nowhere")


def test_load_missing_model_file(weights_dir):
    (weights_dir / weights.MODEL_FILE).unlink()
    message = load_error(weights_dir)
    assert weights.MODEL_FILE in message and "missing" in message


def test_load_missing_novelty_file(weights_dir):
    (weights_dir / weights.NOVELTY_FILE).unlink()
    message = load_error(weights_dir)
    assert weights.NOVELTY_FILE in message and "missing" in message


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda data: b"garbage bytes, not a safetensors file",
        lambda data: b"",
        lambda data: data[:5000],  # truncated inside the tensors
        lambda data: data[:-1000],
    ],
    ids=["garbage", "empty", "truncated-early", "truncated-late"],
)
def test_load_corrupt_model_file(weights_dir, corrupt):
    path = weights_dir / weights.MODEL_FILE
    path.write_bytes(corrupt(path.read_bytes()))
    message = load_error(weights_dir)
    assert message.startswith(f"{path}: not a readable safetensors file")


def test_load_corrupt_novelty_file(weights_dir):
    path = weights_dir / weights.NOVELTY_FILE
    path.write_bytes(path.read_bytes()[:100])
    assert load_error(weights_dir).startswith(f"{path}: not a readable safetensors file")


def test_load_novelty_file_with_other_tensors(weights_dir):
    save_file({"poems": torch.zeros(3, dtype=torch.int64)}, str(weights_dir / weights.NOVELTY_FILE))
    assert "'poems' and 'lines'" in load_error(weights_dir)


@pytest.mark.parametrize(
    "metadata",
    [None, {"format": "pytorch"}, {"format": weights.FORMAT, "symbols": "abc"}],
    ids=["no-metadata", "other-format", "other-alphabet"],
)
def test_load_wrong_format_metadata(weights_dir, shipped, metadata):
    state = {k: v.contiguous() for k, v in shipped.model.state_dict().items()}
    save_file(state, str(weights_dir / weights.MODEL_FILE), metadata=metadata)
    assert f"not an Auria poet model of format {weights.FORMAT}" in load_error(weights_dir)


def test_load_weights_of_the_wrong_shape(weights_dir, shipped):
    small = PoetLSTM(tiny_model_config())
    state = {k: v.contiguous() for k, v in small.state_dict().items()}
    save_file(state, str(weights_dir / weights.MODEL_FILE), metadata=dict(shipped.metadata))
    assert "weights do not match the model they describe" in load_error(weights_dir)


def test_load_missing_tensor(weights_dir, shipped):
    state = {k: v.contiguous() for k, v in shipped.model.state_dict().items() if k != "head.bias"}
    save_file(state, str(weights_dir / weights.MODEL_FILE), metadata=dict(shipped.metadata))
    assert "weights do not match the model they describe" in load_error(weights_dir)


@pytest.mark.parametrize("config", ["{not json", '{"bogus": 1}', "[1, 2]"])
def test_load_bad_config_metadata(weights_dir, shipped, config):
    state = {k: v.contiguous() for k, v in shipped.model.state_dict().items()}
    save_file(state, str(weights_dir / weights.MODEL_FILE), metadata={**shipped.metadata, "config": config})
    assert "weights do not match the model they describe" in load_error(weights_dir)


# novelty


POND = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]


@pytest.fixture(scope="module")
def novelty():
    return NoveltyIndex(build_fingerprints([POND, ["autumn dusk", "the old crow waits on a branch", "cold rain"]]))


def test_normalise_and_fingerprint_ignore_case_and_punctuation():
    assert normalise("  Splash!  Silence -- again... ") == "splash silence again"
    assert fingerprint("Splash! Silence again") == fingerprint("splash silence, again")
    assert fingerprint("splash silence again") != fingerprint("splash silence gain")
    assert -(2**63) <= fingerprint("x") < 2**63


def test_novelty_rejects_a_corpus_poem(novelty):
    assert novelty.problem(POND) == "copies a corpus poem"
    shouted = ["An Old Silent Pond...", "A frog jumps into the pond,", "SPLASH!  Silence again"]
    assert novelty.problem(shouted) == "copies a corpus poem"


def test_novelty_rejects_a_copied_line_of_three_words(novelty):
    assert novelty.problem(["winter morning", "the old crow waits on a branch", "snow"]) == "copies a corpus line"
    assert novelty.problem(["Splash, silence again!", "the night is long", "stars"]) == "copies a corpus line"


def test_novelty_accepts_stock_two_word_lines_and_new_poems(novelty):
    assert novelty.problem(["autumn dusk", "a heron lifts from the reeds", "cold rain"]) is None
    assert novelty.problem(["the silent pond", "a frog jumps into the lake", "splash"]) is None


def test_fingerprints_are_sorted_and_distinct():
    poems = tiny_poems(30) + tiny_poems(30)  # every poem twice
    prints = build_fingerprints(poems)
    assert prints["poems"].dtype == torch.int64
    assert len(prints["poems"]) == 30
    assert prints["poems"].tolist() == sorted(set(prints["poems"].tolist()))
    assert len(prints["lines"]) == len({fingerprint(line) for p in poems for line in checked_lines(p)})


def test_shipped_novelty_accepts_a_new_poem(shipped):
    assert shipped.novelty.problem(["seventeen robots", "recalibrate the teapot", "quantum marmalade"]) is None
