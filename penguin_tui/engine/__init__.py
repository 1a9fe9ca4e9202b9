"""The agent loop (a chat engine for now), prompts and context management."""
