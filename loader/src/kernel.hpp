// One kernel of the repository, as its manifest entry describes it (docs/contracts.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "expr.hpp"

namespace asmk {

// A parameter value is exactly an axis value of the family's space.yaml.
using ParamValue = std::variant<std::string, std::int64_t, bool>;

struct Param {
  std::string name;
  ParamValue value;
};

std::string to_string(const ParamValue& value);

struct Resources {
  std::uint32_t vgpr = 0, agpr = 0, accum_offset = 0, sgpr = 0;
  std::uint32_t lds_bytes = 0, scratch_bytes = 0, kernarg_bytes = 0, wavefront_size = 64;
};

// One entry of the kernel argument layout.
struct KernelArg {
  std::string name;
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
  std::string kind;  // code-object .value_kind: global_buffer, by_value, hidden_*
  std::string type;  // declared type: u32 i32 u64 i64 f32, or "[const ]<dtype>*"

  bool hidden() const { return kind.starts_with("hidden_"); }
};

// One problem rule of the manifest's `requires` list (docs/contracts.md). The kernel does not
// check it; the op's selector does (ops/requirements.hpp) before it picks the kernel.
struct Requirement {
  enum class Kind {
    multiple,  // {arg, multiple[, unit]}: the argument is a positive multiple (with a unit: a stride, divisible)
    align,     // {pointer, align}: the pointer is aligned (null passes)
    equals,    // {value, equals}: a value of the op's problem (not a kernel argument) equals this
    expr,      // {expr, reason}: the expression over the arguments is true
    unknown,   // a form this libasmk does not know: the kernel is never chosen
  } kind = Kind::unknown;
  std::string name;     // what messages and tests call it: "k_multiple", "row_align_bytes", ...
  std::string subject;  // the argument, pointer or value it speaks of
  std::int64_t value = 0;
  std::string unit;     // "bytes" / "elements" for a stride rule
  Expr expr;
  std::string reason;   // expr: why; unknown: the rule's JSON text
};

// How a kernel is launched for a problem: grid and block as expressions of its scalar arguments.
struct LaunchRule {
  std::array<Expr, 3> grid, block;
  bool present = false;  // false: the manifest gives none
};

struct Kernel {
  std::string name, family, arch, symbol;
  std::string file;              // relative to <repository>/<arch>/
  std::string code_object_path;  // <repository>/<arch>/<file>
  std::string sha256;            // hex or empty
  std::array<std::uint32_t, 3> workgroup_size{1, 1, 1};
  Resources resources;
  std::vector<Param> params;     // in space.yaml order
  std::vector<KernelArg> kernargs;
  std::vector<Requirement> requirements;  // the manifest's "requires", in manifest order
  LaunchRule launch;                      // the manifest's "launch"

  const ParamValue* param(std::string_view param_name) const;
  const KernelArg* kernarg(std::string_view arg_name) const;  // nullptr when absent
  // "in_dtype=bf16 granularity=row n_per_wg=1024"
  std::string params_text() const;
  // "x (const bf16*) @0, y (fp8*) @8, ..." — the non-hidden arguments
  std::string kernargs_text() const;
};

}  // namespace asmk
