#include "manifest.hpp"

#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "error.hpp"
#include "manifest_json.hpp"
#include "ops/op_spec_reader.hpp"

namespace asmk {
namespace {

constexpr int kSchema = 1;

std::vector<Param> read_params(const Reader& kernel) {
  std::vector<Param> params;
  const Json& object = kernel.at("params");
  if (!object.is_object()) kernel.bad(kernel.where("params"), "is not an object");
  for (const auto& [name, value] : object.items()) {
    if (value.is_string()) params.push_back({name, value.get<std::string>()});
    else if (value.is_boolean()) params.push_back({name, value.get<bool>()});
    else if (value.is_number_integer()) params.push_back({name, value.get<std::int64_t>()});
    else kernel.bad(kernel.where("params." + name), "is not a string, integer or boolean");
  }
  return params;
}

std::vector<KernelArg> read_kernargs(const Reader& kernel, const std::string& file) {
  std::vector<KernelArg> args;
  const Json& list = kernel.at("kernargs");
  if (!list.is_array()) kernel.bad(kernel.where("kernargs"), "is not an array");
  for (std::size_t i = 0; i < list.size(); ++i) {
    Reader arg(file, kernel.where(fmt::format("kernargs[{}]", i)), list[i]);
    KernelArg a;
    a.name = arg.string("name");
    a.offset = arg.u32("offset");
    a.size = arg.u32("size");
    a.kind = arg.string("kind");
    a.type = arg.has("type") && arg.at("type").is_string() ? arg.string("type") : "";
    if (a.size == 0) arg.bad(arg.where("size"), "is 0");
    args.push_back(std::move(a));
  }
  return args;
}

// The optional "launch" object: {"grid": [3 expressions], "block": [3 expressions]}.
LaunchRule read_launch(const Reader& kernel) {
  LaunchRule rule;
  if (!kernel.has("launch")) return rule;
  const Reader launch = kernel.object("launch");
  for (const char* key : {"grid", "block"}) {
    const Json& dims = launch.at(key);
    if (!dims.is_array() || dims.size() != 3) launch.bad(launch.where(key), "is not a list of 3 expressions");
    auto& out = std::string_view(key) == "grid" ? rule.grid : rule.block;
    for (int d = 0; d < 3; ++d) out[d] = read_expr(launch, dims[d], launch.where(fmt::format("{}[{}]", key, d)));
  }
  rule.present = true;
  return rule;
}

Resources read_resources(const Reader& r) {
  Resources res;
  res.vgpr = r.u32("vgpr");
  res.agpr = r.has("agpr") ? r.u32("agpr") : 0;
  res.accum_offset = r.has("accum_offset") ? r.u32("accum_offset") : res.vgpr;
  res.sgpr = r.u32("sgpr");
  res.lds_bytes = r.has("lds_bytes") ? r.u32("lds_bytes") : 0;
  res.scratch_bytes = r.has("scratch_bytes") ? r.u32("scratch_bytes") : 0;
  res.kernarg_bytes = r.u32("kernarg_bytes");
  res.wavefront_size = r.has("wavefront_size") ? r.u32("wavefront_size") : 64;
  return res;
}

Kernel read_kernel(const Reader& k, const std::string& file, const std::string& arch,
                   const std::filesystem::path& arch_dir) {
  Kernel kernel;
  kernel.name = k.string("name");
  kernel.family = k.string("family");
  kernel.arch = k.string("arch");
  if (kernel.arch != arch)
    k.bad(k.where("arch"), fmt::format("is '{}' in the manifest of {}", kernel.arch, arch));
  kernel.symbol = k.has("symbol") ? k.string("symbol") : kernel.name;
  kernel.file = k.string("file");
  kernel.code_object_path = (arch_dir / kernel.file).lexically_normal().string();
  kernel.sha256 = k.has("sha256") ? k.string("sha256") : "";
  const Json& wg = k.at("workgroup_size");
  if (!wg.is_array() || wg.size() != 3) k.bad(k.where("workgroup_size"), "is not [x, y, z]");
  for (int d = 0; d < 3; ++d)
    kernel.workgroup_size[d] = k.u32_of(wg[d], k.where(fmt::format("workgroup_size[{}]", d)));
  kernel.resources = read_resources(k.object("resources"));
  kernel.params = read_params(k);
  kernel.kernargs = read_kernargs(k, file);
  kernel.requirements = read_requirements(k, "requires", file);
  kernel.launch = read_launch(k);
  return kernel;
}

}  // namespace

Expr read_expr(const Reader& r, const Json& v, const std::string& path) {
  if (v.is_number_integer()) return Expr::constant(v.get<std::int64_t>());
  if (!v.is_string()) r.bad(path, "is not an integer or an expression string");
  try {
    return Expr::parse(v.get<std::string>());
  } catch (const ExprError& e) {
    r.bad(path, fmt::format("is not a valid expression: {}", e.what()));
  }
}

// The optional "requires" list (docs/contracts.md). A rule of a form this libasmk does not know is
// kept as `unknown`: the selectors refuse that kernel, naming the rule (never silently ignored).
std::vector<Requirement> read_requirements(const Reader& owner, const std::string& key, const std::string& file) {
  std::vector<Requirement> rules;
  if (!owner.has(key)) return rules;
  const Json& list = owner.at(key);
  if (!list.is_array())
    owner.bad(owner.where(key), "is not a list of rules (a manifest older than this libasmk: rebuild it with asmgen)");
  for (std::size_t i = 0; i < list.size(); ++i) {
    Reader rule(file, owner.where(fmt::format("{}[{}]", key, i)), list[i]);
    Requirement r;
    const auto positive = [&](const std::string& key) {
      const Json& v = rule.at(key);
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1) rule.bad(rule.where(key), "is not a positive integer");
      return v.get<std::int64_t>();
    };
    if (rule.has("arg")) {
      r.kind = Requirement::Kind::multiple;
      r.subject = rule.string("arg");
      r.value = positive("multiple");
      r.unit = rule.has("unit") ? rule.string("unit") : "";
    } else if (rule.has("pointer")) {
      r.kind = Requirement::Kind::align;
      r.subject = rule.string("pointer");
      r.value = positive("align");
    } else if (rule.has("value")) {
      r.kind = Requirement::Kind::equals;
      r.subject = rule.string("value");
      r.value = positive("equals");
    } else if (rule.has("expr")) {
      r.kind = Requirement::Kind::expr;
      r.expr = read_expr(rule, rule.at("expr"), rule.where("expr"));
      r.reason = rule.string("reason");
    } else {
      const Json& object = list[i];
      r.reason = object.empty() ? "{}" : fmt::format("'{}'={}", object.begin().key(), object.begin().value().dump());
    }
    r.name = rule.has("name") ? rule.string("name") : r.subject;
    rules.push_back(std::move(r));
  }
  return rules;
}


