// One kernel on one shape: the row of a sweep's CSV and the point of its charts.
#pragma once

#include <cstdint>
#include <string>

namespace asmk::perf {

struct ResultRow {
  std::string family, machine;
  std::string label;   // "modeled" (machine model) or "measured" (hsa backend)
  uint64_t m = 0, n = 0, k = 0;
  std::string kernel;  // manifest name
  std::string variant; // the kernel's parameters ("m_tile=128 n_tile=128")
  bool best = false;   // the fastest kernel for this shape in this sweep
  bool selected = false;  // libasmk's selector picks this kernel and k_splits for the shape (asmk perf
                          // sets it for ops it can ask; not a CSV column)
  uint32_t k_splits = 1;
  double time_us = 0, tflops = 0, tbps = 0, roofline_fraction = 0;
  std::string limiter;  // the limiting resource (modeled) or "" (measured)
  uint64_t workgroups = 0;
  uint32_t waves_per_simd = 0, workgroups_per_cu = 0;
  double flops = 0, bytes = 0;  // useful math and compulsory bytes of the problem
};

}  // namespace asmk::perf
