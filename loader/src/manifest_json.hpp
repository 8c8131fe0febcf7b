// The JSON reading shared by the manifest's parts (manifest.cpp: kernels; ops/op_spec_reader.cpp:
// op specs): field access that names "<file>: <path>.<key>" in every error, expressions and rules.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "error.hpp"
#include "kernel.hpp"

namespace asmk {

using Json = nlohmann::ordered_json;  // keeps params in space.yaml order

// Reads fields of one JSON object, naming "<file>: <path>.<key>" in every error.
class Reader {
 public:
  Reader(const std::string& file, std::string path, const Json& object)
      : file_(file), path_(std::move(path)), object_(object) {
    if (!object_.is_object()) bad(path_, "is not an object");
  }

  const Json& at(const std::string& key) const {
    auto it = object_.find(key);
    if (it == object_.end()) bad(where(key), "is missing");
    return *it;
  }
  bool has(const std::string& key) const { return object_.contains(key); }

  std::string string(const std::string& key) const {
    const Json& v = at(key);
    if (!v.is_string()) bad(where(key), "is not a string");
    return v.get<std::string>();
  }
  std::uint32_t u32(const std::string& key) const { return u32_of(at(key), where(key)); }
  std::uint32_t u32_of(const Json& v, const std::string& path) const {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
        v.get<std::int64_t>() > std::numeric_limits<std::uint32_t>::max())
      bad(path, "is not an unsigned 32-bit integer");
    return v.get<std::uint32_t>();
  }
  Reader object(const std::string& key) const { return Reader(file_, where(key), at(key)); }
  std::string where(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const std::string& file() const { return file_; }
  const Json& json() const { return object_; }

  [[noreturn]] void bad(const std::string& path, const std::string& what) const {
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("manifest {}: {} {}", file_, path, what));
  }

 private:
  const std::string& file_;
  std::string path_;
  const Json& object_;
};

Expr read_expr(const Reader& r, const Json& v, const std::string& path);

// The rules list `key` of `owner` (a kernel's "requires", an op's "rules"); docs/contracts.md. A
// rule of a form this libasmk does not know is kept as `unknown`: the selectors refuse it, naming it.
std::vector<Requirement> read_requirements(const Reader& owner, const std::string& key, const std::string& file);

}  // namespace asmk
