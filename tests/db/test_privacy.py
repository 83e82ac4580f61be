"""Pseudonyms, sealed addresses, PIN hashes and number normalisation."""

import pytest

from db.privacy import AddressError, Keyring, mask, new_reply_key, normalize_phone
from tests.privacy import REPORTERS

NUMBER = REPORTERS[0]


def test_pseudonyms_are_stable_keyed_and_reveal_nothing():
    ring = Keyring("key one", (new_reply_key(),))
    other = Keyring("key two", (new_reply_key(),))
    assert ring.pseudonym(NUMBER) == ring.pseudonym(NUMBER)
    assert ring.pseudonym(NUMBER) != other.pseudonym(NUMBER)
    assert NUMBER[1:] not in ring.pseudonym(NUMBER)


def test_sealed_addresses_open_only_with_the_key_and_keys_can_rotate():
    old, new = new_reply_key(), new_reply_key()
    sealed = Keyring("k", (old,)).seal(NUMBER)
    assert NUMBER not in sealed
    assert Keyring("k", (new, old)).unseal(sealed) == NUMBER
    with pytest.raises(AddressError):
        Keyring("k", (new,)).unseal(sealed)


def test_pins_are_checked_against_a_keyed_hash():
    ring = Keyring("k", (new_reply_key(),))
    stored = ring.pin_hash("482913", "4721")
    assert ring.pin_matches("482913", "4721", stored)
    assert not ring.pin_matches("482913", "4722", stored)
    assert not ring.pin_matches("482914", "4721", stored)
    assert not Keyring("other", (new_reply_key(),)).pin_matches("482913", "4721", stored)


@pytest.mark.parametrize("raw", ["0912345678", "+84912345678", "84912345678", "091 234 5678",
                                 "+84 91 234 56 78"])
def test_numbers_are_normalised_to_e164(raw):
    assert normalize_phone(raw) == NUMBER


@pytest.mark.parametrize("raw", ["", "abc", "12", "VIETTEL"])
def test_garbage_is_not_a_number(raw):
    with pytest.raises(AddressError):
        normalize_phone(raw)


def test_masking_keeps_only_the_last_four_digits():
    assert mask("+447700900123") == "+44••••••0123"


@pytest.mark.parametrize("line, clean", [
    ("sent to +84912345678 ok", "sent to [phone] ok"),
    ("from 0912 345 678.", "from [phone]."),
    ("call 091-234-5678", "call [phone]"),
    ("GET /webhooks/kannel/sms?from=%2B84912345678&to=8079",
     "GET /webhooks/kannel/sms?from=[phone]&to=8079"),
    ("2026-11-22 13:01:17,762 INFO job 29c88ea8-4261-8930-1234-997f73f46197", None),
    ("tip 482913 PIN 4721 commune 15865", None),
])
def test_the_log_redactor_hides_numbers_but_not_dates_ids_or_references(line, clean):
    from db.redact import redact

    assert redact(line) == (clean or line)
