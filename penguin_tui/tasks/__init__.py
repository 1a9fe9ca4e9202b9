"""The project's task plan: tasks with dependencies and subtasks that the user and the agent
share (``model`` the records, ``graph`` the rules as pure functions, ``records`` the SQL,
``service`` the async front the tools, the pane and the commands go through)."""
