"""`thuvienso deploy nginx|systemd`: the nginx site and the systemd units for the settings.

The site puts nginx in front of the app on a Unix socket: TLS, gzip, the open tiles served by
nginx itself from the direct tile tree (anything not there goes to the app), the other tiles
from an internal location the app points at with X-Accel-Redirect (store.tile_tree). The units
run the app as the `thuvienso` user; nginx reaches the socket and the trees through that
user's group, nothing is world-readable.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from sqlalchemy import make_url

from store import reader_passes, tile_tree
from store.settings import PREFIX, Settings
from web.reader_passes import COOKIE

SOCKET = "/run/thuvienso/thuvienso.sock"
ENV_FILE = "/etc/thuvienso/thuvienso.env"
USER = "thuvienso"
TILE_MAX_AGE = 86400  # iiif.image_service.MAX_AGE: the app's own Cache-Control of open tiles


@dataclass(frozen=True)
class Site:
    """What the nginx site is rendered from, beyond the settings."""

    server_name: str
    socket: str = SOCKET
    certificate: str = ""
    certificate_key: str = ""
    listen: str = ""  # default 443 with TLS, 80 without
    tls: bool = True


def server_name(settings: Settings) -> str:
    """The host of THUVIENSO_BASE_URL, else the first trusted host name."""
    host = urlsplit(settings.base_url).hostname if settings.base_url else None
    return host or settings.trusted_host_names[0]


_PROXY = """\
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $$host;
    proxy_set_header X-Forwarded-For $$remote_addr;
    proxy_set_header X-Forwarded-Proto $$scheme;
    proxy_set_header X-Forwarded-Host $$host;
    proxy_set_header X-Forwarded-Port $$server_port;
    proxy_read_timeout 120s;
    proxy_buffering on;
"""

_SITE = Template("""\
# nginx site of thuvienso (rendered by `thuvienso deploy nginx`): $where
# The app listens on $socket; set THUVIENSO_NGINX=true and THUVIENSO_TRUSTED_PROXIES=1 for it.
upstream thuvienso {
    server unix:$socket;
    keepalive 32;
}

# A signed-in reader's pass (store.reader_passes): its cookie, if well formed, and today's
# date (local time, as the app's); a pass is a link to the readers tile tree in today's folder.
map $$cookie_$pass_cookie $$thuvienso_pass {
    "~^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}~[0-9a-f]{32}$$" $$cookie_$pass_cookie;
    default "-";
}
map $$time_iso8601 $$thuvienso_today {
    "~^(?<day>[0-9]{4}-[0-9]{2}-[0-9]{2})" $$day;
    default "-";
}
$redirect
server {
    listen $listen;
    server_name $server_name;
$tls
    client_max_body_size 1m;
    # OAI-PMH pages and IIIF documents (the app compresses OAI-PMH itself when asked)
    gzip on;
    gzip_proxied any;
    gzip_vary on;
    gzip_types text/xml application/xml application/json application/ld+json text/css
               application/javascript;
$proxy
    # Open images' grid tiles, in the form Mirador asks for, are files nginx sends itself;
    # a tile not there yet (404) goes on to the reader's pass, any other method to the app, as
    # every other request does. (No try_files: a hit costs what a static file does.)
    location ~ "^/iiif/image/[^/]+/[^/]+/[^/]+/0/default\\.jpg$$" {
        root $direct;
        error_page 404 = @readers;
        error_page 405 = @app;
        log_not_found off;
        if_modified_since before;
        add_header Cache-Control "public, max-age=$max_age";
        add_header Access-Control-Allow-Origin "*";
        add_header X-Content-Type-Options nosniff;
$hsts    }

    # Tiles of `readers` images for the holder of today's pass, from the readers tree through
    # the pass's link (nginx follows links: disable_symlinks off, its default); without a
    # pass, or a tile not there yet, the app decides (and gives the pass to a signed-in reader).
    location @readers {
        root $passes/$$thuvienso_today/$$thuvienso_pass;
        try_files $$uri @app;
        log_not_found off;
        if_modified_since before;
        add_header Cache-Control "private, no-cache";
        add_header Access-Control-Allow-Origin "*";
        add_header X-Content-Type-Options nosniff;
$hsts    }

    # Tiles of the other images: the app checks who is asking, then answers X-Accel-Redirect
    # to one of these. Internal: a request from outside gets 404.
$internal_locations
    location / {
        proxy_pass http://thuvienso;
    }

    location @app {
        proxy_pass http://thuvienso;
    }
}
""")

_INTERNAL = Template("""\
    location $prefix/ {
        internal;
        alias $tree/;
        if_modified_since before;
        add_header Access-Control-Allow-Origin "*";
        add_header X-Content-Type-Options nosniff;
$hsts    }
""")

_REDIRECT = Template("""
server {
    listen 80;
    listen [::]:80;
    server_name $server_name;
    return 301 https://$$host$$request_uri;
}
""")

_HSTS = 'add_header Strict-Transport-Security "max-age=31536000" always;'
_TLS = Template("""\
    ssl_certificate $certificate;
    ssl_certificate_key $certificate_key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:thuvienso:10m;
    $hsts
