"""The litellm wrapper (lazy import), pricing, usage, retry and fallback."""
