"""The package's shape, read from its source: stage import rules, no cycles, sizes, docstrings, packages.

The stages are layered so that each can be read, tested and loaded without the ones above
it (a build never loads the importer, the online client or the preview server). The
checkers take the package folder, so they also run on small synthetic packages below,
which show that each rule catches what it is meant to catch.
"""

from __future__ import annotations

import ast
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# stage -> the parts of the package it must never import (stage = first name under generator/).
STAGES = ("core", "ingest", "online", "site", "build", "preview", "cli", "scaffold")
FORBIDDEN: dict[str, frozenset[str]] = {
    "core": frozenset(STAGES) - {"core"},
    "ingest": frozenset({"site", "build", "online", "preview", "cli"}),
    "online": frozenset({"site", "build", "preview", "cli"}),
    "site": frozenset({"build", "preview", "online", "ingest", "cli"}),
    "build": frozenset({"preview", "online", "ingest", "cli"}),
}
ONLY_CLI_IMPORTS = "preview"  # besides the preview package itself
NOBODY_IMPORTS = "cli"
MAX_CLASS_LINES = 150
MAX_FUNCTION_LINES = 50


@dataclass(frozen=True)
class Import:
    """One import statement's target inside the package, with where it is written."""

    source: str  # dotted name of the importing module
    target: str  # dotted name of the imported module (the package when it names no module)
    file: Path
    line: int

    def where(self) -> str:
        return f"{self.file}:{self.line}"


def shown(path: Path, root: Path) -> Path:
    """``path`` as messages show it: from the folder holding the package (``generator/...``)."""
    return path.relative_to(root.parent)


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package at ``root``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _resolve_relative(module: str, path: Path, level: int, name: str | None) -> str:
    package = _package_of(module, path).split(".")
    base = package[:len(package) - (level - 1)] if level > 1 else package
    return ".".join([*base, *([name] if name else [])])


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a module of the package, if any."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def _targets(node: ast.AST, module: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if found := _known(alias.name, modules):
                yield found
    elif isinstance(node, ast.ImportFrom):
        base = _resolve_relative(module, path, node.level, node.module) if node.level else node.module
        for alias in node.names:
            # ``from generator.site import views`` imports the module views, not just the package
            if found := _known(f"{base}.{alias.name}", modules) or _known(base or "", modules):
                yield found


def imports(root: Path) -> list[Import]:
    """Every import inside the package at ``root``: absolute and relative, at module level, in
    functions and in ``TYPE_CHECKING`` blocks (``ast.walk`` visits them all)."""
    modules = module_files(root)
    found = []
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for target in dict.fromkeys(_targets(node, module, path, modules)):  # once per statement
                if target != module:
                    found.append(Import(module, target, shown(path, root), node.lineno))
    return found


def stage_of(module: str) -> str | None:
    """``generator.site.views`` -> ``site``; None for the root package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def rule_violations(root: Path) -> list[str]:
    """Each import that breaks a stage rule, as ``file:line: source -> target (rule)``."""
    problems = []
    for imp in imports(root):
        source, target = stage_of(imp.source), stage_of(imp.target)
        if target is None or source == target:
            continue
        why = None
        if target in FORBIDDEN.get(source or "", ()):
            why = f"{source} never imports {target}"
        elif target == NOBODY_IMPORTS:
            why = "nothing imports cli.py"
        elif target == ONLY_CLI_IMPORTS and source != "cli":
            why = "only cli.py imports preview"
        if why:
            problems.append(f"{imp.where()}: {imp.source} -> {imp.target} ({why})")
    return problems


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of ``graph`` (iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def import_cycles(root: Path) -> list[str]:
    """Each group of modules that import one another in a circle, with the imports that close
    it (a lazy import inside a function counts: it is a cycle waiting for its caller)."""
    found = imports(root)
    graph: dict[str, set[str]] = {m: set() for m in module_files(root)}
    for imp in found:
        graph[imp.source].add(imp.target)
    cycles = []
    for component in strongly_connected(graph):
        if len(component) > 1:
            members = set(component)
            edges = "; ".join(f"{i.where()} {i.source} -> {i.target}" for i in found
                              if i.source in members and i.target in members)
            cycles.append(f"cycle {' <-> '.join(component)}: {edges}")
    return sorted(cycles)


def oversized(root: Path) -> list[str]:
    """Every class over 150 lines and function over 50 lines, as ``file:line name (n lines)``."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ClassDef):
                kind, limit = "class", MAX_CLASS_LINES
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                kind, limit = "function", MAX_FUNCTION_LINES
            else:
                continue
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                problems.append(f"{shown(path, root)}:{node.lineno}: {kind} {node.name} is {length} lines "
                                f"(at most {limit})")
    return problems