""")


def nginx_site(settings: Settings, site: Site) -> str:
    """The nginx site (a file for /etc/nginx/sites-available/)."""
    data = settings.data_path
    tls = ""
    if site.tls:
        letsencrypt = f"/etc/letsencrypt/live/{site.server_name}"
        tls = _TLS.substitute(hsts=_HSTS,
                              certificate=site.certificate or f"{letsencrypt}/fullchain.pem",
                              certificate_key=site.certificate_key
                              or f"{letsencrypt}/privkey.pem")
    # a location's add_header replaces the server's: each one adds HSTS again
    hsts = f"        {_HSTS}\n" if site.tls else ""
    return _SITE.substitute(
        where=f"{'https' if site.tls else 'http'}://{site.server_name}/",
        socket=site.socket, server_name=site.server_name,
        listen=f"{site.listen or 443} ssl http2" if site.tls else site.listen or "80",
        redirect=_REDIRECT.substitute(server_name=site.server_name) if site.tls else "",
        tls=tls, proxy=_PROXY.replace("$$", "$"), hsts=hsts,
        direct=tile_tree.root(data), passes=reader_passes.folder(data),
        internal_locations="\n".join(
            _INTERNAL.substitute(prefix=prefix, tree=tile_tree.root(data, tree), hsts=hsts)
            for prefix, tree in ((tile_tree.INTERNAL_PREFIX, tile_tree.INTERNAL),
                                 (tile_tree.READERS_PREFIX, tile_tree.READERS))),
        pass_cookie=COOKIE, max_age=TILE_MAX_AGE)


_SERVICE = Template("""\
# $unit_path (rendered by `thuvienso deploy systemd`)
[Unit]
Description=thuvienso: OAI-PMH and IIIF server
After=network-online.target$after
Wants=network-online.target

[Service]
Type=exec
User=$user
Group=$user
EnvironmentFile=$env_file
# the schema brought up to date once, before the workers start
ExecStartPre=$exe init
ExecStart=$exe serve --socket $socket --workers $workers
Restart=on-failure
RestartSec=5
KillMode=mixed
TimeoutStopSec=30
# the socket's folder: nginx (in group $user) may enter it, nobody else
RuntimeDirectory=thuvienso
RuntimeDirectoryMode=0750
UMask=0027
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ReadWritePaths=$data

[Install]
WantedBy=multi-user.target
""")

_ENV = Template("""\
# $env_file (rendered by `thuvienso deploy systemd`): owner root, group $user, mode 0640
$lines
""")


def _quoted(value: str) -> str:
    """A value for a double-quoted systemd EnvironmentFile assignment."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def systemd_units(settings: Settings, socket: str = SOCKET, workers: int = 4,
                  exe: str | None = None) -> dict[str, str]:
    """The app's unit and its environment file, by the path each is installed at."""
    exe = exe or str(Path(sys.executable).with_name("thuvienso"))
    database = make_url(settings.sqlalchemy_url)
    after = " postgresql.service" if database.get_backend_name() == "postgresql" else ""
    values = {
        "DATA_DIR": str(settings.data_path),
        "DATABASE_URL": database.render_as_string(hide_password=True)
        if settings.database_url else "",
        "BASE_URL": settings.base_url,
        "REPOSITORY_NAME": settings.repository_name,
        "REPOSITORY_IDENTIFIER": settings.repository_identifier,
        "ADMIN_EMAIL": settings.admin_email,
        "LIBRARY_CONTACT": settings.library_contact,
        "TRUSTED_PROXIES": "1",
        "NGINX": "true",
    }
    lines = "\n".join(f'{PREFIX}{name}="{_quoted(value)}"' for name, value in values.items()
                      if value)
    if settings.database_url and database.password:
        lines += "\n# put the database password in place of *** above"
    unit = "/etc/systemd/system/thuvienso.service"
    return {
        unit: _SERVICE.substitute(unit_path=unit, after=after, user=USER, env_file=ENV_FILE,
                                  exe=exe, socket=socket, workers=workers,
                                  data=settings.data_path),
        ENV_FILE: _ENV.substitute(env_file=ENV_FILE, user=USER, lines=lines),
    }
