"""Outbound providers and the factory that builds one by name from settings."""

from db.settings import Settings
from workers.providers.base import Provider, SendError, SendResult


def build_provider(settings: Settings, name: str | None = None) -> Provider:
    """The provider called `name` (default: SMS_PROVIDER), configured from settings."""
    name = name or settings.sms_provider
    if name == "outbox":
        from workers.providers.outbox import OutboxProvider

        return OutboxProvider()
    if name == "twilio":
        from workers.providers.twilio import TwilioProvider

        return TwilioProvider(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            from_number=settings.twilio_from_number,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            base_url=settings.twilio_api_base_url,
        )
    if name == "kannel":
        from workers.providers.kannel import KannelProvider

        return KannelProvider(
            settings.kannel_sendsms_url,
            settings.kannel_username,
            settings.kannel_password,
            sender=settings.kannel_from,
        )
    raise ValueError(f"unknown SMS provider {name!r}")


__all__ = ["Provider", "SendError", "SendResult", "build_provider"]
