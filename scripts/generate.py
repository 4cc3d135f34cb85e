"""Regenerate ``generated/`` from the OpenAPI document, or check that it is current.

``python scripts/generate.py`` rewrites ``generated/studio_engagements_api/``.
``python scripts/generate.py --check`` regenerates into a temporary folder and exits 1
with a unified diff when the committed code differs (stray and missing files included).

Besides the generator's package, the operation's path template and parameter list are
written as Python literals (``_parameters.py``), so that the client builds requests and reads
its input rules from the spec without parsing YAML at run time, and a ``py.typed`` marker.
Every parameter must be one that ``ParameterRule`` can check in full: a schema keyword it does
not implement stops generation, so that a spec change never silently weakens a check.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "studio_v1_engagements.yaml"
CONFIG = ROOT / "openapi" / "generator-config.yaml"
TEMPLATES = ROOT / "openapi" / "templates"  # our versions of some of the generator's templates
PACKAGE = "studio_engagements_api"
TARGET = ROOT / "generated" / PACKAGE
PINNED_TOOLS = ("openapi-python-client", "ruff")
PARAMETERS_MODULE = "_parameters.py"
RULES = ROOT / "overlays" / "studio_engagements" / "_rules.py"
OPERATION_ID = "ListEngagement"


def pinned_versions() -> dict[str, str]:
    """The exact versions pyproject.toml's `generate` group pins for the generator and ruff."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins: dict[str, str] = {}
    for requirement in data["dependency-groups"]["generate"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^;\s]+)", str(requirement).strip())
        if match and match.group(1).lower() in PINNED_TOOLS:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def check_tool_versions() -> None:
    """Refuse to generate with other versions than the pinned ones: output would differ."""
    for tool, wanted in pinned_versions().items():
        found = importlib.metadata.version(tool)
        if found != wanted:
            sys.exit(f"generate.py: {tool} {found} is installed, pyproject.toml pins {wanted}")


def parameters_module(spec: dict[str, Any]) -> str:
    """Python source holding the operation's path and parameters, as in the spec."""
    matches = [
        (path, op)
        for path, item in spec["paths"].items()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == OPERATION_ID
    ]
    ((path, operation),) = matches
    parameters = [
        {key: param[key] for key in ("name", "in", "required", "schema") if key in param}
        for param in operation["parameters"]
    ]
    check_rules(parameters)
    return (
        f'"""The {OPERATION_ID} path and parameters, copied from the OpenAPI document by'
        ' scripts/generate.py."""\n\n'
        "from typing import Any\n\n"
        f"PATH = {path!r}\n"
        '"""The path template; each {Name} is the path parameter of that name."""\n\n'
        f"PARAMETERS: list[dict[str, Any]] = {parameters!r}\n"
    )


def check_rules(parameters: list[dict[str, Any]]) -> None:
    """Stop unless ParameterRule implements every keyword of every parameter's schema."""
    loader = importlib.util.spec_from_file_location("_studio_rules", RULES)
    assert loader is not None
    assert loader.loader is not None
    rules = importlib.util.module_from_spec(loader)
    sys.modules[loader.name] = rules  # attrs resolves the class's module by name
    loader.loader.exec_module(rules)
    for parameter in parameters:
        try:
            rules.ParameterRule.from_parameter(parameter)
        except rules.UnsupportedRuleError as error:
            sys.exit(f"generate.py: {error}")


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"generate.py: {' '.join(command)} failed\n{result.stdout}{result.stderr}")


def render(workdir: Path) -> Path:
    """Generate the package into ``workdir`` and return its folder."""
    out = workdir / PACKAGE
    # The generator's post hooks call `ruff` by name: make it the pinned one beside us.
    env = dict(
        os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    env.pop("RUFF_CACHE_DIR", None)
    run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(SPEC),
            "--config",
            str(CONFIG),
            "--custom-template-path",
            str(TEMPLATES),
            "--meta",
            "none",
            "--output-path",
            str(out),
            "--fail-on-warning",
        ],
        cwd=workdir,
        env=env,
    )
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    (out / PARAMETERS_MODULE).write_text(parameters_module(spec), encoding="utf-8")
    # Run from the temporary folder: inside the package, its types.py would shadow the stdlib.
    run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--isolated",
            "--no-cache",
            f"{PACKAGE}/{PARAMETERS_MODULE}",
        ],
        cwd=workdir,
        env=env,
    )
    (out / "py.typed").write_text("", encoding="utf-8")
    for cache in out.rglob("__pycache__"):
        shutil.rmtree(cache)
    return out


def tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def diff(committed: dict[str, bytes], fresh: dict[str, bytes]) -> list[str]:
    """Unified diff lines from the committed tree to the freshly generated one."""
    lines: list[str] = []
    for name in sorted(committed.keys() | fresh.keys()):
        old, new = committed.get(name), fresh.get(name)
        if old == new:
            continue
        where = f"generated/{PACKAGE}/{name}"
        if old is None:
            lines.append(f"missing file: {where} (the generator writes it)\n")
        elif new is None:
            lines.append(f"stray file: {where} (the generator does not write it)\n")
        lines.extend(
            difflib.unified_diff(
                (old or b"").decode("utf-8", "replace").splitlines(keepends=True),
                (new or b"").decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"a/{where}",
                tofile=f"b/{where}",
            )
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 with a diff when generated/ is stale",
    )
    args = parser.parse_args(argv)
    check_tool_versions()
    with tempfile.TemporaryDirectory(prefix="studio-generate-") as tmp:
        fresh = render(Path(tmp))
        if args.check:
            lines = diff(tree(TARGET), tree(fresh))
            if lines:
                sys.stdout.writelines(
                    line if line.endswith("\n") else line + "\n" for line in lines
                )
                print(
                    "generated/ is stale: run `nox -s generate -- --write` and commit the result.",
                    file=sys.stderr,
                )
                return 1
            print(f"generated/{PACKAGE} matches {SPEC.relative_to(ROOT)}")
            return 0
        if TARGET.exists():
            shutil.rmtree(TARGET)
        shutil.copytree(fresh, TARGET)
        print(f"wrote generated/{PACKAGE} from {SPEC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
