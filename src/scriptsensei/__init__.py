"""ScriptSensei: prescription extraction with several engines, consensus and human review."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scriptsensei")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
