"""space.yaml loading, variant expansion and kernel-argument layout (no toolchain needed)."""

import textwrap
import unittest

from support import FAMILIES, TEMPLATES, TempDirTest

from asmgen_lib.errors import SpaceError
from asmgen_lib.expand import expand
from asmgen_lib.kernargs import layout
from asmgen_lib.space import load_space

MINIMAL = """\
family: fam
template: fam.s.j2
archs: [gfx942, gfx950]
workgroup_size: [64, 1, 1]
axes:
  - {name: a, values: [1, 2, 3], format: "a{}"}
  - {name: b, values: [x, y]}
args:
  - {name: p, type: "const f32*"}
"""


class SpaceFileTest(TempDirTest):
    def write_family(self, text: str, name: str = "fam"):
        folder = self.tmp / name
        folder.mkdir(exist_ok=True)
        (folder / "space.yaml").write_text(textwrap.dedent(text))
        (folder / f"{name}.s.j2").write_text("  s_endpgm\n")
        return folder / "space.yaml"

    def assertSpaceError(self, text: str, *fragments):
        path = self.write_family(text)
        with self.assertRaises(SpaceError) as caught:
            space = load_space(path)
            for variant in expand(space, ["gfx942", "gfx950"]):
                layout(space, variant.params)
        message = str(caught.exception)
        self.assertIn(str(path), message)
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_unknown_top_level_key_is_named(self):
        self.assertSpaceError(MINIMAL + "constraint: []\n", "unknown key 'constraint'", "top level")

    def test_unknown_axis_key_is_named(self):
        self.assertSpaceError(MINIMAL.replace('format: "a{}"', 'fmt: "a{}"'), "unknown key 'fmt'", "axes[0]")

    def test_an_unnamed_value_outside_the_axis_is_named(self):
        self.assertSpaceError(MINIMAL.replace('values: [x, y]}', 'values: [x, y], unnamed: z}'), "axes[1] (b).unnamed", "'z'")

    def test_missing_required_key_is_named(self):
        self.assertSpaceError(MINIMAL.replace("workgroup_size: [64, 1, 1]\n", ""), "workgroup_size")

    def test_wrong_types_are_named(self):
        self.assertSpaceError(MINIMAL.replace("[64, 1, 1]", "64"), "workgroup_size", "expected")
        self.assertSpaceError(MINIMAL + "budget: {vgpr: lots}\n", "budget.vgpr")
        self.assertSpaceError(MINIMAL + "requires: [{arg: k, multiple: [64]}]\n", "requires[0].multiple")
        self.assertSpaceError(MINIMAL + "requires: [k_multiple]\n", "requires[0]", "mapping")
        self.assertSpaceError(MINIMAL + "requires: {k_multiple: 64}\n", "requires", "list")
        self.assertSpaceError(MINIMAL.replace("archs: [gfx942, gfx950]", "archs: [gfx1100]"), "unknown arch 'gfx1100'")

    def test_workgroup_size_may_be_an_expression_of_the_axes(self):
        space = load_space(self.write_family(MINIMAL.replace("[64, 1, 1]", '["64 * a", 1, 1]')))
        self.assertEqual(space.workgroup_size, ("64 * a", 1, 1))   # evaluated per variant by the build
        self.assertSpaceError(MINIMAL.replace("[64, 1, 1]", '["64 * a", 0, 1]'), "workgroup_size", "positive")
        self.assertSpaceError(MINIMAL.replace("[64, 1, 1]", "[64, 32, 1]"), "workgroup_size", "<= 1024")

    def test_constraint_with_unknown_name_is_named(self):
        self.assertSpaceError(MINIMAL + "constraints:\n  - {expr: 'c == 1', reason: r}\n",
                              "constraints[0].expr", "'c' is undefined")

    def test_unknown_argument_type_is_named(self):
        self.assertSpaceError(MINIMAL.replace('"const f32*"', "float"), "args[0] (p)", "unknown type 'float'")

    def test_type_placeholder_must_be_an_axis(self):
        self.assertSpaceError(MINIMAL.replace('"const f32*"', '"const {dtype}*"'), "args[0] (p)", "dtype")

    def test_family_must_match_folder(self):
        self.assertSpaceError(MINIMAL.replace("family: fam", "family: other"), "differs from the folder name")


