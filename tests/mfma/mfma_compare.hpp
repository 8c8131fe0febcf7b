// Runs asmk::mfma::execute on a Problem and compares every D element with the reference.
#pragma once

#include <gtest/gtest.h>

#include <sstream>

#include "mfma_reference.hpp"

namespace mfma_test {

struct RunOptions {
  Scales scales;
  bool c_inline = false;         // pass SrcC as an inline constant instead of registers
  std::uint64_t c_constant = 0;  // its bits
  bool d_aliases_c = false;      // D written over C's registers
};

inline asmk::mfma::MfmaOperands operands_for(Problem& p, const RunOptions& options, Regs& d) {
  asmk::mfma::MfmaOperands ops;
  ops.a = p.a.words.data();
  ops.b = p.b.words.data();
  ops.c = options.c_inline ? nullptr : p.c.words.data();
  ops.c_constant = options.c_constant;
  ops.d = options.d_aliases_c ? p.c.words.data() : d.words.data();
  ops.cbsz = p.mods.cbsz;
  ops.abid = p.mods.abid;
  ops.blgp = p.mods.blgp;
  ops.neg = p.mods.neg;
  if (options.scales.enabled) {
    ops.scale_a = options.scales.a_words.data();
    ops.scale_b = options.scales.b_words.data();
    ops.scale_a_byte = options.scales.a_byte;
    ops.scale_b_byte = options.scales.b_byte;
  }
  return ops;
}

// Executes and compares. Float results must be within 2^-22 of the sum of |terms| (far below
// any layout or decoding mistake), f64 within 2^-50, integers exact; NaN must stay NaN.
inline ::testing::AssertionResult run_and_compare(Problem& p, const RunOptions& options = {}) {
  const MfmaOp& op = *p.op;
  const Regs c_before = p.c;
  Regs d(op.cd_regs);
  const asmk::mfma::MfmaResult result = asmk::mfma::execute(op, operands_for(p, options, d));
  if (!result) return ::testing::AssertionFailure() << "execute failed: " << result.error;
  const Regs& out = options.d_aliases_c ? p.c : d;

  const int width = bits_of(op.out_type);
  const int per_lane = op.cd_regs * 32 / width;
  int mismatches = 0;
  std::ostringstream first;
  for (int lane = 0; lane < kLanes; ++lane)
    for (int s = 0; s < per_lane; ++s) {
      const OutputElement e = output_element(op, lane, s);
      const std::uint64_t c_bits = options.c_inline ? options.c_constant : c_before.get_bits(lane, s * width, width);
      const Expected want = expected_element(p, options.scales, e.block, e.row, e.col, c_bits);
      const std::uint64_t got_bits = out.get_bits(lane, s * width, width);
      bool ok = false;
      double got = 0;
      if (op.out_type == DataType::i32) {
        ok = got_bits == want.int_bits;
        got = static_cast<std::int32_t>(got_bits);
      } else {
        got = op.out_type == DataType::f64 ? std::bit_cast<double>(got_bits)
                                           : static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(got_bits)));
        if (std::isnan(want.value)) {
          ok = std::isnan(got);
        } else {
          const double tolerance = (op.out_type == DataType::f64 ? 0x1p-50 : 0x1p-22) * want.magnitude + 1e-300;
          ok = std::fabs(got - want.value) <= tolerance;
        }
      }
      if (!ok && mismatches++ == 0)
        first << "lane " << lane << " slot " << s << " = D[block " << e.block << "][" << e.row << "][" << e.col
              << "]: got " << got << " (0x" << std::hex << got_bits << std::dec << "), expected "
              << (op.out_type == DataType::i32 ? static_cast<double>(static_cast<std::int32_t>(want.int_bits)) : want.value);
    }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << op.mnemonic << ": " << mismatches << " of " << kLanes * per_lane
                                       << " elements differ; first: " << first.str();
}

}  // namespace mfma_test
