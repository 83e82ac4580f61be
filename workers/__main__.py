"""Worker entry point: `python -m workers [work|cron|burst]` (Procfile worker, scheduler)."""

import argparse
import os
import sys

from rq import Queue
from rq.cron import CronScheduler

from db.redact import configure_logging
from db.settings import Settings
from workers import runtime
from workers.queues import QUEUES
from workers.sweep import retire_old_timers, sweep
from workers.worker import JOBS_PER_PROCESS, TinbaoWorker

SWEEP_SECONDS = 15


def main(argv: list[str] | None = None) -> None:
    """Run an RQ worker on every queue (urgent first) with the scheduler, or the cron clock."""
    parser = argparse.ArgumentParser(prog="tinbao-worker")
    parser.add_argument("mode", nargs="?", default="work", choices=["work", "cron", "burst"])
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    rt = runtime.init(settings)
    if args.mode == "cron":
        retire_old_timers(rt.redis)
        cron = CronScheduler(connection=rt.redis, name=args.name or "")
        cron.register(sweep, queue_name="default", interval=SWEEP_SECONDS, job_timeout=120)
        cron.start()
        return
    queues = [Queue(name, connection=rt.redis) for name in QUEUES]
    worker = TinbaoWorker(queues, connection=rt.redis, name=args.name)
    burst = args.mode == "burst"
    worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level,
                max_jobs=None if burst else JOBS_PER_PROCESS)
    if not burst and worker.executed >= JOBS_PER_PROCESS:  # not a shutdown: start afresh
        rt.close()
        os.execv(sys.executable, [sys.executable, "-m", "workers", *(argv or sys.argv[1:])])


if __name__ == "__main__":
    main()
