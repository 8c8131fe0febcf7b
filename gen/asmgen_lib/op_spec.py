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
      q_descale: {type: f32, default: 1.0, applies_when: "dtype == 'fp8'"}   # other values refused otherwise
    values: {scale_block_k: 32}          # constants the rules and kernels read by name
    wanted: {in_dtype: bf16}             # fixed kernel parameters
    tensors:
      a: {dtype: bf16, shape: [m, k], stride: stride_a}        # dtype: a name or a choice
      c: {dtype: out_dtype, shape: [m, n], stride: stride_c, output: true}
      bias: {dtype: f32, shape: [n], optional: true}
      workspace: {dtype: f32, workspace: true}                 # size: what the plan needs
      ids: {dtype: i32, shape: [n], elements: {min: 0, below: experts}}   # value rules, checked
                                         # before any launch where memory is host-readable
    rules:                               # problem rules checked before any kernel (like `requires`)
      - {expr: "k % 32 == 0", name: k_multiple, reason: "one e8m0 scale per 32 elements of K"}
    select: {policy: gemm_cost, rate: bf16}          # or: {policy: ranked, prefer: [...]}
    demo: ["m=17 n=256 k=512", "m=33 n=192 k=256 out_dtype=f32"]   # problems `asmk demo` checks

A pipeline op (select: {policy: stages}) runs other ops in order instead of selecting a kernel:

    derived: {num_splits: "min(16, max(1, compute_units // (batch * h)))"}   # integers per call
    temporaries:                         # carved from the workspace tensor, 256-byte aligned
      partial_o: {dtype: f32, shape: [tokens, h, num_splits, 512]}
    stages:
      - {op: mla_decode_split, args: {o: partial_o}}          # stage argument <- this op's name
      - {op: attn_lse_combine, when: "num_splits > 1"}        # `when`: run only if it holds
