// The registry of op references, the host tensor helpers, the comparison rules and the random
// inputs by dtype (op_reference.hpp).
#include "asmk/ref/op_reference.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "asmk/ref/numeric.hpp"
#include "asmk/ref/tolerance.hpp"
#include "op_references/table.hpp"

namespace asmk::ref {

// ---- tensors and problems ----------------------------------------------------------------------

std::uint64_t OpTensor::rows() const {
  std::uint64_t rows = 1;
  for (std::size_t d = 0; d + 1 < shape.size(); ++d) rows *= shape[d];
  return rows;
}

std::uint64_t OpTensor::row_bytes() const { return shape.empty() ? bits / 8 : (shape.back() * bits + 7) / 8; }

std::uint64_t OpTensor::row_offset(std::uint64_t row) const {
  // Strides count elements, bytes for sub-byte dtypes; the last dimension varies fastest.
  const std::uint64_t unit = bits < 8 ? 1 : bits / 8;
  std::uint64_t offset = 0;
  for (std::size_t d = shape.size() < 2 ? 0 : shape.size() - 1; d-- > 0;) {
    offset += (row % shape[d]) * strides[d] * unit;
    row /= shape[d];
  }
  return offset;
}

std::uint32_t OpTensor::row_stride() const {
  if (!strides.empty()) return static_cast<std::uint32_t>(strides.back());
  return static_cast<std::uint32_t>(bits < 8 ? row_bytes() : shape.empty() ? 1 : shape.back());
}

std::vector<std::uint8_t> OpTensor::packed() const {
  std::vector<std::uint8_t> out(rows() * row_bytes());
  for (std::uint64_t r = 0; r < rows(); ++r)
    std::memcpy(out.data() + r * row_bytes(), bytes.data() + row_offset(r), row_bytes());
  return out;
}

std::string OpProblem::text(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

std::uint32_t OpProblem::u32(const std::string& name) const {
  return static_cast<std::uint32_t>(std::strtoul(text(name).c_str(), nullptr, 10));
}

float OpProblem::f32(const std::string& name) const { return std::strtof(text(name).c_str(), nullptr); }

// ---- registry ----------------------------------------------------------------------------------

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, OpReference> references;
};

Registry& registry() {
  static Registry* r = [] {
    auto* fresh = new Registry;  // never destroyed: plugins may register from their static initializers
    for (const auto& [op, make] : builtin_op_references()) fresh->references[op] = make();
    return fresh;
  }();
  return *r;
}

}  // namespace

void register_op_reference(const std::string& op, OpReference reference) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.references[op] = std::move(reference);
}

const OpReference* find_op_reference(const std::string& op) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.references.find(op);
  return it == r.references.end() ? nullptr : &it->second;  // map nodes stay put
}

std::vector<std::string> op_reference_names() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, reference] : r.references) names.push_back(name);
  return names;
}

// ---- comparison --------------------------------------------------------------------------------

std::string Comparison::summary() const {
  char text[256];
  if (rule != CompareRule::exact)
    std::snprintf(text, sizeof text, "%s max abs error %.3g, mean %.3g: %s", tensor.c_str(), max_abs_error,
                  mean_abs_error, ok() ? "within tolerance" : "OUTSIDE TOLERANCE");
  else
    std::snprintf(text, sizeof text, "%s %zu/%zu identical", tensor.c_str(), count - mismatches, count);
  return text;
}

