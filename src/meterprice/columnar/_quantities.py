"""Quantities as exact integers: integer, decimal and decimal-text columns scaled by a
power of ten, durations from start and end columns, and each event's increment and
minimum (mirrored for negative corrections) applied to those integers.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from meterprice import _decimal as d
from meterprice.columnar._arrays import (
    _INT64_MAX,
    _SECOND,
    _Array,
    _Arrow,
    _as_strings,
    _bytes_in,
    _column,
    _is_string,
    _no_nulls,
    _np,
    _pa,
    _pc,
)
from meterprice.columnar._clocks import _timestamps
from meterprice.columnar._columns import ColumnMapping
from meterprice.columnar._encoding import _codes
from meterprice.errors import UsageError
from meterprice.metering import Meter


def _scale_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _decimals(column: _Arrow, name: str) -> tuple[_Array, int]:
    """The unscaled integers of a decimal column, and its scale."""
    np, pa = _np(), _pa()
    kind = column.type
    parts: list[_Array] = []
    if pa.types.is_decimal128(kind):
        for chunk in column.chunks:
            words = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
            words = words[2 * chunk.offset : 2 * (chunk.offset + len(chunk))].reshape(-1, 2)
            low, high = words[:, 0], words[:, 1]
            if not (high == (low >> 63)).all():
                parts.append(_python_decimals(chunk, kind.scale))
            else:
                parts.append(low.copy())
    else:
        parts = [_python_decimals(chunk, kind.scale) for chunk in column.chunks]
    if not parts:
        return np.zeros(0, dtype=np.int64), kind.scale
    if any(part.dtype == object for part in parts):
        parts = [part.astype(object) for part in parts]
    return np.concatenate(parts), kind.scale


def _python_decimals(chunk: _Arrow, scale: int) -> _Array:
    np = _np()
    values = [int(Fraction(value) * 10**scale) for value in chunk.to_pylist()]
    return np.array(values, dtype=object)


def _quantities(table: _Arrow, name: str) -> tuple[_Array, int]:
    """The quantity column as integers scaled by ``10**scale``, and the scale."""
    np, pa, pc = _np(), _pa(), _pc()
    column = _column(table, name, "quantity")
    _no_nulls(column, name, "quantity")
    kind, types = column.type, pa.types
    if types.is_integer(kind):
        if types.is_uint64(kind) and len(column) and pc.max(column).as_py() > _INT64_MAX:
            return np.array(column.to_pylist(), dtype=object), 0
        return column.to_numpy().astype(np.int64), 0
    if types.is_decimal(kind):
        return _decimals(column, name)
    if types.is_floating(kind):
        values = column.to_numpy().astype(np.float64)
        bad = ~np.isfinite(values) | (values != np.floor(values)) | (np.abs(values) > 2.0**53)
        if bad.any():
            example = values[np.flatnonzero(bad)[0]]
            raise UsageError(
                f"column {name!r} (quantity) holds floating-point numbers such as {example!r}, "
                "which are not exact: cast it to a decimal type "
                "(pyarrow.compute.cast(col, pyarrow.decimal128(18, 6)), "
                "polars pl.col(name).cast(pl.Decimal(18, 6)), or read the file with "
                "the quantity as text) or to integers"
            )
        return values.astype(np.int64), 0
    if _is_string(kind):
        plain = _plain_decimals(column)
        if plain is not None:
            return plain
        codes, texts = _codes(column)
        numbers: list[Decimal] = []
        for text in texts:
            if text is None:  # a dictionary value no row uses
                numbers.append(Decimal(0))
                continue
            try:
                numbers.append(d.to_decimal(text.strip(), what=f"column {name!r} (quantity)"))
            except (ValueError, TypeError, ArithmeticError) as error:
                raise UsageError(str(error)) from None
            if not numbers[-1].is_finite():
                raise UsageError(f"column {name!r} (quantity) has {text!r}, not a finite number")
        scale = max((_scale_of(number) for number in numbers), default=0)
        ints = [int(Fraction(number) * 10**scale) for number in numbers]
        if all(abs(value) <= _INT64_MAX for value in ints):
            return np.array(ints, dtype=np.int64)[codes], scale
        return np.array(ints, dtype=object)[codes], scale
    raise UsageError(
        f"column {name!r} (quantity) has the type {kind}: quantities must be integers or "
        "decimals (or decimal text)"
    )


def _plain_decimals(column: _Arrow) -> tuple[_Array, int] | None:
    """Decimal text such as ``-185.125`` as integers scaled by ``10**scale``, parsed
    column-wide: the digits without the point cast to int64 (Arrow reads ``-?[0-9]+``
    and hexadecimal ``0x..``, refused here); ``None`` when some text is another form
    (``1e3``, ``1_000``, spaces) or the digits could leave int64.
    """
    np, pa, pc = _np(), _pa(), _pc()
    if pa.types.is_dictionary(column.type):
        return None  # few distinct texts: parsed once each
    column = _as_strings(column)
    if _bytes_in(column, b"xX"):
        return None
    dots = (pc.max(pc.count_substring(column, ".")).as_py() or 0) if _bytes_in(column, b".") else 0
    if dots > 1:
        return None
    digits = pc.replace_substring(column, ".", "", max_replacements=1) if dots else column
    try:
        ints = pc.cast(digits, pa.int64()).to_numpy().astype(np.int64, copy=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if not dots:
        return ints, 0
    lengths = pc.binary_length(column).to_numpy().astype(np.int64)
    point = pc.find_substring(column, ".").to_numpy().astype(np.int64)
    lead = np.flatnonzero(point == 0)
    if len(lead) and pc.any(pc.match_substring_regex(column.take(lead), r"^\.[+-]")).as_py():
        return None  # a sign after the point (".-5"), which the text path refuses
    places = np.where(point >= 0, lengths - point - 1, 0)
    scale = int(places.max())
    whole = np.where(point >= 0, point, lengths)  # digits before the point (and a sign)
    if int(whole.max()) + scale > 18:
        return None
    if (places != scale).any():
        ints = ints * np.power(np.int64(10), (scale - places).astype(np.int64))
    return ints, scale


def _rescale(values: _Array, scale: int, target: int) -> _Array:
    if target == scale:
        return values
    np = _np()
    factor = 10 ** (target - scale)
    if values.dtype != object and (
        factor > _INT64_MAX
        or (len(values) and max(int(values.max()), -int(values.min())) * factor > _INT64_MAX)
    ):
        values = values.astype(object)  # exact Python integers, beyond int64
    return values * factor if values.dtype == object else values * np.int64(factor)


def _amounts(table: _Arrow, mapping: ColumnMapping) -> tuple[_Array, int]:
    """The quantities as scaled integers: a column, or the duration end - start."""
    if mapping.start_column is None:
        assert mapping.quantity is not None
        return _quantities(table, mapping.quantity)
    assert mapping.end_column is not None
    begin, begin_aware = _timestamps(table, mapping.start_column, "start")
    finish, finish_aware = _timestamps(table, mapping.end_column, "end")
    if begin_aware != finish_aware:
        raise UsageError(
            f"columns {mapping.start_column!r} and {mapping.end_column!r} must both be "
            "time-zone aware or both naive"
        )
    duration = finish - begin
    if not (duration % _SECOND).any():
        return duration // _SECOND, 0
    return duration, 6


def _billable(meter: Meter, quantities: _Array, scale: int) -> tuple[_Array, int]:
    """Each row's quantity after the increment and minimum (mirrored when
    negative), as integers scaled by ``10**scale``.
    """
    np = _np()
    rules = [rule for rule in (meter.increment, meter.minimum) if rule is not None]
    if not rules:
        return quantities, scale
    source, scale = scale, max(scale, *(_scale_of(rule) for rule in rules))
    values = _rescale(quantities, source, scale)
    increment = minimum = None
    if meter.increment is not None:
        increment = int(Fraction(meter.increment) * 10**scale)
    if meter.minimum is not None:
        minimum = int(Fraction(meter.minimum) * 10**scale)
    signed = True
    if values.dtype != object and len(values):
        lowest = int(values.min())
        top = max(int(values.max()), -lowest)
        if top + (increment or 0) + (minimum or 0) > _INT64_MAX:
            values = values.astype(object)
        signed = lowest < 0
    size = np.abs(values) if signed else values
    if increment is not None:
        size = -((-size) // increment) * increment
    if minimum is not None:
        size = np.maximum(size, minimum)
    return (np.where(values < 0, -size, size) if signed else size), scale


def _negative(meter: Meter, value: int, scale: int, count: int) -> UsageError:
    """The error for ``count`` negative quantities, such as ``value / 10**scale``."""
    example = d.fraction_to_decimal(Fraction(value, 10**scale))
    return UsageError(
        f"meter {meter.name!r}: {count} event(s) of {meter.source!r} have negative "
        f"quantities (such as {example}); negative quantities are refused unless "
        "the meter allows them"
    )
