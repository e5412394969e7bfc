// Filled in by the ingest/store issue.
