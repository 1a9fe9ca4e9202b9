"""The command line: ``penguin-tui`` and its sub-commands (the entry point is ``cli.main``)."""
