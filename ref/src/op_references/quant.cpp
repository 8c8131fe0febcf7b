// The quantization ops' references (ref/quant.hpp): codes and scales compared bit for bit.
#include <cmath>

#include "asmk/ref/numeric.hpp"
#include "asmk/ref/quant.hpp"
#include "table.hpp"

namespace asmk::ref {
namespace {

Format format_of(const OpTensor& x) { return x.dtype == "fp16" ? Format::fp16 : Format::bf16; }

// Rewrites x's 16-bit values with value(index) encoded in x's format.
template <class Value>
void fill_x(OpTensors& t, Value&& value) {
  OpTensor& x = t.at("x");
  for (std::size_t i = 0; i < x.bytes.size() / 2; ++i) {
    const auto code = static_cast<std::uint16_t>(encode(format_of(x), value(i), Overflow::saturate));
    std::memcpy(x.bytes.data() + 2 * i, &code, 2);
  }
}

}  // namespace

OpReference quant_fp8_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    OpTensor y = t.at("y"), scale = t.at("scale");
    QuantFp8Args a;
    a.arch = p.arch;
    a.in_format = format_of(t.at("x"));
    a.granularity = p.text("granularity") == "group" ? QuantGranularity::group : QuantGranularity::row;
    a.x = t.at("x").as<std::uint16_t>(), a.stride_x = t.at("x").row_stride();
    a.y = y.bytes.data(), a.stride_y = y.row_stride();
    a.scale = scale.as<float>();
    a.m = p.u32("m"), a.n = p.u32("n");
    if (Status s = quant_fp8(a); !s.ok()) return s;
    expected["y"] = Expected::bits(std::move(y));
    expected["scale"] = Expected::bits(std::move(scale));
    return Status::success();
  };
  // Activations: normals with a few large outliers (they set their group's scale).
  r.fill = [](const OpProblem&, OpTensors& t, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 2.f);
    std::uniform_int_distribution<int> outlier(0, 999);
    fill_x(t, [&](std::size_t) { return outlier(rng) == 0 ? normal(rng) * 300.f : normal(rng); });
  };
  return r;
}

OpReference quant_mxfp4_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    OpTensor y = t.at("y"), scale = t.at("scale");
    QuantMxfp4Args a;
    a.in_format = format_of(t.at("x"));
    a.x = t.at("x").as<std::uint16_t>(), a.stride_x = t.at("x").row_stride();
    a.y = y.bytes.data(), a.stride_y = y.row_stride();
    a.scale = scale.bytes.data(), a.stride_scale = scale.row_stride();
    a.m = p.u32("m"), a.n = p.u32("n");
    if (Status s = quant_mxfp4(a); !s.ok()) return s;
    expected["y"] = Expected::bits(std::move(y));
    expected["scale"] = Expected::bits(std::move(scale));
    return Status::success();
  };
  // Values spanning many binades (so that scales differ block to block), with exact zeros.
  r.fill = [](const OpProblem&, OpTensors& t, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    std::uniform_int_distribution<int> binade(-6, 6);
    fill_x(t, [&](std::size_t i) { return i % 97 == 0 ? 0.f : std::ldexp(normal(rng), binade(rng)); });
  };
  return r;
}

}  // namespace asmk::ref
