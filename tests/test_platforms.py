"""A platform is declared once (publishers/platforms/NAME.py): a fifth one is its declaration
module and its adapter, and config, secrets, captions, registry, gallery and dry run know it."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from publishers import platforms

ROOT = Path(__file__).resolve().parent.parent

DECLARATION = '''
from publishers.platform import Platform

PLATFORM = Platform(
    name="pixelfed", title="Pixelfed", adapter="pixelfed_adapter:PixelfedPublisher", position=5,
    caption_limit=40, secrets=("pixelfed_access_token",), config_keys={"pixelfed_url": "instance_url"},
)
'''

ADAPTER = '''
from publishers.base import Publisher, PublishResult
from publishers.platforms.pixelfed import PLATFORM


class PixelfedPublisher(Publisher):
    platform = PLATFORM
    name = PLATFORM.name

    def __init__(self, config):
        self.config = config

    def validate(self): ...
    def check(self): return "me"
    def publish(self, post): return PublishResult("1", "https://pixelfed.example/p/1")
    def find_existing(self, post): return None

    @classmethod
    def plan_requests(cls, text, alt, image_name, publish):
        return {"1_post": {"url": publish["pixelfed_url"] + "/api/post", "text": text, "alt": alt}}
'''

CHECK = '''
import json, sys
from pathlib import Path
import publishers.platforms
publishers.platforms.__path__.append(sys.argv[1])
sys.path.insert(0, sys.argv[2])
publishers.platforms.rediscover()

from PIL import Image
from bot.config import load_config
from bot.gallery.pages import platform_names
from core.secrets import SECRET_NAMES, get_secret
from publishers.captions import LIMITS, caption, length
from publishers.dryrun import write_dry_run
from publishers.registry import make_publisher

config = load_config(sys.argv[3])
publish = config.publish
lines = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]
text = caption("pixelfed", lines, "Auria", ["haiku"])
out = Path(sys.argv[4])
image = out.parent / "i.jpg"
Image.new("RGB", (8, 8)).save(image)
work = {"id": 7, "haiku": "\\n".join(lines), "seed": 1, "mood": "calm", "style": "oil", "image_sha256": "",
        "status": "preview", "image_path": str(image), "alt_text": "a pond"}
write_dry_run(out, [work], publish.platforms, publish.signature, publish.hashtags,
              settings=publishers.platforms.settings_of(publish))
post = json.loads((out / "work-7" / "post.json").read_text())
print(json.dumps({
    "platforms": publish.platforms, "url": publish.pixelfed_url, "limit": LIMITS["pixelfed"],
    "caption_fits": length("pixelfed", text) <= 40, "secret_known": "pixelfed_access_token" in SECRET_NAMES,
    "secret": get_secret("pixelfed_access_token"), "adapter": type(make_publisher("pixelfed", config)).__name__,
    "title": platform_names()["pixelfed"], "requests": post["platforms"]["pixelfed"]["requests"],
}))
'''


def test_a_fifth_platform_is_one_declaration_and_its_adapter(tmp_path):
    declarations, adapters = tmp_path / "declarations", tmp_path / "adapters"
    declarations.mkdir(), adapters.mkdir()
    (declarations / "pixelfed.py").write_text(DECLARATION)
    (adapters / "pixelfed_adapter.py").write_text(ADAPTER)
    config = tmp_path / "auria.toml"
    config.write_text('data_dir = "data"\n[publish]\nplatforms = ["pixelfed", "x"]\n'
                      'pixelfed_url = "https://pixelfed.example"\n')
    env = {"PATH": "/usr/bin:/bin", "AURIA_PIXELFED_ACCESS_TOKEN": "pf-token-123456", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", CHECK, str(declarations), str(adapters), str(config),
                             str(tmp_path / "dry")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen == {
        "platforms": ["pixelfed", "x"], "url": "https://pixelfed.example", "limit": 40, "caption_fits": True,
        "secret_known": True, "secret": "pf-token-123456", "adapter": "PixelfedPublisher", "title": "Pixelfed",
        "requests": {"1_post": {"url": "https://pixelfed.example/api/post", "text": seen["requests"]["1_post"]["text"],
                                "alt": "a pond"}},
    }
    assert seen["requests"]["1_post"]["text"].startswith("an old silent pond")


def test_every_adapter_is_its_declarations_and_plans_its_requests():
    for platform in platforms.all_platforms():
        adapter = platforms.adapter_class(platform.name)
        assert adapter.platform is platform and adapter.name == platform.name
        requests = adapter.plan_requests("text", "alt", "image.jpg", {"mastodon_url": "https://m.example"})
        assert requests and all(k.split("_", 1)[0].isdigit() for k in requests)


def test_no_second_list_of_platforms_in_the_product():
    """Outside the declarations and the adapters, no literal tuple, list, set or dict names
    two platforms or more: every other place reads publishers.platforms."""
    names = set(platforms.names())
    adapters = {platform.adapter.partition(":")[0] for platform in platforms.all_platforms()}
    offences = []
    for layer in ("bot", "core", "generator", "publishers", "state"):
        for path in sorted((ROOT / layer).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            if module in adapters or module.startswith("publishers.platforms."):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                items = (node.keys if isinstance(node, ast.Dict)
                         else node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [])
                found = {i.value for i in items if isinstance(i, ast.Constant) and i.value in names}
                if len(found) >= 2:
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno}: {sorted(found)}")
    assert offences == []
