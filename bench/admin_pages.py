"""Admin page times with many tips: seed N tips (bulk, with timelines) into a fresh database,
then time each page as an admin and as a province supervisor (median of several requests).

    .venv/bin/python bench/admin_pages.py                      # SQLite, 100,000 tips
    .venv/bin/python bench/admin_pages.py --server postgresql://postgres@127.0.0.1:5432/postgres
"""

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db import demo, directory, migrate, users  # noqa: E402
from db.models import Role  # noqa: E402
from db.session import make_engine, transaction, utcnow  # noqa: E402
from db.settings import Settings  # noqa: E402
from tests.seed import insert_tips, random_specs  # noqa: E402

PAGES = [
    ("dashboard, last 30 days", "/admin/"),
    ("dashboard, whole year", "/admin/?from={year_ago}"),
    ("tip list, page 1", "/admin/tips"),
    ("tip list, page 1000", "/admin/tips?page=1000"),
    ("tip list, search 'thon 7'", "/admin/tips?q=thon+7"),
    ("tip list, overdue in 38", "/admin/tips?overdue=1&province=38"),
    ("tip detail", "/admin/tips/{tip}"),
    ("CSV report, whole year", "/admin/reports/communes.csv?from={year_ago}"),
    ("communes search", "/admin/communes?q=hoang"),
]


def database(server: str | None, workdir: Path) -> tuple[str, callable]:
    """A fresh database URL and how to drop it."""
    if not server:
        return f"sqlite:///{workdir / 'bench.db'}", lambda: None
    name = f"tinbao_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return server.rsplit("/", 1)[0] + "/" + name, drop


def seed(url: str, n: int) -> None:
    """Schema, directory, demo officers, two logins and n tips."""
    migrate.upgrade(url)
    engine = make_engine(url)
    directory.load(engine)
    demo.seed_officers(engine)
    with transaction(engine) as session:
        users.create(session, "admin@bench", "bench-password", Role.ADMIN, utcnow())
        users.create(session, "sup@bench", "bench-password", Role.SUPERVISOR, utcnow(),
                     province_code=38)
    started = time.perf_counter()
    insert_tips(engine, random_specs(engine, n, utcnow()), events=True)
    print(f"seeded {n:,} tips with timelines in {time.perf_counter() - started:.1f} s")
    if url.startswith("postgresql"):
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    engine.dispose()


def measure(url: str, repeat: int) -> dict:
    """Median milliseconds per page and role."""
    from gateway import create_app
    from tests.admin import token

    settings = Settings.from_env({
        "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(24),
        "PSEUDONYM_KEY": secrets.token_urlsafe(24),
        "REPLY_ADDRESS_KEY": Fernet.generate_key().decode(),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16), "REDIS_URL": "redis://127.0.0.1:1/0"})
    app = create_app(settings)
    year_ago = (utcnow() - timedelta(days=365)).date().isoformat()
    results = {}
    for email in ("admin@bench", "sup@bench"):
        client = app.test_client()
        client.post("/admin/login", data={"email": email, "password": "bench-password",
                                          "csrf_token": token(client)})
        for label, path in PAGES:
            path = path.format(year_ago=year_ago, tip=50_000 if email == "admin@bench" else "")
            if "{" in path or path.endswith("/tips/"):
                continue
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(path)
                response.get_data()
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            results[f"{email.split('@')[0]}: {label}"] = round(statistics.median(times), 1)
    app.extensions["tinbao"].engine.dispose()
    return results


def main() -> None:
    """Seed, measure, print and save."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", help="PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--tips", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url, drop = database(args.server, Path(workdir))
        try:
            seed(url, args.tips)
            results = measure(url, args.repeat)
        finally:
            drop()
    backend = "postgresql" if args.server else "sqlite"
    for name, ms in results.items():
        print(f"{backend:<10} {name:<45} {ms:>8.1f} ms")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"admin_pages_{backend}.json").write_text(json.dumps(
        {"tips": args.tips, "repeat": args.repeat, "median_ms": results}, indent=1))


if __name__ == "__main__":
    main()
