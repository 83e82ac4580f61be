"""Folding, GSM-7 detection, segment counting and shortening."""

import pytest

from flows.text import (
    fold,
    gsm7_length,
    is_gsm7,
    number,
    segments,
    shorten,
    to_gsm7,
    unaccent,
)


@pytest.mark.parametrize("raw, folded", [
    ("Tố Giác", "to giac"),
    ("  ĐÁNH   BẠC\tở thôn 3 ", "danh bac o thon 3"),
    ("Xã Hoằng Hóa", "xa hoang hoa"),
    ("Người lạ mặt", "nguoi la mat"),
    ("ư ơ ă â ê ô đ Đ", "u o a a e o d d"),
    ("", ""),
])
def test_fold_ignores_case_diacritics_and_spacing(raw, folded):
    assert fold(raw) == folded


def test_unaccent_keeps_case():
    assert unaccent("Đánh Bạc") == "Danh Bac"


@pytest.mark.parametrize("text, count", [
    ("a" * 160, 1),
    ("a" * 161, 2),
    ("a" * 306, 2),
    ("a" * 307, 3),
    ("[" * 80, 1),  # extension characters count twice
    ("[" * 81, 2),
    ("đ" * 70, 1),  # any Vietnamese diacritic switches the message to UCS-2
    ("đ" * 71, 2),
    ("🙂" * 35, 1),  # surrogate pairs take two UCS-2 units
    ("🙂" * 36, 2),
])
def test_segments_follow_gsm7_and_ucs2_limits(text, count):
    assert segments(text) == count


def test_to_gsm7_turns_vietnamese_and_emoji_into_plain_text():
    out = to_gsm7("Đánh bạc ở thôn 3 🙏\nngay mai")
    assert out == "Danh bac o thon 3 ngay mai"
    assert is_gsm7(out)


def test_shorten_cuts_on_a_word_and_respects_extension_characters():
    assert shorten("mot hai ba bon nam sau", 15) == "mot hai ba..."
    assert gsm7_length(shorten("{" * 50, 20)) <= 20
    assert shorten("ngan", 10) == "ngan"


@pytest.mark.parametrize("typed, value", [("7", 7), (" 15865 ", 15865), ("³", None), ("٣", None),
                                          ("1 2", None), ("", None), ("-1", None)])
def test_a_number_is_ascii_digits_only(typed, value):
    assert number(typed) == value
