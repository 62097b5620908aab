"""Vision-LLM engines: OpenAI-compatible chat-completions endpoints reading page images."""
