// asmk — list, describe, select and launch the kernels of a code-object repository; run any
// code object on the emulator.
#include <cstdio>
#include <exception>
#include <new>

#include <fmt/format.h>

#include "asmk.h"
#include "cli_support.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"asmk: assembly kernels for AMD Instinct GPUs (repository: --repo, $ASMK_REPO or the installed share/asmk)"};
  // The CLI's version (the headers it was built with) and the loaded library's: they differ when
  // the program finds another libasmk at run time.
  app.set_version_flag("--version", fmt::format("asmk {}.{}.{} (libasmk {})", ASMK_VERSION_MAJOR, ASMK_VERSION_MINOR,
                                                ASMK_VERSION_PATCH, asmk_version_string()));
  app.require_subcommand(1);
  asmk::cli::add_list_command(app);
  asmk::cli::add_info_command(app);
  asmk::cli::add_op_command(app);
  asmk::cli::add_demo_command(app);
  asmk::cli::add_run_command(app);
  asmk::cli::add_perf_command(app);
  asmk::cli::add_tune_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const asmk::cli::Failure& e) {
    fmt::print(stderr, "asmk: error: {}\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {  // a request the commands did not bound beforehand
    fmt::print(stderr, "asmk: error: out of host memory\n");
    return 1;
  } catch (const std::exception& e) {  // never std::terminate: a message and exit code 1
    fmt::print(stderr, "asmk: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
