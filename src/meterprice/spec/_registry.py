"""The registry of document types: component ``type`` tags, nested structures and the
handlers of plain value types, with the generic reading of attrs classes.

An attrs class is read from a table field by field, driven by its attrs metadata:
the document key of a field is its ``alias`` (its ``__init__`` argument), a field
without a default is required, the field's type annotation picks the handler of its
value, and the field's converter checks the value on its own so that a problem is
reported at the field's path. Constructing the object then runs the class's own
cross-field checks; their messages name a field (``tiers[1].up_to must be ...``),
which becomes the path of the problem.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeGuard, Union

import attrs

from meterprice.components.base import Component
from meterprice.dimensions import Where
from meterprice.errors import ContractError, InvalidTypeError
from meterprice.money import Currency, Money
from meterprice.periods import Cycle
from meterprice.spec._errors import Path, show
from meterprice.spec._types import (
    INVALID,
    BoolHandler,
    Context,
    CurrencyHandler,
    CycleHandler,
    DateHandler,
    DecimalHandler,
    EitherHandler,
    EnumHandler,
    FractionHandler,
    Handler,
    IntHandler,
    ListHandler,
    LiteralHandler,
    MappingHandler,
    MoneyHandler,
    OptionalHandler,
    Options,
    PairsHandler,
    StrHandler,
    StrListHandler,
    TagsHandler,
    TimeHandler,
    WhereHandler,
    closest,
    wrong_type,
)

__all__ = [
    "COMMON_DOCS",
    "ClassHandler",
    "ComponentHandler",
    "Field",
    "component_types",
    "handler_for",
    "register_component",
    "register_structure",
    "register_type",
    "snake_case",
]

#: What common fields mean, used when a registration gives no text of its own.
COMMON_DOCS: dict[str, str] = {
    "name": "The component's name, unique in the contract; invoice lines refer to it.",
    "description": "The text of the component's invoice lines (the name when left out).",
    "tags": (
        "Labels copied onto the component's lines, so that later components (a "
        "percentage, a minimum, a cap) can select them."
    ),
    "active": (
        "The dates in which the component applies: {start = ..., end = ...}, end "
        "excluded; a partial period is prorated where the component says so."
    ),
    "metric": "The billable metric the component prices (a meter's name or an event metric).",
    "rate": "The price of one unit, in the contract currency.",
    "where": ('Only usage whose dimensions match: {channel = "phone", language = ["de", "fr"]}.'),
    "unit": 'The unit shown on invoice lines ("min", "hour", "agent").',
    "included": "Units per period that are free before the rate applies.",
    "amount": "An amount in the contract currency.",
    "quantity": "How many (seats, agents, units).",
    "prorate": "Whether a partial period scales the amount by the share of days in effect.",
    "of": ("Tags of earlier lines this component reads; left out, every earlier line."),
    "percent": 'A percentage, such as "6" for 6 %.',
    "by": "The dimensions whose values select a price, in the order of the price keys.",
    "default": "The price of any combination that the table does not list.",
    "start": "The first day (included).",
    "end": "The day after the last (excluded).",
}


def _is_class(tp: object) -> TypeGuard[type]:
    """Whether ``tp`` is a plain class (``set[int]`` passes ``isinstance(.., type)`` on 3.10)."""
    return isinstance(tp, type) and not isinstance(tp, types.GenericAlias)


def snake_case(name: str) -> str:
    """``"MinimumSpend"`` -> ``"minimum_spend"`` (the ``type`` tag of a component class)."""
    words = re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1\2", name)
    return words.lower()


@attrs.frozen
class Field:
    """One document field of a registered class."""

    key: str
    """The key in the document (the attrs alias, i.e. the ``__init__`` argument)."""
    attribute: attrs.Attribute[Any]
    handler: Handler
    required: bool
    doc: str

    def default_for(self, instance: object) -> object:
        """The value this field takes when the document leaves it out."""
        default: Any = self.attribute.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            return default.factory(instance) if default.takes_self else default.factory()
        if default is attrs.NOTHING:
            return None
        return default


_ERROR_PREFIX = re.compile(r"^(?:component|meter|contract|range) (?:'[^']*'|\"[^\"]*\"): ")
_LOCATED = re.compile(
    r"^(?P<head>[A-Za-z_]\w*)(?P<tail>(?:\[\d+\]|\.[A-Za-z_]\w*)*)(?P<sep>:\s+|\s+)(?P<rest>.+)$",
    re.DOTALL,
)
_SEGMENT = re.compile(r"\[(\d+)\]|\.([A-Za-z_]\w*)")
_CONSTRUCTION_ERRORS = (ValueError, TypeError, ArithmeticError, LookupError)


def _converter(attribute: attrs.Attribute[Any]) -> Callable[[Any], object] | None:
    converter = attribute.converter
    if converter is None:
        return None
    wrapper = getattr(attrs, "Converter", None)
    if wrapper is not None and isinstance(converter, wrapper):
        if converter.takes_self or converter.takes_field:
            return None
        return converter.converter  # type: ignore[no-any-return]
    return converter  # type: ignore[return-value]


class ClassHandler(Handler):
    """Reads an attrs class from a table, field by field (see the module docstring)."""

    def __init__(
        self,
        cls: type,
        *,
        fields: Mapping[str, Handler] | None = None,
        docs: Mapping[str, str] | None = None,
        type_name: str | None = None,
        check: Callable[[dict[str, Any], Mapping[str, Any], Path, Context], None] | None = None,
        order: Iterable[str] | None = None,
        always: Collection[str] = (),
        title: str | None = None,
        def_name: str | None = None,
        prepare: Callable[[Mapping[str, Any], Context], Mapping[str, Any]] | None = None,
    ) -> None:
        if not attrs.has(cls):
            raise InvalidTypeError(f"{cls.__name__} is not an attrs class")
        self.cls = cls
        self.type_name = type_name
        self.check = check
        self.always = frozenset(always)
        self.title = title or cls.__name__
        self.def_name = def_name
        self.prepare = prepare
        self.fields = _fields(cls, dict(fields or {}), dict(docs or {}), order)
        self.by_key = {field.key: field for field in self.fields}
        #: Attribute names and keys, for placing the messages of the class's own checks.
        self.names = {field.attribute.name.lstrip("_"): field.key for field in self.fields}
        self.names.update({field.key: field.key for field in self.fields})

    @property
    def doc(self) -> str:
        """The first paragraph of the class docstring."""
        text = (self.cls.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(text.split())

    # -- reading ----------------------------------------------------------------------------
    def structure(self, value: object, path: Path, ctx: Context) -> object:
        return self.structure_table(value, path, ctx)

    def structure_table(
        self, value: object, path: Path, ctx: Context, *, extra_keys: Collection[str] = ()
    ) -> object:
        """Read ``value``; ``extra_keys`` are keys handled elsewhere (``type``)."""
        if not isinstance(value, Mapping):
            return ctx.report(path, wrong_type("a table", value), value)
        if self.prepare is not None:
            value = self.prepare(value, ctx)
        ok = True
        for key in value:
            if key not in self.by_key and key not in extra_keys:
                self._unknown(str(key), value[key], path, ctx)
                ok = False
        kwargs, complete = self._read_fields(value, path, ctx)
        if self.check is not None:  # even with some fields invalid: report all at once
            before = len(ctx.problems)
            self.check(kwargs, value, path, ctx)
            ok = ok and len(ctx.problems) == before
        if not ok or not complete:
            return INVALID
        try:
            return self.cls(**kwargs)
        except _CONSTRUCTION_ERRORS as error:
            return self.report_error(error, path, ctx)

    def _read_fields(
        self, value: Mapping[str, Any], path: Path, ctx: Context
    ) -> tuple[dict[str, Any], bool]:
        """The valid fields' values by key, and whether every field was valid."""
        ok = True
        kwargs: dict[str, Any] = {}
        for field in self.fields:
            if field.key not in value:
                if field.required:
                    ctx.report((*path, field.key), "is required", None)
                    ok = False
                elif field.handler.optional and field.attribute.default is attrs.NOTHING:
                    kwargs[field.key] = None
                continue
            read = self.structure_field(field, value[field.key], (*path, field.key), ctx)
            if read is INVALID:
                ok = False
            else:
                kwargs[field.key] = read
        return kwargs, ok

    def structure_field(self, field: Field, raw: object, path: Path, ctx: Context) -> object:
        """One field's value: its handler reads it, then its converter checks it."""
        value = field.handler.structure(raw, path, ctx)
        if value is INVALID:
            return INVALID
        convert = _converter(field.attribute)
        if convert is not None:
            try:
                convert(field.handler.converter_input(raw, value))
            except _CONSTRUCTION_ERRORS as error:
                message = _strip_prefix(str(error))
                located = _LOCATED.match(message)
                if located and located["head"] in self.names and not located["tail"]:
                    message = located["rest"]
                return ctx.report(path, message, raw)
        return value

    def _unknown(self, key: str, value: object, path: Path, ctx: Context) -> None:
        keys = [field.key for field in self.fields]
        hint = closest(key, keys)
        what = f"a {self.type_name}" if self.type_name else self.title
        if not hint:
            hint = f"; {what} takes: {', '.join(keys)}"
        ctx.report((*path, key), f"unknown field{hint}", value)

    def report_error(self, error: Exception, path: Path, ctx: Context) -> object:
        """Report an error raised by the class at the field its message names."""
        message = _strip_prefix(str(error))
        located = _LOCATED.match(message)
        if located and located["head"] in self.names:
            where: Path = (*path, self.names[located["head"]])
            for index, name in _SEGMENT.findall(located["tail"]):
                where = (*where, int(index) if index else name)
            message = located["rest"]
            message = re.sub(r"^\((.*?)\) ", r"\1 ", message)
            return ctx.report(where, message, ctx.lookup(where))
        return ctx.report(path, message, ctx.lookup(path))

    # -- writing ----------------------------------------------------------------------------
    def unstructure(self, value: Any, options: Options) -> object:
        out: dict[str, object] = {}
        for field in self.fields:
            current = getattr(value, field.attribute.name)
            if field.key not in self.always and _same(current, field.default_for(value)):
                continue
            if current is None and field.handler.optional:
                continue
            out[field.key] = field.handler.unstructure(current, options)
        return out

    # -- describing -------------------------------------------------------------------------
    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        if self.def_name is None:
            return self.body_schema(defs)
        if self.def_name not in defs:
            defs[self.def_name] = {}  # placeholder against recursion
            defs[self.def_name] = self.body_schema(defs)
        return {"$ref": f"#/$defs/{self.def_name}"}

    def body_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        """The object schema of the class's table."""
        properties: dict[str, Any] = {}
        for field in self.fields:
            prop = dict(field.handler.schema(defs))
            if field.doc:
                prop["description"] = field.doc
            properties[field.key] = prop
        result: dict[str, Any] = {"type": "object"}
        if self.doc:
            result["description"] = self.doc
        result["properties"] = properties
        required = [field.key for field in self.fields if field.required]
        if required:
            result["required"] = required
        result["additionalProperties"] = False
        return result


