"""Seeded generators of awkward values for the fuzzers: ids, amounts, rates, dates, counts,
texts. Each takes a ``random.Random`` so a seed gives the same values every run."""

from __future__ import annotations

import random

WEIRD_IDS = ("1", "2", "3", "0", "-1", "²", "٣", "１", "9" * 25, str(2**63), str(2**63 - 1),
             str(2**53), str(2**53 + 1), "1.0", "1e3", "0x1", " 1", "1 ", "", "#1", "a",
             "NaN", "+1", "01", "1_000", "\x00", "1\n", "🙂", "Ⅻ")
WEIRD_AMOUNTS = ("1000", "0", "-1", "0.001", "1e30", "1E+999999", "-0", "NaN", "Infinity",
                 "sNaN", "9" * 35, "99999999999999999", "999999999999.99", "1000000000000",
                 "1,000.50", "１０００", "¥1000", "1000元", "1.2.3", "", " ", "0.00",
                 "1e-30", "3280.50", "12.345", "0x10", "1_000", "٣٠٠", "²", "+5", "1000 ",
                 "10^17", "1" + "0" * 17, "-99999999999999999999999999")
WEIRD_RATES = ("0.05%", "18%", "1e30%", "1e20%", "0.0005", "36", "365%", "366%", "-1%",
               "0", "0%", "NaN%", "inf", "0.05%/天", "18%/年", "1.5%/月", "%", "", "abc",
               "1e-400%", "9" * 40 + "%", "٥%", "0.05 %", "5‰", "24%/year", "1e308")
WEIRD_DATES = ("2026-11-01", "2026-12-06", "1900-01-01", "1999-12-31", "2000-01-01",
               "2100-12-31", "2101-01-01", "9999-12-31", "0001-01-01", "2026-02-30",
               "2026-13-01", "2026/11/01", "20261101", "2026-1-1", "", "today", "yesterday",
               "2026-11-01T25:00", "2026-11-01T10:30+08:00", "１９９９-01-01", "-2026-01-01",
               "2026-11-01 10:00", "99999-01-01", "2024-02-29", "2025-02-29")
WEIRD_COUNTS = ("1", "0", "-1", "12", "36", "360", "99999", str(2**63), "1.5", "", "²",
                "٣", "1e9", "abc", "31", "32", "28", "1000000")
WEIRD_TEXT = ("", " ", "x", "测试", "花呗", "a" * 201, "x" * 10_001, "\x00", "\u202e evil",
              "<script>alert(1)</script>", "'; DROP TABLE debts; --", "{{ 7*7 }}", "%s%n",
              "🙂" * 50, "\r\n", "\ud800".encode("utf-8", "surrogatepass").decode(
                  "utf-8", "replace"), "ｆｕｌｌ", "zh", "en", "../../etc/passwd",
              "huabei", "jiebei", "card", "phone", "open", "closed", "food=100",
              "rent=-1", "=", "a=b=c", "110101199003077777", "13800138000",
              "6222020000000000000")
WEIRD_LANGS = ("zh", "en", "zh-Hant", "EN", "fr", "", "xx-YY", "😀")

WORDS = {
    "id": WEIRD_IDS, "amount": WEIRD_AMOUNTS, "rate": WEIRD_RATES, "date": WEIRD_DATES,
    "count": WEIRD_COUNTS, "text": WEIRD_TEXT, "lang": WEIRD_LANGS,
}


def kind_of(name: str) -> str:
    """Which generator fits an option or form field, by its name."""
    name = name.lower()
    if name in ("lang",):
        return "lang"
    if "rate" in name or name in ("buffer",):
        return "rate"
    if any(w in name for w in ("amount", "principal", "payment", "budget", "monthly",
                               "minimum", "interest", "fees", "total", "penalty", "income",
                               "down", "not_yet_due", "flows")):
        return "amount"
    if any(w in name for w in ("date", "since", "as_of", "from", "when", "paid_on", "due",
                               "start", "to", "by", "recovery", "now")) and name != "due_day":
        return "date"
    if name.endswith(("_id", "_ref", "ident", "id")) or name in ("debt", "case", "rung"):
        return "id"
    if any(w in name for w in ("periods", "months", "days", "horizon", "day", "adults",
                               "children", "dependants", "port", "priority", "tier")):
        return "count"
    return "text"


def value(rng: random.Random, name: str) -> str:
    """An awkward value for the field ``name``: mostly of its kind, sometimes any kind,
    sometimes a random unicode string."""
    roll = rng.random()
    if roll < 0.75:
        return rng.choice(WORDS[kind_of(name)])
    if roll < 0.92:
        return rng.choice(WORDS[rng.choice(tuple(WORDS))])
    return random_text(rng)


def random_text(rng: random.Random, longest: int = 30) -> str:
    """Random code points from awkward ranges (digits of other scripts, CJK, controls)."""
    ranges = ((0x20, 0x7E), (0x0660, 0x0669), (0x4E00, 0x4FFF), (0x00B2, 0x00B9),
              (0xFF10, 0xFF19), (0x2160, 0x2188), (0x1F600, 0x1F64F), (0x01, 0x1F),
              (0x0300, 0x036F))
    out = []
    for _ in range(rng.randint(0, longest)):
        low, high = rng.choice(ranges)
        out.append(chr(rng.randint(low, high)))
    return "".join(out)
