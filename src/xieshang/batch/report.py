"""The run's short HTML report: its figures and three charts (matplotlib SVG, inline).

Figures are sums and counts of the output tables (exact decimals), read one finished chunk
at a time, so the report's memory does not grow with the run but for one column: each
case's affordable amount (16 bytes a case in Arrow) for the median and the histogram. The
charts are drawn from the figures (floats only for drawing).
"""

from __future__ import annotations

import html
import io
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from xieshang.batch.run import RunResult
    from xieshang.batch.work import Options

__all__ = ["figures_of", "write_report"]

ZERO = Decimal("0.00")
_SUMS = ("due", "daily_cost", "month_delay", "plan_cost")


def _sum(column: Any) -> Decimal:
    value = pc.sum(column).as_py() if len(column) else None
    return ZERO if value is None else Decimal(value)


def figures_of(output: Path) -> tuple[dict[str, Any], Any]:
    """The run's figures (language-free) and every case's affordable amount (an Arrow
    array, ascending, no nulls)."""
    from xieshang.batch.run import finished_parts

    sums = dict.fromkeys(_SUMS, ZERO)
    outcomes: dict[str, int] = {}
    by_product: dict[str, Decimal] = {}
    available: list[Any] = []
    cases = debts = 0
    for part in finished_parts(output, "cases"):
        table = pq.read_table(part, columns=["available", "budget_outcome", *_SUMS])
        cases += table.num_rows
        for name in _SUMS:
            sums[name] += _sum(table[name])
        counted = pc.value_counts(table["budget_outcome"].combine_chunks())
        for item in counted.to_pylist():
            key = item["values"] or "no_budget"
            outcomes[key] = outcomes.get(key, 0) + item["counts"]
        available.append(pc.drop_null(table["available"]).combine_chunks())
    for part in finished_parts(output, "debts"):
        table = pq.read_table(part, columns=["product", "month_delay"])
        debts += table.num_rows
        if not table.num_rows:
            continue
        grouped = table.group_by("product").aggregate([("month_delay", "sum")])
        for product, total in zip(grouped["product"].to_pylist(),
                                  grouped["month_delay_sum"].to_pylist(), strict=True):
            by_product[product] = by_product.get(product, ZERO) + (
                ZERO if total is None else Decimal(total))
    amounts = pa.concat_arrays(available) if available else pa.array([], pa.decimal128(18, 2))
    amounts = amounts.take(pc.sort_indices(amounts))
    figures = {
        "cases": cases, "debts": debts,
        "due": sums["due"], "daily_cost": sums["daily_cost"],
        "month_delay": sums["month_delay"], "plan_cost": sums["plan_cost"],
        "outcomes": outcomes,
        "token_only": outcomes.get("token", 0) + outcomes.get("breathing_space", 0),
        "median_available": amounts[len(amounts) // 2].as_py() if len(amounts) else None,
        "month_delay_by_product": dict(sorted(by_product.items(), key=lambda kv: -kv[1])),
    }
    return figures, amounts


def _svg(draw: Any) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from xieshang.documents.charts import font_family

    family = font_family()
    if family is not None:
        plt.rcParams["font.family"] = family
    figure, axes = plt.subplots(figsize=(7, 3.2))
    try:
        draw(axes)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
    finally:
        plt.close(figure)
    text = buffer.getvalue()
    return text[text.find("<svg"):]


def write_report(output: Path, options: Options, result: RunResult
                 ) -> tuple[dict[str, Any], Path]:
    """Write ``report.html``; returns the figures and its path."""
    from xieshang.documents.charts import font_family
    from xieshang.engine.errors import N_
    from xieshang.engine.money import format_money
    from xieshang.i18n import gettext_for

    figures, amounts = figures_of(output)
    # without a Chinese font the chart labels would be empty boxes: label them in English
    chart_ = gettext_for(options.lang if font_family() is not None else "en")
    _ = gettext_for(options.lang)
    available = pc.cast(amounts, pa.float64()).to_numpy()  # float-ok: plot

    def histogram(axes: Any) -> None:
        axes.hist(available, bins=40, color="#4a7bb7")
        axes.set_title(chart_(N_("Affordable amount a month (what the budget leaves for debts)")))
        axes.set_xlabel(chart_(N_("yuan a month")))
        axes.set_ylabel(chart_(N_("cases")))

    names = {"surplus": chart_(N_("An amount to offer")), "token": chart_(N_("Token payments")),
             "breathing_space": chart_(N_("Breathing space")), "no_budget": chart_(N_("No budget"))}
    outcomes = figures["outcomes"]

    def outcome_bars(axes: Any) -> None:
        keys = [k for k in ("surplus", "token", "breathing_space", "no_budget") if k in outcomes]
        axes.barh([names[k] for k in keys], [outcomes[k] for k in keys], color="#c8794a")
        axes.set_title(chart_(N_("What the budget allows")))
        axes.set_xlabel(chart_(N_("cases")))

    delay = figures["month_delay_by_product"]

    def delay_bars(axes: Any) -> None:
        axes.bar(list(delay), [float(v) for v in delay.values()],  # float-ok: plot
                 color="#8a5bb0")
        axes.set_title(chart_(N_("Cost of one more month's delay, by product")))
        axes.set_ylabel(chart_(N_("yuan")))

    charts = [_svg(histogram), _svg(outcome_bars), _svg(delay_bars)] if figures["cases"] \
        else []
    rows = [
        (_("Day of the figures"), str(options.as_of)),
        (_("Cases evaluated"), str(figures["cases"])),
        (_("Cases left out (see the errors table)"), str(result.refused)),
        (_("Debts"), str(figures["debts"])),
        (_("Owed today, all cases"), format_money(figures["due"])),
        (_("What one more day adds, all cases"), format_money(figures["daily_cost"])),
        (_("What one more month adds, all cases"), format_money(figures["month_delay"])),
        (_("Cases that can only make token payments or need breathing space"),
         str(figures["token_only"])),
        (_("Median affordable amount a month"),
         "—" if figures["median_available"] is None
         else format_money(Decimal(figures["median_available"]))),
        (_("Interest, penalty and fees over the pro-rata plans"),
         format_money(figures["plan_cost"])),
        (_("Time of this run"), _("{seconds:.1f} s").format(seconds=result.seconds)),
    ]
    table = "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                      for k, v in rows)
    lang = "zh-Hans" if options.lang.startswith("zh") else "en"
    title = html.escape(_("xieshang batch report"))
    caution = html.escape(_("The figures below are estimates from the lender rules in the "
                            "presets, for the day shown; no promise from any lender. No "
                            "names, ID numbers, phone or account numbers are in these files."))
    body = f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
th{{text-align:left;padding-right:2rem;font-weight:normal}}td{{text-align:right}}
figure{{margin:1.5rem 0}}</style></head><body>
<h1>{title}</h1>
<p>{caution}</p>
<table>{table}</table>
{"".join(f"<figure>{chart}</figure>" for chart in charts)}
</body></html>
"""
    path = output / "report.html"
    path.write_text(body, encoding="utf-8")
    return figures, path
