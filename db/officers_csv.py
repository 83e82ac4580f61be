"""Officers in and out as CSV: every bad line reported by number, nothing written unless all
lines are good; phones normalised to E.164, communes by GSO code."""

import csv
import io
from dataclasses import dataclass, field
from datetime import time

from sqlalchemy import select
from sqlalchemy.engine import Engine

from db.models import Commune, Officer, OfficerKind, Province
from db.privacy import AddressError, normalize_phone
from db.session import reading, transaction, utcnow

COLUMNS = ("name", "phone", "kind", "commune_code", "province_code", "priority", "duty_start",
           "duty_end", "active")
_TRUE, _FALSE = {"", "1", "yes", "true", "co", "x"}, {"0", "no", "false", "khong"}


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_csv(engine: Engine, text: str, country: str = "VN", dry_run: bool = False
               ) -> ImportReport:
    """Create or update officers (matched by phone) from CSV text with a header line."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"name", "phone"} - set(reader.fieldnames or ())
    if missing:
        report.errors.append((1, f"header lacks {', '.join(sorted(missing))}"))
        return report
    with reading(engine) as session:
        communes = {c.code: c.province_code for c in session.execute(select(Commune)).scalars()}
        provinces = set(session.execute(select(Province.code)).scalars())
    rows, seen = [], {}
    for raw in reader:
        line = reader.line_num  # the file's own numbering: blank lines and quoted breaks count
        row, problems = _validate(raw, country, communes, provinces)
        if row and row["phone"] in seen:
            problems.append(f"phone repeats line {seen[row['phone']]}")
        report.errors += [(line, p) for p in problems]
        if row and not problems:
            seen[row["phone"]] = line
            rows.append(row)
    if report.errors or dry_run:
        return report
    now = utcnow()
    with transaction(engine) as session:
        existing = {o.phone: o for o in session.execute(select(Officer)).scalars()}
        for row in rows:
            officer = existing.get(row["phone"])
            if officer is None:
                session.add(Officer(**row, created_at=now))
                report.created += 1
            else:
                for name, value in row.items():
                    setattr(officer, name, value)
                report.updated += 1
    return report


def _validate(raw: dict, country: str, communes: dict[int, int], provinces: set[int]):
    """(clean row, problems) for one CSV line."""
    get = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    problems = []
    if not get["name"]:
        problems.append("name is empty")
    try:
        phone = normalize_phone(get["phone"], country)
    except AddressError:
        problems.append(f"phone {get['phone']!r} is not a phone number")
        phone = None
    try:
        kind = OfficerKind(get["kind"] or "commune")
    except ValueError:
        problems.append(f"kind {get['kind']!r} is not commune, province_desk or national_desk")
        kind = OfficerKind.COMMUNE
    commune = _int(get["commune_code"], "commune_code", problems)
    province = _int(get["province_code"], "province_code", problems)
    if kind == OfficerKind.COMMUNE:
        if commune not in communes:
            problems.append(f"commune_code {get['commune_code'] or '(empty)'} is not a commune")
        else:
            province = communes[commune]
    elif kind == OfficerKind.PROVINCE_DESK and province not in provinces:
        problems.append(f"province_code {get['province_code'] or '(empty)'} is not a province")
    start, end = _hours(get["duty_start"], get["duty_end"], problems)
    if get["active"].lower() not in _TRUE | _FALSE:
        problems.append(f"active {get['active']!r} is not yes/no")
    row = {"name": get["name"][:120], "phone": phone, "kind": kind,
           "commune_code": commune if kind == OfficerKind.COMMUNE else None,
           "province_code": province if kind != OfficerKind.NATIONAL_DESK else None,
           "priority": _int(get["priority"], "priority", problems) or 0,
           "duty_start": start, "duty_end": end,
           "active": get["active"].lower() not in _FALSE}
    return (row if phone else None), problems


def _int(value: str, name: str, problems: list[str]) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        problems.append(f"{name} {value!r} is not a number")
        return None


def _hours(start: str, end: str, problems: list[str]) -> tuple[str | None, str | None]:
    if not start and not end:
        return None, None
    try:
        return tuple(time.fromisoformat(v).strftime("%H:%M") for v in (start, end))
    except ValueError:
        problems.append(f"duty hours {start!r}-{end!r} are not HH:MM-HH:MM")
        return None, None


def export_csv(engine: Engine) -> str:
    """All officers as CSV, in the format import_csv reads."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    with reading(engine) as session:
        officers = session.execute(
            select(Officer).order_by(Officer.kind, Officer.commune_code, Officer.priority,
                                     Officer.id)).scalars()
        for o in officers:
            writer.writerow({"name": o.name, "phone": o.phone, "kind": o.kind.value,
                             "commune_code": o.commune_code or "",
                             "province_code": o.province_code or "", "priority": o.priority,
                             "duty_start": o.duty_start or "", "duty_end": o.duty_end or "",
                             "active": "yes" if o.active else "no"})
    return out.getvalue()
