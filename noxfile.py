"""Every task a developer or CI runs. `nox` alone runs the default list; it never writes."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["generate", "lint", "typecheck", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
HAND_WRITTEN = ["overlays", "scripts", "tests", "noxfile.py"]


def group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def generate(session: nox.Session) -> None:
    """Check generated/ against the spec; `-- --write` regenerates it instead."""
    session.install(*group("generate"))
    if "--write" in session.posargs:
        session.run("python", "scripts/generate.py")
    else:
        session.run("python", "scripts/generate.py", "--check")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check on hand-written code."""
    session.install(*group("lint"))
    session.run("ruff", "check", "--no-cache", *HAND_WRITTEN)
    session.run("ruff", "format", "--no-cache", "--check", *HAND_WRITTEN)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the overlays and the scripts."""
    session.install(".[mock,cli]", *group("typecheck"))
    session.run("mypy", "--strict", "--cache-dir", "/dev/null", "overlays", "scripts")


@nox.session
def tests(session: nox.Session) -> None:
    """pytest against the installed wheel (not the source folders), on two workers (CI's two
    cores), each taking whole modules (their mocks and servers are set up once)."""
    session.install(".[mock,cli]", *group("test"))
    session.install("--force-reinstall", "--no-deps", ".")
    session.run("pytest", "-n", "2", "--dist", "loadscope", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """schemathesis CLI against the mock over real HTTP: >= 5,000 cases, JUnit in reports/."""
    session.install(".[mock]", *group("test"))
    session.install("--force-reinstall", "--no-deps", ".")
    session.run("python", "scripts/fuzz.py", *session.posargs)


@nox.session
def soak(session: nox.Session) -> None:
    """Reliability suites at full size (>= 100 fault-injected exports, load, Ctrl-C, the archive
    under faults); figures."""
    session.install(".[mock,cli]", *group("test"))
    session.install("--force-reinstall", "--no-deps", ".")
    session.run(
        "pytest",
        "-p",
        "no:cacheprovider",
        "tests/test_reliability_faults.py",
        "tests/test_reliability_load.py",
        "tests/test_reliability_responses.py",
        "tests/test_reliability_client.py",
        "tests/test_reliability_input.py",
        "tests/test_cli_mishaps.py",
        "tests/test_cli_archive.py",
        "tests/test_cli_kills.py",
        *session.posargs,
        env={"STUDIO_ENGAGEMENTS_SOAK": "1"},
    )


@nox.session(python=False)
def speclint(session: nox.Session) -> None:
    """Spectral (spectral:oas) and Redocly (recommended), pinned, on the spec; needs npm."""
    session.run("python3", "scripts/speclint.py", "--tools", session.cache_dir / "speclint")


@nox.session
def bench(session: nox.Session) -> None:
    """Every question of `scripts/bench/` against its target, both record shapes: BENCHMARKS.md.

    `-- --small` is a quick run that writes nothing; `-- --output FILE` writes FILE instead.
    """
    session.install(".[mock]", "twilio==9.13.0")  # the mock serves the latency-bound export
    session.install("--force-reinstall", "--no-deps", ".")
    # The CLI in its own venv: with its extra's click installed, `import httpx` imports httpx's
    # own CLI too, which the default install (the streams measured) does not.
    cli = session.cache_dir / "bench-cli"
    session.run("python", "-m", "venv", str(cli))
    python = str(cli / "bin" / "python")
    # sqlite-utils: the CLI whose start-up `studio-engagements --help` is measured against.
    session.run(python, "-m", "pip", "install", "-q", ".[cli]", "sqlite-utils==4.2.1",
                external=True)  # fmt: skip
    session.run(python, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", ".",
                external=True)  # fmt: skip
    session.run(
        "python", "-m", "bench", "--cli-python", python, *session.posargs,
        env={"PYTHONPATH": "scripts"},
    )  # fmt: skip