def missing_docstrings(root: Path) -> list[str]:
    """Every module of the package without a module docstring."""
    return [str(shown(path, root)) for path in sorted(root.rglob("*.py"))
            if not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()]


def missing_inits(root: Path) -> list[str]:
    """Every folder of the package holding modules but no ``__init__.py`` (a namespace package
    by accident: tools that look for packages by their ``__init__.py`` pass it by)."""
    folders = sorted({p.parent for p in root.rglob("*.py") if "__pycache__" not in p.parts})
    return [f"{shown(f, root)}/" for f in folders if not (f / "__init__.py").is_file()]


def git_ignored(root: Path) -> list[str]:
    """Every file of the package that the repository's ignore rules match (``git check-ignore``
    on the paths, whether tracked or not): a wheel builder that honours .gitignore leaves them
    out of the installed package."""
    files = [str(p.relative_to(root.parent)) for p in sorted(root.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    done = subprocess.run(["git", "check-ignore", "--no-index", "--verbose", "--stdin"],
                          cwd=root.parent, input="\n".join(files), capture_output=True, text=True)
    if done.returncode == 128:
        pytest.skip(f"not a git checkout: {done.stderr.strip()}")
    return [line.replace("\t", " matches ") for line in done.stdout.splitlines()]


# ---- the package itself ----------------------------------------------------------------------

def test_the_checkers_see_the_real_package():
    """Guards against a vacuous pass: the walk finds the modules and imports that exist."""
    modules = module_files(PACKAGE)
    assert {"generator", "generator.cli", "generator.core.config", "generator.build.pages",
            "generator.ingest.sources"} <= set(modules)
    edges = {(i.source, i.target) for i in imports(PACKAGE)}
    assert ("generator.build.pages", "generator.site.views") in edges
    assert ("generator.cli", "generator.preview.session") in edges  # lazy, inside a command
    assert ("generator.ingest.sources", "generator.ingest.sources.hf") in edges  # from pkg import mod


def test_stages_import_only_what_their_rules_allow():
    """core imports no other stage; ingest, online, site and build stay below their rules; only
    cli.py imports preview; nothing imports cli.py."""
    problems = rule_violations(PACKAGE)
    assert not problems, "\n".join(problems)


def test_no_import_cycles_between_modules():
    """Modules form a DAG, lazy imports included."""
    cycles = import_cycles(PACKAGE)
    assert not cycles, "\n".join(cycles)


def test_no_class_over_150_lines_and_no_function_over_50_lines():
    """Small units: the message names every offender with file:line and its length."""
    problems = oversized(PACKAGE)
    assert not problems, f"{len(problems)} too long:\n" + "\n".join(problems)


def test_every_module_has_a_docstring():
    """Each module says why it exists."""
    problems = missing_docstrings(PACKAGE)
    assert not problems, "modules without a docstring:\n" + "\n".join(problems)


def test_every_folder_of_modules_is_a_package():
    """Each stage folder has its ``__init__.py`` (and with it a docstring saying what it holds)."""
    problems = missing_inits(PACKAGE)
    assert not problems, "folders without __init__.py:\n" + "\n".join(problems)


def test_no_file_of_the_package_is_git_ignored():
    """The wheel is built from the files git does not ignore: an ignore rule meant for a
    top-level folder (``build/``) must not also match a stage of the package."""
    problems = git_ignored(PACKAGE)
    assert not problems, "ignored by .gitignore, so missing from the wheel:\n" + "\n".join(problems)


# ---- the checkers, on synthetic packages ------------------------------------------------------

def make_package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package ``generator`` in ``tmp_path`` with ``files`` (relative path -> source); every
    folder gets an ``__init__.py`` with a docstring unless ``files`` gives one."""
    root = tmp_path / "generator"
    root.mkdir()
    (root / "__init__.py").write_text('"""Root."""\n')
    for name, source in files.items():
        path = root / name
        for folder in path.relative_to(root).parents:
            init = root / folder / "__init__.py"
            if not init.exists():
                init.parent.mkdir(parents=True, exist_ok=True)
                init.write_text('"""Package."""\n')
        path.write_text(textwrap.dedent(source))
    return root


def one_module_importing(tmp_path: Path, source: str, statement: str) -> Path:
    """``generator/<source>/m.py`` holding ``statement``, with a module in every stage."""
    files = {f"{stage}/x.py": '"""X."""\n' for stage in STAGES if stage not in ("cli", "scaffold")}
    files |= {"cli.py": '"""Cli."""\n', "scaffold.py": '"""Scaffold."""\n'}
    path = f"{source}.py" if source in ("cli", "scaffold") else f"{source}/m.py"
    files[path] = f'"""M."""\n\n{statement}\n'
    return make_package(tmp_path, files)


FORBIDDEN_PAIRS = sorted({(s, t) for s, targets in FORBIDDEN.items() for t in targets}
                         | {(s, "preview") for s in STAGES if s not in ("preview", "cli")}
                         | {(s, "cli") for s in STAGES if s != "cli"})
ALLOWED_PAIRS = [("ingest", "core"), ("online", "core"), ("online", "ingest"), ("site", "core"),
                 ("build", "core"), ("build", "site"), ("preview", "build"), ("preview", "site"),
                 ("cli", "preview"), ("cli", "build"), ("cli", "online"), ("cli", "scaffold"),
                 ("scaffold", "core")]


def _module_of(stage: str) -> str:
    return f"generator.{stage}" if stage in ("cli", "scaffold") else f"generator.{stage}.x"


@pytest.mark.parametrize(("source", "target"), FORBIDDEN_PAIRS)
def test_each_forbidden_stage_import_is_reported_with_its_line(tmp_path, source, target):
    root = one_module_importing(tmp_path, source, f"from {_module_of(target)} import thing")
    problems = rule_violations(root)
    assert len(problems) == 1, problems
    file = f"{source}.py" if source in ("cli", "scaffold") else f"{source}/m.py"
    assert problems[0].startswith(f"generator/{file}:3: ")
    assert f"-> {_module_of(target)} " in problems[0]


@pytest.mark.parametrize(("source", "target"), ALLOWED_PAIRS)
def test_allowed_stage_imports_pass(tmp_path, source, target):
    root = one_module_importing(tmp_path, source, f"import {_module_of(target)}")
    assert imports(root), "the import was not seen"
    assert rule_violations(root) == []


@pytest.mark.parametrize("statement", [
    "import generator.build.x",
    "import generator.build.x as b",
    "from generator.build import x",
    "from generator import build",
    "from ..build import x",
    "from ..build.x import thing",
    "from .. import build",
    "def later():\n    from generator.build.x import thing",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from generator.build.x import Thing",
    "class K:\n    def method(self):\n        import generator.build.x",
    "try:\n    pass\nexcept ImportError:\n    from generator.build.x import thing",
])
def test_every_form_of_import_is_seen(tmp_path, statement):
    """Absolute, relative, aliased, lazy (in a function or method) and type-only imports."""
    root = one_module_importing(tmp_path, "site", statement)
    problems = rule_violations(root)
    assert len(problems) == 1 and "generator.site.m -> generator.build" in problems[0], problems


def test_relative_imports_resolve_from_the_module_and_from_a_package_init(tmp_path):
    root = make_package(tmp_path, {
        "core/a.py": '"""A."""\nfrom . import b\nfrom .b import thing\n',
        "core/b.py": '"""B."""\nthing = 1\n',
        "site/__init__.py": '"""Site."""\nfrom . import v\nfrom ..core import a\n',
        "site/v.py": '"""V."""\nfrom .sub.deep import w\n',
        "site/sub/deep.py": '"""Deep."""\nfrom ...core.b import thing\n',
    })
    assert sorted((i.source, i.target, i.line) for i in imports(root)) == [
        ("generator.core.a", "generator.core.b", 2), ("generator.core.a", "generator.core.b", 3),
        ("generator.site", "generator.core.a", 3), ("generator.site", "generator.site.v", 2),
        ("generator.site.sub.deep", "generator.core.b", 2),
        ("generator.site.v", "generator.site.sub.deep", 2),
    ]


def test_imports_from_outside_the_package_are_ignored(tmp_path):
    root = one_module_importing(tmp_path, "core", "import os\nimport jinja2\nfrom generatorx import y")
    assert imports(root) == [] and rule_violations(root) == []


def test_the_preview_package_may_import_itself(tmp_path):
    root = make_package(tmp_path, {"preview/server.py": '"""S."""\nfrom generator.preview.y import z\n',
                                   "preview/y.py": '"""Y."""\n'})
    assert rule_violations(root) == []


def test_a_two_module_cycle_through_a_lazy_import_is_reported_with_both_lines(tmp_path):
    root = make_package(tmp_path, {
        "site/a.py": '"""A."""\nfrom generator.site.b import f\n',
        "site/b.py": '"""B."""\n\ndef f():\n    from generator.site import a\n',
        "site/c.py": '"""C."""\nfrom generator.site import a\n',
    })
    cycles = import_cycles(root)
    assert len(cycles) == 1, cycles
    assert cycles[0].startswith("cycle generator.site.a <-> generator.site.b:")
    assert "generator/site/a.py:2 " in cycles[0] and "generator/site/b.py:4 " in cycles[0]
    assert "site.c" not in cycles[0]


def test_a_longer_cycle_and_a_package_init_cycle_are_each_reported(tmp_path):
    root = make_package(tmp_path, {
        "core/a.py": '"""A."""\nfrom .b import x\n',
        "core/b.py": '"""B."""\nfrom .c import x\n',
        "core/c.py": '"""C."""\nfrom .a import x\n',
        "site/__init__.py": '"""Site."""\nfrom .v import x\n',
        "site/v.py": '"""V."""\nfrom generator.site import y\n',
    })
    cycles = import_cycles(root)
    assert [c.split(":")[0] for c in cycles] == [
        "cycle generator.core.a <-> generator.core.b <-> generator.core.c",
        "cycle generator.site <-> generator.site.v",
    ]


def test_a_layered_package_has_no_cycle(tmp_path):
    root = make_package(tmp_path, {
        "core/a.py": '"""A."""\n',
        "site/v.py": '"""V."""\nfrom generator.core import a\n',
        "build/p.py": '"""P."""\nfrom generator.site import v\nfrom generator.core import a\n',
        "cli.py": '"""Cli."""\n\ndef go():\n    from generator.build import p\n',
    })
    assert import_cycles(root) == []


def test_strongly_connected_components_of_a_small_graph():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": set()}
    assert sorted(strongly_connected(graph)) == [["a", "b", "c"], ["d", "e"], ["f"]]


def _body(lines: int) -> str:
    return "".join(f"    x{i} = {i}\n" for i in range(lines))


def test_sizes_name_every_offender_with_file_line_and_length(tmp_path):
    root = make_package(tmp_path, {
        "core/ok.py": '"""Ok."""\n\ndef fits():\n' + _body(49) + "\n\nclass Fits:\n" + _body(149),
        "site/big.py": ('"""Big."""\n\ndef too_long():\n' + _body(50)
                        + "\n\nasync def also_too_long():\n" + _body(51)
                        + "\n\nclass TooLong:\n" + _body(150)
                        + "\n\nclass Holder:\n    def method(self):\n"
                        + _body(51).replace("    ", "        ")),
    })
    problems = oversized(root)
    big = "generator/site/big.py"
    assert problems == [
        f"{big}:3: function too_long is 51 lines (at most 50)",
        f"{big}:56: function also_too_long is 52 lines (at most 50)",
        f"{big}:110: class TooLong is 151 lines (at most 150)",
        f"{big}:264: function method is 52 lines (at most 50)",
    ]


def test_a_package_without_oversized_units_passes(tmp_path):
    """The exact limits pass: a 50-line function, a 150-line class."""
    root = make_package(tmp_path, {"core/ok.py": '"""Ok."""\n\ndef fits():\n' + _body(49)
                                   + "\n\nclass Fits:\n" + _body(149)})
    assert oversized(root) == []


def test_modules_without_a_docstring_are_named(tmp_path):
    root = make_package(tmp_path, {
        "core/good.py": '"""Why it exists."""\nx = 1\n',
        "core/bare.py": "x = 1\n",
        "core/comment.py": '# a comment is not a docstring\nx = "text"\n',
        "core/blank.py": '"""   """\n',
        "site/__init__.py": "",
    })
    assert missing_docstrings(root) == [f"generator/core/{n}.py" for n in ("bare", "blank", "comment")] \
        + ["generator/site/__init__.py"]


def test_a_folder_of_modules_without_an_init_is_named(tmp_path):
    root = make_package(tmp_path, {"core/a.py": '"""A."""\n', "site/v.py": '"""V."""\n'})
    assert missing_inits(root) == []
    (root / "site" / "__init__.py").unlink()
    (root / "site" / "__pycache__").mkdir()
    (root / "site" / "__pycache__" / "stale.py").write_text("")
    (root / "assets").mkdir()
    (root / "assets" / "style.css").write_text("")  # no module: no package needed
    assert missing_inits(root) == ["generator/site/"]


def test_git_ignored_files_of_a_package_are_named(tmp_path):
    root = make_package(tmp_path, {"build/driver.py": '"""D."""\n', "site/v.py": '"""V."""\n'})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert git_ignored(root) == []
    (tmp_path / ".gitignore").write_text("build/\n")
    assert git_ignored(root) == [".gitignore:1:build/ matches generator/build/__init__.py",
                                 ".gitignore:1:build/ matches generator/build/driver.py"]
    (tmp_path / ".gitignore").write_text("/build/\n")  # the top-level folder only
    assert git_ignored(root) == []
