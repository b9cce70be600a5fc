"""What a command says when the store stops answering mid-run (shared by import and harvest)."""

from __future__ import annotations

from click.testing import Result


def assert_stopped_on_store_fault(result: Result) -> None:
    """Exit 1 with one sentence on stderr, nothing on stdout, no rejection per record, no
    traceback."""
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: the store stopped answering (")
    assert result.stderr.strip().endswith("; what was written is kept, and running the same "
                                          "command again finishes the job")
    assert "Traceback" not in result.output