def _same(a: object, b: object) -> bool:
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError, ArithmeticError):  # pragma: no cover - defensive
        return False


def _strip_prefix(message: str) -> str:
    return _ERROR_PREFIX.sub("", message, count=1)


def _fields(
    cls: type,
    overrides: dict[str, Handler],
    docs: dict[str, str],
    order: Iterable[str] | None,
) -> tuple[Field, ...]:
    try:
        hints = typing.get_type_hints(cls)
    except Exception as error:  # an annotation that does not resolve at run time
        raise InvalidTypeError(
            f"cannot read the type annotations of {cls.__name__}: {error}; "
            "pass a handler for each field in fields="
        ) from error
    result: list[Field] = []
    for attribute in attrs.fields(cls):
        if not attribute.init:
            continue
        key = getattr(attribute, "alias", None) or attribute.name.lstrip("_")
        handler = overrides.pop(key, None) or overrides.pop(attribute.name, None)
        if handler is None:
            if attribute.name not in hints:  # pragma: no cover - attrs fields are annotated
                raise InvalidTypeError(f"{cls.__name__}.{attribute.name} has no type annotation")
            try:
                handler = handler_for(hints[attribute.name], key=key)
            except TypeError as error:
                raise InvalidTypeError(
                    f"{cls.__name__}.{attribute.name}: {error}; pass a handler for it in fields="
                ) from None
        required = attribute.default is attrs.NOTHING and not handler.optional
        doc = docs.get(key) or str(attribute.metadata.get("doc", "")) or COMMON_DOCS.get(key, "")
        result.append(Field(key, attribute, handler, required, doc))
    if overrides:
        raise InvalidTypeError(f"{cls.__name__} has no field(s) {', '.join(sorted(overrides))}")
    if order is not None:
        rank = {key: index for index, key in enumerate(order)}
        result.sort(key=lambda field: rank.get(field.key, len(rank)))
    return tuple(result)


