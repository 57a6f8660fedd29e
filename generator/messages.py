"""What crosses into the generation child process and back, and the steps' names.

The parent (generator/pipeline.py) writes a JSON list of ``WorkRequest.to_dict()`` to the
child's stdin; the child (generator/steps.py) answers one JSON line per request,
``WorkResult.to_dict()``, in order. Each side reads the other's with ``from_dict``, so the
fields either of them uses are named here, typed, once. The settings are those of the
configuration's sections that the steps read (nothing else of the configuration, and no
secret, crosses).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

STEPS = ("poet", "painter", "stylist", "finish")  # the order a work is made in


class _Settings:
    """A configuration section's fields the child reads, picked by name from the section."""

    @classmethod
    def of(cls, section):
        return cls(**{f.name: getattr(section, f.name) for f in fields(cls)})


@dataclass
class PoetSettings(_Settings):
    weights: str  # a weights folder, or "" for the shipped weights
    shape: str
    register: str
    candidates: int
    temperature: float
    top_p: float
    max_attempts: int

    @classmethod
    def of(cls, section):
        settings = super().of(section)
        settings.weights = str(section.weights) if section.weights else ""
        return settings


@dataclass
class GeneratorSettings(_Settings):
    painter: str  # "scene" or "diffusion"
    painter_model: str
    painter_steps: int
    painter_guidance: float
    device: str  # "auto", "cpu" or "cuda"


@dataclass
class PainterSettings(_Settings):
    medium: str


@dataclass
class StylistSettings(_Settings):
    mood: str
    strength: float
    method: str
    use_paintings: bool


@dataclass
class WorkRequest:
    """One work for the child to make, fresh from `seed` (painting `haiku` when given), or
    again from `from_step` with the earlier steps' records in `previous`."""

    data_dir: str  # where the artifacts go
    seed: int
    poet: PoetSettings
    generator: GeneratorSettings
    painter: PainterSettings
    stylist: StylistSettings
    haiku: list[str] | None = None
    from_step: str = STEPS[0]
    previous: dict[str, dict] | None = None  # step name -> its record, for a re-make
    known_keys: list[str] = field(default_factory=list)  # haiku the poet must not write again
    paintings: dict[str, list[dict]] = field(default_factory=dict)  # imported paintings by mood
    log_level: str = "info"
    log_format: str = "plain"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "WorkRequest":
        return cls(
            **{k: v for k, v in data.items() if k not in _SECTIONS},
            **{name: section(**data[name]) for name, section in _SECTIONS.items()},
        )


_SECTIONS = {"poet": PoetSettings, "generator": GeneratorSettings, "painter": PainterSettings,
             "stylist": StylistSettings}


@dataclass
class WorkResult:
    """What the child made of one request: the work, or why it failed (`error`)."""

    error: str | None = None
    haiku: list[str] = field(default_factory=list)
    steps: dict[str, dict] = field(default_factory=dict)  # step name -> its record, in STEPS order
    plan: dict = field(default_factory=dict)  # ScenePlan.to_dict()
    mood: str = ""
    medium: str = ""
    style: str = ""
    alt_text: str = ""
    image_sha256: str = ""
    image_path: str = ""
    seconds: float | None = None  # the parent's wall time for the work (not sent by the child)

    @classmethod
    def failure(cls, reason: str) -> "WorkResult":
        return cls(error=reason)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        if not self.ok:
            return {"error": self.error}
        return {k: v for k, v in asdict(self).items() if k != "error" and not (k == "seconds" and v is None)}

    @classmethod
    def from_dict(cls, data: dict) -> "WorkResult":
        return cls(**data)
