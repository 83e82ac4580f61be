"""`tinbao officers import / export`: the officer directory as CSV."""

from pathlib import Path

import click

from db import officers_csv
from gateway.cli import officers_cli
from gateway.services import services


@officers_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every line, change nothing.")
def officers_import(path: Path, dry_run: bool) -> None:
    """Create or update officers from a CSV file (nothing is written if any line is bad)."""
    svc = services()
    report = officers_csv.import_csv(svc.engine, path.read_text(encoding="utf-8-sig"),
                                     svc.settings.default_country, dry_run)
    for line, problem in report.errors:
        click.echo(f"line {line}: {problem}", err=True)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} problem(s); nothing was imported")
    if dry_run:
        click.echo("all lines are valid (dry run: nothing written)")
        return
    click.echo(f"{report.created} created, {report.updated} updated")


@officers_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
def officers_export(path: Path | None) -> None:
    """Write all officers as CSV to PATH (or standard output)."""
    text = officers_csv.export_csv(services().engine)
    if path is None:
        click.echo(text, nl=False)
    else:
        path.write_text(text, encoding="utf-8")
        click.echo(f"{text.count(chr(10)) - 1} officers written to {path}")
