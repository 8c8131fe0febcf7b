#include "asmk/perf/cu_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace asmk::perf {
namespace {

constexpr uint32_t kUnknownMfmaCycles = 32;

struct PendingMfma {
  RegRange dst;
  double ready;
};

struct Wave {
  const WaveProgram* program = nullptr;
  uint32_t simd = 0, group = 0;
  size_t next = 0;
  double ready = 0;
  std::vector<double> vm, lgkm;  // completion times of issued memory ops (non-decreasing: counters retire in order)
  std::vector<PendingMfma> mfma;
  bool at_barrier = false, done = false;
  double barrier_arrival = 0;
};

struct Simd {
  double valu_free = 0, mfma_free = 0, salu_free = 0;
  double valu_busy = 0, mfma_busy = 0, salu_busy = 0;
};

struct Group {
  uint32_t live = 0, arrived = 0;
  double last_arrival = 0;
};

class Simulator {
 public:
  Simulator(const Machine& m, const WorkgroupProgram& wg, uint32_t copies) : m_(m), simds_(m.simds_per_cu) {
    for (uint32_t c = 0; c < copies; ++c) {
      groups_.push_back({});
      for (uint32_t w = 0; w < wg.waves.size(); ++w) {
        Wave wave;
        wave.program = &wg.waves[w];
        wave.simd = w % m.simds_per_cu;
        wave.group = c;
        if (wave.program->ops.empty()) continue;
        waves_.push_back(std::move(wave));
        ++groups_.back().live;
      }
    }
  }

  CuTimeline run() {
    for (;;) {
      size_t best = SIZE_MAX;
      double best_time = std::numeric_limits<double>::infinity();
      for (size_t i = 0; i < waves_.size(); ++i) {
        const Wave& w = waves_[i];
        if (w.done || w.at_barrier) continue;
        const double t = issue_time(w, w.program->ops[w.next]);
        if (t < best_time) best_time = t, best = i;
      }
      if (best == SIZE_MAX) break;
      commit(waves_[best], best_time);
    }
    for (const Simd& s : simds_) {
      result_.valu_busy = std::max(result_.valu_busy, s.valu_busy);
      result_.mfma_busy = std::max(result_.mfma_busy, s.mfma_busy);
      result_.salu_busy = std::max(result_.salu_busy, s.salu_busy);
    }
    result_.lds_busy = lds_busy_;
    result_.vmem_busy = vmem_busy_;
    result_.waves = waves_.size();
    return result_;
  }

 private:
  uint32_t mfma_cost(const Wave& w, const Op& op) {
    static const std::string none;
    const auto& names = w.program->mnemonics;
    const std::string& name = op.mnemonic < names.size() ? names[op.mnemonic] : none;
    const auto it = m_.mfma_cycles.find(name);
    if (it != m_.mfma_cycles.end()) return it->second;
    if (std::find(result_.unknown_mfma.begin(), result_.unknown_mfma.end(), name) == result_.unknown_mfma.end())
      result_.unknown_mfma.push_back(name);
    return kUnknownMfmaCycles;
  }
  // When the registers `op` names are free of pending MFMA results. An MFMA that accumulates into
  // exactly the destination of the previous one (SrcC = vDst) chains without waiting.
  static double dependency_ready(const Wave& w, const Op& op) {
    double t = 0;
    for (size_t r = 0; r < op.regs.size(); ++r)
      for (const PendingMfma& p : w.mfma) {
        if (!op.regs[r].overlaps(p.dst)) continue;
        const bool chained = op.cls == OpClass::mfma && op.regs[r] == p.dst && op.regs.front() == p.dst;
        if (!chained) t = std::max(t, p.ready);
      }
    return t;
  }

  static double waited(const std::vector<double>& completions, int count) {
    if (count < 0 || completions.size() <= static_cast<size_t>(count)) return 0;
    return completions[completions.size() - 1 - static_cast<size_t>(count)];
  }

  double issue_time(const Wave& w, const Op& op) const {
    const Simd& s = simds_[w.simd];
    double t = w.ready;
    switch (op.cls) {
      case OpClass::salu:
      case OpClass::branch: return std::max(t, s.salu_free);
      case OpClass::valu:
      case OpClass::valu_trans: return std::max({t, s.valu_free, dependency_ready(w, op)});
      case OpClass::mfma: return std::max({t, s.mfma_free, dependency_ready(w, op)});
      case OpClass::vmem_load: return std::max(t, vmem_free_);
      case OpClass::vmem_store: return std::max({t, vmem_free_, dependency_ready(w, op)});
      case OpClass::lds_read: return std::max(t, lds_free_);
      case OpClass::lds_write: return std::max({t, lds_free_, dependency_ready(w, op)});
      case OpClass::waitcnt: return std::max({t, waited(w.vm, op.wait_vm), waited(w.lgkm, op.wait_lgkm)});
      default: return t;
    }
  }

  void push_completion(std::vector<double>& queue, double completion) {
    queue.push_back(queue.empty() ? completion : std::max(queue.back(), completion));
  }

