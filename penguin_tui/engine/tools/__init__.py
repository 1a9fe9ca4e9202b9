"""The agent's tools: read, list, search, write, edit files and run shell commands.

Import the entry points from their modules: ``registry`` (``ALL_TOOLS``, ``tool_schemas``,
``run_tool``) and ``base`` (``ToolContext``, ``ToolLimits``, ``ToolResult``, ``ToolError``).
This package module imports nothing, so ``penguin_tui.workspace`` can depend on ``base``
without an import cycle.
"""
