"""The gallery's HTML pages, rendered from the public view (bot/gallery/public.py) with
Jinja2 (autoescaped: a haiku is text, never markup). The server and the static export use
the same templates with their own links."""
from __future__ import annotations

from functools import lru_cache

import jinja2

from bot.gallery.public import Urls
from publishers import platforms


def platform_names() -> dict[str, str]:
    """Display names by platform, from the platforms' declarations."""
    return {p.name: p.title for p in platforms.all_platforms()}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("bot.gallery", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined)


def render(template: str, urls: Urls, **context) -> str:
    return _environment().get_template(template).render(urls=urls, platform_names=platform_names(), **context)


def index_page(works: list[dict], urls: Urls, next_page: str | None) -> str:
    return render("index.html", urls, works=works, next_page=next_page)


def work_page(work: dict, urls: Urls) -> str:
    return render("work.html", urls, work=work)


def not_found_page(message: str, urls: Urls) -> str:
    return render("not_found.html", urls, message=message)
