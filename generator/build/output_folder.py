"""The output folder as papershelf's own: ``.papershelf-manifest`` lists the files builds
wrote there and, not the cache, proves the folder is papershelf's (the cache keeps a digest of
it, so a folder restored with its cache is trusted); the checks keep a build from replacing a
folder that is not its own (the site, its content, a theme, files no manifest lists); and what
killed builds left behind is removed."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from stat import S_ISDIR

from generator.core.config import Config
from generator.core.errors import BuildError

MANIFEST = ".papershelf-manifest"  # in every built site: the files papershelf wrote there
MANIFEST_HEAD = "papershelf output: the files below were written by papershelf, which replaces them"
BUNDLE = "pagefind"  # the search index's folder
SEARCH_NEW, SEARCH_OLD = f".{BUNDLE}-new-", f".{BUNDLE}-old-"  # the search index's, then a pid
INNER_NEW, INNER_OLD = ".papershelf-new-", ".papershelf-old-"  # a fresh build's, inside a mount point
# inside the output: the search index's, and a fresh build's folders when ``out`` is a mount point
LEFTOVER_DIRS = (SEARCH_NEW, SEARCH_OLD, INNER_NEW, INNER_OLD)


def check_output_folder(config: Config, out: Path, theme_folders: Sequence[Path]) -> None:
    """Refuse an output folder a build would wrongly replace: the site itself, its content
    or its theme."""
    target, root = out.resolve(), config.root.resolve()
    protected = [(root, "the site folder"), (root / "content", "the content folder"),
                 *((folder.resolve(), "a theme folder") for folder in theme_folders)]
    for folder, what in protected:
        if target == folder or folder.is_relative_to(target) or \
                (what != "the site folder" and target.is_relative_to(folder)):
            raise BuildError(f"the output folder {target} would replace {what}",
                             hint="choose another folder with --out or output_dir")
    try:
        st = os.stat(out)
    except (FileNotFoundError, NotADirectoryError):
        return
    if not S_ISDIR(st.st_mode):
        raise BuildError("the output folder is a file, not a folder", path=out,
                         hint="move the file away, or choose another folder with --out or output_dir")


def check_own_folder(out: Path, recorded: bytes | None) -> bool:
    """Whether the cache may be trusted about ``out``: its manifest says what the last build's
    said (``recorded``, from ``manifest_key``); one small read on a no-op build.

    A folder without a valid manifest that holds anything is refused (whatever the cache
    says: the folder may have been replaced by hand); an empty or absent one is not
    trusted, so the build is a fresh one.
    """
    try:
        key = manifest_key(out)
    except (FileNotFoundError, NotADirectoryError):
        key = None
    if key is not None and key == recorded:
        return True
    if key is None or read_manifest(out) is None:
        first = next(iter(_top_names(out)), None)
        if first is not None:
            raise _foreign(out, first)
    return False


def manifest_key(out: Path) -> bytes:
    """What ``out``'s manifest says: a digest of its bytes. Not its inode or times: a deploy
    restores the output folder and the build cache together (``actions/cache``), as new
    files, and the cache must still be trusted about that folder."""
    with open(out / MANIFEST, "rb") as handle:
        return hashlib.blake2b(handle.read(), digest_size=16).digest()


def _top_names(out: Path) -> list[str]:
    """The names at the top of ``out`` but papershelf's manifest, leftovers and temporary
    files (and ``lost+found`` at a mount point), sorted."""
    try:
        names = os.listdir(out)
    except (FileNotFoundError, NotADirectoryError):
        return []
    ignored = mount_ignored(out)
    return sorted(n for n in names if n != MANIFEST and n not in ignored
                  and not n.startswith(LEFTOVER_DIRS) and not is_temp(n))


def mount_ignored(out: Path) -> frozenset[str]:
    return frozenset(["lost+found"]) if os.path.ismount(out) else frozenset()


def check_no_foreign_files(out: Path) -> None:
    """Refuse to replace ``out`` as a whole if it holds a file papershelf did not write
    (not listed in its manifest)."""
    known = read_manifest(out) or set()
    for path in _files(out):
        if path not in known:
            raise _foreign(out, path)


def _foreign(out: Path, path: str | None) -> BuildError:
    what = f"holds {path}, which papershelf did not make" if path else "holds files papershelf did not make"
    return BuildError(f"{out} {what}, and a build replaces the whole folder",
                      path=out / path if path else out,
                      hint="move those files away, or choose a new or empty folder with --out or output_dir")


def _files(out: Path) -> Iterator[str]:
    """Every file below ``out`` as a relative path, except the search bundle, the manifest
    and what killed builds leave (removed by the swap)."""
    ignored = mount_ignored(out)
    for folder, dirs, files in os.walk(out):
        rel = os.path.relpath(folder, out)
        if rel == ".":
            dirs[:] = [d for d in dirs
                       if d != BUNDLE and d not in ignored and not d.startswith(LEFTOVER_DIRS)]
            rel = ""
        else:
            rel += "/"
        for name in files:
            if not is_temp(name) and rel + name != MANIFEST:
                yield rel + name


def read_manifest(out: Path) -> set[str] | None:
    """The files listed in ``out``'s manifest; None when there is none."""
    try:
        text = (out / MANIFEST).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    lines = text.split("\n")  # not splitlines(): a name may hold U+2028, U+0085...
    if lines[-1] == "":
        lines.pop()
    return set(lines[1:]) if lines and lines[0] == MANIFEST_HEAD else None


def manifest_bytes(paths: Iterable[str]) -> bytes:
    """The manifest listing ``paths``, sorted: the same bytes for the same files."""
    return "\n".join([MANIFEST_HEAD, *sorted(paths)]).encode() + b"\n"


def remove_leftovers(out: Path) -> None:
    """Remove what builds killed before they finished left beside and at the top of ``out``
    (staging and old folders, search bundles, temporary files), if their process is gone.
    Temporary files deeper in the folder go with the repairing build's swap."""
    beside = (f".{out.name}.new-", f".{out.name}.old-")
    for folder, prefixes in ((out.parent, beside), (out, LEFTOVER_DIRS)):
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            path = os.path.join(folder, name)
            prefix = next((p for p in prefixes if name.startswith(p)), None)
            if prefix is not None and not _alive(name[len(prefix):].split("-")[0]):
                remove_path(path)
            elif folder == out and is_temp(name) and not _alive(name.rsplit(".", 2)[-2]):
                os.unlink(path)


def remove_path(path: str | Path) -> None:
    """Remove a folder tree, a file or a symbolic link (never what a link points to)."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def is_temp(name: str) -> bool:
    """``.name.PID.tmp``: a file being written atomically."""
    return name.startswith(".") and name.endswith(".tmp")


def _alive(pid: str) -> bool:
    """Whether process ``pid`` (a string from a file name) is running (this one included)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
