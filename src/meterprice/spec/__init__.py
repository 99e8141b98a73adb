"""Contracts as data: TOML and JSON contract documents, their JSON Schema, and errors
that name the path of every problem.

A document is plain data (``meterprice = 1``, ``name``, ``currency``, ``[[meters]]``,
``[[components]]`` with a ``type`` tag each, ...). :func:`load_contract` reads it into
a :class:`~meterprice.Contract`, :func:`dump_contract` writes a contract back, and
:func:`contract_schema` describes the format. New component classes become
expressible with :func:`register_component`.
"""

from __future__ import annotations

from meterprice.spec import (
    _clauses,  # noqa: F401  (registers the clauses' types)
    _components,  # noqa: F401  (registers the library's types)
    _overtime,  # noqa: F401  (registers [[versions]] and the terms spanning invoices)
)
from meterprice.spec._errors import Problem, SpecError
from meterprice.spec._registry import (
    component_types,
    register_component,
    register_structure,
    register_type,
)
from meterprice.spec._schema import contract_schema
from meterprice.spec._structure import (
    FORMAT_VERSION,
    demo_periods,
    dump_contract,
    dumps_contract,
    load_contract,
    loads_contract,
    read_document,
)
from meterprice.spec._types import INVALID, Context, Handler, Options

__all__ = [
    "FORMAT_VERSION",
    "INVALID",
    "Context",
    "Handler",
    "Options",
    "Problem",
    "SpecError",
    "component_types",
    "contract_schema",
    "demo_periods",
    "dump_contract",
    "dumps_contract",
    "load_contract",
    "loads_contract",
    "read_document",
    "register_component",
    "register_structure",
    "register_type",
]
