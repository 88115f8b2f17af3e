"""Immutable record classes, made without code generation at import (issue 16).

``@record`` gives a class what ``@dataclass(frozen=True, slots=True)`` gives it — an
``__init__`` taking the fields in order (defaults, :func:`field` factories,
``__post_init__``), ``__repr__``, ``__eq__`` and ``__hash__`` over the tuple of the fields,
frozen instances (:class:`dataclasses.FrozenInstanceError`), ``__slots__``, pickling and
``__match_args__``; :func:`dataclasses.fields`, :func:`dataclasses.replace`,
:func:`dataclasses.asdict` and :func:`dataclasses.is_dataclass` work on it — but a
dataclass compiles six methods with ``exec`` as the class is made (about 0.45 ms a class;
``xieshang calc overdue`` made 21 of them before it could start). Here the class is made in
a few microseconds: ``__init__``, ``__eq__`` and ``__hash__`` start as general functions
that read the fields from the class's list, and a class used more than a few times gets the
very methods a dataclass has, compiled then (constructing is no slower where it counts: the
plan simulator makes records by the thousand). ``__dataclass_fields__`` is made by
:mod:`dataclasses` itself on first use (``fields``, ``asdict``); :func:`replace` is
:func:`dataclasses.replace` without it.

The decorator is marked :func:`typing.dataclass_transform`, so mypy checks the
constructors as a dataclass's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, dataclass_transform

__all__ = ["field", "filler", "record", "replace"]

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
    """One record class's fields — names in order, defaults, factories, annotations — and
    how often its general methods ran (see :func:`_lazy`)."""

    __slots__ = ("annotations", "calls", "defaults", "factories", "names", "post_init",
                 "values")

    def __init__(self) -> None:
        self.names: list[str] = []
        self.defaults: dict[str, Any] = {}
        self.factories: dict[str, Callable[[], Any]] = {}
        self.annotations: dict[str, Any] = {}
        self.calls: dict[str, int] = {}
        self.post_init: bool | None = None  # whether the class has one, once asked
        self.values: Callable[[Any], tuple[Any, ...]] | None = None


def _is_class_var(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar", "InitVar", "dataclasses.InitVar"))


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: C) -> C:
    """The class as a frozen slotted record (see the module docstring)."""
    spec = _Spec()
    for base in cls.__mro__[1:]:
        if "__dataclass_fields__" in base.__dict__ and "__record_spec__" not in base.__dict__:
            raise TypeError(f"record {cls.__qualname__} cannot inherit the fields of the "
                            f"dataclass {base.__qualname__}: make both records")
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
            text = annotation if isinstance(annotation, str) else repr(annotation)
            if "InitVar" in text:
                raise TypeError(f"field {name} of {cls.__qualname__}: a record has no InitVar")
            continue
        if name.startswith("_") or name in ("self", "other"):
            # the compiled methods' own names (self, other, _set, _f0 …)
            raise TypeError(f"field {name} of {cls.__qualname__}: a record's field names "
                            "cannot start with '_' nor be 'self' or 'other'")
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
            if value.__class__.__hash__ is None:  # as a dataclass: a list, a dict, a set
                raise ValueError(f"mutable default {type(value)} for field {name} is not "
                                 "allowed: use default_factory")
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
    return list(_values(_spec_of(type(self)))(self))


def _setstate(self: Any, state: list[Any]) -> None:
    for name, value in zip(_spec_of(type(self)).names, state, strict=False):
        object.__setattr__(self, name, value)


def _spec_of(cls: type) -> _Spec:
    spec: _Spec = _record_class(cls).__dict__["__record_spec__"]
    return spec


def _values(spec: _Spec) -> Callable[[Any], tuple[Any, ...]]:
    if spec.values is None:
        spec.values = _values_of(tuple(spec.names))
    return spec.values


def _record_class(cls: type) -> type:
    """The class ``@record`` made, of ``cls`` or one of its bases."""
    return next(klass for klass in cls.__mro__ if "__record_spec__" in klass.__dict__)


#: Calls of a record class's general ``__init__``, ``__eq__`` or ``__hash__`` before the
#: class gets the compiled one (compiling costs as much as some hundred general calls).
PROMOTE_AFTER = 8

_FAILED: Any = object()


def _lazy(method: str) -> Callable[..., Any]:
    """``method`` (``__init__``, ``__eq__``, ``__hash__``) of a record class: the general
    one for its first :data:`PROMOTE_AFTER` calls, then the class's own compiled
    (:func:`_compile`), put on the class. Arguments the general ``__init__`` does not bind
    (a missing or unknown one) go to the compiled one, which raises as a dataclass does."""
    general = _GENERAL[method]

    def first(self: Any, *args: Any, **kwargs: Any) -> Any:
        owner = _record_class(type(self))
        spec: _Spec = owner.__dict__["__record_spec__"]
        calls = spec.calls.get(method, 0) + 1
        spec.calls[method] = calls
        if calls < PROMOTE_AFTER:
            result = general(owner, spec, self, args, kwargs)
            if result is not _FAILED:
                return result
        compiled = _compile(owner, spec, method)
        type.__setattr__(owner, method, compiled)
        return compiled(self, *args, **kwargs)

    first.__name__ = method
    return first


def _general_init(owner: type, spec: _Spec, self: Any, args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> Any:
    names = spec.names
    given = len(args)
    if given > len(names):
        return _FAILED
    for name, value in zip(names, args, strict=False):
        object.__setattr__(self, name, value)
    named = 0
    for name in names[given:]:
        if name in kwargs:
            value = kwargs[name]
            named += 1
        elif name in spec.defaults:
            value = spec.defaults[name]
        elif name in spec.factories:
            value = spec.factories[name]()
        else:
            return _FAILED
        object.__setattr__(self, name, value)
    if named != len(kwargs):
        return _FAILED
    if spec.post_init is None:
        spec.post_init = hasattr(owner, "__post_init__")
    if spec.post_init:
        self.__post_init__()
    return None


def _general_eq(owner: type, spec: _Spec, self: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
    other = args[0]
    if other.__class__ is self.__class__:
        values = _values(spec)
        return values(self) == values(other)
    return NotImplemented


def _general_hash(owner: type, spec: _Spec, self: Any, args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> Any:
    return hash(_values(spec)(self))


_GENERAL = {"__init__": _general_init, "__eq__": _general_eq, "__hash__": _general_hash}


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


def filler(cls: type[T], names: tuple[str, ...],
           others: Mapping[str, Any] | None = None) -> Callable[..., T]:
    """A constructor of the slotted record ``cls`` for hot paths: ``filler(cls, names)(*values)``
    is ``cls`` with each of ``names`` set to its value in order and the fields ``others``
    names set to theirs, its slots filled directly — no ``__post_init__`` and no checks, so
    only for values already checked (a frozen record's own ``__init__`` goes through
    ``object.__setattr__`` for every field). Compiled once, as :func:`_compile` compiles."""
    scope: dict[str, Any] = {"__builtins__": __builtins__, "_new": object.__new__,
                             "_cls": cls}
    body = []
    for index, name in enumerate(names):
        scope[f"_s{index}"] = getattr(cls, name).__set__
        body.append(f"  _s{index}(made, {name})\n")
    for index, (name, value) in enumerate((others or {}).items()):
        scope[f"_o{index}"], scope[f"_v{index}"] = getattr(cls, name).__set__, value
        body.append(f"  _o{index}(made, _v{index})\n")
    source = (f"def make({', '.join(names)}):\n  made = _new(_cls)\n{''.join(body)}"
              "  return made\n")
    exec(source, scope)  # the source is made above from the field names
    made: Callable[..., T] = scope["make"]
    made.__qualname__ = f"{cls.__qualname__}.<filled>"
    return made


def _replace(obj: T, /, **changes: Any) -> T:
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


if TYPE_CHECKING:  # mypy checks the changes' names and types as for a dataclass
    from dataclasses import replace as replace
else:
    replace = _replace
