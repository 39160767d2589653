"""The archive: the use cases behind every command (ingest, fit/update/refit, edits, reads, export)."""
