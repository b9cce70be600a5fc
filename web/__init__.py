"""The only package that imports Flask: the app factory, routes, reader pages and the CLI."""
