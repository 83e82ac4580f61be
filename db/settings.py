"""Settings: read once from the environment by the app factory or a worker entry point."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from flows.categories import Category
from flows.engine import Keywords

PLACEHOLDERS = frozenset({"", "change-me", "changeme", "secret", "dev", "test", "placeholder"})
SMS_PROVIDERS = frozenset({"twilio", "kannel", "outbox"})


class SettingsError(ValueError):
    """The environment does not describe a usable deployment."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _durations(value: str) -> dict[str, float]:
    """'urgent=5m,normal=30m,ma_tuy=90s' → {name: seconds} (units s, m, h; bare = minutes)."""
    units = {"s": 1, "m": 60, "h": 3600}
    out = {}
    for item in _list(value):
        name, _, amount = item.partition("=")
        unit = amount.strip()[-1:].lower()
        number = amount.strip()[:-1] if unit in units else amount.strip()
        out[name.strip().lower()] = float(number) * units.get(unit, 60)
    return out


def _numbers(value: str) -> dict[str, int]:
    """'+842373000000=38,+842439999999=1' → {number: province code}."""
    pairs = (item.split("=", 1) for item in _list(value) if "=" in item)
    return {number.strip(): int(code) for number, code in pairs}


def _providers(value: str) -> dict[str, str]:
    """'38=kannel,*=twilio' → {'38': 'kannel', '*': 'twilio'} (province code or * → provider)."""
    pairs = (item.split("=", 1) for item in _list(value) if "=" in item)
    return {key.strip(): name.strip().lower() for key, name in pairs}


def _kannel(env: Mapping[str, str], public_base_url: str) -> dict[str, str]:
    """The KANNEL_* variables; delivery reports go to the public URL unless told otherwise."""
    names = ("secret", "sendsms_url", "username", "password", "from")
    values = {f"kannel_{name}": env.get(f"KANNEL_{name.upper()}", "") for name in names}
    default_dlr = f"{public_base_url}/webhooks/kannel/dlr" if public_base_url else ""
    return {**values, "kannel_dlr_url": env.get("KANNEL_DLR_URL") or default_dlr}
def _pairs(value: str) -> dict[str, str]:
    """'vi=Google.vi-VN-Standard-A,en=...' → {language: value}."""
    pairs = (item.split("=", 1) for item in _list(value) if "=" in item)
    return {key.strip(): text.strip() for key, text in pairs}


def _rate(value: str) -> tuple[int, float]:
    """'30/10m' → (30, 600.0): at most 30 messages in any 10 minutes; '0' → (0, 0) = no limit."""
    count, _, period = value.strip().partition("/")
    if not int(count or 0):
        return 0, 0.0
    return int(count), _durations(f"p={period or '1m'}")["p"]


def _limits(env: Mapping[str, str]) -> dict:
    """The abuse limits on inbound messages."""
    return {
        "reporter_limit": _rate(env.get("INBOUND_LIMIT_REPORTER", "30/10m")),
        "global_limit": _rate(env.get("INBOUND_LIMIT_GLOBAL", "3000/1m")),
        "duplicate_seconds": int(env.get("DUPLICATE_SECONDS", 10)),
        "session_max_steps": int(env.get("SESSION_MAX_STEPS", 30)),
    }


VOICES = "vi=Google.vi-VN-Standard-A,en=Google.en-US-Standard-C"
VOICE_LANGUAGES = "vi=vi-VN,en=en-US"
AUDIO_SUFFIXES = (".mp3", ".wav")  # recorded prompts in VOICE_PROMPTS_DIR/<language>/<key><suffix>


def _phone(env: Mapping[str, str]) -> dict:
    """The USSD and voice settings."""
    return {
        "ussd_secret": env.get("USSD_SECRET", ""),
        "ussd_allowed_ips": _list(env.get("USSD_ALLOWED_IPS", "")),
        "ussd_timeout_seconds": int(env.get("USSD_TIMEOUT_SECONDS", 180)),
        "voice_timeout_minutes": int(env.get("VOICE_TIMEOUT_MINUTES", 10)),
        "voice_speech": _bool(env.get("VOICE_SPEECH", "0")),
        "voice_voices": _pairs(VOICES) | _pairs(env.get("VOICE_VOICES", "")),
        "voice_languages": _pairs(VOICE_LANGUAGES) | _pairs(env.get("VOICE_LANGUAGES", "")),
        "voice_prompts_dir": env.get("VOICE_PROMPTS_DIR", ""),
        "recording_link_hours": int(env.get("RECORDING_LINK_HOURS", 24)),
    }


