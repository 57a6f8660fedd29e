"""The diffusion painter with a tiny randomly initialised Stable Diffusion pipeline that the
test builds from configs and saves into a folder, as a user's SD-Turbo folder would be laid
out: nothing is downloaded, and the pictures are noise, but every step runs for real."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
from types import SimpleNamespace

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"  # before huggingface_hub is imported: the Hub is never asked
pytest.importorskip("diffusers", reason="the diffusion painter's extra is not installed: pip install '.[diffusion]'")
pytest.importorskip("transformers", reason="the diffusion painter's extra is not installed: pip install '.[diffusion]'")

from PIL import Image  # noqa: E402

from bot.config import ConfigError, load_config  # noqa: E402
from core.errors import AuriaError  # noqa: E402
from generator.painter.diffusion import (  # noqa: E402
    MEDIUMS,
    MOOD_LOOKS,
    PROMPT_TOKENS,
    DiffusionPainter,
    check_folder,
    estimate_tokens,
    prompt_of,
)
from generator.painter.plan import Placement, ScenePlan  # noqa: E402
from generator.painter.planner import plan_scene  # noqa: E402
from generator.pipeline import make_work  # noqa: E402
from generator.stylist.moods import MOODS  # noqa: E402
from state.store import open_store  # noqa: E402

POND = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]
LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789,.;:!?'-"


def _build_tiny_pipeline(folder, safety_checker: bool = False) -> None:
    """A Stable Diffusion pipeline a few hundred kB big: the layout of SD-Turbo's folder
    (unet, vae, text_encoder, tokenizer, scheduler, model_index.json), tiny widths."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    # A character-level CLIP tokenizer from files, as SD-Turbo ships vocab.json and merges.txt.
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for letter in LETTERS:
        vocab[letter] = len(vocab)
        vocab[letter + "</w>"] = len(vocab)
    words = folder.parent / f"{folder.name}-vocab"
    words.mkdir()
    (words / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (words / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tokenizer = CLIPTokenizer.from_pretrained(str(words), local_files_only=True, model_max_length=77)

    torch.manual_seed(0)  # the same random weights every run
    unet = UNet2DConditionModel(
        sample_size=16, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(8, 16),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=16, attention_head_dim=2, norm_num_groups=4,
    )
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 16), layers_per_block=1,
        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2, norm_num_groups=4,
    )
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
        projection_dim=16, max_position_embeddings=77, bos_token_id=0, eos_token_id=1, pad_token_id=1,
    ))
    # SD-Turbo's scheduler: Euler with trailing timesteps, so 1-4 steps reach a picture.
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       timestep_spacing="trailing", steps_offset=1)
    checker = extractor = None
    if safety_checker:
        from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
        from transformers import CLIPConfig, CLIPImageProcessorPil

        checker = StableDiffusionSafetyChecker(CLIPConfig(
            text_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                         "vocab_size": len(vocab)},
            vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                           "image_size": 32, "patch_size": 8},
            projection_dim=16,
        ))
        extractor = CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    pipeline = StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
        safety_checker=checker, feature_extractor=extractor, requires_safety_checker=safety_checker,
    )
    pipeline.save_pretrained(str(folder))
    # transformers 5 saves a tokenizer.json; SD-Turbo's folder has vocab.json and merges.txt
    (folder / "tokenizer" / "tokenizer.json").unlink()
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(words / name, folder / "tokenizer" / name)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models") / "tiny-sd"
    _build_tiny_pipeline(folder)
    return folder


@pytest.fixture
def config(write_config, tiny_model):
    def make(data_dir="data", model=None, extra=""):
        text = (f'data_dir = "{data_dir}"\n[generator]\npainter = "diffusion"\npainter_model = "{model or tiny_model}"\n'
                f'device = "cpu"\ntimeout = 120\n[painter]\nmedium = "oil"\n{extra}')
        return load_config(write_config(text, name=f"auria-{data_dir}.toml"))

    return make


def _sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


# The whole pipeline: poet (a given haiku), diffusion painter, stylist, finish.


