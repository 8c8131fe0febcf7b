"""Independent NumPy references for the tests: fp8 (e4m3fnuz, e4m3fn) and bf16 decoding/encoding,
written here from the formats' definitions, not taken from asmk."""

import numpy as np


def decode_fp8(bits, fmt):
    """float64 values of uint8 fp8 bit patterns. e4m3fn (OCP): bias 7, S.1111.111 is NaN, max 448;
    e4m3fnuz: bias 8, 0x80 is the only NaN (no negative zero), max 240; neither has infinities."""
    bits = np.asarray(bits, dtype=np.uint8).astype(np.int64)
    bias = {"e4m3fn": 7, "e4m3fnuz": 8}[fmt]
    sign = np.where(bits & 0x80, -1.0, 1.0)
    exponent = (bits >> 3) & 0xF
    mantissa = (bits & 0x7).astype(np.float64)
    normal = (1.0 + mantissa / 8.0) * np.exp2(exponent - bias)
    subnormal = (mantissa / 8.0) * np.exp2(1 - bias)
    values = sign * np.where(exponent == 0, subnormal, normal)
    if fmt == "e4m3fn":
        nan = (bits & 0x7F) == 0x7F
    else:
        nan = bits == 0x80
    return np.where(nan, np.nan, values)


def fp8_max(fmt):
    return {"e4m3fn": 448.0, "e4m3fnuz": 240.0}[fmt]


def finite_fp8_grid(fmt):
    """The sorted distinct finite values of the format."""
    values = decode_fp8(np.arange(256, dtype=np.uint8), fmt)
    return np.unique(values[np.isfinite(values)])


def random_fp8_bytes(rng, shape, fmt, max_abs=4.0):
    """Random fp8 bit patterns of finite values with |v| <= max_abs."""
    codes = np.arange(256, dtype=np.uint8)
    values = decode_fp8(codes, fmt)
    usable = codes[np.isfinite(values) & (np.abs(values) <= max_abs)]
    return rng.choice(usable, size=shape).astype(np.uint8)


def bf16_bits(values):
    """float32 -> bf16 bit patterns (uint16), round to nearest even."""
    u = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_values(bits):
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def check_fp8_quantization(x, y_bits, scale, fmt, group):
    """Asserts y * scale reproduces x as dynamic fp8 quantization must: one scale per row (or per
    1x128 group) equal to amax / fp8_max, and each y the fp8 value nearest to x / scale (either
    neighbour when x / scale lies within 0.1% of the midpoint, for the kernel's own rounding of
    the division)."""
    x = np.asarray(x, dtype=np.float64)
    m, n = x.shape
    groups = x.reshape(m, n // 128, 128) if group else x.reshape(m, 1, n)
    amax = np.abs(groups).max(axis=2)
    scale = np.asarray(scale, dtype=np.float64).reshape(amax.shape)
    np.testing.assert_allclose(scale, amax / fp8_max(fmt), rtol=1e-6)
    v = (groups / scale[:, :, None]).reshape(m, n)
    y = decode_fp8(y_bits, fmt).reshape(m, n)
    assert np.all(np.isfinite(y)), "quantized values hold NaN codes"
    grid = finite_fp8_grid(fmt)
    hi_index = np.clip(np.searchsorted(grid, v), 1, len(grid) - 1)
    lo, hi = grid[hi_index - 1], grid[hi_index]
    nearest = np.where(np.abs(v - lo) <= np.abs(hi - v), lo, hi)
    near_tie = np.abs(np.abs(v - lo) - np.abs(hi - v)) <= 1e-3 * (hi - lo)
    ok = (y == nearest) | (near_tie & ((y == lo) | (y == hi)))
    bad = np.argwhere(~ok)
    assert bad.size == 0, f"{len(bad)} wrong codes, first at {tuple(bad[0])}: x/scale={v[tuple(bad[0])]}, " \
                          f"got {y[tuple(bad[0])]}, nearest {nearest[tuple(bad[0])]}"


def gemm_a8w8_reference(a_bits, b_bits, scale_a, scale_b, bias, fmt):
    a = decode_fp8(a_bits, fmt)
    b = decode_fp8(b_bits, fmt)
    c = (a @ b.T) * np.asarray(scale_a, np.float64).reshape(-1, 1) * np.asarray(scale_b, np.float64).reshape(1, -1)
    if bias is not None:
        c = c + np.asarray(bias, np.float64).reshape(1, -1)
    return c


def gemm_a8w8_blockscale_reference(a_bits, b_bits, scale_a, scale_b, fmt):
    a = decode_fp8(a_bits, fmt)
    b = decode_fp8(b_bits, fmt)
    m, k = a.shape
    n = b.shape[0]
    c = np.zeros((m, n))
    for kb in range(0, (k + 127) // 128):
        partial = a[:, kb * 128:(kb + 1) * 128] @ b[:, kb * 128:(kb + 1) * 128].T
        row_scale = np.asarray(scale_a, np.float64)[:, kb].reshape(m, 1)
        column_scale = np.asarray(scale_b, np.float64)[np.arange(n) // 128, kb].reshape(1, n)
        c += partial * row_scale * column_scale
    return c


def assert_bf16_close(got, want):
    """bf16 results: within bf16's rounding (2^-8 relative) plus fp32-accumulation slack."""
    np.testing.assert_allclose(got, want, rtol=2.0 ** -7, atol=1e-3 * max(1.0, np.abs(want).max()))