# -- plain types -------------------------------------------------------------------------------

_TYPES: dict[object, Handler] = {
    str: StrHandler(),
    bool: BoolHandler(),
    int: IntHandler(),
    Decimal: DecimalHandler(),
    Fraction: FractionHandler(),
    Money: MoneyHandler(),
    Currency: CurrencyHandler(),
    dt.date: DateHandler(),
    dt.time: TimeHandler(),
    Where: WhereHandler(),
    Cycle: CycleHandler(),
    frozenset[str]: TagsHandler(),
    tuple[str, ...]: StrListHandler(),
}
_STRUCTURES: dict[type, ClassHandler] = {}
_COMPONENTS: dict[str, ClassHandler] = {}
_COMPONENT_CLASSES: dict[type, ClassHandler] = {}


def register_type(tp: object, handler: Handler) -> None:
    """Read and write every value annotated ``tp`` with ``handler``."""
    _TYPES[tp] = handler


def handler_for(tp: Any, *, key: str = "") -> Handler:
    """The handler of values annotated ``tp`` (a ``TypeError`` when there is none)."""
    if key == "name" and tp is str:
        return StrHandler(non_empty=True)
    known = _TYPES.get(tp)
    if known is not None:
        return known
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (Union, types.UnionType):
        return _union(args, key)
    if origin is Literal and all(isinstance(arg, str) for arg in args):
        return LiteralHandler(args)
    if _is_class(tp) and issubclass(tp, enum.Enum):
        return EnumHandler(tp)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = typing.get_args(args[0])
        if typing.get_origin(args[0]) is tuple and len(item) == 2 and item[0] is str:
            return PairsHandler(handler_for(item[1]))
        return ListHandler(handler_for(args[0]))
    if origin in (dict, Mapping) and len(args) == 2 and args[0] is str:
        return MappingHandler(handler_for(args[1]))
    if _is_class(tp) and issubclass(tp, Component):
        return ComponentHandler()
    if isinstance(tp, type) and tp in _STRUCTURES:
        return _STRUCTURES[tp]
    raise InvalidTypeError(f"no handler for values of type {tp}")


