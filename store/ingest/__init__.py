"""Ingest: importers of outside records, the shared batch writer, harvest state, the demo."""
