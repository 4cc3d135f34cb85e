"""The distribution: what the wheel holds, and that it installs and imports without dev tools."""

from __future__ import annotations

import re
import subprocess
import tarfile
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from .helpers import ROOT, SPEC_PATH, Dists, UserVenv


@pytest.fixture(scope="module")
def wheel(dists: Dists) -> Path:
    return dists.wheel


def test_wheel_holds_both_packages_the_spec_and_markers(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "studio_engagements/openapi/studio_v1_engagements.yaml" in names
    assert "studio_engagements/py.typed" in names
    assert "studio_engagements_api/py.typed" in names
    assert "studio_engagements_api/models/engagement.py" in names
    assert "studio_engagements_api/_parameters.py" in names
    packaged = zipfile.ZipFile(wheel).read("studio_engagements/openapi/studio_v1_engagements.yaml")
    assert packaged == SPEC_PATH.read_bytes()


def test_wheel_holds_the_license_and_names_the_project_urls(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
    licenses = metadata.replace("METADATA", "licenses/LICENSE")
    assert archive.read(licenses) == (ROOT / "LICENSE").read_bytes()
    headers = archive.read(metadata).decode()
    assert "License-Expression: MIT" in headers
    urls = re.findall(r"^Project-URL: ([^,]+), (\S+)$", headers, flags=re.MULTILINE)
    assert {label for label, _ in urls} >= {"Homepage", "Repository", "Changelog", "Issues"}
    assert all(url.startswith("https://") for _, url in urls)


def test_wheel_metadata_says_what_the_package_is_and_for_whom(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
    headers = archive.read(metadata).decode().split("\n\n", 1)[0]
    (summary,) = re.findall(r"^Summary: (.+)$", headers, flags=re.MULTILINE)
    for words in ("client", "exporter", "archiver", "Engagements", "steps", "flows", "mock"):
        assert words in summary, words
    classifiers = set(re.findall(r"^Classifier: (.+)$", headers, flags=re.MULTILINE))
    assert {
        "Development Status :: 4 - Beta",
        "Environment :: Console",
        "Intended Audience :: Developers",
        "Intended Audience :: System Administrators",
        "Operating System :: OS Independent",
        "Typing :: Typed",
    } <= classifiers
    assert any(classifier.startswith("Topic :: ") for classifier in classifiers)
    # PEP 639: the license is the License-Expression; a License :: classifier beside it is refused.
    assert not any(classifier.startswith("License :: ") for classifier in classifiers)
    (keywords,) = re.findall(r"^Keywords: (.+)$", headers, flags=re.MULTILINE)
    assert {"twilio", "studio", "engagements", "export", "archive", "mock"} <= set(
        keywords.split(",")
    )


@pytest.mark.slow
def test_sdist_holds_everything_the_readme_links(dists: Dists) -> None:
    with tarfile.open(dists.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = {
        target.split("#")[0]
        for target in re.findall(r"\]\(([^)]+)\)", readme)
        if "://" not in target and not target.startswith("#")
    }
    assert "BENCHMARKS.md" in linked
    assert linked | {"LICENSE", "README.md", "pyproject.toml"} <= names


@pytest.mark.slow
def test_wheel_installs_and_imports_without_dev_tools(user_venv: UserVenv) -> None:
    result = user_venv.run(
        "import studio_engagements, studio_engagements_api;"
        "print(studio_engagements.__version__);"
        "print(sorted(m for m, module in sys.modules.items()"
        "             if module and m.split('.')[0] in {'yaml', 'click', 'rich'}))",
    )
    assert result.returncode == 0, result.stderr  # nothing outside its own requirements needed
    version, third_party = result.stdout.splitlines()
    assert version.count(".") == 2
    assert third_party == "[]"
    listing = subprocess.run(
        user_venv.pip("list", "--format=freeze"), capture_output=True, text=True, check=True
    ).stdout
    assert "twilio-studio-engagements" in listing
    assert "pytest" not in listing
    assert "openapi-python-client" not in listing


def test_installed_spec_is_reachable_through_importlib_resources() -> None:
    packaged = resources.files("studio_engagements").joinpath("openapi/studio_v1_engagements.yaml")
    assert packaged.read_bytes() == SPEC_PATH.read_bytes()


USER_STORY = """
import asyncio
from studio_engagements import AsyncStudioClient, StudioClient
from studio_engagements.testing import MockStudio

FLOW = "FW" + "c" * 32
mock = MockStudio(flows={FLOW: 2500})
with mock.serve() as url:
    credentials = {"account_sid": mock.account_sid, "auth_token": mock.auth_token}
    with StudioClient(**credentials, base_url=url) as client:
        everything = client.engagements.list(FLOW)
        first7 = client.engagements.list(FLOW, limit=7)

    async def main():
        async with AsyncStudioClient(**credentials, base_url=url) as client:
            return await client.engagements.list(FLOW), await client.engagements.list(FLOW, limit=7)

    async_everything, async_first7 = asyncio.run(main())
sids = [e.sid for e in everything]
print(len(everything), len(set(sids)), len(first7), len(async_everything), len(async_first7))
print([e.sid for e in first7] == sids[:7] == [e.sid for e in async_first7])
print([e.sid for e in async_everything] == sids)
"""


@pytest.mark.slow
def test_a_user_with_only_the_mock_extra_gets_every_engagement(
    user_venv: UserVenv, tmp_path: Path
) -> None:
    result = user_venv.run("print(BLOCKED)\n" + USER_STORY, "mock", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    blocked, *story = result.stdout.splitlines()
    assert "'click'" in blocked, blocked  # the cli extra's distributions are out of reach
    assert "'rich'" in blocked, blocked
    assert " ".join(story).split() == ["2500", "2500", "7", "2500", "7", "True", "True"]
