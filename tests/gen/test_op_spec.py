"""Op specs (templates/<family>/op.yaml, gen/asmgen_lib/op_spec.py): checked at load, copied into
the manifests; the loader's fixture manifests carry the templates' specs unchanged."""

import json
import textwrap
import unittest
from pathlib import Path

from support import TempDirTest

from asmgen_lib import op_spec
from asmgen_lib.errors import SpaceError

REPO = Path(__file__).resolve().parents[2]
GOOD = """\
doc: "y = 2 x"
sizes: [n]
choices:
  dtype: {values: [bf16, f32], default: f32}
scalars:
  alpha: {type: f32, default: 1.0}
tensors:
  x: {dtype: dtype, shape: [n]}
  y: {dtype: dtype, shape: [n], output: true}
select:
  policy: ranked
  prefer:
    - {fewest: "ceil_div(n, block) * block - n", what: masked lanes}
"""


class OpSpecTest(TempDirTest):
    def load(self, text: str, family: str = "fam") -> dict:
        folder = self.tmp / family
        folder.mkdir(exist_ok=True)
        (folder / "op.yaml").write_text(textwrap.dedent(text))
        return op_spec.load(folder / "op.yaml", family)

    def refused(self, text: str, *needles: str):
        with self.assertRaises(SpaceError) as caught:
            self.load(text)
        for needle in needles:
            self.assertIn(needle, str(caught.exception))

    def test_a_good_spec_is_normalized(self):
        spec = self.load(GOOD)
        self.assertEqual(spec["op"], "fam")
        self.assertEqual(spec["kernels"], "fam")
        self.assertEqual(spec["choices"]["dtype"], {"values": ["bf16", "f32"], "default": "f32", "param": "dtype",
                                                   "implied": "", "doc": ""})
        self.assertEqual(spec["tensors"]["x"]["strides"], [])
        self.assertEqual(spec["select"]["prefer"], [{"fewest": "ceil_div(n, block) * block - n", "what": "masked lanes"}])

    def test_mistakes_are_named(self):
        self.refused(GOOD + "colour: red\n", "colour: unknown key")
        self.refused(GOOD.replace("dtype: dtype, shape: [n]}", "dtype: bf17, shape: [n]}", 1),
                     "tensors.x.dtype", "'bf17' is neither a dtype")
        self.refused(GOOD.replace("default: f32", "default: fp64"), "choices.dtype.default")
        self.refused(GOOD.replace("shape: [n]}", "shape: [n, n], strides: [s, t]}", 1), "one stride per dimension")
        self.refused(GOOD.replace("sizes: [n]", "sizes: [n, x]"), "'x' is declared twice")
        self.refused(GOOD.replace("policy: ranked", "policy: fastest"), "select")
        self.refused(GOOD.replace("ceil_div(n, block)", "abs(n)"), "is not allowed")

    def test_applies_when_is_an_expression_of_sizes_and_choices(self):
        spec = self.load(GOOD.replace("alpha: {type: f32, default: 1.0}",
                                      "alpha: {type: f32, default: 1.0, applies_when: \"dtype == 'bf16'\"}"))
        self.assertEqual(spec["scalars"]["alpha"]["applies_when"], "dtype == 'bf16'")
        self.refused(GOOD.replace("default: 1.0}", "default: 1.0, applies_when: \"colour == 'red'\"}"),
                     "scalars.alpha.applies_when", "'colour' is not a size or choice")
        self.refused(GOOD.replace("default: 1.0}", "default: 1.0, applies_when: 3}"),
                     "scalars.alpha.applies_when", "expected an expression")

    PIPELINE = """\
        op: twice
        sizes: [n]
        tensors:
          x: {dtype: f32, shape: [n]}
          y: {dtype: f32, shape: [n], output: true}
          workspace: {dtype: u8, workspace: true}
        derived: {half: "n // 2"}
        temporaries:
          t: {dtype: f32, shape: [n]}
        stages:
          - {op: fam, args: {y: t}}
          - {op: fam, when: "half > 0", args: {x: t, alpha: 2.5}}
        select: {policy: stages}
        """

    def load_pair(self, pipeline: str) -> dict:
        (self.tmp / "fam").mkdir(exist_ok=True)
        (self.tmp / "fam" / "op.yaml").write_text(GOOD)
        (self.tmp / "fam" / "op.twice.yaml").write_text(textwrap.dedent(pipeline))
        return op_spec.load_all(self.tmp)

    def test_a_pipeline_spec_keeps_its_stages_in_order(self):
        spec = self.load_pair(self.PIPELINE)["twice"]
        self.assertEqual(spec["derived"], {"half": "n // 2"})
        self.assertEqual(spec["temporaries"]["t"]["shape"], ["n"])
        self.assertEqual(spec["stages"], [{"op": "fam", "args": {"y": "t"}},
                                          {"op": "fam", "when": "half > 0", "args": {"x": "t", "alpha": "2.5"}}])

    def test_pipeline_mistakes_are_named(self):
        def refused(text, *needles):
            with self.assertRaises(SpaceError) as caught:
                self.load_pair(text)
            for needle in needles:
                self.assertIn(needle, str(caught.exception))
        refused(self.PIPELINE.replace("- {op: fam, args", "- {op: nope, args"), "stages[0].op: no op 'nope'")
        refused(self.PIPELINE.replace("{y: t}", "{colour: t}"), "stages[0].args.colour: op fam has no argument")
        refused(self.PIPELINE.replace("workspace: {dtype: u8, workspace: true}", "w: {dtype: u8, shape: [n]}"),
                "temporaries: need a workspace tensor")
        refused(self.PIPELINE.replace('when: "half > 0"', 'when: "abs(half)"'), "stages[1].when")
        refused(self.PIPELINE.replace("select: {policy: stages}", "select: {policy: ranked, prefer: []}"),
                "is for pipeline ops only")
        refused(self.PIPELINE.replace("half:", "n:"), "'n' is declared twice")

    def test_element_rules_are_normalized_and_checked(self):
        ids = GOOD.replace("sizes: [n]", "sizes: [n, experts]").replace(
            "  y: {dtype: dtype, shape: [n], output: true}",
            "  y: {dtype: dtype, shape: [n], output: true}\n"
            "  ids: {dtype: i32, shape: [n], elements: {min: -1, below: experts, doc: expert ids}}\n"
            "  offsets: {dtype: i32, shape: [\"n + 1\"], elements: {non_decreasing: true, first: 0, last: \"n * 2\"}}")
        spec = self.load(ids)
        self.assertEqual(spec["tensors"]["ids"]["elements"],
                         {"min": -1, "below": "experts", "non_decreasing": False, "doc": "expert ids"})
        self.assertEqual(spec["tensors"]["offsets"]["elements"],
                         {"first": 0, "last": "n * 2", "non_decreasing": True, "doc": ""})
        self.assertNotIn("elements", spec["tensors"]["x"])
        self.refused(ids.replace("below: experts", "below: experts, above: 3"), "ids.elements.above: unknown key")
        self.refused(ids.replace("below: experts", "below: tokens"), "ids.elements.below", "'tokens' is not an integer")
        self.refused(ids.replace("below: experts", "below: x"), "'x' is not an integer of the call")
        self.refused(ids.replace("below: experts", "below: experts, max: 4"), "max (inclusive) or below")
        self.refused(ids.replace("ids: {dtype: i32", "ids: {dtype: f32"), "need an integer dtype")
        self.refused(ids.replace("shape: [n], elements: {min", "shape: [n], output: true, elements: {min"),
                     "not on an output")
        self.refused(ids.replace("ids: {dtype: i32, shape: [n]", "ids: {dtype: i32, shape: [n, n]").replace(
            "min: -1, below", "non_decreasing: true, below"), "1-D tensor")
        self.refused(ids.replace("{min: -1, below: experts, doc: expert ids}", "{doc: expert ids}"), "declares no rule")
        self.refused(ids.replace("non_decreasing: true", "non_decreasing: 1"), "expected true or false")

    def test_a_pipeline_passes_element_rules_on(self):
        fam = GOOD.replace("sizes: [n]", "sizes: [n, experts]").replace(
            "  y: {dtype: dtype, shape: [n], output: true}",
            "  y: {dtype: dtype, shape: [n], output: true}\n"
            "  ids: {dtype: i32, shape: [n], elements: {min: 0, below: experts}}")
        pipeline = self.PIPELINE.replace("sizes: [n]", "sizes: [n, experts]").replace(
            "  y: {dtype: f32, shape: [n], output: true}",
            "  y: {dtype: f32, shape: [n], output: true}\n          ids: {dtype: i32, shape: [n]}")
        (self.tmp / "fam").mkdir(exist_ok=True)
        (self.tmp / "fam" / "op.yaml").write_text(fam)
        (self.tmp / "fam" / "op.twice.yaml").write_text(textwrap.dedent(pipeline))
        with self.assertRaises(SpaceError) as caught:
            op_spec.load_all(self.tmp)
        self.assertIn("tensors.ids: feeds stage 0 (fam) tensor ids, which has element rules", str(caught.exception))
        (self.tmp / "fam" / "op.twice.yaml").write_text(textwrap.dedent(pipeline.replace(
            "ids: {dtype: i32, shape: [n]}", "ids: {dtype: i32, shape: [n], elements: {min: 0, below: experts}}")))
        self.assertIn("elements", op_spec.load_all(self.tmp)["twice"]["tensors"]["ids"])

    def test_an_extending_spec_is_its_base_with_its_own_keys_laid_over(self):
        (self.tmp / "fam").mkdir(exist_ok=True)
        (self.tmp / "fam" / "op.yaml").write_text(GOOD)
        child = """\
            extends: op.yaml
            op: fam_f32
            doc: "y = 2 x in f32"
            choices: {dtype: null}
            tensors:
              x: {dtype: f32, shape: [n]}
              xs: {dtype: f32, shape: [n], optional: true}
              z: {dtype: f32, shape: [n], optional: true}
              y: {dtype: f32, shape: [n], output: true}
            """
        (self.tmp / "fam" / "op.fam_f32.yaml").write_text(textwrap.dedent(child))
        ops = op_spec.load_all(self.tmp)
        base, spec = ops["fam"], ops["fam_f32"]
        self.assertEqual(spec["doc"], "y = 2 x in f32")
        self.assertEqual(spec["choices"], {})                          # dropped by null
        self.assertEqual(spec["scalars"], base["scalars"])             # inherited
        self.assertEqual(spec["select"], base["select"])
        # a replaced entry keeps its place, a new one follows the entry named before it here (or comes last)
        self.assertEqual(list(spec["tensors"]), ["x", "xs", "z", "y"])       # base: x, y
        self.assertEqual(spec["tensors"]["x"]["dtype"], "f32")
        self.assertEqual(base["tensors"]["x"]["dtype"], "dtype")       # the base is untouched

        def refused(text, *needles):
            (self.tmp / "fam" / "op.fam_f32.yaml").write_text(textwrap.dedent(text))
            with self.assertRaises(SpaceError) as caught:
                op_spec.load_all(self.tmp)
            for needle in needles:
                self.assertIn(needle, str(caught.exception))
        refused(child.replace("extends: op.yaml", "extends: op.nope.yaml"), "extends: 'op.nope.yaml' is not an op spec",
                "op.fam_f32.yaml, op.yaml")
        refused(child.replace("dtype: null", "colour: null"), "choices.colour: null drops a base entry", "dtype")
        refused(child.replace("            op: fam_f32\n", ""), "op: missing")   # the base's op is not inherited
        (self.tmp / "fam" / "op.yaml").write_text(GOOD + "extends: op.fam_f32.yaml\n")
        refused(child, "a cycle")

    def test_every_template_op_loads(self):
        ops = op_spec.load_all(REPO / "templates")
        self.assertIn("gemm_a8w8", ops)
        for name, spec in ops.items():
            self.assertEqual(spec["op"], name)
            self.assertTrue((REPO / "templates" / spec["kernels"] / "space.yaml").is_file(), name)

    def test_fixture_manifests_carry_the_templates_specs(self):
        # tests/loader/data/*/<arch>/manifest.json are written by hand except their "ops", which must
        # be what asmgen would copy: a changed op.yaml fails here until the fixtures follow.
        ops = json.loads(json.dumps(op_spec.load_all(REPO / "templates")))
        manifests = sorted((REPO / "tests" / "loader" / "data").glob("*/*/manifest.json"))
        self.assertTrue(manifests)
        for manifest in manifests:
            for name, spec in json.loads(manifest.read_text()).get("ops", {}).items():
                self.assertEqual(spec, ops[name], f"{manifest}: ops.{name}")


if __name__ == "__main__":
    unittest.main()
