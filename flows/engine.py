"""The types a flow speaks: input in, a new state plus prompts and effects out."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import cached_property
from typing import Any

from flows.directory import Directory


class Channel(str, Enum):
    """Where a conversation happens; the flow is the same, only rendering differs."""

    SMS = "sms"
    USSD = "ussd"
    VOICE = "voice"


class InputKind(str, Enum):
    """What happened: the reporter said something, or the conversation timed out."""

    TEXT = "text"
    TIMEOUT = "timeout"
    START = "start"  # a USSD session or a call begins: show the main menu or the greeting
    NO_INPUT = "no_input"  # a call's <Gather> or <Record> got nothing
    RECORDING = "recording"  # a call's <Record> finished: data has "url" and "seconds"
    RESULT = "result"  # the answer to a Lookup effect, carried in data


class WaitKind(str, Enum):
    """The kind of answer a node waits for; voice and USSD render it (Gather, Record...)."""

    CHOICE = "choice"
    DIGITS = "digits"
    TEXT = "text"
    RECORDING = "recording"
    SPEECH = "speech"


@dataclass(frozen=True)
class Input:
    """One event from the reporter's side of the conversation."""

    kind: InputKind = InputKind.TEXT
    text: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Wait:
    """What the flow expects next (count: number of menu options or digits)."""

    kind: WaitKind
    count: int | None = None


@dataclass(frozen=True)
class Prompt:
    """A message to show or say, by key, with its parameters (and a language of its own)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    language: str | None = None  # e.g. "For English, press 2" inside a Vietnamese greeting


@dataclass(frozen=True)
class Keywords:
    """Commands recognised in any message (folded phrases); configurable per deployment."""

    start: tuple[str, ...] = ("tin", "tin bao", "to giac", "tg", "bao tin", "bao", "tip",
                              "report")
    help: tuple[str, ...] = ("giup", "tro giup", "huong dan", "help")
    cancel: tuple[str, ...] = ("huy", "stop", "dung", "cancel")
    english: tuple[str, ...] = ("english", "en")
    vietnamese: tuple[str, ...] = ("tieng viet", "vi", "vn")
    # Keywords that are also ordinary words ("bao luc" = violence): a command only when
    # the message is the keyword alone or the keyword followed by a commune code.
    ambiguous: tuple[str, ...] = ("bao",)
    english_words: tuple[str, ...] = ("tip", "report", "help", "stop", "cancel", "english", "en")
    # A first message that is only one of these starts a tip at its first question: it is
    # not the tip's text ("alo" is how a call, and many a first SMS, begins).
    greetings: tuple[str, ...] = ("alo", "a lo", "allo", "xin chao", "chao", "chao ban",
                                  "chao anh", "chao chi", "xin chao a", "chao a", "hello", "hi")
    # Words that tell nothing about what happened. A first message made only of these, the
    # greetings and the start keywords ("toi muon to giac", "cho em hoi", "I want to report")
    # is treated as a greeting. Never words of distress ("giup", "cuu", "help"): those are tips.
    intents: tuple[str, ...] = (
        "muon", "can", "xin", "cho", "hoi", "gui", "nhan", "tin", "bao", "cao", "to", "giac",
        "trinh", "khai", "phan", "lien", "he", "thu", "test", "want", "would", "like", "make",
        "give", "send", "report", "tip", "need")
    fillers: tuple[str, ...] = (
        "toi", "tui", "em", "anh", "chi", "chau", "minh", "ban", "chu", "bac", "co", "ong", "ba",
        "con", "cong", "an", "ca", "xa", "phuong", "oi", "a", "ah", "ha", "nhe", "nha", "nhi",
        "day", "vay", "the", "khong", "ko", "k", "duoc", "dc", "ai", "gi", "la", "va", "de", "mot",
        "chut", "ve", "viec", "nhieu", "rat", "lam", "i", "please", "hey", "police", "is", "this",
        "there", "anyone", "yes", "you", "so", "much", "very")
    # A message made only of thanks or an acknowledgement and fillers ("cam on a", "ok",
    # "thank you") is answered, never filed: reporters send it back after a receipt.
    thanks: tuple[str, ...] = ("cam on", "thank", "thanks", "ok", "oke", "okay", "vang", "da",
                               "u", "uh")

    @cached_property
    def polite_words(self) -> frozenset[str]:
        """The words of the greetings, fillers and thanks: a message of only these says no more
        than hello or thank you."""
        return _words(self.greetings, self.fillers, self.thanks)

    @cached_property
    def longest_command(self) -> int:
        """Words in the longest command phrase: how much of a message's start parse reads."""
        phrases = (*self.start, *self.help, *self.cancel, *self.english, *self.vietnamese)
        return max(len(phrase.split()) for phrase in phrases)

    @cached_property
    def empty_words(self) -> frozenset[str]:
        """The polite words and the words of wanting to report, start keywords included."""
        return self.polite_words | _words(self.intents, self.start)


