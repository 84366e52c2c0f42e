"""The commands the bench runs (papershelf, hugo, Pagefind), found once, with a warm-up run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import synth
from .measure import run
from .sites import SITE_YAML


@dataclass
class Tools:
    """The commands the bench runs."""

    papershelf: str
    hugo: str
    pagefind: str
    env: dict[str, str]

    @classmethod
    def find(cls, work: Path, source: Path | None = None) -> Tools:
        """Locate papershelf (beside this Python), hugo (PATH) and Pagefind (the pagefind[bin] package)."""
        beside = Path(sys.executable).parent / "papershelf"
        papershelf = str(beside) if beside.exists() else shutil.which("papershelf")
        hugo = shutil.which("hugo")
        if not papershelf:
            sys.exit("bench: papershelf is not installed (pip install -e . in the venv)")
        if not hugo:
            sys.exit("bench: hugo is not on PATH (make bench installs it: bash scripts/install-system-deps)")
        from pagefind_bin import get_executable

        # Bytecode is cached (in the work folder, leaving the source tree alone) as in any installed
        # copy: a shell that sets PYTHONDONTWRITEBYTECODE would otherwise time compiling every run.
        env = {**os.environ, "HUGO_CACHEDIR": str(work / "hugo-cache"),
               "PYTHONPYCACHEPREFIX": str(work / "pycache")}
        for name in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        if source is not None:  # another checkout's generator/ (and themes/) before the installed one
            env["PYTHONPATH"] = str(source)
        return cls(papershelf, hugo, str(get_executable()), env)

    def version(self, cmd: list[str]) -> str:
        """The first line a ``--version`` style command prints, or why not."""
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=self.env)
        except OSError as exc:
            return f"unavailable ({exc.strerror})"
        return (done.stdout.strip() or done.stderr.strip() or "?").splitlines()[0]

    def warm_up(self, work: Path) -> None:
        """Import, build and search a 5-paper site once, so that bytecode is cached before timing."""
        site = work / "warm-up"
        shutil.rmtree(site, ignore_errors=True)
        synth.write_entries(site / "content" / "papers", 5)
        (site / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        dumps = synth.write_dumps(work / "warm-up-dumps", 5)
        run([self.papershelf, "import", "--site", str(site), *map(str, dumps)], env=self.env).check("import")
        run([self.papershelf, "build", "--site", str(site)], env=self.env).check("build")
        if self.has_serve():
            run([self.papershelf, "serve", "--help"], env=self.env)
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(work / "warm-up-dumps", ignore_errors=True)

    def has_serve(self) -> bool:
        """Whether this papershelf has the ``serve`` command yet."""
        done = subprocess.run([self.papershelf, "serve", "--help"], capture_output=True, env=self.env)
        return done.returncode == 0

