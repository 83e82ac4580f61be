"""TwilioProvider via the real twilio library, against a local server that answers like Twilio."""

import base64

import pytest

from tests.fake_twilio import twilio_error
from workers.providers import SendError
from workers.providers.twilio import TwilioProvider

SID, TOKEN = "AC" + "2" * 32, "t" * 32
OFFICER = "+447700900010"


def provider(fake, sleeps: list | None = None) -> TwilioProvider:
    record = sleeps if sleeps is not None else []
    return TwilioProvider(SID, TOKEN, from_number="+15005550006", base_url=fake.url,
                          sleep=record.append)


def test_a_created_message_returns_its_sid_and_posts_what_twilio_expects(fake_twilio):
    result = provider(fake_twilio).send_sms(OFFICER, "TIN BAO 123456", "https://x.test/status")
    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["form"] == {"To": OFFICER, "From": "+15005550006", "Body": "TIN BAO 123456",
                               "StatusCallback": "https://x.test/status"}
    assert request["auth"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert result.provider_id.startswith("SM") and result.status == "queued"


def test_a_messaging_service_replaces_the_from_number(fake_twilio):
    p = TwilioProvider(SID, TOKEN, messaging_service_sid="MG" + "3" * 32, base_url=fake_twilio.url)
    p.send_sms(OFFICER, "x")
    assert fake_twilio.requests[0]["form"]["MessagingServiceSid"] == "MG" + "3" * 32
    assert "From" not in fake_twilio.requests[0]["form"]


@pytest.mark.parametrize("answers, attempts, retryable, ok", [
    ([(201, None)], 1, None, True),
    ([twilio_error(429, 20429, "Too Many Requests"), (201, None)], 2, None, True),
    ([twilio_error(503, 20500, "Service Unavailable"), twilio_error(500, 20500, "x"),
      (201, None)], 3, None, True),
    ([twilio_error(500, 20500, "x")] * 3, 3, True, False),
    ([twilio_error(400, 21211, f"The 'To' number {OFFICER} is not a valid phone number.")], 1,
     False, False),
    ([twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")], 1, False, False),
    ([twilio_error(400, 21614, "'To' number is not a valid mobile number")], 1, False, False),
])
def test_errors_are_retried_with_backoff_only_when_they_may_pass(fake_twilio, answers, attempts,
                                                                 retryable, ok):
    fake_twilio.answer(*answers)
    sleeps: list[float] = []
    p = provider(fake_twilio, sleeps)
    if ok:
        assert p.send_sms(OFFICER, "x").provider_id.startswith("SM")
    else:
        with pytest.raises(SendError) as caught:
            p.send_sms(OFFICER, "x")
        assert caught.value.retryable is retryable
        assert OFFICER not in str(caught.value)  # Twilio's text names the number; ours does not
    assert len(fake_twilio.requests) == attempts
    assert sleeps == [0.5 * 2**i for i in range(attempts - 1)]


def test_a_dead_api_is_a_retryable_connection_error(fake_twilio):
    url = fake_twilio.url
    fake_twilio.stop()
    p = TwilioProvider(SID, TOKEN, from_number="+15005550006", base_url=url, sleep=lambda s: None,
                       timeout=2)
    with pytest.raises(SendError) as caught:
        p.send_sms(OFFICER, "x")
    assert caught.value.retryable
    fake_twilio.start = lambda: None  # already stopped; the fixture's stop must not fail
    fake_twilio.stop = lambda: None


def test_an_https_proxy_from_the_environment_is_used_and_no_proxy_is_honoured(fake_twilio,
                                                                              monkeypatch):
    """The environment is read once, when the provider is built (not on every request)."""
    api = "http://api.tinbao-test.invalid"  # resolves nowhere: only the proxy can answer
    monkeypatch.setenv("HTTP_PROXY", fake_twilio.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    proxied = TwilioProvider(SID, TOKEN, from_number="+15005550006", base_url=api)
    monkeypatch.setenv("NO_PROXY", "api.tinbao-test.invalid")
    direct = TwilioProvider(SID, TOKEN, from_number="+15005550006", base_url=api,
                            sleep=lambda seconds: None)
    monkeypatch.delenv("HTTP_PROXY")
    assert proxied.send_sms(OFFICER, "x").provider_id.startswith("SM")
    [request] = fake_twilio.requests  # the proxy saw the absolute URL of the API
    assert request["path"] == f"{api}/2010-04-01/Accounts/{SID}/Messages.json"
    with pytest.raises(SendError) as caught:
        direct.send_sms(OFFICER, "x")
    assert caught.value.retryable and len(fake_twilio.requests) == 1


def test_a_ca_bundle_from_the_environment_verifies_the_api(fake_twilio, monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert provider(fake_twilio).client.http_client.session.verify == str(bundle)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert provider(fake_twilio).client.http_client.session.verify is True
