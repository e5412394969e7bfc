// RigSimulator: populated by its issue.
