"""The problem rules of a family in space.yaml: its launch rule and its `requires` list.

    launch:                                   # optional; what the loader evaluates to launch a kernel
      grid: ["ceil_div(n, n_tile)", "ceil_div(m, m_tile)", "k_splits"]
      block: [256, 1, 1]                      # optional; default: workgroup_size
    requires:                                 # optional; what the loader checks before choosing a kernel
      - {arg: k, multiple: 64}                # a scalar argument: a positive multiple of 64
      - {arg: stride_c, multiple: 4, unit: elements, name: c_stride_multiple}   # a stride: divisible
      - {pointer: a, align: 16}               # a pointer argument: aligned (null passes)
      - {value: scale_block_k, equals: 128}   # a value of the op's problem that is not a kernel argument
      - {expr: "m_tile * stride_a < 2**32", reason: "in-tile offsets are 32-bit"}

Expressions are a small subset of Python (checked with `ast`): integer literals, names, + - * // % **,
comparisons, and/or/not, `x if c else y`, and the calls ceil_div, min, max. Names are the variant's
parameters and `arch` (substituted here, string comparisons included) and the kernel's scalar
arguments (left for the loader, loader/src/expr.cpp, to evaluate with the problem's values).
`resolve` gives each variant's rules with its parameters folded in, as the manifest carries them.
"""

import ast
import operator

from .errors import SpaceError

LAUNCH_KEYS = {"grid", "block"}
RULE_FORMS = {  # the key naming the rule's subject -> (required keys, optional keys)
    "arg": ({"arg", "multiple"}, {"unit", "name"}),
    "pointer": ({"pointer", "align"}, {"name"}),
    "value": ({"value", "equals"}, {"name"}),
    "expr": ({"expr", "reason"}, {"name"}),
}
UNITS = {"bytes", "elements"}
FUNCTIONS = {"ceil_div": lambda a, b: -(-a // b), "min": min, "max": max}
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
          ast.Mod: operator.mod, ast.Pow: operator.pow}
COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
           ast.Gt: operator.gt, ast.GtE: operator.ge}
SCALAR_TYPES = {"u32", "i32", "u64", "i64"}


class RuleError(Exception):
    pass


def load_launch(fail, raw, workgroup_size) -> dict | None:
    """The `launch` mapping checked for shape ({"grid": [3 items], "block": [3 items]}), or None."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        fail("launch", "expected a mapping with grid (and optionally block)")
    for key in raw:
        if key not in LAUNCH_KEYS:
            fail("launch", f"unknown key '{key}' (known keys: block, grid)")
    if "grid" not in raw:
        fail("launch", "missing required key 'grid'")
    rule = {"grid": raw["grid"], "block": raw.get("block", list(workgroup_size))}
    for key, dims in rule.items():
        if not isinstance(dims, list) or len(dims) != 3 or any(
                isinstance(d, bool) or not isinstance(d, (int, str)) for d in dims):
            fail(f"launch.{key}", f"expected three integers or expression strings, got {dims!r}")
        for i, d in enumerate(dims):
            if isinstance(d, str):
                _parse(fail, f"launch.{key}[{i}]", d)
    return rule


def load_requires(fail, raw) -> list:
    """The `requires` list checked for shape (each rule one of RULE_FORMS)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        fail("requires", "expected a list of rules such as {arg: k, multiple: 64} (docs/contracts.md)")
    rules = []
    for i, rule in enumerate(raw):
        where = f"requires[{i}]"
        form = next((f for f in RULE_FORMS if isinstance(rule, dict) and f in rule), None)
        if form is None:
            fail(where, f"expected a mapping with one of the keys {', '.join(RULE_FORMS)}, got {rule!r}")
        required, optional = RULE_FORMS[form]
        for key in rule:
            if key not in required | optional:
                fail(where, f"unknown key '{key}' for a rule on '{form}' (known keys: "
                            f"{', '.join(sorted(required | optional))})")
        for key in sorted(required - set(rule)):
            fail(where, f"missing required key '{key}'")
        for key in ("arg", "pointer", "value", "name", "reason", "unit"):
            if key in rule and not (isinstance(rule[key], str) and rule[key]):
                fail(f"{where}.{key}", f"expected a non-empty string, got {rule[key]!r}")
        if rule.get("unit", "bytes") not in UNITS:
            fail(f"{where}.unit", f"expected one of {', '.join(sorted(UNITS))}, got {rule['unit']!r}")
        for key in ("multiple", "align", "equals", "expr"):
            if key in rule:
                value = rule[key]
                if isinstance(value, bool) or not isinstance(value, (int, str)):
                    fail(f"{where}.{key}", f"expected an integer or an expression string, got {value!r}")
                if isinstance(value, str):
                    _parse(fail, f"{where}.{key}", value)
        rules.append(dict(rule))
    return rules


