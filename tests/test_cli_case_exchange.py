"""``xieshang export`` / ``import`` / ``backup`` / ``restore`` end to end."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from test_cli_case import ID_NUMBER, clean_home, dump, invoke, ok, ok_json, overdue_since


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明", "--id-number", ID_NUMBER)
    ok("debt", "add", "--product", "huabei", "--amount", "3280.50", "--overdue-since",
       overdue_since(19), "--minimum", "328.05")
    ok("pay", "--amount", "100")
    ok("hardship", "set", "--reason", "forgot")
    ok("budget", "set", "--income", "wages=5000", "--priority", "rent=1500")
    return folder


def test_export_import_export_through_the_commands(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    ok("export", "--output", str(first))
    data = ok_json("import", str(first))
    assert data["case"] == 2
    ok("export", "--case", "2", "--output", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert ok_json("status", "--case", "2")["total"] == ok_json("status", "--case", "1")["total"]
    code, _, err = invoke("export", "--output", str(first), "--lang", "en")
    assert code == 2
    assert "--force" in err
    ok("export", "--output", str(first), "--force", "--no-personal")
    assert ID_NUMBER not in first.read_text(encoding="utf-8")


def test_import_of_a_bad_file_names_the_entry_and_writes_nothing(home: Path,
                                                                 tmp_path: Path) -> None:
    good = tmp_path / "a.json"
    ok("export", "--output", str(good))
    document = json.loads(good.read_text(encoding="utf-8"))
    before = dump(home)
    cases = [
        ("debts", 0, "principal", "abc", "debts[0].principal"),
        ("debts", 0, "preset_id", "nosuch", "debts[0].preset_id"),
        ("payments", 0, "debt", 5, "payments[0].debt"),
    ]
    for key, index, field, value, where in cases:
        bad = json.loads(json.dumps(document))
        bad[key][index][field] = value
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
        code, _, err = invoke("import", str(path), "--lang", "en")
        assert code == 2, err
        assert where in err, err
        assert dump(home) == before
    bad = json.loads(json.dumps(document))
    bad["case"]["id_number"] = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    code, _, err = invoke("import", str(path), "--lang", "en")
    assert code == 2, err
    assert "case.id_number" in err, err
    assert ID_NUMBER[:-1] not in err  # the number is never echoed
    path.write_text("[1, 2", encoding="utf-8")
    code, _, err = invoke("import", str(path), "--lang", "en")
    assert code == 2
    assert "not valid JSON" in err
    assert dump(home) == before


def test_backup_and_restore_through_the_commands(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "snap.db"
    assert ok_json("backup", "--output", str(target))["backup"] == str(target)
    default = Path(ok_json("backup")["backup"])
    assert default.parent == home / "backups"
    ok("debt", "add", "--product", "jiebei", "--amount", "1000")
    assert len(ok_json("debt", "list")["debts"]) == 2
    out = ok("restore", str(target), "--lang", "en", input="n\n")
    assert "Nothing restored" in out
    assert len(ok_json("debt", "list")["debts"]) == 2
    data = ok_json("restore", str(target), "--yes")
    assert len(ok_json("debt", "list")["debts"]) == 1
    with sqlite3.connect(data["previous"]) as db:
        assert db.execute("SELECT count(*) FROM debts").fetchone()[0] == 2
    not_db = tmp_path / "x.db"
    not_db.write_text("hello")
    before = dump(home)
    code, _, err = invoke("restore", str(not_db), "--yes", "--lang", "en")
    assert code == 2
    assert "x.db" in err
    assert dump(home) == before
