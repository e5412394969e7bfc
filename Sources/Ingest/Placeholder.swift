// Ingest: populated by its issue.
