"""The package layout holds: no module reaches into another package's private module, and imports of
``reminder.*`` are at module level (only the command line imports lazily, to keep ``--help`` fast).

The imports are read with ``ast``, so nothing is imported and a violation is reported with its file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reminder"
#: the only package whose functions may import ``reminder.*`` (subcommands load their stack when run)
LAZY = "reminder.cli"
#: what runs ``reminder.workflow`` (it sits on top: nothing it calls may import it)
WORKFLOW_CALLERS = ("reminder.cli", "reminder.web", "reminder.ingest", "reminder.scheduler", "reminder.watch")
#: the packages built on storage, which ``reminder.db`` must not import
ABOVE_STORAGE = (
    "reminder.cli",
    "reminder.companies",
    "reminder.corrections",
    "reminder.ingest",
    "reminder.matching",
    "reminder.scheduler",
    "reminder.web",
    "reminder.workflow",
)

#: the only ``reminder.*`` modules a package may import (packages not listed are checked by the rules above)
ALLOWED_IMPORTS: dict[str, tuple[str, ...]] = {
    # source watching sits before extraction in the data flow: no storage, web, matching or scheduler;
    # of notify only the address guard (safety) and the client pinned to it (httpclient)
    "reminder.sources": (
        "reminder",  # the top-level module itself (__version__)
        "reminder.sources",
        "reminder.extract",
        "reminder.calendar",
        "reminder.model",
        "reminder.errors",
        "reminder.config",
        "reminder.tables",
        "reminder.zone",
        "reminder.notify.safety",
        "reminder.notify.httpclient",
    ),
}


@dataclass(frozen=True)
class Imported:
    """One module named by an import statement."""

    importer: str
    module: str
    line: int
    in_function: bool


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path, root: Path) -> str:
    """The package a module belongs to: itself for ``__init__.py``, else its parent."""
    name = module_name(path, root)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, path: Path, root: Path) -> str:
    if not node.level:
        return node.module or ""
    base = package_of(path, root).split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


class _Walker(ast.NodeVisitor):
    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.root = root
        self.depth = 0
        self.found: list[Imported] = []

    def _add(self, module: str, node: ast.stmt) -> None:
        if module == "reminder" or module.startswith("reminder."):
            self.found.append(
                Imported(module_name(self.path, self.root), module, node.lineno, self.depth > 0)
            )

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = _absolute(node, self.path, self.root)
        self._add(base, node)
        for alias in node.names:  # ``from reminder.db import _rows`` names a module too
            if (
                alias.name.startswith("_")
                and (self.root.parent / base.replace(".", "/") / f"{alias.name}.py").exists()
            ):
                self._add(f"{base}.{alias.name}", node)


def imports(root: Path = PACKAGE) -> Iterator[tuple[Path, Imported]]:
    for path in sorted(root.rglob("*.py")):
        walker = _Walker(path, root)
        walker.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for found in walker.found:
            yield path, found


def private_owner(module: str) -> str | None:
    """The package that owns a private module (``reminder.db._rows`` → ``reminder.db``), or None."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def _inside(package: str, owner: str) -> bool:
    if owner == "reminder":  # a top-level private module: only the top-level modules
        return package == owner
    return package == owner or package.startswith(owner + ".")


def private_violations(root: Path = PACKAGE) -> list[str]:
    bad = []
    for path, found in imports(root):
        owner = private_owner(found.module)
        if owner is not None and not _inside(package_of(path, root), owner):
            bad.append(
                f"{path.relative_to(root.parent)}:{found.line}: {found.importer} imports {found.module}"
            )
    return bad


def lazy_violations(root: Path = PACKAGE) -> list[str]:
    bad = []
    for path, found in imports(root):
        if found.in_function and not (found.importer == LAZY or found.importer.startswith(LAZY + ".")):
            bad.append(
                f"{path.relative_to(root.parent)}:{found.line}: {found.module} imported inside a function"
            )
    return bad


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def layer_violations(root: Path = PACKAGE) -> list[str]:
    bad = []
    for path, found in imports(root):
        where = f"{path.relative_to(root.parent)}:{found.line}: {found.importer} imports {found.module}"
        climbs = _within(found.module, ("reminder.workflow",)) and not _within(
            found.importer, WORKFLOW_CALLERS
        )
        if climbs or (_within(found.importer, ("reminder.db",)) and _within(found.module, ABOVE_STORAGE)):
            bad.append(where)
    return bad


def allowed_import_violations(root: Path = PACKAGE) -> list[str]:
    bad = []
    for path, found in imports(root):
        for package, allowed in ALLOWED_IMPORTS.items():
            if not _within(found.importer, (package,)):
                continue
            ok = found.module == "reminder" or _within(
                found.module, tuple(a for a in allowed if a != "reminder")
            )
            if not ok:
                bad.append(
                    f"{path.relative_to(root.parent)}:{found.line}: {found.importer} imports {found.module}"
                )
    return bad


def test_no_module_imports_another_packages_private_module() -> None:
    assert private_violations() == []


def test_reminder_imports_inside_functions_only_in_the_cli() -> None:
    assert lazy_violations() == []


def test_storage_and_workflow_keep_their_places() -> None:
    assert layer_violations() == []


def test_packages_import_only_what_their_table_entry_allows() -> None:
    assert allowed_import_violations() == []


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    root = tmp_path / "reminder"
    for package in ("db", "web", "cli"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "db" / "_rows.py").write_text("")
    (root / "db" / "store.py").write_text("from reminder.db._rows import x\nfrom reminder.db import _rows\n")
    (root / "web" / "pages.py").write_text(
        "from reminder.db._rows import x\nfrom reminder.db import _rows\n\ndef f():\n    import reminder.db\n"
    )
    (root / "cli" / "db.py").write_text("def f():\n    from reminder.db import store\n")
    assert private_violations(root) == [
        "reminder/web/pages.py:1: reminder.web.pages imports reminder.db._rows",
        "reminder/web/pages.py:2: reminder.web.pages imports reminder.db._rows",
    ]
    assert lazy_violations(root) == ["reminder/web/pages.py:5: reminder.db imported inside a function"]
    (root / "sources").mkdir()
    (root / "sources" / "__init__.py").write_text(
        "from reminder.db import store\nfrom reminder.notify.safety import x\n"
    )
    assert allowed_import_violations(root) == [
        "reminder/sources/__init__.py:1: reminder.sources imports reminder.db"
    ]
    (root / "db" / "models.py").write_text("import reminder.workflow\n")
    assert layer_violations(root) == ["reminder/db/models.py:1: reminder.db.models imports reminder.workflow"]
