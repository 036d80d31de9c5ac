"""The ``outreach`` console script: what operators need, in one place."""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from outreach.config import load_settings
from outreach.runtime import PRIVATE_UMASK


def _runtime() -> Any:
    from outreach import runtime
    from outreach.logs import configure_logging
    from outreach.wiring import build_runtime

    rt = build_runtime(load_settings())
    configure_logging(rt.settings.log_level)
    runtime.install(rt)
    return rt


def _iso(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time, e.g. 2026-12-01T09:00+01:00"
        ) from None
    if parsed.tzinfo is None:
        raise click.BadParameter("give a time zone offset, e.g. 2026-12-01T09:00+01:00")
    return parsed


@click.group()
def cli() -> None:
    """Outreach: keep reaching tenants at risk of eviction."""
    # Before any command writes (``db upgrade`` creates the SQLite file).
    os.umask(PRIVATE_UMASK)


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations, then make sure the district table is filled."""
    from outreach.demo import seed_districts
    from outreach.migrate import upgrade
    from outreach.reports.population import seed_population

    rt = _runtime()
    upgrade(rt.settings.database)
    with rt.session() as session:
        added = seed_districts(session)
        people = seed_population(session, rt.now())
    click.echo(f"database at head; {added} districts and {people} population figures added")


@cli.command("seed-demo")
def seed_demo_command() -> None:
    """Demo staff, a token, two live cases and a year of closed ones (make run)."""
    from outreach.demo import seed_demo

    rt = _runtime()
    session = rt.new_session()
    try:
        result = seed_demo(session, rt, year=True)
    finally:
        session.close()
    click.echo(json.dumps(result))


@cli.command()
@click.option("--now", "now_text", help="ISO time with offset; default: the clock")
def tick(now_text: str | None) -> None:
    """Hand due steps to the queue and recover lost jobs, once."""
    from outreach.jobs.tick import tick as run_tick

    rt = _runtime()
    report = run_tick(rt, _iso(now_text))
    click.echo(json.dumps(report.as_json()))


@cli.command()
@click.option("--burst", is_flag=True, help="Tick once, run what is queued, then exit.")
@click.option("--no-tick", is_flag=True, help="Only run jobs; another process ticks.")
def worker(burst: bool, no_tick: bool) -> None:
    """Run an RQ worker with the periodic tick."""
    from outreach.jobs.worker import run_worker

    run_worker(_runtime(), burst=burst, with_tick=not no_tick)


@cli.command()
@click.option(
    "--trigger", "trigger_file", required=True, type=click.Path(exists=True, dir_okay=False)
)
@click.option("--days", default=21, show_default=True, type=click.IntRange(1, 366))
@click.option("--respond-at", "respond_at", help="ISO time with offset when the tenant answers")
@click.option("--pause-at", "pause_at", help="ISO time with offset when staff pause the ladder")
@click.option("--resume-at", "resume_at", help="ISO time with offset when staff resume it")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as a JSON array")
def simulate(
    trigger_file: str,
    days: int,
    respond_at: str | None,
    pause_at: str | None,
    resume_at: str | None,
    as_json: bool,
) -> None:
    """Show what the ladder will do to a case, on a virtual clock."""
    from marshmallow import ValidationError

    from outreach.simulate import format_table
    from outreach.simulate import simulate as run

    document = json.loads(Path(trigger_file).read_text(encoding="utf-8"))
    extra: list[dict[str, Any]] = []
    if isinstance(document, list):
        document, extra = document[0], document[1:]
    try:
        events = run(
            load_settings(), document, days=days, respond_at=_iso(respond_at),
            extra_triggers=extra, pause_at=_iso(pause_at), resume_at=_iso(resume_at),
        )  # fmt: skip
    except ValidationError as exc:
        click.echo(json.dumps({"errors": exc.messages}, ensure_ascii=False, indent=1), err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(events, ensure_ascii=False, indent=1))
    else:
        click.echo(format_table(events))


@cli.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.option(
    "--roles",
    default="caseworker",
    show_default=True,
    help="comma-separated: caseworker, district_lead, medical_officer, central_intake, admin, "
    "outreach_team",
)
@click.option("--districts", default="", help="comma-separated district codes, e.g. 030101")
@click.option("--phone", default=None, help="kept as it is when omitted")
@click.option("--email", default=None, help="where home-visit invitations go; '' clears it")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def create_user(
    username: str,
    display_name: str,
    roles: str,
    districts: str,
    phone: str | None,
    email: str | None,
    password_stdin: bool,
) -> None:
    """Create or update a staff user: name, roles and districts as given (user name casefolded)."""
    from outreach.demo import ensure_user
    from outreach.districts import is_routable
    from outreach.staff.users import UserError, normalise_username, parse_roles

    try:
        parse_roles(roles)
    except UserError as exc:
        raise click.BadParameter(str(exc), param_hint="--roles") from exc
    if not normalise_username(username):
        raise click.BadParameter("the user name is empty", param_hint="--username")

    for code in filter(None, districts.split(",")):
        if not is_routable(code):
            raise click.BadParameter(f"{code} is not a district code", param_hint="--districts")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise click.BadParameter(f"{email!r} is not an email address", param_hint="--email")
    password = (
        sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
    )
    rt = _runtime()
    with rt.session() as session:
        user = ensure_user(
            session,
            username,
            display_name,
            roles=roles,
            districts=districts,
            phone=phone,
            password=password,
            email=email,
        )
        saved, active = user.username, user.active
    note = "" if active else " (deactivated: it cannot sign in)"
    click.echo(f"user {saved} saved{note}")


@cli.command("deactivate-user")
@click.option("--username", required=True)
def deactivate_user_command(username: str) -> None:
    """Stop a staff user from signing in (password or SSO); the history keeps the name."""
    from outreach.staff.users import UserError, deactivate_user

    rt = _runtime()
    with rt.session() as session:
        try:
            user = deactivate_user(session, username)
        except UserError as exc:
            raise click.BadParameter(str(exc), param_hint="--username") from exc
        saved = user.username
    click.echo(f"user {saved} deactivated")


@cli.command("create-token")
@click.option("--name", required=True, help="what the token is for, e.g. 'namsfogden feed'")
@click.option("--user", "username", help="a staff user's token; omit for a system integration")
def create_token(name: str, username: str | None) -> None:
    """Create an API bearer token; it is shown once and stored hashed."""
    from outreach.staff.tokens import issue_token
    from outreach.staff.users import find_user

    rt = _runtime()
    with rt.session() as session:
        user = None
        if username:
            user = find_user(session, username)
            if user is None:
                raise click.BadParameter(f"no user {username}", param_hint="--user")
        token = issue_token(session, name, user)
    click.echo(token)


@cli.command("revoke-token")
@click.option("--name", required=True, help="the name the token was created with")
def revoke_token(name: str) -> None:
    """Revoke every live API token with this name: it is refused from the next call on."""
    from outreach.staff.tokens import revoke_tokens

    rt = _runtime()
    with rt.session() as session:
        count = revoke_tokens(session, name, rt.now())
    if not count:
        raise click.BadParameter(f"no live token named {name!r}", param_hint="--name")
    click.echo(f"{count} token(s) named {name!r} revoked")


@cli.command("create-landlord")
@click.option("--org-number", required=True, help="the landlord's organisation number (9 digits)")
@click.option("--name", required=True, help="the landlord's name, as NAV's letters may show it")
@click.option("--username", help="a portal login for a person at the landlord (e-mail address)")
@click.option("--display-name", default="", help="that person's name; default: the user name")
@click.option("--password-stdin", is_flag=True, help="read the portal password from standard input")
@click.option("--token", "token_name", help="also print an API token with this name")
def create_landlord(
    org_number: str,
    name: str,
    username: str | None,
    display_name: str,
    password_stdin: bool,
    token_name: str | None,
) -> None:
    """Create or update a landlord who may warn NAV (portal login and/or API token)."""
    from outreach import identity
    from outreach.landlords.warnings import LandlordError, ensure_account, ensure_landlord
    from outreach.staff.tokens import issue_token

    try:
        identity.validate_org_number(org_number)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--org-number") from exc
    password = None
    if username:
        password = (
            sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
        )
        if len(password) < 12:
            raise click.BadParameter("use at least 12 characters", param_hint="password")
    rt = _runtime()
    with rt.session() as session:
        landlord = ensure_landlord(session, org_number, name)
        if username:
            try:
                ensure_account(session, landlord, username, display_name or username, password)
            except LandlordError as exc:
                raise click.BadParameter(str(exc), param_hint="--username") from exc
        token = (
            issue_token(session, token_name, None, landlord_id=landlord.id) if token_name else None
        )
        session.commit()
        click.echo(f"landlord {landlord.org_number} {landlord.name} saved")
        if username:
            click.echo(f"portal login {username.strip().casefold()} saved")
    if token:
        click.echo(token)


@cli.group()
def districts() -> None:
    """District reference data."""


@districts.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dataset", default="", help="the official dataset's name and date, for the record")
def districts_import(csv_file: str, dataset: str) -> None:
    """Validate an address table and route by it from the next start (var/address-table.csv)."""
    from outreach.config import load_settings
    from outreach.districts import IMPORTED_TABLE, AddressImportError, install_address_table

    settings = load_settings()
    dest = settings.address_table or settings.var_dir / IMPORTED_TABLE
    try:
        rows = install_address_table(Path(csv_file), dest, dataset=dataset)
    except AddressImportError as exc:
        raise click.ClickException(f"nothing was imported:\n{exc}") from exc
    click.echo(f"{len(rows)} address rows imported to {dest}; restart web and workers to use them")


@districts.command("check-addresses")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def districts_check(csv_file: str) -> None:
    """Validate an address table (street, numbers, district) before shipping it."""
    from outreach.districts import AddressImportError, import_address_csv

    try:
        rows = import_address_csv(Path(csv_file))
    except AddressImportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{len(rows)} address rows are valid; copy the file to outreach/data/oslo_addresses.csv"
    )


def _problems(exc: Any) -> str:
    return "nothing was imported:\n" + "\n".join(f"  {p}" for p in exc.problems)


@cli.command("import-population")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def import_population_command(csv_file: str) -> None:
    """Inhabitants per district (district_code, year, population, source); replaces those years."""
    from outreach.reports.csvfile import ImportRefused
    from outreach.reports.population import import_population, parse_population

    try:
        rows = parse_population(Path(csv_file).read_bytes())
    except ImportRefused as exc:
        raise click.ClickException(_problems(exc)) from exc
    rt = _runtime()
    with rt.session() as session:
        years = import_population(session, rows, rt.now())
    replaced = ", ".join(map(str, years))
    click.echo(f"{len(rows)} population rows imported; replaced year(s) {replaced}")


@cli.command("import-bailiff")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def import_bailiff_command(csv_file: str) -> None:
    """The bailiff's quarterly overview (quarter, district, plaintiff_type, petitions, evictions).

    All or nothing: a file with any bad line is refused whole, every problem
    named; a file replaces the quarters it contains, so re-importing is harmless.
    """
    from outreach.reports.bailiff import import_bailiff, parse_bailiff
    from outreach.reports.csvfile import ImportRefused

    path = Path(csv_file)
    try:
        rows = parse_bailiff(path.read_bytes())
    except ImportRefused as exc:
        raise click.ClickException(_problems(exc)) from exc
    rt = _runtime()
    with rt.session() as session:
        quarters = import_bailiff(
            session, rows, source_name=path.name, imported_by="cli", now=rt.now()
        )
    click.echo(f"{len(rows)} bailiff rows imported; replaced quarter(s) {', '.join(quarters)}")


@cli.group()
def letter() -> None:
    """Letters: previews for translators and staff."""


def _register_letter_commands() -> None:
    from outreach.letters.preview import preview

    letter.add_command(preview)


_register_letter_commands()


@cli.group("print-batches")
def print_batches() -> None:
    """Print batches: list, render, mark posted."""


@print_batches.command("list")
def print_batches_list() -> None:
    from sqlalchemy import func, select

    from outreach.models import PrintBatch, PrintItem

    rt = _runtime()
    with rt.session() as session:
        for batch in session.scalars(select(PrintBatch).order_by(PrintBatch.id)):
            count = session.scalar(
                select(func.count()).where(
                    PrintItem.batch_id == batch.id, PrintItem.status != "withdrawn"
                )
            )
            district = batch.district_code or "central"
            click.echo(
                f"{batch.id:>5}  {district:<7} {batch.status:<9} {count} letters  "
                f"{batch.pdf_path or ''}"
            )


@print_batches.command("render")
@click.argument("batch_id", type=int)
def print_batches_render(batch_id: int) -> None:
    """Render now (in this process); the web UI and API use a background job."""
    from outreach.reach.letter.batches import PrintError, render_batch

    rt = _runtime()
    with rt.session() as session:
        try:
            batch = render_batch(session, rt, batch_id)
        except PrintError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"batch {batch.id}: {batch.page_count or 0} pages -> {batch.pdf_path}")


@print_batches.command("post")
@click.argument("batch_id", type=int)
@click.option("--at", "posted_at", help="ISO time with offset; default now")
def print_batches_post(batch_id: int, posted_at: str | None) -> None:
    """Mark a rendered batch as posted: its letters count as sent from then."""
    from outreach.reach.letter.batches import PrintError, post_batch

    rt = _runtime()
    with rt.session() as session:
        try:
            post_batch(session, rt, batch_id, posted_at=_iso(posted_at), actor="cli")
        except PrintError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"batch {batch_id} posted")


@cli.command("dev-redis")
def dev_redis() -> None:
    """Start (or find) the project's own Redis and print its URL."""
    from outreach.devservices import ensure_redis

    click.echo(ensure_redis(load_settings().var_dir))


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="outreach")


if __name__ == "__main__":
    main()
