"""The poet's unit and model (tokens, conditioning, batches, the LSTM), its shipped files and
the novelty index."""
import hashlib
import json

import pytest
import torch
from poet_fixtures import tiny_model_config, tiny_poems
from safetensors.torch import save_file

from core.errors import AuriaError
from generator.poet import weights
from generator.poet.model import REGISTERS, PoetLSTM, PoetModelConfig, conditioning, make_batch, sequence_loss, shape_of
from generator.poet.novelty import NoveltyIndex, build_fingerprints, checked_lines, fingerprint, normalise
from generator.poet.tokens import BREAK, END, JOINER, SPECIAL, UNKNOWN, Vocabulary, build_vocabulary, detokenize_line, split_line

WORDS = "an old silent pond a frog jumps into the splash silence again cold moon rises half crow's nest".split()
VOCAB = Vocabulary([*SPECIAL, *dict.fromkeys(WORDS)])


@pytest.fixture(scope="module")
def shipped():
    return weights.load()


def example(text, register="literary"):
    ids = VOCAB.encode(text)
    shape = shape_of(ids, VOCAB)
    return (*conditioning(ids, shape, VOCAB), shape, REGISTERS.index(register))


def small_model():
    config = tiny_model_config()
    config.vocab_size = len(VOCAB)
    return PoetLSTM(config).eval()


# tokens


def test_split_line_keeps_words_marks_and_in_word_hyphens():
    assert split_line("half-moon - the old, pond...") == ["half", JOINER, "moon", "-", "the", "old", ",", "pond", "..."]
    assert split_line("crow's nest?!") == ["crow's", "nest", "?", "!"]
    assert split_line('a "quoted" (word)') == ["a", "quoted", "word"]  # other characters are dropped


@pytest.mark.parametrize("line", ["half-moon - the old, pond...", "is it? yes!", "a; b: c", "- cut"])
def test_detokenize_inverts_split(line):
    assert detokenize_line(split_line(line)) == line


def test_encode_decode_and_lossless():
    ids = VOCAB.encode("an old silent pond\nhalf-moon, again")
    assert ids.count(VOCAB.br) == 1 and VOCAB.unknown not in ids
    assert VOCAB.decode(ids + [VOCAB.end, VOCAB.ids["moon"]]) == ["an old silent pond", "half-moon, again"]
    assert VOCAB.lossless("an old silent pond\nhalf-moon, again")
    assert not VOCAB.lossless("an old quiet pond")  # "quiet" is not in this vocabulary
    assert VOCAB.encode("an old quiet pond")[2] == VOCAB.unknown
    assert not VOCAB.lossless("an  old pond")  # two spaces are not written back


def test_special_tokens_come_first_and_have_no_syllables():
    assert VOCAB.tokens[: len(SPECIAL)] == list(SPECIAL)
    assert (VOCAB.end, VOCAB.br, VOCAB.unknown) == (0, 1, 2)
    assert all(VOCAB.syllables[i] == 0 for i in range(len(SPECIAL)))
    assert VOCAB.syllables[VOCAB.ids["silent"]] == 2 and VOCAB.syllables[VOCAB.ids["silence"]] == 2
    assert not VOCAB.is_word(VOCAB.ids[JOINER]) and VOCAB.is_word(VOCAB.ids["pond"])


def test_build_vocabulary_keeps_frequent_dictionary_words():
    texts = ["the pond\nthe frog", "the pond\nzzxqv zzxqv", "a frog\nthe moon"]
    vocab = build_vocabulary(texts, max_words=3)
    assert vocab.tokens[len(SPECIAL):] == ["the", "frog", "pond"]  # by count, ties by spelling
    assert "zzxqv" not in vocab.ids  # not in the pronouncing dictionary, however frequent
    assert "moon" not in build_vocabulary(texts, max_words=100).ids  # seen once: under min_count
    assert {END, BREAK, UNKNOWN} <= set(vocab.ids)


# conditioning and shape_of


def test_shape_of_counts_syllables_per_line():
    assert shape_of(VOCAB.encode("an old silent pond\na frog jumps into the pond\nsplash silence again"), VOCAB) == (5, 7, 5)
    assert shape_of(VOCAB.encode("half-moon, crow's nest"), VOCAB) == (4,)


def test_conditioning_step_by_step():
    ids = VOCAB.encode("old pond\nfrog")
    inputs, syllables_left, lines_left, targets = conditioning(ids, (2, 1), VOCAB)
    assert inputs == [VOCAB.end] + ids and targets == ids + [VOCAB.end]
    # position:      END old pond <br> frog
    assert syllables_left == [2, 1, 0, 1, 0]
    assert lines_left == [1, 1, 1, 0, 0]


