"""Text helpers for feature phones: folding, GSM-7 and SMS segment arithmetic."""

import functools
import re
import unicodedata

# GSM 03.38 basic character set and its extension table (extension characters cost two).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
SMS_SINGLE_GSM7 = 160
SMS_MULTI_GSM7 = 153
SMS_SINGLE_UCS2 = 70
SMS_MULTI_UCS2 = 67
USSD_SCREEN_MAX = 182

_SPECIAL_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L"})
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Drop control characters (NUL breaks PostgreSQL text) and normalise to NFC."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", text or ""))


def unaccent(text: str) -> str:
    """Remove Vietnamese diacritics (and other combining marks), keeping case."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def number(text: str) -> int | None:
    """The whole number typed, spaces around ignored; None for anything else, including digits
    no keypad sends ('³', '٣': str.isdigit() takes them, int() does not)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


@functools.lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Match key: unaccented, lower case, single spaces, trimmed. Cached: one message is read
    for its command, follow-up, category, commune, urgency... each folding it again."""
    return _SPACES.sub(" ", unaccent(clean(text)).casefold()).strip()


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 alphabet (basic or extension)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def gsm7_length(text: str) -> int:
    """Septets needed for a GSM-7 text; extension characters take two."""
    return sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)


def segments(text: str) -> int:
    """Number of SMS segments this text costs (GSM-7 when possible, else UCS-2)."""
    if is_gsm7(text):
        length = gsm7_length(text)
        return 1 if length <= SMS_SINGLE_GSM7 else -(-length // SMS_MULTI_GSM7)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= SMS_SINGLE_UCS2 else -(-units // SMS_MULTI_UCS2)


def to_gsm7(text: str) -> str:
    """Unaccented GSM-7 text on one line: other characters dropped, spaces collapsed."""
    plain = unaccent(clean(text))
    kept = "".join(ch if ch in GSM7_BASIC or ch in GSM7_EXTENSION else " " for ch in plain)
    return _SPACES.sub(" ", kept).strip()


def shorten(text: str, limit: int, ellipsis: str = "...") -> str:
    """Cut a GSM-7 text to at most `limit` septets, on a word boundary where possible."""
    if gsm7_length(text) <= limit:
        return text
    budget = limit - len(ellipsis)
    out, used = [], 0
    for ch in text:
        cost = 2 if ch in GSM7_EXTENSION else 1
        if used + cost > budget:
            break
        out.append(ch)
        used += cost
    cut = "".join(out)
    if " " in cut[len(cut) // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + ellipsis
