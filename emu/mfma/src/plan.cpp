// Builds and caches the per-instruction operand location tables.
#include "plan.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "layout.hpp"

namespace asmk::mfma::detail {
namespace {

InputLayout input_layout(const MfmaOp& op, int rows, DataType type) {
  const int per_lane = rows * op.k * op.blocks / kWaveSize;
  // f8f6f4 with fp8/bf8: two chunks of 16 per lane (see layout.hpp).
  const bool two_chunks = op.f8f6f4 && (type == DataType::fp8 || type == DataType::bf8);
  return InputLayout{rows, op.k, op.blocks, per_lane, two_chunks ? per_lane / 2 : per_lane, data_type_bits(type)};
}

std::vector<ElementLocation> input_locations(const MfmaOp& op, int rows, DataType type) {
  const InputLayout layout = input_layout(op, rows, type);
  std::vector<ElementLocation> out;
  out.reserve(static_cast<std::size_t>(op.blocks) * rows * op.k);
  for (int block = 0; block < op.blocks; ++block)
    for (int row = 0; row < rows; ++row)
      for (int k = 0; k < op.k; ++k) {
        const InputSlot slot = input_slot(layout, block, row, k);
        const int first_bit = slot.item * layout.bits;
        out.push_back({static_cast<std::uint16_t>(first_bit / 32), static_cast<std::uint8_t>(slot.lane),
                       static_cast<std::uint8_t>(first_bit % 32)});
      }
  return out;
}

std::vector<ElementLocation> output_locations(const MfmaOp& op) {
  const bool wide = op.out_type == DataType::f64;
  const OutputLayout layout{op.m, op.n, op.blocks, wide ? 1 : 4, wide ? 2 : 1, wide};
  std::vector<ElementLocation> out;
  out.reserve(static_cast<std::size_t>(op.blocks) * op.m * op.n);
  for (int block = 0; block < op.blocks; ++block)
    for (int i = 0; i < op.m; ++i)
      for (int j = 0; j < op.n; ++j) {
        const OutputSlot slot = output_slot(layout, block, i, j);
        out.push_back({static_cast<std::uint16_t>(slot.reg), static_cast<std::uint8_t>(slot.lane), 0});
      }
  return out;
}

}  // namespace

const Plan& plan_for(const MfmaOp& op, DataType a_type, DataType b_type) {
  using Key = std::tuple<const MfmaOp*, DataType, DataType>;
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<Plan>> plans;

  const std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<Plan>& plan = plans[Key{&op, a_type, b_type}];
  if (!plan) {
    plan = std::make_unique<Plan>();
    plan->a_bits = data_type_bits(a_type);
    plan->b_bits = data_type_bits(b_type);
    plan->a = input_locations(op, op.m, a_type);
    plan->b = input_locations(op, op.n, b_type);
    plan->d = output_locations(op);
  }
  return *plan;
}

}  // namespace asmk::mfma::detail

namespace asmk::mfma {
namespace {

DataType format_or_default(const MfmaOp& op, std::uint32_t code, DataType fallback) {
  DataType type = fallback;
  if (op.f8f6f4) f8f6f4_format(code, type);
  return type;
}

ElementPlace place(const detail::ElementLocation& at) { return ElementPlace{at.reg, at.lane, at.shift}; }

}  // namespace

ElementPlace a_place(const MfmaOp& op, int block, int i, int k, std::uint32_t a_format) {
  const detail::Plan& plan = detail::plan_for(op, format_or_default(op, a_format, op.a_type), op.b_type);
  return place(plan.a.at((static_cast<std::size_t>(block) * op.m + i) * op.k + k));
}

ElementPlace b_place(const MfmaOp& op, int block, int k, int j, std::uint32_t b_format) {
  const detail::Plan& plan = detail::plan_for(op, op.a_type, format_or_default(op, b_format, op.b_type));
  return place(plan.b.at((static_cast<std::size_t>(block) * op.n + j) * op.k + k));
}

ElementPlace d_place(const MfmaOp& op, int block, int i, int j) {
  const detail::Plan& plan = detail::plan_for(op, op.a_type, op.b_type);
  return place(plan.d.at((static_cast<std::size_t>(block) * op.m + i) * op.n + j));
}

}  // namespace asmk::mfma