def test_a_diffusion_work_is_complete(config, tiny_model):
    cfg = config()
    work = make_work(cfg, open_store(cfg.db_path), seed=11, haiku=POND)
    assert work["status"] == "preview" and work["error"] is None
    image = Image.open(work["image_path"])
    assert image.format == "JPEG" and image.size == (1080, 1350)
    assert _sha(work["image_path"]) == work["image_sha256"]

    painter = work["steps"]["painter"]
    params = painter["params"]
    assert params["painter"] == "diffusion" and params["model"] == "tiny-sd"
    assert params["model_path"] == str(tiny_model)
    assert (params["steps"], params["guidance"], params["device"], params["dtype"]) == (4, 0.0, "cpu", "float32")
    assert params["generated_size"] == [32, 40] and params["size"] == [1080, 1350]
    assert params["medium"] == "oil" and params["mood"] == work["mood"], "the prompt's mood is the stylist's"
    plan = ScenePlan.from_dict(work["plan"])
    assert params["prompt"] == prompt_of(plan, work["mood"], "oil")
    assert "a pond" in params["prompt"] and "a frog" in params["prompt"] and MEDIUMS["oil"] in params["prompt"]
    # the model folder's identity: every file by its path in the folder, with its sha256
    files = sorted(p for p in tiny_model.rglob("*") if p.is_file())
    identity = {p.relative_to(tiny_model).as_posix(): _sha(p) for p in files}
    assert {"model_index.json", "unet/diffusion_pytorch_model.safetensors", "unet/config.json"} <= set(identity)
    # ... and the word vectors that made the plan, as the scene painter records them
    assert painter["models"] == identity | {"word_vectors.safetensors": painter["models"]["word_vectors.safetensors"]}
    assert len(painter["models"]["word_vectors.safetensors"]) == 64
    assert work["models"]["painter"] == painter["models"]

    stylist = work["steps"]["stylist"]["params"]
    assert stylist["method"] == "colour" and stylist["style"]["kind"] == "colour", "colour transfer keeps the drawing"
    assert work["alt_text"].startswith("An oil painting of ") and "frog" in work["alt_text"]
    assert stylist["brushwork"] is False, "the diffusion picture is already painted in its medium"
    assert f"mood: {work['mood']}" in work["alt_text"]


def test_the_same_seed_gives_the_same_bytes(config):
    works = []
    for data_dir in ("one", "two"):
        cfg = config(data_dir)
        works.append(make_work(cfg, open_store(cfg.db_path), seed=5, haiku=POND))
    a, b = works
    assert a["status"] == b["status"] == "preview"
    assert a["steps"]["painter"]["outputs"] == b["steps"]["painter"]["outputs"]
    assert a["image_sha256"] == b["image_sha256"]


# One-line errors.


def test_a_missing_model_folder_fails_the_work_in_one_line(config, tmp_path):
    cfg = config(model=tmp_path / "nowhere")
    work = make_work(cfg, open_store(cfg.db_path), seed=1, haiku=POND)
    assert work["status"] == "failed"
    assert work["error"] == f"generator.painter_model: no such folder: {tmp_path / 'nowhere'}"


def test_a_folder_without_model_index_is_not_a_pipeline(config, tmp_path):
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "model.safetensors").write_bytes(b"not a pipeline")
    cfg = config(model=tmp_path / "weights")
    work = make_work(cfg, open_store(cfg.db_path), seed=1, haiku=POND)
    assert work["status"] == "failed"
    assert work["error"] == (f"generator.painter_model: {tmp_path / 'weights'} is not a diffusers pipeline folder "
                             "(no model_index.json)")


def test_a_config_without_painter_model_is_refused(write_config):
    path = write_config('[generator]\npainter = "diffusion"\n')
    with pytest.raises(ConfigError, match=r"generator\.painter_model: must name a local diffusers pipeline folder") as e:
        load_config(path)
    assert "\n" not in str(e.value)


def test_a_broken_pipeline_folder_is_a_load_failure(tmp_path, tiny_model):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(b"truncated")
    with pytest.raises(AuriaError) as e:
        DiffusionPainter(str(broken), "cpu")
    assert str(e.value).startswith(f"cannot load the diffusers pipeline in {broken}: ") and "\n" not in str(e.value)


def test_without_diffusers_the_error_names_the_extra(monkeypatch, tiny_model):
    monkeypatch.setitem(sys.modules, "diffusers", None)  # `import diffusers` now raises ImportError
    with pytest.raises(AuriaError, match=r"needs diffusers and transformers .*: pip install 'auria\[diffusion\]'$"):
        DiffusionPainter(str(tiny_model), "cpu")


def test_check_folder_wants_a_folder(tmp_path):
    with pytest.raises(AuriaError, match="needs a local diffusers pipeline folder"):
        check_folder("")
    (tmp_path / "file").write_text("x")
    with pytest.raises(AuriaError, match="no such folder"):
        check_folder(str(tmp_path / "file"))


# The painter in this process.


def test_paints_seeded_at_the_asked_size_and_warns_on_the_cpu(tiny_model, caplog):
    painter = DiffusionPainter(str(tiny_model), "cpu")
    with caplog.at_level(logging.WARNING, logger="auria.painter"):
        first, params = painter.paint("a pond, an oil painting", seed=3, size=(1080, 1350), steps=2)
    assert first.size == (1080, 1350) and first.mode == "RGB"
    assert "diffusion on the CPU: about " in caplog.text and "a GPU host is the place for it" in caplog.text
    assert params["steps"] == 2 and params["prompt_tokens"] > 0
    again, _ = painter.paint("a pond, an oil painting", seed=3, size=(1080, 1350), steps=2)
    other, _ = painter.paint("a pond, an oil painting", seed=4, size=(1080, 1350), steps=2)
    assert again.tobytes() == first.tobytes() and other.tobytes() != first.tobytes()


