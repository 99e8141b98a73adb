"""Dimensions of usage (channel, language, shift, ...) and filters on them.

:class:`Dimensions` is an immutable, hashable mapping of dimension names to string
values; :class:`Where` selects usage by those values
(``channel == "phone" and language in {"de", "fr"}``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, overload

import attrs

from meterprice.errors import ContractError, InvalidTypeError

__all__ = ["Dimensions", "Where", "to_dimensions", "to_where"]

_T = TypeVar("_T")


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name:
        raise InvalidTypeError(f"{what} must be a non-empty string, not {name!r}")
    return name


def _check_value(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(f"dimension {name!r} must have a string value, not {value!r}")
    return value


class Dimensions(Mapping[str, str]):
    """An immutable, hashable mapping of dimension names to values.

    >>> dims = Dimensions({"channel": "phone", "language": "de"})
    >>> dims["language"], len(dims)
    ('de', 2)
    >>> dims.project(["channel"])
    Dimensions({'channel': 'phone'})
    """

    __slots__ = ("_hash", "_items", "_map")

    _items: tuple[tuple[str, str], ...]
    _hash: int
    _map: dict[str, str]

    def __init__(self, values: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = values.items() if isinstance(values, Mapping) else values
        checked = {}
        for name, value in pairs:
            key = _check_name(name, "a dimension name")
            checked[key] = _check_value(key, value)
        items = tuple(sorted(checked.items()))
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_hash", hash(items))
        object.__setattr__(self, "_map", dict(items))

    @classmethod
    def _trusted(cls, items: tuple[tuple[str, str], ...]) -> Dimensions:
        """Build from already checked, sorted pairs (a fast path for metering)."""
        self = cls.__new__(cls)
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_hash", hash(items))
        object.__setattr__(self, "_map", dict(items))
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Dimensions are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Dimensions are immutable")

    def __getitem__(self, key: str) -> str:
        return self._map[key]

    @overload
    def get(self, key: str, /) -> str | None: ...

    @overload
    def get(self, key: str, /, default: str | _T) -> str | _T: ...

    def get(self, key: str, /, default: object = None) -> object:
        """The value of dimension ``key``, or ``default``."""
        return self._map.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._map

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Dimensions):
            return self._items == other._items
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other)
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Dimensions):
            return NotImplemented
        return self._items < other._items

    def __reduce__(self) -> tuple[Any, ...]:
        return (Dimensions, (self._items,))

    @property
    def items_tuple(self) -> tuple[tuple[str, str], ...]:
        """The (name, value) pairs, sorted by name."""
        return self._items

    def project(self, names: Iterable[str]) -> Dimensions:
        """Only the dimensions in ``names`` (missing ones are left out)."""
        keep = frozenset(names)
        return Dimensions._trusted(tuple(item for item in self._items if item[0] in keep))

    def __repr__(self) -> str:
        return f"Dimensions({dict(self._items)!r})"

    def __str__(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self._items)


#: Dimensions already built from plain dicts, by the dict's (name, value) pairs.
#: Events read from a file repeat a few combinations (4 channels x 5 languages) a
#: million times: sharing one Dimensions per combination skips its validation, saves
#: about 200 bytes per event and lets metering compare dimensions by identity. A
#: dict whose pairs equal cached ones is valid as they were. Cleared when full, so
#: that high-cardinality dimensions (a call id) cannot grow it without bound.
_SHARED: dict[tuple[tuple[object, object], ...], Dimensions] = {}
_SHARED_MAX = 4096


def to_dimensions(value: object) -> Dimensions:
    """``value`` as :class:`Dimensions` (from a mapping or ``None``)."""
    if isinstance(value, Dimensions):
        return value
    if value is None:
        return _EMPTY
    if type(value) is dict:
        key = tuple(value.items())
        try:
            shared = _SHARED.get(key)
        except TypeError:  # an unhashable value: let the constructor name it
            return Dimensions(value)
        if shared is None:
            shared = Dimensions(value)
            if len(_SHARED) >= _SHARED_MAX:
                _SHARED.clear()
            _SHARED[key] = shared
        return shared
    if isinstance(value, Mapping):
        return Dimensions(value)
    raise InvalidTypeError(f"dimensions must be a mapping of names to strings, not {value!r}")


_EMPTY = Dimensions()


def _to_conditions(value: object) -> tuple[tuple[str, frozenset[str]], ...]:
    if value is None or value == ():
        return ()
    if not isinstance(value, Mapping):
        raise InvalidTypeError(
            f"a filter must be a mapping of dimension names to values, not {value!r}"
        )
    conditions = []
    for name, allowed in value.items():
        key = _check_name(name, "a filtered dimension name")
        if isinstance(allowed, str):
            values = frozenset({allowed})
        elif isinstance(allowed, Iterable):
            values = frozenset(_check_value(key, item) for item in allowed)
            if not values:
                raise ContractError(f"filter on {key!r} allows no value at all")
        else:
            raise InvalidTypeError(
                f"filter on {key!r} must be a string or a collection of strings, not {allowed!r}"
            )
        conditions.append((key, values))
    return tuple(sorted(conditions, key=lambda pair: pair[0]))


@attrs.frozen(repr=False)
class Where:
    """A filter on dimensions: each named dimension must take one of the allowed values.

    ``Where({"channel": "phone", "language": ["de", "fr"]})`` selects phone usage in
    German or French. An empty filter selects everything.

    >>> where = Where({"channel": "phone", "language": ["de", "fr"]})
    >>> where.matches(Dimensions({"channel": "phone", "language": "de"}))
    True
    >>> where.matches(Dimensions({"channel": "chat", "language": "de"}))
    False
    >>> str(where)
    'channel=phone, language in {de, fr}'
    """

    conditions: tuple[tuple[str, frozenset[str]], ...] = attrs.field(
        default=(), converter=_to_conditions
    )

    def matches(self, dims: Mapping[str, str]) -> bool:
        """Whether ``dims`` satisfies every condition."""
        for name, allowed in self.conditions:
            value = dims.get(name)
            if value is None or value not in allowed:
                return False
        return True

    @property
    def names(self) -> frozenset[str]:
        """The dimension names this filter reads."""
        return frozenset(name for name, _ in self.conditions)

    def __bool__(self) -> bool:
        return bool(self.conditions)

    def to_dict(self) -> dict[str, str | list[str]]:
        """Plain data: a single value as a string, several as a sorted list."""
        return {
            name: next(iter(allowed)) if len(allowed) == 1 else sorted(allowed)
            for name, allowed in self.conditions
        }

    def __repr__(self) -> str:
        return f"Where({self.to_dict()!r})"

    def __str__(self) -> str:
        if not self.conditions:
            return "all"
        parts = []
        for name, allowed in self.conditions:
            if len(allowed) == 1:
                parts.append(f"{name}={next(iter(allowed))}")
            else:
                parts.append(f"{name} in {{{', '.join(sorted(allowed))}}}")
        return ", ".join(parts)


def to_where(value: object) -> Where:
    """``value`` as :class:`Where` (from a mapping, ``None`` or a Where)."""
    if isinstance(value, Where):
        return value
    return Where(value)
