// An op as its op spec declares it (templates/<family>/op.yaml, copied by asmgen into every arch's
// manifest under "ops"; docs/op-spec.md). Everything the generic op layer does for an op —
// the arguments a caller may give and their checks, the cache key, the buffer checks, the kernel
// values, the pointer slots and the selection policy — is derived from this record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../expr.hpp"
#include "../kernel.hpp"
#include "asmk.h"

namespace asmk::ops {

// A string option of the problem (a dtype, a layout, a granularity). Its value is wanted as the
// kernel parameter `param`; a kernel without that parameter has `implied` ("" = does not match).
struct OpChoice {
  std::string name;
  std::vector<std::string> values;
  std::string default_value;
  std::string param;
  std::string implied;
  std::string doc;
  std::string values_text;  // "bf16,f32" (what asmk_op_arg_info reports)
};

// A number the caller may give besides sizes and strides (e.g. k_splits), with its default.
struct OpScalar {
  enum class Type { u32, i32, f32 } type = Type::u32;
  std::string name;
  double default_value = 0;
  bool required = false;  // the call must give it (no default makes sense, e.g. a softmax scale)
  std::optional<double> min, above;  // the value must be >= min / > above (NaN never passes)
  // `applies_when`: the kernels read the scalar only when this expression over the call's sizes and choices holds
  // (an fp8 descale: "dtype == 'fp8'"); otherwise a value other than the default is refused, since it would be
  // silently ignored. Empty: always read.
  std::optional<Expr> applies_when;
  std::string doc;
  std::string default_text;  // "0"
};

// Rules over the values of an integer tensor the caller gives (docs/op-spec.md, "Element rules"):
// every element in [min, max] or [min, below); a 1-D tensor non-decreasing, its first and last
// elements equal to values (offsets such as cu_seqlens). Bounds are expressions of the call's
// integers. Checked before any launch wherever the backend can read the memory (element_rules.hpp).
struct OpElementRules {
  std::optional<Expr> min, max, below, first, last;
  bool non_decreasing = false;
  std::string doc;  // what the values are ("expert ids")
};

struct OpTensor {
  std::string name;
  std::string dtype;          // a dtype name ("bf16", "fp4", ...) or the name of a choice giving it
  std::vector<Expr> shape;    // extents, outermost first
  std::vector<std::string> strides;  // one per dimension but the last (which is contiguous): argument names
  bool output = false, optional = false;
  bool workspace = false;     // scratch the plan sizes (split-K partials); no shape
  std::string doc;
  std::optional<OpElementRules> elements;  // integer inputs only
};

// A fixed parameter every kernel of the op must have.
struct OpWanted {
  std::string param, value;
};

// The order in which the `ranked` policy compares eligible kernels: the first criterion that differs
// decides. Expressions read the problem's values, the kernel's integer parameters, `workgroups`
// (the launch rule's grid) and `compute_units`.
struct RankCriterion {
  bool fewest = true;  // false: most
  Expr expr;
  std::string what;    // "masked lanes per row"
};

struct OpSelect {
  enum class Policy { gemm_cost, ranked, stages } policy = Policy::ranked;
  std::string rate;             // gemm_cost: the MFMA rate class (bf16, fp8, fp4)
  bool partials_scaled = false; // gemm_cost: split-K partials carry the scales (the reduce gets none)
  std::vector<RankCriterion> prefer;
};

// An integer computed once per call from the call's values, the earlier derived values,
// `compute_units` and `workspace_budget` (e.g. a split count).
struct OpDerived {
  std::string name;
  Expr expr;
};

// Scratch a pipeline carves from the op's workspace tensor: a dtype and extents (packed, each
// part aligned to kTemporaryAlign bytes, in declaration order).
struct OpTemporary {
  std::string name;
  std::string dtype;  // a dtype name or a choice giving it
  std::vector<Expr> shape;
  std::string doc;
};
inline constexpr std::uint64_t kTemporaryAlign = 256;

// One step of a pipeline op: another op of the repository, run when `when` holds, its arguments
// taken from this op's by name — the same name unless `args` maps it: a stage argument <- a
// tensor, temporary, choice, scalar or an integer expression of this op. A stage's workspace
// tensor is given only when mapped (to a temporary), never the pipeline's own workspace.
struct OpStage {
  std::string op;
  std::optional<Expr> when;
  std::vector<std::pair<std::string, std::string>> args;  // stage argument -> source text
  const std::string* source(std::string_view argument) const;
};

struct OpSpec {
  std::string name, doc;
  std::string family;  // the kernels it selects from
  std::vector<std::string> sizes;
  std::vector<OpChoice> choices;
  std::vector<OpScalar> scalars;
  std::vector<std::pair<std::string, std::int64_t>> values;  // constants by name
  std::vector<OpWanted> wanted;
  std::vector<OpTensor> tensors;
  std::vector<Requirement> rules;
  OpSelect select;
  // Pipeline ops (select.policy stages): their derived values, temporaries and stages.
  std::vector<OpDerived> derived;
  std::vector<OpTemporary> temporaries;
  std::vector<OpStage> stages;
  // Problems `asmk demo` (and tests) check: "m=17 n=512 k=1024 in_dtype=int8 bias" — name=value for
  // sizes, strides, choices and scalars; a bare name gives that optional tensor.
  std::vector<std::string> demo;

  const OpChoice* choice(std::string_view choice_name) const;
  const OpTensor* tensor(std::string_view tensor_name) const;
  const OpScalar* scalar(std::string_view scalar_name) const;
  const OpTemporary* temporary(std::string_view temporary_name) const;
  // The arguments in the order asmk_op_arg_at lists them: sizes, choices, scalars, then each
  // tensor after its strides.
  struct Argument {
    std::string_view name;
    asmk_op_arg_kind kind;
    const OpChoice* choice = nullptr;
    const OpScalar* scalar = nullptr;
    const OpTensor* tensor = nullptr;  // tensors, and the tensor of a stride
  };
  std::vector<Argument> arguments() const;
  // Every stride argument of the op's tensors, in declaration order.
  std::vector<std::string> stride_names() const;
  // "m, n, k (sizes); stride_a, ... (strides); out_dtype (bf16|f32) ...; a, b, c (tensors)"
  std::string arguments_text() const;
};

// Bits per element of a dtype name (bf16 16, fp4 4, ...), 0 when unknown.
std::uint32_t dtype_bits(std::string_view dtype);

}  // namespace asmk::ops
