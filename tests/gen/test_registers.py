"""The register allocator templates name their registers with (S/V/A, scopes, budget) and the
kernarg loads generated from the argument layout (args.load). No toolchain needed."""

import unittest

from support import TempDirTest

from asmgen_lib.errors import TemplateError
from asmgen_lib.kernargs import ArgLoads, KernArgLayout, KernArg, load_plan
from asmgen_lib.registers import RegisterFile, RegTuple, TemplateAbort, template_register_files
from asmgen_lib.render import Renderer

ENTRY = {"sgpr_kernarg_ptr": 0, "sgpr_workgroup_id": {"x": 2, "y": 3}, "first_free_sgpr": 4}
BUDGET = {"vgpr": 32, "agpr": 0, "sgpr": 106, "lds_bytes": 0}


def files():
    return template_register_files(BUDGET, 102, 4, ENTRY)


def u32(name, offset):
    return KernArg(name, "u32", offset, 4, 4, "by_value", None)


def ptr(name, offset):
    return KernArg(name, "f32*", offset, 8, 8, "global_buffer", "read_write")


class AllocatorTest(unittest.TestCase):
    def test_entry_registers_are_reserved_and_named(self):
        S, V = files()["S"], files()["V"]
        self.assertEqual(str(S.kernarg), "s[0:1]")
        self.assertEqual((str(S.workgroup_id_x), str(S.workgroup_id_y)), ("s2", "s3"))
        self.assertEqual(str(S.alloc(1)), "s4")
        self.assertEqual(str(V.workitem_ids), "v0")
        self.assertEqual(str(V.alloc(1)), "v1")

    def test_first_fit_with_the_hardware_alignment(self):
        S = files()["S"]
        self.assertEqual(str(S.alloc(1, name="a")), "s4")
        self.assertEqual(str(S.alloc(2, name="pair")), "s[6:7]")       # even
        self.assertEqual(str(S.alloc(4, name="rsrc")), "s[8:11]")      # 4-aligned
        self.assertEqual(str(S.alloc(1, name="b")), "s5")              # the hole before the pair
        V = RegisterFile("v", 16, {"workitem_ids": RegTuple("v", 0, 1)})
        self.assertEqual(str(V.alloc(2)), "v[2:3]")                   # even
        self.assertEqual(str(V.alloc(3, align=1)), "v[4:6]")          # register-by-register use
        self.assertEqual(str(V.alloc(1)), "v1")

    def test_declare_binds_names_and_lists(self):
        S = files()["S"]
        S.declare(tmp=1, off64=2, rsrc=[4, 4])
        S.alloc_list(2, 2, name="row_ok")
        self.assertEqual([str(S.tmp), str(S.off64), str(S.rsrc)], ["s4", "s[6:7]", "s[8:11]"])
        self.assertEqual([str(r) for r in S.row_ok], ["s[12:13]", "s[14:15]"])

    def test_scope_releases_registers_and_names(self):
        V = files()["V"]
        V.declare(keep=1)
        V.push()
        V.declare(temp=4)
        self.assertEqual(str(V.temp), "v[2:5]")
        V.pop()
        with self.assertRaisesRegex(TemplateAbort, r"no VGPR named 'temp' \(bound: workitem_ids, keep\)"):
            V.temp
        self.assertEqual(str(V.alloc(4)), "v[2:5]")                   # reused
        with self.assertRaisesRegex(TemplateAbort, "scope end without a scope"):
            V.pop()

    def test_the_budget_stops_the_variant_naming_the_request(self):
        V = files()["V"]                                               # 32 VGPRs, v0 taken
        V.alloc(1)
        V.alloc(28)                                                    # v[2:29]
        with self.assertRaisesRegex(TemplateAbort, r"no 4 free VGPRs for 'acc' .*budget of 32"):
            V.alloc(4, name="acc")
        self.assertEqual(str(V.alloc_if_free(2)), "v[30:31]")
        self.assertIsNone(V.alloc_if_free(1))
        S = files()["S"]
        self.assertEqual(S.limit, 102)                                 # 106 minus VCC and the XNACK mask

    def test_names_cannot_be_bound_twice_or_shadow_methods(self):
        S = files()["S"]
        S.declare(tmp=1)
        with self.assertRaisesRegex(TemplateAbort, "already bound"):
            S.declare(tmp=1)
        with self.assertRaisesRegex(TemplateAbort, "method"):
            S.bind("alloc", S.tmp)


