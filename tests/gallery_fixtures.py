"""A store of finished works for the gallery's tests (and the browser test, benchmarks).

`make_gallery_store(config, n)` writes n works through the state API, each with real
artifacts in DATA_DIR/artifacts (a finish JPEG, painter and stylist PNGs, the haiku as
text, the plan as JSON) and every field a work made by the pipeline has: haiku, shape,
seed, mood, style, alt text, image path and hash, timings, plan, per-step records, models
and params. No torch, no generation: a few milliseconds a work.

Some values are planted so a test can check the gallery never shows them: the image path
(inside the data folder), and server paths in the params (`SECRET_PATHS`).
"""
from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence

from generator.artifacts import ArtifactStore
from state.posts import mark_posted, start_sending
from state.store import open_store
from state.works import add_work, update_work

SIZE = (270, 338)  # 4:5 like the real 1080x1350, a quarter of it
STEP_ORDER = ("poet", "painter", "stylist", "finish")
POST_URL = "https://x.com/auria_bot/status/123"
# Server paths planted in the params: the gallery must never show them.
SECRET_PATHS = ("/srv/secret", "/home/x")

# 7, 11 and 13 lines (coprime): work i gets (FIRST[i % 7], MIDDLE[i % 11], LAST[i % 13]),
# a distinct haiku for each of the first 1001 works.
FIRST = ["autumn moon rising", "cold rain on the roof", "a heron stands still", "pale mist on the lake",
         "first snow on the pines", "the old bell at dusk", "wind in the tall grass"]
MIDDLE = ["a single leaf drifts over the dark water", "the mountain path fades into grey clouds",
          "lanterns flicker softly by the river", "my shadow walks ahead of me tonight",
          "cherry petals fall on the stone bridge", "the temple roof glistens in the rain",
          "crows circle slowly above the field", "the fisherman waits on the quiet shore",
          "a distant flute answers the cricket", "frost silvers every blade of the meadow",
          "smoke rises from a hut in the valley"]
LAST = ["silence after", "the year grows old", "no one passes", "the tea is cold", "stars come out",
        "a frog listens", "evening bell", "my sleeve is wet", "dawn at last", "the path ends here",
        "summer grass", "the moon stays", "all is still"]
MOODS = ["serene", "melancholy", "joyful", "mysterious", "nostalgic"]
MOTIFS = ["moon", "rain", "heron", "mist", "pines", "bell", "grass"]
LAYERS = ["sky", "ground", "water"]


def _colour(i: int, salt: int) -> tuple[int, int, int]:
    """A colour of its own for work i (salt tells the steps' pictures apart)."""
    digest = hashlib.sha256(f"{i}:{salt}".encode()).digest()
    return digest[0], digest[1], digest[2]


def _picture(i: int, salt: int, fmt: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", SIZE, _colour(i, salt))
    draw = ImageDraw.Draw(image)
    draw.ellipse((60, 40, 210, 190), fill=_colour(i, salt + 100))  # a moon
    draw.rectangle((0, 250, SIZE[0], SIZE[1]), fill=_colour(i, salt + 200))  # the ground
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, format="JPEG", quality=85)
    else:
        image.save(buffer, format="PNG", compress_level=1)  # fast: these are made per test
    return buffer.getvalue()


