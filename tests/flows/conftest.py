"""The commune directory for flow tests, straight from the official package (no database)."""

import pytest
from vietnam_provinces import Province, Ward

import flows


@pytest.fixture(scope="session")
def directory() -> flows.Directory:
    """All 3,321 communes."""
    names = {p.code: p.name for p in Province.iter_all()}
    return flows.Directory(
        flows.Commune(int(w.code), w.name, int(w.province_code), names[w.province_code])
        for w in Ward.iter_all()
    )
