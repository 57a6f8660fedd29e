"""The steps of one work, run inside the generator's child process.

poet -> painter -> stylist -> finish. Each step reads its inputs from the previous steps'
artifacts, writes its own output content-addressed (generator/artifacts.py), and returns
a record of what it used: seed, parameters, model file hashes, input and output hashes,
seconds. Given the same inputs a step writes the same bytes, so a work can be re-made from
any step: the steps before it are not run again, their recorded outputs are read back.

Run as `python -m generator.steps`: a JSON list of work requests on stdin; one JSON line
per work on stdout as each is done (generator/messages.py: ``WorkRequest``, ``WorkResult``);
one log line per step on stderr. Models are loaded once per process and shared by the works
of a batch. The parent (generator/pipeline.py) owns the store; this process never touches it.
"""
from __future__ import annotations

import io
import json
import logging
import random
import sys
import time
from dataclasses import asdict
from functools import lru_cache

from core.errors import AuriaError
from core.faults import fault_point
from generator.artifacts import ArtifactStore
from generator.messages import STEPS, WorkRequest, WorkResult

SIZE = (1080, 1350)  # 4:5, Instagram's tallest portrait; X shows it whole too
MAX_JPEG_BYTES = 1_500_000
log = logging.getLogger("auria.generator")


def run(request: WorkRequest) -> WorkResult:
    """Make (or re-make from request.from_step) one work; returns what was made."""
    store = ArtifactStore(request.data_dir)
    start = STEPS.index(request.from_step)
    previous = request.previous or {}
    records: dict[str, dict] = {}
    state: dict = {}
    for index, name in enumerate(STEPS):
        if index < start:
            record = dict(previous[name], reused=True)
            _restore(name, record, store, state)
        else:
            started = time.perf_counter()
            try:
                fault_point(name)
                record = STEP_FUNCTIONS[name](request, store, state)
            except AuriaError:
                raise
            except Exception as error:  # unforeseen: the work's stored reason must say what and where
                log.exception("%s: failed", name)
                reason = error.strerror if isinstance(error, OSError) and error.strerror else error
                raise AuriaError(f"the {name} step failed: {type(error).__name__}: {reason}") from None
            record.update(step=name, reused=False, seconds=round(time.perf_counter() - started, 3))
            log.info("%s: done in %.2f s", name, record["seconds"])
        records[name] = record
        state.setdefault("records", {})[name] = record
    return WorkResult(
        steps=records,
        haiku=state["lines"],
        plan=state["plan"].to_dict(),
        mood=state["mood"],
        medium=state["medium"],
        style=state["style"],
        alt_text=state["alt_text"],
        image_sha256=records["finish"]["outputs"]["image"],
        image_path=str(store.path(records["finish"]["outputs"]["image"], "jpg")),
    )


def poet_step(request: WorkRequest, store: ArtifactStore, state: dict) -> dict:
    from generator.poet.syllables import counts
    from generator.poet.write import parse_shape

    settings = request.poet
    shape = parse_shape(settings.shape)
    seed = request.seed
    warnings = []
    device = None
    choice: dict = {}
    if request.haiku:
        lines = request.haiku
        models: dict = {}
        found = counts(lines)
        if found != shape:
            warnings.append(f"the given haiku is {'-'.join(map(str, found))}, not {settings.shape}")
            log.warning("poet: %s; painting it anyway", warnings[-1])
    else:
        device = _torch_device(request)
        poet = _poet(settings.weights or "", device)
        loaded = poet.loaded
        report = poet.write(
            1, seed=seed, shape=shape, register=settings.register, candidates=settings.candidates,
            temperature=settings.temperature, top_p=settings.top_p,
            max_attempts=settings.max_attempts, known_keys=set(request.known_keys),
        )
        haiku = report.haiku[0]
        lines = haiku.lines
        choice = haiku.record()
        log.info("poet: best of %d candidates (%d passed the filters), critic %.2f, score %.2f, rank %d",
                 haiku.candidates, haiku.passed, haiku.critic, haiku.score, haiku.rank)
        models = loaded.file_hashes
    state["lines"] = lines
    return {
        "seed": seed,
        "params": {k: getattr(settings, k) for k in ("shape", "register", "candidates", "temperature", "top_p")}
        | {"given": bool(request.haiku), "device": device},
        "choice": choice,  # candidates, passed, rank, score, critic, likelihood (empty for a given haiku)
        "models": models,
        "inputs": {},
        "outputs": {"haiku": store.put("\n".join(lines).encode("utf-8"), "txt")},
        "warnings": warnings,
    }


