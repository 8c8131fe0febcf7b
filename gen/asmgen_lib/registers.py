"""Register operands and the scoped register allocator templates name their registers with.

A template gets one `RegisterFile` per kind (`S` SGPRs, `V` VGPRs, `A` AccVGPRs). It asks for
registers by count and binds them to names; the macros read them back by name (`S.tmp`, `V.acc`):

    {% do S.declare(m0=1, off64=2, a_rsrc=4) %}        names, first-fit, hardware alignment
    {% set t = V.alloc(4, align=4) %}                  an unnamed tuple
    {% do S.alloc_list(2, 2, name="row_ok") %}         a list of tuples (S.row_ok[1])
    {% do V.bind("partials", V.in_buf) %}              a second name (or a list/dict of tuples)
    {% call scope(S, V) %} ... {% endcall %}           what the body allocates is released at its end

Allocation is first fit from the lowest free register. Default alignment follows the hardware: SGPR
pairs even, SGPR tuples of 3+ registers 4-aligned (SMEM destinations, buffer resources), VGPR/AGPR
tuples of 2+ even (gfx90a+ 64-bit operands). Running past the family's budget stops the variant with
the allocation that did not fit (the assembled code object is still checked against the budget).
A released register may hold the result of an outstanding load: wait for it before the scope ends.
"""


class TemplateAbort(Exception):
    """Raised by {{ fail("why") }} in a template, or by a register request it cannot satisfy."""


class BudgetExceeded(TemplateAbort):
    """A register request past the family's budget: the variant is rejected, like one whose code
    object is over the budget."""


class RegTuple:
    """A register operand for templates: str() gives 'v4' or 'v[4:7]'; [i] gives the i-th register
    ('v5'); .first / .count give the indices. Made by vreg/sreg/areg(first, count=1) or an allocator."""

    def __init__(self, kind: str, first: int, count: int):
        if count < 1 or first < 0:
            raise TemplateAbort(f"{kind}reg({first}, {count}): needs first >= 0 and count >= 1")
        self.kind, self.first, self.count = kind, first, count

    def __str__(self):
        return f"{self.kind}{self.first}" if self.count == 1 else f"{self.kind}[{self.first}:{self.first + self.count - 1}]"

    def __repr__(self):
        return str(self)

    def __eq__(self, other):
        return isinstance(other, RegTuple) and (self.kind, self.first, self.count) == (other.kind, other.first, other.count)

    def __hash__(self):
        return hash((self.kind, self.first, self.count))

    def __getitem__(self, index: int) -> "RegTuple":
        if not 0 <= index < self.count:
            raise TemplateAbort(f"register {index} of {self} does not exist")
        return RegTuple(self.kind, self.first + index, 1)

    def __len__(self):
        return self.count

    def slice(self, start: int, count: int) -> "RegTuple":
        if start < 0 or count < 1 or start + count > self.count:
            raise TemplateAbort(f"registers {start}..{start + count - 1} of {self} do not exist")
        return RegTuple(self.kind, self.first + start, count)


KIND_NAMES = {"s": "SGPR", "v": "VGPR", "a": "AccVGPR"}
_METHODS = {"alloc", "alloc_if_free", "alloc_list", "get", "declare", "bind", "push", "pop", "names", "high_water", "kind", "limit"}


def default_align(kind: str, count: int) -> int:
    if kind == "s":
        return 1 if count == 1 else 2 if count == 2 else 4
    return 1 if count == 1 else 2


