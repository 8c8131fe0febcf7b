"""Loading and validating templates/<family>/space.yaml.

The file declares everything about a family except its code: axes and their values, per-arch
availability, constraints between axes, the resource budget, the workgroup size, the hardware
inputs the kernel wants at entry, the float mode, and the kernel arguments. Every unknown key or
badly typed value is an error that names the file and the key (see gen/README.md for the format).
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .archs import ARCHS
from .errors import SpaceError
from .problem_rules import load_launch, load_requires

TOP_KEYS = {"family", "description", "template", "archs", "workgroup_size", "axes", "constraints",
            "budget", "lds_bytes", "scratch_bytes", "entry", "float_mode", "args", "requires", "launch",
            "derived"}
AXIS_KEYS = {"name", "values", "format", "only_on", "unnamed", "doc"}
CONSTRAINT_KEYS = {"expr", "reason"}
BUDGET_KEYS = {"vgpr", "agpr", "sgpr", "lds_bytes"}
ENTRY_KEYS = {"workgroup_id", "workitem_id"}
FLOAT_MODE_KEYS = {"denorm_32", "denorm_16_64", "ieee", "dx10_clamp"}
ARG_KEYS = {"name", "type", "align", "access", "doc"}
DIMS = ("x", "y", "z")
DENORM_MODES = {"preserve": 3, "flush": 0}
ACCESS_KINDS = {"read_only", "write_only", "read_write"}


@dataclass(frozen=True)
class Axis:
    name: str
    values: tuple
    format: str = "{}"
    only_on: dict = field(default_factory=dict)   # value -> tuple of archs that offer it
    doc: str = ""
    unnamed: object = None   # the value that adds nothing to a variant's name (an axis added to a family keeps its names)


@dataclass(frozen=True)
class Constraint:
    expr: str
    reason: str


@dataclass(frozen=True)
class ArgDecl:
    name: str
    type: str            # may contain {axis} placeholders, e.g. "const {in_dtype}*"
    align: int | None
    access: str | None
    doc: str = ""


@dataclass(frozen=True)
class FloatMode:
    denorm_32: int = 3
    denorm_16_64: int = 3
    ieee: bool = True
    dx10_clamp: bool = True


@dataclass(frozen=True)
class FamilySpace:
    family: str
    path: Path                    # the space.yaml
    folder: Path                  # templates/<family>
    template: str                 # main template, relative to folder
    archs: tuple
    workgroup_size: tuple
    axes: tuple
    constraints: tuple
    budget: dict                  # vgpr, agpr, sgpr, lds_bytes
    lds_bytes: object             # int or expression string
    scratch_bytes: object         # int or expression string (any scratch gets the variant rejected)
    workgroup_ids: tuple          # dims whose workgroup id the kernel receives in SGPRs
    workitem_ids: int             # 1..3: how many workitem id dims the kernel receives
    float_mode: FloatMode
    args: tuple
    description: str = ""
    requires: list = None         # problem rules the loader's selector checks (problem_rules.py)
    launch: dict = None           # grid and block expressions the loader evaluates (problem_rules.py)
    derived: dict = None          # name -> expression of the axes, arch and earlier derived names (in order)


class _Checker:
    """Small helpers that raise SpaceError naming the file and the key path."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, message: str):
        raise SpaceError(f"{self.path}: {where}: {message}")

    def keys(self, where: str, mapping, allowed: set, required: set = frozenset()):
        if not isinstance(mapping, dict):
            self.fail(where, f"expected a mapping, got {type(mapping).__name__}")
        for key in mapping:
            if key not in allowed:
                self.fail(where, f"unknown key '{key}' (known keys: {', '.join(sorted(allowed))})")
        for key in sorted(required):
            if key not in mapping:
                self.fail(where, f"missing required key '{key}'")

    def typed(self, where: str, value, kinds, what: str):
        if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
            self.fail(where, f"expected {what}, got {value!r}")
        if not isinstance(value, kinds):
            self.fail(where, f"expected {what}, got {value!r}")
        return value

    def list_of(self, where: str, value, kinds, what: str):
        self.typed(where, value, list, f"a list of {what}")
        for i, item in enumerate(value):
            self.typed(f"{where}[{i}]", item, kinds, what)
        return value


