"""Render the examples in this folder (python deploy/render.py): the files `thuvienso deploy`
prints for thuvien.example.vn on PostgreSQL, installed as the README's production section
says. tests/web/test_deploy.py checks that they are what the code renders."""

from __future__ import annotations

from pathlib import Path

from store.settings import load_settings
from web.deploy import Site, nginx_site, systemd_units

HERE = Path(__file__).resolve().parent
SETTINGS = {"data_dir": "/var/lib/thuvienso", "base_url": "https://thuvien.example.vn",
            "database_url": "postgresql+psycopg:///thuvienso", "secret_key": "-" * 32,
            "repository_name": "Thư viện số", "repository_identifier": "thuvien.example.vn",
            "admin_email": "thuvien@example.vn"}
EXE = "/opt/thuvienso/bin/thuvienso"


def examples() -> dict[str, str]:
    """The example files, by name in this folder."""
    settings = load_settings(SETTINGS, environ={})
    unit, env = systemd_units(settings, workers=4, exe=EXE).values()
    return {"thuvienso.nginx": nginx_site(settings, Site("thuvien.example.vn")),
            "thuvienso.service": unit, "thuvienso.env": env}


if __name__ == "__main__":
    for name, text in examples().items():
        (HERE / name).write_text(text, encoding="utf-8")