def resolve(space, params: dict, arch: str) -> tuple[dict | None, list]:
    """(launch, requires) of one variant for the manifest: parameters folded in, only scalar kernel
    arguments left in the expressions, rules that always hold dropped. Raises SpaceError."""
    from .expand import variables_of   # expand imports space, which imports this module
    variables = variables_of(space, params, arch)
    scalars = {a.name for a in space.args if a.type in SCALAR_TYPES}
    pointers = {a.name for a in space.args if a.type.endswith("*")}

    def fail(where, message):
        raise SpaceError(f"{space.path}: {where}: {message} (variant {params})")

    def expression(where, value, allowed=scalars):
        if not isinstance(value, str):
            return value
        folded = _fold(fail, where, _parse(fail, where, value).body, variables)
        if isinstance(folded, ast.AST):
            functions = {id(n.func) for n in ast.walk(folded) if isinstance(n, ast.Call)}
            for node in ast.walk(folded):
                if isinstance(node, ast.Name) and id(node) not in functions and node.id not in allowed:
                    fail(where, f"unknown name '{node.id}' in {value!r} (parameters: {', '.join(variables)}; "
                                f"scalar arguments: {', '.join(sorted(allowed)) or 'none'})")
                if isinstance(node, ast.Constant) and not isinstance(node.value, int):
                    fail(where, f"{value!r} compares a kernel argument with {node.value!r}")
            return ast.unparse(folded)
        if isinstance(folded, str):
            fail(where, f"{value!r} gave the string {folded!r}, expected an integer")
        return int(folded)

    def constant(where, value, what):
        result = expression(where, value, allowed=set())
        if not isinstance(result, int) or result < 1:
            fail(where, f"{value!r} gave {result!r}, expected {what}")
        return result

    launch = None
    if space.launch is not None:
        launch = {key: [expression(f"launch.{key}[{i}]", d) for i, d in enumerate(dims)]
                  for key, dims in space.launch.items()}
        for key, dims in launch.items():
            for i, d in enumerate(dims):
                if isinstance(d, int) and d < 1:
                    fail(f"launch.{key}[{i}]", f"gave {d}, expected a positive count")

    requires = []
    for i, rule in enumerate(space.requires or []):
        where = f"requires[{i}]"
        if "arg" in rule:
            if rule["arg"] not in scalars:
                fail(f"{where}.arg", f"'{rule['arg']}' is not a scalar argument (scalars: {', '.join(sorted(scalars))})")
            step = constant(f"{where}.multiple", rule["multiple"], "a positive integer")
            if step > 1:
                out = {"arg": rule["arg"], "multiple": step, "name": rule.get("name", f"{rule['arg']}_multiple")}
                if "unit" in rule:
                    out["unit"] = rule["unit"]
                requires.append(out)
        elif "pointer" in rule:
            if rule["pointer"] not in pointers:
                fail(f"{where}.pointer", f"'{rule['pointer']}' is not a pointer argument (pointers: "
                                         f"{', '.join(sorted(pointers))})")
            align = constant(f"{where}.align", rule["align"], "a power of two")
            if align & (align - 1):
                fail(f"{where}.align", f"gave {align}, expected a power of two")
            if align > 1:
                requires.append({"pointer": rule["pointer"], "align": align,
                                 "name": rule.get("name", f"{rule['pointer']}_align_bytes")})
        elif "value" in rule:
            requires.append({"value": rule["value"], "equals": constant(f"{where}.equals", rule["equals"], "a positive integer"),
                             "name": rule.get("name", rule["value"])})
        else:
            result = expression(f"{where}.expr", rule["expr"])
            if isinstance(result, int) and not result:
                fail(f"{where}.expr", f"{rule['expr']!r} never holds: {rule['reason']}")
            if isinstance(result, str):
                requires.append({"expr": result, "reason": rule["reason"], "name": rule.get("name", "expr")})
    return launch, requires


