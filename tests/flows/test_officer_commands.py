"""What officers and reporters type on basic phones, parsed."""

import pytest

from flows.followup import FollowupKind
from flows.followup import parse as parse_followup
from flows.officer import Decision, OfficerCommand, parse


@pytest.mark.parametrize("text, command, reference, rest", [
    ("OK 482913", OfficerCommand.ACK, "482913", ""),
    ("ok 482 913", OfficerCommand.ACK, "482913", ""),
    ("Ok482913", OfficerCommand.ACK, "482913", ""),
    ("  NHAN  482913 ", OfficerCommand.ACK, "482913", ""),
    ("XONG 482913", OfficerCommand.RESOLVE, "482913", ""),
    ("Xong 482913 da bat 2 doi tuong", OfficerCommand.RESOLVE, "482913", "da bat 2 doi tuong"),
    ("HOI 482913 nha o gan cong hay cuoi xom?", OfficerCommand.ASK, "482913",
     "nha o gan cong hay cuoi xom?"),
    ("hỏi 482913 mấy giờ?", OfficerCommand.ASK, "482913", "mấy giờ?"),
    ("DS", OfficerCommand.LIST, None, ""),
    ("danh sach", OfficerCommand.LIST, None, ""),
    ("OK", OfficerCommand.ACK, None, ""),
    ("OK 4829", OfficerCommand.ACK, None, "4829"),
    ("OK 4829135", OfficerCommand.ACK, None, "4829135"),
    ("Đã nhận ạ", OfficerCommand.ACK, None, "ạ"),
    ("chao anh", OfficerCommand.HELP, None, ""),
    ("", OfficerCommand.HELP, None, ""),
])
def test_officer_commands_are_read_whatever_the_spelling(text, command, reference, rest):
    parsed = parse(text)
    assert (parsed.command, parsed.reference, parsed.text) == (command, reference, rest)


@pytest.mark.parametrize("text, decision, note", [
    ("XONG 482913 KT", Decision.PROSECUTE, ""),
    ("XONG 482913 kkt khong du can cu", Decision.NOT_PROSECUTE, "khong du can cu"),
    ("xong 482913 Tạm đình chỉ chờ giám định", Decision.SUSPEND, "chờ giám định"),
    ("XONG 482913 khoi to vu an", Decision.PROSECUTE, "vu an"),
    ("XONG 482913 da hoa giai", None, "da hoa giai"),
])
def test_the_art_147_decision_is_read_from_xong(text, decision, note):
    parsed = parse(text)
    assert (parsed.decision, parsed.text) == (decision, note)


@pytest.mark.parametrize("text, code", [
    ("CHUYEN 482913 15868", 15868), ("chuyển 482 913 00070", 70), ("CHUYEN 482913", None),
])
def test_transfer_reads_a_commune_code(text, code):
    parsed = parse(text)
    assert (parsed.command, parsed.reference, parsed.commune_code) == (
        OfficerCommand.TRANSFER, "482913", code)


@pytest.mark.parametrize("text, kind, reference, pin, rest", [
    ("TT 482913 4721", FollowupKind.STATUS, "482913", "4721", ""),
    ("tt 482 913 4721", FollowupKind.STATUS, "482913", "4721", ""),
    ("Trạng thái 482913 4721", FollowupKind.STATUS, "482913", "4721", ""),
    ("THEM 482913 4721 xe bien so 36A", FollowupKind.MORE, "482913", "4721", "xe bien so 36A"),
    ("Bổ sung 482913 4721 hắn đi xe đỏ", FollowupKind.MORE, "482913", "4721", "hắn đi xe đỏ"),
    ("Kiểm tra 482913 4721", FollowupKind.STATUS, "482913", "4721", ""),
    ("482913 4721", FollowupKind.STATUS, "482913", "4721", ""),  # what a receipt gave, alone
    (" 482 913  4721 ", FollowupKind.STATUS, "482913", "4721", ""),
    ("482913, 4721", FollowupKind.STATUS, "482913", "4721", ""),
    ("TT 482913", FollowupKind.STATUS, "482913", "", ""),  # the PIN is missing: asked for
    ("them 482913", FollowupKind.MORE, "482913", "", ""),
])
def test_reporter_follow_ups_are_read(text, kind, reference, pin, rest):
    found = parse_followup(text)
    assert (found.kind, found.reference, found.pin, found.text) == (kind, reference, pin, rest)


@pytest.mark.parametrize("text", ["them nguoi la mat o thon 3", "TT", "tt xa hoang",
                                  "thembot 1", "them 500000 dong bi mat o cho",
                                  "482913 4721 nguoi la", "15865 trom bo", "0912345678",
                                  "4829134721", "0912 345 678"])
def test_a_follow_up_word_without_reference_and_pin_is_not_a_command(text):
    assert parse_followup(text) is None
