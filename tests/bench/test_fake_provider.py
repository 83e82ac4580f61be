"""The fake provider's log is read while the server writes it: only whole lines count."""

import json

from bench.fake_provider import arrivals


def test_a_line_still_being_written_is_left_for_the_next_read(tmp_path):
    log = tmp_path / "provider.jsonl"
    whole = json.dumps({"t": 1.0, "ref": "123456", "to": "0115", "body": "TIN BAO 123456"})
    log.write_text(whole + "\n" + whole[:40])
    assert [item["ref"] for item in arrivals(str(log))] == ["123456"]
    with open(log, "a") as more:
        more.write(whole[40:] + "\n")
    assert [item["ref"] for item in arrivals(str(log))] == ["123456", "123456"]
