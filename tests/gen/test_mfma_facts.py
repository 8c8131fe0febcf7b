"""MFMA facts from one source: the committed gen/asmgen_lib/mfma_facts.json is exactly what the
emulator's MFMA table prints (gen/mfma_facts/dump.cpp, ASMK_MFMA_FACTS_TOOL), and the templates'
questions (mfma(dtype, block, arch), the accumulator layout) are answered from it."""

import json
import os
import subprocess
import unittest

import support  # noqa: F401  (puts gen/ on the path)

from asmgen_lib import mfma as mfma_mod
from asmgen_lib.registers import TemplateAbort

TOOL = os.environ.get("ASMK_MFMA_FACTS_TOOL")


class MfmaFactsTest(unittest.TestCase):
    @unittest.skipUnless(TOOL, "ASMK_MFMA_FACTS_TOOL (the asmk_mfma_facts executable) not given")
    def test_the_committed_facts_are_what_the_emulator_table_prints(self):
        printed = subprocess.run([TOOL], capture_output=True, text=True, check=True).stdout
        self.assertEqual(json.loads(mfma_mod.FACTS.read_text()), json.loads(printed),
                         "regenerate: asmk_mfma_facts > gen/asmgen_lib/mfma_facts.json")

    def test_the_gemm_families_choices(self):
        pick = lambda *a, **kw: mfma_mod.mfma(*a, **kw).mnemonic   # noqa: E731
        # gemm_bf16: the largest K
        self.assertEqual(pick("bf16", 32, "gfx942"), "v_mfma_f32_32x32x8_bf16")
        self.assertEqual(pick("bf16", 32, "gfx950"), "v_mfma_f32_32x32x16_bf16")
        self.assertEqual(pick("bf16", 16, "gfx950"), "v_mfma_f32_16x16x32_bf16")
        # gemm_a8w8: A within the 64-byte K step's BLK / 4 VGPRs
        self.assertEqual(pick("fp8", 32, "gfx950", max_a_regs=8), "v_mfma_f32_32x32x64_f8f6f4")
        self.assertEqual(pick("fp8", 16, "gfx950", max_a_regs=4), "v_mfma_f32_16x16x32_fp8_fp8")
        self.assertEqual(pick("int8", 16, "gfx950", max_a_regs=4), "v_mfma_i32_16x16x64_i8")
        self.assertEqual(pick("int8", 32, "gfx942", max_a_regs=8), "v_mfma_i32_32x32x16_i8")
        # gemm_a8w8_blockscale (16 / 8 VGPRs per fragment) and gemm_a4w4 (scaled)
        self.assertEqual(pick("fp8", 16, "gfx950", max_a_regs=8), "v_mfma_f32_16x16x128_f8f6f4")
        self.assertEqual(pick("fp8", 32, "gfx942", max_a_regs=16), "v_mfma_f32_32x32x16_fp8_fp8")
        self.assertEqual(pick("fp8", 32, "gfx950", scaled=True), "v_mfma_scale_f32_32x32x64_f8f6f4")

    def test_registers_and_passes(self):
        op = mfma_mod.mfma("bf16", 32, "gfx942")
        self.assertEqual((op.m, op.n, op.k, op.a_regs, op.b_regs, op.cd_regs, op.passes), (32, 32, 8, 2, 2, 16, 8))
        op = mfma_mod.mfma("fp8", 32, "gfx950")
        self.assertEqual((op.k, op.a_regs, op.cd_regs, op.passes, op.f8f6f4), (64, 8, 16, 16, True))

    def test_accumulator_layout_answers_row_questions(self):
        # CDNA3 ISA, "Dependent arithmetic / MFMA layouts": 32x32 (one block): element (i, j) in
        # register 4·(i / 8) + i % 4, lane j + 32·((i / 4) % 2); 16x16: register i % 4, lane j + 16·(i / 4)
        op = mfma_mod.mfma("bf16", 32, "gfx942")
        for i in range(32):
            self.assertEqual(op.row(i), (4 * (i // 8) + i % 4, 32 * ((i // 4) % 2)), i)
        self.assertEqual(op.acc(13, 5), (4 * 1 + 1, 5 + 32))
        op16 = mfma_mod.mfma("f16", 16, "gfx950")
        for i in range(16):
            self.assertEqual(op16.row(i), (i % 4, 16 * (i // 4)), i)
        with self.assertRaisesRegex(TemplateAbort, "row 32 is outside"):
            op.row(32)

    def test_an_unknown_request_names_what_exists(self):
        with self.assertRaisesRegex(TemplateAbort, r"mfma\('fp8', 64, 'gfx942'\): no such MFMA .*32x32 fp8"):
            mfma_mod.mfma("fp8", 64, "gfx942")


if __name__ == "__main__":
    unittest.main()
