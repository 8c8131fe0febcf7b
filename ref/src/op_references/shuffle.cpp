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

}  // namespace asmk::ref