def painter_step(request: WorkRequest, store: ArtifactStore, state: dict) -> dict:
    from generator.painter.planner import plan_scene
    seed = request.seed
    vectors = _vectors()
    plan = plan_scene(state["lines"], vectors, seed)
    # The mood and medium the stylist will choose: the diffusion prompt names them, and the
    # medium decides how much incidental detail the scene painter gives the picture, and
    # whether it composes for ink.
    mood, medium = _look(request, state["lines"], random.Random(seed), plan)
    if request.generator.painter == "diffusion":
        return _diffusion_painter_step(request, store, state, plan, vectors, mood, medium)
    from generator.painter.render import paint
    detail, ink = medium == "oil", medium == "sumi-e"
    image = paint(plan, seed, SIZE, detail=detail, ink=ink)
    state["plan"], state["image"] = plan, image
    return {
        "seed": seed,
        "params": {"painter": request.generator.painter, "size": list(SIZE), "frame": asdict(plan.frame),
                   "detail": detail, "ink": ink},
        "models": {"word_vectors.safetensors": vectors.sha256},
        "inputs": {"haiku": _output(state, "poet", "haiku")},
        "outputs": {
            "image": store.put(_png(image), "png"),
            "plan": store.put(json.dumps(plan.to_dict(), sort_keys=True).encode("utf-8"), "json"),
        },
    }


def _diffusion_painter_step(request: WorkRequest, store: ArtifactStore, state: dict, plan, vectors,
                            mood: str, medium: str) -> dict:
    """The plan (for the prompt and the alt text) painted by a local diffusers pipeline."""
    from generator.painter.diffusion import check_folder, model_identity, prompt_of

    settings, seed = request.generator, request.seed
    check_folder(settings.painter_model)  # a clear error before torch and diffusers load
    prompt = prompt_of(plan, mood, medium)
    painter = _diffusion(settings.painter_model, _torch_device(request))
    image, params = painter.paint(prompt, seed, SIZE, steps=settings.painter_steps,
                                  guidance=settings.painter_guidance)
    state["plan"], state["image"] = plan, image
    return {
        "seed": seed,
        "params": {"painter": "diffusion", "mood": mood, "medium": medium} | params,
        # the model folder's files, and the word vectors that made the plan (so the prompt)
        "models": model_identity(painter.folder) | {"word_vectors.safetensors": vectors.sha256},
        "inputs": {"haiku": _output(state, "poet", "haiku")},
        "outputs": {
            "image": store.put(_png(image), "png"),
            "plan": store.put(json.dumps(plan.to_dict(), sort_keys=True).encode("utf-8"), "json"),
        },
    }


def stylist_step(request: WorkRequest, store: ArtifactStore, state: dict) -> dict:
    """The painter's hand: a mood, its style on the underpainting, then brushwork in a medium."""
    from PIL import Image

    from generator.painter.media import paint_in, work_size
    from generator.painter.motifs import LIGHTS
    from generator.stylist.choose import choose_style
    from generator.stylist.network import vector_cache_dir

    settings = request.stylist
    seed = request.seed
    rng = random.Random(seed)  # mood, medium and style choices, reproducible from the work's seed
    mood, medium = _look(request, state["lines"], rng, state["plan"])
    paintings = request.paintings.get(mood, []) if settings.use_paintings else []
    night = _dark(state["plan"])
    # A diffusion picture is already painted in its medium and keeps its drawing: the Lab
    # colour transfer recolours it in the mood, where the network and brushwork would repaint it.
    diffusion = request.generator.painter == "diffusion"
    method = "colour" if diffusion else settings.method
    choice = choose_style(mood, rng, paintings, method=method, medium=medium, night=night,
                          sky=state["plan"].frame.view == "sky")
    stylist = _stylist(request.generator.device)
    started = time.perf_counter()
    underpainting = state["image"]
    # Brushwork is done at its working size and scaled back; a diffusion picture, which gets
    # none, is recoloured at its own size.
    size = underpainting.size if diffusion else work_size(underpainting.size)
    styled = stylist.apply(underpainting.resize(size, Image.Resampling.LANCZOS), choice, settings.strength,
                           cache_dir=vector_cache_dir(request.data_dir))
    styled_seconds = time.perf_counter() - started
    halo = bool(LIGHTS & set(state["plan"].motifs()))  # oil's strokes swirl round a light's halo
    image = (styled if diffusion else
             paint_in(medium, styled, seed, halo).resize(underpainting.size, Image.Resampling.LANCZOS))
    log.info("stylist: %s in %s (%s): style %.2f s, brushwork %.2f s", mood, medium, choice.label,
             styled_seconds, time.perf_counter() - started - styled_seconds)
    state["mood"], state["medium"], state["style"], state["image"] = mood, medium, choice.description, image
    return {
        "seed": seed,
        "params": {"mood_setting": settings.mood, "mood": mood, "medium_setting": request.painter.medium,
                   "medium": medium, "brushwork": not diffusion, "halo": halo, "style": choice.to_dict(),
                   "strength": settings.strength, "method": method, "device": stylist.device},
        "models": stylist.model_hashes(choice),
        "inputs": {"image": _output(state, "painter", "image")},
        "outputs": {"image": store.put(_png(image), "png")},
    }


def _bare(plan) -> bool:
    """Whether the poem names nothing to paint: at most its season's or hour's emblem and
    what its words of going and feeling call up (a road, a figure), too little for ink."""
    return all(p.via in ("emblem", "gesture") for p in plan.placements)