class ArgLoadsTest(unittest.TestCase):
    def test_load_plan_uses_the_widest_aligned_loads(self):
        self.assertEqual(load_plan(40), [(0, 8), (8, 2)])
        self.assertEqual(load_plan(48), [(0, 8), (8, 4)])
        self.assertEqual(load_plan(64), [(0, 16)])
        self.assertEqual(load_plan(88), [(0, 16), (16, 4), (20, 2)])
        self.assertEqual(load_plan(12), [(0, 2), (2, 1)])

    def test_load_binds_every_argument_to_its_registers(self):
        layout = KernArgLayout((ptr("x", 0), u32("m", 8), u32("n", 12), ptr("y", 16), u32("k", 24)), 32, 8)
        S = files()["S"]
        S.declare(early=1)                                           # s4: the block goes to s8
        loads = ArgLoads(layout)
        self.assertEqual(loads.load(S).split("\n"), ["  s_load_dwordx8 s[8:15], s[0:1], 0  // x, m, n, y, k"])
        self.assertEqual([str(S[n]) for n in ("x", "m", "n", "y", "k")], ["s[8:9]", "s10", "s11", "s[12:13]", "s14"])
        with self.assertRaisesRegex(TemplateAbort, "twice"):
            loads.load(S)
        self.assertEqual(loads.offset("y"), 16)
        with self.assertRaisesRegex(TemplateAbort, r"no kernel argument 'z' \(arguments: x, m, n, y, k\)"):
            loads.offset("z")


class TemplateUseTest(TempDirTest):
    def render(self, text: str) -> str:
        (self.tmp / "main.s.j2").write_text(text)
        layout = KernArgLayout((ptr("out", 0), u32("count", 8)), 16, 8)
        context = {**files(), "args": ArgLoads(layout)}
        return Renderer(self.tmp, self.tmp, self.tmp, self.tmp).render("main.s.j2", context).text

    def test_a_template_names_its_registers(self):
        out = self.render(
            "{% do V.declare(tid=1) %}\n"
            "{{ args.load(S) }}\n"
            "  v_and_b32 {{ V.tid }}, 0x3ff, {{ V.workitem_ids }}\n"
            "{% call scope(S, V) %}\n"
            "{% do V.declare(t=2) %}\n"
            "  v_mov_b32 {{ V.t[1] }}, {{ S.count }}\n"
            "{% endcall %}\n"
            "{% call scope(V) %}\n"
            "{% do V.declare(u=2) %}\n"
            "  global_store_dword {{ V.u }}, {{ V.tid }}, {{ S.out }}\n"
            "{% endcall %}\n")
        lines = [line.split("//")[0].strip() for line in out.split("\n") if line.strip()]
        self.assertEqual(lines, ["s_load_dwordx4 s[4:7], s[0:1], 0", "v_and_b32 v1, 0x3ff, v0",
                                 "v_mov_b32 v3, s6", "global_store_dword v[2:3], v1, s[4:5]"])

    def test_an_unknown_name_is_an_error_with_the_template_line(self):
        with self.assertRaisesRegex(TemplateError, r"main.s.j2:2: .*no SGPR named 'cuont' \(bound: kernarg, "
                                                   r"workgroup_id_x, workgroup_id_y, kernargs, out, count\)"):
            self.render("{{ args.load(S) }}\n  s_mov_b32 s9, {{ S.cuont }}\n")


if __name__ == "__main__":
    unittest.main()
