"""The `tinbao` command: demo, migrations, directory, test SMS, USSD and calls, the outbox."""

import json
import os
import re
from pathlib import Path

import click
from flask.cli import AppGroup, FlaskGroup, routes_command, shell_command

from db import demo, directory, migrate, queries
from db.models import OutboundMessage, RecipientKind
from db.privacy import AddressError, mask
from gateway.cli_phone import call_command, ussd_command
from gateway.services import services
from gateway.twilio_requests import post_signed, sms_form


def _create_app():
    from gateway import create_app

    return create_app()


cli = FlaskGroup(create_app=_create_app, add_default_commands=False, load_dotenv=False,
                 help="tinbao: anonymous SMS / USSD / voice tips to commune police.")
cli.add_command(routes_command)
cli.add_command(shell_command)
cli.add_command(ussd_command)
cli.add_command(call_command)


@cli.command("up", with_appcontext=False)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", 5000)))
def up_command(port: int) -> None:
    """Start the whole demo service: Redis, web, worker and scheduler (Ctrl-C stops all)."""
    from gateway.demo import run_demo

    raise SystemExit(run_demo(port))


db_cli = AppGroup("db", help="Database schema.")
cli.add_command(db_cli)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (the Procfile's release step runs this)."""
    migrate.upgrade(services().settings.database_url)
    click.echo("database is at the latest schema")


directory_cli = AppGroup("directory", help="The commune directory.")
cli.add_command(directory_cli)


@directory_cli.command("load")
def directory_load() -> None:
    """Load or refresh the 34 provinces and 3,321 communes (idempotent)."""
    provinces, communes = directory.load(services().engine)
    click.echo(f"{provinces} provinces, {communes} communes")


demo_cli = AppGroup("demo", help="Demo data.")
cli.add_command(demo_cli)


@demo_cli.command("seed")
@click.option("--province", type=int, default=demo.DEMO_PROVINCE)
def demo_seed(province: int) -> None:
    """Create demo officers (fictitious numbers) for every commune of a province."""
    created = demo.seed_officers(services().engine, province)
    click.echo(f"{created} demo officers created")


officers_cli = AppGroup("officers", help="Officers and duty desks.")
cli.add_command(officers_cli)


@officers_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--commune", type=int, default=None, help="Only this commune (GSO code).")
def officers_list(as_json: bool, commune: int | None) -> None:
    """List officers with their commune and phone."""
    rows = queries.officers(services().engine, commune)
    items = [{"id": o.id, "name": o.name, "phone": o.phone, "kind": o.kind.value,
              "commune_code": o.commune_code, "commune": name, "province_code": o.province_code,
              "active": o.active} for o, name in rows]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=1))
        return
    for i in items:
        where = f"{i['commune_code']} {i['commune']}" if i["commune_code"] else i["kind"]
        flag = "" if i["active"] else "  (inactive)"
        click.echo(f"{i['id']:>5}  {i['phone']:<14}  {where:<32}  {i['name']}{flag}")


sms_cli = AppGroup("sms", help="Talk to the running gateway like a phone would.")
cli.add_command(sms_cli)


@sms_cli.command("send", with_appcontext=False)
@click.option("--from", "sender", required=True, help="The sender's number, e.g. +84912345678.")
@click.option("--to", "receiver", default="+84999000111", show_default=True)
@click.option("--url", default=None, help="Webhook URL (default: the local demo server).")
@click.argument("text")
def sms_send(sender: str, receiver: str, url: str | None, text: str) -> None:
    """Post a correctly signed Twilio SMS webhook and print the reply."""
    token = os.environ.get("TWILIO_AUTH_TOKEN", "")
    if not token:
        raise click.ClickException("TWILIO_AUTH_TOKEN is not set (start the demo with `tinbao up`)")
    url = url or f"http://127.0.0.1:{os.environ.get('PORT', 5000)}/webhooks/twilio/sms"
    try:
        status, body = post_signed(url, sms_form(sender, receiver, text), token)
    except OSError as exc:
        raise click.ClickException(f"cannot reach {url}: {exc}") from exc
    if status != 200:
        raise click.ClickException(f"gateway answered {status}: {body[:200]}")
    replies = re.findall(r"<Message>(.*?)</Message>", body, re.S)
    queued = os.environ.get("SMS_REPLY", "").strip().lower() == "queued"
    click.echo("\n".join(_unescape(r) for r in replies) or (
        "(kept; a worker sends the reply by SMS: `tinbao outbox`)" if queued else "(no reply)"))


@cli.command("outbox")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", type=int, default=20, show_default=True)
def outbox(as_json: bool, limit: int) -> None:
    """The latest outbound messages (addresses masked; reporters never shown)."""
    svc = services()
    items = [_outbox_item(svc, m, ref) for m, ref in queries.outbox(svc.engine, limit)]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=1))
        return
    if not items:
        click.echo("(outbox is empty)")
    for i in items:
        click.echo(f"#{i['id']} {i['created_at'][:19]} {i['status']:<9} {i['recipient']:<8} "
                   f"{i['address']:<16} tip {i['tip_reference'] or '-'}\n    {i['body']}")


def _outbox_item(svc, msg: OutboundMessage, reference: str | None) -> dict:
    if msg.recipient_kind == RecipientKind.OFFICER:
        try:
            address = mask(svc.keyring.unseal(msg.address))
        except AddressError:
            address = "?"
    else:
        address = "(hidden)"
    return {"id": msg.id, "created_at": msg.created_at.isoformat(),
            "recipient": msg.recipient_kind.value, "address": address, "body": msg.body,
            "purpose": msg.purpose, "status": msg.status.value, "tip_reference": reference,
            "provider_id": msg.provider_id, "attempts": msg.attempts}


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def load_env_file(path: Path) -> None:
    """Use KEY=VALUE lines of the demo's env file as defaults for unset variables."""
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


from gateway import cli_officers, cli_safety, cli_users  # noqa: E402,F401  (their commands)


def main() -> None:
    """Console script entry point."""
    load_env_file(Path(os.environ.get("TINBAO_INSTANCE", "instance")) / "tinbao.env")
    cli.main(prog_name="tinbao")
