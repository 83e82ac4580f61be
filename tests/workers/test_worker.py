"""The production worker class: timeouts, heartbeats during a job, and recovery of the work
of a worker killed in the middle of a job."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import update

from db.models import OutboundMessage, OutboundStatus, Tip, TipStatus
from db.session import transaction, utcnow
from tests.helpers import rows, run_worker, sms
from workers.sweep import sweep
from workers.worker import TinbaoWorker


def test_a_job_past_its_timeout_is_stopped_and_failed(redis_url):
    redis = Redis.from_url(redis_url)
    job = Queue("default", connection=redis).enqueue("tests.jobs.sleepy", 5, job_timeout=1)
    started = time.monotonic()
    TinbaoWorker([Queue("default", connection=redis)], connection=redis).work(
        burst=True, logging_level="WARNING")
    assert time.monotonic() - started < 4
    job = Job.fetch(job.id, connection=redis)
    assert job.get_status() == JobStatus.FAILED
    assert "JobTimeoutException" in job.latest_result().exc_string


def test_the_worker_keeps_beating_while_a_job_runs(redis_url):
    redis = Redis.from_url(redis_url)
    job = Queue("default", connection=redis).enqueue("tests.jobs.sleepy", 1.2, job_timeout=10)
    worker = TinbaoWorker([Queue("default", connection=redis)], connection=redis,
                          job_monitoring_interval=0.3)
    worker.work(burst=True, logging_level="WARNING")
    job = Job.fetch(job.id, connection=redis)
    assert job.get_status() == JobStatus.FINISHED
    assert (job.last_heartbeat - job.started_at).total_seconds() >= 0.25  # a beat mid-job


def test_every_job_gets_beats_and_none_comes_after_a_job_ended(redis_url):
    redis = Redis.from_url(redis_url)
    queue = Queue("default", connection=redis)
    jobs = [queue.enqueue("tests.jobs.sleepy", 0.7, job_timeout=10) for _ in range(2)]
    worker = TinbaoWorker([queue], connection=redis, job_monitoring_interval=0.2)
    worker.work(burst=True, logging_level="WARNING")
    ended = [Job.fetch(job.id, connection=redis) for job in jobs]
    for job in ended:  # one heart thread for the process, beating for each job in turn
        assert job.get_status() == JobStatus.FINISHED
        assert (job.last_heartbeat - job.started_at).total_seconds() >= 0.15
    time.sleep(0.5)  # over two intervals: a beat for a finished job would show now
    assert [Job.fetch(job.id, connection=redis).last_heartbeat for job in jobs] == [
        job.last_heartbeat for job in ended]
    assert StartedJobRegistry("default", connection=redis).get_job_ids() == []


def test_a_worker_killed_mid_send_loses_nothing(client, settings, rt, fake_twilio):
    """SIGKILL a real worker process while the provider is answering; the database says what
    was in flight and the sweeper finishes it (the officer may get that SMS twice: counted)."""
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song")
    fake_twilio.delay = 30
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
           "SECRET_KEY": settings.secret_key, "PSEUDONYM_KEY": settings.pseudonym_key,
           "REPLY_ADDRESS_KEY": ",".join(settings.reply_address_keys),
           "TWILIO_AUTH_TOKEN": settings.twilio_auth_token, "SMS_PROVIDER": "twilio",
           "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
           "TWILIO_FROM_NUMBER": settings.twilio_from_number,
           "TWILIO_API_BASE_URL": fake_twilio.url}
    worker = subprocess.Popen([sys.executable, "-m", "workers", "burst"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not fake_twilio.requests:  # the worker is now waiting on the provider
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    fake_twilio.delay = 0
    [msg] = rows(rt.engine, OutboundMessage)
    assert msg.status == OutboundStatus.SENDING and rows(rt.engine, Tip)[0].status == \
        TipStatus.RECEIVED
    with transaction(rt.engine) as session:  # five minutes later...
        session.execute(update(OutboundMessage).values(
            updated_at=utcnow() - timedelta(minutes=6)))
    assert sweep()["outbound"] == 1
    run_worker(rt.redis)
    assert rows(rt.engine, Tip)[0].status == TipStatus.DISPATCHED
    assert rows(rt.engine, OutboundMessage, OutboundMessage.id == msg.id)[0].attempts == 2


def test_sigterm_stops_an_idle_worker_process_for_good(settings, tmp_path):
    """The worker re-executes itself after JOBS_PER_PROCESS jobs, never after a shutdown."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
           "SECRET_KEY": settings.secret_key, "PSEUDONYM_KEY": settings.pseudonym_key,
           "REPLY_ADDRESS_KEY": ",".join(settings.reply_address_keys),
           "TWILIO_AUTH_TOKEN": settings.twilio_auth_token, "SMS_PROVIDER": "outbox"}
    worker = subprocess.Popen([sys.executable, "-m", "workers", "work"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    redis = Redis.from_url(settings.redis_url)
    deadline = time.monotonic() + 20
    # Idle, i.e. waiting for a job: RQ registers a worker before it installs its signal
    # handlers (and starts its scheduler in between), so a key alone is too early.
    while not any(redis.hget(key, "state") == b"idle" for key in redis.keys("rq:worker:*")):
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0


def test_the_command_thread_stops_within_a_second_or_two(redis_url):
    """A warm shutdown ends by stopping the thread that reads RQ's commands; stopped while
    waiting for a message, it must not hold the shutdown for its whole wait (RQ's was 60 s)."""
    redis = Redis.from_url(redis_url)
    worker = TinbaoWorker([Queue("default", connection=redis)], connection=redis)
    worker.register_birth()
    worker.subscribe()
    try:
        time.sleep(0.3)  # the thread is in its read now, with nothing on the way
        started = time.monotonic()
        worker.pubsub_thread.stop()
        worker.pubsub_thread.join(timeout=10)
        assert not worker.pubsub_thread.is_alive() and time.monotonic() - started < 2.5
    finally:
        worker.pubsub.close()
        worker.register_death()
        redis.close()  # the worker and its pubsub hold each other: only gc would free it
