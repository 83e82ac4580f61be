"""Benchmark 7: adding processes adds capacity — dispatch throughput with 1, 2 and 4 worker
processes, and the webhook with one and with two web processes on one Redis and database."""

import threading

from bench import throughput
from bench.load import sms_mix, write_signed, wrk
from bench.stack import Stack, free_port


def run(stack: Stack, redis_url: str, jobs: int, seconds: float) -> dict:
    """Throughput per worker count; webhook requests/s with one and two gunicorn masters."""
    out = {}
    for n, workers in enumerate((1, 2, 4)):
        rate, done = throughput.dispatch(stack, redis_url, jobs, workers, offset=n * jobs)
        out[f"dispatch_jobs_per_s_{workers}_workers"] = rate
    ports = [free_port(), free_port()]
    for port in ports:
        stack.gunicorn("gateway:create_app()", port, workers=1)
    files = [write_signed(sms_mix(int(2000 * seconds), 40 + n),
                          f"http://127.0.0.1:{port}/webhooks/twilio/sms",
                          stack.env["TWILIO_AUTH_TOKEN"], stack.workdir / f"scale-{n}.txt")
             for n, port in enumerate(ports)]
    out["webhook_rps_one_web_process"] = wrk(f"http://127.0.0.1:{ports[0]}", files[0], 8,
                                             seconds).rps
    results = [None, None]

    def drive(i: int) -> None:
        results[i] = wrk(f"http://127.0.0.1:{ports[i]}", files[i], 8, seconds)

    threads = [threading.Thread(target=drive, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["webhook_rps_two_web_processes"] = sum(r.rps for r in results)
    return out
