"""Reader accounts from the command line: hashed passwords, expiry, clear errors."""

from __future__ import annotations

from datetime import date

from store.write.readers import authenticate
from web.cli import main


def test_reader_add_stores_a_hash_that_authenticates_until_expiry(runner, store):
    result = runner.invoke(main, ["reader", "add", "lan.nguyen", "--expires", "2027-06-30",
                                  "--password-stdin"], input="mật khẩu dài\n")
    assert result.exit_code == 0, result.output
    with store.session() as s:
        assert authenticate(s, "lan.nguyen", "mật khẩu dài", date(2027, 6, 30))
        assert authenticate(s, "lan.nguyen", "mật khẩu dài", date(2027, 7, 1)) is None
        assert authenticate(s, "lan.nguyen", "wrong", date(2027, 1, 1)) is None
        from sqlalchemy import text
        stored = s.execute(text("SELECT password_hash FROM reader")).scalar_one()
        assert "mật" not in stored and stored.startswith("scrypt$")


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
