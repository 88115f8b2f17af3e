"""Where xieshang keeps a person's files (I/O helpers for the fronts)."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["data_dir", "preset_dir", "preset_folder", "private_folder", "write_private"]


def data_dir(override: str | Path | None = None) -> Path:
    """The data folder: ``--data-dir``, else ``$XIESHANG_HOME``, else the platform's user
    data folder (e.g. ``~/.local/share/xieshang``)."""
    from pathlib import Path

    if override:
        return Path(override).expanduser()
    env = os.environ.get("XIESHANG_HOME")
    if env:
        return Path(env).expanduser()
    return _platform_dir(os.environ.get("XDG_DATA_HOME"))


@cache
def _platform_dir(_xdg: str | None) -> Path:
    """The platform's user data folder (asked once for each ``$XDG_DATA_HOME``: pages ask
    for it for every debt)."""
    from pathlib import Path

    from platformdirs import user_data_dir

    return Path(user_data_dir("xieshang", appauthor=False))


def preset_dir(override: str | Path | None = None) -> Path:
    """The folder where a person adds or overrides presets."""
    return data_dir(override) / "presets"


def preset_folder() -> str:
    """:func:`preset_dir` as text, without ``pathlib`` when ``$XIESHANG_HOME`` names the data
    folder (a calculator's start-up: issue 16)."""
    env = os.environ.get("XIESHANG_HOME")
    if env:
        return os.path.join(os.path.expanduser(env), "presets")
    return str(preset_dir())


def private_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) readable by this user only (``0700``); a folder
    that exists already is left as it is. Raises :class:`OSError`."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def write_private(target: Path, data: bytes | str) -> None:
    """Write ``data`` to ``target`` readable by this user only (``0600``), whole or not at
    all: into a temporary file in the same folder, then renamed over ``target``
    (``os.replace``); the temporary file is removed when anything fails. Text is written as
    UTF-8. Raises :class:`OSError`."""
    import tempfile
    from pathlib import Path

    raw = data.encode("utf-8") if isinstance(data, str) else data
    folder = target.parent if str(target.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.",
                                         suffix=".partial")  # mkstemp: 0600 from the start
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(raw)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------ tables kept beside their file


def _same(table: Any) -> Any:
    return table


def kept_table(path: str, parse: Callable[[], Any], *,
               freeze: Callable[[Any], Any] = _same,
               thaw: Callable[[Any], Any] = _same) -> Any:
    """The table ``parse()`` makes of the file at ``path``, kept beside it as Python keeps
    bytecode: in ``__pycache__``, as a ``marshal`` of ``freeze(table)``, named by the file's
    :func:`_stamp` — a changed file is parsed anew; a kept table that is damaged, or that
    ``thaw`` refuses (:class:`ValueError`, :class:`TypeError`), is parsed anew and kept
    again. ``freeze`` gives None for a table marshal cannot keep. Nothing is written when
    Python writes no bytecode (``PYTHONDONTWRITEBYTECODE``), when the file changed while
    it was parsed, or when the folder is read-only. For the catalog
    (:func:`xieshang.i18n.cached_po`) and the built-in presets
    (:func:`xieshang.rules._builtin_data`): reading the table back costs a fraction of
    parsing the file (issue 16, start-up)."""
    import marshal
    import sys

    stamp = _stamp(path)
    folder = os.path.join(os.path.dirname(path), "__pycache__")
    stem = f"{os.path.basename(path)}.{sys.implementation.cache_tag}."
    cached = os.path.join(folder, f"{stem}{stamp}.marshal")
    try:
        with open(cached, "rb") as stream:
            kept = marshal.loads(stream.read())  # marshal.load reads in small pieces
        if isinstance(kept, dict):
            return thaw(kept)
    except (OSError, EOFError, ValueError, TypeError, OverflowError):
        pass  # a damaged table: parsed again and kept anew
    table = parse()
    frozen = freeze(table)
    if frozen is not None and not sys.dont_write_bytecode and _stamp(path) == stamp:
        _keep(folder, stem, cached, marshal.dumps(frozen))
    return table


def _stamp(path: str) -> str:
    """A file's times of change (nanoseconds: its content's, and its inode's, which no copy
    or archive tool can set back), inode and size: the name of what is kept parsed beside it
    (:func:`kept_table`), as Python names bytecode by a source's time and size. Raises
    :class:`OSError`."""
    status = os.stat(path)
    return f"{status.st_mtime_ns:x}.{status.st_ctime_ns:x}.{status.st_ino:x}.{status.st_size}"


def _keep(folder: str, stem: str, target: str, data: bytes) -> None:
    """Write ``data`` to ``target`` whole (a temporary file renamed over it) and remove what
    was kept in ``folder`` for earlier versions of the file (named ``stem….marshal``);
    nothing when the folder is not writable."""
    import contextlib
    import threading

    partial = f"{target}.{os.getpid()}.{threading.get_ident()}.partial"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(partial, "xb") as stream:
            stream.write(data)
        os.replace(partial, target)
        for name in os.listdir(folder):
            if name.startswith(stem) and name.endswith(".marshal") \
                    and os.path.join(folder, name) != target:
                os.remove(os.path.join(folder, name))
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(partial)
