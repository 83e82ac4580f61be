"""Which provider sends a message: the reporter's own channel, or the officer's province's."""

from sqlmodel import Session

from db.delivery import report_token
from db.models import Commune, Officer, OutboundMessage, RecipientKind, Reporter
from db.settings import Settings
from workers.providers import Provider, build_provider


class Providers:
    """The providers of one worker process, each built on first use."""

    def __init__(self, settings: Settings, default: Provider):
        self.settings = settings
        self.default = default
        self._built: dict[str, Provider] = {default.name: default}

    def named(self, name: str | None) -> Provider:
        """The provider called `name` when this deployment uses it, else the default one."""
        if not name or name not in self.settings.providers_in_use():
            return self.default
        if name not in self._built:
            self._built[name] = build_provider(self.settings, name)
        return self._built[name]

    def for_message(self, session: Session, msg: OutboundMessage,
                    officer: Officer | None = None) -> Provider:
        """A reporter's provider is the one they wrote in by; an officer's, their province's;
        a voice call goes through Twilio whenever the deployment has it (Kannel cannot call)."""
        if msg.channel == "voice":
            return self.named("twilio")
        if msg.recipient_kind == RecipientKind.REPORTER:
            reporter = session.get(Reporter, msg.reporter_id) if msg.reporter_id else None
            return self.named(reporter.reply_provider if reporter else None)
        if officer is None and msg.officer_id:
            officer = session.get(Officer, msg.officer_id)
        return self.named(self.settings.officer_provider(_province(session, officer)))

    def callback(self, provider: Provider, outbound_id: int) -> str | None:
        """Where a provider reports on one message: Kannel's dlr-url, or Twilio's status webhook.

        The dlr-url names our own message id, so a report that comes back faster than the worker
        records the provider's id still finds its message.
        """
        settings = self.settings
        if provider.name == "kannel":
            if not (settings.kannel_dlr_url and settings.kannel_secret):
                return None
            token = report_token(settings.kannel_secret, outbound_id)
            join = "&" if "?" in settings.kannel_dlr_url else "?"
            return f"{settings.kannel_dlr_url}{join}msg={outbound_id}&token={token}"
        base = settings.public_base_url
        return f"{base}/webhooks/twilio/status" if base else None


def _province(session: Session, officer: Officer | None) -> int | None:
    """An officer's province: their own, or their commune's."""
    if officer is None:
        return None
    if officer.province_code is None and officer.commune_code is not None:
        commune = session.get(Commune, officer.commune_code)
        return commune.province_code if commune else None
    return officer.province_code
