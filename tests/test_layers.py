"""The layers (docs/DESIGN: a pure engine, services that hold the use cases, thin fronts):
who may import whom, checked on the source of every module."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "xieshang"

#: What each part of ``src/xieshang`` may import of ours (the part itself always).
ALLOWED = {
    "engine": set(),
    "clock": {"engine"},
    "paths": set(),
    "i18n": {"engine", "paths"},
    "output": {"engine", "i18n"},
    "rules": {"engine", "paths"},
    "selfcheck": {"engine"},
    "store": {"engine", "clock", "paths"},
    "importers": {"engine"},
    "documents": {"engine"},
    "services": {"engine", "clock", "paths", "i18n", "rules", "store", "importers",
                 "documents"},
    # the presentation shared by the fronts: the services' data in words (fronts → present
    # → services → engine/store)
    "present": {"engine", "clock", "paths", "i18n", "output", "rules", "store", "importers",
                "documents", "services"},
    "web": {"engine", "clock", "paths", "i18n", "output", "rules", "store", "importers",
            "documents", "services", "present"},
    "cli": {"engine", "clock", "paths", "i18n", "output", "rules", "store", "importers",
            "documents", "services", "present", "selfcheck"},
    "batch": {"engine", "clock", "paths", "i18n", "output", "rules", "store", "importers",
              "documents", "services", "present"},
    "__main__": {"cli"},
    "__init__": set(),
}

#: The one front that starts another: ``xieshang serve`` starts the web app.
EXCEPTIONS = {("cli/serve.py", "web"), ("cli/batch.py", "batch")}


def part_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "xieshang":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, part of xieshang) for every import of ours in ``path``, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = ([f"xieshang.{alias.name}" for alias in node.names]
                       if node.module == "xieshang" else [node.module])
        for module in modules:
            part = part_of(module)
            if part is not None:
                found.append((node.lineno, part))
    return found


def own_part(path: Path) -> str:
    relative = path.relative_to(SRC)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_every_part_imports_only_the_layers_below_it() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        me = own_part(path)
        assert me in ALLOWED, f"{path.relative_to(SRC)}: a new part; say what it may import"
        name = str(path.relative_to(SRC))
        for line, part in imports_of(path):
            if part != me and part not in ALLOWED[me] and (name, part) not in EXCEPTIONS:
                offenders.append(f"{name}:{line} imports xieshang.{part}")
    assert offenders == []


def test_the_command_line_and_the_web_app_never_import_each_other() -> None:
    """Only ``xieshang serve`` starts the web app; the web app imports nothing of the
    command line (they share the services instead)."""
    web_to_cli = [f"{path.relative_to(SRC)}:{line}" for path in sorted((SRC / "web").rglob("*.py"))
                  for line, part in imports_of(path) if part == "cli"]
    cli_to_web = sorted({str(path.relative_to(SRC)) for path in (SRC / "cli").rglob("*.py")
                         for _line, part in imports_of(path) if part == "web"})
    assert web_to_cli == []
    assert cli_to_web == ["cli/serve.py"]


def test_there_is_no_import_cycle_between_the_parts() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        me = own_part(path)
        graph[me] |= {part for _line, part in imports_of(path) if part != me}

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    return [*trail, nxt]
                if nxt not in trail:
                    stack.append((nxt, [*trail, nxt]))
        return None

    assert [cycle for part in sorted(graph) if (cycle := cycle_from(part))] == []


def test_the_services_are_language_free() -> None:
    """The services return data (Decimal money, ids, msgids with values); translation and
    layout happen in the fronts and ``present``: no service takes an ``Output`` (the translator
    and formatter of :mod:`xieshang.output`) or imports that module."""
    offenders = []
    for path in sorted((SRC / "services").rglob("*.py")):
        name = str(path.relative_to(SRC))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                arguments = node.args
                for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                            *filter(None, (arguments.vararg, arguments.kwarg))):
                    if arg.annotation is not None and "Output" in {
                            n.id for n in ast.walk(arg.annotation) if isinstance(n, ast.Name)
                    } | {n.value for n in ast.walk(arg.annotation)
                         if isinstance(n, ast.Constant) and n.value == "Output"}:
                        offenders.append(f"{name}:{node.lineno} {node.name}({arg.arg}: Output)")
        for line, module in _modules_of(tree):
            if module == "xieshang.output" or module.startswith("xieshang.output."):
                offenders.append(f"{name}:{line} imports {module}")
    assert offenders == []


def _modules_of(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import in ``tree``, ``from xieshang import output`` as
    ``xieshang.output``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += ([(node.lineno, f"xieshang.{alias.name}") for alias in node.names]
                      if node.module == "xieshang" else [(node.lineno, node.module)])
    return found


def test_the_checks_can_fail() -> None:
    """The import reader sees every form of import the checks rely on."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "sample.py"
        sample.write_text("import xieshang.cli.main\nfrom xieshang import web\n"
                          "def f():\n    from xieshang.services.cases import find_case\n"
                          "import os\n", encoding="utf-8")
        assert imports_of(sample) == [(1, "cli"), (2, "web"), (4, "services")]
