"""A built wheel works on its own: installed into a fresh virtualenv, asked from outside the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with only the wheel installed; the dependencies come from this one's
    site-packages by path (no .pth in it is run, so the checkout's editable install is not seen)."""
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "warning" not in build.stderr.lower().replace("location", ""), build.stderr
    (wheel,) = (work / "dist").glob("crampbot-*.whl")
    env = work / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    return env


def run(env: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(env / "bin" / "crampbot"), *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=env.parent,
        timeout=120,
    )


def test_the_installed_wheel_answers_from_its_bundled_knowledge(installed: Path) -> None:
    result = run(installed, "ask", "What causes leg cramps at night?", "--json")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["matched"] and reply["passage"]["id"]


def test_the_installed_wheel_reads_knowledge_from_inside_the_package(installed: Path) -> None:
    code = "from bot.corpus.passages import BUNDLED_KNOWLEDGE as k; print(k); print((k / 'sources.yaml').is_file())"
    result = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=installed.parent,
        check=True,
    )
    where, exists = result.stdout.split()
    assert str(installed) in where and exists == "True"
    assert str(ROOT) not in where


def test_the_installed_wheel_checks_and_lists_passages(installed: Path) -> None:
    assert run(installed, "check").returncode == 0
    listing = run(installed, "passages")
    assert listing.returncode == 0 and "curated entries" in listing.stdout


def test_version_is_the_projects_one(installed: Path) -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{run(installed, "--version").stdout.split()[-1]}"' in pyproject


def test_the_installed_wheel_evaluates_itself(installed: Path) -> None:
    result = run(installed, "eval", "--no-baselines", "--json")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert json.loads(result.stdout)["passed"] is True


def test_the_installed_wheel_serves_the_api_and_widget(installed: Path) -> None:
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(installed / "bin" / "crampbot"), "serve", "--port", str(port)],
        cwd=installed.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as response:
                    assert json.load(response)["status"] == "ok"
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/widget.js", timeout=5) as response:
            assert b"crampbot" in response.read()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_every_python_package_under_bot_is_listed_in_pyproject() -> None:
    """A new subpackage left out of pyproject.toml's list is missing from the wheel."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(root).parts)
        for init in (root / "bot").rglob("__init__.py")
        if "bundled" not in init.parts
    }
    assert found <= listed, f"add to pyproject.toml's packages: {sorted(found - listed)}"
