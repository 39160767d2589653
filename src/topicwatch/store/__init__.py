"""The store: the archive file and the only code that runs SQL (schema, migrations, each table family)."""
