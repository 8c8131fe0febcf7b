"""The fmha_fwd family's problem rules (templates/fmha_fwd/space.yaml): every limit its contract states
is a `requires` rule that holds just inside the limit and fails just past it, and the launch rule is
(ceil(s_q / 128), num_heads_q, batch · num_splits) (num_splits 0 or 1: one split). The kernels' numerics are checked on the emulator (tests/kernels)."""

import unittest

from support import TEMPLATES

from asmgen_lib.expand import expand
from asmgen_lib.problem_rules import _fold, _parse, resolve
from asmgen_lib.space import load_space

# A valid problem: every rule holds (contiguous bf16 tensors, 4 query heads on 2 kv heads, d 128).
PROBLEM = {"batch": 2, "seqlen_q": 300, "seqlen_k": 1000, "num_heads_q": 4, "num_heads_k": 2,
           "q_stride_batch": 300 * 512, "q_stride_token": 512, "q_stride_head": 128,
           "k_stride_batch": 1000 * 256, "k_stride_token": 256, "k_stride_head": 128,
           "v_stride_batch": 1000 * 256, "v_stride_token": 256, "v_stride_head": 128,
           "o_stride_batch": 300 * 512, "o_stride_token": 512, "o_stride_head": 128,
           "window_left": -1, "window_right": 0, "bottom_right": 1, "num_splits": 1}


def evaluate(text: str, values: dict):
    def fail(where, message):
        raise AssertionError(f"{where}: {message}")
    return _fold(fail, "rule", _parse(fail, "rule", text).body, values)


class FmhaFwdRulesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        space = load_space(TEMPLATES / "fmha_fwd" / "space.yaml")
        cls.variants = {v.name: resolve(space, v.params, v.arch) for v in expand(space, ["gfx942", "gfx950"])}

    def failing(self, requires, **changes) -> set:
        """Names of the rules a problem (PROBLEM with `changes`) violates; pointers are aligned."""
        values = {**PROBLEM, **changes}
        names = set()
        for rule in requires:
            if "expr" in rule and not evaluate(rule["expr"], values):
                names.add(rule["name"])
            if "arg" in rule and values[rule["arg"]] % rule["multiple"]:
                names.add(rule["name"])
        return names

    def test_every_variant_has_the_rules_and_the_launch_rule(self):
        # 24 per arch at 4 waves + 9 packed (hd 64, 128, 256; 192x128 has no GQA); at 8: 6 (16-bit and fp8 hd 128)
        # + 4 (16-bit 192x128)
        self.assertEqual(len(self.variants), 86)
        for name, (launch, requires) in self.variants.items():
            rows, lanes = (256, 512) if name.endswith("_w8") else (128, 256)
            values = {**PROBLEM, "seqlen_q": 3, "num_heads_q": 16}
            grid = [evaluate(g, values) for g in launch["grid"]]
            # packed: the 8 query heads of a kv head times 3 tokens are the rows of one of 2 heads
            # (heads fastest, then query tiles: the kernel takes them from the last; 8 waves: sequences, then tiles)
            w8 = name.endswith("_w8")
            self.assertEqual(grid, [2, 1, 2] if "_packed_" in name else [16, 2, 1] if w8 else [16, 1, 2], name)
            grid = [evaluate(g, {**PROBLEM, "seqlen_q": 300, "num_splits": 5}) for g in launch["grid"]]
            tiles = (600 + 127 if "_packed_" in name else 300 + rows - 1) // rows
            self.assertEqual(grid, [2 if "_packed_" in name else 4] + ([10, tiles] if w8 else [tiles, 10]), name)
            self.assertEqual(launch["block"], [lanes, 1, 1], name)
            aligned = {r["pointer"]: r["align"] for r in requires if "pointer" in r}
            self.assertEqual(aligned, {"q": 16, "k": 16, "v": 16, "o": 16, "lse": 4, "cu_seqlens_q": 4, "cu_seqlens_k": 4}, name)
            strides = {r["arg"]: r["multiple"] for r in requires if "arg" in r}
            step = {t: 16 if "_fp8_" in name and t != "o" else 8 for t in "qkvo"}  # 16-byte rows of q, k, v
            self.assertEqual(strides, {f"{t}_stride_{s}": step[t] for t in "qkvo" for s in ("batch", "token", "head")}, name)
            self.assertEqual(self.failing(requires), set(), name)

    def test_each_limit_from_both_sides(self):
        _, requires = next(iter(self.variants.values()))
        cases = [  # (rule, values just inside, values just past)
            ("seqlens_positive", {"seqlen_q": 1, "seqlen_k": 1}, {"seqlen_k": 0}),
            ("seqlens_positive", {"seqlen_q": 1}, {"seqlen_q": 0}),
            ("heads_grouped", {"num_heads_q": 6, "num_heads_k": 3}, {"num_heads_q": 6, "num_heads_k": 4}),
            ("heads_grouped", {"num_heads_q": 1, "num_heads_k": 1}, {"num_heads_k": 0}),
            ("heads_float_division", {"num_heads_q": 2**12, "num_heads_k": 2**12 - 1},
             {"num_heads_q": 2**12, "num_heads_k": 2**12}),
            # k rows of 2^20 elements (2 MiB): 2047 rows fit below 4 GiB, 2048 do not; below 32 rows counts 32
            ("kv_offsets_32bit", {"seqlen_k": 2047, "k_stride_token": 2**20}, {"seqlen_k": 2048, "k_stride_token": 2**20}),
            ("kv_offsets_32bit", {"seqlen_k": 1, "v_stride_token": 2**26 - 8}, {"seqlen_k": 1, "v_stride_token": 2**26}),
            ("q_offsets_32bit", {"q_stride_token": 2**26 - 8}, {"q_stride_token": 2**26}),
            ("q_offsets_32bit", {"o_stride_token": 2**26 - 8}, {"o_stride_token": 2**26}),
            ("positions_30bit", {"seqlen_q": 2**29, "seqlen_k": 2**29 - 1}, {"seqlen_q": 2**29, "seqlen_k": 2**29}),
            ("positions_30bit", {"window_left": 2**30 - 1}, {"window_left": 2**30}),
            ("positions_30bit", {"window_right": 2**30 - 1}, {"window_right": 2**30}),
            ("stride_multiple", {"k_stride_head": 136}, {"k_stride_head": 132}),
            ("stride_multiple", {"o_stride_batch": 8}, {"o_stride_batch": 12}),
            # split-KV: z = sequence · num_splits + split divided in fp32 (exact below 2^22); the split's tiles too
            ("splits_grid", {"batch": 2**21 - 1, "num_splits": 2}, {"batch": 2**21, "num_splits": 2}),
            ("splits_grid", {"batch": 2**23, "num_splits": 1}, {"batch": 2**23, "num_splits": 2}),
            ("splits_grid", {"num_splits": 4096}, {"num_splits": 4097}),
            ("splits_tiles", {"seqlen_q": 1, "seqlen_k": 2**27 - 1, "k_stride_token": 8, "v_stride_token": 8,
                              "num_splits": 16},
             {"seqlen_q": 1, "seqlen_k": 2**27, "k_stride_token": 8, "v_stride_token": 8, "num_splits": 16}),
        ]
        for rule, inside, past in cases:
            with self.subTest(rule=rule, past=past):
                self.assertNotIn(rule, self.failing(requires, **inside))
                self.assertIn(rule, self.failing(requires, **past))
        # the partials of split-KV are the 4-wave kernels': the ping-pong takes one split only
        _, pingpong = self.variants["fmha_fwd_gfx942_bf16_bf16_d128_none_w8"]
        self.assertNotIn("splits_four_waves", self.failing(pingpong, num_splits=1))
        self.assertIn("splits_four_waves", self.failing(pingpong, num_splits=2))
        self.assertNotIn("splits_four_waves", self.failing(requires, num_splits=16))
        # packed rows: every q / o offset of a batch below 2^31, (head, token) rows below 2^20
        _, packed = self.variants["fmha_fwd_gfx942_bf16_bf16_d128_packed_w4"]
        self.assertNotIn("packed_offsets", self.failing(requires, seqlen_q=2**20))
        self.assertNotIn("packed_offsets", self.failing(packed, seqlen_q=2**18 - 1, num_heads_q=4, q_stride_token=8, o_stride_token=8))
        self.assertIn("packed_offsets", self.failing(packed, seqlen_q=2**18, num_heads_q=4, q_stride_token=8, o_stride_token=8))
        self.assertNotIn("packed_offsets", self.failing(packed, seqlen_q=1, q_stride_head=2**28 - 8))
        self.assertIn("packed_offsets", self.failing(packed, seqlen_q=1, q_stride_head=2**28))
        # ... and a kv head's G · s_q rows of split partials (num_splits · 4·d_v bytes each) below 2^31: G 128, s_q 8
        # (1024 rows), hd 128: 4095 splits hold, 4096 not; hd 256, G 64: likewise
        many = {"seqlen_q": 8, "num_heads_q": 256, "num_heads_k": 2}
        self.assertNotIn("packed_offsets", self.failing(packed, **many, num_splits=4095))
        self.assertIn("packed_offsets", self.failing(packed, **many, num_splits=4096))
        _, packed256 = self.variants["fmha_fwd_gfx950_bf16_bf16_d256_packed_w4"]
        many = {"seqlen_q": 8, "num_heads_q": 128, "num_heads_k": 2, "q_stride_token": 256 * 128, "q_stride_head": 256,
                "o_stride_token": 256 * 128, "o_stride_head": 256}
        self.assertNotIn("packed_offsets", self.failing(packed256, **many, num_splits=4095))
        self.assertIn("packed_offsets", self.failing(packed256, **many, num_splits=4096))
        self.assertNotIn("packed_offsets", self.failing(requires, **many, num_splits=4096))
        # fp8: 1-byte elements, so twice the rows of 16-bit kernels fit below 4 GiB
        _, fp8 = self.variants["fmha_fwd_gfx942_fp8_bf16_d128_none_w4"]
        self.assertNotIn("kv_offsets_32bit", self.failing(fp8, seqlen_k=4095, k_stride_token=2**20))
        self.assertIn("kv_offsets_32bit", self.failing(fp8, seqlen_k=4096, k_stride_token=2**20))
        self.assertNotIn("q_offsets_32bit", self.failing(fp8, q_stride_token=2**27 - 16))
        self.assertIn("q_offsets_32bit", self.failing(fp8, q_stride_token=2**27))


if __name__ == "__main__":
    unittest.main()
