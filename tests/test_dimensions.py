"""Example tests for Dimensions (immutable, hashable mappings) and Where filters."""

from __future__ import annotations

import copy
import pickle
from types import MappingProxyType

import pytest

from meterprice import Dimensions, Where
from meterprice.dimensions import to_dimensions, to_where

PHONE_DE = {"channel": "phone", "language": "de"}


# -- Dimensions -----------------------------------------------------------------------------


def test_dimensions_are_a_sorted_mapping() -> None:
    dims = Dimensions({"language": "de", "channel": "phone"})
    assert dims["language"] == "de"
    assert len(dims) == 2
    assert list(dims) == ["channel", "language"]  # sorted by name
    assert dims.items_tuple == (("channel", "phone"), ("language", "de"))
    assert dims.get("site") is None
    assert "channel" in dims
    with pytest.raises(KeyError):
        dims["site"]


def test_dimensions_from_pairs_and_empty() -> None:
    assert Dimensions([("channel", "phone"), ("language", "de")]) == Dimensions(PHONE_DE)
    assert len(Dimensions()) == 0
    assert not Dimensions()


def test_dimensions_are_immutable() -> None:
    dims = Dimensions(PHONE_DE)
    with pytest.raises(AttributeError, match="immutable"):
        dims.extra = "x"
    with pytest.raises(AttributeError, match="immutable"):
        dims._items = ()
    with pytest.raises(AttributeError, match="immutable"):
        del dims._items
    with pytest.raises(TypeError):
        dims["channel"] = "chat"  # type: ignore[index]
    assert dims == PHONE_DE  # unchanged


def test_dimensions_hash_and_equality() -> None:
    a = Dimensions({"channel": "phone", "language": "de"})
    b = Dimensions({"language": "de", "channel": "phone"})
    assert a == b
    assert hash(a) == hash(b)
    assert {a: 1}[b] == 1
    assert a == PHONE_DE  # equal to a plain dict with the same items
    assert PHONE_DE == a  # noqa: SIM300 - the dict on the left, on purpose
    assert a != {"channel": "phone"}
    assert a != Dimensions({"channel": "phone", "language": "fr"})
    assert a != 5
    assert a != (("channel", "phone"), ("language", "de"))  # a tuple is not a mapping


