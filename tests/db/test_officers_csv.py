"""Importing and exporting officers as CSV: bad lines by number, nothing half-imported."""

from db import officers_csv
from db.models import Officer
from db.session import make_engine
from tests.helpers import rows

GOOD = """name,phone,kind,commune_code,province_code,priority,duty_start,duty_end,active
Nguyen Van An,0912 000 111,commune,15865,,1,07:00,19:00,yes
Tran Thi Binh,+84912000222,commune,15865,,2,19:00,07:00,yes
Truc ban Thanh Hoa,02373 852 000,province_desk,,38,0,,,yes
"""
BAD = """name,phone,kind,commune_code,province_code,priority,duty_start,duty_end,active
Nguyen Van An,0912 000 111,commune,15865,,1,07:00,19:00,yes
,0912000333,commune,15865,,,,,
Le Van Cuong,12,commune,15865,,,,,
Pham Dung,0912000444,commune,99999,,,,,
Hoang Em,0912000555,sheriff,15865,,,,,
Vu Giang,0912000666,commune,15865,,x,7h,19h,maybe
Nguyen Van An 2,0912000111,commune,15865,,,,,
"""


def test_a_good_file_creates_then_updates_officers(database_url):
    engine = make_engine(database_url)
    report = officers_csv.import_csv(engine, GOOD)
    assert (report.created, report.updated, report.errors) == (3, 0, [])
    an = rows(engine, Officer, Officer.phone == "+84912000111")[0]
    assert (an.commune_code, an.province_code, an.duty_start, an.duty_end) == (
        15865, 38, "07:00", "19:00")
    again = officers_csv.import_csv(engine, GOOD.replace("Nguyen Van An", "Nguyen V. An"))
    assert (again.created, again.updated) == (0, 3)
    assert rows(engine, Officer, Officer.phone == "+84912000111")[0].name == "Nguyen V. An"
    engine.dispose()


def test_bad_lines_are_listed_by_number_and_nothing_is_written(database_url):
    engine = make_engine(database_url)
    report = officers_csv.import_csv(engine, BAD)
    lines = {}
    for line, problem in report.errors:
        lines.setdefault(line, []).append(problem)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert lines[3] == ["name is empty"]
    assert "is not a phone number" in lines[4][0]
    assert lines[5] == ["commune_code 99999 is not a commune"]
    assert "sheriff" in lines[6][0]
    assert len(lines[7]) == 3  # priority, hours, active
    assert lines[8] == ["phone repeats line 2"]
    assert rows(engine, Officer) == []
    engine.dispose()


def test_line_numbers_are_the_files_own_with_blank_lines_and_quoted_line_breaks(database_url):
    text = BAD.replace("\nLe Van Cuong", "\n\nLe Van Cuong").replace(
        "Hoang Em,", '"Hoang\nEm",')
    engine = make_engine(database_url)
    report = officers_csv.import_csv(engine, text)
    engine.dispose()
    lines = {line: problem for line, problem in report.errors}
    assert sorted(lines) == [3, 5, 6, 8, 9, 10]  # a blank line 4; "Hoang / Em" ends on line 8
    assert "is not a phone number" in lines[5] and "sheriff" in lines[8]


def test_export_reads_back_as_the_same_officers(database_url, officers):
    engine = make_engine(database_url)
    text = officers_csv.export_csv(engine)
    assert text.count("\n") == 169  # header + 168 demo officers
    report = officers_csv.import_csv(engine, text)
    assert (report.created, report.updated, report.errors) == (0, 168, [])
    engine.dispose()


def test_the_cli_imports_and_exports(runner, tmp_path):
    source = tmp_path / "officers.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert runner.invoke(args=["officers", "import", str(source), "--dry-run"]).exit_code == 0
    result = runner.invoke(args=["officers", "import", str(source)])
    assert result.output.strip() == "3 created, 0 updated"
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    failed = runner.invoke(args=["officers", "import", str(bad)])
    assert failed.exit_code == 1 and "line 5: commune_code 99999" in failed.output
    out = tmp_path / "out.csv"
    assert "171 officers written" in runner.invoke(args=["officers", "export", str(out)]).output
