"""The commune directory: 34 provinces, 3,321 communes, loaded idempotently."""

from db import directory
from db.models import Commune, Province
from db.session import make_engine
from tests.helpers import rows


def test_the_directory_holds_every_province_and_commune(database_url):
    engine = make_engine(database_url)
    assert directory.counts(engine) == (34, 3321)
    assert directory.load(engine) == (34, 3321)  # again: nothing doubles
    [commune] = rows(engine, Commune, Commune.code == 15865)
    assert (commune.name, commune.province_code, commune.search_name) == (
        "Xã Hoằng Hóa", 38, "hoang hoa")
    [province] = rows(engine, Province, Province.code == 38)
    assert province.name == "Thanh Hóa"
    assert len(rows(engine, Commune, Commune.province_code == 38)) == 166
    engine.dispose()


def test_the_flow_index_is_built_from_the_database(database_url):
    engine = make_engine(database_url)
    index = directory.build_index(engine)
    assert len(index) == 3321 and index.get(15865).province_name == "Thanh Hóa"
    engine.dispose()
