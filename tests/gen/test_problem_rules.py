"""Launch rules and `requires` lists of space.yaml (gen/asmgen_lib/problem_rules.py): checked at
load, resolved per variant with the parameters folded in (no toolchain needed)."""

import textwrap
import unittest

from support import TempDirTest

from asmgen_lib.errors import SpaceError
from asmgen_lib.expand import expand
from asmgen_lib.problem_rules import resolve
from asmgen_lib.space import load_space

FAMILY = """\
family: fam
template: fam.s.j2
archs: [gfx942]
workgroup_size: [256, 1, 1]
axes:
  - {name: tile, values: [16, 64], format: "t{}"}
  - {name: layout, values: [row, shuffled]}
args:
  - {name: a, type: "const f32*"}
  - {name: n, type: u32}
  - {name: stride_a, type: u32}
  - {name: splits, type: u32}
"""


class ProblemRulesTest(TempDirTest):
    def load(self, extra: str):
        folder = self.tmp / "fam"
        folder.mkdir(exist_ok=True)
        (folder / "space.yaml").write_text(textwrap.dedent(FAMILY + extra))
        (folder / "fam.s.j2").write_text("  s_endpgm\n")
        return load_space(folder / "space.yaml")

    def resolved(self, extra: str) -> dict:
        space = self.load(extra)
        return {v.name: resolve(space, v.params, v.arch) for v in expand(space, ["gfx942"])}

    def assertRuleError(self, extra: str, *fragments):
        with self.assertRaises(SpaceError) as caught:
            self.resolved(extra)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))

    def test_parameters_are_folded_and_arguments_kept(self):
        rules = self.resolved("""\
launch:
  grid: ["ceil_div(n, tile)", "1 if layout == 'row' else splits", 1]
requires:
  - {arg: n, multiple: "64 if layout == 'shuffled' else 1"}
  - {pointer: a, align: 16}
  - {expr: "tile * stride_a < 2**32", reason: "32-bit offsets"}
  - {expr: "tile >= 16", reason: "always true, dropped"}
""")
        launch, requires = rules["fam_gfx942_t64_shuffled"]
        self.assertEqual(launch, {"grid": ["ceil_div(n, 64)", "splits", 1], "block": [256, 1, 1]})
        self.assertEqual(requires, [
            {"arg": "n", "multiple": 64, "name": "n_multiple"},
            {"pointer": "a", "align": 16, "name": "a_align_bytes"},
            {"expr": "64 * stride_a < 4294967296", "reason": "32-bit offsets", "name": "expr"}])
        launch, requires = rules["fam_gfx942_t16_row"]
        self.assertEqual(launch["grid"], ["ceil_div(n, 16)", 1, 1])
        self.assertEqual([r.get("arg") or r.get("pointer") or r.get("expr") for r in requires],
                         ["a", "16 * stride_a < 4294967296"])   # multiple 1 always holds: dropped

    def test_derived_values_are_named_once_and_folded(self):
        """space.yaml's `derived:` names a per-variant value once (each over the axes, arch and the earlier names);
        the launch and requires fold it in like a parameter."""
        rules = self.resolved("""\
derived:
  cols: "2 * tile if layout == 'shuffled' else tile"
  wide: "cols > 64"
launch:
  grid: ["ceil_div(n, cols)", "splits if wide else 1", 1]
requires:
  - {arg: n, multiple: cols}
""")
        self.assertEqual(rules["fam_gfx942_t64_shuffled"][0]["grid"], ["ceil_div(n, 128)", "splits", 1])
        self.assertEqual(rules["fam_gfx942_t64_row"][0]["grid"], ["ceil_div(n, 64)", 1, 1])
        self.assertEqual(rules["fam_gfx942_t16_shuffled"][1], [{"arg": "n", "multiple": 32, "name": "n_multiple"}])

    def test_derived_names_are_checked(self):
        self.assertRuleError('derived: {tile: "2"}\n', "derived.tile", "names an axis, an argument or arch")
        self.assertRuleError('derived: {n: "2"}\n', "derived.n", "names an axis, an argument or arch")
        self.assertRuleError('derived: {"2x": "2"}\n', "derived", "not an identifier")
        self.assertRuleError('derived: {c: [2]}\n', "derived.c", "an integer or an expression string")
        self.assertRuleError('derived: {c: "d + 1", d: "1"}\nlaunch:\n  grid: [c, 1, 1]\n', "derived.c", "'d' is undefined")

    def test_unknown_names_are_named(self):
        self.assertRuleError('launch: {grid: ["ceil_div(m, tile)", 1, 1]}\n', "launch.grid[0]", "unknown name 'm'")
        self.assertRuleError("requires: [{arg: a, multiple: 4}]\n", "requires[0].arg", "not a scalar argument")
        self.assertRuleError("requires: [{pointer: n, align: 4}]\n", "requires[0].pointer", "not a pointer")

    def test_only_the_whitelisted_language_is_accepted(self):
        for text in ("n.bit_length()", "[n]", "n / 2", "abs(n)", "lambda: 1", "n if 1", "__import__('os')"):
            with self.subTest(text=text), self.assertRaises(SpaceError):
                self.load(f'launch: {{grid: ["{text}", 1, 1]}}\n')

    def test_bad_values_are_refused(self):
        self.assertRuleError("requires: [{pointer: a, align: 12}]\n", "requires[0].align", "power of two")
        self.assertRuleError("requires: [{arg: n, multiple: 'stride_a'}]\n", "requires[0].multiple", "unknown name")
        self.assertRuleError("requires: [{expr: 'tile > 100', reason: why}]\n", "never holds")
        self.assertRuleError('launch: {grid: [0, 1, 1]}\n', "launch.grid[0]", "positive")
        self.assertRuleError("launch: {grid: ['2**1000', 1, 1]}\n", "exponents")
        self.assertRuleError("requires: [{expr: \"layout == n\", reason: r}]\n", "compares a kernel argument")
        with self.assertRaises(SpaceError):
            self.load("requires: [{arg: n, multiple: 4, unit: furlongs}]\n")
        with self.assertRaises(SpaceError):
            self.load("launch: {grid: [1, 1]}\n")


if __name__ == "__main__":
    unittest.main()
