// PracticeTests: populated by the practice issue.
