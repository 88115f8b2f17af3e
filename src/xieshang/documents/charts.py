"""Charts as SVG text, drawn with matplotlib, for the web pages and the command line.

matplotlib takes about half a second to load, so it is imported only inside these
functions: importing this module (or a page that uses it) stays fast.

The web charts keep their text as SVG ``<text>`` (``svg.fonttype = none``): the browser draws
it with the page's fonts, a screen reader and the Traditional-Chinese conversion see it, and
nothing but numbers, dates and a few words is drawn. Every id in a chart is prefixed with the
chart's own id, so several charts can sit in one page. Money values only position marks
(floats for plotting); the figures shown as text are formatted by the caller from Decimals.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import escape

__all__ = ["bars_svg", "chart_lang", "font_family", "growth_bars_svg", "lines_svg"]

#: Charts are drawn about a phone's width (inches at 72 points): shown 300–340 px wide on a
#: 360 px screen, their 12–13 pt text stays at least 11 px; on a wide screen the page caps
#: their width (style.css) so the text does not grow too large either.
_PHONE_WIDTH = 4.8

#: matplotlib's settings and font list are process-wide: one chart at a time.
_LOCK = threading.RLock()

#: Fonts with Chinese glyphs, the preferred first (Simplified-Chinese forms).
_PREFERRED = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
              "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK TC",
              "Noto Sans CJK JP")

#: Parts of font names and font file names that mark a font with Chinese glyphs.
_CJK_NAME_HINTS = ("CJK", "Noto Sans SC", "WenQuanYi", "Source Han Sans")
_CJK_FILE_HINTS = ("cjk", "wqy", "wenquanyi", "notosanssc", "sourcehansans")

#: Colours and line styles of the series (distinct without colour too).
_COLOURS = ("#0b4f8a", "#b35c00", "#1d5e2a", "#8a1c0b", "#5b3f8c", "#4a4a4a")
_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)))
#: A marker per series too: overlapping lines stay told apart.
_MARKERS = ("o", "s", "^", "D", "v", "x")

_family: list[list[str] | None] = []


def font_family() -> list[str] | None:
    """The font family for chart text: a font with Chinese glyphs first, DejaVu Sans for the
    rest; ``None`` when matplotlib finds no font with Chinese glyphs (label the chart in
    English then, or the glyphs would be empty boxes).

    Fonts installed after matplotlib built its font cache are looked for too.
    """
    with _LOCK:
        if not _family:
            _family.append(_find_family())
        return _family[0]


def _find_family() -> list[str] | None:
    from matplotlib import font_manager

    def known() -> list[str]:
        names = {entry.name for entry in font_manager.fontManager.ttflist}
        ranked = [name for name in _PREFERRED if name in names]
        ranked += sorted(name for name in names if name not in ranked and "Mono" not in name
                         and any(hint in name for hint in _CJK_NAME_HINTS))
        return ranked

    found = known()
    if not found:
        for path in font_manager.findSystemFonts():
            if any(hint in Path(path).name.lower() for hint in _CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = known()
    return [found[0], "DejaVu Sans"] if found else None


def chart_lang(lang: str) -> str:
    """The language to label a chart in: the page's, or English when no font with Chinese
    glyphs is available."""
    return lang if lang == "en" or font_family() is not None else "en"


def growth_bars_svg(chart_id: str, label: str,
                    rows: Sequence[tuple[str, Decimal, str]]) -> str:
    """Horizontal bars, one per row, each split into the first row's value and what it has
    grown by since; above each bar, its label and value text.

    Args:
        chart_id: an id unique in the page (prefixes every id inside the chart).
        label: what the chart shows (the SVG's accessible name).
        rows: (row label, value, value text), top to bottom.

    Returns:
        The ``<svg>`` element as text.
    """
    return _growth_bars(chart_id, label, tuple((str(a), b, str(c)) for a, b, c in rows))


def lines_svg(chart_id: str, label: str,
              series: Sequence[tuple[str, Sequence[tuple[date, Decimal]]]],
              *, ylabel: str) -> str:
    """A line per series over dates.

    Args:
        chart_id: an id unique in the page (prefixes every id inside the chart).
        label: what the chart shows (the SVG's accessible name).
        series: (name, [(date, value), …]) per line; the names make the legend.
        ylabel: the label of the value axis.

    Returns:
        The ``<svg>`` element as text.
    """
    return _lines(chart_id, label, tuple((name, tuple(points)) for name, points in series),
                  ylabel)


@lru_cache(maxsize=128)
def _growth_bars(chart_id: str, label: str,
                 rows: tuple[tuple[str, Decimal, str], ...]) -> str:
    def draw(figure: Any) -> None:
        # drawn on the figure itself (no axes: nothing to read off them, and far quicker)
        from matplotlib.patches import Rectangle

        base = float(rows[0][1]) if rows else 0.0  # float-ok: plotting position
        values = [float(value) for _l, value, _t in rows]  # float-ok: plotting position
        top = max([*values, 0.01])
        height = 1 / max(len(rows), 1)
        for index, (value, (row_label, _v, text)) in enumerate(zip(values, rows, strict=True)):
            bottom = 1 - (index + 1) * height + 0.06 * height
            kept = 0.98 * min(base, value) / top
            grown = 0.98 * max(0.0, value - base) / top  # float-ok: plotting position
            for left, width, colour in ((0.01, kept, "#9db4cc"),
                                        (0.01 + kept, grown, "#8a1c0b")):
                if width > 0:
                    figure.add_artist(Rectangle((left, bottom), width, 0.4 * height,
                                                transform=figure.transFigure, color=colour,
                                                linewidth=0))
            figure.text(0.01, bottom + 0.48 * height, f"{row_label}  {text}", ha="left",
                        va="bottom", fontsize=13.5)

    return _render(chart_id, label, (_PHONE_WIDTH, 0.58 * max(len(rows), 1) + 0.1), draw,
                   "compact")


@lru_cache(maxsize=32)
def _lines(chart_id: str, label: str,
           series: tuple[tuple[str, tuple[tuple[date, Decimal], ...]], ...],
           ylabel: str) -> str:
    def draw(figure: Any) -> None:
        from importlib import import_module

        dates: Any = import_module("matplotlib.dates")
        ticker: Any = import_module("matplotlib.ticker")

        axes = figure.subplots()
        longest = max((len(points) for _n, points in series), default=1)
        for index, (name, points) in enumerate(series):
            xs = [day for day, _v in points]
            ys = [float(value) for _d, value in points]  # float-ok: plotting position
            axes.plot(xs, ys, label=name, color=_COLOURS[index % len(_COLOURS)],
                      linestyle=_STYLES[index % len(_STYLES)], linewidth=2,
                      marker=_MARKERS[index % len(_MARKERS)], markersize=5,
                      markevery=max(1, longest // 6))
            if len(series) > 1 and points:
                # a direct label on the line, at a different place along each line
                at = min(len(points) - 1, int(len(points) * (0.15 + 0.2 * index)))
                axes.annotate(name, (xs[at], ys[at]), xytext=(4, 4),
                              textcoords="offset points", fontsize=13.5,
                              color=_COLOURS[index % len(_COLOURS)],
                              bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                    "ec": "none", "alpha": 0.85})
        axes.xaxis.set_major_locator(dates.AutoDateLocator(minticks=2, maxticks=5))
        axes.xaxis.set_major_formatter(dates.DateFormatter("%Y-%m"))
        axes.yaxis.set_major_formatter(ticker.FuncFormatter(
            lambda value, _pos: f"{value:,.0f}"))
        axes.tick_params(labelsize=13.5)
        axes.set_ylabel(ylabel, fontsize=13.5)
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.autofmt_xdate()
        figure.subplots_adjust(left=0.2, right=0.97, top=0.97, bottom=0.2)

    return _render(chart_id, label, (_PHONE_WIDTH, 3.6), draw, "lines")


def bars_svg(chart_id: str, label: str, rows: Sequence[tuple[str, Decimal, str, int]]) -> str:
    """Horizontal bars on one scale, one per row, each with its label and value text above
    it (direct labels, no axes).

    Args:
        chart_id: an id unique in the page (prefixes every id inside the chart).
        label: what the chart shows (the SVG's accessible name).
        rows: (row label, value, value text, colour index), top to bottom; a negative
            value is drawn as an empty bar (its text says what it is).

    Returns:
        The ``<svg>`` element as text.
    """
    return _bars(chart_id, label, tuple((str(a), b, str(c), int(d)) for a, b, c, d in rows))


@lru_cache(maxsize=64)
def _bars(chart_id: str, label: str, rows: tuple[tuple[str, Decimal, str, int], ...]) -> str:
    def draw(figure: Any) -> None:
        from matplotlib.patches import Rectangle

        values = [max(0.0, float(value)) for _l, value, _t, _c in rows]  # float-ok: plotting
        top = max([*values, 0.01])
        height = 1 / max(len(rows), 1)
        for index, (value, (row_label, _v, text, colour)) in enumerate(
                zip(values, rows, strict=True)):
            bottom = 1 - (index + 1) * height + 0.06 * height
            width = 0.98 * value / top
            if width > 0:
                figure.add_artist(Rectangle((0.01, bottom), width, 0.4 * height,
                                            transform=figure.transFigure,
                                            color=_COLOURS[colour % len(_COLOURS)],
                                            linewidth=0))
            figure.text(0.01, bottom + 0.48 * height, f"{row_label}  {text}", ha="left",
                        va="bottom", fontsize=13.5)

    return _render(chart_id, label, (_PHONE_WIDTH, 0.58 * max(len(rows), 1) + 0.1), draw,
                   "compact")


def _render(chart_id: str, label: str, size: tuple[float, float],  # float-ok: inches
            draw: Callable[[Any], None], css_class: str = "") -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with _LOCK:
        family = font_family()
        settings: Any = {"svg.fonttype": "none", "svg.hashsalt": chart_id,
                                    "font.size": 13.5, "axes.unicode_minus": False}
        if family is not None:
            settings["font.family"] = family
        with rc_context(settings):
            figure = Figure(figsize=size)
            draw(figure)
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg",
                           metadata={"Date": None, "Creator": None, "Format": None,
                                     "Type": None})
    return _inline(buffer.getvalue(), chart_id, label, css_class)


_ID = re.compile(r'\bid="([^"]+)"')


def _inline(text: str, chart_id: str, label: str, css_class: str = "") -> str:
    """matplotlib's SVG file as an element to put in a page: no XML prologue, no metadata,
    every id prefixed with ``chart_id``, an accessible name (and ``css_class``)."""
    svg = text[text.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    ids = set(_ID.findall(svg))
    if ids:
        pattern = re.compile(r'(\bid="|url\(#|href="#)(' + "|".join(
            re.escape(name) for name in sorted(ids, key=len, reverse=True)) + r')(?=[")])')
        svg = pattern.sub(lambda m: f"{m.group(1)}{chart_id}-{m.group(2)}", svg)
    # the browser draws the text: let it fall back on its own sans-serif font
    svg = re.sub(r"(font-family: [^;\"]+)", r"\1, sans-serif", svg)
    css = f' class="{escape(css_class)}"' if css_class else ""
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" '
                                f'id="{escape(chart_id)}"{css} ', 1).strip()