"""

import ast
from pathlib import Path

import yaml

from . import problem_rules
from .errors import SpaceError

FILE_NAME = "op.yaml"
TOP_KEYS = {"extends", "op", "doc", "kernels", "sizes", "choices", "scalars", "values", "wanted", "tensors", "rules",
            "select", "demo", "derived", "temporaries", "stages"}
DTYPE_BITS = {"bf16": 16, "fp16": 16, "f32": 32, "fp8": 8, "int8": 8, "fp4": 4, "int4": 4, "e8m0": 8, "u8": 8, "i32": 32}
TENSOR_KEYS = {"dtype", "shape", "stride", "strides", "output", "optional", "workspace", "doc", "elements"}
# Value rules over an integer tensor's elements (docs/op-spec.md, "Element rules"): bounds are
# expressions of the call's integers; the order rules read the elements in row-major order of a
# 1-D tensor (offsets such as cu_seqlens: non-decreasing, first 0, last a size).
ELEMENT_DTYPES = {"i32", "int8", "u8"}
ELEMENT_BOUNDS = ("min", "max", "below", "first", "last")
ELEMENT_KEYS = set(ELEMENT_BOUNDS) | {"non_decreasing", "doc"}
SCALAR_TYPES = {"u32", "i32", "f32"}
POLICIES = {"gemm_cost": {"rate", "partials_scaled"}, "ranked": {"prefer"}, "stages": set()}
STAGE_KEYS = {"op", "when", "args"}
# `extends: op.<base>.yaml` (a file in the same folder): the spec is the base's with this file's keys
# laid over it. These sections hold named entries and merge entry by entry (an entry given here
# replaces the base's whole, in its place; a new one follows the entry this file lists before it, or
# comes first when it is the file's first; `null` drops one); every other key replaces the base's value.
MERGED_SECTIONS = {"choices", "scalars", "values", "wanted", "tensors", "derived", "temporaries"}


def load(path: Path, family: str) -> dict:
    """The op spec of templates/<family>/op.yaml, checked; raises SpaceError naming the key."""
    def fail(where, message):
        raise SpaceError(f"{path}: {where}: {message}")

    raw = read_raw(Path(path))
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
        if "applies_when" in s:  # read by the kernels only then: another value is refused, not ignored
            spec["scalars"][key]["applies_when"] = _applies_when(fail, f"scalars.{key}.applies_when",
                                                                 s["applies_when"], raw)
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
        if "elements" in t:
            entry["elements"] = _elements(fail, where, t, entry, _integer_names(raw))
        spec["tensors"][key] = entry
    spec["rules"] = problem_rules.load_requires(lambda where, m: fail(f"rules ({where})", m), raw.get("rules"))
    spec["select"] = _select(fail, raw.get("select"))
    _pipeline(fail, name, raw, spec)
    demo = raw.get("demo") or []
    if not isinstance(demo, list) or not all(isinstance(d, str) and d.strip() for d in demo):
        fail("demo", "expected a list of problems such as \"m=17 n=256 k=512 out_dtype=f32 bias\"")
    spec["demo"] = demo
    return spec


def read_raw(path: Path, seen: tuple = ()) -> dict:
    """The file's mapping with its `extends` chain resolved (MERGED_SECTIONS above); the base's `op`
    is never inherited (an op.<name>.yaml names its own op)."""
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise SpaceError(f"{path}: cannot read: {err}") from None
    if not isinstance(raw, dict):
        raise SpaceError(f"{path}: top level: expected a mapping")
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    base_path = path.parent / str(base_name)
    if not isinstance(base_name, str) or "/" in base_name or not base_path.is_file():
        siblings = ", ".join(sorted(p.name for p in path.parent.glob("op*.yaml")))
        raise SpaceError(f"{path}: extends: {base_name!r} is not an op spec in this folder ({siblings})")
    if base_path.resolve() in seen + (path.resolve(),):
        raise SpaceError(f"{path}: extends: {base_name} extends this file again (a cycle)")
    merged = read_raw(base_path, seen + (path.resolve(),))
    merged.pop("op", None)
    for key, value in raw.items():
        if key in MERGED_SECTIONS and isinstance(value, dict) and isinstance(merged.get(key), dict):
            section = list(merged[key].items())       # the order is the op's (tensors: its pointer slots)
            names = [name for name, _ in section]
            anchor = None                               # a new entry goes after the one this file names before it (first: at the start)
            for entry, body in value.items():
                if entry in names:
                    at = names.index(entry)
                    if body is None:
                        del section[at], names[at]
                        continue
                    section[at] = (entry, body)
                elif body is None:
                    raise SpaceError(f"{path}: {key}.{entry}: null drops a base entry, but {base_name} "
                                     f"has none of that name ({', '.join(names) or 'none'})")
                else:
                    at = names.index(anchor) + 1 if anchor in names else 0
                    section.insert(at, (entry, body))
                    names.insert(at, entry)
                anchor = entry
            merged[key] = dict(section)
        else:
            merged[key] = value
    return merged


def _pipeline(fail, name, raw, spec):
    """derived, temporaries and stages: present exactly for policy stages; stage ops and their
    argument names are checked against the other ops by check_stages once every op is loaded."""
    pipeline = spec["select"]["policy"] == "stages"
    for key in ("derived", "temporaries", "stages"):
        if key in raw and not pipeline:
            fail(key, "is for pipeline ops only (select: {policy: stages})")
    if not pipeline:
        return
    spec["derived"] = {}
    for key, value in (raw.get("derived") or {}).items():
        spec["derived"][name(f"derived.{key}", key)] = _expr(fail, f"derived.{key}", value)
    spec["temporaries"] = {}
    for key, t in (raw.get("temporaries") or {}).items():
        where = f"temporaries.{key}"
        name(where, key)
        if not isinstance(t, dict) or not set(t) <= {"dtype", "shape", "doc"}:
            fail(where, "expected {dtype: ..., shape: [...], doc: ...}")
        if t.get("dtype") not in DTYPE_BITS and t.get("dtype") not in spec["choices"]:
            fail(f"{where}.dtype", f"{t.get('dtype')!r} is neither a dtype nor a choice")
        shape = t.get("shape")
        if not isinstance(shape, list) or not shape:
            fail(f"{where}.shape", "expected a list of extents (names or expressions)")
        spec["temporaries"][key] = {"dtype": t["dtype"], "doc": t.get("doc", ""),
                                    "shape": [_expr(fail, f"{where}.shape[{i}]", d) for i, d in enumerate(shape)]}
    if spec["temporaries"] and not any(t["workspace"] for t in spec["tensors"].values()):
        fail("temporaries", "need a workspace tensor to be carved from")
    stages = raw.get("stages")
    if not isinstance(stages, list) or not stages:
        fail("stages", "expected a list of {op: ..., when: ..., args: {...}}")
    spec["stages"] = []
    for i, s in enumerate(stages):
        where = f"stages[{i}]"
        if not isinstance(s, dict) or not isinstance(s.get("op"), str) or not set(s) <= STAGE_KEYS:
            fail(where, f"expected a mapping with op and optionally when, args (keys: {', '.join(sorted(STAGE_KEYS))})")
        if s["op"] == spec["op"]:
            fail(f"{where}.op", "is the pipeline itself")
        stage = {"op": s["op"], "args": {}}
        if "when" in s:
            stage["when"] = _expr(fail, f"{where}.when", s["when"])
        for arg, source in (s.get("args") or {}).items():
            if isinstance(source, bool) or not isinstance(source, (str, int, float)):
                fail(f"{where}.args.{arg}", f"expected a name, a value or an expression, got {source!r}")
            stage["args"][str(arg)] = source if isinstance(source, str) else str(source)
        spec["stages"].append(stage)


def arguments(spec):
    """Every argument name a caller may give the op: sizes, choices, scalars, strides, tensors."""
    out = set(spec["sizes"]) | set(spec["choices"]) | set(spec["scalars"]) | set(spec["tensors"])
    for t in spec["tensors"].values():
        out |= set(t["strides"])
    return out


def check_stages(ops, path_of):
    """Each pipeline's stages name ops that exist, and map only arguments those ops have; a tensor
    of the pipeline that reaches a stage's tensor with element rules declares element rules too."""
    for op, spec in ops.items():
        for i, stage in enumerate(spec.get("stages", [])):
            where = f"{path_of[op]}: stages[{i}]"
            target = ops.get(stage["op"])
            if target is None:
                raise SpaceError(f"{where}.op: no op '{stage['op']}' (ops: {', '.join(sorted(ops))})")
            for arg in stage["args"]:
                if arg not in arguments(target):
                    raise SpaceError(f"{where}.args.{arg}: op {stage['op']} has no argument '{arg}' "
                                     f"(its arguments: {', '.join(sorted(arguments(target)))})")
            # Only the called op's element rules are checked: a caller's tensor a stage trusts the
            # values of must carry the rules itself (temporaries are written by earlier stages).
            for tensor, t in target["tensors"].items():
                source = stage["args"].get(tensor, tensor)
                given = spec["tensors"].get(source)
                if "elements" in t and given is not None and "elements" not in given:
                    raise SpaceError(f"{path_of[op]}: tensors.{source}: feeds stage {i} ({stage['op']}) tensor "
                                     f"{tensor}, which has element rules; declare them here too (elements: ...)")


