"""The diffusion painter: the scene plan becomes a prompt, a local diffusers pipeline paints it.

For GPU hosts (`generator.painter = "diffusion"`). The user brings the model: a diffusers
pipeline folder (one with model_index.json, e.g. an SD-Turbo download), named by
`generator.painter_model`. Auria never downloads anything: the folder is loaded with
``local_files_only=True`` and the Hub is switched off before diffusers is imported.

    painter = DiffusionPainter(folder, device="cuda")
    image, params = painter.paint(prompt_of(plan, mood, medium), seed=7, size=(1080, 1350))

The prompt is built from the scene plan (what is where, time of day, season), not from
the haiku's text, so the picture and the alt text tell the same scene. diffusers and
transformers are an optional extra (``pip install 'auria[diffusion]'``); this module imports
them only when a painter is made, so the rest of Auria never needs them.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import math
import os
import re
import time
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageOps

from core.errors import AuriaError
from generator.painter.plan import ScenePlan
from generator.painter.planner import describe

log = logging.getLogger("auria.painter")

MEDIUMS = {
    "oil": "an oil painting with thick impasto brushstrokes",
    "watercolour": "a loose watercolour wash on cold-pressed paper",
    "sumi-e": "a sumi-e ink painting, black ink and wash on rice paper, one red accent",
}

# What each mood (generator.stylist.moods.MOODS) looks like, in words a text encoder knows.
# The stylist recolours the picture in the mood afterwards; the prompt sets the light and
# the atmosphere the colours land on.
MOOD_LOOKS = {
    "happiness": "joyful, bright warm light",
    "love": "tender, warm rosy light",
    "optimism": "hopeful, fresh morning light",
    "trust": "calm, steady, balanced",
    "gratitude": "peaceful, golden glow",
    "humility": "quiet, modest, muted tones",
    "anticipation": "expectant, hushed, still air",
    "surprise": "vivid, striking contrast",
    "shyness": "soft, pale, delicate tones",
    "neutral": "calm, even light",
    "sadness": "melancholy, cool grey-blue tones",
    "fear": "ominous, deep shadows",
    "anger": "turbulent, fiery red sky",
    "pessimism": "bleak, overcast, faded",
    "regret": "wistful, fading light",
}

# Used only when guidance > 1 (SD-Turbo runs without guidance and ignores it).
NEGATIVE_PROMPT = "text, letters, signature, watermark, frame, border, photograph, blurry"

# CLIP's text encoder reads 77 tokens, two of them the start and end marks.
PROMPT_TOKENS = 75
OUTPUT_MULTIPLE = 8  # the Stable Diffusion pipelines refuse sizes that are not multiples of 8


def estimate_tokens(text: str) -> int:
    """An upper estimate of the CLIP BPE tokens of ``text``: every punctuation mark is one,
    a word of up to 6 letters one (common words are one token), a longer word one per 5
    letters (rarer words split into pieces)."""
    return sum(1 if len(piece) <= 6 else -(-len(piece) // 5) for piece in re.findall(r"[a-z]+|\d|[^\sa-z\d]", text.lower()))


def prompt_of(plan: ScenePlan, mood: str, medium: str) -> str:
    """'the moon in the sky over a pond, with a frog in the foreground, at night, an oil
    painting with thick impasto brushstrokes, melancholy, cool grey-blue tones'.

    The scene comes first (CLIP weighs the start of a prompt most). A plan with many motifs
    loses its last ones until the prompt fits CLIP's 77 tokens; the plan caps motifs at 6,
    which fit with every medium and mood, so this is a guard.
    """
    if medium not in MEDIUMS:
        raise AuriaError(f"unknown medium {medium!r}; one of: {', '.join(MEDIUMS)}")
    if mood not in MOOD_LOOKS:
        raise AuriaError(f"unknown mood {mood!r}; one of: {', '.join(MOOD_LOOKS)}")
    placements = list(plan.placements)
    while True:
        scene = describe(ScenePlan(plan.lines, placements, plan.time_of_day, plan.season, plan.frame))
        prompt = f"{scene}, {MEDIUMS[medium]}, {MOOD_LOOKS[mood]}"
        if estimate_tokens(prompt) <= PROMPT_TOKENS or not placements:
            return prompt
        placements.pop()


@lru_cache(maxsize=4)
def model_identity(folder: str) -> dict[str, str]:
    """sha256 of every file in the model folder (configs and weights), by path relative to
    it: the painter step's ``models``. Computed once per process: an SD-Turbo folder holds
    gigabytes. Hidden files and folders are left out (a Hub download's ``.cache`` metadata
    changes without the model changing)."""
    root = Path(folder)
    hashes = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            digest = hashlib.sha256()
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
            hashes[relative.as_posix()] = digest.hexdigest()
    return hashes


def check_folder(folder: str) -> Path:
    """The model folder, or a one-line AuriaError saying why it is not one."""
    if not folder:
        raise AuriaError('generator.painter_model: the diffusion painter needs a local diffusers pipeline folder')
    path = Path(folder)
    if not path.is_dir():
        raise AuriaError(f"generator.painter_model: no such folder: {folder}")
    if not (path / "model_index.json").is_file():
        raise AuriaError(f"generator.painter_model: {folder} is not a diffusers pipeline folder (no model_index.json)")
    return path


class DiffusionPainter:
    """A diffusers text-to-image pipeline loaded from a local folder, on "cuda" or "cpu"."""

    def __init__(self, folder: str, device: str):
        path = check_folder(folder)
        self.folder, self.name, self.device = str(path), path.name, device
        torch, DiffusionPipeline = _import_diffusers()
        # float16 halves the memory and doubles the speed on a GPU; CPUs have no fast float16.
        self.dtype = torch.float16 if device == "cuda" else torch.float32
        options = {"local_files_only": True, "dtype": self.dtype,
                   # accelerate loads the weights without first initialising them; without
                   # it diffusers warns and loads the ordinary way, which is only slower.
                   "low_cpu_mem_usage": importlib.util.find_spec("accelerate") is not None}
        try:
            index = json.loads((path / "model_index.json").read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise AuriaError(f"generator.painter_model: cannot read {path / 'model_index.json'}: {_one_line(e)}") from None
        if isinstance(index, dict) and "safety_checker" in index:
            # Off, and not even loaded: it blacks out whole pictures on false alarms, and a
            # black square would be posted. The pictures are landscapes of a plan's motifs.
            options |= {"safety_checker": None, "requires_safety_checker": False}
        started = time.perf_counter()
        try:
            self.pipeline = DiffusionPipeline.from_pretrained(self.folder, **options).to(device)
        except Exception as e:  # diffusers and transformers raise many kinds; the user needs one line
            raise AuriaError(f"cannot load the diffusers pipeline in {self.folder}: {_one_line(e)}") from None
        self.pipeline.set_progress_bar_config(disable=True)
        if device == "cuda":
            # The same seed must give the same picture on the same host.
            torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
        self._torch = torch
        log.info("painter: loaded %s (%s) on %s in %.1f s", self.name, type(self.pipeline).__name__, device,
                 time.perf_counter() - started)

    def generation_size(self) -> tuple[int, int]:
        """(width, height) the model paints at: its native width, height for 4:5, both
        multiples of what its UNet and VAE divide by. SD-Turbo: 512x640; SDXL: 1024x1280."""
        scale = int(getattr(self.pipeline, "vae_scale_factor", 8))
        unet = getattr(self.pipeline, "unet", None)
        if unet is not None:
            sample = unet.config.sample_size
            sample = min(sample) if isinstance(sample, (list, tuple)) else sample
            # each UNet level but the last halves the latent
            multiple = scale * 2 ** (len(unet.config.block_out_channels) - 1)
        else:  # transformer pipelines (SD3, Flux): patches of 2 latents
            sample, multiple = getattr(self.pipeline, "default_sample_size", 128), scale * 2
        multiple = math.lcm(multiple, OUTPUT_MULTIPLE)
        width = max(multiple, int(sample * scale / multiple + 0.5) * multiple)
        height = max(multiple, int(width * 5 / 4 / multiple + 0.5) * multiple)
        return width, height

    def cpu_seconds(self, steps: int, size: tuple[int, int]) -> float:
        """An order of magnitude of the time one picture takes on this CPU, from the model's
        size: about 0.23 floating-point operations per UNet parameter and latent pixel per
        step, ~2.5 TFLOP for the VAE decoder per 512x512 picture and 50 M decoder
        parameters, at ~60 GFLOP/s per thread. Measured on a 2-core x86 VM (torch 2.13):
        an SD 2.x / SD-Turbo UNet step at 512x640 took 9.2 s, the VAE decode 23 s, so 4 steps
        about a minute, which this gives."""
        width, height = size
        scale = int(getattr(self.pipeline, "vae_scale_factor", 8))
        flops = 0.0
        denoiser = getattr(self.pipeline, "unet", None)
        denoiser = getattr(self.pipeline, "transformer", None) if denoiser is None else denoiser
        if denoiser is not None:
            flops += 0.23 * steps * (width * height / scale**2) * _parameters(denoiser)
        decoder = getattr(getattr(self.pipeline, "vae", None), "decoder", None)
        if decoder is not None:
            flops += 2.5e12 * (width * height / 512**2) * _parameters(decoder) / 50e6
        return flops / (60e9 * max(1, self._torch.get_num_threads()))

    def paint(self, prompt: str, seed: int, size: tuple[int, int], steps: int = 4,
              guidance: float = 0.0) -> tuple[Image.Image, dict]:
        """The picture at ``size`` (Lanczos from the model's own size) and what made it."""
        width, height = self.generation_size()
        if self.device == "cpu":
            log.warning("painter: diffusion on the CPU: about %s s per picture (%d steps at %dx%d); "
                        "a GPU host is the place for it", _round(self.cpu_seconds(steps, (width, height))),
                        steps, width, height)
        tokens = self._tokens(prompt)
        if tokens is not None and tokens > self._max_tokens():
            log.warning("painter: the prompt is %d tokens, the text encoder reads %d; the rest is cut",
                        tokens, self._max_tokens())
        # A CPU generator draws the same starting noise on any device, so a seed means the
        # same noise on a GPU host and on a laptop (the pictures still differ by arithmetic).
        generator = self._torch.Generator("cpu").manual_seed(seed)
        started = time.perf_counter()
        try:
            with self._torch.inference_mode():
                result = self.pipeline(
                    prompt=prompt, negative_prompt=NEGATIVE_PROMPT if guidance > 1 else None,
                    width=width, height=height, num_inference_steps=steps, guidance_scale=guidance,
                    generator=generator, output_type="pil",
                )
        except Exception as e:  # out of memory, a pipeline that takes other arguments, ...
            raise AuriaError(f"the diffusion painter failed: {_one_line(e)}") from None
        seconds = time.perf_counter() - started
        log.info("painter: %s painted %dx%d in %.1f s on %s", self.name, width, height, seconds, self.device)
        picture = result.images[0].convert("RGB")
        # Crop to 4:5 if the model's size is not exactly it, never stretch.
        image = ImageOps.fit(picture, size, Image.LANCZOS) if picture.size != tuple(size) else picture
        return image, {
            "model": self.name, "model_path": self.folder, "pipeline": type(self.pipeline).__name__,
            "prompt": prompt, "prompt_tokens": tokens,
            "negative_prompt": NEGATIVE_PROMPT if guidance > 1 else "",
            "steps": steps, "guidance": guidance, "generated_size": [width, height], "size": list(size),
            "device": self.device, "dtype": str(self.dtype).removeprefix("torch."),
        }

    def _tokens(self, prompt: str) -> int | None:
        tokenizer = getattr(self.pipeline, "tokenizer", None)
        return None if tokenizer is None else len(tokenizer(prompt).input_ids)

    def _max_tokens(self) -> int:
        return int(getattr(getattr(self.pipeline, "tokenizer", None), "model_max_length", 77))


def _import_diffusers():
    # Whatever the environment says, Auria never reaches the Hub: set before import, where
    # huggingface_hub reads it.
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        import torch
        import transformers

        # Their warnings about optional backends (torchvision, accelerate) and their
        # progress bars are noise in a daemon's log; failures still raise.
        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
        import diffusers
        from diffusers import DiffusionPipeline
    except ImportError as e:
        raise AuriaError(f"the diffusion painter needs diffusers and transformers ({_one_line(e)}): "
                         "pip install 'auria[diffusion]'") from None
    diffusers.logging.set_verbosity_error()
    diffusers.logging.disable_progress_bar()
    return torch, DiffusionPipeline


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _parameters(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _round(seconds: float) -> str:
    """Two significant figures: an estimate should not look precise."""
    return f"{float(f'{seconds:.2g}'):g}"
