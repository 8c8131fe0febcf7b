"""Rendering one variant's code with Jinja2 (StrictUndefined).

Search path for {% include %} / {% import %}: the family's folder, then the templates root (shared
macro files), then asm_src/ (shared assembly pieces). Sources are loaded through a loader that adds
line markers (see sourcemap) so every generated line knows its template file:line.
"""

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .errors import TemplateError
from .registers import BudgetExceeded, RegTuple, TemplateAbort, scope
from .render_budget import RenderBudgetExceeded, bounded_range, render_seconds, time_limit
from .mfma import mfma
from .schedule import Labels, emit, interleave
from .sourcemap import FileTable, add_markers, call_markers, strip_markers


class _MarkingLoader(jinja2.FileSystemLoader):
    def __init__(self, search_path, files: FileTable, display_root: Path):
        super().__init__([str(p) for p in search_path])
        self.files = files
        self.display_root = display_root
        self.paths: set[str] = set()     # absolute paths of the files loaded (for error lookup)

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        self.paths.add(filename)
        return add_markers(source, self.files.id_of(display_path(filename, self.display_root))), filename, uptodate


def display_path(path, root: Path) -> str:
    """A path relative to the repository (or the given root) when it lies inside it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


class _MarkingContext(jinja2.runtime.Context):
    """Brackets the output of every macro call with call-site markers (see sourcemap), so a line
    that comes from a macro also names where the macro was called."""

    def call(self, obj, *args, **kwargs):   # noqa: D102 (Jinja's Context.call)
        result = super().call(obj, *args, **kwargs)
        if isinstance(obj, jinja2.runtime.Macro) and isinstance(result, str):
            site = _template_frame_site(self.environment)
            if site is not None:
                before, after = call_markers(*site)
                return before + result + after
        return result


def _template_frame_site(env) -> tuple[int, int] | None:
    """(file id, template line) of the innermost template code on the Python stack (memoized per
    compiled template and line: Jinja's line lookup parses the debug info on every call)."""
    frame = sys._getframe(2)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            key = (id(template), frame.f_lineno)
            site = env.asmgen_sites.get(key)
            if site is None:
                file_id = env.asmgen_files.id_of(display_path(template.filename, env.asmgen_display_root))
                site = env.asmgen_sites[key] = (file_id, template.get_corresponding_lineno(frame.f_lineno))
            return site
        frame = frame.f_back
    return None


def _fail(message: str):
    raise TemplateAbort(message)


def _reg_tuple(kind: str):
    return lambda first, count=1: RegTuple(kind, first, count)


@dataclass
class Rendered:
    text: str          # the generated code, markers removed
    origins: list      # per line of text: sourcemap.Origin or None


COMMENT_COLUMN = 60


def _tidy(text: str, origins: list) -> Rendered:
    """Trailing blanks removed, runs of empty lines (left by macros and tags) collapsed to one and
    end-of-line `//` comments aligned to one column; origins stay aligned with the lines."""
    lines, kept_origins = [], []
    for line, origin in zip(text.split("\n"), origins):
        line = line.rstrip()
        code, mark, comment = line.partition("//")
        if mark and code.strip():
            line = f"{code.rstrip():<{COMMENT_COLUMN - 1}} //{comment}"
        if not line and lines and not lines[-1]:
            continue
        lines.append(line)
        kept_origins.append(origin)
    return Rendered("\n".join(lines), kept_origins)


class Renderer:
    """One Jinja environment per family; renders its main template for any variant context."""

    def __init__(self, family_dir: Path, templates_root: Path, asm_src: Path, display_root: Path):
        self.files = FileTable()
        self.loader = _MarkingLoader([family_dir, templates_root, asm_src], self.files, display_root)
        self.display_root = display_root
        self.env = jinja2.Environment(loader=self.loader, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                      lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
                                      extensions=["jinja2.ext.do"])
        self.env.context_class = _MarkingContext
        self.env.asmgen_files = self.files
        self.env.asmgen_display_root = display_root
        self.env.asmgen_sites = {}        # (compiled template, Python line) -> (file id, template line)
        self.env.globals.update(fail=_fail, vreg=_reg_tuple("v"), sreg=_reg_tuple("s"), areg=_reg_tuple("a"),
                                scope=scope, interleave=interleave, emit=emit, mfma=mfma, range=bounded_range)
        self.labels = Labels()           # a global (imported macro files see it), restarted per render
        self.env.globals["label"] = self.labels


    def render(self, template_name: str, context: dict) -> Rendered:
        self.labels.restart()
        try:
            template = self.env.get_template(template_name)
            with time_limit(render_seconds(), f"rendering {template_name} for {context.get('name', 'a variant')}"):
                raw = template.render(**context)
        except jinja2.TemplateSyntaxError as err:
            where = display_path(err.filename, self.display_root) if err.filename else template_name
            raise TemplateError(f"{where}:{err.lineno}: template syntax error: {err.message}") from None
        except jinja2.TemplateNotFound as err:
            raise TemplateError(f"{template_name}: template not found: {err.name} "
                                f"(searched {', '.join(self.loader.searchpath)})") from None
        except jinja2.UndefinedError as err:
            raise TemplateError(f"{self._where(err)}: undefined template variable: {err.message}") from None
        except RenderBudgetExceeded as err:
            where = self._where(err)
            raise RenderBudgetExceeded(f"{where}: {err}" if where != "template" else str(err)) from None
        except TemplateError:
            raise
        except BudgetExceeded as err:     # a rejection, not an error: the caller reports it with the reason
            raise BudgetExceeded(f"{self._where(err)}: {err}") from None
        except Exception as err:   # errors raised by template code, e.g. a failed {{ raise(...) }}
            raise TemplateError(f"{self._where(err)}: {type(err).__name__}: {err}") from None
        text, origins = strip_markers(raw, self.files)
        return _tidy(text, origins)

    def _where(self, err: Exception) -> str:
        """template file:line of the innermost template frame of an exception."""
        for frame in reversed(traceback.extract_tb(err.__traceback__)):
            if frame.filename in self.loader.paths:
                return f"{display_path(frame.filename, self.display_root)}:{frame.lineno}"
        return "template"
