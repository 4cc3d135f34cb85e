"""Lint the OpenAPI document with Spectral (``spectral:oas``) and Redocly (``recommended``).

Both run at pinned versions, installed with npm into ``--tools DIR``; any warning fails.
``nox -s speclint`` runs this; it needs Node.js and npm, nothing else of the project.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "studio_v1_engagements.yaml"
SPECTRAL = "@stoplight/spectral-cli@6.16.3"
REDOCLY = "@redocly/cli@2.77.0"


def install(tools: Path) -> Path:
    """Install the pinned linters into ``tools``; return their ``.bin`` folder."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("speclint.py: npm is not installed (the linters run on Node.js)")
    tools.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--prefix", str(tools), "--no-audit", "--no-fund", "--silent",
         SPECTRAL, REDOCLY],
        check=True,
    )  # fmt: skip
    return tools / "node_modules" / ".bin"


def spectral(bin_dir: Path) -> bool:
    """Spectral with the OpenAPI ruleset; True when it reports nothing."""
    result = subprocess.run(
        [str(bin_dir / "spectral"), "lint", str(SPEC),
         "--ruleset", str(ROOT / "openapi" / "spectral.yaml"), "--fail-severity=hint"],
        check=False,
    )  # fmt: skip
    return result.returncode == 0


def redocly(bin_dir: Path) -> bool:
    """Redocly with the recommended ruleset; True when it reports no error and no warning."""
    result = subprocess.run(
        [str(bin_dir / "redocly"), "lint", str(SPEC),
         "--config", str(ROOT / "openapi" / "redocly.yaml"), "--format=json"],
        check=False, capture_output=True, text=True,
    )  # fmt: skip
    report = json.loads(result.stdout)
    for problem in report["problems"]:
        print(f"redocly: {problem['severity']} {problem['ruleId']}: {problem['message']}")
    totals = report["totals"]
    print(f"redocly {report['version']}: {totals['errors']} errors, {totals['warnings']} warnings")
    return bool(totals["errors"] == 0 and totals["warnings"] == 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=Path, required=True, help="where npm installs the linters")
    args = parser.parse_args(argv)
    bin_dir = install(args.tools)
    results = [spectral(bin_dir), redocly(bin_dir)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
