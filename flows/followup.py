"""Reporter follow-up commands: TT <ref> <PIN> (status) and THEM <ref> <PIN> <text> (add)."""

import re
from dataclasses import dataclass
from enum import Enum

from flows.text import clean, fold


class FollowupKind(str, Enum):
    """Which follow-up the reporter asked for."""

    STATUS = "status"
    MORE = "more"


_WORDS = (("trang thai", FollowupKind.STATUS), ("kiem tra", FollowupKind.STATUS),
          ("tt", FollowupKind.STATUS),
          ("status", FollowupKind.STATUS), ("bo sung", FollowupKind.MORE),
          ("them", FollowupKind.MORE), ("more", FollowupKind.MORE))
_NUMBERS = re.compile(r"^\s*((?:\d\s*){6})\s*(\d{4})(?!\d)")
_REFERENCE_ALONE = re.compile(r"^\s*((?:\d\s*){6})$")
# The reference and PIN alone need something between them: "0912345678" is a phone number.
_BARE = re.compile(r"^\s*(\d{3}\s?\d{3})[\s.,;:/-]+(\d{4})\s*$")


@dataclass(frozen=True)
class Followup:
    """A follow-up request: reference and PIN as typed, and any added text."""

    kind: FollowupKind
    reference: str
    pin: str
    text: str = ""
    bare: bool = False  # the reference and PIN alone, without a command word


def parse(message: str) -> Followup | None:
    """A follow-up command, or None (a keyword not followed by reference + PIN is no command:
    'them nguoi la...' is the start of a tip, not THEM). A reference and PIN sent alone ask
    for the status; a keyword and a reference without the PIN give a Followup whose pin is
    empty (the reporter is told the PIN is needed)."""
    text = clean(message).strip()
    key = fold(text)
    alone = _BARE.match(text)
    if alone:  # "482913 4721"
        return Followup(FollowupKind.STATUS, "".join(alone.group(1).split()), alone.group(2),
                        bare=True)
    for words, kind in _WORDS:
        if key.startswith(words + " ") or re.match(rf"^{words}\d", key):
            rest = text[len(words):]
            match = _NUMBERS.match(rest)
            if match:
                reference = "".join(match.group(1).split())
                return Followup(kind, reference, match.group(2), rest[match.end():].strip())
            if missing_pin := _REFERENCE_ALONE.match(rest):  # "TT 482913"
                return Followup(kind, "".join(missing_pin.group(1).split()), "")
    return None
