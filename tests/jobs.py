"""Jobs that exist only for worker tests."""

import time


def sleepy(seconds: float) -> str:
    """Take a while."""
    time.sleep(seconds)
    return "slept"
