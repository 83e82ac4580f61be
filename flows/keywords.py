"""Recognising commands at the start of a message, whatever the case or diacritics."""

import re
from enum import Enum

from flows.engine import Keywords
from flows.text import fold


class Command(str, Enum):
    """A command word a reporter can send at any time."""

    START = "start"
    HELP = "help"
    CANCEL = "cancel"
    ENGLISH = "english"
    VIETNAMESE = "vietnamese"


_TOKEN = re.compile(r"\S+")
_GLUED = re.compile(r"([^\W\d_]+)(\d+)?")


def parse(text: str, keywords: Keywords) -> tuple[Command | None, str, str | None]:
    """Split a message into (command, the rest in its original spelling, the keyword)."""
    original, text = text, _unglue(text, keywords)
    tokens = [m for m in _TOKEN.finditer(text)]
    # "TIN BAO:" is TIN BAO; only the start of a message can be a command
    folded = [fold(m.group()).rstrip(".,:;!?-") for m in tokens[:keywords.longest_command]]
    table = (
        (Command.HELP, keywords.help),
        (Command.CANCEL, keywords.cancel),
        (Command.ENGLISH, keywords.english),
        (Command.VIETNAMESE, keywords.vietnamese),
        (Command.START, keywords.start),
    )
    best: tuple[int, Command, str] | None = None
    for command, phrases in table:
        for phrase in phrases:
            words = phrase.split()
            if folded[: len(words)] == words and (best is None or len(words) > best[0]):
                best = (len(words), command, phrase)
    if best is None:
        return None, original.strip(), None
    size, command, phrase = best
    rest = text[tokens[size - 1].end() :].strip() if size < len(tokens) else ""
    only_words = command in (Command.ENGLISH, Command.VIETNAMESE, Command.HELP, Command.CANCEL)
    if only_words and rest:
        # "huy" alone cancels; "huy hoai tai san..." is a tip about vandalism.
        return None, original.strip(), None
    if phrase in keywords.ambiguous and rest and not rest.split()[0].isdigit():
        return None, original.strip(), None
    return command, rest, phrase


def _unglue(text: str, keywords: Keywords) -> str:
    """A keyword typed without its spaces or run into the commune code ("TOGIAC 15865",
    "TIN15865") is spelled out, so it is found like "TO GIAC 15865" and "TIN 15865"."""
    first = _TOKEN.search(text)
    glued = _GLUED.fullmatch(fold(first.group())) if first else None
    if glued is None:
        return text
    letters, digits = glued.groups()
    phrases = (*keywords.start, *keywords.help, *keywords.cancel, *keywords.english,
               *keywords.vietnamese)
    for phrase in phrases:
        if (digits or " " in phrase) and phrase.replace(" ", "") == letters:
            return f"{text[:first.start()]}{phrase} {digits or ''}{text[first.end():]}"
    return text


def is_english(phrase: str | None, keywords: Keywords) -> bool:
    """True when the keyword used is an English one."""
    return phrase is not None and phrase in keywords.english_words


_WORD = re.compile(r"[^\W_]+")
_ENGLISH_FILLERS = frozenset({"i", "want", "to", "would", "like", "a", "make", "give", "send",
                              "report", "tip", "need", "please", "hey", "hello", "hi", "police",
                              "is", "this", "there", "anyone", "yes", "ok", "okay", "thank",
                              "thanks", "you", "so", "much", "very"})


def says_nothing(text: str, keywords: Keywords) -> bool:
    """The message tells nothing yet: a greeting ("Alo!", "xin chào ạ"), the wish to report
    ("Tôi muốn tố giác", "cho em hỏi"), a menu key out of its menu ("2"), or no word ("?")."""
    return all(word in keywords.empty_words or (word.isdigit() and len(word) < 5)
               for word in _WORD.findall(fold(text)))


def is_thanks(text: str, keywords: Keywords) -> bool:
    """The message is only thanks or an acknowledgement ("Cảm ơn ạ", "ok", "thank you")."""
    words = _WORD.findall(fold(text))
    joined = f" {' '.join(words)} "
    return any(f" {phrase} " in joined for phrase in keywords.thanks) and all(
        word in keywords.polite_words for word in words)


def english_only(text: str) -> bool:
    """Two words or more, every one an English filler ("I want to report", "thank you");
    "ok", "hello" or "thanks" alone are as much Vietnamese texting as English."""
    words = _WORD.findall(fold(text))
    return len(words) >= 2 and all(word in _ENGLISH_FILLERS for word in words) and not all(
        word in ("ok", "okay", "a", "hello", "hi") for word in words)


_DONT_KNOW = frozenset(
    {"0", "khong biet", "ko biet", "k biet", "kb", "khong ro", "ko ro", "dont know",
     "don't know", "unknown", "no idea", "bo qua", "skip",
     # asked for their commune: the province's police instead (their own commune's officer
     # may know them, or be part of what they report)
     "tinh", "cong an tinh", "ca tinh", "gui tinh", "gui cong an tinh", "province",
     "provincial police"}
)


def is_dont_know(text: str) -> bool:
    """The reporter does not know (or wants to skip) the answer; for the commune, also: they
    want the province's police instead."""
    return fold(text) in _DONT_KNOW
