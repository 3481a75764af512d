# Embeds text files (design points, presets) into the binary, so that `trine` runs with its
# defaults from any directory. The generated source is rebuilt whenever an input changes.
function(trine_embed_files target namespace)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cpp)
  set(inputs ${ARGN})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} -DROOT=${PROJECT_SOURCE_DIR}
            "-DINPUTS=${inputs}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedScript.cmake
    DEPENDS ${inputs} ${PROJECT_SOURCE_DIR}/cmake/EmbedScript.cmake
    COMMENT "Embedding ${namespace} files"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()

# Embeds binary files (the default network) as byte arrays.
function(trine_embed_blobs target namespace)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_blobs.cpp)
  set(inputs ${ARGN})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} -DROOT=${PROJECT_SOURCE_DIR}
            "-DINPUTS=${inputs}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedBlobScript.cmake
    DEPENDS ${inputs} ${PROJECT_SOURCE_DIR}/cmake/EmbedBlobScript.cmake
    COMMENT "Embedding ${namespace} files"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
