"""The officer's dispatch stays one GSM-7 segment, whatever a phone tip adds to it."""

import pytest

from flows import categories, messages
from flows.text import segments

LINK = "https://tinbao.congan.thanhhoa.gov.vn/r/482913hq3k1Ab3dE5fG"


@pytest.mark.parametrize("link", [LINK, "http://127.0.0.1:5000/r/482913hq3k1Ab3dE5fG", ""])
def test_a_phone_tip_dispatch_keeps_the_link_and_the_reply_hint_in_one_segment(directory, link):
    longest = max((directory.get(c) for c in directory._by_code), key=lambda c: len(c.name))
    for category in categories.Category:
        body = messages.dispatch("482913", category.value, longest.name, "co nguoi " * 40, True,
                                 "voice", link)
        assert segments(body) == 1 and body.isascii(), body
        assert body.startswith("TIN BAO 482913 KHAN: ") and "(Tin goi dien)" in body
        assert body.endswith(f" Nghe: {link} Tra loi: OK 482913" if link else
                             " Tra loi: OK 482913")


def test_a_dispatch_without_a_link_is_unchanged():
    assert messages.dispatch("482913", "trom_cap", "Xã Hoằng Hóa", "trom bo", False) == (
        'TIN BAO 482913: Trom cap, Xa Hoang Hoa. "trom bo" Tra loi: OK 482913')
    assert messages.dispatch("482913", "trom_cap", "", "", False, "voice") == (
        "TIN BAO 482913: Trom cap. (Tin goi dien) Tra loi: OK 482913")
