"""The `thuvienso` command line (click). User mistakes are one sentence on stderr, exit 1."""

from __future__ import annotations

import contextlib
import csv
import os
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

import click
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from store.db import UNAVAILABLE, Store
from store.records import ACCESS_LEVELS, ImportSummary
from store.schema.migrate import upgrade
from store.settings import Settings, load_settings
from web.deploy import SOCKET

if TYPE_CHECKING:
    from store.ingest.reader_csv import ReaderImport

T = TypeVar("T")


def migrated_store() -> tuple[Store, bool]:
    """The store named by the settings, its schema brought up to date (True if it changed)."""
    try:
        settings = load_settings()
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    store = Store(settings)
    try:
        return store, upgrade(store.engine)
    except Exception as error:  # noqa: BLE001 - a database that cannot be reached
        url = make_url(settings.sqlalchemy_url)
        reason = str(error).splitlines()[0]
        if url.password:
            reason = reason.replace(str(url.password), "***")
        raise click.ClickException(f"cannot open the store at "
                                   f"{url.render_as_string(hide_password=True)}: {reason}"
                                   ) from None


def open_store() -> Store:
    """The store named by the settings, its schema brought up to date."""
    return migrated_store()[0]


def report(summary: ImportSummary) -> None:
    """Problems on stderr, the summary line on stdout; exit 1 when a record was rejected."""
    for problem in summary.problems:
        click.echo(problem, err=True)
    click.echo(summary.line())
    if summary.rejected:
        sys.exit(1)


OnProgress = Callable[[str, int, int | None], None]


@contextlib.contextmanager
def progress_bars() -> Iterator[OnProgress | None]:
    """A callback `(what, records, total)` drawing a bar per source on a terminal's stderr.

    None when stderr is not a terminal. The bars go away when the block ends, so the summary
    line and the problems are all that stays.
    """
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("records"), TimeElapsedColumn(), transient=True,
                  console=Console(stderr=True)) as bars:
        tasks: dict[str, TaskID] = {}

        def show(what: str, done: int, total: int | None) -> None:
            if what not in tasks:
                tasks[what] = bars.add_task(what, total=total)
            bars.update(tasks[what], completed=done, total=total)

        yield show


def _ingest(run: Callable[[OnProgress | None], ImportSummary],
            mistake: type[Exception]) -> None:
    """An import or a harvest with progress bars, then its report; the store's failure or the
    run's own `mistake` is one sentence on stderr and exit status 1 (what was written stays)."""
    from store.ingest.batch import StoreUnavailable

    try:
        with progress_bars() as show:
            summary = run(show)
    except (StoreUnavailable, mistake) as error:
        raise click.ClickException(str(error)) from None
    report(summary)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """thuvienso: an OAI-PMH 2.0 and IIIF server for a library's catalogue and scans.

    Settings come from THUVIENSO_* environment variables (see the README).
    """
    # the data dir holds the database and the scans of non-open items: nothing this process
    # (or a server's workers) creates is for other users (folders 0750, files 0640)
    os.umask(0o027)


@main.command()
def init() -> None:
    """Create or upgrade the store's schema (Alembic migrations)."""
    _store, applied = migrated_store()
    click.echo("schema upgraded" if applied else "schema already up to date")


@main.command()
@click.option("--items", default=36, show_default=True, type=click.IntRange(min=0),
              help="How many items to add.")
@click.option("--pages", default=None, type=click.IntRange(min=0),
              help="Pages per item; 0 makes metadata-only items (fast). Default: 2 to 12.")
@click.option("--seed", default=1, show_default=True, type=int,
              help="Random seed: the same seed gives the same collection.")
def demo(items: int, pages: int | None, seed: int) -> None:
    """Add a deterministic synthetic Vietnamese collection (books, newspapers, Hán Nôm)."""
    from store.ingest.demo.collection import build_demo

    store = open_store()
    summary = build_demo(store, items=items, pages=pages, seed=seed)
    click.echo(summary.line())


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", metavar="[auto|marc|marcxml|dc|package]", default="auto",
              show_default=True, help="Input format; auto recognises each file by its content.")
@click.option("--set", "set_spec", default=None, help="Put every imported item in this set.")
@click.option("--id-prefix", default="", help="Put this before every item id.")
@click.option("--access", type=click.Choice(ACCESS_LEVELS), default=None,
              help="Access level of every imported item (over a package's own `access`). "
                   "Default: a package's `access`, else open.")
