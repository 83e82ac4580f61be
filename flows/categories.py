"""Tip categories, the numbered menu, and guessing a category from free text."""

import re
import unicodedata
from enum import Enum

from flows.text import fold, number, unaccent


class Category(str, Enum):
    """What a tip is about; values are stable codes stored in the database."""

    DRUGS = "ma_tuy"
    THEFT = "trom_cap"
    GAMBLING = "danh_bac"
    ROBBERY = "cuop"
    STRANGER = "nguoi_la"
    CONTRABAND = "hang_cam"
    LENDING = "cho_vay"
    TRAFFICKING = "buon_nguoi"
    WEAPONS = "vu_khi"
    FIRE = "chay"
    DISPUTE = "mau_thuan"
    OTHER = "khac"


# The menu every channel shows, in this order (1..7).
MENU: tuple[Category, ...] = (
    Category.DRUGS,
    Category.THEFT,
    Category.GAMBLING,
    Category.ROBBERY,
    Category.STRANGER,
    Category.CONTRABAND,
    Category.OTHER,
)

# Display names: the admin view shows them as they are; SMS texts get them unaccented (label).
NAMES: dict[str, dict[Category, str]] = {
    "vi": {
        Category.DRUGS: "Ma túy",
        Category.THEFT: "Trộm cắp",
        Category.GAMBLING: "Đánh bạc",
        Category.ROBBERY: "Cướp/bạo lực",
        Category.STRANGER: "Người lạ mặt",
        Category.CONTRABAND: "Hàng cấm",
        Category.LENDING: "Cho vay trái phép",
        Category.TRAFFICKING: "Buôn bán người",
        Category.WEAPONS: "Vũ khí, vật liệu nổ",
        Category.FIRE: "Cháy nổ",
        Category.DISPUTE: "Mâu thuẫn",
        Category.OTHER: "Khác",
    },
    "en": {
        Category.DRUGS: "Drugs",
        Category.THEFT: "Theft",
        Category.GAMBLING: "Gambling",
        Category.ROBBERY: "Robbery/violence",
        Category.STRANGER: "Stranger",
        Category.CONTRABAND: "Contraband",
        Category.LENDING: "Illegal lending",
        Category.TRAFFICKING: "Trafficking",
        Category.WEAPONS: "Weapons, explosives",
        Category.FIRE: "Fire, explosion",
        Category.DISPUTE: "Dispute",
        Category.OTHER: "Other",
    },
}

# Folded phrases per category, most serious first: the first category with a hit wins.
_WORDS: tuple[tuple[Category, tuple[str, ...]], ...] = (
    (Category.ROBBERY, ("cuop", "giat", "danh nhau", "danh nguoi", "bao luc", "chem", "dam chet",
                        "hanh hung", "giet", "robbery", "robbed", "assault", "violence", "fight",
                        "stabbing", "mugging")),
    (Category.TRAFFICKING, ("buon ban nguoi", "buon nguoi", "ban nguoi", "lua sang trung quoc",
                            "trafficking")),
    (Category.WEAPONS, ("vu khi", "sung", "luu dan", "thuoc no", "vat lieu no", "kip no",
                        "weapon", "gun", "explosive", "grenade")),
    (Category.DRUGS, ("ma tuy", "heroin", "thuoc lac", "ke ma tuy", "can sa", "tiem chich",
                      "nghien", "hut chich", "bach phien", "drug", "drugs", "meth", "cannabis")),
    (Category.CONTRABAND, ("hang cam", "buon lau", "hang lau", "phao no", "phao", "hang gia",
                           "contraband", "smuggling", "smuggled", "fireworks")),
    (Category.GAMBLING, ("danh bac", "co bac", "song bac", "lo de", "ghi de", "so de", "xoc dia",
                         "ca do", "danh bai", "ca cuoc", "gambling", "betting")),
    (Category.THEFT, ("trom", "an cap", "mat cap", "bi lay mat", "theft", "thief", "stolen",
                      "steal", "burglary")),
    (Category.LENDING, ("cho vay", "vay nang lai", "tin dung den", "lai suat cao", "doi no",
                        "loan shark", "illegal lending")),
    (Category.FIRE, ("chay nha", "dam chay", "hoa hoan", "chay rung", "bi chay", "fire")),
    (Category.DISPUTE, ("mau thuan", "tranh chap", "cai nhau", "xich mich", "dispute")),
    (Category.STRANGER, ("la mat", "nguoi la", "doi tuong la", "stranger", "strangers")),
)
_PATTERNS = tuple(
    (category, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b"))
    for category, words in _WORDS
)
# Words that signal something happening now, so the tip is handled as urgent.
_URGENT = re.compile(r"\b(?:khan cap|cap cuu|dang xay ra|dang dien ra|ngay bay gio|ngay luc nay|"
                     r"nguy hiem|rat gap|gap lam|gap gap|khan gap|gap qua|bao gap|"
                     r"urgent|emergency|now)\b")
# Words whose unaccented spelling is also a common other word: 'gap' is gấp (urgent) but more
# often gặp (to meet: "toi gap nguoi la mat"), 'cuu' is cứu (help!) or cừu (sheep). Typed with
# accents, the accents decide; typed without, 'cuu' alone counts, 'gap' only in a phrase above.
_AMBIGUOUS = {"gap": ("gấp", False), "cuu": ("cứu", True)}
_WORD = re.compile(r"\w+")


def guess(text: str) -> Category | None:
    """Guess the category of a free-text tip, or None when no known word occurs."""
    key = fold(text)
    for category, pattern in _PATTERNS:
        if pattern.search(key):
            return category
    return None


def from_menu(choice: str) -> Category | None:
    """The category for a menu number ('1'..'7'), or None."""
    key = number(choice)
    return MENU[key - 1] if key is not None and 1 <= key <= len(MENU) else None


def is_urgent(category: Category, text: str, urgent_categories: tuple[str, ...]) -> bool:
    """Urgent when the category is one of the deployment's urgent ones (by code), or the
    reporter says it is happening now."""
    return category.value in urgent_categories or _says_urgent(text)


def _says_urgent(text: str) -> bool:
    if _URGENT.search(fold(text)):
        return True
    for word in _WORD.findall(unicodedata.normalize("NFC", text).casefold()):
        plain = unaccent(word)
        if plain in _AMBIGUOUS:
            urgent_spelling, unaccented_counts = _AMBIGUOUS[plain]
            if word == urgent_spelling or (word == plain and unaccented_counts):
                return True
    return False


def name(category: Category | str, language: str) -> str:
    """The display name of a category in a language (Vietnamese fallback), with diacritics."""
    return NAMES.get(language, NAMES["vi"])[Category(category)]


def label(category: Category | str, language: str) -> str:
    """The unaccented display name of a category in a language, for SMS."""
    return unaccent(name(category, language))