def _hex(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _status_of(statuses, index: int) -> str:
    if statuses is None:
        return "ready"
    if isinstance(statuses, Mapping):
        return statuses.get(index) or "ready"
    return (statuses[index] if index < len(statuses) else None) or "ready"


def make_gallery_store(config, n: int = 3, statuses: Sequence[str | None] | Mapping[int, str] | None = None, *,
                       seed: int | None = None, posted: int | None = 0) -> list[int]:
    """Add n finished works to the store at config.db_path (made if needed); returns their
    ids, oldest first.

    statuses: each work's status ("ready" by default), as a list (None keeps the default)
    or a {index: status} dict, e.g. ["ready", "preview", "failed", "awaiting_approval"].
    seed: the first work's seed (the others count up from it; default 1000 + a running number).
    posted: the index of the work that gets a posted X post (URL `POST_URL`); None for none.
    Calling it again on the same store adds more works, with haiku of their own.
    """
    db = open_store(config.db_path)
    try:
        store = ArtifactStore(config.data_dir)
        (offset,) = db.execute("SELECT count(*) FROM works").fetchone()
        ids = []
        with db.atomic():  # one commit for all: each work's own changes nest as savepoints
            for index in range(n):
                i = offset + index
                work_seed = (1000 + i) if seed is None else seed + index
                ids.append(_add_one(config, db, store, i, work_seed, _status_of(statuses, index)))
            if posted is not None and 0 <= posted < n:
                post = start_sending(db, ids[posted], "x")
                mark_posted(db, post, "123", POST_URL)
        return ids
    finally:
        db.close()


def _add_one(config, db, store: ArtifactStore, i: int, seed: int, status: str) -> int:
    lines = [FIRST[i % len(FIRST)], MIDDLE[i % len(MIDDLE)], LAST[i % len(LAST)]]
    haiku = "\n".join(lines)
    mood = MOODS[i % len(MOODS)]
    motif = MOTIFS[i % len(MOTIFS)]
    style = f"in the style of “Evening {i}” by Hiroshige (1857)"
    alt_text = f"A painting of a {motif} over {LAST[i % len(LAST)]}, {style}, {mood}"
    plan = {
        "lines": lines,
        "placements": [
            {"layer": "sky", "line": 0, "motif": motif, "similarity": None, "via": "lexicon", "word": motif},
            {"layer": LAYERS[i % len(LAYERS)], "line": 1, "motif": "water", "similarity": 0.61, "via": "vectors",
             "word": MIDDLE[i % len(MIDDLE)].split()[-1]},
        ],
        "season": "autumn",
        "time_of_day": "night",
    }

    haiku_sha = store.put(haiku.encode("utf-8"), "txt")
    plan_sha = store.put(json.dumps(plan, sort_keys=True).encode("utf-8"), "json")
    painter_sha = store.put(_picture(i, 1, "PNG"), "png")
    stylist_sha = store.put(_picture(i, 2, "PNG"), "png")
    finish_sha = store.put(_picture(i, 3, "JPEG"), "jpg")
    alt_sha = store.put(alt_text.encode("utf-8"), "txt")

    seconds = {"poet": 0.25 + i / 100, "painter": 0.5 + i / 100, "stylist": 1.25 + i, "finish": 0.125}
    models = {
        "poet": {"poet.safetensors": _hex("poet.safetensors")},
        "painter": {"word_vectors.safetensors": _hex("word_vectors.safetensors")},
        "stylist": {"arbitrary.onnx": _hex("arbitrary.onnx")},
        "finish": {},
    }
    params = {
        "poet": {"shape": "5-7-5", "temperature": 0.8, "top_p": 0.95, "given": False, "device": "cpu"},
        "painter": {"painter": "scene", "size": [1080, 1350]},
        "stylist": {
            "mood_setting": "random", "mood": mood, "method": "network", "device": "cpu", "strength": 1.0,
            "painting_path": "/srv/secret/painting.jpg",
            "painting": "/home/x/wikiart/1.jpg",
            "style": {"kind": "painting", "mood": mood, "index": None, "painting_id": f"58c{i}",
                      "painting_path": "/srv/secret/wikiart/58c.jpg", "description": style,
                      "label": f"painting:58c{i}"},
            "references": ["/home/x/wikiart/2.jpg", "hokusai"],
        },
        "finish": {"size": [1080, 1350], "jpeg_quality": 92, "max_bytes": 1500000},
    }
    steps = {}
    for name, inputs, outputs in (
        ("poet", {}, {"haiku": haiku_sha}),
        ("painter", {"haiku": haiku_sha}, {"image": painter_sha, "plan": plan_sha}),
        ("stylist", {"image": painter_sha}, {"image": stylist_sha}),
        ("finish", {"image": stylist_sha}, {"image": finish_sha, "alt_text": alt_sha}),
    ):
        steps[name] = {"inputs": inputs, "models": models[name], "outputs": outputs, "params": params[name],
                       "reused": False, "seconds": seconds[name], "seed": seed, "step": name}
    timings = {**seconds, "total": round(sum(seconds.values()) + 0.5, 3)}

    work_params = {
        "poet": {"shape": "5-7-5", "temperature": 0.8, "top_p": 0.95, "weights": "/srv/secret/poet-weights"},
        "stylist": {"mood": "random", "strength": 1.0, "method": "network", "use_paintings": True},
        "generator": {"painter": "scene", "device": "auto", "timeout": 300.0},
        "data_dir": str(config.data_dir),
    }
    work_id = add_work(db, haiku="", shape="5-7-5", seed=seed, params=work_params, models=None, status="generating")
    update_work(
        db, work_id, "work_generated", status=status, haiku=haiku,
        image_path=str(store.path(finish_sha, "jpg")), image_sha256=finish_sha, mood=mood, style=style,
        alt_text=alt_text, plan=plan, steps=steps, models=models, timings=timings,
        error=f"stylist: cannot read /srv/secret/{i}.jpg" if status == "failed" else None,
    )
    return work_id
