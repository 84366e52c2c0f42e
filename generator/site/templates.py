"""The Jinja environment: autoescaped templates from the theme, errors with template:line."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2

from generator.core.errors import BuildError
from generator.site.theme import Theme


class ViewEnvironment(jinja2.Environment):
    """Jinja for plain view dicts: ``paper.title`` looks the key up first (Jinja tries attributes first)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def make_environment(theme: Theme, cache_dir: Path | None = None) -> jinja2.Environment:
    """A strict, autoescaping environment over the theme's template folders.

    With ``cache_dir``, compiled templates are kept there for the next process.
    """
    bytecode = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        bytecode = jinja2.FileSystemBytecodeCache(str(cache_dir))
    env = ViewEnvironment(
        loader=jinja2.FileSystemLoader(theme.template_dirs),
        bytecode_cache=bytecode,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one template; any template failure becomes a BuildError naming template and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(f"template error: {exc.message}", path=exc.filename or name,
                         line=exc.lineno) from exc
    except jinja2.TemplateNotFound as exc:  # (an include: the frame names the including template)
        path, line = _template_frame(exc)
        raise BuildError(f"template {exc.name!r} not found in the theme", path=path, line=line,
                         hint="check the theme folders") from exc
    except Exception as exc:
        path, line = _template_frame(exc)
        raise BuildError(f"template error: {type(exc).__name__}: {exc}", path=path or name,
                         line=line) from exc


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in a rendering traceback."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")) and Path(frame.filename).exists():
            return frame.filename, frame.lineno
    return None, None
