"""Real local stand-ins for external services (an OpenAI-compatible LLM endpoint)."""