  void commit(Wave& w, double t) {
    const Op& op = w.program->ops[w.next++];
    Simd& s = simds_[w.simd];
    const double issue = m_.issue_interval_cycles;
    ++result_.instructions;
    switch (op.cls) {
      case OpClass::salu:
      case OpClass::branch:
        s.salu_free = t + m_.salu_cycles;
        s.salu_busy += m_.salu_cycles;
        break;
      case OpClass::valu:
      case OpClass::valu_trans: {
        const double cost = op.cls == OpClass::valu ? m_.valu_cycles : m_.valu_trans_cycles;
        result_.wait_dependency += std::max(0.0, dependency_ready(w, op) - std::max(w.ready, s.valu_free));
        s.valu_free = t + cost;
        s.valu_busy += cost;
        break;
      }
      case OpClass::mfma: {
        const double cost = mfma_cost(w, op);
        result_.wait_dependency += std::max(0.0, dependency_ready(w, op) - std::max(w.ready, s.mfma_free));
        s.mfma_free = t + cost;
        s.mfma_busy += cost;
        std::erase_if(w.mfma, [t](const PendingMfma& p) { return p.ready <= t; });
        if (!op.regs.empty()) w.mfma.push_back({op.regs.front(), t + cost});
        break;
      }
      case OpClass::vmem_load:
      case OpClass::vmem_store: {
        const double cost = std::max(1.0, std::ceil(double(op.bytes) / m_.vmem_bytes_per_clk_per_cu));
        vmem_free_ = t + cost;
        vmem_busy_ += cost;
        push_completion(w.vm, t + cost + m_.vmem_latency_cycles);
        break;
      }
      case OpClass::lds_read:
      case OpClass::lds_write: {
        const double cost =
            std::max(1.0, std::ceil(double(op.bytes) / m_.lds_bytes_per_clk_per_cu)) + op.lds_conflict_cycles;
        lds_free_ = t + cost;
        lds_busy_ += cost;
        push_completion(w.lgkm, t + cost + m_.lds_latency_cycles);
        break;
      }
      case OpClass::smem: push_completion(w.lgkm, t + m_.smem_latency_cycles); break;
      case OpClass::waitcnt: {
        const double vm = waited(w.vm, op.wait_vm), lgkm = waited(w.lgkm, op.wait_lgkm);
        const double stall = std::max(0.0, t - w.ready);
        (vm >= lgkm ? result_.wait_vm : result_.wait_lgkm) += stall;
        break;
      }
      case OpClass::nop: w.ready = t + std::max<double>(issue, op.nop_cycles); return;
      case OpClass::barrier: arrive(w, t); return;
      case OpClass::end: finish(w, t); return;
      default: break;
    }
    w.ready = t + issue;
    if (w.next >= w.program->ops.size()) finish(w, w.ready);
  }

  void arrive(Wave& w, double t) {
    Group& g = groups_[w.group];
    w.at_barrier = true;
    w.barrier_arrival = t;
    ++g.arrived;
    g.last_arrival = std::max(g.last_arrival, t);
    release_if_complete(w.group);
  }

  void release_if_complete(uint32_t group) {
    Group& g = groups_[group];
    if (g.arrived == 0 || g.arrived < g.live) return;
    const double release = g.last_arrival + m_.issue_interval_cycles;
    for (Wave& other : waves_)
      if (other.group == group && other.at_barrier) {
        result_.wait_barrier += release - other.barrier_arrival;
        other.at_barrier = false;
        other.ready = release;
        if (other.next >= other.program->ops.size()) finish(other, release);
      }
    g.arrived = 0;
    g.last_arrival = 0;
  }

  void finish(Wave& w, double t) {
    if (w.done) return;
    w.done = true;
    const double drained = std::max(t, w.vm.empty() ? 0.0 : w.vm.back());
    result_.cycles = std::max(result_.cycles, drained);
    --groups_[w.group].live;
    release_if_complete(w.group);
  }

  const Machine& m_;
  std::vector<Simd> simds_;
  std::vector<Group> groups_;
  std::vector<Wave> waves_;
  double lds_free_ = 0, vmem_free_ = 0, lds_busy_ = 0, vmem_busy_ = 0;
  CuTimeline result_;
};

}  // namespace

std::string CuTimeline::limiter() const {
  if (cycles <= 0) return "none";
  const std::pair<double, const char*> units[] = {
      {mfma_busy, "mfma"}, {valu_busy, "valu"}, {salu_busy, "salu"}, {lds_busy, "lds"}, {vmem_busy, "vmem issue"}};
  const auto busiest = *std::max_element(std::begin(units), std::end(units),
                                         [](const auto& a, const auto& b) { return a.first < b.first; });
  if (busiest.first >= 0.6 * cycles) return busiest.second;
  const std::pair<double, const char*> stalls[] = {{wait_vm, "memory latency"},
                                                   {wait_lgkm, "lds/scalar latency"},
                                                   {wait_barrier, "barrier"},
                                                   {wait_dependency, "mfma dependency"}};
  const auto worst = *std::max_element(std::begin(stalls), std::end(stalls),
                                       [](const auto& a, const auto& b) { return a.first < b.first; });
  return worst.first > 0 ? worst.second : busiest.second;
}

CuTimeline simulate_cu(const Machine& machine, const WorkgroupProgram& workgroup, uint32_t copies) {
  if (workgroup.waves.empty() || copies == 0) return {};
  return Simulator(machine, workgroup, copies).run();
}

}  // namespace asmk::perf
