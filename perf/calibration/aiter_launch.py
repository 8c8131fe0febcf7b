"""How AITER launches its assembly GEMM kernels, as facts for `asmk run --model`.

AITER (github.com/ROCm/aiter, MIT) ships hand-written GEMM code objects under `hsa/<arch>/<folder>/`
with a CSV per folder naming each kernel's code object and tile. Its host launchers
(`csrc/py_itfs_cu/asm_gemm_a16w16.cu`, `asm_gemm_a8w8.cu`, `asm_a8w8_blockscale_bpreshuffle.cu`,
`asm_gemm_a4w4.cu`) pass a packed argument struct in which every field takes a 16-byte slot (an
8-byte pointer or a 4-byte value, then padding), and choose the grid from the tile and the split.
This module restates those facts (field order, values, grid) so that the calibration can launch
AITER's kernels on the emulator; nothing of AITER is copied or committed.
"""
import csv
import os
import struct

SLOT = 16  # bytes per argument field in AITER's packed KernelArgs


def ceil_div(a, b):
    return (a + b - 1) // b


class Launch:
    """One launch for `asmk run --model`: code object, kernel, grid, buffers, kernarg blob."""

    def __init__(self, code_object, kernel, grid, flops, compulsory_bytes):
        self.code_object = code_object
        self.kernel = kernel
        self.grid = grid
        self.flops = flops
        self.compulsory_bytes = compulsory_bytes
        self.blob = bytearray()
        self.buffers = {}  # name -> bytes
        self.contents = {}  # name -> the buffer's bytes (default: zeros)
        self.patches = []  # (offset, buffer name)

    def pointer(self, name, size, contents=None):
        """A pointer field to a buffer of `size` bytes, zeros or `contents` (size 0: a null pointer)."""
        if size:
            self.buffers[name] = size
            if contents is not None:
                self.contents[name] = contents
            self.patches.append((len(self.blob), name))
        self.blob += struct.pack("<Q", 0) + bytes(SLOT - 8)

    def u32(self, value):
        self.blob += struct.pack("<I", value) + bytes(SLOT - 4)

    def f32(self, value):
        self.blob += struct.pack("<f", value) + bytes(SLOT - 4)

    def asmk_args(self, blob_path):
        """The `asmk run` arguments of this launch (the blob is written to blob_path)."""
        with open(blob_path, "wb") as f:
            f.write(self.blob)
        args = [self.code_object, "--kernel", self.kernel, "--grid", "%d,%d,%d" % self.grid, "--block", "256",
                "--kernarg", "@" + blob_path]
        for name, size in self.buffers.items():
            if name in self.contents:
                path = "%s.%s" % (blob_path, name)
                with open(path, "wb") as f:
                    f.write(self.contents[name])
                args += ["--buffer", "%s=@%s" % (name, path)]
            else:
                args += ["--buffer", "%s=zeros:%d" % (name, size)]
        for offset, name in self.patches:
            args += ["--patch", "%d=%s" % (offset, name)]
        return args


def decode_fp8(codes, arch):
    """fp8 e4m3 bytes to float64: gfx942's FNUZ form (bias 8), gfx950's OCP form (bias 7); no NaN codes used."""
    import numpy as np
    sign = np.where(codes & 0x80, -1.0, 1.0)
    exponent = (codes >> 3) & 0xF
    mantissa = codes & 0x7
    bias = 8 if arch == "gfx942" else 7
    return sign * np.ldexp(1.0 + mantissa / 8.0, exponent.astype(np.int64) - bias)



def random_fp8(rng, shape, arch, exponents):
    """Random e4m3 codes with exponent fields in range(*exponents) (no NaN or subnormal codes):
    (their float64 values, their bytes)."""
    import numpy as np
    codes = (rng.integers(0, 2, shape) << 7 | rng.integers(*exponents, shape) << 3
             | rng.integers(0, 8, shape)).astype(np.uint8)
    return decode_fp8(codes, arch), codes.tobytes()


