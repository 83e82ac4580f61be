"""What an outbound SMS provider must offer, and how it reports failure."""

from dataclasses import dataclass
from typing import Protocol


class SendError(Exception):
    """A send that did not happen; `retryable` says whether trying again may help.

    The message never contains the recipient's number (providers echo it in errors).
    """

    def __init__(self, reason: str, retryable: bool, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code


@dataclass(frozen=True)
class SendResult:
    """A provider accepted the message under this id."""

    provider_id: str
    status: str = "sent"


class Provider(Protocol):
    """An SMS provider: Twilio, a Twilio-compatible platform, Kannel, or the local outbox."""

    name: str

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        """Hand one SMS to the provider, or raise SendError."""
        ...

    def place_call(self, to: str, text: str, language: str) -> SendResult:
        """Call `to` and read `text` aloud in `language` (e.g. vi-VN), or raise SendError."""
        ...
