// The GEMM ops' references: their tensors mapped onto ref/gemm.hpp, C compared under the tolerance
// rule of ref/TOLERANCE.md.
#include <optional>

#include "asmk/ref/numeric.hpp"
#include "asmk/ref/shuffle.hpp"
#include "table.hpp"

namespace asmk::ref {
namespace {

std::optional<OutType> out_type_of(const std::string& dtype) {
  if (dtype == "bf16") return OutType::bf16;
  if (dtype == "fp16") return OutType::fp16;
  if (dtype == "f32" || dtype == "fp32") return OutType::f32;
  return std::nullopt;
}

// Runs `gemm` and expects C ("c") under the tolerance rule.
template <class Compute>
Status expect_c(const OpTensors& t, std::map<std::string, Expected>& expected, Compute&& gemm) {
  const OpTensor& c = t.at("c");
  const auto type = out_type_of(c.dtype);
  if (!type) return Status::failure("no reference output type for C of dtype " + c.dtype);
  GemmRef result;
  if (Status s = gemm(result); !s.ok()) return s;
  expected["c"] = Expected::tolerance(std::move(result), *type);
  return Status::success();
}

// Positive scales around 1/64 (8-bit products of normals are large; this keeps C near 1).
void positive_scales(OpTensors& t, std::mt19937& rng) {
  std::uniform_real_distribution<float> scale(0.5f, 2.f);
  for (const char* name : {"scale_a", "scale_b"})
    if (auto it = t.find(name); it != t.end())
      for (std::size_t i = 0; i < it->second.bytes.size() / 4; ++i) {
        const float v = scale(rng) / 64.f;
        std::memcpy(it->second.bytes.data() + 4 * i, &v, 4);
      }
}

}  // namespace

OpReference gemm_bf16_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    return expect_c(t, expected, [&](GemmRef& out) {
      GemmBf16Args a;
      a.a = t.at("a").as<std::uint16_t>(), a.b = t.at("b").as<std::uint16_t>();
      a.m = p.u32("m"), a.n = p.u32("n"), a.k = p.u32("k");
      a.stride_a = t.at("a").row_stride(), a.stride_b = t.at("b").row_stride();
      return gemm_bf16(a, out);
    });
  };
  return r;
}

OpReference gemm_a8w8_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    return expect_c(t, expected, [&](GemmRef& out) {
      GemmA8W8Args a;
      a.type = p.text("in_dtype") == "int8" ? Elem8::int8() : Elem8::fp8(fp8_format(p.arch));
      a.m = p.u32("m"), a.n = p.u32("n"), a.k = p.u32("k");
      a.a = t.at("a").bytes.data(), a.stride_a = t.at("a").row_stride();
      // A shuffled B (as shuffle_b writes it, dense) is compared with the GEMM of its row-major form.
      std::vector<std::uint8_t> row_major;
      if (p.text("b_layout") == "shuffled") {
        row_major.resize(std::size_t(a.n) * a.k);
        if (Status s = unshuffle_b(t.at("b").bytes.data(), a.n, a.k, row_major.data(), a.k); !s.ok()) return s;
        a.b = row_major.data(), a.stride_b = a.k;
      } else {
        a.b = t.at("b").bytes.data(), a.stride_b = t.at("b").row_stride();
      }
      a.scale_a = t.at("scale_a").as<float>(), a.scale_b = t.at("scale_b").as<float>();
      a.bias = t.contains("bias") ? t.at("bias").as<float>() : nullptr;
      return gemm_a8w8(a, out);
    });
  };
  r.fill = [](const OpProblem&, OpTensors& t, std::mt19937& rng) { positive_scales(t, rng); };
  return r;
}

OpReference gemm_a8w8_blockscale_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    return expect_c(t, expected, [&](GemmRef& out) {
      const std::vector<std::uint8_t> scale_a = t.at("scale_a").packed();  // the reference reads it packed
      GemmA8W8BlockscaleArgs a;
      a.type = Elem8::fp8(fp8_format(p.arch));
      a.m = p.u32("m"), a.n = p.u32("n"), a.k = p.u32("k");
      a.a = t.at("a").bytes.data(), a.stride_a = t.at("a").row_stride();
      a.b = t.at("b").bytes.data(), a.stride_b = t.at("b").row_stride();
      a.scale_a = reinterpret_cast<const float*>(scale_a.data()), a.scale_b = t.at("scale_b").as<float>();
      return gemm_a8w8_blockscale(a, out);
    });
  };
  r.fill = [](const OpProblem&, OpTensors& t, std::mt19937& rng) { positive_scales(t, rng); };
  return r;
}

OpReference gemm_a4w4_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    return expect_c(t, expected, [&](GemmRef& out) {
      GemmA4W4Args a;
      a.m = p.u32("m"), a.n = p.u32("n"), a.k = p.u32("k");
      a.a = t.at("a").bytes.data(), a.stride_a = t.at("a").row_stride();
      a.b = t.at("b").bytes.data(), a.stride_b = t.at("b").row_stride();
      a.scale_a = t.at("scale_a").bytes.data(), a.stride_scale_a = t.at("scale_a").row_stride();
      a.scale_b = t.at("scale_b").bytes.data(), a.stride_scale_b = t.at("scale_b").row_stride();
      return gemm_a4w4(a, out);
    });
  };
  return r;
}

}  // namespace asmk::ref