class RegisterFile:
    """The registers of one kind: which are taken, which names are bound, and the scopes."""

    def __init__(self, kind: str, limit: int, reserved: dict | None = None):
        self.kind, self.limit = kind, limit
        self._used = [False] * limit
        self._names: dict = {}
        self._scopes: list = []          # per open scope: (registers taken, names bound) inside it
        self.high_water = 0              # one past the highest register ever allocated
        for name, reg in (reserved or {}).items():
            self._take(reg.first, reg.count)
            self._names[name] = reg

    # --- allocation --------------------------------------------------------------------------------

    def alloc(self, count: int = 1, align: int | None = None, name: str | None = None) -> RegTuple:
        """`count` consecutive free registers, the first a multiple of `align` (default: what the
        hardware wants for a tuple of that size: give align=1 for a tuple only ever used register by
        register); bound to `name` when one is given."""
        if not isinstance(count, int) or count < 1:
            raise TemplateAbort(f"{self.kind}.alloc({count!r}): the count must be a positive integer")
        align = align or default_align(self.kind, count)
        first = 0
        while first + count <= self.limit:
            if not any(self._used[first:first + count]):
                self._take(first, count)
                reg = RegTuple(self.kind, first, count)
                if self._scopes:
                    self._scopes[-1][0].append(reg)
                if name is not None:
                    self.bind(name, reg)
                return reg
            first += align
        what = f" for '{name}'" if name else ""
        raise BudgetExceeded(f"no {count} free {KIND_NAMES[self.kind]}s{what} (aligned to {align}) within the "
                            f"budget of {self.limit}; taken: {self._describe()}")

    def alloc_if_free(self, count: int = 1, align: int | None = None, name: str | None = None):
        """Like alloc, but None (instead of stopping the variant) when the registers are not free."""
        try:
            return self.alloc(count, align, name)
        except BudgetExceeded:
            return None

    def alloc_list(self, n: int, count: int = 1, align: int | None = None, name: str | None = None) -> list:
        """n separate tuples of `count` registers (e.g. one per block), bound to `name` as a list."""
        regs = [self.alloc(count, align) for _ in range(n)]
        if name is not None:
            self.bind(name, regs)
        return regs

    def declare(self, **counts):
        """Allocates and names several registers: `declare(tmp=1, off64=2, rsrc=[4, 4])`, the value a
        count or [count, align]."""
        for name, spec in counts.items():
            count, align = (spec, None) if isinstance(spec, int) else tuple(spec)
            self.alloc(count, align, name)
        return ""

    def bind(self, name: str, value):
        """Names a register tuple (or a list / dict of them) that already exists."""
        if name in _METHODS or name.startswith("_"):
            raise TemplateAbort(f"'{name}' cannot name a register (it is a method of the register file)")
        if name in self._names:
            raise TemplateAbort(f"{self.kind}.{name} is already bound to {self._names[name]}")
        self._names[name] = value
        if self._scopes:
            self._scopes[-1][1].append(name)
        return ""

    def push(self):
        self._scopes.append(([], []))

    def pop(self):
        if not self._scopes:
            raise TemplateAbort(f"{self.kind}: scope end without a scope")
        regs, names = self._scopes.pop()
        for reg in regs:
            for i in range(reg.first, reg.first + reg.count):
                self._used[i] = False
        for name in names:
            del self._names[name]

    # --- lookup ------------------------------------------------------------------------------------

    def __getitem__(self, name):
        try:
            return self._names[name]
        except KeyError:
            raise TemplateAbort(f"no {KIND_NAMES[self.kind]} named '{name}' (bound: {', '.join(self._names) or 'none'})") from None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def get(self, name, default=None):
        return self._names.get(name, default)

    def names(self) -> dict:
        return dict(self._names)

    # --- internals ---------------------------------------------------------------------------------

    def _take(self, first: int, count: int):
        if first + count > self.limit:
            raise BudgetExceeded(f"{RegTuple(self.kind, first, count)} is past the budget of {self.limit} {KIND_NAMES[self.kind]}s")
        for i in range(first, first + count):
            self._used[i] = True
        self.high_water = max(self.high_water, first + count)

    def _describe(self) -> str:
        def flat(value):
            if isinstance(value, RegTuple):
                return [value]
            if isinstance(value, dict):
                value = list(value.values())
            if isinstance(value, (list, tuple)):
                return [r for v in value for r in flat(v)]
            return []
        return ", ".join(f"{n}={'/'.join(map(str, flat(v)))}" for n, v in self._names.items())


def scope(*files, caller):
    """`{% call scope(S, V) %}...{% endcall %}`: registers and names the body allocates and binds are
    released at its end."""
    for f in files:
        f.push()
    try:
        return caller()
    finally:
        for f in reversed(files):
            f.pop()


def template_register_files(budget: dict, max_sgpr: int, extra_sgprs: int, entry: dict) -> dict:
    """The template variables S, V, A for one variant: register files limited by the family's budget
    (SGPRs: the budget minus VCC and the XNACK mask the descriptor adds), with the entry registers
    reserved and named: S.kernarg (s[0:1]), S.workgroup_id_x/_y/_z, V.workitem_ids (v0)."""
    sgprs = {"kernarg": RegTuple("s", entry["sgpr_kernarg_ptr"], 2)}
    for dim, index in entry["sgpr_workgroup_id"].items():
        sgprs[f"workgroup_id_{dim}"] = RegTuple("s", index, 1)
    return {
        "S": RegisterFile("s", min(max_sgpr, budget["sgpr"] - extra_sgprs), sgprs),
        "V": RegisterFile("v", budget["vgpr"], {"workitem_ids": RegTuple("v", 0, 1)}),
        "A": RegisterFile("a", budget["agpr"]),
    }
