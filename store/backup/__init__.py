"""Backup and restore: one archive of the database and the data dir's originals.

`archive` is the file format (what may be in it, and reading it safely), `database` copies the
database out and back (SQLite's online backup API, pg_dump and pg_restore), `run` does the two
commands.
"""
