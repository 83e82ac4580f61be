"""Demo data: an officer for every commune of one province, its duty desk and a national desk.

Phone numbers come from Ofcom's range reserved for drama (+44 7700 900000-900999):
they can never reach a real person.
"""

from sqlalchemy import select
from sqlalchemy.engine import Engine

from db.models import Commune, Officer, OfficerKind, Province
from db.session import transaction, utcnow

DEMO_PROVINCE = 38  # Thanh Hoa: 166 communes
FICTITIOUS_PREFIX = "+447700900"
NATIONAL_DESK_PHONE = FICTITIOUS_PREFIX + "000"


def fictitious_phone(n: int) -> str:
    """The n-th number of the reserved drama range (0..999)."""
    if not 0 <= n <= 999:
        raise ValueError("the reserved range holds 1,000 numbers")
    return f"{FICTITIOUS_PREFIX}{n:03d}"


def seed_officers(engine: Engine, province_code: int = DEMO_PROVINCE) -> int:
    """Create the demo officers if missing; returns how many were created."""
    now = utcnow()
    created = 0
    with transaction(engine) as session:
        province = session.get(Province, province_code)
        if province is None:
            raise ValueError(f"province {province_code} is not loaded; run `tinbao directory load`")
        communes = session.execute(
            select(Commune).where(Commune.province_code == province_code).order_by(Commune.code)
        ).scalars().all()
        existing = set(session.execute(select(Officer.phone)).scalars())
        wanted = [
            Officer(name="Trực ban Công an toàn quốc", phone=NATIONAL_DESK_PHONE,
                    kind=OfficerKind.NATIONAL_DESK, created_at=now),
            Officer(name=f"Trực ban Công an {province.name}", phone=fictitious_phone(1),
                    kind=OfficerKind.PROVINCE_DESK, province_code=province_code, created_at=now),
        ]
        wanted += [
            Officer(name=f"Công an {c.name}", phone=fictitious_phone(10 + i),
                    kind=OfficerKind.COMMUNE, commune_code=c.code, province_code=province_code,
                    created_at=now)
            for i, c in enumerate(communes)
        ]
        for officer in wanted:
            if officer.phone not in existing:
                session.add(officer)
                created += 1
    return created
