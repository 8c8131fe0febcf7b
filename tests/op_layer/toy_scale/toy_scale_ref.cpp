// The toy_scale op's reference: y = (alpha · x) · 2^shift (an f32 multiply, then exact), both packed
// [m, n], compared bit for bit. Built as a plugin (libtoy_scale_ref.so) whose static initializer
// registers it: `asmk` loads it through $ASMK_REF_PLUGINS, the kernel test links it in.
#include <cmath>
#include <cstdlib>
#include <random>

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

// toy_scale_indexed (op.indexed.yaml): toy_scale's result; the fill makes its index inputs valid
// (rows in [0, m), offsets i·n, a 0/1 mask) — what their element rules accept.
OpReference toy_scale_indexed_reference() {
  OpReference r = toy_scale_reference();
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    const std::uint32_t m = p.u32("m"), n = p.u32("n");
    for (std::uint32_t i = 0; i < m; ++i) t.at("rows").as<std::int32_t>()[i] = static_cast<std::int32_t>(rng() % m);
    for (std::uint32_t i = 0; i <= m; ++i) t.at("offsets").as<std::int32_t>()[i] = static_cast<std::int32_t>(i * n);
    if (auto mask = t.find("mask"); mask != t.end())
      for (std::uint32_t i = 0; i < m; ++i) mask->second.bytes[i] = static_cast<std::uint8_t>(rng() % 2);
  };
  return r;
}

[[maybe_unused]] const bool registered = (register_op_reference("toy_scale", toy_scale_reference()),
                                          register_op_reference("toy_scale_twice", toy_scale_twice_reference()),
                                          register_op_reference("toy_scale_indexed", toy_scale_indexed_reference()), true);

}  // namespace
