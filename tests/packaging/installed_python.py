"""Run by relocated_install.py with the MOVED install's site-packages on PYTHONPATH and no ASMK_REPO:
the package, its extension, libasmk and the kernels all come from PREFIX; quant_fp8 and gemm_a8w8
run on the emulator and match NumPy computations written here from the fp8 e4m3fnuz definition.
usage: python3 installed_python.py PREFIX SOURCE_ROOT"""

import sys

import numpy as np

prefix, source_root = sys.argv[1], sys.argv[2]

import asmk  # noqa: E402 (after reading the arguments)


def decode_e4m3fnuz(bits):
    """float64 values of e4m3fnuz codes: bias 8, no infinities, 0x80 the only NaN."""
    bits = bits.astype(np.int64)
    exponent, mantissa = (bits >> 3) & 0xF, (bits & 7).astype(np.float64)
    magnitude = np.where(exponent == 0, mantissa / 8 * 2.0 ** (1 - 8), (1 + mantissa / 8) * np.exp2(exponent - 8))
    return np.where(bits & 0x80, -magnitude, magnitude)


def mapped_files():
    with open("/proc/self/maps") as maps:
        return {line.split(maxsplit=5)[5].strip() for line in maps if len(line.split(maxsplit=5)) == 6}


assert asmk.__file__.startswith(prefix), f"asmk imported from {asmk.__file__}, not from {prefix}"
assert asmk.default_repository().startswith(prefix), f"default repository {asmk.default_repository()}"

rng = np.random.default_rng(15)
x = rng.standard_normal((5, 256)).astype(np.float16)
w = rng.standard_normal((128, 256)).astype(np.float16)
xq, x_scale = asmk.quant_fp8(x)
wq, w_scale = asmk.quant_fp8(w)
# Row scales are amax / 240; each code is within e4m3's rounding (2^-4 relative) of x / scale.
np.testing.assert_allclose(x_scale.reshape(-1), np.abs(x.astype(np.float64)).max(axis=1) / 240, rtol=1e-6)
x_back = decode_e4m3fnuz(xq) * x_scale.reshape(-1, 1)
assert np.all(np.abs(x_back - x) <= np.abs(x.astype(np.float64)) / 16 + 1e-6), "quant_fp8 codes are off"

c = asmk.gemm_a8w8(xq, wq, x_scale, w_scale, out_dtype="fp16")
expected = (decode_e4m3fnuz(xq) * x_scale.reshape(-1, 1)) @ (decode_e4m3fnuz(wq) * w_scale.reshape(-1, 1)).T
np.testing.assert_allclose(c.astype(np.float64), expected, rtol=2e-2, atol=2e-2 * np.abs(expected).max())

files = mapped_files()
from_source = sorted(f for f in files if f.startswith(source_root))
assert not from_source, f"files of the source/build tree are mapped: {from_source}"
assert any(f.startswith(prefix) and "libasmk.so" in f for f in files), "libasmk is not the installed one"
print(f"python: asmk {asmk.__version__} from {asmk.__file__}; quant_fp8 and gemm_a8w8 {c.shape} match NumPy")
