// Template part of cli_support.hpp.
#pragma once

#include <fmt/format.h>

namespace asmk::cli {

template <typename ValueOf>
std::string kernarg_table(const KernelView& view, ValueOf&& value_of) {
  std::string table = fmt::format("  {:<24} {:>6} {:>4}  {:<22} {:<16} {}\n", "argument", "offset", "size", "kind",
                                  "type", "value");
  for (const auto& a : view.kernargs)
    table += fmt::format("  {:<24} {:>6} {:>4}  {:<22} {:<16} {}\n", a.name, a.offset, a.size, a.kind, a.type,
                         value_of(std::string(a.name)));
  return table;
}

}  // namespace asmk::cli
