"""The documentation is tied to the code: every command the CLI defines and every key the
configuration accepts is in the README (and every key in config/auria.example.toml), and
every third-party package the product imports is declared in pyproject.toml.

The commands and keys are walked from the argparse parser and from the Config
declaration, then looked for in the docs, so a new command or key fails here until it is
documented."""
import argparse
import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import Config, keys, sections

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = (ROOT / "config" / "auria.example.toml").read_text(encoding="utf-8")
PRODUCT = ("core", "bot", "generator", "publishers", "state")


def commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every command a user types, as "poet write": the leaves of the parser's subcommands."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += commands(sub, f"{prefix}{name} ") or [prefix + name]
    return found


def config_keys() -> list[tuple[str, str]]:
    """(section, key) for every key Config accepts; section "" for the top level."""
    return [(prefix.rstrip("."), f.name) for prefix, section in sections(Config()) for f in keys(section)]


def readme_part(title: str) -> str:
    """The README's "## title" part, up to the next part."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README + "\n## ", re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no '## {title}' part"
    return match.group(1)


def test_the_parser_is_walked():
    found = commands(build_parser())
    assert {"run", "status", "poet write", "config check", "gallery export"} <= set(found)
    assert "poet" not in found, "a group is documented through its commands"


@pytest.mark.parametrize("command", commands(build_parser()))
def test_every_command_is_in_the_readme(command):
    assert re.search(rf"\bauria {re.escape(command)}\b", README), f"README.md never shows `auria {command}`"


def test_every_config_key_is_in_the_readme():
    """The Configuration part names every top-level key and, in the list after `[section]`,
    every key of each section; a section key written out dotted elsewhere counts too."""
    part = readme_part("Configuration")
    missing = []
    for section, name in config_keys():
        if not section:
            found = re.search(rf"\b{name}\b", part)
        else:
            listed = re.search(rf"`\[{section}\]` \(([^)]*)\)", part)
            found = (listed and re.search(rf"\b{name}\b", listed.group(1))) or f"{section}.{name}" in README
        if not found:
            missing.append(f"{section}.{name}".lstrip("."))
    sections_named = [prefix.rstrip(".") for prefix, _ in sections(Config()) if prefix]
    missing += [f"[{s}]" for s in sections_named if f"`[{s}]`" not in part]
    assert not missing, f"README.md's Configuration part does not name: {', '.join(missing)}"


def test_every_config_key_is_in_the_example():
    """Each key is written (or commented out, `# key = ...`) under its [section] header."""
    documented, section = set(), ""
    for line in EXAMPLE.splitlines():
        if header := re.match(r"^\[(\w+)\]\s*$", line):
            section = header.group(1)
            documented.add((section, ""))
        elif written := re.match(r"^#?\s*(\w+)\s*=", line):
            documented.add((section, written.group(1)))
    wanted = set(config_keys()) | {(prefix.rstrip("."), "") for prefix, _ in sections(Config()) if prefix}
    missing = sorted(f"{s}.{k}".strip(".") for s, k in wanted - documented)
    assert not missing, f"config/auria.example.toml does not document: {', '.join(missing)}"


# Imports: every third-party package the product imports is declared.

# Import names that are not their distribution's name (compared after PEP 503 normalising).
DISTRIBUTIONS = {
    "PIL": "pillow", "skia": "skia-python", "yaml": "pyyaml", "mastodon": "Mastodon.py",
    "atproto_client": "atproto", "atproto_core": "atproto", "atproto_server": "atproto",
    "twitter_text": "twitter-text-parser",
}
# Extras that are not the product's: what they declare serves the tests only.
NOT_PRODUCT_EXTRAS = {"test"}


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_packages() -> dict[str, str]:
    """Top-level third-party import name -> the first file importing it, over the product's code."""
    found = {}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PRODUCT:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra, listed in project.get("optional-dependencies", {}).items():
        if extra not in NOT_PRODUCT_EXTRAS:
            requirements += listed
    return {normal(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r.strip()).group(0)) for r in requirements}


def test_every_imported_package_is_declared():
    declared = declared_distributions()
    undeclared = [f"{name} ({where}: distribution {DISTRIBUTIONS.get(name, name)})"
                  for name, where in sorted(imported_packages().items())
                  if normal(DISTRIBUTIONS.get(name, name)) not in declared]
    assert not undeclared, "imported but not declared in pyproject.toml: " + "; ".join(undeclared)


def test_the_import_names_map_to_the_installed_distributions():
    """The map above agrees with the installed packages' metadata, where they are installed."""
    installed = metadata.packages_distributions()
    for name in imported_packages():
        if name in installed:
            assert normal(DISTRIBUTIONS.get(name, name)) in {normal(d) for d in installed[name]}, name
