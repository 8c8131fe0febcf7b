// The shuffle_b op's reference (ref/shuffle.hpp): dst compared byte for byte.
#include "asmk/ref/shuffle.hpp"
#include "table.hpp"

namespace asmk::ref {

OpReference shuffle_b_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    OpTensor dst = t.at("dst");
    const OpTensor& src = t.at("src");
    if (Status s = shuffle_b(src.bytes.data(), p.u32("n"), p.u32("k"), src.row_stride(), dst.bytes.data()); !s.ok())
      return s;
    expected["dst"] = Expected::bits(std::move(dst));
    return Status::success();
  };
  return r;
}

// moe_shuffle_weight: every expert's rows shuffled on their own (shuffle_experts), the row's bytes from
// the dtype choice.
OpReference moe_shuffle_weight_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    OpTensor dst = t.at("dst");
    const OpTensor& src = t.at("src");
    const std::string dtype = p.text("w_dtype").empty() ? "fp8" : p.text("w_dtype");
    const std::uint32_t k = p.u32("k");
    const std::uint32_t row_bytes = dtype == "bf16" ? 2 * k : dtype == "fp8" ? k : k / 2;
    if (Status s = shuffle_experts(src.bytes.data(), p.u32("experts"), p.u32("n"), row_bytes, dst.bytes.data()); !s.ok())
      return s;
    expected["dst"] = Expected::bits(std::move(dst));
    return Status::success();
  };
  return r;
}

}  // namespace asmk::ref
