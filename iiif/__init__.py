"""IIIF: Presentation 3.0 manifests and collections, Image API 3.0, and later search and auth.

Pure protocol code: it takes store records and settings (including the base URL) and returns
dicts or bytes. It never imports Flask, werkzeug, `oai` or `web`.
"""
