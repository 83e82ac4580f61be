"""Commands, categories and commune search: what a feature-phone user really types."""

import pytest

from flows import Keywords, categories
from flows.categories import Category
from flows.keywords import Command, english_only, is_thanks, parse, says_nothing


@pytest.mark.parametrize("text, command, rest", [
    ("TIN 15865 trom bo", Command.START, "15865 trom bo"),
    ("tin", Command.START, ""),
    ("Tố giác ma túy", Command.START, "ma túy"),
    ("TG 15865", Command.START, "15865"),
    ("BAO 15865 co trom", Command.START, "15865 co trom"),
    ("bao luc o thon 3", None, "bao luc o thon 3"),
    ("Giúp", Command.HELP, ""),
    ("help", Command.HELP, ""),
    ("giup toi voi co trom", None, "giup toi voi co trom"),
    ("HUY", Command.CANCEL, ""),
    ("huy hoai tai san", None, "huy hoai tai san"),
    ("  stop  ", Command.CANCEL, ""),
    ("English", Command.ENGLISH, ""),
    ("Tiếng Việt", Command.VIETNAMESE, ""),
    ("co nguoi la", None, "co nguoi la"),
    ("TIN15865 trom bo", Command.START, "15865 trom bo"),
    ("TOGIAC 15865 trom bo", Command.START, "15865 trom bo"),
    ("Tốgiác15865 trộm bò", Command.START, "15865 trộm bò"),
    ("baotin", Command.START, ""),
    ("BAO15865 co trom", Command.START, "15865 co trom"),
    ("TROGIUP", Command.HELP, ""),
    ("tin123 nguoi", Command.START, "123 nguoi"),
    ("tinh hinh o thon 3", None, "tinh hinh o thon 3"),
    ("huy2", None, "huy2"),
    ("Bao15 luc", Command.START, "15 luc"),
    ("TIN BAO 15865 trom bo", Command.START, "15865 trom bo"),
    ("Tin báo: trộm bò", Command.START, "trộm bò"),
    ("TINBAO15865 trom bo", Command.START, "15865 trom bo"),
    ("tin, co trom", Command.START, "co trom"),
    ("Huỷ.", Command.CANCEL, ""),
])
def test_commands_are_found_whatever_the_spelling(text, command, rest):
    found, remainder, _ = parse(text, Keywords())
    assert (found, remainder) == (command, rest)


@pytest.mark.parametrize("text, empty", [
    ("Alo", True), ("a lô!!", True), ("Xin chào ạ", True), ("  hello ", True), ("chào", True),
    ("Tôi muốn tố giác", True), ("cho em hỏi", True), ("toi muon bao tin cho cong an xa", True),
    ("I want to report a tip", True), ("?", True), ("...", True), ("cảm ơn ạ", True),
    ("alo co trom", False), ("chao mung", False), ("hi vong", False), ("giup toi voi", False),
    ("cứu", False), ("help me", False), ("toi muon to giac nguoi ban ma tuy", False),
    ("2", True), ("toi muon bao tin 1", True), ("15865", False), ("co nguoi la", False),
    ("co 2 nguoi la", False),
])
def test_a_message_that_tells_nothing_yet_is_recognised(text, empty):
    assert says_nothing(text, Keywords()) is empty


@pytest.mark.parametrize("text, thanks", [
    ("Cảm ơn ạ", True), ("cam on cong an nhieu", True), ("ok", True), ("Thank you!", True),
    ("vâng, cảm ơn anh", True), ("da", True),
    ("toi muon to giac, cam on", False), ("cam on, co trom o thon 2", False), ("alo", False),
    ("hang cam", False), ("", False),
])
def test_thanks_alone_is_recognised(text, thanks):
    assert is_thanks(text, Keywords()) is thanks


@pytest.mark.parametrize("text, english", [
    ("I want to report", True), ("thank you", True), ("Hello", False), ("thanks", False),
    ("ok", False), ("hello ok", False), ("alo", False), ("toi muon to giac", False), ("", False),
])
def test_english_fillers_are_recognised(text, english):
    assert english_only(text) is english


def test_keywords_are_configurable():
    custom = Keywords(start=("bao an",))
    assert parse("BAO AN 15865 x", custom)[0] is Command.START
    assert parse("TIN 15865 x", custom)[0] is None


