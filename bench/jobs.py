"""Jobs of the worker ceiling: nothing at all."""


def noop(n: int) -> int:
    """Return the argument (the cheapest job RQ can run)."""
    return n
