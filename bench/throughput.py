"""Benchmark 3: worker throughput — real dispatch jobs drained by the production workers,
against no-op jobs drained by the fastest RQ setup with the same number of processes."""

import statistics
import sys
import time

from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from sqlalchemy import insert

from bench.handoff import start_workers
from bench.stack import Stack
from db.models import Tip
from db.privacy import Keyring, new_pin
from db.session import make_engine, utcnow


def drain_rate(redis: Redis, queue: str, job_ids: list[str], timeout: float
               ) -> tuple[float, int]:
    """Jobs per second between the first start and the last end, and how many finished.

    While the workers run, only the finished and failed registries are asked about these ids
    (ZMSCORE): loading every job while they run would take CPU from the workers being measured.
    """
    ended = [FinishedJobRegistry(queue, connection=redis).key,
             FailedJobRegistry(queue, connection=redis).key]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished, failed = (redis.zmscore(key, job_ids) for key in ended)
        if all(a is not None or b is not None for a, b in zip(finished, failed, strict=True)):
            break
        time.sleep(0.25)
    jobs = [j for j in Job.fetch_many(job_ids, connection=redis) if j and j.ended_at]
    if len(jobs) < 2:
        return 0.0, len(jobs)
    span = (max(j.ended_at for j in jobs) - min(j.started_at for j in jobs)).total_seconds()
    return len(jobs) / span, len(jobs)


def ceiling(stack: Stack, redis_url: str, jobs: int, processes: int) -> float:
    """No-op jobs through `processes` RQ SimpleWorkers (the fastest setup measured)."""
    redis = Redis.from_url(redis_url)
    queue = Queue("ceiling", connection=redis)
    with redis.pipeline() as pipe:
        ids = [queue.enqueue("bench.jobs.noop", n, result_ttl=3600, pipeline=pipe).id
               for n in range(jobs)]
        pipe.execute()
    procs = [stack.spawn([sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", redis_url,
                          "--worker-class", "rq.worker.SimpleWorker", "--logging_level",
                          "WARNING", "ceiling"], f"ceiling-{n}") for n in range(processes)]
    rate, _ = drain_rate(redis, "ceiling", ids, 120)
    for proc in procs:
        stack.stop(proc)
    return rate


def dispatch(stack: Stack, redis_url: str, jobs: int, processes: int,
             offset: int = 0) -> tuple[float, int]:
    """`jobs` new tips dispatched by `processes` production workers (provider: local fake)."""
    engine = make_engine(stack.database_url)
    ring = Keyring(stack.env["PSEUDONYM_KEY"], (stack.env["REPLY_ADDRESS_KEY"],))
    now = utcnow()
    refs = [f"{100000 + offset + n}" for n in range(jobs)]
    rows = [{"reference": ref, "pin_hash": ring.pin_hash(ref, new_pin()),
             "channel": "sms", "category": "hang_cam", "commune_code": 15865,
             "province_code": 38, "details": "co nguoi la mat cho hang cam o thon 3",
             "language": "vi", "urgency": "normal", "status": "received", "escalation_level": 0,
             "dispatch_round": 0, "overdue": False, "pin_failures": 0, "created_at": now,
             "next_check_at": None} for ref in refs]
    with engine.begin() as conn:
        ids = list(conn.execute(insert(Tip.__table__).returning(Tip.__table__.c.id), rows)
                   .scalars())
    engine.dispose()
    redis = Redis.from_url(redis_url)
    queue = Queue("default", connection=redis)
    with redis.pipeline() as pipe:
        job_ids = [queue.enqueue("workers.dispatch.dispatch_tip", tip_id, result_ttl=3600,
                                 pipeline=pipe).id for tip_id in ids]
        pipe.execute()
    # As the Procfile runs them (`work`): one blocking pop over the three queues per job. In
    # burst mode RQ pops each queue in turn, a round trip more per job for the empty urgent one.
    workers = start_workers(stack, processes)
    try:
        return drain_rate(redis, "default", job_ids, 600)
    finally:
        for worker in workers:
            stack.stop(worker)


def run(stack: Stack, redis_url: str, jobs: int, processes: int, rounds: int = 3) -> dict:
    """Medians over rounds of the ceiling and of real dispatch jobs, interleaved."""
    bare, real = [], []
    for n in range(rounds):
        bare.append(ceiling(stack, redis_url, jobs, processes))
        rate, done = dispatch(stack, redis_url, jobs, processes, offset=n * jobs)
        if done < jobs:
            raise RuntimeError(f"only {done} of {jobs} dispatch jobs finished")
        real.append(rate)
    return {"jobs": jobs, "processes": processes, "ceiling_jobs_per_s": statistics.median(bare),
            "dispatch_jobs_per_s": statistics.median(real),
            "ratio": statistics.median(real) / statistics.median(bare),
            "runs": {"ceiling": bare, "dispatch": real}}
