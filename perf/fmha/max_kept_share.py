#!/usr/bin/env python3
"""The share of key tiles on which the gfx942 fp8 ping-pong's MAX_KEPT rule (templates/fmha_fwd/fmha_fwd.s.j2)
exchanges the row maximum between its lane halves, for random scores: a wave holds 32 query rows, each lane 16 keys
of a 32-key tile, and the wave exchanges (and may rescale) when some lane's tile maximum passes the running maximum
m_p by more than the slack (log2 units); m_p then becomes the row's maximum. Causal, scores N(0, sigma²) in natural
units (q, k ~ N(0, 1)^d with scale 1/sqrt(d): sigma = 1), a sample of the waves of one sequence. Also prints the
share of tiles on which some row's maximum moved at all (the rescale branch before MAX_KEPT). An estimate for the
README, not a test: the perf model traces zeros, on which no maximum moves after the first tile.

usage: max_kept_share.py [--seqlen 4096] [--slack 2] [--sigma 1] [--waves 24]
"""
import argparse

import numpy as np

LOG2E = 1.4426950408889634


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seqlen", type=int, default=4096)
    ap.add_argument("--slack", type=float, default=2.0)
    ap.add_argument("--sigma", type=float, default=1.0)
    ap.add_argument("--waves", type=int, default=24)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    tiles = exchanges = moved = 0
    for w in rng.choice(a.seqlen // 32, a.waves, replace=False):
        rows = np.arange(32 * w, 32 * w + 32)
        m_p = np.full(32, -np.inf)   # the kept maximum (per row: both lane halves share it)
        m = np.full(32, -np.inf)     # the exact running maximum
        for t in range(w + 1):       # causal: the wave's tiles up to its diagonal
            s = rng.normal(0, a.sigma, (32, 32)) * LOG2E
            s[np.arange(32 * t, 32 * t + 32)[None, :] > rows[:, None]] = -np.inf
            halves = np.stack([s[:, :16].max(1), s[:, 16:].max(1)])   # each lane's own 16 keys
            tiles += 1
            if (halves > m_p + a.slack).any():
                exchanges += 1
                m_p = np.maximum(m_p, halves.max(0))
            moved += bool((halves.max(0) > m).any())
            m = np.maximum(m, halves.max(0))
    print(f"seqlen {a.seqlen}, slack {a.slack}, sigma {a.sigma}: exchange on {exchanges / tiles:.1%} of {tiles} "
          f"key tiles; some maximum moved on {moved / tiles:.1%}")


if __name__ == "__main__":
    main()
