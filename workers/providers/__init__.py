"""Outbound providers and the factory that picks one from settings."""

from db.settings import Settings
from workers.providers.base import Provider, SendError, SendResult


def build_provider(settings: Settings) -> Provider:
    """The provider named by SMS_PROVIDER."""
    if settings.sms_provider == "outbox":
        from workers.providers.outbox import OutboxProvider

        return OutboxProvider()
    if settings.sms_provider == "twilio":
        from workers.providers.twilio import TwilioProvider

        return TwilioProvider(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            from_number=settings.twilio_from_number,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            base_url=settings.twilio_api_base_url,
        )
    raise ValueError(f"unknown SMS_PROVIDER {settings.sms_provider!r}")


__all__ = ["Provider", "SendError", "SendResult", "build_provider"]
