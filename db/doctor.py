"""What `tinbao doctor` finds insecure or fragile in a deployment's settings (no I/O here)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from db.settings import PLACEHOLDERS, Settings, SettingsError

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "")


@dataclass(frozen=True)
class Finding:
    """One problem: 'error' (insecure or losing data) or 'warning' (worth a look)."""

    level: str
    message: str


def settings_findings(settings: Settings) -> list[Finding]:
    """Everything wrong with the settings themselves."""
    found = []
    try:
        settings.check()
    except SettingsError as problems:
        found += [Finding("error", p) for p in str(problems).split("; ")]
    if settings.secret_key and settings.secret_key.strip().lower() not in PLACEHOLDERS and len(
            settings.secret_key) < 32:
        found.append(Finding("error", "SECRET_KEY is shorter than 32 characters"))
    keys = [settings.secret_key, settings.pseudonym_key, *settings.reply_address_keys]
    if len({k for k in keys if k}) < len([k for k in keys if k]):
        found.append(Finding("error", "SECRET_KEY, PSEUDONYM_KEY and REPLY_ADDRESS_KEY must "
                                      "differ"))
    found += _production_findings(settings)
    return found


def _production_findings(settings: Settings) -> list[Finding]:
    """Demo conveniences in what looks like production, and missing channel secrets."""
    found = []
    public = urlsplit(settings.public_base_url)
    looks_public = public.hostname not in LOCAL_HOSTS
    production = settings.database_url.startswith("postgresql") or (
        settings.public_base_url and looks_public)
    if settings.demo and production:
        found.append(Finding("error", "demo mode (TINBAO_DEMO=1) in production: PostgreSQL or "
                                      "a public PUBLIC_BASE_URL is configured"))
    if not settings.demo and settings.database_url.startswith("sqlite"):
        found.append(Finding("warning", "SQLite outside demo mode: use PostgreSQL"))
    if settings.public_base_url and looks_public and public.scheme != "https":
        found.append(Finding("error", "PUBLIC_BASE_URL is not https: webhooks and the admin "
                                      "view travel in clear"))
    if not settings.public_base_url and not settings.demo:
        found.append(Finding("warning", "PUBLIC_BASE_URL is not set: Twilio signatures are "
                                        "checked against the URL as received"))
    if "twilio" in settings.providers_in_use() and not settings.twilio_account_sid:
        found.append(Finding("error", "TWILIO_ACCOUNT_SID is not set: nothing can be sent"))
    if not settings.ussd_secret:
        found.append(Finding("warning", "USSD_SECRET is not set: USSD is refused"))
    if not settings.kannel_secret:
        found.append(Finding("warning", "KANNEL_SECRET is not set: Kannel is refused"))
    if not settings.reporter_limit[0] or not settings.global_limit[0]:
        found.append(Finding("warning", "an inbound rate limit is off (INBOUND_LIMIT_REPORTER,"
                                        " INBOUND_LIMIT_GLOBAL)"))
    found += _reply_findings(settings)
    if settings.log_level.upper() == "DEBUG":
        found.append(Finding("warning", "LOG_LEVEL=DEBUG: verbose logs (numbers are redacted)"))
    return found


def _reply_findings(settings: Settings) -> list[Finding]:
    """SMS_REPLY=queued: the replies are outbound SMS, so they need a real provider."""
    if settings.sms_reply != "queued":
        return []
    found = []
    if settings.sms_provider == "outbox" and not settings.demo:
        found.append(Finding("error", "SMS_REPLY=queued with SMS_PROVIDER=outbox: replies to "
                                      "reporters stay in the local outbox"))
    if settings.kannel_secret and not settings.kannel_sendsms_url:
        found.append(Finding("warning", "SMS_REPLY=queued: messages from Kannel are answered "
                                        "through KANNEL_SENDSMS_URL, which is not set"))
    return found


def redis_findings(config: dict[str, str] | None) -> list[Finding]:
    """What Redis's CONFIG GET answers say (None: Redis did not answer or refused CONFIG)."""
    if config is None:
        return [Finding("warning", "could not read Redis's configuration (down, or CONFIG "
                                   "disabled): check persistence and maxmemory-policy by hand")]
    found = []
    if config.get("appendonly", "no") != "yes" and not config.get("save", "").strip():
        found.append(Finding("error", "Redis without persistence (appendonly no, no save): a "
                                      "restart loses queued jobs and timers until the sweeper "
                                      "finds them"))
    policy = config.get("maxmemory-policy", "noeviction")
    if policy != "noeviction":
        found.append(Finding("error", f"Redis maxmemory-policy is {policy}: it may evict "
                                      "queued jobs (use noeviction)"))
    return found


def database_findings(config: dict[str, str] | None) -> list[Finding]:
    """What PostgreSQL's SHOW answers say (None: not PostgreSQL, or it did not answer)."""
    if config is None or config.get("autovacuum", "on") == "on":
        return []
    return [Finding("warning", "PostgreSQL autovacuum is off: table statistics go stale, and "
                               "query plans chosen while the tables were small stay (whole-"
                               "table scans as traffic grows); turn it on")]
