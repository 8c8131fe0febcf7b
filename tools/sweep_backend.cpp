#include "sweep_backend.hpp"

#include "cli_support.hpp"

namespace asmk::cli {

void check_sweep_backend(const std::string& backend) {
  if (backend != "model" && backend != "hsa" && backend != "hip")
    throw Failure("--backend must be \"model\" (the machine model, modeled times), \"hsa\" or \"hip\" (a GPU, "
                  "measured times); got \"" + backend + "\"");
}

perf::SweepResult sweep_on_backend(const perf::SweepOptions& sweep, const std::string& backend,
                                   perf::MeasureOptions measure) {
  check_sweep_backend(backend);
  measure.backend = backend;
  auto result = backend == "model" ? perf::model_sweep(sweep) : perf::measured_sweep(sweep, measure);
  if (!result) throw Failure(result.error());
  return std::move(*result);
}

}  // namespace asmk::cli
