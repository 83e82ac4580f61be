"""KannelProvider against a local server that answers like Kannel's sendsms (errors on demand)."""

import pytest

from tests.conftest import _free_port
from workers.providers import SendError
from workers.providers.kannel import DLR_MASK, KannelProvider

OFFICER = "+447700900010"
CALLBACK = "http://tinbao.internal:5000/webhooks/kannel/dlr?msg=7&token=0a1b"


def provider(url: str, sleeps: list | None = None) -> KannelProvider:
    """A provider talking to `url`, recording its backoff sleeps instead of sleeping."""
    record = sleeps if sleeps is not None else []
    return KannelProvider(url, "tinbao", "pw", sender="8079", sleep=record.append, timeout=2)


def test_a_gsm7_dispatch_is_sent_as_plain_text_asking_for_delivery_reports(fake_kannel):
    result = provider(fake_kannel.url).send_sms(OFFICER, "TIN BAO 123456: Trom cap. @ OK",
                                                CALLBACK)
    [request] = fake_kannel.requests
    assert request == {"username": "tinbao", "password": "pw", "to": OFFICER, "from": "8079",
                       "text": "TIN BAO 123456: Trom cap. @ OK", "charset": "UTF-8",
                       "dlr-mask": str(DLR_MASK),
                       "dlr-url": CALLBACK + "&status=%d&answer=%A"}
    assert result.provider_id.startswith("kannel:") and len(result.provider_id) == 39


def test_vietnamese_text_goes_out_as_ucs2(fake_kannel):
    provider(fake_kannel.url).send_sms(OFFICER, "Trộm cắp ở thôn 3")
    [request] = fake_kannel.requests
    assert request["coding"] == "2" and request["charset"] == "UTF-8"
    assert request["text"] == "Trộm cắp ở thôn 3"


def test_no_delivery_report_is_asked_for_without_a_callback(fake_kannel):
    provider(fake_kannel.url).send_sms(OFFICER, "x")
    [request] = fake_kannel.requests
    assert "dlr-url" not in request and "dlr-mask" not in request


def test_every_message_gets_its_own_id(fake_kannel):
    p = provider(fake_kannel.url)
    assert p.send_sms(OFFICER, "a").provider_id != p.send_sms(OFFICER, "a").provider_id


@pytest.mark.parametrize("answers, attempts, retryable, ok", [
    ([(202, "0: Accepted for delivery")], 1, None, True),
    ([(202, "3: Queued for later delivery")], 1, None, True),
    ([(503, "Sendsms temporarily unavailable"), (202, "0: Accepted for delivery")], 2, None,
     True),
    ([(500, "x")] * 3, 3, True, False),
    ([(403, "Authorization failed for sendsms")], 1, False, False),
    ([(400, "Empty receiver number not allowed, rejected")], 1, False, False),
    ([(403, f"Number(s) {OFFICER} not allowed")], 1, False, False),
])
def test_errors_are_retried_with_backoff_only_when_they_may_pass(fake_kannel, answers, attempts,
                                                                 retryable, ok):
    fake_kannel.answer(*answers)
    sleeps: list[float] = []
    p = provider(fake_kannel.url, sleeps)
    if ok:
        assert p.send_sms(OFFICER, "x").provider_id.startswith("kannel:")
    else:
        with pytest.raises(SendError) as caught:
            p.send_sms(OFFICER, "x")
        assert caught.value.retryable is retryable
        assert caught.value.reason.startswith(f"kannel http {answers[0][0]}")
        assert OFFICER not in caught.value.reason  # Kannel may echo the number; we do not
    assert len(fake_kannel.requests) == attempts
    assert sleeps == [0.5 * 2**i for i in range(attempts - 1)]


def test_a_kannel_that_is_not_listening_is_a_retryable_connection_error():
    url = f"http://127.0.0.1:{_free_port()}/cgi-bin/sendsms"
    with pytest.raises(SendError) as caught:
        provider(url).send_sms(OFFICER, "x")
    assert caught.value.retryable and caught.value.reason == "kannel connection failed"
