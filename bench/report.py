"""A readable table of benchmark results (the JSON file keeps every run)."""

KEYS = ("ratio", "ceiling_rps", "tinbao_rps", "tinbao_p50_ms", "tinbao_p99_ms", "p50_ms",
        "p99_ms", "lost", "ceiling_jobs_per_s", "dispatch_jobs_per_s", "web_mb_half",
        "web_mb_end", "worker_mb_half", "worker_mb_end", "multi_segment", "messages")


def table(results: dict, prefix: str = "") -> str:
    """Flatten nested results into 'name  value' lines, numbers rounded."""
    lines = []
    for name, value in results.items():
        if name == "runs":
            continue
        label = f"{prefix}{name}"
        if isinstance(value, dict):
            lines.append(table(value, label + "."))
        elif isinstance(value, float):
            lines.append(f"{label:<52} {value:>12.2f}")
        else:
            lines.append(f"{label:<52} {value!s:>12}")
    return "\n".join(line for line in lines if line)
