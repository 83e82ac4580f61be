"""Faults with real processes: workers SIGKILLed while 500 tips flow, Redis restarted mid-load
and gone for a while, PostgreSQL unreachable (through a proxy the test controls), duplicate
webhook deliveries racing each other. Every tip must reach an officer; a duplicate officer SMS
is allowed only where a send provably may repeat (claimed more than once), and is counted.

The database is a fresh one on the TEST_DATABASE_URL server when set (else SQLite); the
PostgreSQL server and any shared Redis are never stopped or reconfigured.
"""

import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.corpus import tips as corpus
from tests.conftest import TEST_DATABASE_URL
from tests.reliability.faults import FaultStack
from tests.summary import record

pytestmark = pytest.mark.e2e
BACKEND = "postgresql" if TEST_DATABASE_URL else "sqlite"


@pytest.fixture
def stack(tmp_path, monkeypatch):
    """A fault stack, always torn down; its process logs are checked for numbers."""
    if TEST_DATABASE_URL:
        monkeypatch.setenv("BENCH_DATABASE_URL", TEST_DATABASE_URL)
    s = FaultStack(tmp_path, BACKEND)
    try:
        yield s
        record("privacy_log_lines", s.logs_are_clean())
    finally:
        s.close()


def _bodies(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = corpus()
    return [f"TIN 15865 {rng.choice(texts)} (lan {n})" for n in range(count)]


def _account(stack: FaultStack, references: list[str], wait: float) -> tuple[int, int]:
    """Every accepted tip is stored once and reached the provider; returns (lost, duplicates),
    asserting each duplicate was a send claimed more than once."""
    stored = stack.tips()
    assert set(references) <= set(stored) and set(stored.values()) == {1}
    sent = stack.wait_dispatched(set(references), wait)
    lost = set(references) - {ref for ref, _ in sent}
    claims = stack.claims()
    repeats = {key: n for key, n in sent.items() if n > 1}
    for key, n in repeats.items():
        assert claims[key] >= n, f"tip {key}: {n} SMS from {claims[key]} claim(s)"
    record("tips_sent", len(references))
    record("tips_lost", len(lost))
    record("duplicate_sms", sum(n - 1 for n in repeats.values()))
    return len(lost), sum(n - 1 for n in repeats.values())


def test_workers_killed_at_random_moments_while_500_tips_flow_lose_none(stack):
    stack.start(workers=3)
    rng = random.Random(7)
    kills = [0]

    def killer():
        for _ in range(rng.randint(1, 2)):
            stack.kill_random_worker(rng)
            kills[0] += 1

    bodies = _bodies(500, seed=1)
    results = stack.send_many(bodies, threads=8, during=killer)
    assert [status for status, _, _ in results] == [200] * 500
    references = [ref for _, ref, _ in results]
    assert all(references) and len(set(references)) == 500
    lost, duplicates = _account(stack, references, wait=120)
    record("faults_injected", kills[0])
    print(f"\n{kills[0]} workers killed; {lost} tips lost; {duplicates} duplicate officer SMS")
    assert lost == 0


def test_duplicate_deliveries_racing_each_other_file_one_tip_each(stack):
    stack.start(workers=2)
    bodies = _bodies(60, seed=2)
    sids = [f"SM{n:032x}" for n in range(60)]
    with ThreadPoolExecutor(12) as pool:  # each SMS delivered three times at once
        results = list(pool.map(lambda i: stack.send(bodies[i // 3], "+84912345678",
                                                     sids[i // 3]), range(180)))
    by_sid = {}
    for i, (status, ref, _) in enumerate(results):
        assert status == 200
        by_sid.setdefault(sids[i // 3], set()).add(ref)
    assert all(len(refs) == 1 for refs in by_sid.values())  # the same answer every time
    references = [refs.pop() for refs in by_sid.values()]
    record("faults_injected", 120)
    lost, _ = _account(stack, references, wait=60)
    assert lost == 0 and len(stack.tips()) == 60


def test_redis_restarted_mid_load_and_gone_for_a_while_loses_no_tip_and_timers_come_back(stack):
    stack.start(workers=2, SLA="normal=8s,urgent=8s")
    first = stack.send_many(_bodies(60, seed=3))
    stack.kill(stack.redis_proc)  # every queued job and every escalation timer is gone
    record("faults_injected")
    down = stack.send_many(_bodies(60, seed=4))  # Redis gone: tips still taken, answered fast
    assert [s for s, _, _ in down] == [200] * 60 and max(t for _, _, t in down) < 3
    time.sleep(2)
    stack.start_redis_here()  # back, empty
    record("faults_injected", stack.revive_workers())
    after = stack.send_many(_bodies(30, seed=5))
    references = [ref for _, ref, _ in first + down + after]
    assert all(references)
    lost, _ = _account(stack, references, wait=90)
    assert lost == 0
    escalated = _escalated(stack, [ref for _, ref, _ in first])
    assert escalated == len(first), "escalation timers lost with Redis were not restored"


def _escalated(stack: FaultStack, references: list[str], wait: float = 60) -> int:
    """How many of these tips moved on from their first officer (SLA passed, no OK)."""
    from sqlalchemy import select

    from db.models import Tip
    from db.session import make_engine, reading

    engine = make_engine(stack.database_url)
    deadline = time.monotonic() + wait
    while True:
        with reading(engine) as session:
            done = session.execute(select(Tip.reference).where(
                Tip.reference.in_(references),
                (Tip.escalation_level > 0) | Tip.overdue)).scalars().all()
        if len(done) == len(references) or time.monotonic() > deadline:
            engine.dispose()
            return len(done)
        time.sleep(1)


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL outages need TEST_DATABASE_URL")
def test_postgresql_unreachable_answers_fast_writes_nothing_half_and_recovers_alone(stack):
    stack.start(workers=2, proxy=True)
    before = stack.send_many(_bodies(20, seed=6))
    outcomes = {}
    for mode in ("drop", "stall"):
        stack.proxy.set(mode)
        record("faults_injected")
        answers = [stack.send(body, "+84987654321", sid=f"SM{mode}{n:029x}")
                   for n, body in enumerate(_bodies(6, seed=7))]
        outcomes[mode] = answers
        assert {status for status, _, _ in answers} == {503}, answers
        assert max(took for _, _, took in answers) < 8  # well under Twilio's 15 s
        stack.proxy.set("pass")
        began = time.monotonic()
        while stack.send("TIN 15865 thu lai", "+84363636363")[0] != 200:
            assert time.monotonic() - began < 30, "the gateway did not recover by itself"
            time.sleep(0.2)
        print(f"\n{mode}: answered 503 in at most {max(t for _, _, t in answers):.2f} s; "
              f"recovered {time.monotonic() - began:.2f} s after the database came back")
    retried = [stack.send(body, "+84987654321", sid=f"SM{mode}{n:029x}")  # Twilio's retry
               for mode in outcomes for n, body in enumerate(_bodies(6, seed=7))]
    assert [status for status, _, _ in retried] == [200] * 12
    references = [ref for _, ref, _ in before + retried]
    lost, _ = _account(stack, references, wait=90)
    assert lost == 0