def _integer_names(raw) -> set:
    """The names an element rule's bound may read: the call's integers (sizes, choices, scalars,
    constants, strides) — not tensors, nor a pipeline's derived values (not known to every call)."""
    names = set(raw.get("sizes") or []) | set(raw.get("choices") or {}) | set(raw.get("scalars") or {})
    names |= set(raw.get("values") or {})
    for t in (raw.get("tensors") or {}).values():
        if isinstance(t, dict):
            names |= set(t.get("strides", [t["stride"]] if "stride" in t else []))
    return names


def _applies_when(fail, where, text, raw) -> str:
    """A scalar's applies_when: an expression over the call's sizes and choices (say a dtype choice)."""
    if not isinstance(text, str):
        fail(where, f"expected an expression such as \"dtype == 'fp8'\", got {text!r}")
    known = set(raw.get("sizes") or []) | set(raw.get("choices") or {})
    for node in ast.walk(problem_rules._parse(fail, where, text)):  # noqa: SLF001
        if isinstance(node, ast.Name) and node.id not in known and node.id not in problem_rules.FUNCTIONS:
            fail(where, f"'{node.id}' is not a size or choice of the call ({', '.join(sorted(known))})")
    return text


def _elements(fail, where, raw_tensor, entry, integers) -> dict:
    """A tensor's element rules, checked: an integer input tensor, at least one rule, bounds that
    are expressions of the call's integers, order rules on 1-D tensors only."""
    where = f"{where}.elements"
    rules = raw_tensor["elements"]
    if not isinstance(rules, dict) or not rules:
        fail(where, f"expected a mapping of rules ({', '.join(sorted(ELEMENT_KEYS))})")
    for k in rules:
        if k not in ELEMENT_KEYS:
            fail(f"{where}.{k}", f"unknown key (known keys: {', '.join(sorted(ELEMENT_KEYS))})")
    if entry["dtype"] not in ELEMENT_DTYPES:
        fail(where, f"element rules need an integer dtype ({', '.join(sorted(ELEMENT_DTYPES))}), "
                    f"the tensor is {entry['dtype']}")
    if entry["output"] or entry["workspace"]:
        fail(where, "element rules check what the caller gives: not on an output or workspace tensor")
    if "max" in rules and "below" in rules:
        fail(where, "give max (inclusive) or below (exclusive), not both")
    if not isinstance(rules.get("non_decreasing", False), bool):
        fail(f"{where}.non_decreasing", "expected true or false")
    if (rules.get("non_decreasing") or "first" in rules or "last" in rules) and len(entry["shape"]) != 1:
        fail(where, f"non_decreasing, first and last read a 1-D tensor in order; this one has "
                    f"{len(entry['shape'])} dimensions")
    if not any(k in rules for k in ELEMENT_BOUNDS) and not rules.get("non_decreasing"):
        fail(where, "declares no rule")
    out = {"non_decreasing": bool(rules.get("non_decreasing", False)), "doc": str(rules.get("doc", ""))}
    for k in ELEMENT_BOUNDS:
        if k not in rules:
            continue
        bound = _expr(fail, f"{where}.{k}", rules[k])
        if isinstance(bound, str):
            tree = problem_rules._parse(fail, f"{where}.{k}", bound)  # noqa: SLF001
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id not in integers and node.id not in problem_rules.FUNCTIONS:
                    fail(f"{where}.{k}", f"'{node.id}' is not an integer of the call "
                                         f"(sizes, choices, scalars, values, strides: {', '.join(sorted(integers))})")
        out[k] = bound
    return out


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
    ops, path_of = {}, {}
    paths = sorted(Path(templates_dir).glob(f"*/{FILE_NAME}")) + sorted(Path(templates_dir).glob("*/op.*.yaml"))
    for path in paths:
        if path.name != FILE_NAME and "op" not in (read_raw(path) or {}):
            raise SpaceError(f"{path}: op: missing (an op.<name>.yaml names its op)")
        spec = load(path, path.parent.name)
        if spec["op"] in ops:
            raise SpaceError(f"{path}: op '{spec['op']}' is declared twice")
        ops[spec["op"]] = spec
        path_of[spec["op"]] = path
    check_stages(ops, path_of)
    return ops
