"""Reporter privacy: keyed pseudonyms, sealed reply addresses and hashed PINs."""

import base64
import hashlib
import hmac
import secrets

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class AddressError(ValueError):
    """A phone number that cannot be understood."""


def normalize_phone(raw: str, country: str = "VN") -> str:
    """E.164 form of a phone number ('0912 345 678' → '+84912345678')."""
    try:
        number = phonenumbers.parse(raw.strip(), country)
    except phonenumbers.NumberParseException as exc:
        raise AddressError("not a phone number") from exc
    if not phonenumbers.is_possible_number(number):
        raise AddressError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask(address: str) -> str:
    """A phone number shortened for display to operators: '+84•••••5678' style."""
    if len(address) <= 4:
        return "••••"
    return address[:3] + "•" * max(len(address) - 7, 2) + address[-4:]


class Keyring:
    """The deployment's keys; the only place that can link a number to a pseudonym."""

    def __init__(self, pseudonym_key: str, reply_keys: tuple[str, ...]):
        self._hmac_key = hashlib.sha256(b"tinbao-pseudonym:" + pseudonym_key.encode()).digest()
        self._pin_key = hashlib.sha256(b"tinbao-pin:" + pseudonym_key.encode()).digest()
        self._fernet = MultiFernet([Fernet(_fernet_key(k)) for k in reply_keys])

    def pseudonym(self, e164: str) -> str:
        """Stable keyed hash of a number: continuity without the number."""
        return hmac.new(self._hmac_key, e164.encode(), hashlib.sha256).hexdigest()[:40]

    def seal(self, plain: str) -> str:
        """Encrypt a reply address or a message body (authenticated, key-rotatable)."""
        return self._fernet.encrypt(plain.encode()).decode()

    def unseal(self, token: str) -> str:
        """Decrypt what seal() produced; raises AddressError if tampered or the key is gone."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise AddressError("cannot decrypt") from exc

    def pin_hash(self, reference: str, pin: str) -> str:
        """Keyed hash of a tip's PIN; 10,000 PINs cannot be brute-forced without the key."""
        message = f"{reference}:{pin}".encode()
        return hmac.new(self._pin_key, message, hashlib.sha256).hexdigest()

    def pin_matches(self, reference: str, pin: str, stored: str) -> bool:
        """Constant-time PIN check."""
        return hmac.compare_digest(self.pin_hash(reference, pin), stored)


def _fernet_key(key: str) -> bytes:
    """Accept a real Fernet key, or derive one from any passphrase."""
    raw = key.encode()
    try:
        Fernet(raw)
        return raw
    except ValueError:
        return base64.urlsafe_b64encode(hashlib.sha256(b"tinbao-reply:" + raw).digest())


def new_pin() -> str:
    """A random 4-digit PIN."""
    return f"{secrets.randbelow(10_000):04d}"


def new_reference() -> str:
    """A random 6-digit public reference (never starting with 0, easier to read aloud)."""
    return str(100_000 + secrets.randbelow(900_000))


def new_reply_key() -> str:
    """A fresh key for REPLY_ADDRESS_KEY."""
    return Fernet.generate_key().decode()