def load_space(path: Path) -> FamilySpace:
    """Reads and validates one space.yaml; raises SpaceError on the first problem."""
    path = Path(path)
    check = _Checker(path)
    try:
        data = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))   # libyaml when present
    except yaml.YAMLError as err:
        raise SpaceError(f"{path}: not valid YAML: {err}") from None
    except OSError as err:
        raise SpaceError(f"{path}: cannot read: {err.strerror}") from None

    check.keys("top level", data, TOP_KEYS, {"family", "template", "archs", "workgroup_size", "axes", "args"})
    family = check.typed("family", data["family"], str, "a string")
    if family != path.parent.name:
        check.fail("family", f"'{family}' differs from the folder name '{path.parent.name}'")
    template = check.typed("template", data["template"], str, "a file name")
    if not (path.parent / template).is_file():
        check.fail("template", f"'{template}' not found in {path.parent}")

    archs = check.list_of("archs", data["archs"], str, "arch names")
    for arch in archs:
        if arch not in ARCHS:
            check.fail("archs", f"unknown arch '{arch}' (asmgen knows: {', '.join(ARCHS)})")

    # integers, or expression strings of the variant's parameters (checked per variant when built)
    wg = check.list_of("workgroup_size", data["workgroup_size"], (int, str), "integers or expression strings")
    numbers = [v for v in wg if isinstance(v, int)]
    if len(wg) != 3 or any(isinstance(v, bool) or v < 1 for v in numbers) or (
            len(numbers) == 3 and wg[0] * wg[1] * wg[2] > 1024):
        check.fail("workgroup_size", f"expected three positive integers with a product <= 1024, got {wg}")

    axes = tuple(_load_axis(check, i, a, archs) for i, a in enumerate(
        check.typed("axes", data["axes"], list, "a list of axes")))
    names = [a.name for a in axes]
    for name in names:
        if names.count(name) > 1:
            check.fail("axes", f"axis '{name}' declared twice")
        if name in ("arch", "family", "name"):
            check.fail("axes", f"axis name '{name}' is reserved")

    constraints = []
    for i, c in enumerate(check.typed("constraints", data.get("constraints", []), list, "a list")):
        where = f"constraints[{i}]"
        check.keys(where, c, CONSTRAINT_KEYS, {"expr", "reason"})
        constraints.append(Constraint(check.typed(f"{where}.expr", c["expr"], str, "an expression string"),
                                      check.typed(f"{where}.reason", c["reason"], str, "a string")))

    budget = {"vgpr": 256, "agpr": 0, "sgpr": 106, "lds_bytes": 64 * 1024}   # sgpr counts VCC + XNACK mask
    raw_budget = data.get("budget", {})
    check.keys("budget", raw_budget, BUDGET_KEYS)
    for key, value in raw_budget.items():
        budget[key] = check.typed(f"budget.{key}", value, int, "an integer")

    lds_bytes = data.get("lds_bytes", 0)
    check.typed("lds_bytes", lds_bytes, (int, str), "an integer or an expression string")

    scratch_bytes = data.get("scratch_bytes", 0)
    check.typed("scratch_bytes", scratch_bytes, (int, str), "an integer or an expression string")

    entry = data.get("entry", {})
    check.keys("entry", entry, ENTRY_KEYS)
    wg_ids = tuple(check.list_of("entry.workgroup_id", entry.get("workgroup_id", ["x"]), str, "dims"))
    for d in wg_ids:
        if d not in DIMS:
            check.fail("entry.workgroup_id", f"unknown dim '{d}' (use x, y, z)")
    wi_ids = tuple(check.list_of("entry.workitem_id", entry.get("workitem_id", ["x"]), str, "dims"))
    if wi_ids not in (("x",), ("x", "y"), ("x", "y", "z")):
        check.fail("entry.workitem_id", f"must be [x], [x, y] or [x, y, z], got {list(wi_ids)}")

    fm = data.get("float_mode", {})
    check.keys("float_mode", fm, FLOAT_MODE_KEYS)
    modes = {}
    for key in ("denorm_32", "denorm_16_64"):
        if key in fm:
            if fm[key] not in DENORM_MODES:
                check.fail(f"float_mode.{key}", f"expected one of {', '.join(DENORM_MODES)}, got {fm[key]!r}")
            modes[key] = DENORM_MODES[fm[key]]
    for key in ("ieee", "dx10_clamp"):
        if key in fm:
            modes[key] = check.typed(f"float_mode.{key}", fm[key], bool, "true or false")

    args = []
    for i, a in enumerate(check.typed("args", data["args"], list, "a list of arguments")):
        where = f"args[{i}]"
        check.keys(where, a, ARG_KEYS, {"name", "type"})
        align = a.get("align")
        if align is not None and (check.typed(f"{where}.align", align, int, "an integer") < 1
                                  or align & (align - 1)):
            check.fail(f"{where}.align", f"must be a power of two, got {align}")
        access = a.get("access")
        if access is not None and access not in ACCESS_KINDS:
            check.fail(f"{where}.access", f"expected one of {', '.join(sorted(ACCESS_KINDS))}, got {access!r}")
        args.append(ArgDecl(check.typed(f"{where}.name", a["name"], str, "a string"),
                            check.typed(f"{where}.type", a["type"], str, "a type string"),
                            align, access, a.get("doc", "")))
    arg_names = [a.name for a in args]
    for name in arg_names:
        if arg_names.count(name) > 1:
            check.fail("args", f"argument '{name}' declared twice")

    requires = load_requires(check.fail, data.get("requires"))
    launch = load_launch(check.fail, data.get("launch"), wg)
    derived = _load_derived(check, data.get("derived", {}), {a.name for a in axes} | set(arg_names) | {"arch"})

    return FamilySpace(family=family, path=path, folder=path.parent, template=template, archs=tuple(archs),
                       workgroup_size=tuple(wg), axes=axes, constraints=tuple(constraints), budget=budget,
                       lds_bytes=lds_bytes, scratch_bytes=scratch_bytes, workgroup_ids=wg_ids, workitem_ids=len(wi_ids),
                       float_mode=FloatMode(**modes), args=tuple(args),
                       description=str(data.get("description", "")), requires=requires, launch=launch,
                       derived=derived)


