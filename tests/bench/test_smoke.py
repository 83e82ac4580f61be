"""A few seconds of every kind of benchmark, so `python -m bench` cannot rot unnoticed."""

import json

import pytest

from bench.__main__ import main
from tests.conftest import BACKENDS, TEST_DATABASE_URL

# One-second runs on a host whose loopback, not the app, is the bottleneck measure any server
# that nearly reaches the bare ceiling a few percent above it (lean and queued did: 1.05x in CI);
# a ratio past this means the ceiling was not measured, not that a server beat it.
NOISE = 1.5


def test_the_benchmarks_run_and_report_sane_figures(tmp_path):
    results = main(["--quick", "--backend", "sqlite",
                    "--only", "webhook,status,throughput,steps,segments", "--out", str(tmp_path)])
    c16 = results["webhook"]["c16"]
    assert c16["ceiling_rps"] > 0 and c16["tinbao_rps"] > 0 and c16["tinbao_errors"] == 0
    assert 0 < c16["ratio"] < 1
    for reference in ("naive", "lean"):  # answered every signed request, and kept each one
        assert c16[f"{reference}_errors"] == 0 and 0 < c16[f"{reference}_ratio"] < NOISE
        assert results["webhook"]["references_kept"][reference] >= c16[f"{reference}_rps"] / 2
    assert c16["queued_errors"] == 0 and 0 < c16["queued_ratio"] < NOISE  # SMS_REPLY=queued
    drained = results["webhook"]["queued_drain"]  # its workers took the kept messages
    assert drained["kept"] >= c16["queued_rps"] / 2 and drained["messages_per_s"] > 0
    reports = results["status"]
    assert reports["c16"]["tinbao_errors"] == 0 and 0 < reports["c16"]["ratio"] < 1
    assert reports["delivered"] > 0  # applied, not only answered
    throughput = results["throughput"]  # every dispatch job finished, or main() raised
    assert throughput["jobs"] == 100 and 0 < throughput["ratio"] < 1
    assert results["steps"]["ussd"]["steps"] == 25 and results["steps"]["voice"]["steps"] == 30
    assert results["segments"]["multi_segment"] == 0 and results["segments"]["tips"] == 20
    [written] = tmp_path.glob("*.json")
    assert json.loads(written.read_text())["webhook"]["c16"]["ratio"] == c16["ratio"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_hand_off_benchmark_counts_every_dispatch_and_notice(backend, tmp_path, monkeypatch):
    if backend == "postgresql":
        monkeypatch.setenv("BENCH_DATABASE_URL", TEST_DATABASE_URL)
    results = main(["--quick", "--backend", backend, "--only", "handoff,handoff_queued",
                    "--out", str(tmp_path)])
    for handoff in (results["handoff"], results["handoff_queued"]):
        assert handoff["tips"] == handoff["accepted"] == handoff["dispatched"] == 100
        assert handoff["lost"] == 0 and handoff["notices_sent"] == 100
        assert 0 < handoff["p50_ms"] <= handoff["p99_ms"] <= handoff["max_ms"]
    queued = results["handoff_queued"]  # SMS_REPLY=queued: every sender got its receipt
    assert queued["replies"] == 100 and 0 < queued["reply_p50_ms"] <= queued["reply_p99_ms"]
