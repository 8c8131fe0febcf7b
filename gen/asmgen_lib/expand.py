"""Variant expansion: the cartesian product of a family's axes for each arch, filtered by the
per-arch availability of axis values and by the constraints between axes.

Constraint expressions are Jinja2 expressions (the language the templates use) evaluated with
StrictUndefined over the axis values plus `arch`; a name that is not an axis is an error that
names the space.yaml.
"""

import itertools
from dataclasses import dataclass

import jinja2

from .errors import SpaceError
from .render_budget import bounded_range
from .space import FamilySpace

_EXPR_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined)
_EXPR_ENV.globals["range"] = bounded_range      # no space.yaml expression loops without bound
_COMPILED = {}     # expression text -> compiled expression (thousands of variants share a few)


@dataclass(frozen=True)
class Variant:
    family: str
    arch: str
    params: dict          # axis name -> value, in space.yaml axis order
    name: str             # <family>_<arch>_<formatted axis values>


def variant_name(space: FamilySpace, arch: str, params: dict) -> str:
    parts = [space.family, arch] + [axis.format.format(_format_value(params[axis.name])) for axis in space.axes
                                    if axis.unnamed is None or params[axis.name] != axis.unnamed]
    return "_".join(parts)


def _format_value(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def evaluate(space: FamilySpace, what: str, expr, variables: dict):
    """Value of an expression from space.yaml (a constant is returned as is)."""
    if not isinstance(expr, str):
        return expr
    try:
        if expr not in _COMPILED:
            _COMPILED[expr] = _EXPR_ENV.compile_expression(expr, undefined_to_none=False)
        return _COMPILED[expr](**variables)
    except jinja2.TemplateSyntaxError as err:
        raise SpaceError(f"{space.path}: {what}: bad expression {expr!r}: {err.message}") from None
    except jinja2.UndefinedError as err:
        known = ", ".join(sorted(variables))
        raise SpaceError(f"{space.path}: {what}: {err.message} in {expr!r} (known names: {known})") from None
    except Exception as err:  # arithmetic errors and the like inside a user expression
        raise SpaceError(f"{space.path}: {what}: cannot evaluate {expr!r}: {err}") from None


def expand(space: FamilySpace, archs) -> list[Variant]:
    """Every variant of the family for the requested archs (those the family offers), in a stable order."""
    variants = []
    for arch in [a for a in archs if a in space.archs]:
        value_lists = [[v for v in axis.values if arch in axis.only_on.get(v, (arch,))] for axis in space.axes]
        for combo in itertools.product(*value_lists):
            params = {axis.name: value for axis, value in zip(space.axes, combo)}
            if all(_holds(space, i, c, params, arch) for i, c in enumerate(space.constraints)):
                variants.append(Variant(space.family, arch, params, variant_name(space, arch, params)))
    return variants


def variables_of(space: FamilySpace, params: dict, arch: str) -> dict:
    """A variant's names for its expressions and template: the axis values, `arch` and the space's `derived:`
    values, each evaluated in order over the names before it."""
    variables = {**params, "arch": arch}
    for name, expr in (space.derived or {}).items():
        variables[name] = evaluate(space, f"derived.{name}", expr, variables)
    return variables


def _holds(space: FamilySpace, index: int, constraint, params: dict, arch: str) -> bool:
    result = evaluate(space, f"constraints[{index}].expr", constraint.expr, {**params, "arch": arch})
    if not isinstance(result, bool):
        raise SpaceError(f"{space.path}: constraints[{index}].expr: {constraint.expr!r} gave {result!r}, "
                         "expected true or false")
    return result
