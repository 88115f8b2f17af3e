"""Loading the rule data files (I/O): the package's presets and a user's overrides.

The engine only parses text it is given (:func:`xieshang.engine.presets.parse_preset`);
this module finds and reads the files. Built-in presets live in
``xieshang/engine/presets/*.toml``. A person may add files to ``<data dir>/presets/``:

* a file whose ``id`` is new adds a preset (it must be complete);
* a file whose ``id`` matches a built-in preset overrides it: its tables are merged over
  the built-in ones field by field, and the result is validated again.

Files whose name starts with ``_`` are data tables other than presets (e.g. ``_law.toml``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from xieshang.engine.errors import N_, InputError, PresetError
from xieshang.engine.preset import Preset, merge_override, preset_from_dict

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["builtin_text", "law", "load_one_preset", "load_preset", "load_presets", "lpr_table",
           "questions", "rate_law", "user_preset_dir"]

PRESET_PACKAGE = "xieshang.engine"

#: The package's preset folder (a plain folder: ``importlib.resources`` costs start-up time
#: and the package is always installed as files; a path as text: ``pathlib`` costs a
#: calculator's start-up too).
BUILTIN_DIR = os.path.join(os.path.dirname(__file__), "engine", "presets")


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as stream:
        return stream.read()


def builtin_text(name: str) -> str:
    """The text of a data file shipped in ``xieshang/engine/presets``."""
    return _read(os.path.join(BUILTIN_DIR, name))


def _builtin_tables() -> dict[str, tuple[str, dict[str, Any]]]:
    tables: dict[str, tuple[str, dict[str, Any]]] = {}
    for name in sorted(os.listdir(BUILTIN_DIR)):
        path = os.path.join(BUILTIN_DIR, name)
        if not name.endswith(".toml") or name.startswith("_"):
            continue
        label = f"presets/{name}"
        data = _builtin_data(path, label)
        tables[str(data.get("id", name[:-5]))] = (label, data)
    return tables


def _load_toml(text: str, label: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PresetError(label, "", N_("is not valid TOML: {error}"), error=str(error)) from None


def _builtin_data(path: str, label: str) -> dict[str, Any]:
    """:func:`_load_toml` of a file of the package, kept parsed beside it
    (:func:`xieshang.paths.kept_table`; dates kept as tagged ordinals): reading the table
    back takes a tenth of importing tomllib and parsing the file (issue 16, a calculator's
    start-up)."""
    from xieshang.paths import kept_table

    table: dict[str, Any] = kept_table(path, lambda: _load_toml(_read(path), label),
                                       freeze=_frozen, thaw=_thawed)
    return table




#: A date in a kept table: a tuple (TOML gives lists, never tuples) of this tag and the
#: date's ordinal; a time of day (``_law.toml``'s quiet hours): this tag, its hour, minute,
#: second and microsecond.
_DATE_TAG = "\0date"
_TIME_TAG = "\0time"


def _frozen(value: Any) -> Any:
    """A TOML table as marshal can keep it: dates and local times as tagged tuples; None
    when it holds a date-time or a time with an offset (kept by no table of ours: such a
    file is parsed each time)."""
    from datetime import date, datetime, time

    def freeze(item: Any) -> Any:
        if isinstance(item, dict):
            return {key: freeze(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [freeze(inner) for inner in item]
        if isinstance(item, datetime) or (isinstance(item, time) and item.tzinfo is not None):
            raise _NotKept
        if isinstance(item, time):
            return (_TIME_TAG, item.hour, item.minute, item.second, item.microsecond)
        if isinstance(item, date):
            return (_DATE_TAG, item.toordinal())
        return item

    try:
        return freeze(value)
    except _NotKept:
        return None


class _NotKept(Exception):
    """A value marshal cannot keep."""


def _thawed(value: Any) -> Any:
    """The table :func:`_frozen` kept, as tomllib gave it."""
    if isinstance(value, dict):
        return {key: _thawed(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_thawed(inner) for inner in value]
    if isinstance(value, tuple):
        if not all(isinstance(part, int) for part in value[1:]):
            raise ValueError("not a kept date or time")
        if len(value) == 2 and value[0] == _DATE_TAG:
            from datetime import date

            return date.fromordinal(value[1])
        if len(value) == 5 and value[0] == _TIME_TAG:
            from datetime import time

            return time(*value[1:])
        raise ValueError("not a kept date or time")
    return value




def user_preset_dir(data_dir: Path | None) -> Path | None:
    """``<data dir>/presets`` if a data folder is given."""
    return None if data_dir is None else data_dir / "presets"


_CACHE: dict[str | None, Mapping[str, Preset]] = {}


def load_presets(user_dir: Path | None = None) -> Mapping[str, Preset]:
    """All presets by id: built-in ones, with the user's files added or merged over them.

    Every file is validated; the first problem raises :class:`PresetError` naming the file
    and the field.
    """
    key = None if user_dir is None else str(user_dir.resolve())
    if key in _CACHE:
        return _CACHE[key]
    tables = _builtin_tables()
    if user_dir is not None and user_dir.is_dir():
        for path in sorted(user_dir.glob("*.toml")):
            if path.name.startswith("_"):
                continue
            data = _load_toml(path.read_text(encoding="utf-8"), str(path))
            preset_id = data.get("id")
            if not isinstance(preset_id, str):
                raise PresetError(str(path), "id", N_("is required"))
            if preset_id in tables:
                base_label, base = tables[preset_id]
                tables[preset_id] = (f"{path} (over {base_label})", merge_override(base, data))
            else:
                tables[preset_id] = (str(path), data)
    presets = {pid: preset_from_dict(data, label) for pid, (label, data) in tables.items()}
    _CACHE[key] = presets
    return presets


#: the user's preset folder as :func:`load_presets` keys it, by the environment that names
#: it (finding the folder and resolving it costs more than the lookup itself)
_FOLDERS: dict[tuple[str | None, ...], str] = {}


def _current_presets() -> Mapping[str, Preset]:
    """:func:`load_presets` of the person's preset folder (``paths.preset_dir``)."""
    import os

    environment = (os.environ.get("XIESHANG_HOME"), os.environ.get("XDG_DATA_HOME"),
                   os.environ.get("HOME"))
    folder = _FOLDERS.get(environment)
    if folder is not None:
        found = _CACHE.get(folder)
        if found is not None:
            return found
    from xieshang.paths import preset_dir

    where = preset_dir()
    presets = load_presets(where)
    _FOLDERS[environment] = str(where.resolve())
    return presets


