"""The packages import in one direction only.

    bot                      CLI, daemon, gallery: the application on top
    generator | publishers   side by side: neither imports the other
    state                    the store
    core                     errors, fault points, secrets, logging: the ground

A module may import its own package and any package below it, never one above or beside it.
Every import is checked, top-level and inside functions (lazy imports included), by walking
each module's syntax tree with `ast`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What each layer may import besides itself.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "state": {"core"},
    "generator": {"core", "state"},
    "publishers": {"core", "state"},
    "bot": {"core", "state", "generator", "publishers"},
}
LAYERS = set(ALLOWED)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The absolute module names one import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level == 0:
            return [node.module or ""]
        base = module.split(".")
        if not is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
        return [".".join(base + ([node.module] if node.module else []))]
    return []


def upward_imports() -> list[str]:
    offences: list[str] = []
    for layer in sorted(LAYERS):
        for path in sorted((ROOT / layer).rglob("*.py")):
            module = _module_name(path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                for name in _imported(node, module, path.name == "__init__.py"):
                    top = name.split(".")[0]
                    if top in LAYERS and top != layer and top not in ALLOWED[layer]:
                        rel = path.relative_to(ROOT)
                        offences.append(f"{rel}:{node.lineno}: {layer} imports {name}")
    return offences


def test_every_layer_exists():
    for layer in LAYERS:
        assert (ROOT / layer / "__init__.py").is_file(), layer


def test_no_upward_or_sideways_imports():
    offences = upward_imports()
    assert not offences, "imports against the layer order:\n" + "\n".join(offences)


def test_the_checker_sees_lazy_and_relative_imports(tmp_path):
    source = "def f():\n    from bot.errors import X\n"
    tree = ast.parse(source)
    names = [n for node in ast.walk(tree) for n in _imported(node, "state.store", False)]
    assert names == ["bot.errors"]
    tree = ast.parse("from ..painter import plan\n")
    names = [n for node in ast.walk(tree) for n in _imported(node, "generator.poet.cli", False)]
    assert names == ["generator.painter"]


def test_the_application_config_is_what_publishers_take():
    """The adapters are typed with publishers.settings.Settings; bot's Config fits it."""
    from bot.config import Config
    from publishers.settings import PublishSettings, Settings

    config = Config()
    assert isinstance(config, Settings)
    assert isinstance(config.publish, PublishSettings)


if __name__ == "__main__":  # python tests/test_layers.py: list the offences
    found = upward_imports()
    print("\n".join(found))
    print(f"{len(found)} upward imports")
