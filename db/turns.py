"""The two values every conversation step passes around: its environment and its outcome."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import flows
from db.models import Tip
from db.privacy import Keyring
from db.settings import Settings

if TYPE_CHECKING:
    from db.limits import Gate


@dataclass(frozen=True)
class Env:
    """What every conversation needs besides the session: keys, directory, settings."""

    keyring: Keyring
    directory: flows.Directory
    settings: Settings
    gate: "Gate | None" = None  # this process's global-rate gate (db.limits.Gate)

    def timeout(self, channel: str) -> timedelta:
        """How long a conversation on this channel may wait for an answer."""
        if channel == flows.Channel.USSD:
            return timedelta(seconds=self.settings.ussd_timeout_seconds)
        if channel == flows.Channel.VOICE:
            return timedelta(minutes=self.settings.voice_timeout_minutes)
        return timedelta(minutes=self.settings.flow_timeout_minutes)


@dataclass
class Turn:
    """What one input produced: the reply, and the work to enqueue after commit."""

    reply: str = ""
    answer: str = ""  # the reporter's new answer (for USSD: not the whole cumulative input)
    step: flows.Step | None = None
    tips: list[Tip] = field(default_factory=list)  # to (re)dispatch
    outbound_ids: list[int] = field(default_factory=list)  # to send
    limited: str | None = None  # kept but not processed (db.limits): flood, duplicate, ...
