"""Making a work: the store's side of the generator.

The steps (generator/steps.py) run in a child process: a crash, a hang or an out-of-memory
in torch or onnxruntime cannot take the caller down, the memory goes back when the child
exits, and a timeout kills it. This module never imports torch. It records the work in the
store before the child starts (status "generating"), then either the finished work
(haiku, image, plan, mood, style, alt text, seeds, model hashes, per-step records and
timings) or the reason it failed, each in one transaction.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

from core.errors import AuriaError
from generator.messages import (
    STEPS,
    GeneratorSettings,
    PainterSettings,
    PoetSettings,
    StylistSettings,
    WorkRequest,
    WorkResult,
)
from state.events import record_event
from state.works import (
    WorkStatus,
    add_work,
    fail_generation,
    finish_generation,
    get_work,
    known_haiku_keys,
    start_generation,
)

log = logging.getLogger("auria.pipeline")


@dataclass
class Job:
    """One work to make: fresh from a seed (optionally painting a given haiku), or re-made
    from a step of an earlier work."""

    seed: int
    haiku: list[str] | None = None
    status: WorkStatus = WorkStatus.PREVIEW  # the status the finished work gets (preview, ready, awaiting_approval)
    remake_of: int | None = None
    from_step: str = "poet"
    mood: str | None = None
    work_id: int | None = None  # make into this stored work (a claimed slot's) instead of a new one


def make_work(config, db, **job) -> dict:
    """Generate one work and store it; returns the stored work (status 'failed' on failure)."""
    return make_works(config, db, [Job(**job)])[0]


def make_works(config, db, jobs: list[Job]) -> list[dict]:
    """Generate works in one child process (models load once), each stored as it finishes.

    Every work has `generator.timeout` seconds; a work that runs over, or crashes the child,
    is marked failed and a fresh child takes the works after it.
    """
    fail_abandoned(db)
    pending = [(*_start(config, db, job), job) for job in jobs]  # (work id, steps to reuse, job)
    work_ids = [work_id for work_id, _, _ in pending]
    while pending:
        known, paintings = sorted(known_haiku_keys(db)), _paintings_by_mood(db)  # once per child, not per job
        requests = [work_request(config, job, previous, known, paintings) for _, previous, job in pending]
        done = 0
        for result in _run_child(requests, config.generator.timeout):
            work_id, _, job = pending[done]
            _finish(db, work_id, job, result)
            done += 1
        pending = pending[done:]
    return [get_work(db, work_id) for work_id in work_ids]


def fail_abandoned(db) -> list[int]:
    """Fail, with the reason, the works a killed command left `generating`; their ids."""
    from state.works import abandoned_generations

    failed = []
    for work in abandoned_generations(db):
        reason = (f"generation was interrupted: the process making it (pid {work['generator_pid']}) is gone"
                  if work["generator_pid"] else "generation was interrupted: the process making it is gone")
        fail_generation(db, work["id"], reason)
        log.warning("work %d: %s; marked failed", work["id"], reason)
        failed.append(work["id"])
    return failed


def _start(config, db, job: Job) -> tuple[int, dict | None]:
    """Check the job and store its work as 'generating'; returns (work id, steps to reuse)."""
    if job.from_step not in STEPS:
        raise AuriaError(f"unknown step {job.from_step!r}: one of {', '.join(STEPS)}")
    previous = None
    if job.remake_of is not None:
        original = get_work(db, job.remake_of)
        if original is None:
            raise AuriaError(f"no work with id {job.remake_of}")
        if not original.get("steps"):
            raise AuriaError(f"work {job.remake_of} has no recorded steps to re-make from")
        previous = original["steps"]
        if job.from_step != "poet":
            job.haiku = original["haiku"].split("\n")
    elif job.from_step != "poet":
        raise AuriaError("--from-step needs the work to re-make")
    if job.work_id is not None:
        work_id = job.work_id
        start_generation(db, work_id, seed=job.seed, params=_params(config, job.mood), generator_pid=os.getpid())
    else:
        work_id = add_work(
            db, haiku="\n".join(job.haiku) if job.haiku else "", shape=config.poet.shape, seed=job.seed,
            params=_params(config, job.mood), models=None, status=WorkStatus.GENERATING, generator_pid=os.getpid(),
        )
    if job.remake_of is not None:
        record_event(db, "remade_from", work_id, work=job.remake_of, from_step=job.from_step)
    return work_id, previous


def _finish(db, work_id: int, job: Job, result: WorkResult) -> None:
    if not result.ok:
        fail_generation(db, work_id, result.error)
        log.error("work %d: failed: %s", work_id, result.error)
        return
    steps = result.steps
    timings = {name: record["seconds"] for name, record in steps.items()} | {"total": result.seconds}
    finish_generation(
        db, work_id, job.status, haiku="\n".join(result.haiku),
        image_path=result.image_path, image_sha256=result.image_sha256, mood=result.mood,
        style=result.style, alt_text=result.alt_text, plan=result.plan, steps=steps,
        models={name: record["models"] for name, record in steps.items()}, timings=timings,
    )
    log.info(
        "work %d: made in %.1f s (%s)", work_id, result.seconds,
        ", ".join(f"{n} {'reused' if r['reused'] else format(r['seconds'], '.2f') + ' s'}" for n, r in steps.items()),
    )


def work_request(config, job: Job, previous: dict | None = None, known_keys: Sequence[str] = (),
                 paintings: dict | None = None) -> WorkRequest:
    """What the child needs to make `job`: the configuration's settings for the steps (the
    job's mood over stylist.mood), the earlier steps' records for a re-make, the haiku the
    poet must not write again (none when the job gives its haiku), imported paintings by mood."""
    stylist = StylistSettings.of(config.stylist)
    if job.mood:
        stylist.mood = job.mood
    return WorkRequest(
        data_dir=str(config.data_dir),
        seed=job.seed,
        haiku=job.haiku,
        from_step=job.from_step,
        previous=previous,
        known_keys=list(known_keys) if not job.haiku else [],
        poet=PoetSettings.of(config.poet),
        generator=GeneratorSettings.of(config.generator),
        painter=PainterSettings.of(config.painter),
        stylist=stylist,
        paintings=paintings or {},
        log_level=config.log_level,
        log_format=config.log_format,
    )


def _params(config, mood) -> dict:
    return {
        "poet": {k: getattr(config.poet, k) for k in ("shape", "register", "candidates", "temperature", "top_p")},
        "stylist": asdict(config.stylist) | ({"mood": mood} if mood else {}),
        "generator": asdict(config.generator),
        "painter": asdict(config.painter),
    }


def _paintings_by_mood(db) -> dict[str, list[dict]]:
    """Imported WikiArt paintings under each emotion their image evokes."""
    from state.paintings import all_paintings

    by_mood: dict[str, list[dict]] = {}
    for painting in all_paintings(db):
        for emotion in painting["emotions"]:
            by_mood.setdefault(emotion, []).append(painting)
    return by_mood


def _run_child(requests: list[WorkRequest], timeout: float) -> Iterator[WorkResult]:
    """Run the steps in a fresh Python process and yield one result per request, in order.

    The child's stderr (the step log) passes through. When a work runs past `timeout`, or
    the child dies, that work's result is an error and the generator stops: the caller
    starts a new child for the works after it.
    """
    child = subprocess.Popen(
        [sys.executable, "-m", "generator.steps"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=_without_secrets(os.environ),
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True).start()
    try:
        child.stdin.write(json.dumps([request.to_dict() for request in requests]))
        child.stdin.close()
        for _ in requests:
            started = time.perf_counter()
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                yield WorkResult.failure(f"generation timed out after {timeout:g} s; the generator process was killed")
                return
            if line is None:
                code = child.wait()
                yield WorkResult.failure(f"the generator process exited with code {code} and no result")
                return
            result = WorkResult.from_dict(json.loads(line))
            result.seconds = round(time.perf_counter() - started, 3)
            yield result
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()


def _without_secrets(environ) -> dict[str, str]:
    """The environment for the generation child: it posts nothing, so it gets no credential
    (a crash dump or a model's log can then leak none)."""
    from core.secrets import SECRET_NAMES

    secret = {f"AURIA_{name.upper()}" for name in SECRET_NAMES} | {"CREDENTIALS_DIRECTORY"}
    # SECRET_NAMES holds the platforms' names once their declarations are read (the
    # application reads them first); any AURIA_ variable named like a credential goes too.
    return {key: value for key, value in environ.items()
            if key not in secret and not (key.startswith("AURIA_") and _CREDENTIAL_NAME.search(key))}


_CREDENTIAL_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|API_KEY|ACCESS_KEY|CREDENTIAL", re.IGNORECASE)


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        if line.strip():
            lines.put(line)
    lines.put(None)  # end of output: the child exited
