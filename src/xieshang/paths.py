"""Where xieshang keeps a person's files (I/O helpers for the fronts)."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def file_stamp(path: str) -> str:
    """A file's times of change (nanoseconds: its content's, and its inode's, which no copy
    or archive tool can set back), inode and size: the name of what is kept parsed beside it
    (:func:`keep_beside`), as Python names bytecode by a source's time and size. Raises
    :class:`OSError`."""
    status = os.stat(path)
    return f"{status.st_mtime_ns:x}.{status.st_ctime_ns:x}.{status.st_ino:x}.{status.st_size}"


def keep_beside(folder: str, stem: str, target: str, data: bytes) -> None:
    """Write ``data`` to ``target`` whole (a temporary file renamed over it) and remove what
    was kept in ``folder`` for earlier versions of the file (named ``stem…​.marshal``);
    nothing when the folder is not writable. For the parsed catalog
    (:func:`xieshang.i18n.cached_po`) and the built-in presets' tables
    (:func:`xieshang.rules._builtin_data`), kept in ``__pycache__``."""
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