def _wet(plan) -> bool:
    """Whether the picture holds water, weather or blossom: a watercolour's subjects."""
    from generator.painter.media import WATERCOLOUR_SUBJECTS

    return bool(WATERCOLOUR_SUBJECTS & set(plan.motifs()))


def _look(request: WorkRequest, lines: list[str], rng: random.Random, plan) -> tuple[str, str]:
    """The work's mood and medium, the first choices of the work's seeded ``rng``, for the
    ``plan``: one that names no motif of its own is never ink, and only water, weather and
    blossom are watercolour's (``_bare``, ``_wet``)."""
    from generator.stylist.moods import choose_medium, choose_mood

    mood = choose_mood(request.stylist.mood, lines, rng)
    return mood, choose_medium(request.painter.medium, mood, rng, _bare(plan), _wet(plan))


def _dark(plan) -> bool:
    """Whether the plan's picture is a dark one that no pale style may lighten: night and dusk,
    and a storm, which darkens the day as dusk does (under a high-key style the round-24 storm
    was a "washed out" pastel sky, 2.75 of 5; three viewers chose it darkened 3 of 3)."""
    return plan.time_of_day in ("night", "dusk") or "storm" in plan.motifs()


def finish_step(request: WorkRequest, store: ArtifactStore, state: dict) -> dict:
    from generator.finish import alt_text, encode_jpeg

    jpeg, quality = encode_jpeg(state["image"], SIZE, MAX_JPEG_BYTES)
    state["alt_text"] = alt_text(state["plan"], state["medium"], state["style"], state["mood"])
    return {
        "seed": request.seed,
        "params": {"size": list(SIZE), "jpeg_quality": quality, "max_bytes": MAX_JPEG_BYTES},
        "models": {},
        "inputs": {"image": _output(state, "stylist", "image")},
        "outputs": {"image": store.put(jpeg, "jpg"), "alt_text": store.put(state["alt_text"].encode("utf-8"), "txt")},
    }


STEP_FUNCTIONS = {"poet": poet_step, "painter": painter_step, "stylist": stylist_step, "finish": finish_step}


@lru_cache(maxsize=2)
def _poet(weights: str, device: str):
    from generator.poet.weights import load
    from generator.poet.write import Poet

    return Poet(load(weights or None), device=device)


@lru_cache(maxsize=1)
def _vectors():
    from generator.painter.vectors import load_vectors

    return load_vectors()


@lru_cache(maxsize=1)  # one model in memory at a time: they are gigabytes
def _diffusion(folder: str, device: str):
    from generator.painter.diffusion import DiffusionPainter

    return DiffusionPainter(folder, device)


@lru_cache(maxsize=2)
def _stylist(device: str):
    from generator.stylist.network import Stylist

    return Stylist(device=device)


def _restore(name: str, record: dict, store: ArtifactStore, state: dict) -> None:
    """Read back what a step made before, instead of making it again."""
    from PIL import Image

    from generator.painter.plan import ScenePlan

    outputs = record["outputs"]
    if name == "poet":
        state["lines"] = store.get(outputs["haiku"], "txt").decode("utf-8").split("\n")
    elif name == "painter":
        state["plan"] = ScenePlan.from_dict(json.loads(store.get(outputs["plan"], "json")))
        state["image"] = Image.open(io.BytesIO(store.get(outputs["image"], "png"))).convert("RGB")
    elif name == "stylist":
        params = record["params"]
        state["mood"], state["style"] = params["mood"], params["style"]["description"]
        state["medium"] = params.get("medium", "")
        state["image"] = Image.open(io.BytesIO(store.get(outputs["image"], "png"))).convert("RGB")
    elif name == "finish":
        state["alt_text"] = store.get(outputs["alt_text"], "txt").decode("utf-8")


def _output(state: dict, step: str, name: str) -> str | None:
    record = state.get("records", {}).get(step)
    return record["outputs"][name] if record else None


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # painted pictures barely compress more at 6, 3x slower
    return buffer.getvalue()


def _torch_device(request: WorkRequest) -> str:
    wanted = request.generator.device
    if wanted == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if wanted == "cuda":
        raise AuriaError("generator.device is \"cuda\" but torch sees no CUDA device")
    return "cpu"


def main() -> int:
    from core.logs import configure_logging

    requests = [WorkRequest.from_dict(data) for data in json.loads(sys.stdin.read())]
    if requests:
        configure_logging(requests[0].log_level, requests[0].log_format)
    written: set[str] = set()  # haiku of this batch, so two works never share one
    for request in requests:
        request.known_keys = sorted(set(request.known_keys) | written)
        try:
            result = run(request)
        except AuriaError as error:
            result = WorkResult.failure(str(error))
        else:
            from state.works import haiku_key

            written.add(haiku_key(" ".join(result.haiku)))
        print(json.dumps(result.to_dict()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
