"""interleave (the MFMA / memory-item scheduler of the GEMM main loops) and unique labels."""

import unittest

from support import TempDirTest

from asmgen_lib.render import Renderer
from asmgen_lib.schedule import Labels, emit, interleave, spread_slots


def lines(text):
    return [line.strip() for line in text.split("\n")]


class InterleaveTest(unittest.TestCase):
    def test_spread_leaves_the_last_mfma_alone(self):
        self.assertEqual(spread_slots(4, 3), [0, 1, 2])
        self.assertEqual(spread_slots(4, 7), [0, 0, 0, 1, 1, 2, 2])
        self.assertEqual(spread_slots(8, 2), [0, 3])
        self.assertEqual(spread_slots(1, 3), [0, 0, 0])          # one MFMA: everything after it
        self.assertEqual(spread_slots(2, 5), [0, 0, 0, 0, 0])

    def test_items_keep_their_order_and_groups_stay_together(self):
        mfmas = [f"mfma{i}" for i in range(4)]                  # 3 slots for 5 items: j·3 // 5 = 0 0 1 1 2
        items = ["a", ["m_on", "b", "m_off"], "c", "d", "e"]
        out = lines(interleave(mfmas, items, "spread"))
        self.assertEqual(out, ["mfma0", "a", "m_on", "b", "m_off", "mfma1", "c", "d", "mfma2", "e", "mfma3"])
        self.assertTrue(all(line == line.lstrip() for line in out))
        self.assertTrue(interleave(mfmas, items).startswith("  mfma0\n"))

    def test_every_item_is_placed_once_for_any_sizes(self):
        for t in range(1, 17):
            for n in range(0, 40):
                items = [f"i{j}" for j in range(n)]
                out = lines(interleave([f"m{i}" for i in range(t)], items))
                self.assertEqual([x for x in out if x.startswith("i")], items, (t, n))
                self.assertEqual([x for x in out if x.startswith("m")], [f"m{i}" for i in range(t)])
                if t > 1:
                    self.assertEqual(out[-1], f"m{t - 1}", (t, n))

    def test_bad_arguments_are_named(self):
        with self.assertRaisesRegex(ValueError, "unknown policy 'greedy'"):
            interleave(["m"], ["a"], "greedy")
        with self.assertRaisesRegex(ValueError, "no MFMAs"):
            interleave([], ["a"])

    def test_emit_flattens_groups(self):
        self.assertEqual(lines(emit(["a", ["b", "c"], "d"])), ["a", "b", "c", "d"])


class LabelsTest(TempDirTest):
    def test_each_call_gives_a_new_label_and_a_render_starts_over(self):
        labels = Labels()
        self.assertEqual([labels("loop"), labels("loop"), labels("done")], [".Lloop_0", ".Lloop_1", ".Ldone_0"])
        labels.restart()
        self.assertEqual(labels("loop"), ".Lloop_0")

    def test_a_macro_expanded_twice_defines_different_labels(self):
        (self.tmp / "m.j2").write_text('{% macro wait() %}{% set l = label("spin") %}\n{{ l }}:\n  s_cbranch_scc1 {{ l }}\n{% endmacro %}\n')
        (self.tmp / "main.s.j2").write_text('{% import "m.j2" as m %}\n{{ m.wait() }}\n{{ m.wait() }}\n')
        r = Renderer(self.tmp, self.tmp, self.tmp, self.tmp)
        for _ in range(2):          # the same labels for every render
            out = [line.strip() for line in r.render("main.s.j2", {}).text.split("\n") if line.strip()]
            self.assertEqual(out, [".Lspin_0:", "s_cbranch_scc1 .Lspin_0", ".Lspin_1:", "s_cbranch_scc1 .Lspin_1"])


if __name__ == "__main__":
    unittest.main()
