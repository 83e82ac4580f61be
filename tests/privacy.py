"""The privacy check every test runs: no reporter number in the database or the logs."""

import logging

from sqlalchemy import MetaData, create_engine, select

# Every reporter number the tests use. Tests send tips only from these.
REPORTERS = ("+84912345678", "+84987654321", "+84363636363", "+84868686868", "+84701234567")
STATIC_TABLES = {"province", "commune", "alembic_version"}


def spellings(e164: str) -> set[str]:
    """Ways a number might be written: +84..., 84..., 0..., bare national digits."""
    national = e164[3:]
    return {e164, e164[1:], "0" + national, national}


FORBIDDEN = {s for number in REPORTERS for s in spellings(number)}


def find_numbers(text: str) -> set[str]:
    """Reporter numbers occurring in a text."""
    return {s for s in FORBIDDEN if s in text}


def assert_text_clean(text: str, where: str) -> None:
    """Fail when a reporter number appears in `text`."""
    found = find_numbers(text)
    assert not found, f"reporter number(s) {sorted(found)} found in {where}"


def assert_no_reporter_numbers(url: str) -> None:
    """Scan every column of every traffic table for reporter numbers."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                if table.name in STATIC_TABLES:
                    continue
                for row in conn.execute(select(table)):
                    for column, value in row._mapping.items():
                        if value is not None:
                            assert_text_clean(str(value), f"{table.name}.{column}")
    finally:
        engine.dispose()


class CapturingHandler(logging.Handler):
    """Keeps every formatted record (message and traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a broken record must not break the test it belongs to
            self.lines.append(repr(record.msg))
