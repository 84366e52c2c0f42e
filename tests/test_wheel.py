"""The built wheel, installed into a clean virtual environment outside the repository, runs a
new user's whole path: ``init``, import, build, serve, check, and the new site's own
``make build``. Why: the checkout's editable install hides what the wheel forgets (the
theme, the skeleton) or where ``init`` tells the new site to install papershelf from.

pip finds the dependencies as ``make`` does here: its own configuration and package index.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, ctrl_c_stops

SEED = ROOT / "content" / "sources" / "arxiv-listing.txt"


def _env() -> dict[str, str]:
    """The caller's environment without anything that would import the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(ROOT)))
    return env


def sh(*cmd, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv outside the repository with papershelf installed from a freshly built wheel."""
    work = tmp_path_factory.mktemp("wheel")
    sh(sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", ROOT, cwd=work)
    (wheel,) = (work / "dist").glob("papershelf-*.whl")
    sh(sys.executable, "-m", "venv", work / "venv", cwd=work)
    sh(work / "venv" / "bin" / "pip", "install", "-q", wheel, cwd=work)
    return work


def _where(venv: Path, code: str) -> Path:
    out = sh(venv / "bin" / "python", "-c", f"print({code})", cwd=venv)
    return Path(out.stdout.strip())


def test_the_wheel_runs_outside_the_checkout(installed):
    venv, bin_ = installed / "venv", installed / "venv" / "bin"
    site_packages = _where(venv, "__import__('sysconfig').get_paths()['purelib']")
    package = _where(venv, "__import__('generator').__file__").parent
    theme = _where(venv, "__import__('importlib').import_module('generator.site.theme').builtin_theme_dir()")
    pagefind = _where(venv, "__import__('importlib').import_module('generator.build.search_index')"
                            ".pagefind_executable()")
    assert package == site_packages / "generator"
    assert theme == package / "themes" / "default" and (theme / "templates").is_dir()
    assert pagefind.is_relative_to(venv), pagefind

    site = installed / "my-list"
    sh(bin_ / "papershelf", "init", site, "--title", "My list", cwd=installed)
    (site / "content" / "sources" / SEED.name).write_bytes(SEED.read_bytes())
    out = sh(bin_ / "papershelf", "import", f"content/sources/{SEED.name}", cwd=site).stdout
    assert "10 papers: 10 new" in out
    sh(bin_ / "papershelf", "build", cwd=site)
    assert len(list((site / "_site" / "papers").glob("*/index.html"))) == 10
    parts = json.loads((site / "_site" / "pagefind" / "parts.json").read_text())["parts"]
    assert parts and all((site / "_site" / "pagefind" / part / "pagefind.js").is_file() for part in parts)
    css = {p.name for p in (theme / "assets").rglob("*.css")}
    assert css and css <= {p.name for p in (site / "_site").rglob("*.css")}
    sh(bin_ / "papershelf", "check", cwd=site)

    port = _free_port()
    server = subprocess.Popen([bin_ / "papershelf", "serve", "--port", str(port), "--no-search"],
                              cwd=site, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              preexec_fn=ctrl_c_stops)
    try:
        page = _get(f"http://127.0.0.1:{port}/", server)
        assert "My list" in page
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0, server.stdout.read().decode()


def test_init_from_the_wheel_writes_a_site_that_builds_with_its_own_make(installed):
    """The Makefile names the wheel papershelf came from; ``make build`` needs no edit."""
    site = installed / "second-list"
    sh(installed / "venv" / "bin" / "papershelf", "init", site, cwd=installed)
    direct = json.loads(next((installed / "venv").rglob("papershelf-*.dist-info/direct_url.json"))
                        .read_text())
    assert f"PAPERSHELF ?= papershelf @ {direct['url']}\n" in (site / "Makefile").read_text()
    (site / "content" / "sources" / SEED.name).write_bytes(SEED.read_bytes())
    sh("make", "build", cwd=site)
    assert len(list((site / "_site" / "papers").glob("*/index.html"))) == 10
    own = _where(site / ".venv", "__import__('generator').__file__")
    assert own.is_relative_to(site / ".venv"), own


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, server: subprocess.Popen, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.read().decode()
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
