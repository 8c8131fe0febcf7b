// LDS DMA (buffer_load ... lds, global_load_lds_*): the instruction reads global memory when it
// issues, but its LDS writes are queued and land when the wave's s_waitcnt vmcnt retires the
// instruction (vm operations retire in issue order, as note_vm counts them), or at the latest
// when the wave ends. Until then every wave, the issuing one included, reads the old LDS bytes:
// on hardware the data has not arrived yet.
#include <cstring>

#include "memory_access.hpp"

namespace asmk::emu::detail {

bool dma_lane(Wave& w, const Instr& in, int lane, uint32_t lds_address, const void* data, uint32_t bytes) {
  if (!lds_in_range(w, in, lane, lds_address, bytes, true)) return !w.done;  // dropped, or a fault
  LdsDmaQueue& q = w.dma;
  q.writes.push_back({lds_address, bytes, uint32_t(q.data.size())});
  const auto* p = static_cast<const uint8_t*>(data);
  q.data.insert(q.data.end(), p, p + bytes);
  if (w.race_check) race_dma_write(w, in.index, lds_address, bytes, /*landed=*/false);
  return true;
}

void dma_issued(Wave& w, const Instr& in) {
  LdsDmaQueue& q = w.dma;
  const uint32_t first = q.ops.empty() ? 0 : q.ops.back().end_write;
  if (first == q.writes.size()) return;  // no lane wrote
  q.ops.push_back({w.pending.vm_issued, in.index, first, uint32_t(q.writes.size())});
}

void land_dma(Wave& w, bool all) {
  LdsDmaQueue& q = w.dma;
  const uint64_t retired = all ? ~0ull : w.pending.vm_retired;
  while (q.landed < q.ops.size() && q.ops[q.landed].vm_seq <= retired) {
    const LdsDmaQueue::Op& op = q.ops[q.landed++];
    for (uint32_t i = op.first_write; i < op.end_write; i++) {
      const LdsDmaQueue::Write& wr = q.writes[i];
      std::memcpy(w.wg->lds.data() + wr.lds_address, q.data.data() + wr.data_offset, wr.bytes);
      if (w.race_check) race_dma_write(w, op.instr_index, wr.lds_address, wr.bytes, /*landed=*/true);
    }
    w.turn_left = 0;  // the wave waited for memory: the other waves get their turn
  }
  if (q.landed == q.ops.size()) q.clear();
}

}  // namespace asmk::emu::detail