def test_the_safety_checker_is_left_out_when_the_folder_has_one(tmp_path):
    folder = tmp_path / "with-checker"
    _build_tiny_pipeline(folder, safety_checker=True)
    assert json.loads((folder / "model_index.json").read_text())["safety_checker"][1] == "StableDiffusionSafetyChecker"
    painter = DiffusionPainter(str(folder), "cpu")
    assert painter.pipeline.safety_checker is None
    # and a folder whose pipeline has no safety checker at all (like SDXL's) loads as well
    index = json.loads((folder / "model_index.json").read_text())
    for key in ("safety_checker", "feature_extractor", "requires_safety_checker"):
        index.pop(key)
    (folder / "model_index.json").write_text(json.dumps(index))
    shutil.rmtree(folder / "safety_checker")
    shutil.rmtree(folder / "feature_extractor")
    image, _ = DiffusionPainter(str(folder), "cpu").paint("a pond", seed=1, size=(108, 135), steps=1)
    assert image.size == (108, 135)


def test_the_generation_size_follows_the_model():
    def size(sample, blocks):
        painter = DiffusionPainter.__new__(DiffusionPainter)
        painter.pipeline = SimpleNamespace(vae_scale_factor=8, unet=SimpleNamespace(
            config=SimpleNamespace(sample_size=sample, block_out_channels=[320] * blocks)))
        return painter.generation_size()

    assert size(64, 4) == (512, 640), "SD-Turbo, SD 1.x/2.x"
    assert size(96, 4) == (768, 960), "SD 2.x at 768"
    assert size(128, 3) == (1024, 1280), "SDXL, SDXL-Turbo"


# The prompt.


def test_every_medium_has_a_prompt_phrase():
    from generator.painter.media import MEDIA

    assert set(MEDIUMS) == set(MEDIA)


def test_the_prompt_is_the_plan_the_medium_and_the_mood():
    plan = plan_scene(["winter moon", "over the city street", "a lamp"])
    prompt = prompt_of(plan, "sadness", "sumi-e")
    assert prompt.startswith("the moon in the sky over a city and a street, with a lamp on the left in the foreground, at night")
    assert MEDIUMS["sumi-e"] in prompt and prompt.endswith(MOOD_LOOKS["sadness"])
    assert set(MOOD_LOOKS) == set(MOODS), "every mood has a look"
    with pytest.raises(AuriaError, match="unknown medium"):
        prompt_of(plan, "sadness", "fresco")


def test_every_prompt_fits_clips_77_tokens():
    crowded = ScenePlan(["a", "b", "c"], [
        Placement(m, layer, 0, m, "lexicon") for m, layer in [
            ("fireflies", "sky"), ("dragonfly", "sky"), ("butterfly", "sky"),
            ("scarecrow", "middle"), ("umbrella", "middle"), ("footprints", "foreground")]
    ], "dusk", "autumn")
    for medium in MEDIUMS:
        for mood in MOODS:
            prompt = prompt_of(crowded, mood, medium)
            assert estimate_tokens(prompt) <= PROMPT_TOKENS, prompt
            assert "scarecrow" in prompt, "six motifs fit: the plan's cap"
    # a longer plan than the planner makes loses its last motifs, not its medium or mood
    longer = ScenePlan(crowded.lines, crowded.placements * 3, "dusk", "autumn")
    prompt = prompt_of(longer, "anticipation", "sumi-e")
    assert estimate_tokens(prompt) <= PROMPT_TOKENS and MEDIUMS["sumi-e"] in prompt


def test_the_token_estimate_is_not_below_clips_count_for_known_words():
    # a long word counts as several pieces, as rarer words split into several in CLIP's BPE
    assert estimate_tokens("brushstrokes") >= 2 and estimate_tokens("sumi-e") >= 3 and estimate_tokens("impasto") >= 2
    assert estimate_tokens("a frog, at night") == 5


def test_the_cpu_estimate_of_an_sd_turbo_picture_is_about_a_minute_on_two_cores():
    # SD-Turbo's shapes (SD 2.1's UNet and VAE), built on the meta device: no memory, no weights.
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel

    with torch.device("meta"):
        unet = UNet2DConditionModel(block_out_channels=(320, 640, 1280, 1280), attention_head_dim=(5, 10, 20, 20),
                                    cross_attention_dim=1024, use_linear_projection=True, sample_size=64)
        vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), layers_per_block=2,
                            down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    painter = DiffusionPainter.__new__(DiffusionPainter)
    painter.pipeline = SimpleNamespace(vae_scale_factor=8, unet=unet, vae=vae)
    painter._torch = SimpleNamespace(get_num_threads=lambda: 2)
    assert painter.generation_size() == (512, 640)
    # measured on a 2-core VM: 4 UNet steps of 9.2 s and a 23 s decode, about 60 s
    assert 40 <= painter.cpu_seconds(4, (512, 640)) <= 90
