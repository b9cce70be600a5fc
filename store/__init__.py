"""The metadata store. No HTTP here; data flows one way through its rooms.

- `settings`, `db`, `records`, `dublin_core`, `folding`, `xml_safety`, `links`: the shared
  core (configuration, engine and sessions, the frozen records that cross the store's boundary,
  serialised Dublin Core, Vietnamese search keys, safe XML reading, the public URL layout that
  oai and iiif both write).
- `schema`: the tables and their Alembic migrations.
- `read`: queries shaped for each consumer (OAI-PMH lists, presentation, portal, search).
- `write`: the one write path (item upsert and tombstones, in bulk), reader accounts.
- `ingest`: everything that turns outside records into writes: the importers, the MARC
  crosswalk, the shared batch writer used by import and harvest, the demo collection.

Each room imports only the core and the rooms before it (schema ← read, write ← ingest);
`tests/test_architecture.py` keeps it so.
"""