@pytest.mark.parametrize("text, category", [
    ("co nguoi ban ma tuy o bai song", Category.DRUGS),
    ("Có người bán ma túy", Category.DRUGS),
    ("trom xe may dem qua", Category.THEFT),
    ("xoc dia o nha van hoa", Category.GAMBLING),
    ("lo de o quan nuoc", Category.GAMBLING),
    ("cuop giat dien thoai", Category.ROBBERY),
    ("co nguoi la mat hay lui toi", Category.STRANGER),
    ("co nguoi la mat cho hang cam o thon 3", Category.CONTRABAND),
    ("cho vay nang lai", Category.LENDING),
    ("lua sang trung quoc ban", Category.TRAFFICKING),
    ("giau sung trong nha", Category.WEAPONS),
    ("chay nha o xom 2", Category.FIRE),
    ("tranh chap dat dai", Category.DISPUTE),
    ("my motorbike was stolen", Category.THEFT),
    ("hom nay troi dep", None),
])
def test_categories_are_guessed_from_words(text, category):
    assert categories.guess(text) == category


@pytest.mark.parametrize("text, urgent", [
    ("co cuop o cho, khan cap", True),
    ("dang dien ra tai nha van hoa", True),
    ("Đang xảy ra ẩu đả", True),
    ("rat gap, co nguoi mang sung", True),
    ("Có người lạ, cần gấp", True),  # gấp: urgent
    ("Tôi gặp người lạ mặt ở thôn 3", False),  # gặp: to meet
    ("toi gap nguoi la mat o thon 3", False),  # unaccented, gap is far likelier to meet
    ("cuu voi, no dang dap pha nha", True),
    ("Cứu với!", True),
    ("Có kẻ trộm cừu nhà bác Tư", False),  # cừu: sheep
    ("doi tuong nguy hiem, mang dao", True),
    ("hom qua co nguoi la den hoi duong", False),
])
def test_urgency_is_read_from_the_words_and_their_accents_where_typed(text, urgent):
    assert categories.is_urgent(Category.OTHER, text, ()) is urgent


def test_menu_numbers_map_to_the_seven_menu_categories():
    assert [categories.from_menu(str(i)) for i in range(1, 8)] == list(categories.MENU)
    assert categories.from_menu("8") is None and categories.from_menu("x") is None


def test_commune_search_prefers_the_dialled_province(directory):
    found = directory.search("tan thanh", province_code=38)
    assert [c.code for c in found] == [15661]
    assert len(directory.search("tan thanh")) == 3


@pytest.mark.parametrize("typed", ["hoang hoa", "Xã Hoằng Hóa", "xa hoang hoa", "X. Hoang Hoa",
                                   "HOANG HOA", "hoang hoá"])
def test_commune_search_ignores_prefix_case_and_diacritics(directory, typed):
    assert [c.code for c in directory.search(typed, 38)] == [15865]


def test_commune_search_forgives_a_typo_within_the_province(directory):
    assert 15865 in [c.code for c in directory.search("hoang hao", 38)]


def test_commune_search_returns_nothing_for_nonsense(directory):
    assert directory.search("xyzzy", 38) == [] and directory.search("x", 38) == []


@pytest.mark.parametrize("text, province, code", [
    ("co trom o xa Hoằng Hóa dem qua", 38, 15865),
    ("XA HOANG HOA: trom bo", None, 15865),
    ("phuong Hac Thanh co nguoi la", 38, 14797),
    ("o xa tan thanh co danh bac", 38, 15661),
    ("o xa tan thanh co danh bac", None, None),  # three Tan Thanh: which one is not said
    ("o phuong Hoi An co nguoi la", 38, None),  # another province's name, dialled here
    ("te nan xa hoi an ninh kem", None, None),  # "xa hoi" is society, not Xa Hoi...
    ("co phuong tien la dem qua", None, None),  # "phuong tien" is a vehicle
    ("nha toi o xa lam", 38, None),  # one word after "xa" is too often an ordinary word
    ("xa hoang hoa va xa hoang phu", 38, None),  # two communes: ask
    ("hoang hoa co trom", 38, None),  # no title: the reporter is asked, as before
])
def test_a_commune_named_with_its_title_in_a_sentence_is_found(directory, text, province, code):
    found = directory.named(text, province)
    assert (found.code if found else None) == code
