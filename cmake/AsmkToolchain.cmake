# Finds what the build and the generator need from outside the project:
#  - LLVM 22 as a library (the emulator's decoder, `asmk info` disassembly)
#  - LLVM 22 tools (llvm-mc, ld.lld, llvm-readelf, llvm-objdump) for asmgen; override with ASMK_LLVM_BIN
#  - Debian's python3 with jinja2 and yaml (a pyenv python on PATH usually lacks them)

find_package(LLVM REQUIRED CONFIG HINTS /usr/lib/llvm-22/lib/cmake/llvm NO_DEFAULT_PATH)
if(NOT LLVM_VERSION_MAJOR EQUAL 22)
  message(FATAL_ERROR "asmk: needs LLVM 22, found ${LLVM_PACKAGE_VERSION} in ${LLVM_DIR}")
endif()
message(STATUS "asmk: LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")

# One imported target for "the LLVM shared library with its headers".
if(NOT TARGET asmk::llvm)
  add_library(asmk_llvm INTERFACE)
  add_library(asmk::llvm ALIAS asmk_llvm)
  target_include_directories(asmk_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
  separate_arguments(_asmk_llvm_defs UNIX_COMMAND "${LLVM_DEFINITIONS}")
  target_compile_options(asmk_llvm INTERFACE ${_asmk_llvm_defs})
  target_link_directories(asmk_llvm INTERFACE ${LLVM_LIBRARY_DIRS})
  target_link_libraries(asmk_llvm INTERFACE LLVM)
endif()

if(DEFINED ENV{ASMK_LLVM_BIN} AND NOT ASMK_LLVM_BIN)
  set(ASMK_LLVM_BIN "$ENV{ASMK_LLVM_BIN}")
endif()
if(NOT ASMK_LLVM_BIN)
  set(ASMK_LLVM_BIN "${LLVM_TOOLS_BINARY_DIR}")
endif()
set(ASMK_LLVM_BIN "${ASMK_LLVM_BIN}" CACHE PATH "Folder holding llvm-mc and ld.lld (LLVM 22)")
foreach(tool llvm-mc ld.lld)
  if(NOT EXISTS "${ASMK_LLVM_BIN}/${tool}")
    message(FATAL_ERROR "asmk: ${tool} not found in ASMK_LLVM_BIN=${ASMK_LLVM_BIN}; install lld-22 and llvm-22")
  endif()
endforeach()

find_program(ASMK_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT ASMK_PYTHON)
  find_program(ASMK_PYTHON NAMES python3 REQUIRED)
endif()
execute_process(COMMAND "${ASMK_PYTHON}" -c "import jinja2, yaml"
                RESULT_VARIABLE _asmk_py_ok OUTPUT_QUIET ERROR_QUIET)
if(NOT _asmk_py_ok EQUAL 0)
  message(FATAL_ERROR "asmk: ${ASMK_PYTHON} lacks jinja2 or yaml; install python3-jinja2 python3-yaml")
endif()
