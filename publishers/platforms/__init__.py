"""The platforms: one declaration module each in this package (``PLATFORM = Platform(...)``),
found by listing the package, so adding a platform is adding its module here and its adapter.

Reading the declarations also tells ``core.secrets`` the platforms' secret names.
"""
from __future__ import annotations

import pkgutil
import threading
from importlib import import_module

from core.secrets import declare_secrets
from publishers.platform import Platform

_lock = threading.Lock()
_declared: tuple[Platform, ...] | None = None


def all_platforms() -> tuple[Platform, ...]:
    """Every declared platform, in their positions' order."""
    global _declared
    with _lock:
        if _declared is None:
            found = []
            for info in pkgutil.iter_modules(__path__):
                platform = getattr(import_module(f"{__name__}.{info.name}"), "PLATFORM", None)
                if isinstance(platform, Platform):
                    found.append(platform)
            found.sort(key=lambda p: (p.position, p.name))
            names = [p.name for p in found]
            if len(set(names)) != len(names):
                raise ValueError(f"a platform is declared twice: {names}")
            for platform in found:
                declare_secrets(platform.secrets, public=platform.public_secrets)
            _declared = tuple(found)
        return _declared


def rediscover() -> tuple[Platform, ...]:
    """Read the declarations again (a test that adds a folder to this package's path)."""
    global _declared
    with _lock:
        _declared = None
    return all_platforms()


def names() -> tuple[str, ...]:
    return tuple(p.name for p in all_platforms())


def get(name: str) -> Platform | None:
    return next((p for p in all_platforms() if p.name == name), None)


def secret_names() -> tuple[str, ...]:
    """Every platform's secret names, in the platforms' order."""
    return tuple(s for p in all_platforms() for s in p.secrets)


def settings_of(publish) -> dict:
    """Every platform's own [publish] keys (config_keys) and their values in `publish`."""
    return {key: getattr(publish, key, "") for p in all_platforms() for key in p.config_keys}


def adapter_class(name: str):
    """The platform's Publisher class (importing its module, and so its client library)."""
    module, _, cls = get(name).adapter.partition(":")
    return getattr(import_module(module), cls)


all_platforms()
