"""The migrations build exactly the schema the models describe."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers the tables)
from db import directory, migrate
from db.session import make_engine
from tests.conftest import BACKENDS, TEST_DATABASE_URL


def test_the_migrated_database_matches_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []



@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """A database of its own with no table yet (SQLite file, or a PostgreSQL database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"tinbao_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_latest_migration_upgrades_a_database_that_holds_tips(empty_database):
    """A migration that copies a table (SQLite's batch mode) fails once other tables' rows
    refer to it: a revision added after the first release must upgrade a database in use."""
    migrate.upgrade(empty_database, "0005")
    engine = make_engine(empty_database)
    directory.load(engine)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO tip (reference, pin_hash, channel, category, commune_code, province_code,"
            " details, language, urgency, status, escalation_level, dispatch_round, overdue,"
            " pin_failures, created_at) VALUES ('482913', 'x', 'sms', 'khac', 15865, 38, 'd',"
            " 'vi', 'normal', 'received', 0, 0, false, 0, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO tipevent (tip_id, kind, at, actor, data) SELECT id, 'received',"
            " CURRENT_TIMESTAMP, 'system', '{}' FROM tip"))
    engine.dispose()
    migrate.upgrade(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM tipevent")).scalar_one() == 1
        assert connection.execute(text(
            "SELECT duplicate_of_id FROM tip WHERE reference = '482913'")).first() == (None,)
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()
