"""Immutable record classes, made without code generation at import (issue 16).

``@record`` gives a class what ``@dataclass(frozen=True, slots=True)`` gives it — an
``__init__`` taking the fields in order (defaults, :func:`field` factories,
``__post_init__``), ``__repr__``, ``__eq__`` and ``__hash__`` over the fields' tuple,
frozen instances (:class:`dataclasses.FrozenInstanceError`), ``__slots__``, pickling and
``__match_args__``; :func:`dataclasses.fields`, :func:`dataclasses.replace`,
:func:`dataclasses.asdict` and :func:`dataclasses.is_dataclass` work on it — but a
dataclass compiles six methods with ``exec`` as the class is made (about 0.45 ms each
class; ``xieshang calc overdue`` made 21 of them before it could start). Here the class is
made in a few microseconds: ``__eq__``, ``__hash__`` and ``__repr__`` are shared
functions over an :func:`operator.attrgetter`, and ``__init__`` is compiled on the first
instance (the same code a dataclass runs, so constructing is no slower), as is
``__dataclass_fields__`` on first use (by :mod:`dataclasses` itself).

The decorator is marked :func:`typing.dataclass_transform`, so mypy checks the
constructors as a dataclass's.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

__all__ = ["field", "record", "replace"]

T = TypeVar("T")
C = TypeVar("C", bound=type)

#: The default of a field whose default is made by a factory (in the compiled ``__init__``).
_FACTORY: Any = type("_FactoryDefault", (), {"__repr__": lambda self: "<factory>"})()
_NONE: Any = object()


class _Field:
    """What :func:`field` leaves in the class body until :func:`record` reads it."""

    __slots__ = ("default_factory",)

    def __init__(self, default_factory: Callable[[], Any]) -> None:
        self.default_factory = default_factory


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default is made by ``default_factory`` for each instance (as
    :func:`dataclasses.field` with ``default_factory``)."""
    return _Field(default_factory)  # type: ignore[return-value]


class _Spec:
    """One record class's fields: names in order, defaults, factories, annotations."""

    __slots__ = ("annotations", "defaults", "factories", "names")

    def __init__(self) -> None:
        self.names: list[str] = []
        self.defaults: dict[str, Any] = {}
        self.factories: dict[str, Callable[[], Any]] = {}
        self.annotations: dict[str, Any] = {}


