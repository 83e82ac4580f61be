"""Which provider sends a message: the reporter's own channel, or the officer's province's."""

from sqlalchemy import Row, bindparam, select

from db.delivery import report_token
from db.models import Commune, Officer, OutboundMessage, RecipientKind, Reporter
from db.session import Unit
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

    def for_message(self, session: Unit, msg: OutboundMessage | Row) -> Provider:
        """A reporter's provider is the one they wrote in by; an officer's, their province's;
        a voice call goes through Twilio whenever the deployment has it (Kannel cannot call)."""
        if msg.channel == "voice":
            return self.named("twilio")
        if msg.recipient_kind == RecipientKind.REPORTER:
            provider = (session.execute(_REPLY_PROVIDER, {"id": msg.reporter_id}).scalar()
                        if msg.reporter_id else None)
            return self.named(provider)
        officer = (session.execute(_OFFICER, {"id": msg.officer_id}).one_or_none()
                   if msg.officer_id else None)
        return self.for_officer(session, officer)

    def for_officer(self, session: Unit, officer: Officer | Row | None) -> Provider:
        """What sends an officer's SMS: the provider of their province."""
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


def _province(session: Unit, officer: Officer | Row | None) -> int | None:
    """An officer's province: their own, or their commune's."""
    if officer is None:
        return None
    if officer.province_code is None and officer.commune_code is not None:
        return session.execute(_COMMUNE_PROVINCE, {"code": officer.commune_code}).scalar()
    return officer.province_code


# Core statements, built once: they run in ORM sessions and on bare connections alike.
_REPLY_PROVIDER = select(Reporter.__table__.c.reply_provider).where(
    Reporter.__table__.c.id == bindparam("id"))
_OFFICER = select(Officer.__table__).where(Officer.__table__.c.id == bindparam("id"))
_COMMUNE_PROVINCE = select(Commune.__table__.c.province_code).where(
    Commune.__table__.c.code == bindparam("code"))
