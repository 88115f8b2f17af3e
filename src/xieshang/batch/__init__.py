"""``xieshang batch``: many cases at once, on this machine or a Dask cluster.

Needs the ``batch`` extra (pyarrow, dask.distributed): :func:`missing` says in one line how
to install it. Nothing else in xieshang imports this package.
"""

from __future__ import annotations

__all__ = ["INSTALL", "missing"]

#: How to get the batch dependencies.
INSTALL = "pip install 'xieshang[batch]'"


def missing() -> str | None:
    """The first batch dependency that cannot be imported, or ``None``."""
    import importlib.util

    for module in ("pyarrow", "pyarrow.parquet"):
        try:
            if importlib.util.find_spec(module) is None:
                return module.split(".")[0]
        except ModuleNotFoundError:
            return module.split(".")[0]
    return None
