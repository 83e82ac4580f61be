"""Kannel's sendsms HTTP interface: SMS out through a GSM modem or an SMPP link to a carrier."""

import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable

from db.redact import redact
from flows.text import is_gsm7
from workers.providers.base import SendError, SendResult

# Delivery reports asked for: delivered (1), not delivered (2), accepted by the SMSC (8) and
# rejected by the SMSC (16); "buffered at the SMSC" (4) would only repeat what 8 says.
DLR_MASK = 1 | 2 | 8 | 16
UCS2 = "2"


class KannelProvider:
    """Sends through smsbox's /cgi-bin/sendsms; delivery reports go to the callback URL given.

    sendsms does not return Kannel's message id, so each message is named here (`kannel:<hex>`);
    reports find their message by the id the callback URL carries.
    """

    name = "kannel"

    def __init__(
        self,
        sendsms_url: str,
        username: str,
        password: str,
        sender: str = "",
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 10.0,
    ):
        self.sendsms_url = sendsms_url
        self.credentials = {"username": username, "password": password}
        self.sender = sender
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self.timeout = timeout

    def place_call(self, to: str, text: str, language: str) -> SendResult:
        """Kannel carries SMS only: a call through it fails at once, visibly."""
        raise SendError("kannel cannot place voice calls", retryable=False)

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        """One sendsms request (retried on connection errors and 5xx); raises SendError.

        `status_callback` becomes the dlr-url: Kannel calls it with each delivery report.
        """
        message_id = uuid.uuid4().hex
        url = f"{self.sendsms_url}?{urllib.parse.urlencode(self.params(to, body, status_callback))}"
        for attempt in range(1, self.attempts + 1):
            try:
                status, text = self._get(url)
            except OSError:
                error = SendError("kannel connection failed", retryable=True)
            else:
                if status in (200, 202):
                    state = "queued" if text.startswith("3") else "sent"
                    return SendResult(provider_id=f"kannel:{message_id}", status=state)
                error = _classify(status, text)
            if not error.retryable or attempt == self.attempts:
                raise error
            self.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def params(self, to: str, body: str, dlr_url: str | None) -> dict[str, str]:
        """The sendsms parameters: UTF-8 text, UCS-2 on air when it is not GSM-7, a dlr-url."""
        params = {**self.credentials, "to": to, "text": body, "charset": "UTF-8"}
        if self.sender:
            params["from"] = self.sender
        if not is_gsm7(body):
            params["coding"] = UCS2
        if dlr_url:
            join = "&" if "?" in dlr_url else "?"
            # Kannel fills in %d (the report type) and %A (the SMSC's answer) when it calls.
            params["dlr-url"] = f"{dlr_url}{join}status=%d&answer=%A"
            params["dlr-mask"] = str(DLR_MASK)
        return params

    def _get(self, url: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")


def _classify(status: int, text: str) -> SendError:
    """Kannel's answer as SendError: 4xx (bad request, wrong account) will not pass by retrying."""
    retryable = status >= 500 or status == 429
    return SendError(f"kannel http {status}: {redact(text.strip()[:100])}", retryable, status)
