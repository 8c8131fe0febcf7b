# Runs the libFuzzer code-object fuzzer for RUNS inputs from a fixed SEED (deterministic for a given
# build and seed set, so CI cannot fail by luck; SECONDS bounds the time), seeded with the code
# objects under SEEDS and, when given, the past findings' code objects under FINDINGS (so every run
# replays them under ASan first).
# Passes when libFuzzer exits 0 (no crash, leak, timeout or out-of-memory); a failing input is
# kept in WORK/artifacts/ for replay (`code_object_fuzzer FILE`).
#   cmake -DFUZZER=... -DSEEDS=<hsaco> [-DFINDINGS=<dir>] -DSECONDS=60 -DRUNS=20000 -DSEED=1 -DWORK=<dir> -P run_fuzzer.cmake
if(NOT EXISTS ${FUZZER})
  message(FATAL_ERROR "fuzzer not built: ${FUZZER}")
endif()
file(REMOVE_RECURSE ${WORK}/corpus)
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
# The smallest code object of each arch's family folder, as the mutation tests take them
# (fuzz_inputs.hpp): the whole kernel set would spend the run's time replaying its initial corpus.
file(GLOB family_dirs LIST_DIRECTORIES true ${SEEDS}/*/*)
set(seeds)
foreach(dir ${family_dirs})
  if(NOT IS_DIRECTORY ${dir})
    continue()
  endif()
  file(GLOB objects ${dir}/*.co)
  set(smallest "")
  set(smallest_size 0)
  foreach(object ${objects})
    file(SIZE ${object} size)
    if(smallest STREQUAL "" OR size LESS smallest_size)
      set(smallest ${object})
      set(smallest_size ${size})
    endif()
  endforeach()
  if(smallest)
    list(APPEND seeds ${smallest})
  endif()
endforeach()
if(NOT seeds)
  message(FATAL_ERROR "no seed code objects under ${SEEDS} (build the `kernels` target)")
endif()
if(FINDINGS)
  file(GLOB findings ${FINDINGS}/*.co)
  list(APPEND seeds ${findings})
endif()
file(COPY ${seeds} DESTINATION ${WORK}/corpus)
list(LENGTH seeds seed_count)
message(STATUS "fuzzing CodeObject::load: ${RUNS} runs from seed ${SEED} (at most ${SECONDS} s), ${seed_count} seed files")
execute_process(COMMAND ${FUZZER} -seed=${SEED} -runs=${RUNS} -max_total_time=${SECONDS} -timeout=20 -rss_limit_mb=4096 -max_len=65536
                        -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/ ${WORK}/corpus
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCHALL "stat::[a-z_]+: +[0-9]+" stats "${err}")
string(REPLACE ";" "\n" stats "${stats}")
message(STATUS "${stats}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a failing input (exit ${rc}); see ${WORK}/artifacts/\n${err}")
endif()
