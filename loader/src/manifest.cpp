#include "manifest.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "error.hpp"
#include "manifest_json.hpp"
#include "ops/op_spec_reader.hpp"

namespace asmk {
namespace {

constexpr int kSchema = 1;

// Limits that keep a manifest's numbers inside what the loader's arithmetic and the hardware
// allow (docs/contracts.md lists them). A manifest is data, not code: a value
// outside them is refused at open instead of becoming a wrapped offset or a zero divisor later.
constexpr std::uint32_t kMaxKernargBytes = 64 * 1024;    // the kernarg segment (HIP allows 4 KiB; room to spare)
constexpr std::int64_t kMaxIntegerParam = 1 << 20;        // tile sizes and counts: n_per_wg, m_tile, k_waves, ...
constexpr std::uint32_t kMaxWorkgroupItems = 1024;       // the CDNA maximum flat workgroup size

// Why a manifest's `file` would leave the manifest's folder ("" when it stays inside): it is read
// relative to <repository>/<arch>/, so it must be relative and never climb out.
std::string escaping_path_reason(const std::string& file) {
  if (file.empty()) return "is empty";
  if (file.find('\0') != std::string::npos) return "holds a NUL byte";
  const std::filesystem::path path(file);
  if (path.is_absolute() || path.has_root_name() || path.has_root_directory()) return "is absolute";
  for (const auto& part : path)
    if (part == "..") return "climbs out with '..'";
  return "";
}

bool is_sha256_hex(const std::string& text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// An integer parameter: integer axes are tile sizes and counts, which the selectors divide by.
std::int64_t tile_size(const Reader& kernel, const std::string& kernel_name, const std::string& name, const Json& value) {
  const bool in_range = value.is_number_unsigned()
                            ? value.get<std::uint64_t>() >= 1 && value.get<std::uint64_t>() <= kMaxIntegerParam
                            : value.get<std::int64_t>() >= 1 && value.get<std::int64_t>() <= kMaxIntegerParam;
  if (!in_range)
    kernel.bad(kernel.where("params." + name),
               fmt::format("is {} in kernel {}: integer parameters are tile sizes and counts, 1 ... {}", value.dump(),
                           kernel_name, kMaxIntegerParam));
  return value.get<std::int64_t>();
}

std::vector<Param> read_params(const Reader& kernel, const std::string& kernel_name) {
  std::vector<Param> params;
  const Json& object = kernel.at("params");
  if (!object.is_object()) kernel.bad(kernel.where("params"), "is not an object");
  for (const auto& [name, value] : object.items()) {
    if (value.is_string()) params.push_back({name, value.get<std::string>()});
    else if (value.is_boolean()) params.push_back({name, value.get<bool>()});
    else if (value.is_number_integer()) params.push_back({name, tile_size(kernel, kernel_name, name, value)});
    else kernel.bad(kernel.where("params." + name), "is not a string, integer or boolean");
  }
  return params;
}

std::vector<KernelArg> read_kernargs(const Reader& kernel, const std::string& file, const std::string& kernel_name,
                                     std::uint32_t segment_bytes) {
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
    // 64-bit sum: an offset near 2^32 must not wrap past this check.
    if (std::uint64_t(a.offset) + a.size > segment_bytes)
      arg.bad(arg.where("offset"),
              fmt::format("is {}: argument '{}' of kernel {} ({} bytes) ends at byte {}, past the kernel's {}-byte kernarg "
                          "segment (resources.kernarg_bytes)",
                          a.offset, a.name, kernel_name, a.size, std::uint64_t(a.offset) + a.size, segment_bytes));
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
  if (res.kernarg_bytes > kMaxKernargBytes)
    r.bad(r.where("kernarg_bytes"), fmt::format("is {}, more than the {} bytes a kernarg segment may have", res.kernarg_bytes,
                                                kMaxKernargBytes));
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
  if (const std::string why = escaping_path_reason(kernel.file); !why.empty())
    k.bad(k.where("file"), fmt::format("'{}' of kernel {} {}: it must be a relative path inside {}", kernel.file,
                                       kernel.name, why, arch_dir.string()));
  kernel.code_object_path = (arch_dir / kernel.file).lexically_normal().string();
  kernel.sha256 = k.has("sha256") ? k.string("sha256") : "";
  if (!kernel.sha256.empty() && !is_sha256_hex(kernel.sha256))
    k.bad(k.where("sha256"), fmt::format("'{}' of kernel {} is not 64 lowercase hex digits", kernel.sha256, kernel.name));
  const Json& wg = k.at("workgroup_size");
  if (!wg.is_array() || wg.size() != 3) k.bad(k.where("workgroup_size"), "is not [x, y, z]");
  std::uint64_t items = 1;
  for (int d = 0; d < 3; ++d) {
    kernel.workgroup_size[d] = k.u32_of(wg[d], k.where(fmt::format("workgroup_size[{}]", d)));
    items *= std::min<std::uint64_t>(kernel.workgroup_size[d], kMaxWorkgroupItems + 1);
  }
  if (items == 0 || items > kMaxWorkgroupItems)
    k.bad(k.where("workgroup_size"),
          fmt::format("is [{}, {}, {}] in kernel {}: a workgroup has 1 ... {} work-items", kernel.workgroup_size[0],
                      kernel.workgroup_size[1], kernel.workgroup_size[2], kernel.name, kMaxWorkgroupItems));
  kernel.resources = read_resources(k.object("resources"));
  kernel.params = read_params(k, kernel.name);
  kernel.kernargs = read_kernargs(k, file, kernel.name, kernel.resources.kernarg_bytes);
  kernel.requirements = read_requirements(k, "requires", file);
  kernel.launch = read_launch(k);
  return kernel;
}

// Several kernels may share one code object (each is found in it by its symbol): entries naming
// the same file must agree on its sha256 and name different symbols.
void check_shared_code_objects(const std::vector<Kernel>& kernels, const std::string& file) {
  std::map<std::string, const Kernel*> first_of_file;
  std::map<std::pair<std::string, std::string>, const Kernel*> by_symbol;
  for (const Kernel& k : kernels) {
    const auto [it, inserted] = first_of_file.emplace(k.code_object_path, &k);
    if (!inserted && it->second->sha256 != k.sha256)
      fail(ASMK_ERROR_BAD_REPOSITORY,
           fmt::format("manifest {}: kernels {} and {} share the code object '{}' but give different sha256 ({} / {})",
                       file, it->second->name, k.name, k.file, it->second->sha256.empty() ? "none" : it->second->sha256,
                       k.sha256.empty() ? "none" : k.sha256));
    const auto [other, fresh] = by_symbol.emplace(std::pair{k.code_object_path, k.symbol}, &k);
    if (!fresh)
      fail(ASMK_ERROR_BAD_REPOSITORY,
           fmt::format("manifest {}: kernels {} and {} both name symbol '{}' of the code object '{}'", file,
                       other->second->name, k.name, k.symbol, k.file));
  }
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
    check_shared_code_objects(manifest.kernels, file);
    if (top.has("ops")) manifest.ops = ops::read_op_specs(top.object("ops"), file);
    return manifest;
  } catch (const Json::exception& e) {  // a type nlohmann refused that the checks above missed
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("manifest {}: {}", file, e.what()));
  }
}

}  // namespace asmk
