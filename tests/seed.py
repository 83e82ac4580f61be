"""Tips with known timings, inserted in bulk: for the dashboard reference tests and the bench."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from db.models import Commune, Officer, Tip, TipEvent, TipStatus
from db.session import transaction

CATEGORIES = ("ma_tuy", "trom_cap", "danh_bac", "cuop", "nguoi_la", "hang_cam", "khac")
CHANNELS = ("sms", "sms", "sms", "ussd", "voice")


@dataclass(frozen=True)
class Spec:
    """One tip: where, what, when, and after how many seconds each stage came (None: not yet)."""

    commune: int
    created: datetime
    dispatch: float | None = None
    ack: float | None = None
    resolve: float | None = None
    valuable: bool | None = None
    category: str = "ma_tuy"
    channel: str = "sms"
    urgent: bool = False
    overdue: bool = False
    closed: bool = False
    officer_id: int | None = None
    details: str = "co nguoi la mat o thon 3"

    @property
    def status(self) -> TipStatus:
        """The status these timings mean."""
        if self.closed:
            return TipStatus.CLOSED
        for seconds, status in ((self.resolve, TipStatus.RESOLVED),
                                (self.ack, TipStatus.ACKNOWLEDGED),
                                (self.dispatch, TipStatus.DISPATCHED)):
            if seconds is not None:
                return status
        return TipStatus.RECEIVED


def insert_tips(engine: Engine, specs: list[Spec], events: bool = False, chunk: int = 5000,
                first_reference: int = 100_000) -> None:
    """Insert the tips (and, with `events`, their timeline) in bulk statements."""
    with transaction(engine) as session:
        provinces = dict(session.execute(select(Commune.code, Commune.province_code)).all())
    for offset in range(0, len(specs), chunk):
        part = specs[offset:offset + chunk]
        rows = [_row(s, first_reference + offset + i, provinces) for i, s in enumerate(part)]
        with transaction(engine) as session:
            ids = session.execute(insert(Tip).returning(Tip.id, sort_by_parameter_order=True),
                                  rows).scalars().all()
            if events:
                timeline = [e for tip_id, s in zip(ids, part, strict=True)
                            for e in _events(tip_id, s)]
                session.execute(insert(TipEvent), timeline)


def _after(spec: Spec, seconds: float | None) -> datetime | None:
    return spec.created + timedelta(seconds=seconds) if seconds is not None else None


def _row(spec: Spec, reference: int, provinces: dict[int, int]) -> dict:
    return {
        "reference": str(reference), "pin_hash": "0" * 64, "channel": spec.channel,
        "category": spec.category, "commune_code": spec.commune,
        "province_code": provinces.get(spec.commune), "details": spec.details,
        "language": "vi", "urgency": "urgent" if spec.urgent else "normal",
        "status": spec.status.value, "officer_id": spec.officer_id, "escalation_level": 0,
        "dispatch_round": 0, "overdue": spec.overdue,
        "legal_deadline_at": spec.created + timedelta(days=20), "valuable": spec.valuable,
        "pin_failures": 0, "created_at": spec.created,
        "dispatched_at": _after(spec, spec.dispatch), "acknowledged_at": _after(spec, spec.ack),
        "resolved_at": _after(spec, spec.resolve),
        "closed_at": spec.created + timedelta(days=1) if spec.closed else None,
    }


def _events(tip_id: int, spec: Spec) -> list[dict]:
    steps = [("received", 0.0), ("dispatched", spec.dispatch), ("acknowledged", spec.ack),
             ("resolved", spec.resolve)]
    return [{"tip_id": tip_id, "kind": kind, "at": spec.created + timedelta(seconds=seconds),
             "actor": "seed", "officer_id": spec.officer_id, "data": {}}
            for kind, seconds in steps if seconds is not None]


def random_specs(engine: Engine, n: int, now: datetime, days: int = 365,
                 seed: int = 5) -> list[Spec]:
    """n tips over the last `days` days in every commune, with plausible timings."""
    rng = random.Random(seed)
    with transaction(engine) as session:
        communes = list(session.execute(select(Commune.code)).scalars())
        officers = dict(session.execute(select(Officer.commune_code, Officer.id)
                                        .where(Officer.commune_code.is_not(None))).all())
    specs = []
    for _ in range(n):
        commune = rng.choice(communes)
        created = now - timedelta(seconds=rng.uniform(0, days * 86400))
        dispatch = rng.uniform(1, 30) if rng.random() < 0.97 else None
        ack = dispatch + rng.expovariate(1 / 1200) if dispatch and rng.random() < 0.85 else None
        resolve = ack + rng.expovariate(1 / 86400 / 3) if ack and rng.random() < 0.7 else None
        specs.append(Spec(
            commune=commune, created=created, dispatch=dispatch, ack=ack, resolve=resolve,
            valuable=rng.choice((True, False, None)), category=rng.choice(CATEGORIES),
            channel=rng.choice(CHANNELS), urgent=rng.random() < 0.1,
            overdue=ack is None and dispatch is not None and rng.random() < 0.3,
            officer_id=officers.get(commune),
            details=f"tin so {rng.randrange(10**6)} co nguoi la mat o thon {rng.randrange(20)}"))
    return specs
