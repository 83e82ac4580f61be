"""Bar charts as plain numbers for inline SVG (no JavaScript, no CDN, CSP-friendly)."""

from dataclasses import dataclass

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 600, 200, 14, 30, 34


@dataclass(frozen=True)
class Bar:
    """One bar: where it stands, its value and its label."""

    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool


@dataclass(frozen=True)
class Chart:
    """A bar chart ready for the template (viewBox units)."""

    bars: list[Bar]
    peak: int
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT


def bars(points: list[tuple[str, int]], max_labels: int = 10) -> Chart:
    """Bars for (label, value) points, with at most `max_labels` labels under them."""
    peak = max((v for _, v in points), default=0) or 1
    room = (WIDTH - LEFT) / max(len(points), 1)
    every = max(1, -(-len(points) // max_labels))
    usable = HEIGHT - TOP - BOTTOM
    out = []
    for i, (label, value) in enumerate(points):
        height = usable * value / peak
        out.append(Bar(x=round(LEFT + i * room + room * 0.1, 1),
                       y=round(HEIGHT - BOTTOM - height, 1), width=round(room * 0.8, 1),
                       height=round(height, 1), value=value, label=label,
                       show_label=i % every == 0))
    return Chart(out, peak if points else 0)
