"""Configuration: plain dataclasses loaded from one TOML file, validated key by key.

Where the file comes from, first match wins: the path given (``--config``), the
``AURIA_CONFIG`` environment variable, ``config/auria.toml`` in the current directory,
else built-in defaults (a fresh user needs no file). Every problem is a ``ConfigError``
that names the file, the dotted key and what is wrong. Secrets never go in this file:
see ``core.secrets``.

Each key is a dataclass field that declares its default and its rule together,
``temperature: float = key(0.8, number(0, 2))``; ``_parse`` runs every rule in one loop.
A rule gets the value as TOML gave it and the config file's folder (relative paths start
there) and returns the value to keep, or raises ``Invalid`` with the problem. A section
adds the rules that span its keys in ``check_across_keys``.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
import math
import os
import re
import string
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publishers import platforms as declared_platforms

from core.errors import AuriaError
from core.secrets import SECRET_NAMES
from generator.poet.shape import MAX_LINES, MAX_SYLLABLES, shape_counts, within_limits

DEFAULT_CONFIG_FILE = Path("config/auria.toml")
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("plain", "json")
POET_REGISTERS = ("literary", "social")
PAINTERS = ("scene", "diffusion")
DEVICES = ("auto", "cpu", "cuda")
STYLE_METHODS = ("network", "colour")

def platform_names() -> tuple[str, ...]:
    """The platforms there are: their declarations' (publishers/platforms/)."""
    return declared_platforms.names()

TEMPLATE_FIELDS = ("haiku", "signature", "hashtags")
DEFAULT_TEMPLATE = "{haiku}\n\n— {signature}\n\n{hashtags}"

# Key names that hold credentials; their values must never be in a config file.
_SECRET_KEY = re.compile(
    r"(^|[_-])(password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key"
    r"|private[_-]?key|credentials?|session[_-]?id|cookie)([_-]|$)",
    re.IGNORECASE,
)


class ConfigError(AuriaError):
    """The configuration file is missing, malformed or has a bad value."""


class Invalid(Exception):
    """A value breaks its rule. `key` names another key of the section, or one inside the
    value ("templates.x"), when the problem is there rather than at the key checked."""

    def __init__(self, problem: str, key: str = ""):
        super().__init__(problem)
        self.problem, self.key = problem, key


Rule = Callable[[object, Path], object]


def key(default: object, rule: Rule) -> Any:
    """A config key: its default (or a function that makes it, for lists) and its rule."""
    if callable(default):
        return field(default_factory=default, metadata={"rule": rule})
    return field(default=default, metadata={"rule": rule})


class Section:
    """A TOML table of keys ([poet], [publish], ...); the file's top level is one too."""

    def check_across_keys(self) -> None:
        """Rules that span keys, run once each key has passed its own."""


# Rules for kinds of value.


def folder(value: object, base: Path) -> Path:
    if not isinstance(value, str):
        raise Invalid(f"must be a string (a folder path), got {_show(value)}")
    # Relative to the config file, so the file means the same from any directory.
    return Path(os.path.normpath(base / Path(value).expanduser()))


def optional_folder(empty: object = None, kind: type = Path) -> Rule:
    """A folder, or "" for none (kept as `empty`)."""
    return lambda value, base: empty if value == "" else kind(folder(value, base))


def number(low: float, high: float, *, low_in: bool = False, of: str = "") -> Rule:
    """A number in (low, high], or in [low, high] with low_in; `of` names its unit."""
    span = f"{'[' if low_in else '('}{low:g}, {high:g}]"
    what = f"a number of {of}" if of else "a number"

    def check(value: object, base: Path) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)
        if not ok or not (low <= value if low_in else low < value) or not value <= high:
            raise Invalid(f"must be {what} in {span}, got {_show(value)}")
        return float(value)

    return check


def whole(low: int, high: int) -> Rule:
    def check(value: object, base: Path) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(f"must be a whole number in [{low}, {high}], got {_show(value)}")
        return value

    return check


def flag(value: object, base: Path) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false, got {_show(value)}")
    return value


def one_of(choices: tuple[str, ...] | Callable[[], tuple[str, ...]]) -> Rule:
    """One of the choices; a function gives them when they live in a module that is
    imported only when the key is set."""

    def check(value: object, base: Path) -> str:
        names = tuple(choices() if callable(choices) else choices)
        if value not in names:
            quoted = ", ".join(f'"{c}"' for c in names)
            raise Invalid(f"must be one of {quoted}, got {_show(value)}")
        return value

    return check


