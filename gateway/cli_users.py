"""`tinbao users create / list`: web logins for officers, supervisors and admins."""

import click
from flask.cli import AppGroup

from db import queries, users
from db.models import Role
from db.session import transaction, utcnow
from gateway.cli import cli
from gateway.services import services

users_cli = AppGroup("users", help="Web logins of the admin view.")
cli.add_command(users_cli)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="")
@click.option("--province", type=int, default=None, help="Province code (supervisors).")
@click.option("--officer", type=int, default=None, help="Officer id (officer logins).")
@click.password_option(help="At least 10 characters (asked when not given).")
def users_create(email: str, role: str, name: str, province: int | None, officer: int | None,
                 password: str) -> None:
    """Create a login (argon2-hashed password)."""
    try:
        with transaction(services().engine) as session:
            user = users.create(session, email, password, Role(role), utcnow(), name=name,
                                province_code=province, officer_id=officer)
            created = (user.id, user.email)
    except users.UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"user {created[0]} {created[1]} ({role}) created")


@users_cli.command("list")
def users_list() -> None:
    """Every login with its role and scope."""
    for u in queries.users(services().engine):
        scope = (f"province {u.province_code}" if u.province_code else
                 f"officer {u.officer_id}" if u.officer_id else "all")
        flag = "" if u.active else "  (inactive)"
        click.echo(f"{u.id:>5}  {u.role.value:<10}  {u.email:<40}  {scope}{flag}")
