"""The local web app: the guide's journey in a browser, over the same engine and store."""

from __future__ import annotations

__all__: list[str] = []
