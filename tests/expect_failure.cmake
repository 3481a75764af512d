# cmake -P: runs EXE with ARGS (a ;-list) and passes only if it fails and its output
# contains EXPECT. Used to show that deliberate failures are caught.
execute_process(COMMAND ${EXE} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "expected a failure, got exit status 0\n${out}${err}")
endif()
string(FIND "${out}${err}" "${EXPECT}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "failed (status ${rc}) but without '${EXPECT}':\n${out}${err}")
endif()
message(STATUS "failed as expected (status ${rc}): found '${EXPECT}'")
