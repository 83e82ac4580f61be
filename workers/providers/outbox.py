"""The demo provider: nothing leaves the machine; the outbox table is the phone."""

import uuid

from workers.providers.base import SendResult


class OutboxProvider:
    """Accepts every message at once; `tinbao outbox` and the simulator show them."""

    name = "outbox"


    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        """Record the message as sent."""
        return SendResult(provider_id=f"OB{uuid.uuid4().hex}", status="sent")

    def place_call(self, to: str, text: str, language: str) -> SendResult:
        """Record the call as placed."""
        return SendResult(provider_id=f"OC{uuid.uuid4().hex}", status="sent")
