"""Settings come from the environment; placeholders are refused outside demo mode."""

import pytest

from db.settings import Settings, SettingsError

GOOD = {"DATABASE_URL": "sqlite:///x.db", "SECRET_KEY": "s" * 20, "PSEUDONYM_KEY": "p" * 20,
        "REPLY_ADDRESS_KEY": "r" * 20, "TWILIO_AUTH_TOKEN": "t" * 32}


def test_a_complete_environment_is_accepted():
    settings = Settings.from_env({**GOOD, "INBOUND_NUMBERS": "+842373000000=38, +842400000000=1",
                                  "DEFAULT_PROVINCE": "38", "KEYWORDS_START": "TIN, BAO AN"})
    assert settings.province_for("+842400000000") == 1
    assert settings.province_for("+849999") == 38
    assert settings.keywords.start == ("TIN", "BAO AN") and settings.sms_provider == "twilio"


@pytest.mark.parametrize("name", ["SECRET_KEY", "PSEUDONYM_KEY", "REPLY_ADDRESS_KEY",
                                  "TWILIO_AUTH_TOKEN", "DATABASE_URL"])
def test_a_missing_secret_is_refused(name):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({k: v for k, v in GOOD.items() if k != name})


@pytest.mark.parametrize("value", ["change-me", "secret", "dev"])
def test_placeholders_are_refused_outside_demo_mode(value):
    with pytest.raises(SettingsError, match="placeholder"):
        Settings.from_env({**GOOD, "SECRET_KEY": value})
    assert Settings.from_env({**GOOD, "SECRET_KEY": value, "TINBAO_DEMO": "1"}).demo


def test_demo_mode_defaults_to_sqlite_in_the_instance_folder_and_the_outbox():
    env = {k: v for k, v in GOOD.items() if k != "DATABASE_URL"}
    settings = Settings.from_env({**env, "TINBAO_DEMO": "1", "TINBAO_INSTANCE": "/tmp/inst"})
    assert settings.database_url == "sqlite:////tmp/inst/tinbao.db"
    assert settings.sms_provider == "outbox"


KANNEL = {"KANNEL_SENDSMS_URL": "http://127.0.0.1:13013/cgi-bin/sendsms",
          "KANNEL_USERNAME": "tinbao", "KANNEL_PASSWORD": "pw", "KANNEL_SECRET": "k" * 32}


def test_officer_providers_are_chosen_per_province_with_a_default():
    settings = Settings.from_env({**GOOD, **KANNEL, "OFFICER_PROVIDERS": "38=kannel, *=twilio"})
    assert settings.officer_provider(38) == "kannel"
    assert settings.officer_provider(1) == "twilio" and settings.officer_provider(None) == "twilio"
    assert settings.providers_in_use() == {"twilio", "kannel"}
    plain = Settings.from_env(GOOD)
    assert plain.officer_provider(38) is None and plain.providers_in_use() == {"twilio"}


def test_the_kannel_dlr_url_defaults_to_the_public_base_url():
    settings = Settings.from_env({**GOOD, **KANNEL, "PUBLIC_BASE_URL": "https://tips.example.vn/"})
    assert settings.kannel_dlr_url == "https://tips.example.vn/webhooks/kannel/dlr"
    inside = Settings.from_env({**GOOD, **KANNEL, "KANNEL_DLR_URL": "http://10.0.0.5/dlr"})
    assert inside.kannel_dlr_url == "http://10.0.0.5/dlr"


@pytest.mark.parametrize("env, problem", [
    ({"OFFICER_PROVIDERS": "38=viettel"}, "unknown SMS provider 'viettel'"),
    ({"SMS_PROVIDER": "kannel"}, "KANNEL_SENDSMS_URL is not set"),
    ({**KANNEL, "KANNEL_SECRET": ""}, "KANNEL_SECRET is not set"),
    ({**KANNEL, "KANNEL_SECRET": "change-me"}, "KANNEL_SECRET is a placeholder"),
])
def test_an_unusable_provider_choice_is_refused(env, problem):
    with pytest.raises(SettingsError, match=problem):
        Settings.from_env({**GOOD, **env})


def test_ussd_and_voice_settings_have_working_defaults_and_can_be_changed():
    settings = Settings.from_env(GOOD)
    assert settings.ussd_secret == "" and settings.ussd_timeout_seconds == 180
    assert settings.voice_voices["vi"] == "Google.vi-VN-Standard-A"
    assert settings.voice_languages == {"vi": "vi-VN", "en": "en-US"}
    assert not settings.voice_speech and settings.voice_timeout_minutes == 10
    changed = Settings.from_env({**GOOD, "USSD_SECRET": "u" * 24, "USSD_ALLOWED_IPS": "10.0.0.0/8,"
                                 " 192.0.2.7", "VOICE_VOICES": "vi=Google.vi-VN-Wavenet-D",
                                 "VOICE_LANGUAGES": "en=en-GB", "VOICE_SPEECH": "yes",
                                 "VOICE_PROMPTS_DIR": "/srv/prompts", "USSD_TIMEOUT_SECONDS": "90",
                                 "RECORDING_LINK_HOURS": "6"})
    assert changed.ussd_allowed_ips == ("10.0.0.0/8", "192.0.2.7")
    assert changed.voice_voices == {"vi": "Google.vi-VN-Wavenet-D",
                                    "en": "Google.en-US-Standard-C"}
    assert changed.voice_languages == {"vi": "vi-VN", "en": "en-GB"} and changed.voice_speech
    assert (changed.ussd_timeout_seconds, changed.recording_link_hours) == (90, 6)


@pytest.mark.parametrize("value", ["secret", "change-me", "short"])
def test_a_placeholder_or_short_ussd_secret_is_refused_outside_demo_mode(value):
    with pytest.raises(SettingsError, match="USSD_SECRET"):
        Settings.from_env({**GOOD, "USSD_SECRET": value})
    assert Settings.from_env({**GOOD, "USSD_SECRET": value, "TINBAO_DEMO": "1"}).demo


def test_unknown_categories_in_urgent_categories_or_sla_are_refused():
    with pytest.raises(SettingsError, match="URGENT_CATEGORIES: unknown category 'chay_no'"):
        Settings.from_env({**GOOD, "URGENT_CATEGORIES": "cuop,chay_no"})
    with pytest.raises(SettingsError, match="SLA: unknown category 'matuy'"):
        Settings.from_env({**GOOD, "SLA": "urgent=5m,normal=30m,matuy=15m"})
    settings = Settings.from_env({**GOOD, "URGENT_CATEGORIES": "CUOP, chay",
                                  "SLA": "urgent=5m,normal=30m,ma_tuy=15m"})
    assert settings.urgent_categories == ("cuop", "chay")
    assert settings.sla("ma_tuy", urgent=False) == 900
