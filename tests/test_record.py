"""``engine._record.record`` behaves as ``@dataclass(frozen=True, slots=True)`` (issue 16):
the same constructor (before and after it is compiled), errors, ``repr``, ``==``, ``hash``,
frozen instances, pickling and the functions of :mod:`dataclasses`."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from xieshang.engine import _record
from xieshang.engine._record import field, record, replace


def _pair() -> tuple[Any, Any]:
    """The same class as a dataclass and as a record."""

    def body(make_field: Any) -> type:
        class Entry:
            """A test record."""

            on: date
            amount: Decimal
            note: str = "x"
            tags: tuple[int, ...] = make_field(default_factory=tuple)

            def __post_init__(self) -> None:
                if self.amount < 0:
                    raise ValueError("negative")

            @property
            def doubled(self) -> Decimal:
                return self.amount * 2

        return Entry

    return (dataclasses.dataclass(frozen=True, slots=True)(body(dataclasses.field)),
            record(body(field)))


@record
class Made:
    """A record at module level (picklable by name), holding another."""

    on: date
    amount: Decimal
    inner: Any = None
    tags: tuple[int, ...] = field(default_factory=tuple)


def _outcome(kind: Any, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    try:
        made = kind(*args, **kwargs)
    except (TypeError, ValueError) as error:
        return type(error).__name__, str(error).split(".__init__()")[-1]
    return ("made", repr(made).split("(", 1)[1], hash(made), made == kind(*args, **kwargs),
            made.doubled)


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((date(2026, 1, 1), Decimal(1)), {}),
    ((date(2026, 1, 1),), {"amount": Decimal(2), "tags": (1,)}),
    ((), {"on": date(2026, 1, 1), "amount": Decimal(3), "note": "n"}),
    ((date(2026, 1, 1),), {}),  # missing
    ((date(2026, 1, 1), Decimal(1)), {"on": date(2026, 1, 2)}),  # twice
    ((date(2026, 1, 1), Decimal(1)), {"other": 1}),  # unknown
    ((1, 2, 3, 4, 5), {}),  # too many
    ((date(2026, 1, 1), Decimal(-1)), {}),  # __post_init__
]


def test_the_constructor_is_a_dataclass_s_before_and_after_it_is_compiled() -> None:
    plain, made = _pair()
    for _round in range(_record.PROMOTE_AFTER + 2):
        for args, kwargs in CALLS:
            assert _outcome(made, *args, **kwargs) == _outcome(plain, *args, **kwargs)
    assert made.__init__.__qualname__.endswith("Entry.__init__")  # compiled by now
    assert made.__init__.__name__ == "__init__"


def test_a_record_is_frozen_slotted_and_compared_as_a_dataclass() -> None:
    plain, made = _pair()
    one, same, other = (made(date(2026, 1, 1), Decimal(1)), made(date(2026, 1, 1), Decimal(1)),
                        made(date(2026, 1, 1), Decimal(2)))
    assert one == same
    assert one != other
    assert one != plain(date(2026, 1, 1), Decimal(1))
    assert hash(one) == hash(plain(date(2026, 1, 1), Decimal(1)))
    assert not hasattr(one, "__dict__")
    assert made.__slots__ == ("on", "amount", "note", "tags")
    assert made.__match_args__ == plain.__match_args__
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'note'"):
        one.note = "y"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del one.note
    assert made.__doc__ == "A test record."


def test_dataclasses_functions_and_pickling_work_on_a_record() -> None:
    plain, made = _pair()
    one = made(date(2026, 1, 1), Decimal(1), tags=(2,))
    assert dataclasses.is_dataclass(one)
    assert [f.name for f in dataclasses.fields(made)] == [f.name for f in dataclasses.fields(plain)]
    assert dataclasses.asdict(one) == {"on": date(2026, 1, 1), "amount": Decimal(1),
                                       "note": "x", "tags": (2,)}
    assert dataclasses.replace(one, note="y") == replace(one, note="y") == made(
        date(2026, 1, 1), Decimal(1), "y", (2,))
    assert replace(plain(date(2026, 1, 1), Decimal(1)), note="z").note == "z"
    with pytest.raises(ValueError, match="negative"):
        replace(one, amount=Decimal(-1))
    kept = Made(date(2026, 1, 1), Decimal(1), Made(date(2026, 2, 1), Decimal(2)), (3,))
    assert pickle.loads(pickle.dumps(kept)) == kept
    assert copy.deepcopy(kept) == kept
    assert copy.copy(kept) == kept


def test_a_record_refuses_what_a_dataclass_refuses() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @record
        class Wrong:
            a: int = 1
            b: int

    with pytest.raises(ValueError, match="mutable default"):
        @record
        class Mutable:
            a: list[int] = []  # noqa: RUF012 - the point of the test


def test_a_record_refuses_what_its_compiled_methods_could_not_keep() -> None:
    """An InitVar, a field named as the compiled methods' own names, and fields inherited
    from a dataclass are refused when the class is made, not on its ninth use."""
    with pytest.raises(TypeError, match="no InitVar"):
        @record
        class WithInitVar:
            a: int
            b: dataclasses.InitVar[int]

    for name in ("self", "other", "_set"):
        with pytest.raises(TypeError, match="field names"):
            record(type("Named", (), {"__annotations__": {name: "int"}}))

    @dataclasses.dataclass(frozen=True)
    class Base:
        a: int

    with pytest.raises(TypeError, match="cannot inherit the fields of the dataclass"):
        @record
        class Sub(Base):
            b: int


def test_a_filler_makes_the_record_its_constructor_makes() -> None:
    """filler: the values in order, the other fields as given, no __post_init__ (hot paths
    pass checked values); the result is the record itself, equal and hashed as one."""
    from xieshang.engine._record import filler
    from xieshang.engine.accrual import Payment
    from xieshang.engine.arrangements import Kind, Proposal

    make = filler(Payment, ("on", "amount"))
    made = make(date(2026, 3, 1), Decimal("12.30"))
    assert type(made) is Payment
    assert made == Payment(date(2026, 3, 1), Decimal("12.30"))
    assert hash(made) == hash(Payment(date(2026, 3, 1), Decimal("12.30")))
    assert repr(made) == repr(Payment(date(2026, 3, 1), Decimal("12.30")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.amount = Decimal("1.00")  # type: ignore[misc]
    unchecked = make(date(2026, 3, 1), Decimal("-1"))  # no __post_init__: the caller checks
    assert unchecked.amount == Decimal("-1")

    default = Proposal(Kind.INSTALLMENTS)
    given = ("kind", "periods")
    others = {item.name: getattr(default, item.name) for item in dataclasses.fields(Proposal)
              if item.name not in given}
    proposal = filler(Proposal, given, others)(Kind.INSTALLMENTS, 6)
    assert proposal == Proposal(Kind.INSTALLMENTS, periods=6)
