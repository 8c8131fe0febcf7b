"""`asmgen build`: expand, render, assemble, link, read back, check the budget, write manifests.

A variant whose inputs are unchanged is up to date without rendering (see cache). The others are
rendered up front (by forked worker processes when there are many); a variant over its budget is
rejected before assembly. The kernels of a family are then cut into groups that share one code object
(grouping): a group whose key (its members' sources and names) is the recorded one is up to date,
the others are assembled and linked, one llvm-mc and one ld.lld run per group, in a thread pool (their
members that were not rendered are rendered first). A failure of one variant or family is recorded
and reported; every other variant is still built (a group with a failing member is built again without it).

New code objects are linked into a staging folder (<out>/<arch>/.asmgen/staging/). A family's
code objects and manifest entries are replaced only when every one of its variants built (or was
rejected by the budget): a failed rebuild leaves the family's previous code objects and entries as
they were."""

import hashlib
import json
import multiprocessing
import os
import shutil
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import cache as cache_mod
from . import grouping, manifest, op_spec, problem_rules
from .errors import AsmgenError, SpaceError, TemplateError
from .expand import Variant, evaluate, expand, variables_of
from .archs import ARCHS, EXTRA_SGPRS
from .kernargs import ArgLoads, KernArgLayout, layout
from .registers import BudgetExceeded, template_register_files
from .regusage import scan
from .render import Renderer, display_path
from .resources import budget_violations, metadata_from_elf, read_resources
from .space import FamilySpace, discover_families, load_space
from .toolchain import Toolchain, parse_diagnostics
from .wrapper import WrappedKernel, code_object_source, entry_registers, wrap

BUILT, UP_TO_DATE, REJECTED, FAILED = "built", "up to date", "rejected", "failed"


@dataclass
class BuildOptions:
    archs: list
    families: list | None          # None: every family under templates_dir
    jobs: int
    out_dir: Path
    templates_dir: Path
    asm_src_dir: Path
    repo_root: Path                # file names in messages are shown relative to it
    llvm_bin: str | None = None
    per_object: int = grouping.DEFAULT_PER_OBJECT     # kernels per code object (at most)


@dataclass
class Outcome:
    name: str
    arch: str
    family: str
    status: str
    message: str = ""              # failure or rejection reason
    warnings: list = field(default_factory=list)


@dataclass
class BuildReport:
    outcomes: list = field(default_factory=list)
    errors: list = field(default_factory=list)      # family-level failures (bad space.yaml, ...)
    kept: list = field(default_factory=list)        # (arch, family) not replaced: a variant failed

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return not self.errors and self.count(FAILED) == 0

    def summary(self) -> str:
        return (f"{self.count(BUILT)} built, {self.count(UP_TO_DATE)} up to date, {self.count(REJECTED)} rejected, "
                f"{self.count(FAILED) + len(self.errors)} failed")


@dataclass
class _Job:
    variant: Variant
    space: FamilySpace
    wrapped: WrappedKernel         # its part of a code object's source
    source: str                    # the variant alone as a code object's source (kept as <name>.s)
    text_start: int                # line of `source` where wrapped.text begins
    code_start: int                # line of `source` where the template's code begins
    origins: list                  # per code line: sourcemap.Origin or None
    key: str
    kernargs: KernArgLayout
    rules: dict                    # the variant's launch rule and requires (problem_rules.resolve)
    workgroup_size: tuple          # space.yaml's workgroup_size evaluated for the variant
    inputs_base: str = ""          # cache.input_base of the variant
    deps: tuple = ()               # the template files its render loaded


class _OverBudget(Exception):
    """The wrapped kernel needs more than the family's budget (the reasons, joined)."""


