"""The `scriptsensei` command line. Each domain registers its own commands."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="ScriptSensei: prescription extraction service.", no_args_is_help=True)

# Each module exposes `register(app: typer.Typer) -> None`.
_COMMAND_MODULES = [
    "scriptsensei.core.commands",
    "scriptsensei.backup.commands",
    "scriptsensei.guard.commands",
    "scriptsensei.samples.commands",
    "scriptsensei.extraction.commands",
    "scriptsensei.evaluation.commands",
    "scriptsensei.auth.commands",
    "scriptsensei.jobs.commands",
]


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(app)


_register_all()
