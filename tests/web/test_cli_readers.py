"""Reader accounts from the command line: hashed passwords, expiry, groups, the CSV import,
resets and clear errors."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date

import pytest
from sqlalchemy import text

from store.write.readers import authenticate
from web.cli import main

pytestmark = pytest.mark.usefixtures("light_argon2")


def test_reader_add_stores_a_hash_that_authenticates_until_expiry(runner, store):
    result = runner.invoke(main, ["reader", "add", "lan.nguyen", "--expires", "2027-06-30",
                                  "--password-stdin"], input="mật khẩu dài\n")
    assert result.exit_code == 0, result.output
    with store.session() as s:
        assert authenticate(s, "lan.nguyen", "mật khẩu dài", date(2027, 6, 30))
        assert authenticate(s, "lan.nguyen", "mật khẩu dài", date(2027, 7, 1)) is None
        assert authenticate(s, "lan.nguyen", "wrong", date(2027, 1, 1)) is None
        stored = s.execute(text("SELECT password_hash FROM reader")).scalar_one()
        assert "mật" not in stored and stored.startswith("$argon2id$")


def test_reader_list_disable_extend(runner):
    runner.invoke(main, ["reader", "add", "minh", "--expires", "2099-01-01"])
    assert runner.invoke(main, ["reader", "disable", "minh"]).exit_code == 0
    assert "minh\t2099-01-01\tdisabled" in runner.invoke(main, ["reader", "list"]).output
    extended = runner.invoke(main, ["reader", "extend", "minh", "--expires", "2100-01-01"])
    assert extended.exit_code == 0
    assert "minh\t2100-01-01\tactive" in runner.invoke(main, ["reader", "list"]).output
    assert runner.invoke(main, ["stats"]).output.splitlines()[-1] == "readers: 1"


def test_reader_mistakes_are_one_sentence(runner):
    runner.invoke(main, ["reader", "add", "minh", "--expires", "2099-01-01"])
    duplicate = runner.invoke(main, ["reader", "add", "minh", "--expires", "2099-01-01"])
    assert duplicate.exit_code == 1 and "exists already" in duplicate.output
    missing = runner.invoke(main, ["reader", "disable", "nobody"])
    assert missing.exit_code == 1 and "there is no reader 'nobody'" in missing.output
    bad_date = runner.invoke(main, ["reader", "add", "x", "--expires", "30/06/2027"])
    assert bad_date.exit_code == 2 and "Traceback" not in bad_date.output
    short = runner.invoke(main, ["reader", "add", "y", "--expires", "2099-01-01",
                                 "--password-stdin"], input="ngắn\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    both = runner.invoke(main, ["reader", "extend", "minh", "--group", "g",
                                "--expires", "2099-01-01"])
    assert both.exit_code == 2 and "either a LOGIN or --group" in both.output


def write_csv(path, text_: str):
    path.write_text(text_, encoding="utf-8")
    return str(path)


def rows_of(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output)))


def test_reader_import_creates_accounts_and_prints_their_passwords(runner, store, tmp_path):
    runner.invoke(main, ["reader", "add", "da.co", "--expires", "2099-01-01"])
    source = write_csv(tmp_path / "hoi-sach.csv",
                       "\ufeffLogin,Name,Email\n"
                       "lan.nguyen,Nguyễn Thị Lan,lan@example.vn\n"
                       "da.co,Đã Có,\n"
                       "\n"
                       "minh,\"Trần, Văn Minh\",\n")
    result = runner.invoke(main, ["reader", "import", source, "--expires", "2027-12-31",
                                  "--group", "hoi-sach-2027"])
    assert result.exit_code == 0, result.output
    table = rows_of(result.stdout)
    assert table[0] == ["login", "password"] and [r[0] for r in table[1:]] == ["lan.nguyen",
                                                                                "minh"]
    assert f"{source}: da.co: skipped, the login exists" in result.stderr
    assert "2 readers added, 1 skipped (login exists)" in result.stderr
    with store.session() as s:
        for login, password in table[1:]:
            assert authenticate(s, login, password, date(2027, 12, 31))
        assert s.execute(text("SELECT name, email, group_name FROM reader WHERE login = "
                              "'lan.nguyen'")).one() == ("Nguyễn Thị Lan", "lan@example.vn",
                                                         "hoi-sach-2027")
    group = runner.invoke(main, ["reader", "extend", "--group", "hoi-sach-2027",
                                 "--expires", "2028-06-30"])
    assert group.exit_code == 0 and "2 readers of group hoi-sach-2027 valid until 2028-06-30" \
        in group.output
    listing = runner.invoke(main, ["reader", "list"]).output
    assert "minh\t2028-06-30\tactive\thoi-sach-2027" in listing
    assert "da.co\t2099-01-01\tactive\n" in listing


def test_reader_import_writes_the_passwords_to_a_private_file(runner, store, tmp_path):
    source = write_csv(tmp_path / "r.csv", "login\nan\nbinh\n")
    out = tmp_path / "mat-khau.csv"
    result = runner.invoke(main, ["reader", "import", source, "--expires", "2027-12-31",
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2 readers added, 0 skipped (login exists)"
    table = rows_of(out.read_text(encoding="utf-8"))
    assert [r[0] for r in table] == ["login", "an", "binh"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_reader_import_reports_bad_rows_and_writes_nothing(runner, store, tmp_path):
    source = write_csv(tmp_path / "sai.csv",
                       "login,email\n"
                       "tốt-không,\n"
                       "an,an@example.vn\n"
                       "an,\n"
                       ",x@example.vn\n"
                       "binh,không phải email\n"
                       "chi,c@example.vn,thừa\n")
    result = runner.invoke(main, ["reader", "import", source, "--expires", "2027-12-31"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{source}: line 2: 'tốt-không' is not a valid login (letters, digits, . _ @ -; "
        "at most 128)",
        f"{source}: line 4: the login 'an' is given twice",
        f"{source}: line 5: the login is empty",
        f"{source}: line 6: 'không phải email' is not an email address",
        f"{source}: line 7: 3 fields, the header has 2",
        f"Error: {source}: nothing imported"]
    assert result.stdout == ""
    with store.session() as s:
        assert s.execute(text("SELECT count(*) FROM reader")).scalar_one() == 0


@pytest.mark.parametrize("content, problem", [
    (b"", "line 1: a header row is needed"),
    (b"ten,email\nan,\n", "line 1: the header must name login"),
    (b"login,login\nan,an\n", "line 1: the header must name login"),
    (b"login\n\xff\xfe\n", "the file is not UTF-8 text"),
    (b"login\n\n", "the file names no reader")])
def test_reader_import_refuses_files_it_cannot_read(runner, store, tmp_path, content, problem):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    result = runner.invoke(main, ["reader", "import", str(path), "--expires", "2027-12-31"])
    assert result.exit_code == 1 and f"{path}: {problem}" in result.stderr
    assert "Traceback" not in result.output


def test_reader_import_of_a_missing_file_or_an_unwritable_out_writes_nothing(runner, store,
                                                                            tmp_path):
    missing = runner.invoke(main, ["reader", "import", str(tmp_path / "no.csv"),
                                   "--expires", "2027-12-31"])
    assert missing.exit_code == 1 and "No such file" in missing.stderr
    source = write_csv(tmp_path / "r.csv", "login\nan\n")
    bad_out = runner.invoke(main, ["reader", "import", source, "--expires", "2027-12-31",
                                   "--out", str(tmp_path / "no-such-dir" / "p.csv")])
    assert bad_out.exit_code == 1 and "cannot write" in bad_out.stderr
    with store.session() as s:
        assert s.execute(text("SELECT count(*) FROM reader")).scalar_one() == 0


def test_reader_reset_prints_a_new_password_and_the_old_one_stops(runner, store):
    runner.invoke(main, ["reader", "add", "lan", "--expires", "2099-01-01", "--password-stdin"],
                  input="mật khẩu cũ lắm\n")
    result = runner.invoke(main, ["reader", "reset", "lan"])
    assert result.exit_code == 0
    password = result.output.split("password: ")[1].strip()
    with store.session() as s:
        assert authenticate(s, "lan", password, date(2030, 1, 1))
        assert authenticate(s, "lan", "mật khẩu cũ lắm", date(2030, 1, 1)) is None
    assert runner.invoke(main, ["reader", "reset", "ai"]).exit_code == 1


def test_a_store_fault_during_reader_import_is_one_sentence_and_leaves_no_file(
        runner, store, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from store.ingest import reader_csv

    source = write_csv(tmp_path / "r.csv", "login\nan\nbinh\n")
    out = tmp_path / "p.csv"

    def refused(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    real = reader_csv.add_reader
    calls = iter([real, refused])
    monkeypatch.setattr(reader_csv, "add_reader", lambda *a, **k: next(calls)(*a, **k))
    result = runner.invoke(main, ["reader", "import", source, "--expires", "2027-12-31",
                                  "--out", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == ("Error: the store does not answer, nothing was changed: "
                                     "server closed the connection")
    assert not out.exists() and not list(tmp_path.glob(".p.csv*"))
    with store.session() as s:
        assert s.execute(text("SELECT count(*) FROM reader")).scalar_one() == 0
