"""site.yaml: loaded and validated once into a frozen Config passed to every step."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from generator.core.errors import ConfigError
from generator.core.names import normal_name
from generator.core.validate import is_tag_name

CONFIG_NAME = "site.yaml"
CACHE_DIR = ".papershelf-cache"  # build and import caches, never committed

# key -> the type its value must have (the defaults are those of Config below).
SCHEMA: dict[str, type | tuple[type, ...]] = {
    "title": str, "description": str, "author": str, "base_url": str, "language": str,
    "theme": str, "theme_dir": (str, type(None)), "output_dir": str, "feed_size": int,
    "per_page": int, "tag_rules": dict, "author_aliases": dict,
}


@dataclass(frozen=True)
class Config:
    """The site's settings and the paths derived from its root folder."""

    root: Path
    title: str = "Reading list"
    description: str = "Papers I am reading, with notes."
    author: str = ""
    base_url: str = "/"
    language: str = "en"
    theme: str = "default"
    theme_dir: str | None = None
    output_dir: str = "_site"
    feed_size: int = 50
    per_page: int = 100
    tag_rules: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)
    # canonical author name -> the other spellings merged into it (names as ``normal_name``)
    author_aliases: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)

    @property
    def papers_dir(self) -> Path:
        """Where the entry files live."""
        return self.root / "content" / "papers"

    @property
    def sources_dir(self) -> Path:
        """Where the raw dumps are kept."""
        return self.root / "content" / "sources"

    @property
    def cache_dir(self) -> Path:
        """Where papershelf keeps what it can always recompute."""
        return self.root / CACHE_DIR

    @property
    def path(self) -> Path:
        """The site.yaml file itself."""
        return self.root / CONFIG_NAME


def find_site_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds a site.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(
        f"no {CONFIG_NAME} in {start} or any folder above it",
        hint="run inside a site, pass --site DIR, or create one with 'papershelf init DIR'",
    )


def load_config(root: Path) -> Config:
    """Read and validate ``root/site.yaml``."""
    path = root / CONFIG_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"no {CONFIG_NAME} here", path=root,
                          hint="pass --site DIR or run 'papershelf init DIR'") from exc
    text = _decode(data, path)
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path,
                          line=mark.line + 1 if mark else None,
                          column=mark.column + 1 if mark else None) from exc
    if not isinstance(data, dict):
        raise ConfigError("site.yaml must be a mapping of 'key: value' lines", path=path, line=1)
    lines = _key_lines(node)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in SCHEMA:
            known = ", ".join(SCHEMA)
            raise ConfigError(f"unknown key {key!r}", path=path, line=lines.get(key),
                              hint=f"known keys: {known}")
        expected = SCHEMA[key]
        if not isinstance(value, expected) or isinstance(value, bool):
            name = expected.__name__ if isinstance(expected, type) else expected[0].__name__
            raise ConfigError(f"{key} must be a {name}", path=path, line=lines.get(key))
        values[key] = value
    for key, least in (("feed_size", 1), ("per_page", 0)):
        if values.get(key, least) < least:
            raise ConfigError(f"{key} must be at least {least}", path=path, line=lines.get(key))
    if not values.get("output_dir", "_site").strip():
        raise ConfigError("output_dir must name a folder", path=path, line=lines.get("output_dir"))
    values["tag_rules"] = _tag_rules(values.get("tag_rules", {}), path, lines.get("tag_rules"))
    values["base_url"] = normalize_base_url(values.get("base_url", "/"))
    values["author_aliases"] = _author_aliases(values.get("author_aliases", {}), path,
                                               _nested_lines(node, "author_aliases"))
    return Config(root=root, **values)


def normalize_base_url(url: str) -> str:
    """Always end the base URL with a slash: ``/repo`` -> ``/repo/``."""
    url = url.strip() or "/"
    return url if url.endswith("/") else url + "/"