def load_preset(product: str) -> Preset:
    """The preset with this id (built-in or the person's own), or a clear error."""
    presets = _current_presets()
    key = product.strip().lower().replace("-", "_")
    if key not in presets:
        raise InputError("product", N_("unknown product '{value}'; known products: {known}"),
                         value=product, known=", ".join(sorted(presets)))
    return presets[key]


def load_one_preset(product: str) -> Preset:
    """:func:`load_preset` for a command that needs one preset (``calc``): with no files of
    the person's own, only that preset's file is read (reading all seven was a tenth of the
    calculator's start-up); otherwise every file, as :func:`load_preset`."""
    from xieshang.paths import preset_folder

    key = product.strip().lower().replace("-", "_")
    if not _has_files(preset_folder()):
        found = _builtin_preset(key)
        if found is not None:
            return found
    return load_preset(product)


def builtin_preset(product: str) -> Preset | None:
    """The preset as shipped (``presets/<product>.toml``), whatever the person's own preset
    files say or hold: for a source the person reads beside a figure that does not come
    from a preset (``calc card-interest``). None when there is no such built-in preset."""
    return _builtin_preset(product.strip().lower().replace("-", "_"))


def _has_files(folder: str) -> bool:
    """Whether the person's preset folder holds any preset file (what ``*.toml`` matches)."""
    try:
        with os.scandir(folder) as entries:
            return any(entry.name.endswith(".toml") for entry in entries)
    except OSError:  # no such folder, or not a folder
        return False


def _builtin_preset(key: str) -> Preset | None:
    """The built-in preset in ``<key>.toml`` alone (None when there is no such file or its id
    is another): the same preset :func:`load_presets` gives when nothing overrides it."""
    if not key.isidentifier() or key.startswith("_"):
        return None
    path = os.path.join(BUILTIN_DIR, f"{key}.toml")
    if not os.path.isfile(path):
        return None
    label = f"presets/{key}.toml"
    data = _builtin_data(path, label)
    if data.get("id", key) != key:
        return None
    return preset_from_dict(data, label)


# -------------------------------------------------------------- legal and question tables


@cache
def lpr_table() -> Any:
    """The 1-year LPR fixings from ``presets/_lpr.toml``."""
    from xieshang.engine.rates import parse_lpr

    return parse_lpr(builtin_text("_lpr.toml"), "presets/_lpr.toml")


@cache
def rate_law() -> dict[str, Any]:
    """Keyword arguments for :func:`xieshang.engine.rates.check_rate`: the law table."""
    from xieshang.engine.rates import parse_rate_law

    return {"law": parse_rate_law(builtin_text("_lpr.toml"), "presets/_lpr.toml")}


@cache
def law() -> Any:
    """The legal rules of the timeline from ``presets/_law.toml`` (its table kept parsed,
    as a preset's: :func:`_builtin_data`)."""
    from xieshang.engine.timeline import law_from_dict

    label = "presets/_law.toml"
    return law_from_dict(_builtin_data(os.path.join(BUILTIN_DIR, "_law.toml"), label), label)


@cache
def questions() -> Any:
    """The questions people ask, from ``presets/_questions.toml`` (validated)."""
    from xieshang.engine.questions import parse_questions

    return parse_questions(builtin_text("_questions.toml"), "presets/_questions.toml")
