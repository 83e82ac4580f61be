"""TwilioProvider via the real twilio library, against a local server that answers like Twilio."""

import base64
import datetime
import ipaddress
import select
import socket
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.fake_twilio import FakeTwilio, twilio_error
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


def test_a_ca_bundle_from_the_environment_verifies_the_api(monkeypatch, tmp_path):
    """An HTTPS API whose certificate only the configured bundle vouches for."""
    cert, key = _self_signed(tmp_path)
    api = FakeTwilio()
    api.serve_tls(str(cert), str(key))
    api.start()
    try:
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        assert provider(api).send_sms(OFFICER, "x").provider_id.startswith("SM")
        monkeypatch.delenv("REQUESTS_CA_BUNDLE")
        with pytest.raises(SendError) as caught:  # the system's roots do not know this one
            provider(api).send_sms(OFFICER, "x")
        assert caught.value.retryable and len(api.requests) == 1
    finally:
        api.stop()


def test_one_connection_carries_every_request_while_the_api_keeps_it_open(fake_twilio):
    fake_twilio.keep_alive()
    p = provider(fake_twilio)
    for n in range(5):
        p.send_sms(OFFICER, f"message {n}")
    assert len({r["peer"] for r in fake_twilio.requests}) == 1
    assert [r["form"]["Body"] for r in fake_twilio.requests] == [f"message {n}" for n in range(5)]


def test_a_connection_the_api_closed_while_idle_is_replaced_and_nothing_is_sent_twice(
        fake_twilio):
    fake_twilio.keep_alive(idle_timeout=0.05)
    sleeps: list[float] = []
    p = provider(fake_twilio, sleeps)
    p.send_sms(OFFICER, "first")
    kept = p.client.http_client._connection.sock
    deadline = time.monotonic() + 5
    while not _closed_by_peer(kept):  # the API's idle timeout passes
        assert time.monotonic() < deadline
        time.sleep(0.01)
    p.send_sms(OFFICER, "second")
    first, second = fake_twilio.requests
    assert sleeps == []  # noticed before sending: no failed attempt for the provider to retry
    assert first["peer"] != second["peer"]
    assert [first["form"]["Body"], second["form"]["Body"]] == ["first", "second"]


def test_an_api_that_hangs_up_mid_request_is_a_retryable_error_retried_by_the_provider_only(
        fake_twilio):
    """The transport never re-sends on its own: attempts are the provider's retry policy."""
    fake_twilio.keep_alive()

    def hang_up(handler):
        handler.rfile.read(int(handler.headers["Content-Length"]))
        fake_twilio.requests.append({"path": handler.path})
        handler.close_connection = True  # and no answer

    fake_twilio.server.RequestHandlerClass.do_POST = hang_up
    with pytest.raises(SendError) as caught:
        provider(fake_twilio).send_sms(OFFICER, "x")
    assert caught.value.retryable and len(fake_twilio.requests) == 3


def _closed_by_peer(sock) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""


def _self_signed(tmp_path):
    """A certificate and key for 127.0.0.1, signed by itself."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tinbao test API")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "api.pem", tmp_path / "api.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