def _union(args: tuple[Any, ...], key: str) -> Handler:
    rest = tuple(arg for arg in args if arg is not type(None))
    if len(rest) < len(args):
        inner = rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007
        return OptionalHandler(handler_for(inner, key=key))
    if all(isinstance(arg, type) and arg in _STRUCTURES for arg in rest):
        return StructUnionHandler([_STRUCTURES[arg] for arg in rest])
    many = [arg for arg in rest if typing.get_origin(arg) is tuple]
    if len(rest) == 2 and len(many) == 1:
        single = rest[0] if rest[1] is many[0] else rest[1]
        return EitherHandler(handler_for(single, key=key), handler_for(many[0], key=key))
    raise InvalidTypeError(f"no handler for the union {' | '.join(map(str, rest))}")


class StructUnionHandler(Handler):
    """One of several structures, told apart by their keys (a dated range has
    ``first``/``last``, a yearly one ``start``/``end``, a rule-based one ``rule``).
    """

    def __init__(self, handlers: list[ClassHandler]) -> None:
        self.handlers = handlers

    def _describe(self) -> str:
        return "; ".join(
            f"{handler.title} ({', '.join(field.key for field in handler.fields)})"
            for handler in self.handlers
        )

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, Mapping):
            return ctx.report(path, wrong_type(f"a table: {self._describe()}", value), value)
        keys = set(value)
        fitting = [
            handler
            for handler in self.handlers
            if keys <= set(handler.by_key)
            and {field.key for field in handler.fields if field.required} <= keys
        ]
        if len(fitting) == 1:
            return fitting[0].structure(value, path, ctx)
        overlap = {handler: len(keys & set(handler.by_key)) for handler in self.handlers}
        best = max(overlap.values())
        closest_handlers = [handler for handler in self.handlers if overlap[handler] == best]
        if not fitting and len(closest_handlers) == 1 and best:
            return closest_handlers[0].structure(value, path, ctx)
        return ctx.report(
            path, f"must have the fields of one of: {self._describe()} (got {show(value)})", value
        )

    def unstructure(self, value: Any, options: Options) -> object:
        for handler in self.handlers:
            if type(value) is handler.cls:
                return handler.unstructure(value, options)
        raise InvalidTypeError(f"{value!r} is none of {', '.join(h.title for h in self.handlers)}")

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [handler.schema(defs) for handler in self.handlers]}