@dataclass(frozen=True)
class Settings:
    """Every knob of a deployment; the README's configuration table lists the variables."""

    demo: bool = False
    instance_path: str = "instance"
    database_url: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    host: str = "127.0.0.1"
    port: int = 5000
    public_base_url: str = ""
    secret_key: str = ""
    pseudonym_key: str = ""
    reply_address_keys: tuple[str, ...] = ()
    sms_provider: str = "twilio"
    sms_reply: str = "inline"  # or "queued": the webhook keeps the SMS, a worker answers
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str = ""
    kannel_secret: str = ""
    kannel_sendsms_url: str = ""
    kannel_username: str = ""
    kannel_password: str = ""
    kannel_from: str = ""
    kannel_dlr_url: str = ""
    officer_providers: dict[str, str] = field(default_factory=dict)
    flow_timeout_minutes: int = 30
    reply_address_days: int = 30
    default_country: str = "VN"
    default_province: int | None = None
    inbound_numbers: dict[str, int] = field(default_factory=dict)
    keywords: Keywords = Keywords()
    sweep_grace_seconds: int = 30
    sla_seconds: dict[str, float] = field(
        default_factory=lambda: {"urgent": 300.0, "normal": 1800.0})
    urgent_categories: tuple[str, ...] = ("cuop",)
    notify_dispatched: bool = True
    notify_acknowledged: bool = True
    notify_resolved: bool = True
    legal_deadline_days: int = 20
    relay_hours: int = 72
    timezone: str = "Asia/Ho_Chi_Minh"
    call_officer_on_failure: bool = False
    web_concurrency: int = 2
    log_level: str = "INFO"
    ussd_secret: str = ""
    ussd_allowed_ips: tuple[str, ...] = ()
    ussd_timeout_seconds: int = 180
    voice_timeout_minutes: int = 10
    voice_speech: bool = False
    voice_voices: dict[str, str] = field(default_factory=lambda: _pairs(VOICES))
    voice_languages: dict[str, str] = field(default_factory=lambda: _pairs(VOICE_LANGUAGES))
    voice_prompts_dir: str = ""
    recording_link_hours: int = 24
    admin_email: str = "admin@tinbao.demo"
    admin_password: str = ""
    demo_officer_password: str = ""
    cookie_secure: bool = True
    reporter_limit: tuple[int, float] = (30, 600.0)
    global_limit: tuple[int, float] = (3000, 60.0)
    duplicate_seconds: int = 10
    session_max_steps: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, check: bool = True) -> "Settings":
        """Build settings from environment variables; refuse placeholders outside demo mode
        (`check=False`: take them as they are, for `tinbao doctor` to list what is wrong)."""
        env = os.environ if environ is None else environ
        demo = _bool(env.get("TINBAO_DEMO", "0"))
        instance = env.get("TINBAO_INSTANCE", "instance")
        default_db = f"sqlite:///{Path(instance).resolve() / 'tinbao.db'}" if demo else ""
        base = Keywords()
        public = env.get("PUBLIC_BASE_URL", "").rstrip("/")
        settings = cls(
            demo=demo,
            instance_path=instance,
            database_url=env.get("DATABASE_URL", default_db),
            redis_url=env.get("REDIS_URL", cls.redis_url),
            host=env.get("HOST", cls.host),
            port=int(env.get("PORT", cls.port)),
            public_base_url=public,
            secret_key=env.get("SECRET_KEY", ""),
            pseudonym_key=env.get("PSEUDONYM_KEY", ""),
            reply_address_keys=_list(env.get("REPLY_ADDRESS_KEY", "")),
            sms_provider=env.get("SMS_PROVIDER", "outbox" if demo else "twilio"),
            sms_reply=env.get("SMS_REPLY", "inline").strip().lower(),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            twilio_from_number=env.get("TWILIO_FROM_NUMBER", ""),
            twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID", ""),
            twilio_api_base_url=env.get("TWILIO_API_BASE_URL", "").rstrip("/"),
            **_kannel(env, public),
            officer_providers=_providers(env.get("OFFICER_PROVIDERS", "")),
            flow_timeout_minutes=int(env.get("FLOW_TIMEOUT_MINUTES", 30)),
            reply_address_days=int(env.get("REPLY_ADDRESS_DAYS", 30)),
            default_country=env.get("DEFAULT_COUNTRY", "VN"),
            default_province=int(env["DEFAULT_PROVINCE"]) if env.get("DEFAULT_PROVINCE") else None,
            inbound_numbers=_numbers(env.get("INBOUND_NUMBERS", "")),
            keywords=Keywords(
                start=_list(env["KEYWORDS_START"]) if "KEYWORDS_START" in env else base.start,
                help=_list(env["KEYWORDS_HELP"]) if "KEYWORDS_HELP" in env else base.help,
                cancel=_list(env["KEYWORDS_CANCEL"]) if "KEYWORDS_CANCEL" in env else base.cancel,
            ),
            sweep_grace_seconds=int(env.get("SWEEP_GRACE_SECONDS", 30)),
            sla_seconds={"urgent": 300.0, "normal": 1800.0,
                         **_durations(env.get("SLA", ""))},
            urgent_categories=_list(env.get("URGENT_CATEGORIES", "cuop").lower()),
            notify_dispatched=_bool(env.get("NOTIFY_DISPATCHED", "1")),
            notify_acknowledged=_bool(env.get("NOTIFY_ACKNOWLEDGED", "1")),
            notify_resolved=_bool(env.get("NOTIFY_RESOLVED", "1")),
            legal_deadline_days=int(env.get("LEGAL_DEADLINE_DAYS", 20)),
            relay_hours=int(env.get("RELAY_HOURS", 72)),
            timezone=env.get("TIMEZONE", "Asia/Ho_Chi_Minh"),
            call_officer_on_failure=_bool(env.get("CALL_OFFICER_ON_FAILURE", "0")),
            web_concurrency=int(env.get("WEB_CONCURRENCY", 2)),
            log_level=env.get("LOG_LEVEL", "INFO"),
            **_phone(env),
            admin_email=env.get("ADMIN_EMAIL", cls.admin_email),
            admin_password=env.get("ADMIN_PASSWORD", ""),
            demo_officer_password=env.get("DEMO_OFFICER_PASSWORD", ""),
            cookie_secure=_bool(env.get("COOKIE_SECURE", "0" if demo else "1")),
            **_limits(env),
        )
        if check:
            settings.check()
        return settings

    def check(self) -> None:
        """Raise SettingsError when something required is missing (or a placeholder)."""
        problems = []
        if not self.database_url:
            problems.append("DATABASE_URL is not set")
        secrets = {
            "SECRET_KEY": self.secret_key,
            "PSEUDONYM_KEY": self.pseudonym_key,
            "REPLY_ADDRESS_KEY": ",".join(self.reply_address_keys),
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
        }
        for name, value in secrets.items():
            if not value.strip():
                problems.append(f"{name} is not set")
            elif not self.demo and value.strip().lower() in PLACEHOLDERS:
                problems.append(f"{name} is a placeholder")
        problems += self._channel_problems() + self._category_problems()
        ussd = self.ussd_secret.strip().lower()
        if ussd and not self.demo and (ussd in PLACEHOLDERS or len(ussd) < 16):
            problems.append("USSD_SECRET is a placeholder (use 16 characters or more)")
        if problems:
            raise SettingsError("; ".join(problems))

    def sla(self, category: str, urgent: bool) -> float:
        """Seconds an officer has to acknowledge a tip before it escalates."""
        by_category = self.sla_seconds.get(category)
        return by_category if by_category else self.sla_seconds["urgent" if urgent else "normal"]

    def _category_problems(self) -> list[str]:
        """Category codes in URGENT_CATEGORIES and SLA that no tip can have (a typo there would
        silently make nothing urgent or leave a category on the default deadline)."""
        known = {category.value for category in Category}
        sla = set(self.sla_seconds) - {"urgent", "normal"}
        return [f"{name}: unknown category {code!r} (known: {', '.join(sorted(known))})"
                for name, codes in (("URGENT_CATEGORIES", self.urgent_categories), ("SLA", sla))
                for code in sorted(set(codes) - known)]

    def _channel_problems(self) -> list[str]:
        """What is wrong with the provider choice and the Kannel settings."""
        problems = [f"unknown SMS provider {name!r}"
                    for name in sorted(self.providers_in_use() - SMS_PROVIDERS)]
        problems += ["SMS_REPLY is inline or queued"] * (self.sms_reply not in {"inline", "queued"})
        if "kannel" in self.providers_in_use() and not self.kannel_sendsms_url:
            problems.append("KANNEL_SENDSMS_URL is not set")
        if self.kannel_sendsms_url and not self.kannel_secret.strip():
            problems.append("KANNEL_SECRET is not set")
        elif not self.demo and self.kannel_secret and self.kannel_secret.lower() in PLACEHOLDERS:
            problems.append("KANNEL_SECRET is a placeholder")
        return problems

    def providers_in_use(self) -> set[str]:
        """Every outbound provider of this deployment: SMS_PROVIDER, OFFICER_PROVIDERS, Kannel."""
        names = {self.sms_provider, *self.officer_providers.values()}
        return names | ({"kannel"} if self.kannel_sendsms_url else set())

    def officer_provider(self, province: int | None) -> str | None:
        """The provider OFFICER_PROVIDERS names for officers of a province (None: SMS_PROVIDER)."""
        chosen = self.officer_providers
        if province is not None and str(province) in chosen:
            return chosen[str(province)]
        return chosen.get("*")

    def province_for(self, dialled: str | None) -> int | None:
        """The province a dialled number serves, else the default province."""
        return self.inbound_numbers.get(dialled or "", self.default_province)

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed (tests, CLI overrides)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)