def test_conditioning_never_goes_below_zero():
    _, syllables_left, _, _ = conditioning(VOCAB.encode("an old silent pond"), (2,), VOCAB)
    assert min(syllables_left) == 0 and syllables_left[0] == 2


# batches and the network


def test_make_batch_pads_with_minus_one_targets():
    short, long = example("old pond\nfrog\nsplash"), example("an old silent pond\na frog jumps in\nsplash again", "social")
    batch = make_batch([short, long], max_lines=5)
    n_short, n_long = len(short[0]), len(long[0])
    for key in ("inputs", "syllables_left", "lines_left", "targets"):
        assert batch[key].dtype == torch.long and batch[key].shape == (2, n_long)
    assert batch["inputs"][0, :n_short].tolist() == short[0]
    assert batch["targets"][0, :n_short].tolist() == short[3]
    assert (batch["targets"][0, n_short:] == -1).all()
    assert batch["shapes"].tolist() == [[2, 1, 1, 0, 0], [5, 3, 3, 0, 0]]  # "in" is unknown here: 0 syllables
    assert batch["registers"].tolist() == [0, 1]


def test_initial_state_depends_on_shape_and_register():
    model = small_model()
    c = model.config
    shapes = torch.tensor([[5, 7, 5, 0, 0], [3, 5, 3, 0, 0], [5, 7, 5, 0, 0]])
    h, cell = model.initial_state(shapes, torch.tensor([0, 0, 1]))
    assert h.shape == cell.shape == (c.layers, 3, c.hidden)
    assert not torch.equal(h[:, 0], h[:, 1]) and not torch.equal(h[:, 0], h[:, 2])
    batch = make_batch([example("old pond\nfrog"), example("a cold moon\nrises")], c.max_lines)
    logits, _ = model(batch["inputs"], batch["syllables_left"], batch["lines_left"],
                      model.initial_state(batch["shapes"], batch["registers"]))
    assert logits.shape == (2, batch["inputs"].shape[1], len(VOCAB))


def test_output_layer_is_tied_to_the_embedding():
    model = small_model()
    names = [name for name, _ in model.named_parameters()]
    assert "embedding.weight" in names and not any(name.startswith("head") for name in names)
    with torch.no_grad():
        model.embedding.weight[5] += 1.0
        hidden = torch.zeros(1, model.config.hidden)
        logits = model.logits(hidden)
    assert logits.shape == (1, len(VOCAB))


def test_forward_clamps_out_of_range_conditioning():
    model = small_model()
    state = model.initial_state(torch.tensor([[5, 7, 5, 0, 0]]), torch.tensor([2]))
    logits, _ = model(torch.tensor([[0, 4]]), torch.tensor([[99, -3]]), torch.tensor([[-1, 99]]), state)
    assert torch.isfinite(logits).all()


@torch.no_grad()
def test_loss_ignores_padding():
    torch.manual_seed(0)
    model = small_model()
    short, long = example("old pond\nfrog"), example("an old silent pond\na frog jumps in\nsplash again")
    loss_short, n_short = sequence_loss(model, make_batch([short], 5))
    loss_long, n_long = sequence_loss(model, make_batch([long], 5))
    batch = make_batch([short, long], 5)
    loss_both, n_both = sequence_loss(model, batch)
    assert (n_short, n_long, n_both) == (len(short[3]), len(long[3]), len(short[3]) + len(long[3]))
    assert float(loss_both) == pytest.approx(float(loss_short) + float(loss_long), rel=1e-5)
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
    assert isinstance(shipped.model, PoetLSTM) and not shipped.model.training
    assert shipped.metadata["format"] == weights.FORMAT
    assert PoetModelConfig.from_json(shipped.metadata["config"]) == shipped.model.config
    assert len(shipped.vocab) == shipped.model.config.vocab_size > 10000
    training = json.loads(shipped.metadata["training"])
    assert training["best"]["stage"] == "finetune" and training["best"]["valid_bpc"] > 0
    assert {h["stage"] for h in training["history"]} == {"pretrain", "finetune"}
    assert len(shipped.novelty.poems) > 70000 and len(shipped.novelty.lines) > 100000
    assert shipped.critic is not None
    assert (weights.SHIPPED / weights.CARD_FILE).is_file()


def test_shipped_files_are_small_and_half_precision(shipped):
    total = sum(f.stat().st_size for f in weights.SHIPPED.iterdir())
    assert total <= 40 * 1024 * 1024
    from safetensors import safe_open

    with safe_open(str(weights.SHIPPED / weights.MODEL_FILE), framework="pt") as f:
        assert {f.get_tensor(k).dtype for k in f.keys()} == {torch.float16}


def test_file_hashes_are_sha256_of_the_files(shipped):
    assert set(shipped.file_hashes) == {weights.MODEL_FILE, weights.NOVELTY_FILE, weights.CRITIC_FILE}
    for name, digest in shipped.file_hashes.items():
        assert digest == hashlib.sha256((weights.SHIPPED / name).read_bytes()).hexdigest()


