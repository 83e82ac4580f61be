"""`tinbao ussd` and `tinbao call`: try the USSD menus and the voice hotline from a terminal,
against the running gateway, with requests shaped and authenticated like the real gateways'."""

import os
import secrets
import urllib.parse
import xml.etree.ElementTree as ET

import click

from gateway.twilio_requests import call_form, new_sid, post_form, post_signed

DIALLED = "+84999000111"


def _base(url: str | None) -> str:
    return (url or f"http://127.0.0.1:{os.environ.get('PORT', 5000)}").rstrip("/")


def _setting(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise click.ClickException(f"{name} is not set (start the demo with `tinbao up`)")
    return value


@click.command("ussd")
@click.option("--from", "phone", required=True, help="The phone's number, e.g. +84912345678.")
@click.option("--code", default="*384*38#", show_default=True, help="The USSD code dialled.")
@click.option("--url", default=None, help="Gateway base URL (default: the local demo server).")
def ussd_command(phone: str, code: str, url: str | None) -> None:
    """A USSD session as Africa's Talking runs it: type each answer, Ctrl-D to hang up."""
    endpoint = f"{_base(url)}/webhooks/ussd?secret={urllib.parse.quote(_setting('USSD_SECRET'))}"
    session, answers = "ATUid_" + secrets.token_hex(16), None
    while True:
        form = {"sessionId": session, "serviceCode": code, "phoneNumber": phone,
                "networkCode": "45204", "text": answers or ""}
        status, body = _post(post_form, endpoint, form)
        click.echo(body[4:] if body[:4] in ("CON ", "END ") else body)
        if status != 200 or not body.startswith("CON "):
            return
        answer = _ask("")
        if answer is None:
            return
        answers = answer if answers is None else f"{answers}*{answer}"


@click.command("call")
@click.option("--from", "caller", required=True, help="The caller's number, e.g. +84912345678.")
@click.option("--to", "called", default=DIALLED, show_default=True)
@click.option("--url", default=None, help="Gateway base URL (default: the local demo server).")
def call_command(caller: str, called: str, url: str | None) -> None:
    """Call the voice hotline: prints what would be said; type the keys you would press."""
    token, base, sid = _setting("TWILIO_AUTH_TOKEN"), _base(url), new_sid("CA")
    account = os.environ.get("TWILIO_ACCOUNT_SID") or "AC" + "0" * 32
    target, extra = f"{base}/webhooks/twilio/voice", {}
    while target:
        form = call_form(sid, caller, called, account, **extra)
        status, body = _post(post_signed, target, form, token)
        if status != 200:
            raise click.ClickException(f"gateway answered {status}: {body[:200]}")
        target, extra = _next_request(ET.fromstring(body), base)
    end = call_form(sid, caller, called, account, CallStatus="completed")
    _post(post_signed, f"{base}/webhooks/twilio/voice/status", end, token)
    click.echo("(call ended)")


def _next_request(twiml: ET.Element, base: str) -> tuple[str | None, dict]:
    """Print what the TwiML says, ask for the caller's answer, and say where it goes next."""
    for element in twiml.iter():
        if element.tag == "Say":
            click.echo(f"  says: {element.text}")
        elif element.tag == "Play":
            click.echo(f"  plays: {element.text}")
    gather, record, redirect = (twiml.find(tag) for tag in ("Gather", "Record", "Redirect"))
    if gather is None and record is None:
        return None, {}  # <Hangup/>
    label = "keys (or words where speech is on)" if gather is not None else (
        "(recording) type what you would say")
    answer = _ask(label + "; Enter for silence")
    if answer is None:
        return None, {}  # hung up
    if not answer:
        return urllib.parse.urljoin(base + "/", redirect.text), {}
    if gather is not None:
        field = "Digits" if set(answer) <= set("0123456789*#") else "SpeechResult"
        return urllib.parse.urljoin(base + "/", gather.get("action")), {field: answer.rstrip("#")}
    click.echo("  (a real call records audio here; this one is only simulated)")
    recording = new_sid("RE")
    return urllib.parse.urljoin(base + "/", record.get("action")), {
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{'AC' + '0' * 32}/"
                        f"Recordings/{recording}",
        "RecordingDuration": str(max(1, len(answer) // 12)), "RecordingSid": recording,
        "Digits": "#"}


def _ask(label: str) -> str | None:
    """The next answer typed, or None at end of input (Ctrl-D: hang up)."""
    try:
        return click.prompt(label or ">", default="", show_default=False, prompt_suffix=" > "
                            if label else " ")
    except click.Abort:
        return None


def _post(send, url: str, *args) -> tuple[int, str]:
    try:
        return send(url, *args)
    except OSError as exc:
        raise click.ClickException(f"cannot reach {url}: {exc}") from exc
