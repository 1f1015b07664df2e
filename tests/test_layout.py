"""The package's layout holds its rules: stages import only earlier stages, never each other, and a
module never imports another module's private names."""

from __future__ import annotations

import ast
from pathlib import Path

import partner_analytics

PACKAGE = Path(partner_analytics.__file__).parent

# The flow, first to last: a stage may import the stages before it, never one after it.
STAGES = (
    "core",
    "contract",
    "io",
    "metrics",
    "evaluation",
    "risk",
    "governance",
    "pipeline",
    "record",
    "views",
    "charts",
    "whatif",
    "reports",
    "batch",
    "sample",
    "cli",
)


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def _imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) of every import of the package's own modules."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] == "partner_analytics":
                found.append((target, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] == "partner_analytics"]
    return found


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def private_imports() -> list[str]:
    """`module:line imports _name from other.module` for every private name imported across modules (`_` alone is
    gettext's public translation function, `views.language._`)."""
    bad = []
    for module, path in _modules():
        for target, names, line in _imports(module, path):
            for name in names:
                if name.startswith("_") and name != "_" and not name.startswith("__") and target != module:
                    bad.append(f"{module}:{line} imports {name} from {target}")
    return bad


def stage_imports() -> set[tuple[str, str]]:
    """(importing stage, imported stage) for every import between two stages."""
    pairs = set()
    for module, path in _modules():
        for target, _names, _line in _imports(module, path):
            here, there = _stage(module), _stage(target)
            if here and there and here != there:
                pairs.add((here, there))
    return pairs


def test_every_stage_is_in_the_flow():
    stages = {_stage(m) for m, _ in _modules()} - {None}
    assert stages <= set(STAGES), stages - set(STAGES)


def test_no_module_imports_a_private_name_of_another():
    assert private_imports() == []


def test_stages_import_only_earlier_stages():
    backwards = sorted((a, b) for a, b in stage_imports() if STAGES.index(b) > STAGES.index(a))
    assert backwards == [], "a stage imports a later one (the flow runs one way): " + ", ".join(
        f"{a} → {b}" for a, b in backwards
    )


def test_no_two_stages_import_each_other():
    pairs = stage_imports()
    assert sorted((a, b) for a, b in pairs if (b, a) in pairs) == []


def test_the_checks_see_a_private_import_and_a_backward_one(tmp_path, monkeypatch):
    """The checks above can fail: a fake package with both faults is caught."""
    fake = tmp_path / "partner_analytics"
    (fake / "core").mkdir(parents=True)
    (fake / "risk").mkdir()
    for folder in (fake, fake / "core", fake / "risk"):
        (folder / "__init__.py").write_text("")
    (fake / "core" / "money.py").write_text("from ..risk.credits import _cap\n")
    (fake / "risk" / "credits.py").write_text("from ..core.money import cents\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", fake)
    assert private_imports() == ["partner_analytics.core.money:1 imports _cap from partner_analytics.risk.credits"]
    assert stage_imports() == {("core", "risk"), ("risk", "core")}
