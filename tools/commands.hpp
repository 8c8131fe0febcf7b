// The subcommands of `asmk`; each adds itself to the app and runs from its callback.
#pragma once

#include <CLI/CLI.hpp>

namespace asmk::cli {

void add_list_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_op_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_perf_command(CLI::App& app);
void add_tune_command(CLI::App& app);

}  // namespace asmk::cli
