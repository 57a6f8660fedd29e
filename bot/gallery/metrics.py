"""/metrics: the store's counts in Prometheus' text format (version 0.0.4)."""
from __future__ import annotations

from state.posts import last_posted_at, posts_by_platform_and_state
from state.works import generation_seconds, works_by_status

# Generation seconds of a work, in buckets: a CPU work takes 5-10 s, a GPU one about 1.
BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300)


def metrics_text(db) -> str:
    lines: list[str] = []

    def family(name: str, kind: str, help_text: str, samples: list[tuple[dict, float]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            lines.append(f"{name}{_labels(labels)} {_number(value)}")

    family("auria_works", "gauge", "Works in the store by status.",
           [({"status": status}, count) for status, count in works_by_status(db).items()])
    family("auria_posts", "gauge", "Posts by platform and state.",
           [({"platform": platform, "state": state}, count) for platform, state, count in
            posts_by_platform_and_state(db)])
    family("auria_last_post_timestamp_seconds", "gauge", "When the latest post on each platform went out (Unix time).",
           [({"platform": platform}, at) for platform, at in last_posted_at(db).items()])
    seconds = generation_seconds(db)  # a scrape decodes no work's timings
    lines.append("# HELP auria_generation_seconds Seconds to make a work (all its steps).")
    lines.append("# TYPE auria_generation_seconds histogram")
    for bound in BUCKETS:
        lines.append(f'auria_generation_seconds_bucket{{le="{bound}"}} {sum(s <= bound for s in seconds)}')
    lines.append(f'auria_generation_seconds_bucket{{le="+Inf"}} {len(seconds)}')
    lines.append(f"auria_generation_seconds_sum {_number(sum(seconds))}")
    lines.append(f"auria_generation_seconds_count {len(seconds)}")
    return "\n".join(lines) + "\n"


def _labels(labels: dict) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items()) + "}"


def _escape(value) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)
