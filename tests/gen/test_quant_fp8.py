"""The quant_fp8 family builds for both archs with no rejected variant, and its code objects carry
exactly the kernel contract of docs/contracts.md (arguments, block, LDS, float mode) and the
instructions the contract prescribes. Its numerics are checked against the reference on the emulator
(tests/kernels)."""

import json
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from support import LLVM_BIN, TEMPLATES, descriptor_text, needs_toolchain, readelf_metadata, run_asmgen

CONTRACT_ARGS = [("x", 0, 8, "global_buffer"), ("y", 8, 8, "global_buffer"), ("scale", 16, 8, "global_buffer"),
                 ("m", 24, 4, "by_value"), ("n", 28, 4, "by_value"), ("stride_x", 32, 4, "by_value"),
                 ("stride_y", 36, 4, "by_value")]
FP8_MAX_BITS = {"gfx942": "0x43700000", "gfx950": "0x43e00000"}     # 240.0 (e4m3fnuz), 448.0 (e4m3fn)
LOAD = {512: "buffer_load_dword ", 1024: "buffer_load_dwordx2 ", 2048: "buffer_load_dwordx4 "}
STORE = {512: "buffer_store_short ", 1024: "buffer_store_dword ", 2048: "buffer_store_dwordx2 "}


@needs_toolchain
class QuantFp8Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = Path(tempfile.mkdtemp(prefix="asmgen-quant-")) / "hsaco"
        cls.done = run_asmgen("build", "--templates", TEMPLATES, "--family", "quant_fp8", "--out", cls.out, check=0)
        cls.manifests = {a: json.loads((cls.out / a / "manifest.json").read_text()) for a in ("gfx942", "gfx950")}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out.parent, ignore_errors=True)

    def kernels(self):
        for arch, doc in self.manifests.items():
            for k in doc["kernels"]:
                yield arch, k

    def disasm(self, arch, k) -> str:
        return subprocess.run([str(LLVM_BIN / "llvm-objdump"), "-d", f"--mcpu={arch}",
                               f"--disassemble-symbols={k['symbol']}", str(self.out / arch / k["file"])],
                              capture_output=True, text=True, check=True).stdout

    def test_every_variant_builds_and_none_is_rejected(self):
        self.assertIn("24 built, 0 up to date, 0 rejected, 0 failed", self.done.stdout)
        for arch, doc in self.manifests.items():
            self.assertEqual(doc["rejected"], [])
            names = {k["name"] for k in doc["kernels"]}
            self.assertEqual(len(names), 12)
            self.assertIn(f"quant_fp8_{arch}_bf16_row_n1024", names)
            self.assertIn(f"quant_fp8_{arch}_fp16_group_n2048", names)

    def test_arguments_block_and_lds_follow_the_contract(self):
        for arch, k in self.kernels():
            with self.subTest(k["name"]):
                self.assertEqual([(a["name"], a["offset"], a["size"], a["kind"]) for a in k["kernargs"]], CONTRACT_ARGS)
                self.assertEqual([a["type"] for a in k["kernargs"]],
                                 [f"const {k['params']['in_dtype']}*", "fp8*", "f32*", "u32", "u32", "u32", "u32"])
                self.assertEqual(k["workgroup_size"], [256, 1, 1])
                r = k["resources"]
                self.assertEqual((r["kernarg_bytes"], r["scratch_bytes"], r["wavefront_size"]), (40, 0, 64))
                self.assertEqual(r["lds_bytes"], 16 if k["params"]["granularity"] == "row" else 0)
                (meta,) = [m for m in readelf_metadata(self.out / arch / k["file"])["amdhsa.kernels"]
                           if m[".name"] == k["symbol"]]
                self.assertEqual([(a[".name"], a[".offset"], a[".size"], a[".value_kind"]) for a in meta[".args"]],
                                 CONTRACT_ARGS)
                self.assertEqual(meta[".reqd_workgroup_size"], [256, 1, 1])

    def test_descriptor_preserves_fp32_denormals_and_requests_the_row_id(self):
        for arch, k in self.kernels():
            kd = descriptor_text(self.out / arch / k["file"], k["symbol"])
            self.assertIn(".amdhsa_float_denorm_mode_32 3", kd)
            self.assertIn(".amdhsa_system_sgpr_workgroup_id_y 1", kd)
            self.assertIn(".amdhsa_user_sgpr_kernarg_segment_ptr 1", kd)

    def test_code_uses_the_prescribed_instructions(self):
        division = ["v_div_scale_f32", "v_div_scale_f32", "v_rcp_f32", "v_fma_f32", "v_fma_f32", "v_mul_f32",
                    "v_fma_f32", "v_fma_f32", "v_fma_f32", "v_div_fmas_f32", "v_div_fixup_f32"]
        for arch, k in self.kernels():
            with self.subTest(k["name"]):
                text = self.disasm(arch, k)
                ops = [m.group(1).removesuffix("_e32").removesuffix("_e64")
                       for m in re.finditer(r"^\s+(v_\w+|s_nop)", text, re.MULTILINE)]
                ops = [op for op in ops if op != "s_nop"]
                sequences = [i for i in range(len(ops)) if ops[i:i + len(division)] == division]
                self.assertEqual(len(sequences), 2, "scale and inverse each need one full division sequence")
                self.assertEqual(ops.count("v_rcp_f32"), 2, "no v_rcp_f32 outside the division sequences")
                self.assertIn("v_cvt_pk_fp8_f32", ops)
                self.assertIn(FP8_MAX_BITS[arch], text)
                self.assertIn("0x2f800000", text)                            # the 2^-32 amax floor
                n = k["params"]["n_per_wg"]
                self.assertIn(LOAD[n], text)
                self.assertIn(STORE[n], text)
                self.assertIn("s_mul_hi_u32", text)                          # 64-bit row offsets
                lanes = 64 if k["params"]["granularity"] == "row" else 128 // (n // 256)
                self.assertIn("row_ror:8", text)
                self.assertEqual("ds_swizzle_b32" in text, lanes >= 32)
                self.assertEqual("ds_bpermute_b32" in text, lanes == 64)
                self.assertEqual("s_barrier" in text, k["params"]["granularity"] == "row")


if __name__ == "__main__":
    unittest.main()
