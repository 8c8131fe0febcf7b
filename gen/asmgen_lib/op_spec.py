"""templates/<family>/op.yaml: an op declared once, as data (docs/op-spec.md).

The loader's generic op layer (loader/src/ops/op_*.cpp) derives from it the caller-facing
arguments, their checks, the cache key, the buffer checks, the kernel values and the pointer slots;
tools, perf, tests and the Python package read it through the C ABI (asmk_op_*). asmgen checks it
here and copies it into every arch's manifest under "ops" — the loader trusts its shape, not more.

    op: gemm_bf16                        # the op's name (default: the folder's family)
    doc: "C [m, n] = A [m, k] · B [n, k]ᵀ"
    kernels: gemm_bf16                   # the family whose kernels it selects from (default: op)
    sizes: [m, n, k]                     # u32 problem sizes, each >= 1
    choices:                             # string options; each becomes a wanted kernel parameter
      out_dtype: {values: [bf16, f32], default: bf16}
    scalars:                             # other numbers the caller may give
      k_splits: {type: u32, default: 0}
    values: {scale_block_k: 32}          # constants the rules and kernels read by name
    wanted: {in_dtype: bf16}             # fixed kernel parameters
    tensors:
      a: {dtype: bf16, shape: [m, k], stride: stride_a}        # dtype: a name or a choice
      c: {dtype: out_dtype, shape: [m, n], stride: stride_c, output: true}
      bias: {dtype: f32, shape: [n], optional: true}
      workspace: {dtype: f32, workspace: true}                 # size: what the plan needs
    rules:                               # problem rules checked before any kernel (like `requires`)
      - {expr: "k % 32 == 0", name: k_multiple, reason: "one e8m0 scale per 32 elements of K"}
    select: {policy: gemm_cost, rate: bf16}          # or: {policy: ranked, prefer: [...]}
    demo: ["m=17 n=256 k=512", "m=33 n=192 k=256 out_dtype=f32"]   # problems `asmk demo` checks
"""

from pathlib import Path

import yaml

from . import problem_rules
from .errors import SpaceError

FILE_NAME = "op.yaml"
TOP_KEYS = {"op", "doc", "kernels", "sizes", "choices", "scalars", "values", "wanted", "tensors", "rules",
            "select", "demo"}
DTYPE_BITS = {"bf16": 16, "fp16": 16, "f32": 32, "fp8": 8, "int8": 8, "fp4": 4, "e8m0": 8, "u8": 8, "i32": 32}
TENSOR_KEYS = {"dtype", "shape", "stride", "strides", "output", "optional", "workspace", "doc"}
SCALAR_TYPES = {"u32", "i32", "f32"}
POLICIES = {"gemm_cost": {"rate", "partials_scaled"}, "ranked": {"prefer"}}


