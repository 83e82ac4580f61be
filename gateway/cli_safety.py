"""`tinbao doctor`, `tinbao block / unblock <ref>` and `tinbao retry <message id>`."""

import os

import click

from db import actions, remedies
from db.doctor import database_findings, redis_findings, settings_findings
from db.session import make_engine, transaction, utcnow
from db.settings import Settings
from gateway.cli import cli
from gateway.services import services
from workers.queues import connect, enqueue_quietly, send_job

ACTOR = actions.Actor("cli")


@cli.command("doctor", with_appcontext=False)
def doctor() -> None:
    """List insecure or fragile settings (secrets, demo mode, tokens, Redis persistence,
    PostgreSQL's autovacuum)."""
    settings = Settings.from_env(os.environ, check=False)
    findings = (settings_findings(settings) + redis_findings(_redis_config(settings.redis_url))
                + database_findings(_database_config(settings.database_url)))
    for finding in findings:
        click.echo(f"{finding.level.upper():<8}{finding.message}")
    errors = sum(f.level == "error" for f in findings)
    click.echo(f"{errors} error(s), {len(findings) - errors} warning(s)")
    if errors:
        raise SystemExit(1)


def _redis_config(url: str) -> dict[str, str] | None:
    """appendonly, save and maxmemory-policy as Redis reports them; None if it cannot say."""
    try:
        client = connect(url)
        config = {}
        for name in ("appendonly", "save", "maxmemory-policy"):
            config.update({k: str(v) for k, v in client.config_get(name).items()})
        client.close()
        return config
    except Exception:  # unreachable, or CONFIG renamed away on a managed Redis
        return None


def _database_config(url: str) -> dict[str, str] | None:
    """PostgreSQL's autovacuum setting; None for SQLite or a database that does not answer."""
    if not url.startswith("postgresql"):
        return None
    try:
        engine = make_engine(url)
    except Exception:  # not a URL SQLAlchemy can use: the settings' findings say so
        return None
    try:
        with engine.connect() as connection:
            return {"autovacuum": connection.exec_driver_sql("SHOW autovacuum").scalar_one()}
    except Exception:  # unreachable: /healthz says so
        return None
    finally:
        engine.dispose()


@cli.command("block")
@click.argument("reference")
def block(reference: str) -> None:
    """Block the sender of a tip (by pseudonym; the number stays unknown)."""
    _block(reference, True)


@cli.command("unblock")
@click.argument("reference")
def unblock(reference: str) -> None:
    """Lift a block put on the sender of a tip."""
    _block(reference, False)


def _block(reference: str, blocked: bool) -> None:
    svc = services()
    with transaction(svc.engine) as session:
        tip = remedies.tip_by_reference(session, reference)
        if tip is None:
            raise click.ClickException(f"no tip {reference}")
        turn = remedies.block_reporter(session, tip, ACTOR, utcnow(), blocked)
    click.echo(turn.reply)


@cli.command("retry")
@click.argument("outbound_id", type=int)
def retry(outbound_id: int) -> None:
    """Send a failed or undelivered outbound message again (see `tinbao outbox`)."""
    svc = services()
    with transaction(svc.engine) as session:
        turn = remedies.retry_outbound(session, outbound_id, ACTOR, utcnow())
    if not turn.outbound_ids:
        raise click.ClickException(turn.reply)
    if not enqueue_quietly(svc.redis, [send_job(i) for i in turn.outbound_ids]):
        click.echo("Redis is down: the sweeper will send it once it is back")
    click.echo(turn.reply)