class ExpansionTest(TempDirTest):
    def test_product_of_axes_per_arch(self):
        folder = self.tmp / "fam"
        folder.mkdir()
        (folder / "space.yaml").write_text(MINIMAL)
        (folder / "fam.s.j2").write_text("")
        variants = expand(load_space(folder / "space.yaml"), ["gfx942", "gfx950"])
        self.assertEqual(len(variants), 2 * 3 * 2)
        self.assertEqual(variants[0].name, "fam_gfx942_a1_x")
        self.assertEqual(variants[-1].name, "fam_gfx950_a3_y")
        self.assertEqual(list(variants[0].params), ["a", "b"])     # axis order is kept
        self.assertEqual(len({v.name for v in variants}), len(variants))

    def test_an_axis_at_its_unnamed_value_adds_nothing_to_the_name(self):
        folder = self.tmp / "fam"
        folder.mkdir()
        (folder / "space.yaml").write_text(MINIMAL.replace('  - {name: b, values: [x, y]}', '  - {name: b, values: [x, y], unnamed: x}'))
        (folder / "fam.s.j2").write_text("")
        names = [v.name for v in expand(load_space(folder / "space.yaml"), ["gfx942"])]
        self.assertEqual(names, ["fam_gfx942_a1", "fam_gfx942_a1_y", "fam_gfx942_a2", "fam_gfx942_a2_y",
                                 "fam_gfx942_a3", "fam_gfx942_a3_y"])

    def test_constraints_and_per_arch_availability(self):
        # tiny: width 2 only on gfx950; constraint removes spill with regs 40
        space = load_space(FAMILIES / "tiny" / "space.yaml")
        names = {v.name for v in expand(space, ["gfx942", "gfx950"])}
        self.assertEqual(names, {
            "tiny_gfx942_w1_r8_0", "tiny_gfx942_w1_r8_1", "tiny_gfx942_w1_r40_0",
            "tiny_gfx950_w1_r8_0", "tiny_gfx950_w1_r8_1", "tiny_gfx950_w1_r40_0",
            "tiny_gfx950_w2_r8_0", "tiny_gfx950_w2_r8_1", "tiny_gfx950_w2_r40_0",
        })

    def test_only_requested_archs(self):
        space = load_space(FAMILIES / "tiny" / "space.yaml")
        self.assertTrue(all(v.arch == "gfx942" for v in expand(space, ["gfx942"])))


class KernargLayoutTest(unittest.TestCase):
    def test_offsets_follow_size_and_alignment(self):
        space = load_space(FAMILIES / "tiny" / "space.yaml")
        args = layout(space, {"width": 1, "regs": 8, "spill": False})
        # out f32* @0 (8), count u32 @8, big u64 aligned to 8 -> @16, flag i32 @24, wide u32 align 16 -> @32
        self.assertEqual([(a.name, a.offset, a.size) for a in args.args],
                         [("out", 0, 8), ("count", 8, 4), ("big", 16, 8), ("flag", 24, 4), ("wide", 32, 4)])
        self.assertEqual(args.align, 16)
        self.assertEqual(args.size, 48)          # 36 rounded up to the segment alignment
        self.assertEqual([a.kind for a in args.args], ["global_buffer"] + ["by_value"] * 4)

    def test_pointer_types_take_axis_values(self):
        space = load_space(TEMPLATES / "quant_fp8" / "space.yaml")
        args = layout(space, {"in_dtype": "fp16", "granularity": "row", "n_per_wg": 512})
        self.assertEqual(args.args[0].type, "const fp16*")
        self.assertEqual(args.args[0].access, "read_only")


if __name__ == "__main__":
    unittest.main()
