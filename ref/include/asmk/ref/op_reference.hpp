// References by op name: what `asmk op --check`, `asmk demo` and the kernel tests compare a
// kernel's outputs with, for any op an op spec declares (docs/op-spec.md).
//
// A reference takes the problem (sizes, strides, choices and scalars by name, as text, and the
// arch) and the call's host tensors by name (bytes laid out as the op's tensor: shape, strides,
// dtype), and gives the expected value of each output with its comparison rule: bit for bit
// (quantizations, layouts) or the GEMM tolerance of ref/TOLERANCE.md. Each one is a thin mapping
// onto the independent references of this library (gemm.hpp, quant.hpp, shuffle.hpp).
//
// Registration: the built-in references are one table (src/op_references/table.cpp); a test or a
// plugin adds its own at run time with register_op_reference (e.g. from a static initializer of a
// shared library the op runner loads).
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "asmk/ref/arch.hpp"
#include "asmk/ref/gemm.hpp"
#include "asmk/ref/status.hpp"

namespace asmk::ref {

// One tensor of an op call on the host.
struct OpTensor {
  std::string name;
  std::string dtype;                   // as the op layer names it: bf16 fp16 f32 fp8 int8 fp4 e8m0 u8 i32
  std::uint32_t bits = 0;              // per element
  std::vector<std::uint64_t> shape;    // outermost first
  std::vector<std::uint64_t> strides;  // rank - 1 of them: elements, bytes for sub-byte dtypes
  std::vector<std::uint8_t> bytes;     // the extent a kernel may touch
  bool output = false;

  // Rows: every index of the dimensions but the last; a row is contiguous.
  std::uint64_t rows() const;
  std::uint64_t row_bytes() const;               // the bytes of one row's elements
  std::uint64_t row_offset(std::uint64_t row) const;  // in bytes, row in [0, rows())
  // The row stride of a 2-D tensor (elements, bytes for sub-byte dtypes); the packed one otherwise.
  std::uint32_t row_stride() const;
  std::vector<std::uint8_t> packed() const;  // the rows without padding

  template <class T>
  const T* as() const { return reinterpret_cast<const T*>(bytes.data()); }
  template <class T>
  T* as() { return reinterpret_cast<T*>(bytes.data()); }
};
using OpTensors = std::map<std::string, OpTensor>;

// The problem of a call: every size, stride, choice and scalar by name, as given or its default.
struct OpProblem {
  std::string op;
  Arch arch = Arch::gfx942;
  std::map<std::string, std::string> values;

  std::string text(const std::string& name) const;    // "" when absent
  std::uint32_t u32(const std::string& name) const;   // 0 when absent
  float f32(const std::string& name) const;           // 0 when absent
};

// How an output is compared: bit for bit, the GEMM tolerance, or the reference's own rule.
enum class CompareRule { exact, gemm_tolerance, custom };

struct Comparison;

struct Expected {
  CompareRule rule = CompareRule::exact;
  OpTensor exact;                   // exact: the output tensor as it must be (its padding is not compared)
  GemmRef gemm;                     // gemm_tolerance: the unrounded result and its magnitudes
  OutType out_type = OutType::bf16;
  std::function<Comparison(const OpTensor& got)> compare;  // custom

  static Expected bits(OpTensor tensor) { return {CompareRule::exact, std::move(tensor), {}, OutType::bf16, {}}; }
  static Expected tolerance(GemmRef gemm, OutType type) {
    return {CompareRule::gemm_tolerance, {}, std::move(gemm), type, {}};
  }
  static Expected rule_of(std::function<Comparison(const OpTensor&)> compare) {
    return {CompareRule::custom, {}, {}, OutType::bf16, std::move(compare)};
  }
};

// One output compared: elements (row bytes for sub-byte dtypes) and how many break the rule.
struct Comparison {
  std::string tensor;
  CompareRule rule = CompareRule::exact;
  std::size_t count = 0, mismatches = 0;
  bool count_in_bytes = false;  // sub-byte dtypes are compared byte by byte
  double max_abs_error = 0, mean_abs_error = 0;
  std::string detail;  // the first mismatch, or the tolerance summary; "" when ok

  bool ok() const { return mismatches == 0 && detail.empty(); }
  std::string summary() const;  // "y 121856/121856 identical", "c max abs error 0.0121, mean 0.00154: within tolerance"
};

Comparison compare_op_output(const OpTensor& got, const Expected& expected);

struct OpReference {
  // The expected value of every output; `tensors` holds the inputs (an optional one only when
  // given) and the outputs with their layout (bytes as the kernel found them).
  std::function<Status(const OpProblem&, const OpTensors& tensors, std::map<std::string, Expected>& expected)> compute;
  // Optional: rewrites inputs after the random fill by dtype, where meaningful inputs need it.
  std::function<void(const OpProblem&, OpTensors& tensors, std::mt19937& rng)> fill;
};

// Adds or replaces the reference of `op`.
void register_op_reference(const std::string& op, OpReference reference);
// nullptr when no reference has that name.
const OpReference* find_op_reference(const std::string& op);
std::vector<std::string> op_reference_names();

// Random contents by dtype: bf16/fp16/f32 normals, fp8 and fp4 codes of normals, int8 and i32
// small integers, e8m0 exponents 122..130 (scales near 1), u8 bytes. The whole extent is filled.
void fill_random(OpTensor& tensor, Arch arch, std::mt19937& rng);

}  // namespace asmk::ref
