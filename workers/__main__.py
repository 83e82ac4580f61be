"""Worker entry point: `python -m workers [work|cron|burst]` (Procfile worker, scheduler)."""

import argparse

from rq import Queue, Worker
from rq.cron import CronScheduler

from db.redact import configure_logging
from db.settings import Settings
from workers import runtime
from workers.queues import QUEUES
from workers.sweep import sweep

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
        cron = CronScheduler(connection=rt.redis, name=args.name or "")
        cron.register(sweep, queue_name="default", interval=SWEEP_SECONDS, job_timeout=120)
        cron.start()
        return
    queues = [Queue(name, connection=rt.redis) for name in QUEUES]
    worker = Worker(queues, connection=rt.redis, name=args.name)
    worker.work(burst=args.mode == "burst", with_scheduler=True,
                logging_level=settings.log_level)


if __name__ == "__main__":
    main()