namespace {

Comparison compare_bits(const OpTensor& got, const OpTensor& want) {
  Comparison c;
  c.tensor = got.name;
  c.count_in_bytes = got.bits < 8;
  if (got.shape != want.shape || got.strides != want.strides || got.bytes.size() != want.bytes.size()) {
    c.detail = "the reference's " + got.name + " has another layout than the kernel's";
    return c;
  }
  const std::uint64_t unit = got.bits < 8 ? 1 : got.bits / 8;
  for (std::uint64_t r = 0; r < got.rows(); ++r) {
    const std::uint8_t* g = got.bytes.data() + got.row_offset(r);
    const std::uint8_t* w = want.bytes.data() + want.row_offset(r);
    for (std::uint64_t i = 0; i < got.row_bytes(); i += unit) {
      ++c.count;
      if (std::memcmp(g + i, w + i, unit) == 0) continue;
      if (c.mismatches++ == 0) {
        char text[200];
        std::snprintf(text, sizeof text, "the first at row %llu, %s %llu (kernel 0x%02x, ref 0x%02x)",
                      static_cast<unsigned long long>(r), unit == 1 ? "byte" : "element",
                      static_cast<unsigned long long>(i / unit), g[i], w[i]);
        c.detail = text;
      }
    }
  }
  if (c.mismatches > 0)
    c.detail = got.name + ": " + std::to_string(c.mismatches) + " of " + std::to_string(c.count) +
               (c.count_in_bytes ? " bytes" : " elements") + " differ from ref/, " + c.detail;
  return c;
}

Comparison compare_gemm(const OpTensor& got, const GemmRef& want, OutType type) {
  Comparison c;
  c.tensor = got.name;
  c.rule = CompareRule::gemm_tolerance;
  if (got.shape.size() != 2 || got.shape[0] != want.m || got.shape[1] != want.n) {
    c.detail = "the reference's " + got.name + " has another shape than the kernel's";
    return c;
  }
  const ErrorSummary s = compare_output(want, type, got.bytes.data(), got.row_stride());
  c.count = s.count;
  c.mismatches = s.violations;
  c.max_abs_error = s.max_abs_error;
  double sum = 0;
  for (std::uint32_t row = 0; row < want.m; ++row)
    for (std::uint32_t col = 0; col < want.n; ++col)
      sum += std::fabs(load_output(type, got.bytes.data(), got.row_stride(), row, col) - want.at(row, col));
  c.mean_abs_error = want.m * want.n == 0 ? 0 : sum / (double(want.m) * want.n);
  if (!s.ok()) c.detail = got.name + ": " + s.describe();
  return c;
}

}  // namespace

Comparison compare_op_output(const OpTensor& got, const Expected& expected) {
  switch (expected.rule) {
    case CompareRule::exact: return compare_bits(got, expected.exact);
    case CompareRule::gemm_tolerance: return compare_gemm(got, expected.gemm, expected.out_type);
    case CompareRule::custom: break;
  }
  Comparison c = expected.compare(got);
  c.tensor = got.name;
  c.rule = CompareRule::custom;
  return c;
}

// ---- random inputs -----------------------------------------------------------------------------

void fill_random(OpTensor& t, Arch arch, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.f, 1.f);
  auto& b = t.bytes;
  auto put16 = [&](std::size_t i, std::uint16_t v) { std::memcpy(b.data() + 2 * i, &v, 2); };
  if (t.dtype == "bf16" || t.dtype == "fp16") {
    const Format f = t.dtype == "bf16" ? Format::bf16 : Format::fp16;
    for (std::size_t i = 0; i < b.size() / 2; ++i)
      put16(i, static_cast<std::uint16_t>(encode(f, normal(rng), Overflow::saturate)));
  } else if (t.dtype == "f32" || t.dtype == "fp32") {
    for (std::size_t i = 0; i < b.size() / 4; ++i) {
      const float v = normal(rng);
      std::memcpy(b.data() + 4 * i, &v, 4);
    }
  } else if (t.dtype == "fp8") {
    for (auto& byte : b) byte = static_cast<std::uint8_t>(encode(fp8_format(arch), 2.f * normal(rng), Overflow::saturate));
  } else if (t.dtype == "fp4") {
    auto code = [&] { return encode(Format::e2m1, 2.f * normal(rng), Overflow::saturate); };
    for (auto& byte : b) byte = pack_nibbles(code(), code());
  } else if (t.dtype == "int8" || t.dtype == "i32") {
    std::uniform_int_distribution<int> small(-32, 32);
    if (t.dtype == "int8")
      for (auto& byte : b) byte = static_cast<std::uint8_t>(static_cast<std::int8_t>(small(rng)));
    else
      for (std::size_t i = 0; i < b.size() / 4; ++i) {
        const std::int32_t v = small(rng);
        std::memcpy(b.data() + 4 * i, &v, 4);
      }
  } else if (t.dtype == "e8m0") {
    std::uniform_int_distribution<int> exponent(122, 130);
    for (auto& byte : b) byte = static_cast<std::uint8_t>(exponent(rng));
  } else {  // u8 and anything else: bytes
    std::uniform_int_distribution<int> byte_value(0, 255);
    for (auto& byte : b) byte = static_cast<std::uint8_t>(byte_value(rng));
  }
}

}  // namespace asmk::ref
