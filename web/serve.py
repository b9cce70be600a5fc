"""`thuvienso serve`: the app under gunicorn, configured in code (no config file)."""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

# OAI-PMH GET requests of up to 8 kB must reach the app (gunicorn's default is 4094 bytes).
LIMIT_REQUEST_LINE = 8190


class GunicornServer(BaseApplication):
    """Runs web.app:create_app() in gunicorn workers; each worker builds its own app."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from web.app import create_app

        app = create_app(migrate=False)  # `thuvienso serve` has migrated already
        # What the app loaded lives as long as the worker: frozen, the collector no longer
        # walks it at each full collection (a home page over 10 000 sets triggers some, and
        # each cost 70 ms before).
        gc.freeze()
        return app


# On a port, each worker has its own listening socket (SO_REUSEPORT): the kernel spreads
# connections over the workers, so kept-alive clients do not all land on the worker that was
# awake.
def serve(host: str, port: int, workers: int, threads: int = 4, socket: str | None = None
          ) -> None:
    """Serve on host:port, or on the Unix socket `socket` (nginx in front): made by gunicorn
    with mode 0660, so the group (nginx's, see `thuvienso deploy`) may connect, no one else.
    Behind nginx, nginx's access log is the one (it sees every request, the tiles it sends
    alone too): gunicorn keeps none, which spared a reader's tile about 60 of 540 µs of the
    app's CPU in one run."""
    listening: dict[str, Any] = {"bind": f"{host}:{port}", "reuse_port": True,
                                 "accesslog": "-"}
    if socket:
        listening = {"bind": f"unix:{socket}", "umask": 0o117, "accesslog": None}
    GunicornServer({
        **listening,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "limit_request_line": LIMIT_REQUEST_LINE,
        "timeout": 60,
        # gunicorn's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): a
        # second server on the machine would replace, then remove, the first one's
        "control_socket_disable": True,
    }).run()