def _load_derived(check: _Checker, raw, taken: set) -> dict:
    """`derived:` — per-variant values named once: name -> expression (a string) or constant of the axes, `arch`
    and the names before it; lds_bytes, scratch_bytes, launch, requires and the template see them."""
    check.keys("derived", raw, set(raw) if isinstance(raw, dict) else set())
    for name, expr in raw.items():
        if not isinstance(name, str) or not name.isidentifier():
            check.fail("derived", f"{name!r} is not an identifier (it becomes a template variable)")
        if name in taken:
            check.fail(f"derived.{name}", "names an axis, an argument or arch")
        check.typed(f"derived.{name}", expr, (int, str), "an integer or an expression string")
    return dict(raw)


def _load_axis(check: _Checker, index: int, raw, archs) -> Axis:
    where = f"axes[{index}]"
    check.keys(where, raw, AXIS_KEYS, {"name", "values"})
    name = check.typed(f"{where}.name", raw["name"], str, "a string")
    where = f"axes[{index}] ({name})"
    if not name.isidentifier():
        check.fail(f"{where}.name", "must be an identifier (it becomes a template variable)")
    values = check.list_of(f"{where}.values", raw["values"], (str, int, bool), "strings, integers or booleans")
    if not values or len(set(map(repr, values))) != len(values):
        check.fail(f"{where}.values", "must be a non-empty list of distinct values")
    fmt = check.typed(f"{where}.format", raw.get("format", "{}"), str, "a format string such as 'n{}'")
    if fmt.count("{}") != 1:
        check.fail(f"{where}.format", f"must contain exactly one '{{}}', got {fmt!r}")
    only_on = {}
    raw_only = raw.get("only_on", {})
    check.typed(f"{where}.only_on", raw_only, dict, "a mapping value -> [archs]")
    for value, on in raw_only.items():
        if value not in values:
            check.fail(f"{where}.only_on", f"'{value}' is not one of the axis values {values}")
        for arch in check.list_of(f"{where}.only_on.{value}", on, str, "arch names"):
            if arch not in archs:
                check.fail(f"{where}.only_on.{value}", f"arch '{arch}' is not in the family's archs {list(archs)}")
        only_on[value] = tuple(on)
    unnamed = raw.get("unnamed")
    if unnamed is not None and unnamed not in values:
        check.fail(f"{where}.unnamed", f"'{unnamed}' is not one of the axis values {values}")
    return Axis(name, tuple(values), fmt, only_on, str(raw.get("doc", "")), unnamed)


def discover_families(templates_dir: Path) -> list[str]:
    """Names of the families under templates_dir (folders holding a space.yaml), sorted."""
    return sorted(p.parent.name for p in Path(templates_dir).glob("*/space.yaml"))
