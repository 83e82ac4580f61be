"""`python -m bench [--quick] [--backend postgresql|sqlite] [--only a,b]`: run the benchmarks,
print a table, write bench/results/<time>.json."""

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from bench import handoff, memory, scaleout, segments, status, steps, throughput, webhook
from bench.report import table
from bench.stack import stack

ALL = ("webhook", "status", "handoff", "handoff_queued", "throughput", "steps", "memory",
       "segments", "scaleout")


def main(argv: list[str] | None = None) -> dict:
    """Run the chosen benchmarks, each on a fresh stack; returns the results."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="a few seconds each (smoke run)")
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--only", default=",".join(ALL))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args(argv)
    q = args.quick
    plan = {
        "webhook": lambda s, r: webhook.run(s, rounds=1 if q else 3, seconds=1 if q else 10,
                                            paced_seconds=1 if q else 20,
                                            drain_seconds=2 if q else 20),
        "status": lambda s, r: status.run(s, rounds=1 if q else 3, seconds=1 if q else 10),
        "handoff": lambda s, r: handoff.run(s, rate=50, seconds=2 if q else 60),
        "handoff_queued": lambda s, r: handoff.run(s, rate=50, seconds=2 if q else 60,
                                                   queued=True),
        "throughput": lambda s, r: throughput.run(s, r, jobs=100 if q else 3000, processes=2,
                                                  rounds=1 if q else 5),
        "steps": lambda s, r: steps.run(s, count=5 if q else 300),
        "memory": lambda s, r: memory.run(s, tips=300 if q else 10000),
        "segments": lambda s, r: segments.run(s, tips=20 if q else 200),
        "scaleout": lambda s, r: scaleout.run(s, r, jobs=100 if q else 1000,
                                              seconds=2 if q else 10),
    }
    results = {"backend": args.backend, "quick": q, "started": time.strftime("%Y-%m-%d %H:%M")}
    for name in args.only.split(","):
        workdir = Path(tempfile.mkdtemp(prefix=f"tinbao-bench-{name}-"))
        with stack(workdir, args.backend) as s:
            redis_url = s.start_redis()
            s.create_database()
            provider_url, log = handoff.start_provider(s)
            s.environment(redis_url, SMS_PROVIDER="twilio", TWILIO_API_BASE_URL=provider_url,
                          BENCH_PROVIDER_LOG=log)
            results[name] = plan[name](s, redis_url)
        shutil.rmtree(workdir, ignore_errors=True)
        print(table({name: results[name]}), flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{time.strftime('%Y%m%d-%H%M%S')}-{args.backend}.json").write_text(
        json.dumps(results, indent=1, default=str))
    return results


if __name__ == "__main__":
    main()
