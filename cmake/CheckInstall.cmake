# ctest Packaging.InstallTree: `cmake --install` into a DESTDIR under the
# build dir, then every installed file is where the distro expects it.
set(dest ${BUILD_DIR}/install-test)
file(REMOVE_RECURSE ${dest})
set(ENV{DESTDIR} ${dest})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix /usr
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f bin/leakhound share/man/man1/leakhound.1.gz
          share/bash-completion/completions/leakhound
          share/zsh/vendor-completions/_leakhound
          share/fish/vendor_completions.d/leakhound.fish)
  if(NOT EXISTS ${dest}/usr/${f})
    message(FATAL_ERROR "not installed: /usr/${f}")
  endif()
endforeach()
execute_process(COMMAND ${dest}/usr/bin/leakhound --version
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^leakhound [0-9.]+ \\(git ([0-9a-f]+(-dirty)?|unknown)\\)")
  message(FATAL_ERROR "installed leakhound --version: ${rc} ${out}")
endif()
message(STATUS "installed tree OK: ${out}")