def random_bf16(rng, shape):
    """Random bf16 (the top half of a normal float32): (their float64 values, their bytes)."""
    import numpy as np
    bits = (rng.standard_normal(shape).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
    return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64), bits.tobytes()

class KernelTable:
    """The kernels of one `hsa/<arch>/<folder>/` of an AITER checkout: mangled name -> (co path, tile)."""

    def __init__(self, aiter, arch, folder):
        self.by_name = {}
        path = os.path.join(aiter, "hsa", arch, folder)
        for entry in sorted(os.listdir(path)) if os.path.isdir(path) else []:
            if not entry.endswith(".csv"):
                continue
            with open(os.path.join(path, entry)) as f:
                for row in csv.DictReader(f):
                    tile_m = int(row.get("tile_m") or row.get("tileM") or row.get("tile_M"))
                    tile_n = int(row.get("tile_n") or row.get("tileN") or row.get("tile_N"))
                    self.by_name[row["knl_name"]] = (os.path.join(path, row["co_name"]), tile_m, tile_n)

    def find(self, name):
        return self.by_name.get(name)


def bf16_launch(table, row):
    """asm_gemm_a16w16: D = A·Bᵀ, bf16 inputs, fp32 (or bf16) output; grid (N/tileN, M/tileM, split)."""
    found = table.find(row["kernelName"])
    if not found:
        return None
    co, tile_m, tile_n = found
    m, n, k = int(row["M"]), int(row["N"]), int(row["K"])
    split = max(1, int(row["splitK"]))
    out_bytes = 2 if row.get("outdtype", "") == "torch.bfloat16" else 4
    launch = Launch(co, row["kernelName"], (ceil_div(n, tile_n), ceil_div(m, tile_m), split), 2.0 * m * n * k,
                    2 * (m * k + n * k) + out_bytes * m * n)
    pad_m = ceil_div(m, tile_m) * tile_m
    launch.pointer("D", pad_m * n * out_bytes)
    launch.pointer("C", 0)
    launch.pointer("A", pad_m * k * 2)
    launch.pointer("B", n * k * 2)
    launch.f32(1.0)  # alpha
    launch.f32(0.0)  # beta
    for stride in (n * out_bytes, 0, n * out_bytes, 0, k * 2, 0, k * 2, 0):  # D0 D1 C0 C1 A0 A1 B0 B1, bytes
        launch.u32(stride)
    for value in (m, n, k, split, 1 if out_bytes == 2 else 0):  # M N K splitk is_out_b16
        launch.u32(value)
    launch.pointer("bias", 0)
    launch.u32(0)  # add_bias
    # Split-K ("clean" kernels): the first split waits for its tile's semaphore to be 0 (reset by the
    # previous launch), clears the output tile and raises it; the other splits wait for it raised.
    # The traced workgroups (the first: tile 0, split 0; the last: the last tile, last split) run
    # alone: tile 0's semaphore starts at 0, every other one raised.
    semaphores = 65536
    launch.pointer("semaphore", 4 * semaphores if split > 1 else 0,
                   contents=struct.pack("<I", 0) + struct.pack("<I", 1) * (semaphores - 1))
    return launch


