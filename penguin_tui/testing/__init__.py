"""The scripted model: an OpenAI-compatible HTTP test double that replays a TOML script.

It is a test double ("demo model (scripted)"), not a language model. Tests, benchmarks and
``penguin-tui --demo`` talk to it over real HTTP. Nothing here imports textual or litellm.
"""

from penguin_tui.testing.script import (
    Fault,
    Script,
    ScriptError,
    ToolCallSpec,
    Turn,
    UsageOverride,
    load_demo_script,
    load_script,
)
from penguin_tui.testing.server import ScriptedServer
from penguin_tui.testing.thread import ServerThread, run_in_thread

__all__ = [
    "Fault",
    "Script",
    "ScriptError",
    "ScriptedServer",
    "ServerThread",
    "ToolCallSpec",
    "Turn",
    "UsageOverride",
    "load_demo_script",
    "load_script",
    "run_in_thread",
]
