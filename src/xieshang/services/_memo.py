"""Answers remembered while one case is read (a batch evaluation, a view): the same bill,
budget and checks are asked for many times by the parts of one evaluation, and nothing is
written meanwhile.

Outside :func:`reading` nothing is remembered (every call computes, as before). Inside it,
a function decorated with :func:`remembered` answers a repeated call from the first answer:
the key names the transaction, the function and its arguments, and a *witness* (the record
the answer was computed from) must be equal on a hit, so a record changed in between is
computed anew. A key naming a transaction by ``id()`` puts the transaction itself in the
witness: the memory then keeps it alive, so a later transaction in the same block can
never be given its ``id()`` and be answered from what the first one read. Errors are
not remembered. The memory lives in a context variable: each
thread (each web request, each batch worker) has its own, dropped when :func:`reading`
ends.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

__all__ = ["reading", "remembered"]

P = ParamSpec("P")
R = TypeVar("R")

_MEMORY: ContextVar[dict[Hashable, tuple[Any, Any]] | None] = ContextVar(
    "xieshang_reading", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Remember answers until the block ends (the block must not write to the store)."""
    if _MEMORY.get() is not None:  # nested: the outer block's memory serves
        yield
        return
    token = _MEMORY.set({})
    try:
        yield
    finally:
        _MEMORY.reset(token)


def remembered(key: Callable[..., tuple[Hashable, Any]],
               copy: Callable[[Any], Any] | None = None
               ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a read-only function: ``key(*args, **kwargs)`` → (hashable key, witness);
    ``copy`` hands out a copy of a mutable answer."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            memory = _MEMORY.get()
            if memory is None:
                return function(*args, **kwargs)
            name, witness = key(*args, **kwargs)
            slot = (function, name)
            found = memory.get(slot)
            if found is not None and (found[0] is witness or found[0] == witness):
                answer: R = found[1]
            else:
                answer = function(*args, **kwargs)
                memory[slot] = (witness, answer)
            return copy(answer) if copy is not None else answer

        return wrapper

    return decorate
