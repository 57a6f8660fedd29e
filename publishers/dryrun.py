"""The dry-run publisher: what every enabled platform would receive, written to a folder.

For each work, OUT/work-ID/ holds image.jpg, alt.txt, one caption-PLATFORM.txt per
platform and post.json (the requests the real adapters would make, with their fields);
OUT/index.html shows the posts the way the platforms would. Nothing leaves the machine,
and no secret is read: a dry run needs no accounts.
"""
from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from publishers import platforms
from publishers.captions import DEFAULT_TEMPLATE, LIMITS, caption, length


def platform_requests(platform: str, text: str, alt: str, image_name: str, mastodon_url: str = "",
                      settings: dict | None = None) -> dict:
    """The calls the platform's adapter would make, in order, without credentials: the adapter
    plans them itself (``plan_requests``), from the constants and payloads its real send uses."""
    return platforms.adapter_class(platform).plan_requests(
        text, alt, image_name, {"mastodon_url": mastodon_url, **(settings or {})})


def write_dry_run(out: Path, works: list[dict], platforms: list[str], signature: str, hashtags: list[str],
                  templates: dict[str, str] | None = None, mastodon_url: str = "",
                  settings: dict | None = None) -> Path:
    """Write every work's posts into `out` and the index.html that shows them; returns the index.
    `settings`: the platforms' own [publish] keys (publishers.platforms.settings_of)."""
    out.mkdir(parents=True, exist_ok=True)
    cards = []
    for work in works:
        folder = out / f"work-{work['id']}"
        folder.mkdir(exist_ok=True)
        shutil.copyfile(work["image_path"], folder / "image.jpg")
        (folder / "alt.txt").write_text(work["alt_text"] + "\n", encoding="utf-8")
        lines = work["haiku"].split("\n")
        posts = {}
        for platform in platforms:
            text = caption(platform, lines, signature, hashtags, (templates or {}).get(platform, DEFAULT_TEMPLATE))
            (folder / f"caption-{platform}.txt").write_text(text + "\n", encoding="utf-8")
            posts[platform] = {
                "caption": text, "caption_length": length(platform, text), "limit": LIMITS[platform],
                "requests": platform_requests(platform, text, work["alt_text"], "image.jpg", mastodon_url, settings),
            }
        record = {
            "work": {k: work.get(k) for k in ("id", "haiku", "seed", "mood", "style", "image_sha256", "status")},
            "image": "image.jpg", "alt_text": work["alt_text"], "platforms": posts,
        }
        (folder / "post.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        cards.append(_work_html(work, posts, folder.name))
    index = out / "index.html"
    index.write_text(_PAGE.format(cards="\n".join(cards)), encoding="utf-8")
    return index


def _work_html(work: dict, posts: dict, folder: str) -> str:
    e = html.escape
    image = f"{folder}/image.jpg"
    alt = e(work["alt_text"], quote=True)
    cards = []
    for platform, post in posts.items():
        text = e(post["caption"]).replace("\n", "<br>")
        if platform != "instagram":
            cards.append(f'<article class="post x {platform}"><header><b>Auria</b> <span>{platform} · now</span></header>'
                         f'<p>{text}</p><img src="{image}" alt="{alt}"><footer>{post["caption_length"]}/{post["limit"]}</footer></article>')
        else:
            cards.append(f'<article class="post instagram"><header><b>auria</b></header><img src="{image}" alt="{alt}">'
                         f'<p><b>auria</b> {text}</p><footer>{post["caption_length"]}/{post["limit"]}</footer></article>')
    meta = e(f"work {work['id']} · seed {work['seed']} · mood {work['mood']} · {work['style']}")
    return f'<section class="work"><h2>{meta}</h2><div class="posts">{"".join(cards)}</div></section>'


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Auria: dry run</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; background: #f3f3f3; margin: 2rem; color: #111; }}
h1 {{ font-weight: 600; }} h2 {{ font-size: .9rem; color: #555; font-weight: 500; }}
.posts {{ display: flex; gap: 2rem; flex-wrap: wrap; align-items: flex-start; }}
.post {{ background: #fff; width: 420px; border: 1px solid #ddd; border-radius: 12px; overflow: hidden; }}
.post header, .post p, .post footer {{ padding: .6rem .9rem; margin: 0; }}
.post header span, .post footer {{ color: #777; font-size: .8rem; }}
.post img {{ width: 100%; display: block; }}
.post.x img {{ border-radius: 12px; width: calc(100% - 1.8rem); margin: 0 .9rem; }}
.post.instagram header {{ border-bottom: 1px solid #eee; }}
</style></head>
<body><h1>Auria: what would be posted</h1>
{cards}
</body></html>
"""
