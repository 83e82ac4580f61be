"""Figures the reliability, fuzzing, security and privacy tests record, printed as one table at
the end of any pytest run that recorded some (`python3 dev.py test`, CI, or those folders alone).
"""

from collections import Counter

FIGURES: Counter = Counter()
ROWS = (
    ("faults_injected", "faults injected (kills, restarts, outages, provider errors)"),
    ("tips_sent", "tips sent through faults"),
    ("tips_lost", "tips lost"),
    ("duplicate_sms", "duplicate officer SMS (a send that provably may repeat)"),
    ("fuzz_examples", "fuzz examples (Hypothesis test cases)"),
    ("fuzz_steps", "fuzz inputs (messages, events and requests fed)"),
    ("attacks_rejected", "attacks rejected (bad/missing/replayed secrets, limits, injections)"),
    ("privacy_cells", "privacy audit: database cells scanned"),
    ("privacy_log_lines", "privacy audit: log lines scanned"),
    ("privacy_responses", "privacy audit: responses scanned"),
    ("privacy_hits", "privacy audit: reporter numbers found"),
)


def record(name: str, amount: int = 1) -> None:
    """Add to one figure of the summary table."""
    FIGURES[name] += amount


def table() -> list[str]:
    """The summary table's lines (every figure, zero when not recorded)."""
    width = max(len(label) for _, label in ROWS)
    lines = [f"{'reliability summary':<{width}}  value", "-" * (width + 8)]
    lines += [f"{label:<{width}}  {FIGURES[name]:>6}" for name, label in ROWS]
    return lines


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the table when the run recorded any reliability figure."""
    if not any(FIGURES[name] for name, _ in ROWS[:6]):
        return
    terminalreporter.section("tinbao: faults, fuzzing, abuse and privacy")
    for line in table():
        terminalreporter.write_line(line)