def register_structure(
    cls: type,
    *,
    fields: Mapping[str, Handler] | None = None,
    docs: Mapping[str, str] | None = None,
    check: Callable[[dict[str, Any], Mapping[str, Any], Path, Context], None] | None = None,
    prepare: Callable[[Mapping[str, Any], Context], Mapping[str, Any]] | None = None,
) -> ClassHandler:
    """Make the attrs class ``cls`` readable wherever a field is annotated with it
    (a tier inside tiered rates, an activity window, a meter).

    ``prepare`` may fill in a table before it is read (a default taken from the
    contract, say); ``check`` may report problems across fields, as for
    :func:`register_component`.
    """
    handler = ClassHandler(
        cls,
        fields=fields,
        docs=docs,
        check=check,
        def_name=snake_case(cls.__name__),
        prepare=prepare,
    )
    _STRUCTURES[cls] = handler
    return handler


def register_component(
    cls: type[Component],
    *,
    type_name: str | None = None,
    fields: Mapping[str, Handler] | None = None,
    docs: Mapping[str, str] | None = None,
    check: Callable[[dict[str, Any], Mapping[str, Any], Path, Context], None] | None = None,
) -> ClassHandler:
    """Make the component class ``cls`` expressible in contract documents.

    Its ``type`` tag is ``type_name`` (by default the snake_case class name:
    ``MinimumSpend`` -> ``minimum_spend``). Every field is read by the handler of its
    type annotation unless ``fields`` gives one for its key; ``docs`` describes fields
    for the schema; ``check`` may report problems across fields before the class is
    constructed.
    """
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise InvalidTypeError(f"{cls!r} is not a Component class")
    name = type_name or snake_case(cls.__name__)
    base = [field.alias or field.name for field in attrs.fields(Component)]
    own = [
        field.alias or field.name
        for field in attrs.fields(cls)
        if (field.alias or field.name) not in base
    ]
    handler = ClassHandler(
        cls,
        fields=fields,
        docs=docs,
        type_name=name,
        check=check,
        order=["name", *own, *(key for key in base if key != "name")],
    )
    previous = _COMPONENTS.get(name)
    if previous is not None and previous.cls is not cls:
        raise ContractError(
            f"the component type {name!r} is already registered for {previous.cls.__name__}"
        )
    _COMPONENTS[name] = handler
    _COMPONENT_CLASSES[cls] = handler
    return handler


def component_types() -> dict[str, type[Component]]:
    """Every registered component ``type`` tag and its class, sorted by tag."""
    return {name: _COMPONENTS[name].cls for name in sorted(_COMPONENTS)}  # type: ignore[misc]


class ComponentHandler(Handler):
    """A component: a table whose ``type`` names a registered component class."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        names = sorted(_COMPONENTS)
        if not isinstance(value, Mapping):
            return ctx.report(path, wrong_type("a table with a type field", value), value)
        if "type" not in value:
            return ctx.report((*path, "type"), "is required: one of " + ", ".join(names), None)
        tag = value["type"]
        if not isinstance(tag, str):
            return ctx.report((*path, "type"), wrong_type("a component type name", tag), tag)
        handler = _COMPONENTS.get(tag)
        if handler is None:
            hint = closest(tag, names) or "; the types are: " + ", ".join(names)
            return ctx.report((*path, "type"), f"unknown component type {show(tag)}{hint}", tag)
        return handler.structure_table(value, path, ctx, extra_keys=("type",))

    def unstructure(self, value: Any, options: Options) -> object:
        handler = _COMPONENT_CLASSES.get(type(value))
        if handler is None:
            raise InvalidTypeError(
                f"component {value.name!r} is a {type(value).__name__}, which is not registered "
                "with meterprice.spec: call meterprice.spec.register_component for it"
            )
        body = handler.unstructure(value, options)
        assert isinstance(body, dict)
        return {"type": handler.type_name, **body}

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        if "component" not in defs:
            defs["component"] = {}  # placeholder against recursion
            refs = []
            for name in sorted(_COMPONENTS):
                handler = _COMPONENTS[name]
                body = handler.body_schema(defs)
                body["title"] = handler.cls.__name__
                body["properties"] = {
                    "type": {"const": name, "description": "The component type."},
                    **body["properties"],
                }
                body["required"] = ["type", *body.get("required", [])]
                defs[name] = body
                refs.append({"$ref": f"#/$defs/{name}"})
            defs["component"] = {
                "description": "A pricing component; its type field says which.",
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"enum": sorted(_COMPONENTS)}},
                "oneOf": refs,
            }
        return {"$ref": "#/$defs/component"}
