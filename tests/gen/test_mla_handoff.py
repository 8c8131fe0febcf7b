"""MLA decode's fused combine hands the partials from one workgroup to another across XCDs (separate L2s on MI300X /
MI355X). The emulator has one coherent memory (departure `cache-coherence-ops`), so it cannot catch a missing cache
operation; this test reads the code objects' disassembly instead and checks the agent-scope sequence of LLVM's
memory model for gfx942 / gfx950 (templates/mla_decode/README.md, "Fused combine"), in order, in the mla_decode
kernels with q and cache of one type (the handoff is one template for all 16): s_waitcnt vmcnt(0) and s_barrier (every wave's partial stores done), buffer_wbl2 sc1, s_waitcnt vmcnt(0),
global_atomic_add ... sc0 (the old value), s_waitcnt vmcnt(0); later buffer_inv sc1 before the first partial read
of the merge; the counter reset an agent-scope store (sc1). The kernels are the repository's (ASMK_HSACO_DIR or
hsaco/, built by the `kernels` target before the tests)."""

import json
import os
import re
import subprocess
import unittest
from pathlib import Path

from support import LLVM_BIN, REPO, needs_toolchain

HSACO = Path(os.environ.get("ASMK_HSACO_DIR") or REPO / "hsaco")


def disassembly(code_object: Path, symbol: str) -> list[str]:
    text = subprocess.run([str(LLVM_BIN / "llvm-objdump"), "-d", f"--disassemble-symbols={symbol}", str(code_object)],
                          capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s*//.*$", "", line).strip() for line in text.splitlines() if line.startswith("\t")]


def find(lines, start, pattern):
    for i in range(start, len(lines)):
        if re.fullmatch(pattern, lines[i]):
            return i
    return -1


@needs_toolchain
class MlaHandoffTest(unittest.TestCase):
    def kernels(self):
        found = []
        for arch in ("gfx942", "gfx950"):
            manifest = json.loads((HSACO / arch / "manifest.json").read_text())
            found += [(HSACO / arch / k["file"], k["symbol"]) for k in manifest["kernels"]
                      if k["family"] == "mla_decode" and k["params"]["q_dtype"] == k["params"]["kv_dtype"]]
        self.assertEqual(len(found), 8, "the mla_decode kernels of one q / cache type (both types, both wg_rows)")
        return found

    def test_the_handoff_uses_the_agent_scope_sequence(self):
        for code_object, symbol in self.kernels():
            with self.subTest(kernel=symbol):
                lines = disassembly(code_object, symbol)
                atomic = find(lines, 0, r"global_atomic_add v\d+, v\d+, v\d+, s\[\d+:\d+\] sc0")
                self.assertGreater(atomic, 0, "the arrival counter's atomic, returning the old value")
                self.assertEqual(lines[atomic - 2:atomic], ["buffer_wbl2 sc1", "s_waitcnt vmcnt(0)"], "release")
                self.assertEqual(lines[atomic + 1], "s_waitcnt vmcnt(0)", "the old value waited for")
                barrier = max(i for i in range(atomic) if lines[i] == "s_barrier")
                self.assertEqual(lines[barrier - 1], "s_waitcnt vmcnt(0)", "every wave's partial stores done first")
                inv = find(lines, atomic, r"buffer_inv sc1")
                self.assertGreater(inv, atomic, "acquire")
                first_read = find(lines, atomic, r"global_load_dword(x4)? .*")
                self.assertGreater(first_read, inv, "no partial read before the acquire")
                reset = find(lines, inv, r"global_store_dword v\d+, v\d+, s\[\d+:\d+\] sc1")
                self.assertGreater(reset, inv, "the counter reset: an agent-scope store")


if __name__ == "__main__":
    unittest.main()
