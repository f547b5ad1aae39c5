# docgen.cmake: the man page (gzipped, as Debian installs man pages) and the shell completions,
# written by the layerdiff binary EXE (`--generate KIND`) into the directory OUT.
#   cmake -DEXE=build/layerdiff -DOUT=build/generated/doc -P docgen.cmake
file(MAKE_DIRECTORY "${OUT}")
foreach(pair "man;layerdiff.1" "bash;layerdiff.bash" "zsh;_layerdiff" "fish;layerdiff.fish")
  list(GET pair 0 kind)
  list(GET pair 1 name)
  execute_process(COMMAND "${EXE}" --generate ${kind} OUTPUT_FILE "${OUT}/${name}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${EXE} --generate ${kind} failed: ${rc}")
  endif()
endforeach()
# -n: no name or time stamp in the gzip header, so that the package is reproducible.
execute_process(COMMAND gzip -9nf "${OUT}/layerdiff.1" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${OUT}/layerdiff.1 failed")
endif()
