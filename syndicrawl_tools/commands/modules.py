"""Subcommand groups (``eval WHAT``, ``bench WHAT``) whose members are modules exposing
``add_arguments(parser)`` and ``run(args) -> int``."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def add_module_subcommands(kinds: Any, table: dict[str, tuple[str, str]]) -> dict[str, ModuleType]:
    """One subparser per ``name: (module, help)`` of ``table``; returns the modules by name."""
    modules = {}
    for name, (module_name, help_text) in table.items():
        module = importlib.import_module(module_name)
        sub = kinds.add_parser(name, help=help_text)
        module.add_arguments(sub)
        sub.set_defaults(func=module.run)
        modules[name] = module
    return modules
