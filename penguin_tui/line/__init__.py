"""The line-mode front ends, beside the Textual app and never importing Textual: the
interactive ``penguin-tui setup`` and ``penguin-tui --plain`` (prompt-toolkit)."""
