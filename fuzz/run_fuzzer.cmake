# Runs one libFuzzer binary for a fixed time on a working copy of its seed
# corpus (the source tree is never written). Used by the fuzz.<name>.run
# tests; can also be run by hand:
#   cmake -DFUZZER=path/to/x_fuzzer -DSEEDS=fuzz/corpora/x -DWORK=/tmp/x \
#         -DSECONDS=60 [-DDICT=fuzz/x.dict] -P fuzz/run_fuzzer.cmake
# New interesting inputs accumulate in ${WORK}/corpus across runs; crashing
# inputs land in ${WORK}/artifacts/ and fail the run.
foreach(v FUZZER SEEDS WORK SECONDS)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "run_fuzzer.cmake: -D${v}=... is required")
  endif()
endforeach()

file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
file(COPY ${SEEDS}/ DESTINATION ${WORK}/corpus)

set(args -max_total_time=${SECONDS} -timeout=30 -print_final_stats=1
         -artifact_prefix=${WORK}/artifacts/)
if(DICT)
  list(APPEND args -dict=${DICT})
endif()

message(STATUS "${FUZZER} ${args} ${WORK}/corpus")
execute_process(COMMAND ${FUZZER} ${args} ${WORK}/corpus RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found ${WORK}/artifacts/*)
  message(FATAL_ERROR "fuzzer failed (${rc}); artifacts: ${found}")
endif()