def i8_launch(table, row):
    """asm_gemm_a8w8: int8 per-token GEMM, B pre-shuffled, bf16 output; grid (N/tileN · split, M/tileM)."""
    found = table.find(row["kernelName"])
    if not found:
        return None
    co, tile_m, tile_n = found
    m, n, k = int(row["M"]), int(row["N"]), int(row["K"])
    split = max(1, int(row["splitK"]))
    launch = Launch(co, row["kernelName"], ((n // tile_n) * split, ceil_div(m, tile_m), 1), 2.0 * m * n * k,
                    m * k + n * k + 4 * (m + n) + 2 * m * n)
    pad_m = ceil_div(m, tile_m) * tile_m
    launch.pointer("c", pad_m * n * 2)
    launch.pointer("a", pad_m * k)
    launch.pointer("b", n * k)
    launch.pointer("sa", pad_m * 4)
    launch.pointer("sb", n * 4)
    launch.pointer("bias", n * 4)
    for value in (m, n, k, k, k, n * 2, split):  # m n k lda ldb (elements) ldc (bytes) ks
        launch.u32(value)
    return launch


def blockscale_launch(table, row):
    """asm_a8w8_blockscale_bpreshuffle: fp8 with 1x128 / 128x128 scales; grid (N/tileN · split, M/tileM)."""
    found = table.find(row["kernelName"])
    if not found:
        return None
    co, tile_m, tile_n = found
    m, n, k = int(row["M"]), int(row["N"]), int(row["K"])
    split = max(1, int(row["splitK"]))
    scale_k, scale_n = ceil_div(k, 128), ceil_div(n, 128)
    launch = Launch(co, row["kernelName"], ((n // tile_n) * split, ceil_div(m, tile_m), 1), 2.0 * m * n * k,
                    m * k + n * k + 4 * (m * scale_k + scale_n * scale_k) + 2 * m * n)
    pad_m = ceil_div(m, tile_m) * tile_m
    launch.pointer("c", pad_m * n * 2)
    launch.pointer("a", pad_m * k)
    launch.pointer("b", n * k)
    launch.pointer("a_scale", pad_m * scale_k * 4)
    launch.pointer("b_scale", scale_n * scale_k * 4)
    launch.pointer("bias", n * 4)
    for value in (m, n, k, k, k, n * 2, split, m, scale_n, scale_k):  # m n k lda ldb ldc ks scale_m/n/k
        launch.u32(value)
    return launch


def a4w4_launch(table, row):
    """asm_gemm_a4w4: MXFP4 with e8m0 scales per 32 K, bf16 output; grid (N/tileN, M/tileM, K splits)."""
    found = table.find(row["kernelName"])
    if not found:
        return None
    co, tile_m, tile_n = found
    m, n, k = int(row["M"]), int(row["N"]), int(row["K"])
    log2_split = int(row["splitK"])
    gdz = 1
    if log2_split:
        per_group = ceil_div(k // (1 << log2_split), 256) * 256
        gdz = ceil_div(k, per_group)
    launch = Launch(co, row["kernelName"], (ceil_div(n, tile_n), ceil_div(m, tile_m), gdz), 2.0 * m * n * k,
                    (m * k + n * k) // 2 + (m + n) * (k // 32) + 2 * m * n)
    pad_m = ceil_div(m, 256) * 256  # AITER pads the activation scales' rows
    launch.pointer("D", ceil_div(m, tile_m) * tile_m * n * 2)
    launch.pointer("C", 0)
    launch.pointer("A", pad_m * k // 2)
    launch.pointer("B", n * k // 2)
    launch.f32(1.0)
    launch.f32(0.0)
    for stride in (0, 0, n, 0, k, 0, k, 0):  # D0 D1 C0 (elements) C1 A0 A1 B0 B1 (fp4 elements)
        launch.u32(stride)
    for value in (m, n, k):
        launch.u32(value)
    launch.pointer("scale_a", pad_m * (k // 32))
    launch.pointer("scale_b", ceil_div(n, 256) * 256 * (k // 32))
    for stride in (k // 32, 0, k // 32, 0):
        launch.u32(stride)
    launch.blob += struct.pack("<i", log2_split)  # the last field has no padding
    return launch


# family -> (measured table, arch folder, row filter, launch builder); the rows are AITER's asm kernels.
FAMILIES = {
    "gemm_bf16": ("bf16_tuned_gemm.csv", "bf16gemm", lambda r: r.get("libtype") == "asm", bf16_launch),
    "gemm_a8w8": ("a8w8_bpreshuffle_tuned_gemm.csv", "i8gemm", lambda r: r.get("libtype") == "asm", i8_launch),
    "gemm_a8w8_blockscale": ("a8w8_blockscale_bpreshuffle_tuned_gemm.csv", "fp8gemm_blockscale",
                             lambda r: r.get("libtype") == "asm", blockscale_launch),
    "gemm_a4w4": ("a4w4_blockscale_tuned_gemm.csv", "f4gemm", lambda r: r["kernelName"].startswith("_ZN5aiter"),
                  a4w4_launch),
}
