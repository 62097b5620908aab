"""The fake server's own tests use its fixtures directly."""

from tests.fakes.fixtures import fake_llm, fake_llm_settings  # noqa: F401
