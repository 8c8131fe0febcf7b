// Running any op the repository declares, by name, and checking it against its reference in ref/:
// what `asmk op --check`, `asmk demo` and the kernel op tests share (static library asmk_op_runner).
//
// A problem is name=value tokens, the op spec's demo format: "m=17 n=512 k=1024 in_dtype=int8 bias"
// (sizes, strides, choices, scalars; a bare name gives that optional tensor). The runner builds the
// named arguments, asks libasmk each tensor's extent (asmk_op_tensor_at), allocates, fills the
// inputs (random by dtype from a seed, the reference's own fill, or given bytes), selects (a
// workspace at the size the plan asks for), runs asmk_run_op, downloads the outputs and compares
// each with the reference's expectation. Errors are values (status + message); nothing throws.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "asmk.h"
#include "asmk/ref/op_reference.hpp"

namespace asmk::op_runner {

struct Problem {
  std::vector<std::pair<std::string, std::string>> values;  // name=value, in the given order
  std::vector<std::string> tensors;                         // bare names: optional tensors to give

  static Problem parse(const std::string& text);  // "m=17 n=512 bias"
  std::string text() const;                       // the same form
  void set(const std::string& name, const std::string& value);
};

// An op as the repository declares it.
struct OpView {
  asmk_op_info info{};
  std::vector<asmk_op_arg_info> args;

  const asmk_op_arg_info* arg(const std::string& name) const;  // nullptr when it has none of that name
  std::string arg_names() const;                               // "m, n, k, in_dtype, ..."
  std::string input_names() const;                             // tensors the op reads: "a, b, scale_a"
};

// Every op of the repository (sorted by name).
asmk_status list_ops(const asmk_context* ctx, std::vector<std::string>& names, std::string& error);
asmk_status describe_op(const asmk_context* ctx, const std::string& op, OpView& out, std::string& error);

// Whether the repository holds kernels of `family` for `arch`.
bool has_kernels(const asmk_context* ctx, const std::string& family, const std::string& arch);

struct Options {
  std::uint32_t seed = 1;
  bool offer_workspace = true;                                // let the selector split (a GEMM's K)
  std::map<std::string, std::vector<std::uint8_t>> inputs;    // given bytes by tensor name (its extent)
};

// A call's arguments built from a problem; owns the strings the asmk_op_arg entries point to.
class Call {
 public:
  Call() = default;
  Call(const Call&) = delete;  // its arguments point into it
  Call& operator=(const Call&) = delete;
  // Checks every token against the op's arguments (a clear error naming the op's arguments).
  asmk_status build(const asmk_context* ctx, const OpView& op, const Problem& problem, std::string& error);
  void set_pointer(const std::string& tensor, const void* pointer, std::size_t bytes);
  const std::vector<asmk_op_arg>& args() const { return args_; }
  // Every size, stride, choice and scalar as given or its default (strides: as libasmk resolved them).
  std::map<std::string, std::string> values;
  std::vector<asmk_op_tensor_info> tensors;  // the call's tensors (optional ones only when given)

 private:
  std::deque<std::string> strings_;  // what the string arguments point to (a deque keeps them in place)
  std::vector<asmk_op_arg> args_;
};

struct Result {
  asmk_status status = ASMK_SUCCESS;
  std::string error;  // libasmk's message, a reference's refusal, or a missing reference
  std::string bad_input;  // the given input the error is about ("" when none)
  asmk_selection selection = ASMK_INIT(asmk_selection);
  std::string explain;                         // selection.explain, copied
  ref::OpTensors tensors;                      // inputs and outputs as run
  std::vector<ref::Comparison> comparisons;    // one per output, in the op's order
  std::map<std::string, std::string> values;   // the call's sizes, strides, choices and scalars

  bool ok() const;
  std::string summary() const;  // the comparisons, ", "-joined
};

// Selection only (no buffers): the workspace is offered (SIZE_MAX) when options allow it. `call`
// keeps the call's values and tensors.
asmk_status select(const asmk_context* ctx, const OpView& op, const Problem& problem, const Options& options,
                   Call& call, asmk_selection& out, std::string& error);

// Runs the problem on the context and compares the outputs with the op's reference.
Result run(asmk_context* ctx, const std::string& op, const Problem& problem, const Options& options = {});

// Loads the reference plugins named by $ASMK_REF_PLUGINS (':'-separated shared libraries whose
// static initializers call ref::register_op_reference). Once per process; "" when all loaded.
std::string load_reference_plugins();

// The headline of a selection's reason: "n_per_wg=512 of {512, 1024}" from "...: 0 masked lanes".
std::string reason_headline(const char* reason);

}  // namespace asmk::op_runner