def import_(paths: tuple[Path, ...], fmt: str, set_spec: str | None, id_prefix: str,
            access: str | None) -> None:
    """Import MARC (.mrc, MARC-8 or UTF-8), MARCXML, Dublin Core XML or item packages."""
    from store.ingest.importing import ImportError_, run_import

    store = open_store()
    _ingest(lambda show: run_import(store, list(paths), fmt=fmt, set_spec=set_spec,
                                    id_prefix=id_prefix, access=access, on_progress=show),
            ImportError_)


@main.command()
@click.argument("url")
@click.option("--metadata-prefix", default="oai_dc", show_default=True,
              help="Metadata format to harvest (oai_dc or marc21).")
@click.option("--set", "set_spec", default=None, help="Harvest only this set.")
@click.option("--from", "from_", default=None, help="Harvest records changed since (UTC).")
@click.option("--until", default=None, help="Harvest records changed until (UTC).")
@click.option("--id-prefix", default="", help="Put this before every item id.")
def harvest(url: str, metadata_prefix: str, set_spec: str | None, from_: str | None,
            until: str | None, id_prefix: str) -> None:
    """Harvest another OAI-PMH provider into the store, incrementally."""
    from oai.harvest import HarvestError, run_harvest

    store = open_store()
    _ingest(lambda show: run_harvest(store, url, metadata_prefix=metadata_prefix,
                                     set_spec=set_spec, from_=from_, until=until,
                                     id_prefix=id_prefix, on_progress=show), HarvestError)


@main.group("set")
def set_() -> None:
    """Sets (collections) of the catalogue."""


@set_.command("rights")
@click.argument("spec")
@click.argument("uri")
def set_rights_(spec: str, uri: str) -> None:
    """A set's default rights statement (a rightsstatements.org or Creative Commons URI), for
    its items (and those of the sets inside it) that have none of their own; `none` removes it."""
    from store.write.rights import set_rights

    store = open_store()
    try:
        with store.session() as session:
            count = set_rights(session, spec, None if uri == "none" else uri)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{spec}: {count} items restated")


@main.group()
def check() -> None:
    """Checks of the catalogue against what aggregators require."""


@check.command("edm")
def check_edm() -> None:
    """List the items that cannot be disseminated as EDM (metadataPrefix=edm), one a line with
    what each lacks; the other formats still serve them."""
    from store.read.queries import edm_refusals

    store = open_store()
    with store.reading() as session:
        refused = edm_refusals(session, store.settings.rights_default)
    for item_id, lacks in refused:
        click.echo(f"{item_id}: {'; '.join(lacks)}")
    click.echo(f"{len(refused)} items cannot be disseminated as EDM", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="THUVIENSO_HOST")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              envvar="THUVIENSO_PORT")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              envvar="THUVIENSO_WORKERS")
@click.option("--socket", "socket_path", default=None, envvar="THUVIENSO_SOCKET",
              type=click.Path(dir_okay=False), help="Listen on this Unix socket instead of "
              "--host and --port (nginx in front; mode 0660: its group may connect).")
