"""Queue names and the enqueue helper (the one part of workers the web app may import)."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from redis import Redis
from rq import Queue

from db.models import Urgency
from db.turns import Turn

URGENT = "urgent"
DEFAULT = "default"
LOW = "low"  # what must never hold up a dispatch: notices telling reporters where a tip went
QUEUES = (URGENT, DEFAULT, LOW)  # a worker takes from the first non-empty one
JOB_TIMEOUT = 60
WAKE_SECONDS = 60  # a lost drain's wake key expires: the lane's next message wakes it again
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A job to enqueue after commit: a dotted function path taking ids."""

    func: str
    args: tuple = ()
    urgent: bool = False
    delay: float | None = None  # seconds; needs a worker running the RQ scheduler
    job_id: str | None = None  # letters, digits, '-' and '_' only; one timer per id
    queue: str = ""  # a queue of QUEUES; by default urgent or default after `urgent`


def connect(url: str) -> Redis:
    """A Redis client that fails fast, so a dead Redis never stalls a webhook."""
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30)


def enqueue(redis: Redis, job: Job) -> None:
    """Put one job on its queue (now, or after its delay)."""
    queue = Queue(job.queue or (URGENT if job.urgent else DEFAULT), connection=redis)
    options = {"job_timeout": JOB_TIMEOUT, "result_ttl": 300, "failure_ttl": 7 * 86400,
               "job_id": job.job_id}
    if job.delay:
        queue.enqueue_in(timedelta(seconds=job.delay), job.func, *job.args, **options)
    else:
        queue.enqueue(job.func, *job.args, **options)


def enqueue_quietly(redis: Redis, jobs: list[Job]) -> bool:
    """After commit: enqueue jobs; on a Redis failure log and return False.

    Nothing is lost by a failure here: the database holds the work and the sweeper finds it.
    """
    try:
        for job in jobs:
            enqueue(redis, job)
    except Exception as exc:  # any Redis trouble
        log.warning("enqueue failed (%s); the sweeper will pick the work up", type(exc).__name__)
        return False
    return True


def jobs_for(turn: Turn) -> list[Job]:
    """The jobs a committed turn needs: dispatch its tips, send its outbox messages."""
    jobs = [dispatch_job(t.id, t.urgency == Urgency.URGENT) for t in turn.tips]
    return jobs + [send_job(i) for i in turn.outbound_ids]


def dispatch_job(tip_id: int, urgent: bool) -> Job:
    """Route and send a new (or transferred) tip."""
    return Job("workers.dispatch.dispatch_tip", (tip_id,), urgent)


def inbox_job(lane: int) -> Job:
    """Take the SMS kept in an inbox lane into their conversations and answer them
    (SMS_REPLY=queued; workers.inbox)."""
    return Job("workers.inbox.drain", (lane,))


def wake_key(lane: int) -> str:
    """Set while a drain of the lane is queued or running (workers.inbox)."""
    return f"tinbao:inbox:wake:{lane}"


def wake_inbox(redis: Redis, lane: int) -> bool:
    """After a message is kept: queue its lane's drain unless one is queued or running already
    (one SET NX per message under load); True if it queued one now. On a Redis failure log and
    return False: the sweeper wakes lanes whose messages wait too long."""
    try:
        if not redis.set(wake_key(lane), 1, nx=True, ex=WAKE_SECONDS):
            return False
        enqueue(redis, inbox_job(lane))
    except Exception as exc:  # any Redis trouble
        log.warning("inbox wake failed (%s); the sweeper will", type(exc).__name__)
        return False
    return True


def send_job(outbound_id: int, urgent: bool = False, queue: str = "") -> Job:
    """Send one outbox message."""
    return Job("workers.send.send_outbound", (outbound_id,), urgent, queue=queue)


def undelivered_job(outbound_id: int) -> Job:
    """React to a message the provider could not deliver (re-routes dispatches)."""
    return Job("workers.dispatch.undelivered", (outbound_id,), True)


def escalation_job(tip_id: int, officer_id: int | None, urgent: bool) -> Job:
    """Hand the tip, whose acknowledgement deadline passed, on from `officer_id`."""
    return Job("workers.dispatch.escalate", (tip_id, "sla", officer_id), urgent)


def deadlines_job(second: int, delay: float) -> Job:
    """In `delay` seconds, at Unix time `second`: escalate every tip whose acknowledgement
    deadline has passed by then (workers.sweep.escalate_due). One timer per second that holds
    deadlines, however many tips share it, under one id (set twice, it runs once); nothing to
    cancel when a tip is acknowledged: the job reads the deadlines when it runs."""
    return Job("workers.sweep.escalate_due", (second,), True, max(delay, 0.0),
               f"deadlines-{second}")
