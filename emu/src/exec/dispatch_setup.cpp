// Dispatch validation, per-instruction tables and the runtime's device-memory objects (see dispatch_setup.hpp).
#include "dispatch_setup.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>
#include <tuple>

namespace asmk::emu::detail {
namespace {

/// Writes the code object v5 hidden arguments the runtime provides (zero for the rest).
void fill_hidden(const Kernel& k, const Dim3& grid, const Dim3& block, std::vector<uint8_t>& seg) {
  const uint64_t gx = uint64_t(grid.x) * block.x, gy = uint64_t(grid.y) * block.y, gz = uint64_t(grid.z) * block.z;
  for (const KernelArg& a : k.args) {
    if (a.value_kind.rfind("hidden_", 0) != 0) continue;
    if (uint64_t(a.offset) + a.size > seg.size()) continue;
    uint64_t v = 0;
    const std::string& kind = a.value_kind;
    if (kind == "hidden_block_count_x") v = grid.x;
    else if (kind == "hidden_block_count_y") v = grid.y;
    else if (kind == "hidden_block_count_z") v = grid.z;
    else if (kind == "hidden_group_size_x") v = block.x;
    else if (kind == "hidden_group_size_y") v = block.y;
    else if (kind == "hidden_group_size_z") v = block.z;
    else if (kind == "hidden_remainder_x") v = gx % block.x;
    else if (kind == "hidden_remainder_y") v = gy % block.y;
    else if (kind == "hidden_remainder_z") v = gz % block.z;
    else if (kind == "hidden_grid_dims") v = grid.z * block.z > 1 ? 3 : grid.y * block.y > 1 ? 2 : 1;
    std::memcpy(seg.data() + a.offset, &v, std::min<size_t>(a.size, 8));
  }
}

/// The 64-byte AQL kernel dispatch packet (hsa_kernel_dispatch_packet_t layout).
std::vector<uint8_t> dispatch_packet(const Dim3& grid, const Dim3& block, uint32_t lds, uint32_t scratch,
                                     uint64_t kernarg_address) {
  std::vector<uint8_t> p(64, 0);
  auto put = [&](size_t off, auto v) { std::memcpy(p.data() + off, &v, sizeof(v)); };
  uint16_t dims = grid.z * block.z > 1 ? 3 : grid.y * block.y > 1 ? 2 : 1;
  put(0, uint16_t(2));  // header: HSA_PACKET_TYPE_KERNEL_DISPATCH
  put(2, dims);         // setup: dimensions
  put(4, uint16_t(block.x));
  put(6, uint16_t(block.y));
  put(8, uint16_t(block.z));
  put(12, uint32_t(grid.x * block.x));
  put(16, uint32_t(grid.y * block.y));
  put(20, uint32_t(grid.z * block.z));
  put(24, scratch);
  put(28, lds);
  put(40, kernarg_address);
  return p;
}


bool has(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

/// The trace class of an instruction, from its family class and mnemonic (once per launch).
TraceClass trace_class_of(InstrClass cls, std::string_view m) {
  switch (cls) {
    case InstrClass::salu: return TraceClass::salu;
    case InstrClass::smem: return TraceClass::smem;
    case InstrClass::mfma: return TraceClass::mfma;
    case InstrClass::lds: return TraceClass::lds;
    case InstrClass::branch: return TraceClass::branch;
    case InstrClass::vmem:
      if (has(m, "atomic")) return TraceClass::vmem_atomic;
      if (has(m, "store")) return TraceClass::vmem_store;
      return TraceClass::vmem_load;
    case InstrClass::valu: {
      if (has(m, "f64")) return TraceClass::valu64;
      for (std::string_view t : {"v_exp_", "v_log_", "v_rcp_", "v_rsq_", "v_sqrt_", "v_sin_", "v_cos_"})
        if (m.rfind(t, 0) == 0) return TraceClass::trans;
      return TraceClass::valu;
    }
    default:
      if (m == "s_waitcnt") return TraceClass::waitcnt;
      if (m == "s_barrier") return TraceClass::barrier;
      return TraceClass::other;
  }
}

std::string text(const Dim3& d) {
  std::ostringstream os;
  os << '(' << d.x << ',' << d.y << ',' << d.z << ')';
  return os.str();
}

}  // namespace

std::string validate_dispatch(const Dispatch& dispatch, const LaunchOptions& options, uint64_t& lds_bytes) {
  const Kernel* k = dispatch.kernel;
  if (!k || !k->program) return "launch: no kernel given (Dispatch::kernel is null)";
  const std::string what = "launch of " + k->name + ": ";
  if (dispatch.grid.count() == 0) return what + "the grid has no workgroups";
  if (dispatch.block.count() == 0 || dispatch.block.count() > 1024)
    return what + "block of " + std::to_string(dispatch.block.count()) + " work-items; must be 1..1024";
  for (int i = 0; i < 3; i++) {
    uint32_t req = k->reqd_workgroup_size[i];
    uint32_t got = i == 0 ? dispatch.block.x : i == 1 ? dispatch.block.y : dispatch.block.z;
    if (req && req != got)
      return what + "the kernel requires workgroup size " + std::to_string(k->reqd_workgroup_size[0]) + "," +
             std::to_string(k->reqd_workgroup_size[1]) + "," + std::to_string(k->reqd_workgroup_size[2]);
  }
  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> selected;
  for (const Dim3& id : options.only_workgroups) {
    if (id.x >= dispatch.grid.x || id.y >= dispatch.grid.y || id.z >= dispatch.grid.z)
      return what + "only_workgroups names workgroup " + text(id) + " outside the grid " + text(dispatch.grid);
    if (!selected.insert({id.x, id.y, id.z}).second)
      return what + "only_workgroups names workgroup " + text(id) + " twice";
  }
  const uint32_t max_lds = max_lds_bytes(k->program->arch);
  lds_bytes = uint64_t(k->descriptor.group_segment_fixed_size) + dispatch.dynamic_lds;
  if (lds_bytes > max_lds)
    return what + "needs " + std::to_string(lds_bytes) + " bytes of LDS, the " + std::string(arch_name(k->program->arch)) +
           " limit is " + std::to_string(max_lds);
  return "";
}

void prepare_context(LaunchContext& ctx, Device& device, const Dispatch& dispatch, const LaunchOptions& options,
                     uint32_t lds_bytes) {
  const Kernel* k = dispatch.kernel;
  ctx.device = &device;
  ctx.kernel = k;
  ctx.program = k->program.get();
  ctx.options = options;
  ctx.grid = dispatch.grid;
  ctx.block = dispatch.block;
  ctx.lds_bytes = lds_bytes;
  ctx.bounded = options.cancel != nullptr || options.max_launch_milliseconds != 0;
  if (options.max_launch_milliseconds != 0)
    ctx.deadline = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(std::min<uint64_t>(options.max_launch_milliseconds, 1ull << 40));
  const KernelProgram& prog = *ctx.program;
  ctx.wide_float.reserve(prog.code.size());
  for (const Instr& in : prog.code) {
    const std::string& m = prog.mnemonics[in.mnemonic];
    ctx.wide_float.push_back(m.find("f16") != std::string::npos || m.find("f64") != std::string::npos);
    ctx.has_lds_dma |= in.fn && (in.m.lds || m.rfind("global_load_lds", 0) == 0);
  }
  if (options.strict) {
    ctx.wait_state_kinds.reserve(prog.code.size());
    for (const Instr& in : prog.code) ctx.wait_state_kinds.push_back(wait_state_kind_of(in, prog.mnemonics[in.mnemonic]));
  }
  if (options.trace) {
    ctx.trace_classes.reserve(prog.code.size());
    for (const Instr& in : prog.code) ctx.trace_classes.push_back(trace_class_of(in.cls, prog.mnemonics[in.mnemonic]));
  }
}

void DispatchMemory::release(Device& device) const {
  for (uint64_t a : {image, kernarg, packet, queue})
    if (a) device.free(a);
}

std::string place_dispatch(Device& device, const Dispatch& dispatch, LaunchContext& ctx, DispatchMemory& mem) {
  const Kernel* k = dispatch.kernel;
  // Kernarg segment: explicit arguments as given, then hidden arguments.
  std::vector<uint8_t> seg(std::max<size_t>({size_t(k->kernarg_segment_size), dispatch.kernargs.size(), 8}), 0);
  std::copy(dispatch.kernargs.begin(), dispatch.kernargs.end(), seg.begin());
  if (dispatch.fill_hidden_args) fill_hidden(*k, dispatch.grid, dispatch.block, seg);
  // The code object's loadable image, so PC-relative constant data (s_getpc + offset) is reachable.
  const auto& image = *k->program->image;
  auto image_address = device.alloc_read_only(std::max<size_t>(image.size(), 4), 4096, "code object image");
  if (!image_address) return "launch: cannot allocate the code object image";
  mem.image = *image_address;
  device.write(mem.image, image.data(), image.size());
  ctx.code_address = mem.image + k->program->entry_vaddr;
  auto kernarg = device.alloc_read_only(seg.size(), 64, "kernarg segment");
  auto packet = device.alloc_read_only(64, 64, "dispatch packet");
  auto queue = device.alloc_read_only(256, 64, "queue descriptor");
  if (kernarg) mem.kernarg = *kernarg;
  if (packet) mem.packet = *packet;
  if (queue) mem.queue = *queue;
  if (!kernarg || !packet || !queue) {
    mem.release(device);
    mem = {};
    return "launch: cannot allocate the kernarg segment";
  }
  ctx.kernarg_address = mem.kernarg;
  ctx.dispatch_packet_address = mem.packet;
  ctx.queue_address = mem.queue;
  device.write(mem.kernarg, seg.data(), seg.size());
  auto pkt = dispatch_packet(dispatch.grid, dispatch.block, ctx.lds_bytes, k->descriptor.private_segment_fixed_size,
                             mem.kernarg);
  device.write(mem.packet, pkt.data(), pkt.size());
  return "";
}

}  // namespace asmk::emu::detail
