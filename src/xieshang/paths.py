"""Where xieshang keeps a person's files (I/O helpers for the fronts)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "preset_dir"]


def data_dir(override: str | Path | None = None) -> Path:
    """The data folder: ``--data-dir``, else ``$XIESHANG_HOME``, else the platform's user
    data folder (e.g. ``~/.local/share/xieshang``)."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("XIESHANG_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("xieshang", appauthor=False))


def preset_dir(override: str | Path | None = None) -> Path:
    """The folder where a person adds or overrides presets."""
    return data_dir(override) / "presets"
