"""Regenerate ``generated/`` from the OpenAPI document, or check that it is current.

``python scripts/generate.py`` rewrites ``generated/studio_engagements_api/``.
``python scripts/generate.py --check`` regenerates into a temporary folder and exits 1
with a unified diff when the committed code differs (stray and missing files included).

The package holds only what the overlays use: the models of the operations' success bodies,
their shared types, each operation's path template, parameter list, list key and bound on
the records of a list (``x-max-records``) as Python literals (``_parameters.py``:
``OPERATIONS``, keyed by operationId, so that the client builds requests and reads its input
rules from the spec without parsing YAML at run time), and a
``py.typed`` marker. The generator is fed the spec cut down to those operations' parameters and
success responses (and the schemas they reach), and its request functions and client are left
out: every request goes through ``studio_engagements`` and its safeguards (origin checks, bounds,
retries).
Every parameter must be one that ``ParameterRule`` can check in full: a schema keyword it does
not implement stops generation, so that a spec change never silently weakens a check.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import importlib.util
import json
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
# What the generator writes that no overlay uses: its request functions and their client, which
# would be a second way to call the API without the client's safeguards.
UNUSED = ("api", "client.py", "errors.py")


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


def operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Every operation of the spec (the overlays call them all), by operationId, in spec order."""
    return {
        op["operationId"]: (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """``node``, or what its local ``$ref`` (``#/components/...``) names, followed to the end."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for key in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def parameter_table(spec: dict[str, Any], found: dict[str, Any]) -> list[dict[str, Any]]:
    """The operation's parameters, with the keys ParameterRule reads."""
    return [
        {key: param[key] for key in ("name", "in", "required", "schema") if key in param}
        for param in (resolve(spec, p) for p in found.get("parameters", []))
    ]


def list_key(spec: dict[str, Any], found: dict[str, Any]) -> str | None:
    """The array property a page of the operation's 200 body requires (None: not a list)."""
    body = resolve(spec, success(spec, found)["content"]["application/json"]["schema"])
    arrays = [
        name
        for name in body.get("required", [])
        if resolve(spec, body["properties"][name]).get("type") == "array"
    ]
    return arrays[0] if len(arrays) == 1 else None


def max_records(found: dict[str, Any]) -> int | None:
    """The operation's ``x-max-records`` value: the most records its list can hold, or None."""
    bound = found.get("x-max-records")
    if bound is None:
        return None
    value = bound.get("value") if isinstance(bound, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        sys.exit(f"generate.py: x-max-records of {found['operationId']} needs a value >= 1")
    if not isinstance(bound.get("description"), str):
        sys.exit(f"generate.py: x-max-records of {found['operationId']} needs a description")
    return value


def success(spec: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """The operation's 200 response object, its ``$ref`` followed."""
    response: dict[str, Any] = resolve(spec, found["responses"]["200"])
    return response


def parameters_module(spec: dict[str, Any]) -> str:
    """Python source holding each operation's path, parameters and list key, as in the spec."""
    table: dict[str, dict[str, Any]] = {}
    for operation_id, (path, _, found) in operations(spec).items():
        parameters = parameter_table(spec, found)
        check_rules(parameters)
        table[operation_id] = {
            "path": path,
            "parameters": parameters,
            "list_key": list_key(spec, found),
            "max_records": max_records(found),
        }
    return (
        '"""Each operation\'s path and parameters, copied from the OpenAPI document by'
        ' scripts/generate.py."""\n\n'
        "from typing import Any, TypedDict\n\n\n"
        "class Operation(TypedDict):\n"
        '    """One operation of the spec."""\n\n'
        "    path: str\n"
        '    """The path template; each {Name} is the path parameter of that name."""\n'
        "    parameters: list[dict[str, Any]]\n"
        '    """The parameters in the spec\'s order (name, in, required, schema)."""\n'
        "    list_key: str | None\n"
        '    """The array a page of a list operation holds its records in; None for a fetch."""\n'
        "    max_records: int | None\n"
        '    """The most records a walk of the list may yield (x-max-records); None: no bound."""\n'
        "\n\n"
        f"OPERATIONS: dict[str, Operation] = {table!r}\n"
        '"""Every operation, keyed by operationId."""\n'
    )


def used_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec cut down to what the overlays use: the operations' parameters and 200 bodies.

    Only the schemas those reach stay among the components, so that no model is generated for
    a body the client never reads through a model (error bodies are read by hand, tolerantly).
    """
    paths: dict[str, Any] = {}
    for path, method, found in operations(spec).values():
        kept = {key: value for key, value in found.items() if key != "responses"}
        kept["responses"] = {"200": success(spec, found)}
        paths.setdefault(path, {})[method] = kept
    schemas = spec["components"]["schemas"]
    reached = reachable(paths, schemas)
    components = {key: value for key, value in spec["components"].items() if key != "responses"}
    components["schemas"] = {name: schemas[name] for name in schemas if name in reached}
    return {**spec, "paths": paths, "components": components}


def reachable(root: object, schemas: dict[str, Any]) -> set[str]:
    """The names of the component schemas that ``root`` refers to, directly or not."""
    prefix = "#/components/schemas/"
    found: set[str] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix) and ref[len(prefix) :] not in found:
                found.add(ref[len(prefix) :])
                pending.append(schemas[ref[len(prefix) :]])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


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
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    used = workdir / "used-spec.json"
    used.write_text(json.dumps(used_spec(spec), indent=1), encoding="utf-8")
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
            str(used),
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
    for name in UNUSED:
        unused = out / name
        if unused.is_dir():
            shutil.rmtree(unused)
        else:
            unused.unlink()
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
