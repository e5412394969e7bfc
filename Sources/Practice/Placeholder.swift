// Practice: populated by its issue.
