"""`thuvienso import` from the command line: summary line, exit status, user mistakes, kills,
and a store that stops answering midway."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy

import store.ingest.batch as batch
import store.ingest.importing as importing
from store.ingest.batch import StoreUnavailable
from store.ingest.crosswalk_marc import marc_to_dc
from store.ingest.importing import run_import
from store.read.queries import get_item, stats
from tests.faults import assert_stopped_on_store_fault
from tests.store.ingest.helpers import (
    DATA,
    CutAfter,
    contents,
    gone,
    marc_record,
    outage,
    reference_store,
    write_marcxml,
)
from web import cli
from web.cli import main, progress_bars

ROOT = Path(__file__).resolve().parents[2]
VALUES_PER_RECORD = len(marc_to_dc(marc_record("x"))[0])


@pytest.mark.parametrize("files, code, line", [
    (["oai-listrecords.xml"], 0, "2 imported, 0 updated, 1 unchanged, 0 deleted, 0 rejected"),
    (["dc-shared-identifiers.xml"], 1,
     "2 imported, 0 updated, 0 unchanged, 0 deleted, 1 rejected"),
])
def test_summary_line_and_exit_status(runner, files, code, line):
    result = runner.invoke(main, ["import", *(str(DATA / f) for f in files)])
    assert result.exit_code == code
    assert result.stdout.strip().splitlines()[-1] == line
    if code:
        assert "record 3: no identifier" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["/nonexistent/catalogue.mrc"], "Error: no such file or folder: /nonexistent/catalogue.mrc"),
    ([str(ROOT / "pyproject.toml")], f"Error: cannot tell the format of {ROOT / 'pyproject.toml'}"
                                     "; give it with --format (marc, marcxml, dc or package)"),
    ([str(DATA), "--format", "marc"], f"Error: {DATA} is a folder, not marc"),
    ([str(DATA / "oai-listrecords.xml"), "--set", "sách"],
     "Error: 'sách' is not a valid setSpec (letters, digits, - _ . ! ~ * ' ( ), "
     "with ':' between levels)"),
])
def test_user_mistakes_are_one_sentence_and_exit_1(runner, args, message):
    result = runner.invoke(main, ["import", *args])
    assert result.exit_code == 1
    assert result.stderr.strip() == message
    assert "Traceback" not in result.output


def test_a_failure_midway_leaves_whole_items_and_a_rerun_finishes(store, tmp_path, monkeypatch):
    path = write_marcxml(tmp_path / "many.xml", [marc_record(f"r{i:03d}") for i in range(50)])
    monkeypatch.setattr(batch, "BATCH_SIZE", 10)
    calls = []
    real = batch.bulk_upsert

    def dying(session, items, data_path):
        calls.append(len(items))
        if len(calls) == 3:
            real(session, items[:5], data_path)  # half a batch written, then the process dies
            raise KeyboardInterrupt
        return real(session, items, data_path)

    monkeypatch.setattr(batch, "bulk_upsert", dying)
    with pytest.raises(KeyboardInterrupt):
        run_import(store, [path])
    with store.reading() as s:
        assert stats(s).items == 20
        assert all(len(get_item(s, f"r{i:03d}").metadata) == VALUES_PER_RECORD
                   for i in range(20))
        assert get_item(s, "r020") is None
    monkeypatch.setattr(batch, "bulk_upsert", real)
    summary = run_import(store, [path])
    assert (summary.imported, summary.unchanged) == (30, 20)


def _count(url: str) -> int:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM item").scalar() or 0
    except sqlalchemy.exc.OperationalError:
        return 0
    finally:
        engine.dispose()


def test_killed_import_leaves_no_partial_item_and_rerun_completes(settings_overrides, tmp_path):
    records = 400
    path = write_marcxml(tmp_path / "big.xml", [marc_record(f"k{i:04d}") for i in range(records)])
    env = dict(os.environ, **{f"THUVIENSO_{k.upper()}": str(v)
                              for k, v in settings_overrides.items()})
    slow = ("import sys, time, store.ingest.batch as i\n"
            "i.BATCH_SIZE = 20; real = i.bulk_upsert\n"
            "def slow(*a):\n    time.sleep(0.05)\n    return real(*a)\n"
            "i.bulk_upsert = slow\nfrom web.cli import main\n"
            "sys.argv = ['thuvienso', 'import', sys.argv[1]]\nmain()")
    process = subprocess.Popen([sys.executable, "-c", slow, str(path)], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = settings_overrides["database_url"]
    deadline = time.monotonic() + 60
    while _count(url) == 0 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    written = _count(url)
    assert 0 < written < records
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as conn:
        partial = conn.exec_driver_sql(
            "SELECT i.item_id FROM item i LEFT JOIN metadata_value v ON v.item_pk = i.pk "
            "LEFT JOIN item_search s ON s.item_pk = i.pk GROUP BY i.item_id "
            f"HAVING count(v.pk) != {VALUES_PER_RECORD} OR count(DISTINCT s.item_pk) != 1"
        ).scalars().all()
    engine.dispose()
    assert partial == []
    rerun = subprocess.run([sys.executable, "-c", "from web.cli import main; main()", "import",
                            str(path)], env=env,
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.strip() == (f"{records - written} imported, 0 updated, {written} "
                                    "unchanged, 0 deleted, 0 rejected")


def test_a_store_that_stops_answering_is_one_sentence_not_a_rejection_per_record(
        store, tmp_path, monkeypatch):
    path = write_marcxml(tmp_path / "a.xml", [marc_record("s1"), marc_record("s2")])
    monkeypatch.setattr(batch, "bulk_upsert", gone)
    with pytest.raises(StoreUnavailable, match=r"^the store stopped answering \(server closed "
                       r"the connection\); what was written is kept, and running the same "
                       r"command again finishes the job$"):
        run_import(store, [path])


def _cut_then_rerun(runner, store, tmp_path, monkeypatch, fail, recover) -> None:
    """An import the store stops midway is one sentence and exit 1, keeps the batches it
    committed, and once the store is back a rerun leaves what an uninterrupted import does."""
    records = [marc_record(f"f{i:03d}") for i in range(45)]
    records[7] = marc_record(None)  # a bad record stays one rejection, before and after
    path = write_marcxml(tmp_path / "cut.xml", records)
    monkeypatch.setattr(batch, "BATCH_SIZE", 10)
    cutter = CutAfter(2, fail)
    monkeypatch.setattr(batch, "bulk_upsert", cutter)
    cut = runner.invoke(main, ["import", str(path)])
    assert_stopped_on_store_fault(cut)
    assert cutter.sizes == [10, 10, 10]  # stopped at once, without a record-by-record retry

    recover()
    cutter.disarm()
    with store.reading() as session:
        assert stats(session).items == 20  # the two batches committed before the fault
    again = runner.invoke(main, ["import", str(path)])
    assert again.exit_code == 1, again.output  # the bad record, as in any run
    assert again.stdout.strip() == "24 imported, 0 updated, 20 unchanged, 0 deleted, 1 rejected"
    assert again.stderr.strip() == f"{path}: record 8: no 001 control number to take the item " \
                                   "id from"
    with reference_store(tmp_path / "reference") as reference:
        whole = run_import(reference, [path])
        assert (whole.imported, whole.rejected) == (44, 1)
        assert contents(store) == contents(reference)


def test_an_import_whose_store_stops_midway_exits_1_and_a_rerun_finishes(
        runner, store, tmp_path, monkeypatch):
    _cut_then_rerun(runner, store, tmp_path, monkeypatch, fail=gone, recover=lambda: None)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_import_whose_postgresql_refuses_connections_midway_resumes(
        runner, store, database_url, tmp_path, monkeypatch):
    with outage(database_url) as down:
        _cut_then_rerun(runner, store, tmp_path, monkeypatch, fail=down.start,
                        recover=down.end)


def test_unknown_format_name_is_one_sentence(store):
    with pytest.raises(importing.ImportError_, match="^unknown format 'xyz'; use one of auto, "
                                                     "marc, marcxml, dc, package$"):
        run_import(store, [DATA / "oai-listrecords.xml"], fmt="xyz")


def test_progress_is_told_per_file_as_its_batches_are_written(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "BATCH_SIZE", 10)
    path = write_marcxml(tmp_path / "p.xml", [marc_record(f"p{i:02d}") for i in range(25)])
    told = []

    @contextlib.contextmanager
    def recorder():
        yield lambda *args: told.append(args)

    monkeypatch.setattr(cli, "progress_bars", recorder)
    result = runner.invoke(main, ["import", str(path), str(DATA / "oai-listrecords.xml")])
    assert result.exit_code == 0, result.output
    assert told == [("p.xml", 10, None), ("p.xml", 20, None), ("p.xml", 25, None),
                    ("oai-listrecords.xml", 3, None)]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bars_are_drawn_on_a_terminals_stderr_only(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress_bars() as show:
        assert show is None
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bars() as show:
        show("a.xml", 10, None)
        show("a.xml", 20, None)
        show("http://p.example/oai", 3, 5)
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.getvalue())
    assert re.search(r"a\.xml +━+ 20/\? records", drawn), drawn
    assert re.search(r"http://p\.example/oai [━╸╺ ]+ 3/5 +records", drawn), drawn
