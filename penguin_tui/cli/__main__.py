"""``python -m penguin_tui.cli``: the same as the ``penguin-tui`` command."""

import sys

from penguin_tui.cli.main import main

sys.exit(main())
