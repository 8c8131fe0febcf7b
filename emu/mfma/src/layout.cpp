// Operand layout formulas; the rules are described in layout.hpp.
#include "layout.hpp"

#include "asmk/mfma/mfma.hpp"

namespace asmk::mfma::detail {

InputSlot input_slot(const InputLayout& layout, int block, int row, int k) {
  const int groups = kWaveSize / (layout.rows * layout.blocks);
  const int span = layout.chunk * groups;  // K covered by one chunk of every lane group
  const int pass = k / span;
  const int within = k % span;
  const int group = within / layout.chunk;
  return InputSlot{row + layout.rows * (block + layout.blocks * group), pass * layout.chunk + within % layout.chunk};
}

OutputSlot output_slot(const OutputLayout& layout, int block, int i, int j) {
  const int lane_groups = kWaveSize / layout.n;
  const int row_group = i / layout.group_rows;
  const int t = layout.blocks_first ? block + layout.blocks * row_group
                                    : block * (layout.m / layout.group_rows) + row_group;
  const int slot = (t / lane_groups) * layout.group_rows + i % layout.group_rows;
  return OutputSlot{j + layout.n * (t % lane_groups), slot * layout.words};
}

}  // namespace asmk::mfma::detail