def _parse(fail, where: str, text: str) -> ast.Expression:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        fail(where, f"bad expression {text!r}: {err.msg}")
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.Name, ast.Load, ast.IfExp, ast.BoolOp, ast.And, ast.Or,
                               ast.Not, ast.USub, ast.Compare, *BINARY, *COMPARE))
        ok = ok or (isinstance(node, ast.Constant) and type(node.value) in (int, str))
        ok = ok or isinstance(node, ast.BinOp) and type(node.op) in BINARY
        ok = ok or isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub))
        ok = ok or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
                    and not node.keywords and node.args)
        if not ok:
            fail(where, f"{text!r}: '{ast.unparse(node) if not isinstance(node, ast.operator) else type(node).__name__}' "
                        "is not allowed (integers, names, + - * // % **, comparisons, and/or/not, "
                        "x if c else y, ceil_div/min/max)")
    return tree


def _node(value):
    return value if isinstance(value, ast.AST) else ast.Constant(int(value) if isinstance(value, bool) else value)


def _fold(fail, where: str, node, variables: dict):
    """The node's value when it depends on `variables` only, else the node with those folded in."""
    def fold(n):
        return _fold(fail, where, n, variables)

    try:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return variables.get(node.id, node)
        if isinstance(node, ast.BinOp):
            left, right = fold(node.left), fold(node.right)
            if isinstance(left, ast.AST) or isinstance(right, ast.AST):
                return ast.BinOp(_node(left), node.op, _node(right))
            if isinstance(node.op, ast.Pow) and not 0 <= right <= 64:
                fail(where, f"'{ast.unparse(node)}': exponents are 0..64")
            return BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            operand = fold(node.operand)
            if isinstance(operand, ast.AST):
                return ast.UnaryOp(node.op, operand)
            return (not operand) if isinstance(node.op, ast.Not) else -operand
        if isinstance(node, ast.Compare):
            values = [fold(node.left)] + [fold(c) for c in node.comparators]
            if any(isinstance(v, ast.AST) for v in values):
                return ast.Compare(_node(values[0]), node.ops, [_node(v) for v in values[1:]])
            return all(COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, values, values[1:]))
        if isinstance(node, ast.BoolOp):
            values = [fold(v) for v in node.values]
            is_and = isinstance(node.op, ast.And)
            kept = []
            for v in values:
                if isinstance(v, ast.AST):
                    kept.append(v)
                elif bool(v) != is_and:          # a false operand of `and`, a true one of `or`, decides
                    return v if not kept else ast.BoolOp(node.op, kept + [_node(v)])
            if not kept:
                return values[-1]
            return kept[0] if len(kept) == 1 else ast.BoolOp(node.op, kept)
        if isinstance(node, ast.IfExp):
            test = fold(node.test)
            if isinstance(test, ast.AST):
                return ast.IfExp(test, _node(fold(node.body)), _node(fold(node.orelse)))
            return fold(node.body) if test else fold(node.orelse)
        if isinstance(node, ast.Call):
            args = [fold(a) for a in node.args]
            if any(isinstance(a, ast.AST) for a in args):
                return ast.Call(node.func, [_node(a) for a in args], [])
            return FUNCTIONS[node.func.id](*args)
    except (ArithmeticError, TypeError, ValueError) as err:
        fail(where, f"cannot evaluate '{ast.unparse(node)}': {err}")
    fail(where, f"'{ast.unparse(node)}' is not allowed")
