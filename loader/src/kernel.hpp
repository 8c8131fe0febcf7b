// One kernel of the repository, as its manifest entry describes it (docs/contracts.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

// One problem rule of the manifest's `requires` object (docs/contracts.md), e.g. {"k_multiple", 64}.
// The kernel does not check it; the family's selector does before it picks the kernel.
struct Requirement {
  std::string name;
  std::int64_t value = 0;
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

  const ParamValue* param(std::string_view param_name) const;
  const KernelArg* kernarg(std::string_view arg_name) const;  // nullptr when absent
  // "in_dtype=bf16 granularity=row n_per_wg=1024"
  std::string params_text() const;
  // "x (const bf16*) @0, y (fp8*) @8, ..." — the non-hidden arguments
  std::string kernargs_text() const;
};

}  // namespace asmk
