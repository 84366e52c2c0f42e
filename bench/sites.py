"""The two sites of one N: the synthetic entries as a papershelf site and as a Hugo site.

Also how the bench puts them back to cold, edits a note as an editor saves it, and
tells whether a build wrote anything.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import synth

HERE = Path(__file__).resolve().parent
HUGO_LAYOUT = HERE / "hugo"

SITE_YAML = """\
title: Synthetic reading list
description: A generated reading list for the benchmark.
author: Bench
base_url: /
tag_rules:
  reasoning: [reasoning, reasoning models, chain-of-thought]
  moe: [mixture-of-experts, mixture of experts, MoE]
  vision-language: [vision-language, multimodal, visual]
  theorem-proving: [theorem proving, Lean 4, formal mathematical]
  safety: [safety, harmful, jailbreak]
  code: [code LLMs, software, code generation]
  evaluation: [benchmark, benchmarks, evaluation]
  reinforcement-learning: [reinforcement learning, RL]
  chinese-nlp: [Chinese]
"""

@dataclass
class Sites:
    """The papershelf site and the Hugo site of one N, with the same entry files."""

    papershelf: Path
    hugo: Path
    slugs: list[str]
    scratch: Path

    @property
    def out(self) -> Path:
        """papershelf's output folder."""
        return self.papershelf / "_site"

    def reset_papershelf(self) -> None:
        """Back to cold: no output, no cache, no leftovers of an interrupted build."""
        for path in (self.papershelf / "_site", self.papershelf / ".papershelf-cache",
                     *self.papershelf.glob("._site*")):
            discard(path, self.scratch)

    def reset_hugo(self) -> None:
        """Back to cold for Hugo: no public/, no resources/."""
        discard(self.hugo / "public", self.scratch)
        discard(self.hugo / "resources", self.scratch)

    def edit(self, side: str, slug: str, text: str) -> None:
        """Add a line to one paper's notes, saved as editors do (new file renamed over the old)."""
        folder = (self.papershelf if side == "papershelf" else self.hugo) / "content" / "papers"
        path = folder / f"{slug}.md"
        temporary = self.scratch / f"{side}-{slug}.md"
        temporary.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
        os.replace(temporary, path)


def discard(path: Path, scratch: Path) -> None:
    """Move ``path`` into ``scratch/trash``, to be deleted after the timed runs.

    Not deleted now: for some 30 s after thousands of files are deleted, ext4
    creates new files and folders several times slower (its inode allocator
    skips recently deleted inodes), which would add seconds to the next build
    of either tool.
    """
    if path.exists():
        trash = scratch / "trash"
        trash.mkdir(parents=True, exist_ok=True)
        os.rename(path, trash / f"{len(os.listdir(trash))}-{path.name}")


def make_sites(work: Path, n: int) -> Sites:
    """Write the synthetic list of ``n`` papers as a papershelf site and as a Hugo site."""
    root = work / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    ps, hugo, scratch = root / "papershelf", root / "hugo", root / "scratch"
    scratch.mkdir(parents=True)
    paths = synth.write_entries(ps / "content" / "papers", n)
    (ps / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    shutil.copytree(HUGO_LAYOUT, hugo)
    shutil.copytree(ps / "content" / "papers", hugo / "content" / "papers")
    return Sites(ps, hugo, [p.stem for p in paths], scratch)


def snapshot(*folders: Path) -> dict[str, tuple[int, int, int]]:
    """Every file below ``folders`` with (inode, mtime, size): what a build that writes nothing keeps."""
    found = {}
    for folder in folders:
        for dirpath, _, files in os.walk(folder):
            for name in files:
                if name.endswith(".lock"):  # a lock file holds its holder's pid: not an output
                    continue
                path = os.path.join(dirpath, name)
                st = os.stat(path)
                found[path] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def files_written(output: str) -> int | None:
    """The count in papershelf's build summary (``... 12 files written ...``; 0 for nothing changed)."""
    if "nothing changed" in output:
        return 0
    match = re.search(r"(\d+) files? written", output)
    return int(match[1]) if match else None