def load(path: Path, family: str) -> dict:
    """The op spec of templates/<family>/op.yaml, checked; raises SpaceError naming the key."""
    def fail(where, message):
        raise SpaceError(f"{path}: {where}: {message}")

    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as err:
        raise SpaceError(f"{path}: cannot read: {err}") from None
    if not isinstance(raw, dict):
        fail("top level", "expected a mapping")
    for key in raw:
        if key not in TOP_KEYS:
            fail(key, f"unknown key (known keys: {', '.join(sorted(TOP_KEYS))})")
    spec = {"op": raw.get("op", family), "doc": raw.get("doc", ""), "kernels": raw.get("kernels", family)}
    names = set()

    def name(where, text):
        if not isinstance(text, str) or not text.isidentifier():
            fail(where, f"expected an identifier, got {text!r}")
        if text in names:
            fail(where, f"'{text}' is declared twice (sizes, choices, scalars, values, strides and tensors "
                        "share one namespace)")
        names.add(text)
        return text

    spec["sizes"] = [name(f"sizes[{i}]", s) for i, s in enumerate(raw.get("sizes") or [])]
    spec["choices"] = {}
    for key, c in (raw.get("choices") or {}).items():
        name(f"choices.{key}", key)
        if not isinstance(c, dict) or not isinstance(c.get("values"), list) or not c["values"]:
            fail(f"choices.{key}", "expected {values: [...], default: ...}")
        values = [str(v) for v in c["values"]]
        default = str(c.get("default", values[0]))
        if default not in values:
            fail(f"choices.{key}.default", f"{default!r} is not one of {values}")
        spec["choices"][key] = {"values": values, "default": default, "param": c.get("param", key),
                                "implied": str(c.get("implied", "")), "doc": c.get("doc", "")}
    spec["scalars"] = {}
    for key, s in (raw.get("scalars") or {}).items():
        name(f"scalars.{key}", key)
        if not isinstance(s, dict) or s.get("type") not in SCALAR_TYPES:
            fail(f"scalars.{key}", f"expected {{type: {'|'.join(sorted(SCALAR_TYPES))}, default: ...}}")
        if not isinstance(s.get("required", False), bool):
            fail(f"scalars.{key}.required", "expected true or false")
        for bound in ("min", "above"):
            if bound in s and (isinstance(s[bound], bool) or not isinstance(s[bound], (int, float))):
                fail(f"scalars.{key}.{bound}", f"expected a number, got {s[bound]!r}")
        spec["scalars"][key] = {"type": s["type"], "default": s.get("default", 0), "required": s.get("required", False),
                                "doc": s.get("doc", "")}
        spec["scalars"][key].update({b: s[b] for b in ("min", "above") if b in s})
    spec["values"] = {}
    for key, v in (raw.get("values") or {}).items():
        name(f"values.{key}", key)
        if isinstance(v, bool) or not isinstance(v, int):
            fail(f"values.{key}", f"expected an integer, got {v!r}")
        spec["values"][key] = v
    spec["wanted"] = {str(k): str(v) for k, v in (raw.get("wanted") or {}).items()}
    spec["tensors"] = {}
    for key, t in (raw.get("tensors") or {}).items():
        where = f"tensors.{key}"
        name(where, key)
        if not isinstance(t, dict):
            fail(where, "expected a mapping")
        for k in t:
            if k not in TENSOR_KEYS:
                fail(f"{where}.{k}", f"unknown key (known keys: {', '.join(sorted(TENSOR_KEYS))})")
        dtype = t.get("dtype")
        if dtype not in DTYPE_BITS and dtype not in spec["choices"]:
            fail(f"{where}.dtype", f"{dtype!r} is neither a dtype ({', '.join(DTYPE_BITS)}) nor a choice")
        if dtype in spec["choices"]:
            bad = [v for v in spec["choices"][dtype]["values"] if v not in DTYPE_BITS]
            if bad:
                fail(f"{where}.dtype", f"choice {dtype} has values that are no dtype: {bad}")
        entry = {"dtype": dtype, "output": bool(t.get("output", False)), "optional": bool(t.get("optional", False)),
                 "workspace": bool(t.get("workspace", False)), "doc": t.get("doc", ""), "shape": [], "strides": []}
        if not entry["workspace"]:
            shape = t.get("shape")
            if not isinstance(shape, list) or not shape:
                fail(f"{where}.shape", "expected a list of extents (names or expressions)")
            entry["shape"] = [_expr(fail, f"{where}.shape[{i}]", d) for i, d in enumerate(shape)]
            strides = t.get("strides", [t["stride"]] if "stride" in t else [])
            if strides and len(strides) != len(shape) - 1:
                fail(f"{where}.strides", f"expected one stride per dimension but the last ({len(shape) - 1})")
            entry["strides"] = [name(f"{where}.strides[{i}]", s) for i, s in enumerate(strides)]
        spec["tensors"][key] = entry
    spec["rules"] = problem_rules.load_requires(lambda where, m: fail(f"rules ({where})", m), raw.get("rules"))
    spec["select"] = _select(fail, raw.get("select"))
    demo = raw.get("demo") or []
    if not isinstance(demo, list) or not all(isinstance(d, str) and d.strip() for d in demo):
        fail("demo", "expected a list of problems such as \"m=17 n=256 k=512 out_dtype=f32 bias\"")
    spec["demo"] = demo
    return spec


def _expr(fail, where, value):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        fail(where, f"expected an integer or an expression string, got {value!r}")
    if isinstance(value, str):
        problem_rules._parse(fail, where, value)  # noqa: SLF001 — the one expression checker
    return value


def _select(fail, raw):
    if not isinstance(raw, dict) or raw.get("policy") not in POLICIES:
        fail("select", f"expected {{policy: {' | '.join(POLICIES)}, ...}}")
    policy = raw["policy"]
    for key in raw:
        if key != "policy" and key not in POLICIES[policy]:
            fail(f"select.{key}", f"unknown key for policy {policy} (known: {', '.join(sorted(POLICIES[policy]))})")
    out = dict(raw)
    if policy == "ranked":
        prefer = raw.get("prefer")
        if not isinstance(prefer, list):
            fail("select.prefer", "expected a list of {fewest: expr} / {most: expr} (empty: the kernel name decides)")
        out["prefer"] = []
        for i, p in enumerate(prefer):
            way = next((w for w in ("fewest", "most") if isinstance(p, dict) and w in p), None)
            if way is None:
                fail(f"select.prefer[{i}]", f"expected {{fewest: expr}} or {{most: expr}}, got {p!r}")
            _expr(fail, f"select.prefer[{i}].{way}", p[way])
            out["prefer"].append({way: str(p[way]), "what": p.get("what", str(p[way]))})
    return out


def load_all(templates_dir: Path) -> dict:
    """Every op spec by op name: templates/<family>/op.yaml (the op named after the family) and
    op.<name>.yaml (more ops over the same kernels, naming themselves with `op:`). Families without
    one have no op of their own (gemm_splitk_reduce: a step of the GEMM plans)."""
    ops = {}
    paths = sorted(Path(templates_dir).glob(f"*/{FILE_NAME}")) + sorted(Path(templates_dir).glob("*/op.*.yaml"))
    for path in paths:
        if path.name != FILE_NAME and "op" not in (yaml.safe_load(path.read_text()) or {}):
            raise SpaceError(f"{path}: op: missing (an op.<name>.yaml names its op)")
        spec = load(path, path.parent.name)
        if spec["op"] in ops:
            raise SpaceError(f"{path}: op '{spec['op']}' is declared twice")
        ops[spec["op"]] = spec
    return ops
