"""Twilio (or any Twilio-compatible platform such as Somleng) through the official client."""

import os
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests
from requests.utils import get_environ_proxies
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from workers.providers.base import SendError, SendResult
from workers.providers.twilio_http import KeptAliveClient, TransportError

# Twilio error codes worth another try later (queue overflow, rate limits).
RETRYABLE_CODES = frozenset({20429, 30001, 63018})


class TwilioProvider:
    """Sends SMS with twilio.rest.Client, retrying 429/5xx/connection errors with backoff."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        messaging_service_sid: str = "",
        base_url: str = "",
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 10.0,
        call_from: str = "",
    ):
        self.client = Client(account_sid, auth_token, http_client=_http(base_url, timeout))
        if base_url:
            self.client.api.base_url = base_url
        self.from_number = from_number
        self.call_from = call_from
        self.messaging_service_sid = messaging_service_sid
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        """POST /Messages.json; raises SendError (retryable or not) when it cannot."""
        params = {"to": to, "body": body, **self._sender()}
        if status_callback:
            params["status_callback"] = status_callback
        message = self._retrying(lambda: self.client.messages.create(**params))
        return SendResult(provider_id=message.sid, status=message.status or "queued")

    def place_call(self, to: str, text: str, language: str) -> SendResult:
        """POST /Calls.json with inline TwiML that reads the text twice."""
        twiml = VoiceResponse()
        for _ in range(2):
            twiml.say(text, language=language)
            twiml.pause(length=1)
        from_ = self.from_number or self.call_from
        call = self._retrying(lambda: self.client.calls.create(to=to, from_=from_,
                                                                twiml=str(twiml)))
        return SendResult(provider_id=call.sid, status=call.status or "queued")

    def _sender(self) -> dict[str, str]:
        if self.messaging_service_sid:
            return {"messaging_service_sid": self.messaging_service_sid}
        return {"from_": self.from_number}

    def _retrying(self, request: Callable):
        """Run an API request, retrying 429/5xx/connection errors with exponential backoff."""
        for attempt in range(1, self.attempts + 1):
            try:
                return request()
            except TwilioRestException as exc:
                error = _classify(exc)
            except (requests.ConnectionError, requests.Timeout, *TransportError):
                error = SendError("twilio connection failed", retryable=True)
            except TwilioException:
                error = SendError("twilio client error", retryable=True)
            if not error.retryable or attempt == self.attempts:
                raise error
            self.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")


def _http(base_url: str, timeout: float) -> KeptAliveClient | TwilioHttpClient:
    """The client's transport, with the proxy and CA settings of the environment read once.

    Every request goes to one API host and a process's environment does not change, so they
    are read here, not on every request (requests' `trust_env` re-read them per call): a kept-
    alive connection of our own (REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE verify it), or, when
    HTTPS_PROXY / HTTP_PROXY covers the host (NO_PROXY honoured), twilio's requests session
    through that proxy.
    """
    api = base_url or "https://api.twilio.com"
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    proxies = get_environ_proxies(api)
    if not (proxies.get(urlsplit(api).scheme) or proxies.get("all")):
        return KeptAliveClient(api, timeout, ca_bundle)
    http = TwilioHttpClient(timeout=timeout, proxy=proxies)
    http.session.trust_env = False
    http.session.verify = ca_bundle or True
    return http


def _classify(exc: TwilioRestException) -> SendError:
    """Map an API error to SendError without echoing Twilio's message (it names the number)."""
    retryable = exc.status == 429 or exc.status >= 500 or (exc.code in RETRYABLE_CODES)
    return SendError(f"twilio http {exc.status} code {exc.code}", retryable, exc.code)
