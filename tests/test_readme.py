"""Every example in the README runs: the set-up lines, the Python blocks and the CLI lines.

Python blocks run in-process with Twilio's hosts routed to a MockStudio (in-process transport)
and its credentials in the environment, so that they are exactly what a user types. Blocks that
define pytest tests run under pytest. CLI lines run as written, against the README's own
``studio-engagements mock`` line, with the ``export`` lines it prints in their environment.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from studio_engagements import Engagement, _bounded
from studio_engagements.testing import MockStudio

from .helpers import CLI, FLOW, OTHER, ROOT, UserVenv, run_cli, serving, twilio_env

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
BLOCKS = [(language, code) for language, code in BLOCK.findall(README)]
# (the examples that read an archive, history.sqlite, run in test_archive_readers.py)
PYTHON = [
    code for language, code in BLOCKS if language == "python" and "history.sqlite" not in code
]
ARCHIVE_READERS = [c for language, c in BLOCKS if language == "python" and "history.sqlite" in c]
SHELL = [code for language, code in BLOCKS if language == "bash"]
SETUP = README.split("## Set up", 1)[1].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: 2500, OTHER: 300}, seed=0)


def routed(transport: Any, real: Any) -> Any:
    """A transport sending Twilio's hosts to the mock and anything else (loopback) for real."""

    def pick(request: httpx.Request) -> Any:
        return transport if request.url.host.endswith("twilio.com") else real

    if isinstance(transport, httpx.AsyncBaseTransport):

        class AsyncRouter(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                return await pick(request).handle_async_request(request)

        return AsyncRouter()

    class Router(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response: httpx.Response = pick(request).handle_request(request)
            return response

    return Router()


@pytest.fixture
def twilio_is_the_mock(mock: MockStudio, monkeypatch: pytest.MonkeyPatch) -> None:
    real_client, real_async = httpx.Client, httpx.AsyncClient

    class Client(real_client):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Twilio's hosts to the mock; loopback through the client's own transport, if any.
            real = kwargs.get("transport") or httpx.HTTPTransport()
            kwargs["transport"] = routed(mock.transport(), real)
            super().__init__(*args, **kwargs)

    class AsyncClient(real_async):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault(
                "transport", routed(mock.async_transport(), httpx.AsyncHTTPTransport())
            )
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(httpx, "Client", Client)
    monkeypatch.setattr(httpx, "AsyncClient", AsyncClient)

    def new_http(http_type: type[Any], base_url: httpx.URL) -> httpx.Client | httpx.AsyncClient:
        routed_type = AsyncClient if issubclass(http_type, real_async) else Client
        return routed_type(follow_redirects=False)  # type: ignore[no-any-return]

    # Where both clients make what they send through when no http_client is given.
    monkeypatch.setattr(_bounded, "new_http", new_http)
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", mock.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", mock.auth_token)


def test_the_readme_has_examples() -> None:
    assert len(PYTHON) >= 7
    assert len(SHELL) >= 3


def printed(mock: MockStudio) -> dict[str, list[str]]:
    """What each printing example prints, line by line, as patterns: keyed by a line of its code.

    The values come from the mock's own records and the documented rules, not from the client.
    """
    first = [Engagement.from_dict(record) for record in mock.engagements(FLOW)]
    account, studio = re.escape(mock.account_sid), "https://studio.twilio.com"
    pages = [f"{number} {min(1000, 2500 - 1000 * number)}" for number in range(3)]
    return {
        "print(engagement.sid, engagement.status, engagement.date_created)": [
            re.escape(f"{e.sid} {e.status} {e.date_created}") for e in first[:100]
        ],
        "print(len(first_seven), len(page.engagements), page.meta.next_page_url)": [
            rf"7 50 {studio}/v1/Flows/{FLOW}/Engagements\?PageSize=50&Page=1&PageToken=PT\S+"
        ],
        "print(page.meta.page, len(page.engagements))": [*pages, "7"],
        "print(dict(zip(FLOWS, counts, strict=True)))": [re.escape(repr({FLOW: 2500, OTHER: 300}))],
        "print(regional.base_url)": [
            re.escape("https://studio.sydney.au1.twilio.com"),
            rf"StudioClient\(account_sid='{account}', base_url='https://studio\.sydney\.au1\.twilio\.com'\)",
        ],
        "print(error.status, error.code, error.message, error.more_info, error.request_id)": [
            r"404 20404 The requested resource /v1/Flows/FWf{32}/Engagements was not found "
            r"https://www\.twilio\.com/docs/errors/20404 RQ[0-9a-f]{32}",
            r"flow_sid='FW123' is invalid: it must be a string of exactly 34 characters .*",
        ],
        "print(client.max_retries, patient.max_retries, patient.timeout.read": [
            re.escape(f"4 8 60.0 {256 * 1024 * 1024}")
        ],
        "print(len(first.engagements), [len(page.engagements) for page in following])": [
            re.escape("1000 [1000, 500]")
        ],
    }


def expected_lines(code: str, mock: MockStudio) -> list[str]:
    (patterns,) = [lines for key, lines in printed(mock).items() if key in code] or [[]]
    return patterns


@pytest.mark.parametrize(
    "code", [c for c in PYTHON if "def test_" not in c], ids=lambda c: c.splitlines()[0][:40]
)
@pytest.mark.usefixtures("twilio_is_the_mock")
def test_python_example_prints_what_it_says(
    code: str, mock: MockStudio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # examples may write files
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
    patterns = expected_lines(code, mock)
    assert ("print(" in code) == bool(patterns), "a printing example needs its lines in printed()"
    lines = output.getvalue().splitlines()
    assert len(lines) == len(patterns), lines
    for line, pattern in zip(lines, patterns, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


@pytest.mark.parametrize("code", [c for c in PYTHON if "def test_" in c])
def test_pytest_example_passes(code: str, tmp_path: Path) -> None:
    (tmp_path / "test_readme_example.py").write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{code.count('def test_')} passed" in result.stdout


def cli_lines() -> list[str]:
    return [
        line
        for code in SHELL
        for line in code.splitlines()
        if line.startswith("studio-engagements ")
    ]


def exported(words: list[str], text: str) -> list[dict[str, str]]:
    """The records an export wrote, as text values by field (jsonl or csv)."""
    if "csv" in words:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    return [
        {k: "" if v is None else str(v) for k, v in json.loads(line).items()}
        for line in text.splitlines()
    ]


def served(mock: MockStudio, flow: str, words: list[str]) -> list[dict[str, str]]:
    """The flow's records as an export of ``words`` writes them (its fields, its limit)."""
    fields = words[words.index("--fields") + 1].split(",") if "--fields" in words else None
    limit = int(words[words.index("--limit") + 1]) if "--limit" in words else None
    return [
        {k: "" if v is None else str(v) for k, v in record.items() if fields is None or k in fields}
        for record in mock.engagements(flow)[:limit]
    ]


MOCK_LINE = next(line for line in cli_lines() if line.startswith("studio-engagements mock "))


@pytest.fixture(scope="module")
def pasted() -> Iterator[dict[str, str]]:
    """The environment after pasting the export lines of the README's mock, served meanwhile."""
    with serving([*CLI, *shlex.split(MOCK_LINE)[1:], "--port", "0"]) as (_, exports, _url):
        yield {**twilio_env(), **exports}


@pytest.mark.parametrize(
    "line", [line for line in cli_lines() if line != MOCK_LINE and " archive " not in line]
)  # (the archive's lines are run by test_cli_archive.py, with the queries that read it)
def test_cli_example_writes_the_flows_engagements(
    line: str, pasted: dict[str, str], mock: MockStudio, tmp_path: Path
) -> None:
    words = shlex.split(line)
    result = run_cli(*words[1:], env=pasted, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    flows = [word for word in words if word.startswith("FW")]
    if "--output-dir" in words:
        folder = tmp_path / words[words.index("--output-dir") + 1]
        assert sorted(path.name for path in folder.iterdir()) == sorted(
            name for flow in flows for name in (f"{flow}.jsonl", f"{flow}.jsonl.export.json")
        )
        for flow in flows:
            written = (folder / f"{flow}.jsonl").read_text(encoding="utf-8")
            assert exported(words, written) == served(mock, flow, words)
    elif "--output" in words:
        written = tmp_path / words[words.index("--output") + 1]
        assert exported(words, written.read_text(encoding="utf-8")) == served(mock, *flows, words)
        assert not written.with_name(written.name + ".partial").exists()
    else:  # a table on stdout: the first engagements, and no more
        (flow,) = flows
        shown = [record["sid"] for record in served(mock, flow, words)]
        assert [sid for sid in re.findall(r"FN[0-9a-f]{32}", result.stdout)] == shown


def setup_lines() -> list[str]:
    lines = [line for language, code in BLOCK.findall(SETUP) for line in code.strip().splitlines()]
    assert len(lines) == 2, "the README has exactly two set-up lines"
    return lines


def test_ci_runs_exactly_the_readme_test_line() -> None:
    _, test_line = setup_lines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert [
        line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ] == [test_line]


@pytest.mark.slow
def test_the_demo_line_works_for_a_user(user_venv: UserVenv, tmp_path: Path) -> None:
    """The demo line's three steps: a venv, the package with its ``cli`` extra, the demo.

    The first two are what ``user_venv`` did (from the wheel built from the sdist: only what a
    clone ships); the demo runs there as the line runs it, from a folder of its own.
    """
    demo_line, _ = setup_lines()
    make, install, run = demo_line.split(" && ")
    assert make == "python3 -m venv .venv"
    assert install == '.venv/bin/pip install -q ".[cli]"'
    program, *args = shlex.split(run)
    assert program == ".venv/bin/studio-engagements"
    env = {k: v for k, v in twilio_env().items() if not k.startswith("VIRTUAL_ENV")}
    result = subprocess.run(
        [user_venv.bin / "studio-engagements", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Exported 3,000 engagements (3,000 distinct)" in result.stdout
