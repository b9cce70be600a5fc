"""`thuvienso reindex` from the command line (both databases): the summary line, an empty
store, a process killed midway then run again, and a store that stops answering."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import store.write.reindex as reindexing
from tests.faults import assert_stopped_on_store_fault
from tests.store.fulltext_sample import populate
from tests.store.ingest.helpers import outage
from tests.store.write.test_reindex import damage, results
from web.cli import main

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = "reindexed 7 items and 6 pages with text ({} index rows rewritten)"


@pytest.fixture
def sample(store, tmp_path_factory):
    populate(store, tmp_path_factory.getbasetemp() / "fulltext-images")
    return store


def test_reindex_prints_one_summary_line(runner, sample):
    before = results(sample)
    damage(sample)
    done = runner.invoke(main, ["reindex"])
    assert done.exit_code == 0, done.output
    assert done.stderr == ""
    assert done.stdout == SUMMARY.format(13) + "\n"  # 7 item rows and 6 pages
    assert results(sample) == before


def test_reindex_of_an_empty_store(runner):
    done = runner.invoke(main, ["reindex"])
    assert done.exit_code == 0, done.output
    assert done.stdout == "reindexed 0 items and 0 pages with text (0 index rows rewritten)\n"


def test_a_killed_reindex_leaves_search_working_and_a_rerun_finishes(
        sample, settings_overrides):
    """A real process killed (SIGKILL) after its second batch committed, then the command."""
    before = results(sample)
    damage(sample)
    damaged = results(sample)
    env = dict(os.environ, **{f"THUVIENSO_{k.upper()}": str(v)
                              for k, v in settings_overrides.items()})
    killed = ("import os, signal, store.write.reindex as r\n"
              "from web.cli import open_store\n"
              "def kill(done, total):\n"
              "    if done >= 4:\n"
              "        os.kill(os.getpid(), signal.SIGKILL)\n"
              "r.reindex(open_store(), on_progress=kill, batch=2)\n")
    run = subprocess.run([sys.executable, "-c", killed], env=env, cwd=ROOT, timeout=120,
                         capture_output=True, text=True)
    assert run.returncode == -9, run.stderr
    if sample.is_sqlite:  # the live tables untouched until the swap
        assert results(sample) == damaged
    rerun = subprocess.run([sys.executable, "-c", "from web.cli import main; main()",
                            "reindex"], env=env, cwd=ROOT, timeout=120, capture_output=True,
                           text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith("reindexed ")
    assert results(sample) == before


def test_a_store_that_stops_answering_is_one_sentence(runner, sample, monkeypatch, pg_url):
    if sample.is_sqlite:
        pytest.skip("an outage of a server")
    before = results(sample)
    damage(sample)
    real = reindexing._reindex_batch
    with outage(pg_url) as down:
        calls: list[int] = []

        def cut(*args, **kwargs):  # the second batch finds the server gone
            calls.append(1)
            if len(calls) == 2:
                down.start()
            return real(*args, **kwargs)

        monkeypatch.setattr(reindexing, "_reindex_batch", cut)
        monkeypatch.setattr(reindexing, "BATCH", 3)
        stopped = runner.invoke(main, ["reindex"])
        assert_stopped_on_store_fault(stopped)
        down.end()
    monkeypatch.setattr(reindexing, "_reindex_batch", real)
    again = runner.invoke(main, ["reindex"])
    assert again.exit_code == 0, again.output
    assert results(sample) == before