def unslashed_text(value: object, base: Path) -> str:
    """A string, kept without a trailing "/"."""
    if not isinstance(value, str):
        raise Invalid(f"must be a string, got {_show(value)}")
    return value.rstrip("/")


# Rules of one key each.


def time_zone(value: object, base: Path) -> str:
    if not isinstance(value, str) or not _is_time_zone(value):
        raise Invalid(f'must be an IANA time zone name like "Europe/Berlin", got {_show(value)}')
    return value


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def poet_shape(value: object, base: Path) -> str:
    shape = shape_counts(value)
    if shape is None or not within_limits(shape):
        raise Invalid(f"must be 1 to {MAX_LINES} syllable counts from 1 to {MAX_SYLLABLES} "
                      f'joined by "-", like "5-7-5", got {_show(value)}')
    return "-".join(map(str, shape))


def _media_names() -> tuple[str, ...]:
    from generator.painter.media import MEDIUM_SETTINGS  # the media live with the painter

    return MEDIUM_SETTINGS


def _mood_names() -> tuple[str, ...]:
    from generator.stylist.moods import MOODS  # the mood names live with the stylist

    return ("random", "auto", *MOODS)


def platform_list(value: object, base: Path) -> list[str]:
    if not isinstance(value, list) or any(p not in platform_names() for p in value):
        names = ", ".join(f'"{p}"' for p in platform_names())
        raise Invalid(f"must be a list of {names}, got {_show(value)}")
    return list(dict.fromkeys(value))


def signature_text(value: object, base: Path) -> str:
    if not isinstance(value, str) or len(value) > 100:
        raise Invalid(f"must be a string of at most 100 characters, got {_show(value)}")
    return value.strip()


def hashtag_list(value: object, base: Path) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) and re.fullmatch(r"#?\w{1,50}", t) for t in value):
        raise Invalid(f'must be a list of words like "haiku" (no spaces), got {_show(value)}')
    return [t.lstrip("#") for t in value]


