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
PUBSUB_WAIT = 1.0  # seconds the command thread waits for a message before it looks again


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
    _heart: "Heart | None" = None

    def subscribe(self) -> None:
        """RQ's command channel (`rq.command`), read by a thread that waits PUBSUB_WAIT at a time,
        not RQ's 60 s: since redis-py 8 stopping that thread joins it, so a warm shutdown waited
        out the whole read whenever the thread was back in one before it was told to stop (a
        worker given SIGTERM took over a minute to exit in CI)."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_WAIT, daemon=True,
            exception_handler=self._pubsub_exception_handler)

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Perform the job here, beating the heart from a thread meanwhile."""
        self.executed += 1
        execution = self.prepare_execution(job)
        if self._heart is None:
            self._heart = Heart(self.maintain_heartbeats, self.job_monitoring_interval)
        self._heart.start(job, execution)
        try:
            self.perform_job(job, queue, execution)
        finally:
            self._heart.stop()
        self.set_state(WorkerStatus.IDLE)


class Heart:
    """One thread per worker process that beats every `interval` seconds while a job runs.

    Started once: a thread started and joined per job cost ~0.14 ms of CPU, 2% of a dispatch.
    stop() returns only once no beat is under way, so no beat for a finished job can put it
    back in the started registry.
    """

    def __init__(self, beat, interval: float):
        self._beat = beat
        self._interval = interval
        self._cond = threading.Condition()
        self._running: tuple | None = None  # (job, execution) of the job under way
        self._beating = False
        threading.Thread(target=self._run, name="heartbeat", daemon=True).start()

    def start(self, job: Job, execution) -> None:
        """A job began: beat for it from now on."""
        with self._cond:
            self._running = (job, execution)
            self._cond.notify_all()

    def stop(self) -> None:
        """The job ended: no beat for it after this returns."""
        with self._cond:
            self._running = None
            self._cond.notify_all()
            self._cond.wait_for(lambda: not self._beating)

    def _run(self) -> None:
        with self._cond:
            while True:
                self._cond.wait_for(lambda: self._running is not None)
                running = self._running
                ended = lambda ran=running: self._running is not ran  # noqa: E731
                if self._cond.wait_for(ended, self._interval):
                    continue  # it ended (or another began) within the interval
                self._beating = True
                self._cond.release()
                try:
                    self._beat(*running)
                except Exception as exc:  # Redis trouble: the next beat or the job's end retries
                    log.warning("heartbeat for job %s failed: %s", running[0].id,
                                type(exc).__name__)
                finally:
                    self._cond.acquire()
                    self._beating = False
                    self._cond.notify_all()
