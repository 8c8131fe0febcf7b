// Stub for builds without the emulator library (see code_object_view.hpp).
#include "cli_support.hpp"
#include "code_object_view.hpp"

namespace asmk::cli {

bool code_object_reader_available() { return false; }

void print_code_object(const std::string& path, const std::string&, bool) {
  throw Failure("reading " + path + " itself needs the emulator's code-object reader, which this build lacks");
}

}  // namespace asmk::cli
