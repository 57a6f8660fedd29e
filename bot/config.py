"""Configuration: plain dataclasses loaded from one TOML file, validated key by key.

Where the file comes from, first match wins: the path given (``--config``), the
``AURIA_CONFIG`` environment variable, ``config/auria.toml`` in the current directory,
else built-in defaults (a fresh user needs no file). Every problem is a ``ConfigError``
that names the file, the dotted key and what is wrong. Secrets never go in this file:
see ``bot.secrets``.
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
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import AuriaError
from bot.secrets import SECRET_NAMES

DEFAULT_CONFIG_FILE = Path("config/auria.toml")
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("plain", "json")

# Key names that hold credentials; their values must never be in a config file.
_SECRET_KEY = re.compile(
    r"(^|[_-])(password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key"
    r"|private[_-]?key|credentials?|session[_-]?id|cookie)([_-]|$)",
    re.IGNORECASE,
)


class ConfigError(AuriaError):
    """The configuration file is missing, malformed or has a bad value."""


def default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec says relative values are invalid and must be ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "auria"
    return Path.home() / ".local" / "share" / "auria"


@dataclass
class PoetConfig:
    weights: Path | None = None  # None: the weights shipped in generator/poet/weights
    shape: str = "5-7-5"  # syllables per line, validated: 1..5 counts of 1..16 (the model's limit)
    register: str = "literary"  # the register the poet writes in: literary (the journals) or social
    candidates: int = 256  # sampled in one batch; the critic keeps the best
    temperature: float = 0.8
    top_p: float = 0.95
    max_attempts: int = 4  # batches of candidates before giving up, when filters reject all


POET_REGISTERS = ("literary", "social")
PAINTERS = ("scene", "diffusion")
DEVICES = ("auto", "cpu", "cuda")
STYLE_METHODS = ("network", "colour")
PLATFORMS = ("x", "instagram", "mastodon", "bluesky")
TEMPLATE_FIELDS = ("haiku", "signature", "hashtags")
DEFAULT_TEMPLATE = "{haiku}\n\n— {signature}\n\n{hashtags}"


@dataclass
class GeneratorConfig:
    painter: str = "scene"  # "scene" (the procedural composer) or "diffusion" (a local diffusers pipeline)
    painter_model: str = ""  # the diffusion painter's pipeline folder (absolute once loaded); never downloaded
    painter_steps: int = 4  # the diffusion painter's denoising steps: 1-4 for SD-Turbo, 25-50 for SD 1.5
    painter_guidance: float = 0.0  # its classifier-free guidance: 0 for SD-Turbo, ~7.5 for SD 1.5
    device: str = "auto"  # auto: CUDA for torch and onnxruntime when present, else CPU
    timeout: float = 300.0  # seconds for one work's generation; the child process is killed after


@dataclass
class PainterConfig:
    medium: str = "auto"  # "auto" (the mood's medium), "oil", "watercolour" or "sumi-e"


@dataclass
class StylistConfig:
    mood: str = "random"  # "random", "auto" (from the haiku's words) or a mood name
    strength: float = 1.0  # 0 keeps the painter's picture, 1 the full style
    method: str = "network"  # "network" (style transfer) or "colour" (Lab colour transfer)
    use_paintings: bool = True  # imported WikiArt paintings for the mood, when there are any


@dataclass
class PublishConfig:
    platforms: list[str] = field(default_factory=lambda: ["x", "instagram"])
    signature: str = "Auria"
    hashtags: list[str] = field(default_factory=lambda: ["haiku", "poetry", "aiart"])
    # Caption per platform; {haiku}, {signature}, {hashtags}. Platforms not named use DEFAULT_TEMPLATE.
    templates: dict[str, str] = field(default_factory=dict)
    mastodon_url: str = ""  # the instance, e.g. "https://mastodon.social"
    bluesky_handle: str = ""  # e.g. "auria.bsky.social"
    require_approval: bool = False  # each slot's work waits for `auria approve ID` before posting
    retry_first_minutes: float = 5.0  # a failed post's first retry; the wait doubles (±20% jitter)
    retry_max_hours: float = 6.0  # ... up to this
    retry_attempts: int = 8  # a post still failing after this many tries is marked failed


@dataclass
class ScheduleConfig:
    times: list[str] = field(default_factory=lambda: ["09:00"])  # daily, in `timezone`
    catch_up_hours: float = 6.0  # a slot missed by less than this is made once after downtime
    grace_hours: float = 2.0  # `auria status --check` calls a slot overdue when not posted by then


@dataclass
class GalleryConfig:
    host: str = "127.0.0.1"  # `auria serve` listens here (--host overrides)
    port: int = 8080  # ... and on this port (--port overrides)
    generate_per_hour: int = 6  # POST /api/generate: works made per hour at most, all callers together


@dataclass
class Config:
    data_dir: Path = field(default_factory=default_data_dir)
    timezone: str = "UTC"
    log_level: str = "info"
    log_format: str = "plain"
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


def as_dotted(config: Config) -> dict[str, object]:
    """Every key as it would be written in TOML: {"data_dir": "...", "poet.shape": "5-7-5", ...}."""
    out: dict[str, object] = {}
    tables = (("", config), ("poet.", config.poet), ("generator.", config.generator),
              ("painter.", config.painter), ("stylist.", config.stylist), ("publish.", config.publish), ("schedule.", config.schedule),
              ("gallery.", config.gallery))
    for prefix, obj in tables:
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.name == "source" or dataclasses.is_dataclass(value):
                continue
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
    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{where}: {key}: {problem}")

    _reject_secrets(data, "", fail)
    defaults = Config()
    _reject_unknown(data, defaults, "", fail)
    tables = {}
    for name in ("poet", "generator", "painter", "stylist", "publish", "schedule", "gallery"):
        tables[name] = data.get(name, {})
        if not isinstance(tables[name], dict):
            raise fail(name, f"must be a table ([{name}]), got {_show(tables[name])}")
        _reject_unknown(tables[name], getattr(defaults, name), name + ".", fail)
    poet_table = tables["poet"]

    def folder(key: str, value: object) -> Path:
        if not isinstance(value, str):
            raise fail(key, f"must be a string (a folder path), got {_show(value)}")
        p = Path(value).expanduser()
        # Relative to the config file, so the file means the same from any directory.
        return Path(os.path.normpath(path.parent.absolute() / p))

    def number(key: str, value: object, low: float, high: float) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or math.isnan(value) or not low < value <= high:
            raise fail(key, f"must be a number in ({low:g}, {high:g}], got {_show(value)}")
        return float(value)

    def whole(key: str, value: object, low: int, high: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            span = f">= {low}" if high is None else f"in [{low}, {high}]"
            raise fail(key, f"must be a whole number {span}, got {_show(value)}")
        return value

    def flag(key: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise fail(key, f"must be true or false, got {_show(value)}")
        return value

    def choice(key: str, value: object, choices: tuple[str, ...]) -> str:
        if value not in choices:
            names = ", ".join(f'"{c}"' for c in choices)
            raise fail(key, f"must be one of {names}, got {_show(value)}")
        return value

    config = Config(source=path)
    if "data_dir" in data:
        config.data_dir = folder("data_dir", data["data_dir"])
    if "timezone" in data:
        tz = data["timezone"]
        if not isinstance(tz, str) or not _is_time_zone(tz):
            problem = f'must be an IANA time zone name like "Europe/Berlin", got {_show(tz)}'
            raise fail("timezone", problem)
        config.timezone = tz
    if "log_level" in data:
        config.log_level = choice("log_level", data["log_level"], LOG_LEVELS)
    if "log_format" in data:
        config.log_format = choice("log_format", data["log_format"], LOG_FORMATS)

    poet = config.poet
    if poet_table.get("weights", "") != "":
        poet.weights = folder("poet.weights", poet_table["weights"])
    if "shape" in poet_table:
        shape = poet_table["shape"]
        parts = shape.split("-") if isinstance(shape, str) else []
        if not (1 <= len(parts) <= 5 and all(_count_ok(p) for p in parts)):
            raise fail(
                "poet.shape",
                f'must be 1 to 5 syllable counts from 1 to 16 joined by "-", like "5-7-5", '
                f"got {_show(shape)}",
            )
        poet.shape = "-".join(str(int(p)) for p in parts)
    if "temperature" in poet_table:
        poet.temperature = number("poet.temperature", poet_table["temperature"], 0, 2)
    if "top_p" in poet_table:
        poet.top_p = number("poet.top_p", poet_table["top_p"], 0, 1)
    if "max_attempts" in poet_table:
        poet.max_attempts = whole("poet.max_attempts", poet_table["max_attempts"], 1, 100)
    if "register" in poet_table:
        poet.register = choice("poet.register", poet_table["register"], POET_REGISTERS)
    if "candidates" in poet_table:
        poet.candidates = whole("poet.candidates", poet_table["candidates"], 1, 4096)

    generator, table = config.generator, tables["generator"]
    if "painter" in table:
        generator.painter = choice("generator.painter", table["painter"], PAINTERS)
    if table.get("painter_model", "") != "":
        generator.painter_model = str(folder("generator.painter_model", table["painter_model"]))
    if "painter_steps" in table:
        generator.painter_steps = whole("generator.painter_steps", table["painter_steps"], 1, 100)
    if "painter_guidance" in table:
        value = table["painter_guidance"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 30:
            raise fail("generator.painter_guidance", f"must be a number in [0, 30], got {_show(value)}")
        generator.painter_guidance = float(value)
    if generator.painter == "diffusion" and not generator.painter_model:
        raise fail("generator.painter_model", 'must name a local diffusers pipeline folder (e.g. SD-Turbo) '
                                              'when generator.painter is "diffusion"; Auria never downloads one')
    if "device" in table:
        generator.device = choice("generator.device", table["device"], DEVICES)
    if "timeout" in table:
        generator.timeout = number("generator.timeout", table["timeout"], 0, 86400)

    if "medium" in tables["painter"]:
        from generator.painter.media import MEDIUM_SETTINGS  # the media live with the painter

        config.painter.medium = choice("painter.medium", tables["painter"]["medium"], MEDIUM_SETTINGS)

    stylist, table = config.stylist, tables["stylist"]
    if "mood" in table:
        from generator.stylist.moods import MOODS  # the mood names live with the stylist

        stylist.mood = choice("stylist.mood", table["mood"], ("random", "auto", *MOODS))
    if "strength" in table:
        value = table["strength"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise fail("stylist.strength", f"must be a number in [0, 1], got {_show(value)}")
        stylist.strength = float(value)
    if "method" in table:
        stylist.method = choice("stylist.method", table["method"], STYLE_METHODS)
    if "use_paintings" in table:
        stylist.use_paintings = flag("stylist.use_paintings", table["use_paintings"])

    publish, table = config.publish, tables["publish"]
    if "platforms" in table:
        platforms = table["platforms"]
        if not isinstance(platforms, list) or any(p not in PLATFORMS for p in platforms):
            names = ", ".join(f'"{p}"' for p in PLATFORMS)
            raise fail("publish.platforms", f"must be a list of {names}, got {_show(platforms)}")
        publish.platforms = list(dict.fromkeys(platforms))
    if "signature" in table:
        if not isinstance(table["signature"], str) or len(table["signature"]) > 100:
            raise fail("publish.signature", f"must be a string of at most 100 characters, got {_show(table['signature'])}")
        publish.signature = table["signature"].strip()
    if "hashtags" in table:
        tags = table["hashtags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) and re.fullmatch(r"#?\w{1,50}", t) for t in tags):
            raise fail("publish.hashtags", f"must be a list of words like \"haiku\" (no spaces), got {_show(tags)}")
        publish.hashtags = [t.lstrip("#") for t in tags]
    if "templates" in table:
        templates = table["templates"]
        if not isinstance(templates, dict):
            raise fail("publish.templates", f"must be a table of platform = template, got {_show(templates)}")
        for platform, template in templates.items():
            key = f"publish.templates.{platform}"
            if platform not in PLATFORMS:
                raise fail(key, f"unknown platform (one of {', '.join(PLATFORMS)})")
            fields = _template_fields(template)
            if fields is None or "haiku" not in fields or any(f not in TEMPLATE_FIELDS for f in fields):
                raise fail(key, f"must be text with {{haiku}} and optionally {{signature}}, {{hashtags}} "
                                f"(no other braces; {{{{ and }}}} for literal ones), got {_show(template)}")
        publish.templates = dict(templates)
    for key in ("mastodon_url", "bluesky_handle"):
        if key in table:
            value = table[key]
            if not isinstance(value, str):
                raise fail(f"publish.{key}", f"must be a string, got {_show(value)}")
            if key == "mastodon_url" and value and not re.fullmatch(r"https://[\w.-]+(:\d+)?/?", value):
                raise fail("publish.mastodon_url", f'must be the instance address like "https://mastodon.social", got {_show(value)}')
            setattr(publish, key, value.rstrip("/"))
    if "require_approval" in table:
        publish.require_approval = flag("publish.require_approval", table["require_approval"])
    if "retry_first_minutes" in table:
        publish.retry_first_minutes = number("publish.retry_first_minutes", table["retry_first_minutes"], 0, 1440)
    if "retry_max_hours" in table:
        publish.retry_max_hours = number("publish.retry_max_hours", table["retry_max_hours"], 0, 168)
    if "retry_attempts" in table:
        publish.retry_attempts = whole("publish.retry_attempts", table["retry_attempts"], 1, 100)

    schedule, table = config.schedule, tables["schedule"]
    if "times" in table:
        times = table["times"]
        if not isinstance(times, list) or not times or not all(
            isinstance(t, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t) for t in times
        ):
            raise fail("schedule.times", f'must be a list of "HH:MM" times like ["09:00"], got {_show(times)}')
        schedule.times = sorted(set(times))
    if "catch_up_hours" in table:
        value = table["catch_up_hours"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 168:
            raise fail("schedule.catch_up_hours", f"must be a number of hours in [0, 168], got {_show(value)}")
        schedule.catch_up_hours = float(value)
    if "grace_hours" in table:
        schedule.grace_hours = number("schedule.grace_hours", table["grace_hours"], 0, 48)

    gallery, table = config.gallery, tables["gallery"]
    if "host" in table:
        if not isinstance(table["host"], str) or not table["host"]:
            raise fail("gallery.host", f'must be an address to listen on like "127.0.0.1", got {_show(table["host"])}')
        gallery.host = table["host"]
    if "port" in table:
        gallery.port = whole("gallery.port", table["port"], 1, 65535)
    if "generate_per_hour" in table:
        gallery.generate_per_hour = whole("gallery.generate_per_hour", table["generate_per_hour"], 0, 3600)
    return config


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


def _reject_unknown(table: dict, defaults: object, prefix: str, fail) -> None:
    known = [f.name for f in dataclasses.fields(defaults) if f.name != "source"]
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f'did you mean "{close[0]}"?' if close else "known keys: " + ", ".join(known)
            raise fail(prefix + key, f"unknown key ({hint})")


def _count_ok(text: str) -> bool:
    return text.isascii() and text.isdigit() and 1 <= int(text) <= 16


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


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
