// Precomputed operand locations of one MFMA with given input formats, so that execution does no
// layout arithmetic per element. Built once per (instruction, A format, B format) from the
// formulas in layout.hpp and cached; safe to use from several threads.
#pragma once

#include <cstdint>
#include <vector>

#include "asmk/mfma/mfma.hpp"

namespace asmk::mfma::detail {

// Where one element starts: bit `shift` of word (reg, lane); it may continue into reg + 1.
struct ElementLocation {
  std::uint16_t reg;
  std::uint8_t lane;
  std::uint8_t shift;
};

struct Plan {
  int a_bits = 0, b_bits = 0;
  std::vector<ElementLocation> a;  // [block][i][k]
  std::vector<ElementLocation> b;  // [block][j][k]
  std::vector<ElementLocation> d;  // [block][i][j], shift 0; f64 elements use reg and reg + 1
};

const Plan& plan_for(const MfmaOp& op, DataType a_type, DataType b_type);

// Reads the `bits`-wide element at `at`, taking its lane from `lane` (after any lane pattern).
inline std::uint64_t read_element(const std::uint32_t* regs, const ElementLocation& at, int lane, int bits) {
  const std::uint32_t* word = regs + at.reg * kWaveSize + lane;
  std::uint64_t window = word[0];
  if (at.shift + bits > 32) window |= std::uint64_t{word[kWaveSize]} << 32;
  if (bits == 64) return window;
  return (window >> at.shift) & ((std::uint64_t{1} << bits) - 1);
}

}  // namespace asmk::mfma::detail
