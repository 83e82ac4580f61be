"""The `tinbao` command for a newcomer: outbox, officers, directory, migrations."""

import json

from tests.helpers import rows, run_worker, sms
from tests.privacy import REPORTERS


def test_outbox_lists_messages_with_masked_officers_and_hidden_reporters(client, settings, rt,
                                                                        runner):
    sms(client, settings, "TIN 15865 trom bo o thon 3")
    run_worker(rt.redis)
    result = runner.invoke(args=["outbox", "--json"])
    assert result.exit_code == 0, result.output
    notice, dispatch = json.loads(result.output)
    assert dispatch["recipient"] == "officer" and dispatch["address"].startswith("+44")
    assert "•" in dispatch["address"] and dispatch["body"].startswith("TIN BAO ")
    assert notice["recipient"] == "reporter" and notice["address"] == "(hidden)"
    assert dispatch["tip_reference"] == notice["tip_reference"] and dispatch["status"] == "sent"
    text = runner.invoke(args=["outbox"]).output
    assert "TIN BAO" in text and REPORTERS[0][3:] not in text


def test_officers_list_shows_the_demo_officers(runner):
    result = runner.invoke(args=["officers", "list", "--json"])
    officers = json.loads(result.output)
    assert len(officers) == 168
    [hoang_hoa] = [o for o in officers if o["commune_code"] == 15865]
    assert hoang_hoa["commune"] == "Xã Hoằng Hóa" and hoang_hoa["phone"].startswith("+447700900")
    assert "Xã Hoằng Hóa" in runner.invoke(args=["officers", "list", "--commune", "15865"]).output


def test_directory_load_and_db_upgrade_are_idempotent(runner):
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["directory", "load"])
    assert result.output.strip() == "34 provinces, 3321 communes"


def test_demo_seed_creates_nothing_twice(runner, app):
    from db.models import Officer

    before = len(rows(app.extensions["tinbao"].engine, Officer))
    assert "0 demo officers created" in runner.invoke(args=["demo", "seed"]).output
    assert len(rows(app.extensions["tinbao"].engine, Officer)) == before