def _tag_rules(raw: dict, path: Path, line: int | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    rules = []
    for tag, keywords in raw.items():
        if isinstance(keywords, str):
            keywords = [keywords]
        if not is_tag_name(tag) or not isinstance(keywords, list) \
                or not all(isinstance(k, str) for k in keywords):
            raise ConfigError(
                f"tag_rules: {tag!r} must map a tag (letters, digits, '-') to a list of keywords",
                path=path, line=line)
        rules.append((tag, tuple(keywords)))
    return tuple(rules)


def _author_aliases(raw: dict, path: Path, lines: dict[Any, int]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``author_aliases`` as (canonical, spellings) pairs, every name normalised; a spelling
    under two canonical names, a canonical name listed twice or that is another's spelling, is
    an error at its line."""
    owner: dict[str, str] = {}
    pairs: dict[str, tuple[str, ...]] = {}
    where: dict[str, int | None] = {}
    for canonical, spellings in raw.items():
        line = lines.get(canonical, lines.get("author_aliases"))
        spellings = [spellings] if isinstance(spellings, str) else spellings
        if not isinstance(canonical, str) or not normal_name(canonical) or not isinstance(spellings, list) \
                or not all(isinstance(s, str) and normal_name(s) for s in spellings):
            raise ConfigError(f"author_aliases: {canonical!r} must map an author's name to a list of "
                              "other spellings of it", path=path, line=line)
        name = normal_name(canonical)
        if name in pairs:
            raise ConfigError(f"author_aliases: {name!r} is listed twice", path=path, line=line,
                              hint="merge its spellings into one list")
        pairs[name] = tuple(dict.fromkeys(s for s in map(normal_name, spellings) if s != name))
        where[name] = line
        for spelling in pairs[name]:
            if owner.setdefault(spelling, name) != name:
                raise ConfigError(f"author_aliases: {spelling!r} is listed under both "
                                  f"{owner[spelling]!r} and {name!r}", path=path, line=line,
                                  hint="list each spelling under one name")
    for name in pairs:
        if name in owner:
            raise ConfigError(f"author_aliases: {name!r} is a name of its own and a spelling of "
                              f"{owner[name]!r}", path=path, line=where[name],
                              hint="list its spellings under one name")
    return tuple(pairs.items())


def _decode(data: bytes, path: Path) -> str:
    """``site.yaml`` as text (a BOM allowed); a byte that is not UTF-8 is a ConfigError at its line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise ConfigError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path=path,
                          line=before.count(b"\n") + 1, column=column,
                          hint="save the file as UTF-8") from exc


def _key_lines(node: yaml.Node | None) -> dict[Any, int]:
    """Line number of each top-level key, for error messages, by the key as YAML reads it
    (``2024:`` is the number 2024)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    reader = yaml.SafeLoader("")
    lines = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode):
            with contextlib.suppress(yaml.YAMLError, TypeError):
                lines[reader.construct_object(key)] = key.start_mark.line + 1
    return lines


def _nested_lines(node: yaml.Node | None, key: str) -> dict[Any, int]:
    """Line numbers of ``key`` and of each key of the mapping under it (as YAML reads them)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    reader = yaml.SafeLoader("")
    lines: dict[Any, int] = {}
    for name, value in node.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            lines[key] = name.start_mark.line + 1
            for inner, _ in value.value if isinstance(value, yaml.MappingNode) else ():
                with contextlib.suppress(yaml.YAMLError, TypeError):
                    lines[reader.construct_object(inner)] = inner.start_mark.line + 1
    return lines


def host_missing(base_url: str) -> str:
    """Why the site has no sitemap and no og:url under ``base_url`` ('' when it has a host):
    both must hold full URLs, which only a base URL with a scheme and host gives."""
    parts = urlsplit(base_url)
    if parts.scheme and parts.netloc:
        return ""
    return (f"base_url {base_url!r} has no scheme and host, so sitemap.xml, the Sitemap line of "
            "robots.txt and og:url are left out (set base_url in site.yaml, or --base-url, to the "
            "site's full address, e.g. https://you.github.io/repo/)")
