// Strict mode: LDS data races between the waves of a workgroup. Two accesses to the same LDS
// dword by different waves race when at least one writes and no s_barrier separates them; an
// LDS DMA write counts from its issue until its covering s_waitcnt vmcnt lands it, so a barrier
// without that wait does not order it. Per dword the shadow keeps the last writer (wave,
// instruction, barrier epoch, or "in flight") and up to two reading waves of the current epoch,
// which is enough to find a reader other than any given writer. DS atomics are not tracked
// (atomics of different waves do not race with each other). Granularity is the dword: waves
// writing different bytes of one dword in the same interval are reported too.
// A wave reading (or overwriting) LDS bytes its own DMA has not landed yet is a missing
// s_waitcnt vmcnt, reported as such.
#include <algorithm>
#include <sstream>

#include "wave.hpp"

namespace asmk::emu::detail {
namespace {

std::string hex(int64_t v) {
  std::ostringstream os;
  if (v < 0) os << "-0x" << std::hex << -v;
  else os << "0x" << std::hex << v;
  return os.str();
}

/// Files a race report for `in` (this wave) against instruction `other_index` of wave `other_wave`,
/// once per pair of instructions per workgroup.
void report(Wave& w, const Instr& in, int lane, uint64_t address, FaultKind kind, uint32_t other_wave,
            uint32_t other_index, const std::string& what) {
  LdsRaceShadow& sh = w.wg->races;
  const uint64_t key = uint64_t(in.index) << 32 | other_index;
  if (std::find(sh.reported.begin(), sh.reported.end(), key) != sh.reported.end()) return;
  sh.reported.push_back(key);
  LaunchContext& ctx = *w.ctx;
  const Instr& other = ctx.program->code[other_index];
  Report r;
  r.kind = kind;
  r.kernel = ctx.kernel->name;
  r.workgroup = w.wg->id;
  r.wave = w.wave_id;
  r.lane = lane;
  r.pc = in.pc;
  r.address = address;
  r.instruction = ctx.program->text[in.index];
  r.other_wave = int32_t(other_wave);
  r.other_pc = other.pc;
  r.other_instruction = ctx.program->text[other_index];
  r.message = what + " (wave " + std::to_string(other_wave) + " pc " + hex(other.pc) + ": " + r.other_instruction + ")";
  std::lock_guard lock(ctx.report_mutex);
  ctx.strict_count++;
  if (ctx.strict.size() < ctx.options.max_reports) ctx.strict.push_back(std::move(r));
}

bool current(uint32_t write_epoch, uint32_t epoch) {
  return write_epoch == epoch || write_epoch == LdsRaceShadow::kInFlight;
}

/// Checks a write by this wave to dword `x` against the last writer and this epoch's readers.
void check_write(Wave& w, const Instr& in, int lane, uint64_t address, const LdsRaceShadow::Dword& x,
                 const char* this_write) {
  const LdsRaceShadow& sh = w.wg->races;
  const uint16_t me = uint16_t(w.wave_id);
  if (x.writer != LdsRaceShadow::kNoWave && current(x.write_epoch, sh.epoch)) {
    const bool in_flight = x.write_epoch == LdsRaceShadow::kInFlight;
    if (x.writer != me)
      report(w, in, lane, address, FaultKind::lds_race, x.writer, x.writer_index,
             std::string("LDS data race: ") + this_write + " of bytes another wave writes" +
                 (in_flight ? " by a DMA not yet landed" : "") + " with no s_barrier between them");
    else if (in_flight && x.writer_index != in.index)
      report(w, in, lane, address, FaultKind::missing_waitcnt, x.writer, x.writer_index,
             std::string(this_write) + " of LDS bytes this wave's DMA has not landed: s_waitcnt vmcnt missing");
  }
  if (x.read_epoch == sh.epoch) {
    for (int i = 0; i < 2; i++) {
      if (x.reader[i] == LdsRaceShadow::kNoWave || x.reader[i] == me) continue;
      report(w, in, lane, address, FaultKind::lds_race, x.reader[i], x.reader_index[i],
             std::string("LDS data race: ") + this_write + " of bytes another wave reads with no s_barrier between them");
      break;
    }
  }
}

}  // namespace

void race_access(Wave& w, const Instr& in, int lane, uint64_t address, uint32_t bytes, LdsAccess kind) {
  if (kind == LdsAccess::atomic || bytes == 0) return;
  LdsRaceShadow& sh = w.wg->races;
  const uint16_t me = uint16_t(w.wave_id);
  for (uint64_t d = address / 4; d <= (address + bytes - 1) / 4; d++) {
    LdsRaceShadow::Dword& x = sh.dwords[d];
    if (kind == LdsAccess::write) {
      check_write(w, in, lane, address, x, "write");
      x.writer = me;
      x.writer_index = in.index;
      x.write_epoch = sh.epoch;
      continue;
    }
    if (x.writer != LdsRaceShadow::kNoWave && current(x.write_epoch, sh.epoch)) {
      const bool in_flight = x.write_epoch == LdsRaceShadow::kInFlight;
      if (x.writer != me)
        report(w, in, lane, address, FaultKind::lds_race, x.writer, x.writer_index,
               std::string("LDS data race: read of bytes another wave writes") +
                   (in_flight ? " by a DMA not yet landed (the read sees the old bytes)" : "") +
                   " with no s_barrier between them");
      else if (in_flight)
        report(w, in, lane, address, FaultKind::missing_waitcnt, x.writer, x.writer_index,
               "read of LDS bytes this wave's DMA has not landed (the read sees the old bytes): s_waitcnt vmcnt missing");
    }
    if (x.read_epoch != sh.epoch) {
      x.read_epoch = sh.epoch;
      x.reader[0] = me;
      x.reader_index[0] = in.index;
      x.reader[1] = LdsRaceShadow::kNoWave;
    } else if (x.reader[0] != me && x.reader[1] == LdsRaceShadow::kNoWave) {
      x.reader[1] = me;
      x.reader_index[1] = in.index;
    }
  }
}

void race_dma_write(Wave& w, uint32_t instr_index, uint32_t address, uint32_t bytes, bool landed) {
  LdsRaceShadow& sh = w.wg->races;
  const Instr& in = w.ctx->program->code[instr_index];
  for (uint64_t d = address / 4; d <= (uint64_t(address) + bytes - 1) / 4; d++) {
    LdsRaceShadow::Dword& x = sh.dwords[d];
    if (!landed) check_write(w, in, -1, address, x, "DMA write");
    x.writer = uint16_t(w.wave_id);
    x.writer_index = instr_index;
    x.write_epoch = landed ? sh.epoch : LdsRaceShadow::kInFlight;
  }
}

}  // namespace asmk::emu::detail