@pytest.fixture
def weights_dir(tmp_path):
    """A writable copy of the shipped weights folder."""
    folder = tmp_path / "weights"
    folder.mkdir()
    for name in (weights.MODEL_FILE, weights.NOVELTY_FILE, weights.CRITIC_FILE):
        (folder / name).write_bytes((weights.SHIPPED / name).read_bytes())
    return folder


def load_error(folder) -> str:
    with pytest.raises(AuriaError) as info:
        weights.load(folder)
    message = str(info.value)
    assert "\n" not in message and message
    return message


def test_load_the_copy(weights_dir, shipped):
    assert weights.load(weights_dir).file_hashes == shipped.file_hashes


def test_a_folder_without_a_critic_loads_and_ranks_by_likelihood(weights_dir):
    (weights_dir / weights.CRITIC_FILE).unlink()
    loaded = weights.load(weights_dir)
    assert loaded.critic is None and weights.CRITIC_FILE not in loaded.file_hashes


def test_load_missing_folder(tmp_path):
    assert "does not exist" in load_error(tmp_path / "nowhere")


@pytest.mark.parametrize("name", [weights.MODEL_FILE, weights.NOVELTY_FILE])
def test_load_missing_file(weights_dir, name):
    (weights_dir / name).unlink()
    message = load_error(weights_dir)
    assert name in message and "missing" in message


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda data: b"garbage bytes, not a safetensors file",
        lambda data: b"",
        lambda data: data[:5000],
        lambda data: data[:-1000],
    ],
    ids=["garbage", "empty", "truncated-early", "truncated-late"],
)
def test_load_corrupt_model_file(weights_dir, corrupt):
    path = weights_dir / weights.MODEL_FILE
    path.write_bytes(corrupt(path.read_bytes()))
    assert load_error(weights_dir).startswith(f"{path}: not a readable safetensors file")


@pytest.mark.parametrize("name", [weights.NOVELTY_FILE, weights.CRITIC_FILE])
def test_load_corrupt_side_file(weights_dir, name):
    path = weights_dir / name
    path.write_bytes(path.read_bytes()[:100])
    assert load_error(weights_dir).startswith(f"{path}: not a readable safetensors file")


def test_load_novelty_file_with_other_tensors(weights_dir):
    save_file({"poems": torch.zeros(3, dtype=torch.int64)}, str(weights_dir / weights.NOVELTY_FILE))
    assert "'poems' and 'lines'" in load_error(weights_dir)


def test_load_a_critic_of_another_kind(weights_dir):
    save_file({"weights": torch.zeros(7), "bias": torch.zeros(1)}, str(weights_dir / weights.CRITIC_FILE))
    assert "not a usable critic" in load_error(weights_dir)


@pytest.mark.parametrize(
    "metadata", [None, {"format": "pytorch"}, {"format": "auria-poet-lstm/1"}], ids=["none", "other", "the-first-poet"],
)
def test_load_wrong_format_metadata(weights_dir, shipped, metadata):
    state = {k: v.contiguous() for k, v in shipped.model.state_dict().items()}
    save_file(state, str(weights_dir / weights.MODEL_FILE), metadata=metadata)
    assert f"not an Auria poet model of format {weights.FORMAT}" in load_error(weights_dir)


def test_load_weights_of_the_wrong_shape(weights_dir, shipped):
    config = tiny_model_config()
    config.vocab_size = len(shipped.vocab)
    state = {k: v.contiguous() for k, v in PoetLSTM(config).state_dict().items()}
    save_file(state, str(weights_dir / weights.MODEL_FILE), metadata=dict(shipped.metadata))
    assert "weights do not match the model they describe" in load_error(weights_dir)


def test_load_missing_tensor(weights_dir, shipped):
    state = {k: v.contiguous() for k, v in shipped.model.state_dict().items() if k != "output_bias"}
    save_file(state, str(weights_dir / weights.MODEL_FILE), metadata=dict(shipped.metadata))
    assert "weights do not match the model they describe" in load_error(weights_dir)


@pytest.mark.parametrize(
    "change",
    [{"config": "{not json"}, {"config": '{"bogus": 1}'}, {"config": "[1, 2]"}, {"vocabulary": "a\nb\nc"}, {"vocabulary": None}],
    ids=["bad-json", "unknown-key", "not-an-object", "vocabulary-without-specials", "no-vocabulary"],
)
def test_load_bad_metadata(weights_dir, shipped, change):
    state = {k: v.contiguous() for k, v in shipped.model.state_dict().items()}
    metadata = {k: v for k, v in {**shipped.metadata, **change}.items() if v is not None}
    save_file(state, str(weights_dir / weights.MODEL_FILE), metadata=metadata)
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
