#include "arg_layout.hpp"

#include <cstring>

#include "op_call.hpp"

namespace asmk::ops {

ArgLayout ArgLayout::of(const OpCall& call, std::span<const asmk_op_arg> args) {
  ArgLayout layout;
  for (const asmk_op_arg& a : args) {
    layout.names.emplace_back(a.name);  // validated by the call: not null
    layout.strings.emplace_back(a.type == ASMK_VALUE_STRING ? a.value.string : "");
  }
  for (const CallTensor& t : call.tensors()) {
    Tensor out{-1, t.bytes, t.spec->optional, t.spec->workspace};
    for (std::size_t i = 0; i < args.size(); ++i)
      if (layout.names[i] == t.spec->name) out.arg = static_cast<int>(i);
    layout.tensors.push_back(out);
  }
  return layout;
}

bool ArgLayout::matches(std::span<const asmk_op_arg> args) const {
  if (args.size() != names.size()) return false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].name == nullptr || std::strcmp(args[i].name, names[i].c_str()) != 0) return false;
    if (args[i].type == ASMK_VALUE_STRING &&
        (args[i].value.string == nullptr || std::strcmp(args[i].value.string, strings[i].c_str()) != 0))
      return false;
  }
  return true;
}

}  // namespace asmk::ops
