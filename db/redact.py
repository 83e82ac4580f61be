"""Logging that cannot leak a phone number, whatever a library decides to print."""

import logging
import re
import sys

# 9+ digits, optionally with + (or %2B, URL-encoded as in a query string), spaces, dots or
# dashes between them: phone-shaped (but not a timestamp such as 2026-11-22 13:01, nor a piece
# of a UUID).
PHONE = re.compile(
    r"(?<![\w-])(?!\d{4}-\d\d-\d\d)(?:\+|%2[Bb])?\d(?:[\s.\-]?\d){8,}(?![\w-])")
_installed = False


def redact(text: str) -> str:
    """Replace anything phone-shaped by a fixed marker."""
    return PHONE.sub("[phone]", text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole line (tracebacks included)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def install() -> None:
    """Redact every log record at creation, so third-party handlers are covered too."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        if record.args or isinstance(record.msg, str):
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def configure_logging(level: str = "INFO") -> None:
    """Root logging to stderr through the phone redactor."""
    install()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
