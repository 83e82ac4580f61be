"""Queue names and the enqueue helper (the one part of workers the web app may import)."""

import logging
from datetime import timedelta

from redis import Redis
from rq import Queue

URGENT = "urgent"
DEFAULT = "default"
QUEUES = (URGENT, DEFAULT)
JOB_TIMEOUT = 60
log = logging.getLogger(__name__)


def connect(url: str) -> Redis:
    """A Redis client that fails fast, so a dead Redis never stalls a webhook."""
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30)


def enqueue(redis: Redis, func: str, *args, urgent: bool = False,
            delay: timedelta | None = None) -> None:
    """Put a job (by dotted path, taking ids) on the urgent or default queue."""
    queue = Queue(URGENT if urgent else DEFAULT, connection=redis)
    options = {"job_timeout": JOB_TIMEOUT, "result_ttl": 300, "failure_ttl": 7 * 86400}
    if delay:
        queue.enqueue_in(delay, func, *args, **options)
    else:
        queue.enqueue(func, *args, **options)


def enqueue_quietly(redis: Redis, jobs: list[tuple[str, tuple, bool]]) -> bool:
    """Enqueue after commit; on a Redis failure log and return False (the sweeper catches up)."""
    try:
        for func, args, urgent in jobs:
            enqueue(redis, func, *args, urgent=urgent)
    except Exception as exc:  # any Redis trouble: the database already holds the work
        log.warning("enqueue failed (%s); the sweeper will pick the work up", type(exc).__name__)
        return False
    return True


def dispatch_job(tip_id: int, urgent: bool) -> tuple[str, tuple, bool]:
    """The job that routes and sends a new tip."""
    return ("workers.dispatch.dispatch_tip", (tip_id,), urgent)


def send_job(outbound_id: int, urgent: bool = False) -> tuple[str, tuple, bool]:
    """The job that sends one outbox message."""
    return ("workers.send.send_outbound", (outbound_id,), urgent)


def undelivered_job(outbound_id: int) -> tuple[str, tuple, bool]:
    """The job that reacts to a message the provider could not deliver (re-routes dispatches)."""
    return ("workers.dispatch.undelivered", (outbound_id,), True)
