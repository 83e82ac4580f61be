"""The production worker: jobs run in the worker process (no fork per job), yet it keeps what
a production worker needs: job timeouts, heartbeats while a job runs, recovery of jobs a dead
worker abandoned, and a fresh process every so many jobs so memory cannot creep."""

import logging
import threading

from rq.job import Job
from rq.queue import Queue
from rq.worker import SimpleWorker, WorkerStatus

log = logging.getLogger(__name__)
JOBS_PER_PROCESS = 20_000


class TinbaoWorker(SimpleWorker):
    """RQ's in-process worker plus a heartbeat thread during each job.

    - Timeouts: RQ's death penalty (SIGALRM) interrupts a job past its job_timeout, as in
      SimpleWorker.
    - Heartbeats: between jobs as usual, and every job_monitoring_interval while a job runs,
      as the forking Worker's parent does (SimpleWorker alone sends none mid-job).
    - Abandoned jobs: a killed worker's job expires from the started registry and RQ's
      maintenance (on any worker) fails it; the database sweeper re-enqueues the tip or
      message behind it.
    Forking per job isolates crashes but costs a fork and fresh connections every job; our jobs
    are short database + HTTP calls, so they run here and the process is replaced every
    JOBS_PER_PROCESS jobs instead.
    """

    executed = 0

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Perform the job here, beating the heart from a thread meanwhile."""
        self.executed += 1
        execution = self.prepare_execution(job)
        done = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job, execution, done), daemon=True)
        beat.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            beat.join()
        self.set_state(WorkerStatus.IDLE)

    def _beat(self, job: Job, execution, done: threading.Event) -> None:
        while not done.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job, execution)
            except Exception as exc:  # Redis trouble: the next beat or the job's end retries
                log.warning("heartbeat for job %s failed: %s", job.id, type(exc).__name__)