def caption_templates(value: object, base: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise Invalid(f"must be a table of platform = template, got {_show(value)}")
    for platform, template in value.items():
        if platform not in platform_names():
            raise Invalid(f"unknown platform (one of {', '.join(platform_names())})", f"templates.{platform}")
        fields = _template_fields(template)
        if fields is None or "haiku" not in fields or any(f not in TEMPLATE_FIELDS for f in fields):
            raise Invalid(f"must be text with {{haiku}} and optionally {{signature}}, {{hashtags}} "
                          f"(no other braces; {{{{ and }}}} for literal ones), got {_show(template)}",
                          f"templates.{platform}")
    return dict(value)


def instance_address(value: object, base: Path) -> str:
    address = unslashed_text(value, base)
    if value and not re.fullmatch(r"https://[\w.-]+(:\d+)?/?", value):
        raise Invalid(f'must be the instance address like "https://mastodon.social", got {_show(value)}')
    return address


def slot_times(value: object, base: Path) -> list[str]:
    if not isinstance(value, list) or not value or not all(
        isinstance(t, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t) for t in value
    ):
        raise Invalid(f'must be a list of "HH:MM" times like ["09:00"], got {_show(value)}')
    return sorted(set(value))


def listen_address(value: object, base: Path) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid(f'must be an address to listen on like "127.0.0.1", got {_show(value)}')
    return value


def default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec says relative values are invalid and must be ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "auria"
    return Path.home() / ".local" / "share" / "auria"


# The sections and their keys.


@dataclass
class PoetConfig(Section):
    weights: Path | None = key(None, optional_folder())  # None: the weights shipped in generator/poet/weights
    shape: str = key("5-7-5", poet_shape)  # syllables per line: 1..5 counts of 1..16 (the model's limit)
    register: str = key("literary", one_of(POET_REGISTERS))  # literary (the journals) or social
    candidates: int = key(256, whole(1, 4096))  # sampled in one batch; the critic keeps the best
    temperature: float = key(0.8, number(0, 2))
    top_p: float = key(0.95, number(0, 1))
    max_attempts: int = key(4, whole(1, 100))  # batches of candidates before giving up, when filters reject all


@dataclass
class GeneratorConfig(Section):
    painter: str = key("scene", one_of(PAINTERS))  # "scene" (the procedural composer) or "diffusion"
    # The diffusion painter's pipeline folder (absolute once loaded); never downloaded.
    painter_model: str = key("", optional_folder("", str))
    painter_steps: int = key(4, whole(1, 100))  # denoising steps: 1-4 for SD-Turbo, 25-50 for SD 1.5
    painter_guidance: float = key(0.0, number(0, 30, low_in=True))  # 0 for SD-Turbo, ~7.5 for SD 1.5
    device: str = key("auto", one_of(DEVICES))  # auto: CUDA for torch and onnxruntime when present, else CPU
    timeout: float = key(300.0, number(0, 86400))  # seconds for one work's generation; then the child is killed

    def check_across_keys(self) -> None:
        if self.painter == "diffusion" and not self.painter_model:
            raise Invalid('must name a local diffusers pipeline folder (e.g. SD-Turbo) when generator.painter '
                          'is "diffusion"; Auria never downloads one', "painter_model")


@dataclass
class PainterConfig(Section):
    medium: str = key("auto", one_of(_media_names))  # "auto" (the mood's medium), "oil", "watercolour" or "sumi-e"


@dataclass
class StylistConfig(Section):
    mood: str = key("random", one_of(_mood_names))  # "random", "auto" (from the haiku's words) or a mood name
    strength: float = key(1.0, number(0, 1, low_in=True))  # 0 keeps the painter's picture, 1 the full style
    method: str = key("network", one_of(STYLE_METHODS))  # "network" (style transfer) or "colour" (Lab)
    use_paintings: bool = key(True, flag)  # imported WikiArt paintings for the mood, when there are any


# The rules for the kinds of key a platform declares (Platform.config_keys).
PLATFORM_KEY_RULES: dict[str, Rule] = {"instance_url": instance_address, "text": unslashed_text}


def with_platform_keys(after: str):
    """Make a section a dataclass with every platform's own keys (its declaration's
    config_keys, each "" by default) inserted after the key `after`."""

    def build(cls):
        annotations, own = {}, cls.__dict__.get("__annotations__", {})
        for name, kind in own.items():
            annotations[name] = kind
            if name == after:
                for platform in declared_platforms.all_platforms():
                    for key_name, rule in platform.config_keys.items():
                        if key_name in own or key_name in annotations:
                            raise ValueError(f"platform {platform.name}: [publish] {key_name} is declared twice")
                        annotations[key_name] = "str"
                        setattr(cls, key_name, key("", PLATFORM_KEY_RULES[rule]))
        cls.__annotations__ = annotations
        return dataclass(cls)

    return build


@with_platform_keys(after="templates")
class PublishConfig(Section):
    platforms: list[str] = key(lambda: [p.name for p in declared_platforms.all_platforms() if p.on_by_default],
                                 platform_list)
    signature: str = key("Auria", signature_text)
    hashtags: list[str] = key(lambda: ["haiku", "poetry", "aiart"], hashtag_list)
    # Caption per platform; {haiku}, {signature}, {hashtags}. Platforms not named use DEFAULT_TEMPLATE.
    templates: dict[str, str] = key(dict, caption_templates)
    # Here come the platforms' own keys (mastodon_url, bluesky_handle, ...): see with_platform_keys.
    require_approval: bool = key(False, flag)  # each slot's work waits for `auria approve ID` before posting
    retry_first_minutes: float = key(5.0, number(0, 1440))  # a failed post's first retry; the wait doubles (±20%)
    retry_max_hours: float = key(6.0, number(0, 168))  # ... up to this
    retry_attempts: int = key(8, whole(1, 100))  # a post still failing after this many tries is marked failed


@dataclass
class ScheduleConfig(Section):
    times: list[str] = key(lambda: ["09:00"], slot_times)  # daily, in `timezone`
    # A slot missed by less than this is made once after downtime.
    catch_up_hours: float = key(6.0, number(0, 168, low_in=True, of="hours"))
    grace_hours: float = key(2.0, number(0, 48))  # `auria status --check` calls a slot overdue when not posted by then


@dataclass
class GalleryConfig(Section):
    host: str = key("127.0.0.1", listen_address)  # `auria serve` listens here (--host overrides)
    port: int = key(8080, whole(1, 65535))  # ... and on this port (--port overrides)
    generate_per_hour: int = key(6, whole(0, 3600))  # POST /api/generate: works an hour at most, all callers


@dataclass
class Config(Section):
    data_dir: Path = key(default_data_dir, folder)
    timezone: str = key("UTC", time_zone)
    log_level: str = key("info", one_of(LOG_LEVELS))
    log_format: str = key("plain", one_of(LOG_FORMATS))
    poet: PoetConfig = field(default_factory=PoetConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    painter: PainterConfig = field(default_factory=PainterConfig)
    stylist: StylistConfig = field(default_factory=StylistConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    gallery: GalleryConfig = field(default_factory=GalleryConfig)
    # Not a key: the file this was loaded from, None for built-in defaults.
    source: Path | None = field(default=None, compare=False)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "auria.db"


def load_config(path: str | Path | None = None) -> Config:
    """Find, read and validate the configuration (see the module docstring for the order)."""
    if path is not None:
        return _load_file(Path(path), "")
    if os.environ.get("AURIA_CONFIG"):
        return _load_file(Path(os.environ["AURIA_CONFIG"]), " (from AURIA_CONFIG)")
    if DEFAULT_CONFIG_FILE.is_file():
        return _load_file(DEFAULT_CONFIG_FILE, "")
    return Config()


def sections(config: Config) -> list[tuple[str, Section]]:
    """The top level and every table, with their keys' dotted prefix: [("", config), ("poet.", config.poet), ...]."""
    tables = [(f.name + ".", getattr(config, f.name)) for f in dataclasses.fields(config)
              if isinstance(getattr(config, f.name), Section)]
    return [("", config), *tables]


def keys(section: Section) -> list[dataclasses.Field]:
    """The fields of a section that are keys (each with its rule), in the order declared."""
    return [f for f in dataclasses.fields(section) if "rule" in f.metadata]


def as_dotted(config: Config) -> dict[str, object]:
    """Every key as it would be written in TOML: {"data_dir": "...", "poet.shape": "5-7-5", ...}."""
    out: dict[str, object] = {}
    for prefix, section in sections(config):
        for f in keys(section):
            value = getattr(section, f.name)
            if isinstance(value, Path):
                value = str(value)
            elif value is None:
                value = ""
            out[prefix + f.name] = value
    return out


def _template_fields(template: object) -> list[str] | None:
    """The fields a caption template names, as str.format will read it; None when format
    would fail on it or reach past a plain field (attribute or index access, a conversion,
    a format spec): the template is checked here, not when a post is already being sent."""
    if not isinstance(template, str):
        return None
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:  # an unmatched brace
        return None
    fields = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            return None
        fields.append(name)
    return fields


def _load_file(path: Path, origin: str) -> Config:
    where = f"{path}{origin}"
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{where}: is a folder, not a TOML file") from None
    except OSError as e:
        raise ConfigError(f"{where}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        # tomllib's messages name the line and column, never the value.
        raise ConfigError(f"{where}: invalid TOML: {e}") from None
    return _parse(data, path, where)


def _parse(data: dict, path: Path, where: str) -> Config:
    """Secrets first, then unknown keys and tables, then each key's rule, in the order declared."""

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{where}: {key}: {problem}")

    _reject_secrets(data, "", fail)
    config = Config(source=path)
    tables = _tables(data, config, fail)
    base = path.parent.absolute()
    for prefix, section in sections(config):
        table = tables[prefix]
        for f in keys(section):
            try:
                if f.name in table:
                    setattr(section, f.name, f.metadata["rule"](table[f.name], base))
            except Invalid as e:
                raise fail(prefix + (e.key or f.name), e.problem) from None
        try:
            section.check_across_keys()
        except Invalid as e:
            raise fail(prefix + e.key, e.problem) from None
    return config


def _tables(data: dict, config: Config, fail) -> dict[str, dict]:
    """The file's tables by prefix ("" for the top level), once each is a table of known keys."""
    tables = {}
    for prefix, section in sections(config):
        name = prefix.rstrip(".")
        table = data.get(name, {}) if name else data
        if not isinstance(table, dict):
            raise fail(name, f"must be a table ([{name}]), got {_show(table)}")
        _reject_unknown(table, section, prefix, fail)
        tables[prefix] = table
    return tables


def _reject_secrets(table: dict, prefix: str, fail) -> None:
    for key, value in table.items():
        dotted = prefix + key
        if _SECRET_KEY.search(key):
            name = dotted.replace(".", "_").lower()
            hint = (
                f"set AURIA_{name.upper()} or the file $CREDENTIALS_DIRECTORY/{name}"
                if name in SECRET_NAMES
                else "use an environment variable AURIA_<NAME> or a file in $CREDENTIALS_DIRECTORY"
            )
            raise fail(dotted, f"looks like a secret; secrets never go in the config file: {hint}")
        if isinstance(value, dict):
            _reject_secrets(value, dotted + ".", fail)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _reject_secrets(item, dotted + ".", fail)


def _reject_unknown(table: dict, section: Section, prefix: str, fail) -> None:
    known = [f.name for f in dataclasses.fields(section) if f.name != "source"]
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f'did you mean "{close[0]}"?' if close else "known keys: " + ", ".join(known)
            raise fail(prefix + key, f"unknown key ({hint})")


def _show(value: object) -> str:
    """A value as it reads in TOML, for error messages."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)