Manifest read_manifest(const std::filesystem::path& manifest_file) {
  const std::string file = manifest_file.string();
  std::ifstream in(manifest_file);
  if (!in) fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("cannot read manifest {}", file));
  Json root;
  try {
    root = Json::parse(in);
  } catch (const Json::parse_error& e) {
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("manifest {} is not valid JSON: {}", file, e.what()));
  }
  try {
    Reader top(file, "", root);
    const Json& schema = top.at("schema");
    if (!schema.is_number_integer() || schema.get<int>() != kSchema)
      top.bad("schema", fmt::format("is {}, libasmk reads schema {}", schema.dump(), kSchema));
    Manifest manifest;
    manifest.arch = top.string("arch");
    manifest.toolchain = top.has("toolchain") ? top.string("toolchain") : "";
    const Json& kernels = top.at("kernels");
    if (!kernels.is_array()) top.bad("kernels", "is not an array");
    const auto arch_dir = manifest_file.parent_path();
    for (std::size_t i = 0; i < kernels.size(); ++i)
      manifest.kernels.push_back(read_kernel(Reader(file, fmt::format("kernels[{}]", i), kernels[i]),
                                             file, manifest.arch, arch_dir));
    if (top.has("ops")) manifest.ops = ops::read_op_specs(top.object("ops"), file);
    return manifest;
  } catch (const Json::exception& e) {  // a type nlohmann refused that the checks above missed
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("manifest {}: {}", file, e.what()));
  }
}

}  // namespace asmk