def serve(host: str, port: int, workers: int, socket_path: str | None) -> None:
    """Serve the app with gunicorn (production server)."""
    from web.serve import serve as run

    open_store().dispose()  # migrate once, before the workers start
    run(host, port, workers, socket=socket_path)


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def backup(file: Path) -> None:
    """Write FILE (a new file, readable by you only): one archive of the database and the
    data dir's originals (scans, secret key), not the caches and tiles, which are made again.
    The store keeps working meanwhile; the archive holds each item whole or not at all."""
    from store.backup.archive import BackupError
    from store.backup.run import backup as run

    store = open_store()
    try:
        click.echo(run(store, file).line(f"{file} written"))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    except UNAVAILABLE as error:
        raise store_fault(error) from None
    finally:
        store.dispose()


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def restore(file: Path) -> None:
    """Fill an empty store (THUVIENSO_DATABASE_URL, THUVIENSO_DATA_DIR) from a backup FILE;
    a store that holds anything is refused, and so is a damaged or foreign archive."""
    from store.backup.archive import BackupError
    from store.backup.run import restore as run

    try:
        settings = load_settings()
        click.echo(run(settings, file).line(f"{file} restored"))
    except (BackupError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    except UNAVAILABLE as error:
        raise store_fault(error) from None


def _settings() -> Settings:
    """The settings, without making a secret key (deploy needs none, and may run as root)."""
    try:
        return load_settings({"secret_key": "-" * 32})
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@main.group()
def deploy() -> None:
    """Print the files that run thuvienso in production, for the current settings (see the
    README's production section and deploy/)."""


@deploy.command("nginx")
@click.option("--server-name", default=None,
              help="The site's host name. Default: the host of THUVIENSO_BASE_URL.")
@click.option("--certificate", default="", help="TLS certificate (full chain) file. "
              "Default: Let's Encrypt's path for the server name.")
@click.option("--certificate-key", default="", help="TLS private key file. Default: Let's "
              "Encrypt's path for the server name.")
@click.option("--socket", "socket_path", default=SOCKET, show_default=True,
              envvar="THUVIENSO_SOCKET", help="The app's Unix socket (thuvienso serve --socket).")
@click.option("--listen", default="", help="nginx's listen address. Default: 443 (80 with "
              "--plain-http).")
@click.option("--plain-http", is_flag=True,
              help="No TLS (for a test on loopback; never in production).")
def deploy_nginx(server_name: str | None, certificate: str, certificate_key: str,
                 socket_path: str, listen: str, plain_http: bool) -> None:
    """Print the nginx site: TLS, the app on its Unix socket, open tiles sent by nginx from
    the data dir, other tiles after the app's access check (X-Accel-Redirect)."""
    from web.deploy import Site, nginx_site
    from web.deploy import server_name as default_name

    settings = _settings()
    click.echo(nginx_site(settings, Site(server_name or default_name(settings), socket_path,
                                         certificate, certificate_key, listen, not plain_http)),
               nl=False)


@deploy.command("systemd")
@click.option("--socket", "socket_path", default=SOCKET, show_default=True,
              envvar="THUVIENSO_SOCKET", help="The Unix socket the app listens on.")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn workers (about two per core).")
def deploy_systemd(socket_path: str, workers: int) -> None:
    """Print the app's systemd unit and its environment file, each after a comment naming
    where it goes."""
    from web.deploy import systemd_units

    for text in systemd_units(_settings(), socket_path, workers).values():
        click.echo(text)


@main.command("reindex")
def reindex_() -> None:
    """Rebuild the item and page full-text indexes from what the store holds (after a change
    of folding, a damaged index, a restore from elsewhere); searches go on meanwhile. Stopped
    midway, what was done is kept, and running it again finishes the job."""
    from store.ingest.batch import RECORD_ERRORS, StoreUnavailable, store_faults
    from store.write.reindex import reindex

    store = open_store()
    try:
        with progress_bars() as show, store_faults():
            done = reindex(store, None if show is None
                           else lambda items, total: show("reindex", items, total))
    except StoreUnavailable as error:
        raise click.ClickException(str(error)) from None
    except RECORD_ERRORS as error:  # a damaged database, a full disk
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        raise click.ClickException(
            f"the reindex stopped ({reason[0] if reason else type(error).__name__}); what was "
            "done is kept, and running it again finishes the job") from None
    finally:
        store.dispose()
    click.echo(done.line())


@main.command("stats")
def stats_() -> None:
    """Counts of items, pages, sets, deleted items and readers."""
    from store.read.queries import stats

    store = open_store()
    with store.reading() as session:
        counts = stats(session)
    for name in ("items", "pages", "sets", "deleted", "readers"):
        click.echo(f"{name}: {getattr(counts, name)}")


@main.group()
def reader() -> None:
    """Reader accounts: free accounts valid until a date."""


def store_fault(error: Exception) -> click.ClickException:
    """A store that stopped answering midway, as one sentence (nothing was committed)."""
    first = str(getattr(error, "orig", None) or error).strip().splitlines()
    return click.ClickException("the store does not answer, nothing was changed: "
                                f"{first[0] if first else type(error).__name__}")


def _run_reader(action: Callable[[Session], T]) -> T:
    from store.write.readers import ReaderError

    store = open_store()
    try:
        with store.session() as session:
            return action(session)
    except ReaderError as error:
        raise click.ClickException(str(error)) from None
    except UNAVAILABLE as error:
        raise store_fault(error) from None


EXPIRES = click.DateTime(["%Y-%m-%d"])


@reader.command("add")
@click.argument("login")
@click.option("--expires", required=True, type=EXPIRES,
              help="Last day the account is valid (YYYY-MM-DD).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of generating one.")
@click.option("--group", default=None, help="A group, to extend its accounts together.")
@click.option("--name", default=None, help="The reader's name.")
@click.option("--email", default=None, help="The reader's email address.")
def reader_add(login: str, expires: datetime, password_stdin: bool, group: str | None,
               name: str | None, email: str | None) -> None:
    """Create a reader account; prints the generated password once."""
    from store.write.readers import add_reader, generate_password

    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    record = _run_reader(lambda s: add_reader(s, login, password, expires.date(), name, email,
                                              group))
    click.echo(f"reader {record.login} added, valid until {record.expires.isoformat()}")
    if not password_stdin:
        click.echo(f"password: {password}")


@reader.command("list")
def reader_list() -> None:
    """List reader accounts: login, last valid day, state and group."""
    from datetime import date

    from store.write.readers import list_readers

    today = date.today()
    for record in _run_reader(list_readers):
        state = "disabled" if record.disabled else ("active" if record.active_on(today)
                                                     else "expired")
        click.echo(f"{record.login}\t{record.expires.isoformat()}\t{state}\t"
                   f"{record.group or ''}".rstrip("\t"))


@reader.command("disable")
@click.argument("login")
def reader_disable(login: str) -> None:
    """Disable a reader account; its sessions end at once."""
    from store.write.readers import disable_reader

    record = _run_reader(lambda s: disable_reader(s, login))
    click.echo(f"reader {record.login} disabled")


@reader.command("extend")
@click.argument("login", required=False)
@click.option("--group", default=None, help="Extend every account of this group instead.")
@click.option("--expires", required=True, type=EXPIRES,
              help="New last day the account is valid (YYYY-MM-DD).")
def reader_extend(login: str | None, group: str | None, expires: datetime) -> None:
    """Set the last valid day of an account (LOGIN) or of a group (--group), re-enabling it."""
    from store.write.readers import extend_group, extend_reader

    if (login is None) == (group is None):
        raise click.UsageError("give either a LOGIN or --group")
    day = expires.date().isoformat()
    if group is not None:
        count = _run_reader(lambda s: extend_group(s, group, expires.date()))
        click.echo(f"{count} readers of group {group} valid until {day}")
        return
    record = _run_reader(lambda s: extend_reader(s, login or "", expires.date()))
    click.echo(f"reader {record.login} valid until {record.expires.isoformat()}")


@reader.command("reset")
@click.argument("login")
def reader_reset(login: str) -> None:
    """Give an account a new generated password (printed once); its sessions end at once."""
    from store.write.readers import generate_password, set_password

    password = generate_password()
    record = _run_reader(lambda s: set_password(s, login, password))
    click.echo(f"reader {record.login}: new password")
    click.echo(f"password: {password}")


@reader.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--expires", required=True, type=EXPIRES,
              help="Last day the new accounts are valid (YYYY-MM-DD).")