def _words(*lists: tuple[str, ...]) -> frozenset[str]:
    """Every word of every phrase of the lists."""
    return frozenset(word for phrases in lists for phrase in phrases for word in phrase.split())


@dataclass(frozen=True)
class Context:
    """Everything a step may know besides the state: the caller supplies it (no I/O here)."""

    now: datetime
    channel: Channel
    directory: Directory
    language: str = "vi"
    province_code: int | None = None
    reference: str = ""
    pin: str = ""
    keywords: Keywords = Keywords()
    max_retries: int = 2
    speech: bool = False  # voice: callers may speak; the tip gets a spoken summary (transcript)
    # The languages a caller or USSD user may pick, in key order (1, 2, 3...). Beyond vi and en,
    # a deployment's recorded voice languages: their texts fall back to Vietnamese.
    languages: tuple[str, ...] = ("vi", "en")
    # Categories whose tips are urgent whatever the words (URGENT_CATEGORIES), by stored code.
    urgent_categories: tuple[str, ...] = ("cuop",)


@dataclass
class State:
    """A conversation in progress; plain data so the caller can store it as JSON."""

    node: str
    language: str = "vi"
    answers: dict[str, Any] = field(default_factory=dict)
    retries: int = 0
    flow: str = "tip"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "flow": self.flow,
            "node": self.node,
            "language": self.language,
            "answers": dict(self.answers),
            "retries": self.retries,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "State":
        """Inverse of to_dict."""
        return cls(
            node=data["node"],
            language=data.get("language", "vi"),
            answers=dict(data.get("answers", {})),
            retries=int(data.get("retries", 0)),
            flow=data.get("flow", "tip"),
        )


@dataclass(frozen=True)
class FileTip:
    """Effect: store a tip with these answers (reference and PIN come from the context)."""

    category: str
    commune_code: int | None
    province_code: int | None
    details: str
    language: str
    urgent: bool
    reference: str
    pin: str
    recording_url: str | None = None
    transcript: str | None = None


@dataclass(frozen=True)
class SetLanguage:
    """Effect: remember the reporter's language."""

    language: str


@dataclass(frozen=True)
class Lookup:
    """Effect: look this tip up and advance again with Input(RESULT, data=what was found)."""

    reference: str
    pin: str


@dataclass(frozen=True)
class AttachRecording:
    """Effect: a call's recording arrived after its conversation ended; add it to the tip the
    call filed, or file `fallback` when the call filed none."""

    url: str
    fallback: FileTip


Effect = FileTip | SetLanguage | Lookup | AttachRecording


@dataclass(frozen=True)
class Step:
    """The result of one advance: new state (None = conversation over), prompts, effects."""

    state: State | None
    prompts: tuple[Prompt, ...] = ()
    effects: tuple[Effect, ...] = ()
    wait: Wait | None = None
    language: str = "vi"

    @property
    def filed(self) -> FileTip | None:
        """The FileTip effect of this step, if any."""
        return next((e for e in self.effects if isinstance(e, FileTip)), None)

    @property
    def lookup(self) -> Lookup | None:
        """The Lookup effect of this step, if any."""
        return next((e for e in self.effects if isinstance(e, Lookup)), None)


def expiry(now: datetime, timeout: timedelta) -> datetime:
    """When a conversation that just moved will be filed as abandoned."""
    return now + timeout
