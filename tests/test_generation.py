"""Generation is reproducible and `--check` catches drift."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import ROOT


def copy_repo(dest: Path) -> Path:
    for name in ("openapi", "scripts", "generated", "overlays"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def check(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(repo / "scripts" / "generate.py"), "--check"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


def test_committed_code_matches_the_spec(repo: Path) -> None:
    result = check(repo)
    assert result.returncode == 0, result.stdout + result.stderr


def test_changed_pattern_is_drift(repo: Path) -> None:
    spec = repo / "openapi" / "studio_v1_engagements.yaml"
    text = spec.read_text()
    assert "pattern: ^FW[0-9a-fA-F]{32}$" in text
    spec.write_text(text.replace("pattern: ^FW[0-9a-fA-F]{32}$", "pattern: ^FX[0-9a-fA-F]{32}$", 1))
    result = check(repo)
    assert result.returncode == 1
    assert "generated/studio_engagements_api/_parameters.py" in result.stdout
    assert '+                    "pattern": "^FX[0-9a-fA-F]{32}$",' in result.stdout


def test_stray_and_missing_files_are_drift(repo: Path) -> None:
    package = repo / "generated" / "studio_engagements_api"
    (package / "handwritten.py").write_text("x = 1\n")
    (package / "models" / "engagement_status.py").unlink()
    result = check(repo)
    assert result.returncode == 1
    assert "stray file: generated/studio_engagements_api/handwritten.py" in result.stdout
    missing = "missing file: generated/studio_engagements_api/models/engagement_status.py"
    assert missing in result.stdout


def test_generation_leaves_no_caches(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(repo / "scripts" / "generate.py")],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    leftovers = [p for p in repo.rglob("*") if p.name in {".ruff_cache", "__pycache__"}]
    assert leftovers == []
    assert check(repo).returncode == 0


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("enum", "[1, 50, 1000]"), ("exclusiveMinimum", "0"), ("multipleOf", "10")],
)
def test_a_parameter_keyword_no_rule_checks_stops_generation(
    repo: Path, keyword: str, value: str
) -> None:
    spec = repo / "openapi" / "studio_v1_engagements.yaml"
    text = spec.read_text()
    anchor = "        minimum: 1\n        maximum: 1000\n"
    assert anchor in text
    spec.write_text(text.replace(anchor, f"{anchor}        {keyword}: {value}\n", 1))
    result = check(repo)
    assert result.returncode == 1
    assert f"parameter PageSize: schema keyword(s) {keyword} are not implemented" in result.stderr


def test_a_nullable_parameter_type_stops_generation(repo: Path) -> None:
    spec = repo / "openapi" / "studio_v1_engagements.yaml"
    text = spec.read_text()
    anchor = "      schema:\n        type: string\n      example: PT0"
    assert anchor in text
    spec.write_text(
        text.replace(anchor, anchor.replace("type: string", "type: [string, 'null']"), 1)
    )
    result = check(repo)
    assert result.returncode == 1
    assert "parameter PageToken: type" in result.stderr
