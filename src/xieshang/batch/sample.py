"""``xieshang batch sample``: a synthetic caseload (no real person) for demos and benchmarks.

Incomes come from the NBS per-capita disposable income of the five income quintiles; the
rest (household, spending shares, product mix, balances, days overdue) is modelling, all in
``data/batch_sample.toml`` with its source. The same seed gives the same files.
"""

from __future__ import annotations

import math
import random
import tomllib
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

__all__ = ["sample_cases", "write_sample"]

_CHUNK = 20_000
FEN = Decimal("0.01")


def _data() -> dict[str, Any]:
    text = resources.files("xieshang").joinpath("data", "batch_sample.toml").read_text("utf-8")
    return tomllib.loads(text)


def _pick(rng: random.Random, table: dict[str, float]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[float(table[k]) for k in keys])[0]  # float-ok: weights


def _yuan(value: float) -> str:  # float-ok: a drawn sample value, rounded once to the fen
    return str(Decimal(repr(value)).quantize(FEN, rounding=ROUND_HALF_UP))


def sample_cases(count: int, seed: int, as_of: date) -> Iterator[tuple[dict[str, Any],
                                                                      list[dict[str, Any]],
                                                                      list[dict[str, Any]]]]:
    """(case row, debt rows, budget line rows) for ``count`` made-up cases."""
    data = _data()
    rng = random.Random(seed)
    quintiles = [float(v) for v in data["incomes"]["quintiles"]]  # float-ok: sampling
    weights = data["incomes"]["weights"]
    spread = float(data["incomes"]["spread"])  # float-ok: sampling
    household = data["household"]
    products = data["products"]
    product_names = list(products)
    product_weights = [products[p]["weight"] for p in product_names]
    overdue = data["debts"]["overdue"]
    width = max(7, len(str(count)))
    for number in range(1, count + 1):
        case_id = f"S{seed}-{number:0{width}d}"
        adults = int(_pick(rng, household["adults"]))
        children = int(_pick(rng, household["children"]))
        kids = {"children_0_4": 0, "children_5_10": 0, "children_11_17": 0}
        for _child in range(children):
            kids[rng.choice(list(kids))] += 1
        members = adults + children
        quintile = rng.choices(range(5), weights=weights)[0]
        per_capita = quintiles[quintile] * rng.uniform(1 - spread, 1 + spread)
        income = per_capita * members / 12
        case = {"case_id": case_id, "adults": adults, **kids, "dependants": 0,
                "city_tier": _pick(rng, household["city_tier"])}
        lines = []
        wages = income if adults == 1 else income * rng.uniform(0.5, 0.7)
        lines.append({"case_id": case_id, "section": "income", "category": "wages",
                      "amount": _yuan(wages)})
        if adults == 2:
            lines.append({"case_id": case_id, "section": "income",
                          "category": "wages_partner", "amount": _yuan(income - wages)})
        for category, section, low, high in data["spending"]["lines"]:
            share = rng.uniform(float(low), float(high))  # float-ok: sampling
            if share > 0:
                lines.append({"case_id": case_id, "section": section, "category": category,
                              "amount": _yuan(income * share)})
        debts = []
        for _debt in range(int(_pick(rng, data["debts"]["count"]))):
            product = rng.choices(product_names, weights=product_weights)[0]
            spec = products[product]
            amount = max(100.0, float(spec["median"]) * math.exp(  # float-ok: sampling
                rng.gauss(0, float(spec["sigma"]))))  # float-ok: sampling
            low, high, _weight = rng.choices(overdue, weights=[o[2] for o in overdue])[0]
            days = rng.randint(low, high)
            row = {"case_id": case_id, "product": product, "amount": _yuan(amount),
                   "overdue_since": (as_of - timedelta(days=days - 1)).isoformat(),
                   "not_yet_due": None, "annual_rate": spec.get("annual_rate")}
            if "not_yet_due" in spec:
                row["not_yet_due"] = _yuan(amount * float(spec["not_yet_due"])  # float-ok
                                           * rng.uniform(0.5, 1.5))
            debts.append(row)
        yield case, debts, lines


_TYPES = {
    "cases": [("case_id", pa.string()), ("adults", pa.int32()), ("children_0_4", pa.int32()),
              ("children_5_10", pa.int32()), ("children_11_17", pa.int32()),
              ("dependants", pa.int32()), ("city_tier", pa.string())],
    "debts": [("case_id", pa.string()), ("product", pa.string()), ("amount", pa.string()),
              ("overdue_since", pa.string()), ("not_yet_due", pa.string()),
              ("annual_rate", pa.string())],
    "budget_lines": [("case_id", pa.string()), ("section", pa.string()),
                     ("category", pa.string()), ("amount", pa.string())],
}


def write_sample(output: Path, count: int, seed: int, as_of: date, fmt: str = "parquet"
                 ) -> dict[str, int]:
    """Write ``cases``, ``debts`` and ``budget_lines`` (Parquet, CSV, or one JSON export per
    case) to ``output``; returns the rows written per table."""
    output.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        return _write_json(output, count, seed, as_of)
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    schemas = {name: pa.schema(types) for name, types in _TYPES.items()}
    writers: dict[str, Any] = {}
    counts = dict.fromkeys(schemas, 0)
    buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in schemas}

    def flush() -> None:
        for name, rows in buffers.items():
            if not rows:
                continue
            table = pa.Table.from_pylist(rows, schema=schemas[name])
            if name not in writers:
                path = output / f"{name}.{fmt}"
                writers[name] = pq.ParquetWriter(path, schemas[name], compression="zstd") \
                    if fmt == "parquet" else pcsv.CSVWriter(path, schemas[name])
            writers[name].write_table(table)
            counts[name] += len(rows)
            rows.clear()

    try:
        for case, debts, lines in sample_cases(count, seed, as_of):
            buffers["cases"].append(case)
            buffers["debts"].extend(debts)
            buffers["budget_lines"].extend(lines)
            if len(buffers["cases"]) >= _CHUNK:
                flush()
        flush()
    finally:
        for writer in writers.values():
            writer.close()
    return counts


def _write_json(output: Path, count: int, seed: int, as_of: date) -> dict[str, int]:
    """One ``xieshang export`` document per case."""
    from xieshang.store.exchange import dumps

    counts = {"cases": 0, "debts": 0, "budget_lines": 0}
    for case, debts, lines in sample_cases(count, seed, as_of):
        budget = {k: case[k] for k in ("adults", "children_0_4", "children_5_10",
                                       "children_11_17", "dependants", "city_tier")}
        document = {
            "format": "xieshang-case", "version": 1, "case": {"name": ""},
            "debts": [{"ref": i, "preset_id": d["product"], "principal": d["amount"],
                       "not_yet_due": d["not_yet_due"] or "0.00",
                       **({"contract_rate": str(Decimal(d["annual_rate"].rstrip("%")) / 100),
                           "contract_rate_basis": "annual"} if d["annual_rate"] else {}),
                       "due_date": (date.fromisoformat(d["overdue_since"])
                                    - timedelta(days=1)).isoformat()}
                      for i, d in enumerate(debts, start=1)],
            "budgets": [{"ref": 1, **budget}],
            "budget_lines": [{"ref": i, "budget": 1, "section": line["section"],
                              "category": line["category"], "amount": line["amount"]}
                             for i, line in enumerate(lines, start=1)],
        }
        (output / f"{case['case_id']}.json").write_text(dumps(document), encoding="utf-8")
        counts["cases"] += 1
        counts["debts"] += len(debts)
        counts["budget_lines"] += len(lines)
    return counts
