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