class Builder:
    def __init__(self, options: BuildOptions, on_progress=None):
        self.opt = options
        self.on_progress = on_progress or (lambda done, total, outcome: None)
        self.toolchain = Toolchain(options.llvm_bin)
        self.report = BuildReport()
        self._lock = threading.Lock()
        self._total = 0                 # variants known so far (for the progress line)
        self._staged = {}               # (arch, family) -> [(staged .co, final .co)] built by this run
        self.ops = {}                   # op specs by name (op_spec.load_all), copied into every manifest

    def _relative(self, message: str) -> str:
        """A message with the repository prefix removed from the paths it names."""
        return message.replace(f"{self.opt.repo_root}/", "")

    def _show(self, path) -> str:
        return display_path(path, self.opt.repo_root)

    # --- families and variants -------------------------------------------------------------------

    def _load_spaces(self) -> dict:
        available = discover_families(self.opt.templates_dir)
        wanted = self.opt.families or available
        spaces = {}
        for family in wanted:
            if family not in available:
                self.report.errors.append(f"unknown family '{family}' (families in {self._show(self.opt.templates_dir)}: "
                                          f"{', '.join(available) or 'none'})")
                continue
            try:
                spaces[family] = load_space(self.opt.templates_dir / family / "space.yaml")
            except SpaceError as err:
                self.report.errors.append(self._relative(str(err)))
        try:
            self.ops = op_spec.load_all(self.opt.templates_dir)
        except SpaceError as err:
            self.report.errors.append(self._relative(str(err)))
        return spaces

    def _prepare(self, space: FamilySpace, renderer: Renderer, variant: Variant, asm_digest: str) -> _Job:
        params = variant.params
        args = layout(space, params)
        variables = variables_of(space, params, variant.arch)
        lds = evaluate(space, "lds_bytes", space.lds_bytes, variables)
        scratch = evaluate(space, "scratch_bytes", space.scratch_bytes, variables)
        for what, value in (("lds_bytes", lds), ("scratch_bytes", scratch)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SpaceError(f"{space.path}: {what}: gave {value!r} for {variant.name}, expected a byte count")
        workgroup_size = tuple(evaluate(space, f"workgroup_size[{i}]", v, variables)
                               for i, v in enumerate(space.workgroup_size))
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 1 for v in workgroup_size) or (
                workgroup_size[0] * workgroup_size[1] * workgroup_size[2] > 1024):
            raise SpaceError(f"{space.path}: workgroup_size: gave {list(workgroup_size)} for {variant.name}, "
                             "expected three positive integers with a product <= 1024")
        launch, requires = problem_rules.resolve(space, params, variant.arch)
        rules = {k: v for k, v in (("launch", launch), ("requires", requires)) if v}
        context = {
            **variables, "params": dict(params), "arch": variant.arch, "family": space.family, "name": variant.name,
            "workgroup_size": list(workgroup_size), "kernarg": args.offsets(),
            "kernarg_bytes": args.size, "lds_bytes": lds, **entry_registers(space), "args": ArgLoads(args),
            **template_register_files(space.budget, ARCHS[variant.arch].max_sgpr, EXTRA_SGPRS, entry_registers(space)),
        }
        rendered = renderer.render(space.template, context)
        use = scan(rendered.text)
        if use.uses_scratch and not scratch:
            scratch = 4     # scratch instructions without a declared size: reported as scratch use
        wrapped = wrap(space, variant.arch, variant.name, rendered.text, use, args, lds, scratch, workgroup_size)
        reasons = budget_violations(wrapped.resources, space.budget)
        if reasons:
            raise _OverBudget("; ".join(reasons))
        alone = code_object_source(variant.arch, [wrapped], f"{space.family}/{space.template}")
        key = cache_mod.variant_key(alone.text, params, space.budget, self.toolchain.fingerprint, asm_digest, rules)
        return _Job(variant, space, wrapped, alone.text, alone.starts[0], alone.starts[0] + wrapped.code_line - 1,
                    rendered.origins, key, args, rules, workgroup_size)

    # --- one group: one code object --------------------------------------------------------------

    def _diagnostics(self, members: list, source, src_path: Path, stderr: str) -> tuple[dict, list, list]:
        """The assembler's messages about a group's source, each shown with the line of the member's own
        .s and its template origin: (errors by member index, warnings per member, errors outside every
        member's part, e.g. in the metadata note or an assembler .include)."""
        errors, warnings, outside = {}, [[] for _ in members], []
        diags = parse_diagnostics(stderr)
        for d in diags:
            if d.kind == "note":
                continue
            text, member = f"{d.kind}: {d.message}", None
            if Path(d.file).resolve() == src_path.resolve():
                member = next((i for i, start in enumerate(source.starts) if start <= d.line < start
                               + members[i].wrapped.text.count("\n") + 1), None)
                if member is None:
                    text += f"\n    from the descriptor/metadata asmgen generates\n    generated {self._show(src_path)}:{d.line}"
                else:
                    job = members[member]
                    line = job.text_start + d.line - source.starts[member]      # in the member's own .s
                    code_index = line - job.code_start
                    origin = job.origins[code_index] if 0 <= code_index < len(job.origins) else None
                    text += f"\n    from {origin}" if origin else "\n    from the descriptor/metadata asmgen generates"
                    generated = job.source.split("\n")[line - 1].strip()
                    text += f"\n    generated {self._show(self._source_path(job))}:{line}: {generated}"
            else:
                text += f"\n    in {d.file}:{d.line}"
            if d.kind != "error":
                warnings[member or 0].append(text)
            elif member is None:
                outside.append(text)
            else:
                errors.setdefault(member, []).append(text)
        if not diags and stderr.strip():
            outside.append(stderr.strip())
        return errors, warnings, outside

    def _source_path(self, job: _Job) -> Path:
        return cache_mod.state_dir(self.opt.out_dir, job.variant.arch) / "src" / job.variant.family / f"{job.variant.name}.s"

    def _build_group(self, group: grouping.Group, key: str | None, members: list) -> list:
        """Assembles and links the members (_Job) into group.file (staged); returns (job, outcome, result,
        group key) per member. key: the group's key, None when the members are not the planned group."""
        state = self._source_path(members[0]).parent
        state.mkdir(parents=True, exist_ok=True)
        for job in members:
            self._source_path(job).write_text(job.source)
        stem = Path(group.file).name[:-len(".co")]
        src_path, obj_path = state / f"{stem}.s", state / f"{stem}.o"
        staging = self._staging_dir(group.arch) / group.family
        staging.mkdir(parents=True, exist_ok=True)
        co_tmp = staging / Path(group.file).name
        source = code_object_source(group.arch, [job.wrapped for job in members],
                                    f"{group.family}: {', '.join(job.variant.name for job in members)}")
        src_path.write_text(source.text)

        def fail_all(message, warnings_of=lambda i: ()):
            return [(job, Outcome(job.variant.name, job.variant.arch, job.variant.family, FAILED, message,
                                  list(warnings_of(i))), None, None) for i, job in enumerate(members)]

        done = self.toolchain.assemble(src_path, obj_path, group.arch, [self.opt.asm_src_dir])
        errors, warnings, outside = self._diagnostics(members, source, src_path, done.stderr)
        if done.returncode != 0:
            obj_path.unlink(missing_ok=True)
            if len(members) > 1 and (outside or not errors):
                # not attributable to one member: each is built on its own for its own messages
                return [r for job in members for r in self._build_group(group, None, [job])]
            if outside or not errors:
                message = "\n".join(outside) or f"failed with exit code {done.returncode}"
                return fail_all("assembler " + message, lambda i: warnings[i])
            results = [(job, Outcome(job.variant.name, job.variant.arch, job.variant.family, FAILED,
                                     "assembler " + "\n".join(errors[i]), warnings[i]), None, None)
                       for i, job in enumerate(members) if i in errors]
            rest = [job for i, job in enumerate(members) if i not in errors]
            return results + (self._build_group(group, None, rest) if rest else [])
        done = self.toolchain.link(obj_path, co_tmp)
        obj_path.unlink(missing_ok=True)
        if done.returncode != 0:
            co_tmp.unlink(missing_ok=True)
            return fail_all(f"linker: {done.stderr.strip()}", lambda i: warnings[i])
        sha256 = cache_mod.file_sha256(co_tmp)
        try:
            metadata = metadata_from_elf(co_tmp)
        except AsmgenError as err:
            co_tmp.unlink(missing_ok=True)
            return fail_all(str(err))
        results = []
        for i, job in enumerate(members):
            v = job.variant
            try:
                res, _meta = read_resources(None, co_tmp, v.name, metadata)
                if res != job.wrapped.resources:
                    raise AsmgenError(f"{group.file}: the code object reports {res.as_dict()} for {v.name}, asmgen "
                                      f"wrote {job.wrapped.resources.as_dict()}")
            except AsmgenError as err:
                results.append((job, Outcome(v.name, v.arch, v.family, FAILED, str(err), warnings[i]), None, None))
                continue
            entry = manifest.kernel_entry(v, group.file, sha256, job.workgroup_size, res.as_dict(),
                                          [a.manifest_entry() for a in job.kernargs.args], job.rules)
            results.append((job, Outcome(v.name, v.arch, v.family, BUILT, "", warnings[i]), {"kernel": entry}, key))
        with self._lock:                    # installed with its family (_install) when the whole family built
            self._staged.setdefault((group.arch, group.family), []).append((co_tmp, self.opt.out_dir / group.arch / group.file))
        return results

    # --- the whole build -------------------------------------------------------------------------

    def run(self) -> BuildReport:
        spaces = self._load_spaces()
        asm_digest = cache_mod.directory_digest(self.opt.asm_src_dir)
        if self.opt.archs:
            self.toolchain.remember_versions(cache_mod.state_dir(self.opt.out_dir, self.opt.archs[0]) / "toolchain.json")
        generator = cache_mod.generator_digest()
        files = cache_mod.FileDigests(self.opt.repo_root)
        caches = {arch: cache_mod.Cache(self.opt.out_dir, arch) for arch in self.opt.archs}
        results = {arch: {} for arch in self.opt.archs}       # arch -> name -> manifest outcome dict
        expanded = {}                                           # (arch, family) -> its variants, in order
        bases = {}                                              # (arch, name) -> (variant, input base)
        unchanged = set()                                       # (arch, name) of kernels not rendered
        jobs = {}                                               # (arch, name) -> rendered _Job
        pending = []                                            # (variant, input base) to render

        for arch in self.opt.archs:
            for family, space in spaces.items():
                try:
                    variants = expand(space, [arch])
                except SpaceError as err:
                    self.report.errors.append(self._relative(str(err)))
                    continue
                expanded[(arch, family)] = variants
                space_digest = files.digest(space.path) or ""
                for variant in variants:
                    base = cache_mod.input_base(generator, self.toolchain.fingerprint, asm_digest, space_digest,
                                                variant.name, variant.params)
                    bases[(arch, variant.name)] = (variant, base)
                    hit = self._unchanged(caches[arch], variant, base, files)
                    if hit is None:
                        pending.append((variant, base))
                    elif "rejected" in hit:
                        results[arch][variant.name] = hit
                        self._finish(Outcome(variant.name, arch, family, REJECTED, hit["rejected"]["reason"]))
                    else:
                        unchanged.add((arch, variant.name))
        self._take_renders(pending, spaces, asm_digest, caches, results, files, jobs)

        to_build = []                                           # (group, key)
        for (arch, family), variants in expanded.items():
            names = [v.name for v in variants if (arch, v.name) in jobs or (arch, v.name) in unchanged]
            for group in grouping.plan(arch, family, names, self.opt.per_object):
                cache = caches[arch]
                keys = [jobs[(arch, n)].key if (arch, n) in jobs else cache.entries[n]["key"] for n in group.members]
                key = grouping.group_key(group, keys)
                if not self._group_current(cache, group, key, files, unchanged):
                    to_build.append((group, key))
                    continue
                for name in group.members:
                    results[arch][name] = {"kernel": cache.entries[name]["kernel"]}
                    if (arch, name) in jobs:
                        self._note_inputs(cache, jobs[(arch, name)], files)
                    self._finish(Outcome(name, arch, family, UP_TO_DATE))
        # members of groups to build that were up to date by their inputs are rendered now
        self._take_renders([bases[(g.arch, n)] for g, _ in to_build for n in g.members if (g.arch, n) not in jobs],
                           spaces, asm_digest, caches, results, files, jobs)

        with self._lock:
            self._total = len(self.report.outcomes) + sum(len(g.members) for g, _ in to_build)
        built = []

        def build(item):
            group, key = item
            members = [jobs[(group.arch, n)] for n in group.members if (group.arch, n) in jobs]
            if len(members) != len(group.members):
                key = None                  # a member's render failed this time: not the planned group
            try:
                done = self._build_group(group, key, members) if members else []
            except OSError as err:
                done = [(job, Outcome(job.variant.name, job.variant.arch, job.variant.family, FAILED, str(err)), None, None)
                        for job in members]
            for _job, outcome, _result, _key in done:
                self._finish(outcome)
            return done

        with ThreadPoolExecutor(max_workers=max(1, self.opt.jobs)) as pool:
            for done in pool.map(build, to_build):
                for job, _outcome, result, key in done:
                    arch = job.variant.arch
                    if result is None:
                        caches[arch].forget(job.variant.name)
                    else:
                        caches[arch].record(job.variant.name, job.key, result, key)
                        results[arch][job.variant.name] = result
                        built.append(job)

        failed = {(o.arch, o.family) for o in self.report.outcomes if o.status == FAILED}
        self.report.kept = sorted(failed)
        for arch in self.opt.archs:
            complete = {family for (a, family) in expanded if a == arch and (arch, family) not in failed}
            self._install(arch, complete)
            for job in built:                   # inputs noted once the code object is in place
                if job.variant.arch == arch and job.variant.family in complete:
                    self._note_inputs(caches[arch], job, files)
            cache_changed = caches[arch].dirty or bool(self.report.kept or self.report.errors)
            caches[arch].save()
            kept = {name: r for name, r in results[arch].items() if _family_of(r) in complete}
            self._write_manifest(arch, kept, complete, cache_changed)
            shutil.rmtree(self._staging_dir(arch), ignore_errors=True)
        self.report.outcomes.sort(key=lambda o: (o.arch, o.name))
        return self.report

    def _take_renders(self, pending: list, spaces: dict, asm_digest: str, caches: dict, results: dict, files, jobs: dict):
        """Renders the pending (variant, input base) pairs: a job into `jobs`, a rejection recorded and
        reported, a failure reported."""
        for (variant, base), (status, payload, deps) in zip(pending, self._render_all(spaces, pending, asm_digest)):
            arch, family = variant.arch, variant.family
            if status == REJECTED:                     # the allocator or the budget check refused it
                reason = self._relative(payload)
                results[arch][variant.name] = {"rejected": manifest.rejected_entry(variant, reason)}
                caches[arch].record(variant.name, "", results[arch][variant.name])
                caches[arch].note_inputs(variant.name, cache_mod.input_key(base, deps, files), deps, None)
                self._finish(Outcome(variant.name, arch, family, REJECTED, reason))
            elif status == FAILED:
                self._finish(Outcome(variant.name, arch, family, FAILED, self._relative(payload)))
                caches[arch].forget(variant.name)
            else:
                payload.inputs_base, payload.deps = base, tuple(deps)
                jobs[(arch, variant.name)] = payload

    # --- rendering ------------------------------------------------------------------------------

    def _render_all(self, spaces: dict, pending: list, asm_digest: str) -> list:
        """(status, job or message, template files loaded) per pending variant, in order. Rendering is
        pure Python, so many variants are rendered by forked worker processes (one Jinja environment
        per family and worker)."""
        _RENDER_CONTEXT.update(builder=self, spaces=spaces, asm_digest=asm_digest, renderers={})
        items = [variant for variant, _base in pending]
        workers = min(self.opt.jobs, len(items) // RENDERS_PER_WORKER)
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [_render_one(v) for v in items]
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_render_one, items, chunksize=max(1, len(items) // (8 * workers))))

    def _finish(self, outcome: Outcome):
        with self._lock:
            self.report.outcomes.append(outcome)
            self.on_progress(len(self.report.outcomes), self._total, outcome)

    def _staging_dir(self, arch: str) -> Path:
        return cache_mod.state_dir(self.opt.out_dir, arch) / "staging"

    def _install(self, arch: str, families: set):
        """Moves the staged code objects of the families that built completely into place."""
        for (staged_arch, family), moves in self._staged.items():
            if staged_arch == arch and family in families:
                for staged, final in moves:
                    final.parent.mkdir(parents=True, exist_ok=True)
                    staged.replace(final)

    def _co_path(self, arch: str, kernel_entry: dict) -> Path:
        return self.opt.out_dir / arch / kernel_entry["file"]

    def _unchanged(self, cache, variant: Variant, base: str, files) -> dict | None:
        """The recorded outcome when the variant's inputs are unchanged (no render needed), else None."""
        entry = cache.entries.get(variant.name)
        if not entry or "inputs" not in entry or cache_mod.input_key(base, entry.get("deps", []), files) != entry["inputs"]:
            return None
        if "kernel" in entry:
            co = self._co_path(variant.arch, entry["kernel"])
            try:
                if cache_mod.file_stamp(co) != entry.get("stamp"):
                    if files.digest(co) != entry["kernel"]["sha256"]:
                        return None
                    entry["stamp"] = cache_mod.file_stamp(co)     # the same bytes, touched
                    cache.dirty = True
            except OSError:
                return None
            return {"kernel": entry["kernel"]}
        return {"rejected": entry["rejected"]} if "rejected" in entry else None

    def _note_inputs(self, cache, job: _Job, files):
        entry = cache.entries.get(job.variant.name, {})
        stamp = None
        if "kernel" in entry:
            try:
                stamp = cache_mod.file_stamp(self._co_path(job.variant.arch, entry["kernel"]))
            except OSError:
                return
        cache.note_inputs(job.variant.name, cache_mod.input_key(job.inputs_base, list(job.deps), files), list(job.deps), stamp)

    def _group_current(self, cache, group: grouping.Group, key: str, files, unchanged: set) -> bool:
        """Whether the group's code object is the one built from these members (key) and still intact."""
        co = self.opt.out_dir / group.arch / group.file
        for name in group.members:
            entry = cache.entries.get(name, {})
            if entry.get("group") != key or entry.get("kernel", {}).get("file") != group.file:
                return False
            # a member unchanged by its inputs had its code object checked (_unchanged); a rendered one not yet
            if (group.arch, name) not in unchanged and files.digest(co) != entry["kernel"]["sha256"]:
                return False
        return True

    def _write_manifest(self, arch: str, results: dict, rebuilt_families: set, cache_changed: bool):
        """Kernels of the families handled now replace theirs; other families' entries are kept.
        When no cache entry changed and the manifest is the file the last build left (its size and
        mtime), with the same op specs, toolchain and families, it is left alone without being read
        (most of a no-op build's time otherwise)."""
        path, state_file = manifest.manifest_path(self.opt.out_dir, arch), cache_mod.state_dir(self.opt.out_dir, arch) / "manifest.state"
        inputs = hashlib.sha256(json.dumps([self.toolchain.version, self.ops, sorted(rebuilt_families)],
                                           sort_keys=True).encode()).hexdigest()
        if not cache_changed and _read_json(state_file) == {"inputs": inputs, "stamp": _stamp_or_none(path)}:
            return
        self._update_manifest(arch, results, rebuilt_families)
        state_file.write_text(json.dumps({"inputs": inputs, "stamp": _stamp_or_none(path)}) + "\n")

    def _update_manifest(self, arch: str, results: dict, rebuilt_families: set):
        previous = manifest.load(self.opt.out_dir, arch) or {}
        keep = lambda entry: entry.get("family") not in rebuilt_families   # noqa: E731
        kernels = [k for k in previous.get("kernels", []) if keep(k)
                   and (self.opt.out_dir / arch / k.get("file", "")).is_file()]
        rejected = [r for r in previous.get("rejected", []) if keep(r)]
        kernels += [r["kernel"] for r in results.values() if "kernel" in r]
        rejected += [r["rejected"] for r in results.values() if "rejected" in r]
        # code objects of rebuilt families that no longer correspond to a variant are removed
        current = {k["file"] for k in kernels}
        for family in rebuilt_families:
            for co in (self.opt.out_dir / arch / family).glob("*.co"):
                if f"{family}/{co.name}" not in current:
                    co.unlink()
        document = manifest.document(arch, self.toolchain.version, kernels, rejected, self.ops)
        if previous and json.loads(json.dumps(document)) == previous:
            return                      # the same document: skip the (slow, indented) rendering
        if kernels or rejected or manifest.manifest_path(self.opt.out_dir, arch).is_file():
            manifest.write_if_changed(self.opt.out_dir, arch, manifest.render(arch, self.toolchain.version,
                                                                              kernels, rejected, self.ops))


def _read_json(path: Path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def _stamp_or_none(path: Path):
    try:
        return cache_mod.file_stamp(path)
    except OSError:
        return None


def _family_of(result: dict) -> str:
    """The family of a variant's manifest outcome ({"kernel": entry} or {"rejected": entry})."""
    return (result.get("kernel") or result.get("rejected") or {}).get("family", "")


RENDERS_PER_WORKER = 16          # fewer variants per worker than this: render in this process
_RENDER_CONTEXT = {}             # what _render_one needs; set before the workers fork


def _render_one(variant: Variant):
    ctx = _RENDER_CONTEXT
    builder, space = ctx["builder"], ctx["spaces"][variant.family]
    renderer = ctx["renderers"].get(variant.family)
    if renderer is None:
        renderer = ctx["renderers"][variant.family] = Renderer(space.folder, builder.opt.templates_dir,
                                                               builder.opt.asm_src_dir, builder.opt.repo_root)
    # The files loaded, relative to the checkout: a copied or moved checkout with its out folder
    # checks its own templates, not the ones it was copied from.
    def loaded():
        return sorted(os.path.relpath(path, builder.opt.repo_root) for path in renderer.loader.paths)
    try:
        job = builder._prepare(space, renderer, variant, ctx["asm_digest"])
        return BUILT, job, loaded()
    except (BudgetExceeded, _OverBudget) as err:
        return REJECTED, str(err), loaded()
    except (TemplateError, SpaceError) as err:
        return FAILED, str(err), []


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def clean(out_dir: Path, archs) -> list:
    """Removes what asmgen wrote under out_dir for the given archs; returns the removed paths."""
    removed = []
    for arch in archs:
        folder = Path(out_dir) / arch
        if (folder / manifest.FILE_NAME).exists() or (folder / cache_mod.STATE_DIR).exists():
            shutil.rmtree(folder)
            removed.append(folder)
    if Path(out_dir).is_dir() and not any(Path(out_dir).iterdir()):
        Path(out_dir).rmdir()
        removed.append(Path(out_dir))
    return removed
