// The toy_scale op's reference: y = (alpha · x) · 2^shift (an f32 multiply, then exact), both packed
// [m, n], compared bit for bit. Built as a plugin (libtoy_scale_ref.so) whose static initializer
// registers it: `asmk` loads it through $ASMK_REF_PLUGINS, the kernel test links it in.
#include <cmath>
#include <cstdlib>

#include "asmk/ref/op_reference.hpp"

namespace {

using namespace asmk::ref;

OpReference toy_scale_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    OpTensor y = t.at("y");
    const float alpha = p.f32("alpha");
    const int shift = std::atoi(p.text("shift").c_str());
    const float* x = t.at("x").as<float>();
    for (std::uint64_t i = 0; i < std::uint64_t(p.u32("m")) * p.u32("n"); ++i) y.as<float>()[i] = std::ldexp(alpha * x[i], shift);
    expected["y"] = Expected::bits(std::move(y));
    return Status::success();
  };
  return r;
}

// The pipeline op over it (templates/toy_scale/op.twice.yaml): each pass rounds to f32.
OpReference toy_scale_twice_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    OpTensor y = t.at("y");
    const float alpha = p.f32("alpha"), beta = p.f32("beta");
    const bool twice = p.u32("passes") == 2;
    const float* x = t.at("x").as<float>();
    for (std::uint64_t i = 0; i < std::uint64_t(p.u32("m")) * p.u32("n"); ++i) {
      const float once = alpha * x[i];
      y.as<float>()[i] = twice ? beta * once : once;
    }
    expected["y"] = Expected::bits(std::move(y));
    return Status::success();
  };
  return r;
}

[[maybe_unused]] const bool registered = (register_op_reference("toy_scale", toy_scale_reference()),
                                          register_op_reference("toy_scale_twice", toy_scale_twice_reference()), true);

}  // namespace
