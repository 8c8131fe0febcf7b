#include "cli_json.hpp"

namespace asmk::cli {

namespace {

nlohmann::ordered_json param_value(const asmk_param& p) {
  switch (p.type) {
    case ASMK_PARAM_INT: return p.int_value;
    case ASMK_PARAM_BOOL: return p.int_value != 0;
    case ASMK_PARAM_STRING:
    case ASMK_PARAM_FORCE_INT32_: break;
  }
  return p.string_value ? p.string_value : "";
}

}  // namespace

nlohmann::ordered_json kernel_json(const KernelView& k) {
  const auto& i = k.info;
  const auto& r = i.resources;
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  for (const auto& p : k.params) params[p.name] = param_value(p);
  nlohmann::ordered_json kernargs = nlohmann::ordered_json::array();
  for (const auto& a : k.kernargs)
    kernargs.push_back({{"name", a.name}, {"offset", a.offset}, {"size", a.size}, {"kind", a.kind}, {"type", a.type}});
  return {{"name", i.name},
          {"family", i.family},
          {"arch", i.arch},
          {"symbol", i.symbol},
          {"code_object", i.code_object},
          {"sha256", i.sha256},
          {"workgroup_size", {i.workgroup_size[0], i.workgroup_size[1], i.workgroup_size[2]}},
          {"parameters", params},
          {"resources",
           {{"vgpr", r.vgpr},
            {"agpr", r.agpr},
            {"accum_offset", r.accum_offset},
            {"sgpr", r.sgpr},
            {"lds_bytes", r.lds_bytes},
            {"scratch_bytes", r.scratch_bytes},
            {"kernarg_bytes", r.kernarg_bytes},
            {"wavefront_size", r.wavefront_size}}},
          {"kernel_arguments", kernargs}};
}

}  // namespace asmk::cli
