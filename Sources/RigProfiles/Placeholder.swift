// RigProfiles: populated by its issue.
