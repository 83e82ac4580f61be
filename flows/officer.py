"""Officer SMS commands: OK, XONG, HOI, CHUYEN, TRUNG, DS — parsed from what a basic phone
sends."""

import re
from dataclasses import dataclass
from enum import Enum

from flows.text import clean, fold


class OfficerCommand(str, Enum):
    """What an officer asked for."""

    ACK = "ok"
    RESOLVE = "xong"
    ASK = "hoi"
    TRANSFER = "chuyen"
    LINK = "trung"  # the same case as another tip
    LIST = "ds"
    HELP = "help"


class Decision(str, Enum):
    """Outcome recorded when a tip is resolved (Criminal Procedure Code art. 147)."""

    PROSECUTE = "prosecute"
    NOT_PROSECUTE = "not_prosecute"
    SUSPEND = "suspend"


_WORDS = {
    "ok": OfficerCommand.ACK, "nhan": OfficerCommand.ACK, "da nhan": OfficerCommand.ACK,
    "xong": OfficerCommand.RESOLVE,
    "hoi": OfficerCommand.ASK, "chuyen": OfficerCommand.TRANSFER, "ds": OfficerCommand.LIST,
    "trung": OfficerCommand.LINK, "trung vu": OfficerCommand.LINK, "gop": OfficerCommand.LINK,
    "danh sach": OfficerCommand.LIST,
}
_DECISIONS = (("khong khoi to", Decision.NOT_PROSECUTE), ("kkt", Decision.NOT_PROSECUTE),
              ("khoi to", Decision.PROSECUTE), ("kt", Decision.PROSECUTE),
              ("tam dinh chi", Decision.SUSPEND), ("tdc", Decision.SUSPEND))
_REFERENCE = re.compile(r"^\s*((?:\d\s*){6})(?!\d)")
_CODE = re.compile(r"^\s*(\d{1,5})\b")


@dataclass(frozen=True)
class Parsed:
    """A parsed officer message; reference is None when it was missing or malformed."""

    command: OfficerCommand
    reference: str | None = None
    text: str = ""
    commune_code: int | None = None
    decision: Decision | None = None
    other: str | None = None  # TRUNG: the reference of the tip whose case this one is


def parse(message: str) -> Parsed:
    """Read an officer's SMS; anything unrecognised is a request for help."""
    text = clean(message).strip()
    key = fold(text)
    for word in sorted(_WORDS, key=len, reverse=True):
        if key == word or key.startswith(word + " ") or re.match(rf"^{word}\d", key):
            command = _WORDS[word]
            rest = text[len(word):] if fold(text[:len(word)]) == word else text.split(None, 1)[-1]
            return _arguments(command, rest)
    return Parsed(OfficerCommand.HELP)


def _arguments(command: OfficerCommand, rest: str) -> Parsed:
    if command is OfficerCommand.LIST:
        return Parsed(command)
    match = _REFERENCE.match(rest)
    if not match:
        return Parsed(command, text=rest.strip())
    reference = "".join(match.group(1).split())
    rest = rest[match.end():].strip()
    if command is OfficerCommand.TRANSFER:  # a code, or a name ("CHUYEN 482913 Hoang Hoa")
        code = _CODE.match(rest)
        if code:
            return Parsed(command, reference, commune_code=int(code.group(1)))
        return Parsed(command, reference, rest)
    if command is OfficerCommand.LINK:
        other = _REFERENCE.match(rest)
        return Parsed(command, reference, rest, other="".join(other.group(1).split())
                      if other else None)
    if command is OfficerCommand.RESOLVE:
        decision, rest = _decision(rest)
        return Parsed(command, reference, rest, decision=decision)
    return Parsed(command, reference, rest)


def _decision(rest: str) -> tuple[Decision | None, str]:
    key = fold(rest)
    for words, decision in _DECISIONS:
        if key == words or key.startswith(words + " "):
            return decision, " ".join(rest.split()[len(words.split()):])
    return None, rest
