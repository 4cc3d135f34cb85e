"""The house: the README's module tables match the tree, the mock's modules form layers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .helpers import ROOT

PACKAGE = ROOT / "overlays" / "studio_engagements"


def readme_table(heading: str) -> list[list[str]]:
    """The module names of each row of the README table that follows ``heading``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index(heading) :]
    table = after[after.index("| module |") :].split("\n\n", 1)[0]
    rows = table.splitlines()[2:]
    return [re.findall(r"`([\w.]+\.py)`", row.split("|")[1]) for row in rows]


def modules(folder: Path) -> set[str]:
    """The hand-written modules of ``folder`` that a table lists (not ``__init__``/``__main__``)."""
    return {p.name for p in folder.glob("*.py") if not p.name.startswith("__")}


def local_imports(path: Path) -> set[str]:
    """The sibling modules ``path`` imports (``from ._x import``, ``from . import _x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0] + ".py")
            else:
                found.update(alias.name + ".py" for alias in node.names)
    return found


@pytest.mark.parametrize(
    ("heading", "folder"),
    [
        ("Inside `overlays/studio_engagements/`,", PACKAGE),
        ("Inside `overlays/studio_engagements/testing/`", PACKAGE / "testing"),
        ("Inside `overlays/studio_engagements/cli/`", PACKAGE / "cli"),
    ],
)
def test_the_readme_module_tables_match_the_tree(heading: str, folder: Path) -> None:
    listed = [name for row in readme_table(heading) for name in row]
    assert len(listed) == len(set(listed))
    assert set(listed) == modules(folder)


def test_each_mock_module_imports_only_modules_below_it_in_the_table() -> None:
    layers = readme_table("Inside `overlays/studio_engagements/testing/`")
    below: set[str] = set()
    for row in reversed(layers):
        for name in row:
            imported = local_imports(PACKAGE / "testing" / name) - {"__init__.py"}
            assert imported <= below, (name, imported - below)
        below.update(row)


def test_only_the_mock_imports_its_private_modules() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "testing" in path.relative_to(PACKAGE).parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"testing\._|testing import _", text), path


def test_no_two_modules_of_the_package_import_each_other() -> None:
    """Modules split by concern: no circle of imports, not even under TYPE_CHECKING."""
    imports = {path.name: local_imports(path) for path in PACKAGE.glob("*.py")}
    circles = sorted(
        (name, other)
        for name, imported in imports.items()
        for other in imported
        if name < other and name in imports.get(other, set())
    )
    assert circles == []


# Where an import may wait for its first use: the generated models (``_response.models``), the
# clients and what sends their requests (httpx, httpcore: the package's ``__getattr__``,
# ``_client._sending``, anyio on the first async retry), each command's own work (``--help`` and
# ``--version`` import neither httpx, the engine, the archive nor the mock), and what one
# platform has and another has not.
LAZY = {
    "_response.py:models",
    "__init__.py:__getattr__", "_client.py:_sending", "_client.py:_sleep",
    "cli/_commands.py:list_command", "cli/_commands.py:archive", "cli/_commands.py:flows",
    "cli/_commands.py:demo", "cli/_commands.py:mock",
    "cli/_list.py:_allow_open_files",
}  # fmt: skip


def test_the_package_imports_lazily_in_one_place_only() -> None:
    """Every import runs with its module, but those of ``LAZY``."""
    lazy = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(inner, ast.Import | ast.ImportFrom) for inner in ast.walk(node)
            ):
                lazy.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert set(lazy) <= LAZY, sorted(set(lazy) - LAZY)


SOAK_SIZED = re.compile(r"\bSOAK\b|STUDIO_ENGAGEMENTS_SOAK|import [^\n]*\bSETTINGS\b")


def test_nox_soak_runs_every_suite_that_has_a_soak_size() -> None:
    """A suite that scales up under ``STUDIO_ENGAGEMENTS_SOAK`` (``SOAK``, or the reliability
    suites' hypothesis ``SETTINGS``) is one `nox -s soak` runs: else its full size never runs."""
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    soak = noxfile[noxfile.index("def soak(") :].split("\n\n\n", 1)[0]
    listed = set(re.findall(r'"(tests/test_\w+\.py)"', soak))
    sized = {
        f"tests/{path.name}"
        for path in (ROOT / "tests").glob("test_*.py")
        if path.name != Path(__file__).name and SOAK_SIZED.search(path.read_text(encoding="utf-8"))
    }
    assert sized, "no suite has a soak size"
    assert sized <= listed, sorted(sized - listed)
