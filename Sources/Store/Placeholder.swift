// Store: populated by its issue.
