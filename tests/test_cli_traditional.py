"""Traditional Chinese on the screen: with ``--lang zh-Hant`` (or zh_TW, zh-HK, or
``$XIESHANG_LANG``) the CLI's tables, paragraphs, JSON and error messages are converted
from the Simplified text with the documents' OpenCC configuration (``s2twp`` for Taiwan,
``s2hk`` for Hong Kong, and the same fixes), as the documents and the web pages already
were; OpenCC is imported only when that language is chosen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli_case import invoke, ok
from test_cli_chinese_wrap import brother_in_law_home
from xieshang.documents.render import to_traditional as document_traditional
from xieshang.i18n import chinese_variant, to_traditional

NOW = "2026-12-07T10:00+08:00"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return brother_in_law_home(tmp_path, monkeypatch)


def test_the_variant_is_read_from_what_a_person_types(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [chinese_variant(x) for x in ("zh-Hant", "zh_TW", "zh-HK", "zh", "en", "zh-CN")] \
        == ["tw", "tw", "hk", None, None, None]
    monkeypatch.setenv("XIESHANG_LANG", "zh_TW")
    assert chinese_variant(None) == "tw"


def test_the_screen_converts_as_the_documents_do() -> None:
    """One configuration for both: 这里 → 這裡 (Taiwan) / 這裏 (Hong Kong); s2twp's 支援
    for 支持 ("what a court would support") is corrected to 支持 in both."""
    text = "这里的欠款合计；法院应予支持的是"
    assert to_traditional(text, "tw") == document_traditional(text, "tw") \
        == "這裡的欠款合計；法院應予支持的是"
    assert to_traditional(text, "hk") == document_traditional(text, "hk") \
        == "這裏的欠款合計；法院應予支持的是"


@pytest.mark.now(NOW)
def test_status_in_traditional_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The brother-in-law's loan: the Simplified "应还合计 ¥30,000.00" reads "應還合計
    ¥30,000.00"; the figures are unchanged."""
    simplified = ok("status")
    assert "应还合计 ¥30,000.00" in simplified
    for lang in ("zh-Hant", "zh_TW"):
        text = ok("status", "--lang", lang)
        assert "應還合計 ¥30,000.00" in text
        assert "应还合计" not in text
        assert "這裡的欠款合計" in text
        assert "法院應予支持" in text
    assert "這裏的欠款合計" in ok("status", "--lang", "zh-HK")
    monkeypatch.setenv("XIESHANG_LANG", "zh-Hant")
    assert "應還合計" in ok("debt", "list") + ok("status")
    assert json.loads(ok("status", "--json"))["debts"][0]["total"] == "30000.00"
    prepared = ok("prepare", "--debt", "1", "--json")
    assert "身份證" in prepared
    assert "身份证" not in prepared


def test_an_error_in_traditional_chinese() -> None:
    code, _out, err = invoke("debt", "add", "--product", "huabei", "--amount", "abc",
                             "--overdue-since", "2026-11-01", "--lang", "zh-Hant")
    assert code == 2
    assert err.startswith("錯誤：")
    assert "错误" not in err


def test_opencc_is_imported_only_for_traditional_chinese(home: Path) -> None:
    """In Simplified Chinese the command never loads OpenCC (start-up stays fast)."""
    code = ("import sys\nfrom xieshang.cli.main import run\n"
            "try:\n    run(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print('opencc' in sys.modules, file=sys.stderr)")
    env = {**os.environ, "XIESHANG_HOME": str(home),
           "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    env.pop("XIESHANG_LANG", None)
    loaded = []
    for lang in ("zh", "zh-Hant"):
        done = subprocess.run([sys.executable, "-c", code, "debt", "list", "--lang", lang],
                              capture_output=True, text=True, env=env, check=True)
        loaded.append(done.stderr.strip().splitlines()[-1])
    assert loaded == ["False", "True"]


def test_taiwan_words_are_the_ordinary_ones_not_computing_terms() -> None:
    """s2twp turns 项目 (a bill's items) into 專案 ("project"), 类型 (a lender's kind) into
    型別 ("data type") and 参数 (a debt's terms) into 引數 ("argument"); the screen and the
    documents say 項目, 類型 and 參數 (a bill's heading read 專案 before)."""
    from xieshang.i18n import to_traditional

    assert to_traditional("项目；出借人类型；采用的参数", "tw") == "項目；出借人類型；採用的參數"
    out = ok("calc", "overdue", "--product", "huabei", "--amount", "2000", "--days", "30",
             "--lang", "zh-Hant")
    assert "項目" in out
    assert "專案" not in out