@click.option("--group", default=None, help="Put the new accounts in this group.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the logins and passwords here (readable by you only), not to stdout.")
def reader_import(file: Path, expires: datetime, group: str | None, out: Path | None) -> None:
    """Create accounts from a CSV file with a header row: login, and optionally name and email.

    Writes the new logins and their generated passwords as CSV (login,password) to stdout or
    to --out, to print and hand out. Logins that exist are skipped, and the summary says so.
    Problems are listed as FILE: line N: reason, and then nothing is written.
    """
    from store.ingest.reader_csv import ReaderFileError, import_readers, read_reader_csv
    from store.write.readers import ReaderError

    try:
        rows = read_reader_csv(file)
    except ReaderFileError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{file}: nothing imported") from None
    store = open_store()
    written: list[Path] = []

    def write_passwords(result: ReaderImport) -> None:
        """In the accounts' transaction, before its commit: if the file cannot be written, no
        account is; if the commit fails, the file is removed."""
        if out is None:
            return
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
                _password_csv(fh, result.created)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, out)
        except OSError as error:
            tmp.unlink(missing_ok=True)
            raise ReaderError(f"cannot write {out}: {error.strerror or error}") from None
        written.append(out)

    try:
        result = import_readers(store, rows, expires.date(), group, write_passwords)
    except BaseException as error:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, ReaderError):
            raise click.ClickException(str(error)) from None
        if isinstance(error, UNAVAILABLE):
            raise store_fault(error) from None
        raise
    if out is None:
        _password_csv(sys.stdout, result.created)
    for login in result.skipped:
        click.echo(f"{file}: {login}: skipped, the login exists", err=True)
    click.echo(result.line(), err=out is None)


def _password_csv(stream: TextIO, created: list[tuple[str, str]]) -> None:
    table = csv.writer(stream, lineterminator="\n")
    table.writerow(["login", "password"])
    table.writerows(created)


@main.group()
def item() -> None:
    """Items of the catalogue."""


@item.command("access")
@click.argument("item_id", metavar="ITEM")
@click.argument("level", type=click.Choice(ACCESS_LEVELS))
def item_access(item_id: str, level: str) -> None:
    """Set an item's access level: open (anyone), readers (signed-in readers with a valid
    account) or restricted (metadata only). Image requests see the change at once."""
    from store.write.items import set_access

    store = open_store()
    try:
        with store.session() as session:
            changed = set_access(session, item_id, level)
    except LookupError as error:
        raise click.ClickException(str(error.args[0])) from None
    except UNAVAILABLE as error:
        raise store_fault(error) from None
    click.echo(f"{item_id}: access {level}" + ("" if changed else " (unchanged)"))
