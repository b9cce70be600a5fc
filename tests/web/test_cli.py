"""The command line: schema, counts, and one-sentence errors for a user's mistakes."""

from __future__ import annotations

from web.cli import main
from web.context import context_of


def test_init_creates_then_reports_an_up_to_date_schema(runner):
    first = runner.invoke(main, ["init"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(main, ["init"])
    assert second.output.strip() == "schema already up to date"


def test_stats_counts_an_empty_store(runner):
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["items: 0", "pages: 0", "sets: 0", "deleted: 0",
                                          "readers: 0"]


def test_unreachable_database_is_one_sentence_and_exit_1(runner, monkeypatch):
    monkeypatch.setenv("THUVIENSO_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot open the store at")
    assert "Traceback" not in result.output


def test_bad_number_in_a_setting_is_one_sentence(runner, monkeypatch):
    monkeypatch.setenv("THUVIENSO_OAI_PAGE_SIZE", "many")
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 1
    assert "THUVIENSO_OAI_PAGE_SIZE must be a whole number" in result.output


def test_healthz_answers_with_the_schema_revision(client):
    from store.schema.migrate import head_revision

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "schema": head_revision()}
    assert head_revision() == "0006"


def test_healthz_is_503_when_the_store_does_not_answer(app, client):
    from sqlalchemy import create_engine

    store = context_of(app).store
    store.engine.dispose()
    store.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_a_repository_identifier_that_is_not_a_domain_name_is_one_sentence(runner, monkeypatch):
    for bad in ("thuvien", "thư-viện.vn", "a&b.vn", "1abc.vn"):
        monkeypatch.setenv("THUVIENSO_REPOSITORY_IDENTIFIER", bad)
        result = runner.invoke(main, ["stats"])
        assert result.exit_code == 1
        assert "THUVIENSO_REPOSITORY_IDENTIFIER must be a domain name" in result.output
        assert "Traceback" not in result.output


def test_the_database_password_is_masked_when_the_store_cannot_be_opened(runner, monkeypatch):
    monkeypatch.setenv("THUVIENSO_DATABASE_URL",
                       "postgresql+psycopg://nobody:hunter2-s3cret@127.0.0.1:9/none")
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 1
    assert "hunter2-s3cret" not in result.output
    assert "nobody:***@127.0.0.1:9/none" in result.output


def test_a_short_secret_key_is_refused_in_one_sentence(runner, monkeypatch):
    monkeypatch.setenv("THUVIENSO_SECRET_KEY", "x" * 31)
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: THUVIENSO_SECRET_KEY must have at least 32")
    assert len(result.output.strip().splitlines()) == 1


def test_an_empty_secret_key_file_is_refused_in_one_sentence(runner, monkeypatch, tmp_path):
    data = tmp_path / "fresh"
    data.mkdir()
    (data / "secret_key").write_text("\n")
    monkeypatch.setenv("THUVIENSO_DATA_DIR", str(data))
    monkeypatch.delenv("THUVIENSO_SECRET_KEY")
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 1
    assert "secret key file" in result.output and "fewer than 32" in result.output


def test_the_data_dir_and_what_init_creates_are_not_for_other_users(tmp_path):
    import os
    import stat
    import subprocess
    import sys
    from pathlib import Path

    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("THUVIENSO_")}
    env["THUVIENSO_DATA_DIR"] = str(data)
    command = [str(Path(sys.executable).parent / "thuvienso"), "init"]
    subprocess.run(["sh", "-c", 'umask 022; exec "$@"', "sh", *command], env=env, check=True,
                   capture_output=True, timeout=60)

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(data) == 0o750
    assert mode(data / "secret_key") == 0o600
    assert mode(data / "thuvienso.sqlite3") == 0o640