def test_dimensions_refuse_non_string_names_and_values() -> None:
    with pytest.raises(TypeError, match="dimension 'agents' must have a string value, not 3"):
        Dimensions({"agents": 3})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dimension 'vip' must have a string value, not True"):
        Dimensions({"vip": True})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a dimension name must be a non-empty string, not 1"):
        Dimensions({1: "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a dimension name must be a non-empty string, not ''"):
        Dimensions({"": "x"})


def test_project() -> None:
    dims = Dimensions({"channel": "phone", "language": "de", "site": "lisbon"})
    assert dims.project(["language", "channel"]) == Dimensions(PHONE_DE)
    assert dims.project(["language", "shift"]) == {"language": "de"}  # missing names left out
    assert dims.project([]) == Dimensions()


def test_ordering() -> None:
    de = Dimensions({"language": "de"})
    fr = Dimensions({"language": "fr"})
    assert de < fr
    assert sorted([fr, Dimensions(), de]) == [Dimensions(), de, fr]
    with pytest.raises(TypeError):
        de < {"language": "fr"}  # noqa: B015


def test_repr_str_pickle_copy() -> None:
    dims = Dimensions({"language": "de", "channel": "phone"})
    assert repr(dims) == "Dimensions({'channel': 'phone', 'language': 'de'})"
    assert str(dims) == "channel=phone, language=de"
    assert str(Dimensions()) == ""
    assert pickle.loads(pickle.dumps(dims)) == dims
    assert copy.copy(dims) == dims
    assert copy.deepcopy(dims) == dims


def test_to_dimensions() -> None:
    dims = Dimensions(PHONE_DE)
    assert to_dimensions(dims) is dims
    assert to_dimensions(None) == Dimensions()
    assert to_dimensions(PHONE_DE) == dims
    with pytest.raises(
        TypeError, match="dimensions must be a mapping of names to strings, not 'de'"
    ):
        to_dimensions("de")


# -- Where ----------------------------------------------------------------------------------


def test_where_with_a_string_and_a_list() -> None:
    where = Where({"channel": "phone", "language": ["de", "fr"]})
    assert where.matches(Dimensions(PHONE_DE))
    assert where.matches({"channel": "phone", "language": "fr", "site": "x"})
    assert not where.matches({"channel": "phone", "language": "es"})
    assert not where.matches({"channel": "chat", "language": "de"})
    assert not where.matches({"language": "de"})  # a missing dimension does not match
    assert where.names == frozenset({"channel", "language"})
    assert where


def test_where_with_a_set_and_a_tuple() -> None:
    assert Where({"language": {"de", "fr"}}) == Where({"language": ("fr", "de")})
    assert Where({"language": ["de"]}) == Where({"language": "de"})


def test_empty_where_matches_everything() -> None:
    for where in (Where(), Where({}), Where(None), to_where(None)):
        assert where.matches({})
        assert where.matches(PHONE_DE)
        assert not where
        assert where.names == frozenset()
        assert str(where) == "all"
        assert where.to_dict() == {}


def test_where_refuses_bad_filters() -> None:
    with pytest.raises(ValueError, match="filter on 'language' allows no value at all"):
        Where({"language": []})
    with pytest.raises(TypeError, match="dimension 'language' must have a string value, not 1"):
        Where({"language": ["de", 1]})
    with pytest.raises(TypeError, match="filter on 'agents' must be a string or a collection"):
        Where({"agents": 3})
    with pytest.raises(TypeError, match="a filtered dimension name must be a non-empty string"):
        Where({2: "x"})
    with pytest.raises(TypeError, match="a filter must be a mapping of dimension names to values"):
        Where("channel=phone")


def test_where_equality_hash_and_order_independence() -> None:
    a = Where({"language": ["de", "fr"], "channel": "phone"})
    b = Where({"channel": ["phone"], "language": ["fr", "de", "fr"]})
    assert a == b
    assert hash(a) == hash(b)
    assert a != Where({"channel": "phone"})


def test_where_presentation() -> None:
    where = Where({"language": ["fr", "de"], "channel": "phone"})
    assert str(where) == "channel=phone, language in {de, fr}"
    assert where.to_dict() == {"channel": "phone", "language": ["de", "fr"]}
    assert repr(where) == "Where({'channel': 'phone', 'language': ['de', 'fr']})"
    assert Where(where.to_dict()) == where  # to_dict round-trips


def test_to_where() -> None:
    where = Where({"channel": "phone"})
    assert to_where(where) is where
    assert to_where({"channel": "phone"}) == where


def test_equal_dicts_give_equal_dimensions_however_many() -> None:
    # more distinct combinations than any cache keeps, then the first ones again
    built = [to_dimensions({"call": str(index), "channel": "phone"}) for index in range(5000)]
    again = [to_dimensions({"call": str(index), "channel": "phone"}) for index in range(5000)]
    assert built == again
    assert built[4999]["call"] == "4999"
    assert len(set(built)) == 5000


def test_to_dimensions_from_other_mappings_and_bad_values() -> None:
    assert to_dimensions(MappingProxyType(PHONE_DE)) == Dimensions(PHONE_DE)
    with pytest.raises(
        TypeError, match=r"dimension 'language' must have a string value, not \['de'\]"
    ):
        to_dimensions({"language": ["de"]})
    with pytest.raises(TypeError, match="dimension 'agents' must have a string value, not 3"):
        to_dimensions({"agents": 3})
    with pytest.raises(TypeError, match="dimension 'agents' must have a string value, not 3"):
        to_dimensions({"agents": 3})  # refused again: a refused dict is never remembered
