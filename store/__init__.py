"""The metadata store: models, migrations, queries, import and demo data. No HTTP here."""
