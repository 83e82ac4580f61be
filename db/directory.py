"""The commune directory: loading the official list and indexing it for the flows."""

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Engine
from vietnam_provinces import Province as VnProvince
from vietnam_provinces import Ward as VnWard

import flows
from db.models import Commune, Province
from db.session import reading, transaction
from flows.directory import name_key


def load(engine: Engine) -> tuple[int, int]:
    """Insert or update all provinces and communes; safe to run again. Returns the counts."""
    provinces = [
        {"code": int(p.code), "name": p.name, "codename": p.codename,
         "division_type": p.division_type.value, "phone_code": p.phone_code}
        for p in VnProvince.iter_all()
    ]
    communes = [
        {"code": int(w.code), "name": w.name, "codename": w.codename,
         "division_type": w.division_type.value, "province_code": int(w.province_code),
         "search_name": name_key(w.name)}
        for w in VnWard.iter_all()
    ]
    with transaction(engine) as session:
        _upsert(session, Province, provinces)
        _upsert(session, Commune, communes)
    return counts(engine)


def _upsert(session, model, rows: list[dict]) -> None:
    """Insert missing rows and update changed ones, in two bulk statements."""
    table = model.__table__
    existing = {row.code: dict(row._mapping) for row in session.execute(select(table))}
    new = [r for r in rows if r["code"] not in existing]
    changed = [r for r in rows if r["code"] in existing and existing[r["code"]] != r]
    if new:
        session.execute(insert(table), new)
    if changed:
        session.execute(
            update(table).where(table.c.code == bindparam("b_code")),
            [{**r, "b_code": r["code"]} for r in changed],
        )


def counts(engine: Engine) -> tuple[int, int]:
    """(provinces, communes) currently in the database."""
    with transaction(engine) as session:
        provinces = session.execute(select(func.count()).select_from(Province)).scalar_one()
        communes = session.execute(select(func.count()).select_from(Commune)).scalar_one()
    return provinces, communes


def build_index(engine: Engine) -> flows.Directory:
    """The in-memory index the flows search (built once per process)."""
    query = select(Commune.code, Commune.name, Commune.province_code, Province.name).join(
        Province, Province.code == Commune.province_code
    ).order_by(Commune.code)  # the same order on every backend: lists of matches are too
    with reading(engine) as session:
        rows = session.execute(query).all()
    return flows.Directory(flows.Commune(*row) for row in rows)
