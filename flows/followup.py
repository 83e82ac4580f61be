"""Reporter follow-up commands: TT <ref> <PIN> (status) and THEM <ref> <PIN> <text> (add)."""

import re
from dataclasses import dataclass
from enum import Enum

from flows.text import clean, fold


class FollowupKind(str, Enum):
    """Which follow-up the reporter asked for."""

    STATUS = "status"
    MORE = "more"


_WORDS = (("trang thai", FollowupKind.STATUS), ("tt", FollowupKind.STATUS),
          ("status", FollowupKind.STATUS), ("bo sung", FollowupKind.MORE),
          ("them", FollowupKind.MORE), ("more", FollowupKind.MORE))
_NUMBERS = re.compile(r"^\s*((?:\d\s*){6})\s*(\d{4})(?!\d)")


@dataclass(frozen=True)
class Followup:
    """A follow-up request: reference and PIN as typed, and any added text."""

    kind: FollowupKind
    reference: str
    pin: str
    text: str = ""


def parse(message: str) -> Followup | None:
    """A follow-up command, or None (a keyword not followed by reference + PIN is no command:
    'them nguoi la...' is the start of a tip, not THEM)."""
    text = clean(message).strip()
    key = fold(text)
    for words, kind in _WORDS:
        if key.startswith(words + " ") or re.match(rf"^{words}\d", key):
            rest = text[len(words):]
            match = _NUMBERS.match(rest)
            if match:
                reference = "".join(match.group(1).split())
                return Followup(kind, reference, match.group(2), rest[match.end():].strip())
    return None
