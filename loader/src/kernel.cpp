#include "kernel.hpp"

#include <fmt/format.h>

namespace asmk {

std::string to_string(const ParamValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  return std::get<bool>(value) ? "true" : "false";
}

const ParamValue* Kernel::param(std::string_view param_name) const {
  for (const auto& p : params)
    if (p.name == param_name) return &p.value;
  return nullptr;
}

const KernelArg* Kernel::kernarg(std::string_view arg_name) const {
  for (const auto& a : kernargs)
    if (a.name == arg_name) return &a;
  return nullptr;
}

std::string Kernel::params_text() const {
  std::string text;
  for (const auto& p : params) {
    if (!text.empty()) text += ' ';
    text += p.name + "=" + to_string(p.value);
  }
  return text;
}

std::string Kernel::kernargs_text() const {
  std::string text;
  for (const auto& arg : kernargs) {
    if (arg.hidden()) continue;
    if (!text.empty()) text += ", ";
    text += fmt::format("{} ({})", arg.name, arg.type);
  }
  return text;
}

}  // namespace asmk