def _is_class_var(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar", "InitVar", "dataclasses.InitVar"))


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: C) -> C:
    """The class as a frozen slotted record (see the module docstring)."""
    spec = _Spec()
    for base in reversed(cls.__mro__[1:]):
        inherited: _Spec | None = base.__dict__.get("__record_spec__")
        if inherited is not None:
            for name in inherited.names:
                if name not in spec.names:
                    spec.names.append(name)
            spec.defaults.update(inherited.defaults)
            spec.factories.update(inherited.factories)
            spec.annotations.update(inherited.annotations)
    namespace = dict(cls.__dict__)
    own: list[str] = []
    for name, annotation in namespace.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        own.append(name)
        if name not in spec.names:
            spec.names.append(name)
        spec.annotations[name] = annotation
        spec.defaults.pop(name, None)
        spec.factories.pop(name, None)
        value = namespace.pop(name, _NONE)
        if isinstance(value, _Field):
            spec.factories[name] = value.default_factory
        elif value is not _NONE:
            spec.defaults[name] = value
    optional = False
    for name in spec.names:
        if name in spec.defaults or name in spec.factories:
            optional = True
        elif optional:
            raise TypeError(f"non-default argument {name!r} follows default argument")
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = tuple(own)
    names = tuple(spec.names)
    namespace["__record_spec__"] = spec
    namespace["__match_args__"] = names
    explicit_hash = namespace.get("__hash__", _NONE)
    if explicit_hash is _NONE or (explicit_hash is None and "__eq__" in namespace):
        namespace["__hash__"] = _lazy("__hash__")
    defaults = {
        "__init__": _lazy("__init__"),
        "__repr__": _make_repr(names),
        "__eq__": _lazy("__eq__"),
        "__setattr__": _frozen_setattr,
        "__delattr__": _frozen_delattr,
        "__getstate__": _getstate,
        "__setstate__": _setstate,
        "__dataclass_fields__": _LazyFields(),
    }
    for key, value in defaults.items():
        namespace.setdefault(key, value)
    made: C = type(cls)(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


def _values_of(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields' values as a tuple (also for one field or none)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return lambda self: ()


_REPR_RUNNING: set[tuple[int, int]] = set()


def _make_repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    from _thread import get_ident

    def __repr__(self: Any) -> str:
        key = (id(self), get_ident())
        if key in _REPR_RUNNING:
            return "..."
        _REPR_RUNNING.add(key)
        try:
            inside = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
            return f"{self.__class__.__qualname__}({inside})"
        finally:
            _REPR_RUNNING.discard(key)

    return __repr__


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    import dataclasses

    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    import dataclasses

    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> list[Any]:
    return list(_spec_of(type(self)).values(self))


def _setstate(self: Any, state: list[Any]) -> None:
    for name, value in zip(_spec_of(type(self)).names, state, strict=False):
        object.__setattr__(self, name, value)


class _SpecView:
    __slots__ = ("names", "values")

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.values = _values_of(tuple(names))


def _spec_of(cls: type) -> _SpecView:
    view: _SpecView | None = cls.__dict__.get("__record_view__")
    if view is None:
        spec = next(klass.__dict__["__record_spec__"] for klass in cls.__mro__
                    if "__record_spec__" in klass.__dict__)
        view = _SpecView(spec.names)
        type.__setattr__(cls, "__record_view__", view)
    return view


def _record_class(cls: type) -> type:
    """The class ``@record`` made, of ``cls`` or one of its bases."""
    return next(klass for klass in cls.__mro__ if "__record_spec__" in klass.__dict__)


def _lazy(method: str) -> Callable[..., Any]:
    """A stand-in for ``method`` (``__init__``, ``__eq__``, ``__hash__``): on its first call
    it compiles the class's own (:func:`_compile`), puts it on the class and runs it."""

    def first(self: Any, *args: Any, **kwargs: Any) -> Any:
        owner = _record_class(type(self))
        compiled = _compile(owner, owner.__dict__["__record_spec__"], method)
        type.__setattr__(owner, method, compiled)
        return compiled(self, *args, **kwargs)

    first.__name__ = method
    return first


def _compile(cls: type, spec: _Spec, method: str) -> Callable[..., Any]:
    """The method a dataclass would have: ``__init__`` setting each field with
    ``object.__setattr__`` (a factory called when its field is not given, then
    ``__post_init__`` if the class has one); ``__eq__`` and ``__hash__`` over the tuple of
    the fields' values."""
    scope: dict[str, Any] = {"__builtins__": __builtins__, "_set": object.__setattr__,
                             "_FACTORY": _FACTORY}
    mine = "".join(f"self.{name}," for name in spec.names)
    if method == "__eq__":
        theirs = "".join(f"other.{name}," for name in spec.names)
        source = ("def __eq__(self, other):\n"
                  "  if other.__class__ is self.__class__:\n"
                  f"    return ({mine})==({theirs})\n"
                  "  return NotImplemented\n")
    elif method == "__hash__":
        source = f"def __hash__(self):\n  return hash(({mine}))\n"
    else:
        params = []
        body = []
        for index, name in enumerate(spec.names):
            value = name
            if name in spec.factories:
                scope[f"_f{index}"] = spec.factories[name]
                params.append(f"{name}=_FACTORY")
                value = f"_f{index}() if {name} is _FACTORY else {name}"
            elif name in spec.defaults:
                scope[f"_d{index}"] = spec.defaults[name]
                params.append(f"{name}=_d{index}")
            else:
                params.append(name)
            body.append(f"  _set(self, {name!r}, {value})\n")
        if hasattr(cls, "__post_init__"):
            body.append("  self.__post_init__()\n")
        source = f"def __init__(self, {', '.join(params)}):\n{''.join(body) or '  pass'}\n"
    exec(source, scope)  # the source is made above from the field names
    compiled: Callable[..., Any] = scope[method]
    compiled.__qualname__ = f"{cls.__qualname__}.{method}"
    compiled.__module__ = cls.__module__
    return compiled


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with some fields changed: :func:`dataclasses.replace`,
    which it calls for anything else than a record."""
    spec: _Spec | None = getattr(type(obj), "__record_spec__", None)
    if spec is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for name in spec.names:
        if name not in changes:
            changes[name] = getattr(obj, name)
    return obj.__class__(**changes)


class _LazyFields:
    """``__dataclass_fields__``, made by :mod:`dataclasses` on first use (``fields``,
    ``replace``, ``asdict``), then kept on the class."""

    def __get__(self, instance: Any, owner: type) -> dict[str, Any]:
        import dataclasses

        owner = _record_class(owner)
        spec: _Spec = owner.__dict__["__record_spec__"]
        body: dict[str, Any] = {"__annotations__": dict(spec.annotations),
                                "__doc__": owner.__doc__ or owner.__name__,
                                "__module__": owner.__module__,
                                "__qualname__": owner.__qualname__}
        for name in spec.names:
            if name in spec.factories:
                body[name] = dataclasses.field(default_factory=spec.factories[name])
            elif name in spec.defaults:
                body[name] = spec.defaults[name]
        shadow: type = dataclasses.dataclass(init=False, repr=False, eq=False)(
            type(owner.__name__, (), body))
        found: dict[str, Any] = shadow.__dict__["__dataclass_fields__"]
        type.__setattr__(owner, "__dataclass_fields__", found)
        type.__setattr__(owner, "__dataclass_params__", shadow.__dict__["__dataclass_params__"])
        return found
