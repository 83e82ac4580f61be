"""The privacy check every test runs: no reporter number in the database or the logs."""

import logging
import re

from flask import request
from sqlalchemy import MetaData, create_engine, select

from tests.summary import record

# Every reporter number the tests use. Tests send tips only from these.
REPORTERS = ("+84912345678", "+84987654321", "+84363636363", "+84868686868", "+84701234567")
STATIC_TABLES = {"province", "commune", "alembic_version"}


def spellings(e164: str) -> set[str]:
    """Ways a number might be written: +84..., 84..., 0..., bare national digits."""
    national = e164[3:]
    return {e164, e164[1:], "0" + national, national}


FORBIDDEN = {s for number in REPORTERS for s in spellings(number)}
# Any spelling at all: the national digits, whatever spaces, dots or dashes sit between them
# (so '+84 912 345 678', '0912.345.678' and '%2B84912345678' are caught too).
SPACED = re.compile("|".join(r"[\s.\-]?".join(number[3:]) for number in REPORTERS))


def find_numbers(text: str) -> set[str]:
    """Reporter numbers occurring in a text."""
    return {s for s in FORBIDDEN if s in text} | set(SPACED.findall(text))


def assert_text_clean(text: str, where: str) -> None:
    """Fail when a reporter number appears in `text`."""
    found = find_numbers(text)
    if found:
        record("privacy_hits", len(found))
    assert not found, f"reporter number(s) {sorted(found)} found in {where}"


def assert_no_reporter_numbers(url: str) -> int:
    """Scan every column of every traffic table for reporter numbers; returns cells scanned."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url)
    cells = 0
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
                            cells += 1
                            assert_text_clean(str(value), f"{table.name}.{column}")
    finally:
        engine.dispose()
        record("privacy_cells", cells)
    return cells


def watch(app) -> None:
    """Scan every response the app gives (pages, TwiML, USSD screens, JSON) for numbers."""

    @app.after_request
    def _scan(response):
        if response.direct_passthrough:  # static files
            return response
        if response.is_streamed:  # CSV exports: scanned as the client reads them
            response.response = _scanned(response.response, request.path)
        else:
            record("privacy_responses")
            assert_text_clean(response.get_data(as_text=True), f"the response to {request.path}")
        return response


def _scanned(chunks, path: str):
    """Pass a streamed body through, then check all of it (a number may span two chunks)."""
    seen = []
    for chunk in chunks:
        seen.append(chunk if isinstance(chunk, str) else chunk.decode("utf-8", "replace"))
        yield chunk
    record("privacy_responses")
    assert_text_clean("".join(seen), f"the streamed response to {path}")


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
