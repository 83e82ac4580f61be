"""Settings: read once from the environment by the app factory or a worker entry point."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from flows.engine import Keywords

PLACEHOLDERS = frozenset({"", "change-me", "changeme", "secret", "dev", "test", "placeholder"})


class SettingsError(ValueError):
    """The environment does not describe a usable deployment."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _numbers(value: str) -> dict[str, int]:
    """'+842373000000=38,+842439999999=1' → {number: province code}."""
    pairs = (item.split("=", 1) for item in _list(value) if "=" in item)
    return {number.strip(): int(code) for number, code in pairs}


def _pairs(value: str) -> dict[str, str]:
    """'vi=Google.vi-VN-Standard-A,en=...' → {language: value}."""
    pairs = (item.split("=", 1) for item in _list(value) if "=" in item)
    return {key.strip(): text.strip() for key, text in pairs}


VOICES = "vi=Google.vi-VN-Standard-A,en=Google.en-US-Standard-C"
VOICE_LANGUAGES = "vi=vi-VN,en=en-US"


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
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str = ""
    flow_timeout_minutes: int = 30
    reply_address_days: int = 30
    default_country: str = "VN"
    default_province: int | None = None
    inbound_numbers: dict[str, int] = field(default_factory=dict)
    keywords: Keywords = Keywords()
    sweep_grace_seconds: int = 30
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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from environment variables; refuse placeholders outside demo mode."""
        env = os.environ if environ is None else environ
        demo = _bool(env.get("TINBAO_DEMO", "0"))
        instance = env.get("TINBAO_INSTANCE", "instance")
        default_db = f"sqlite:///{Path(instance).resolve() / 'tinbao.db'}" if demo else ""
        base = Keywords()
        settings = cls(
            demo=demo,
            instance_path=instance,
            database_url=env.get("DATABASE_URL", default_db),
            redis_url=env.get("REDIS_URL", cls.redis_url),
            host=env.get("HOST", cls.host),
            port=int(env.get("PORT", cls.port)),
            public_base_url=env.get("PUBLIC_BASE_URL", "").rstrip("/"),
            secret_key=env.get("SECRET_KEY", ""),
            pseudonym_key=env.get("PSEUDONYM_KEY", ""),
            reply_address_keys=_list(env.get("REPLY_ADDRESS_KEY", "")),
            sms_provider=env.get("SMS_PROVIDER", "outbox" if demo else "twilio"),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            twilio_from_number=env.get("TWILIO_FROM_NUMBER", ""),
            twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID", ""),
            twilio_api_base_url=env.get("TWILIO_API_BASE_URL", "").rstrip("/"),
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
            web_concurrency=int(env.get("WEB_CONCURRENCY", 2)),
            log_level=env.get("LOG_LEVEL", "INFO"),
            **_phone(env),
        )
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
        ussd = self.ussd_secret.strip().lower()
        if ussd and not self.demo and (ussd in PLACEHOLDERS or len(ussd) < 16):
            problems.append("USSD_SECRET is a placeholder (use 16 characters or more)")
        if problems:
            raise SettingsError("; ".join(problems))

    def province_for(self, dialled: str | None) -> int | None:
        """The province a dialled number serves, else the default province."""
        return self.inbound_numbers.get(dialled or "", self.default_province)

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed (tests, CLI overrides)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)
