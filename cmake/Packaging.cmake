# Packaging: the git revision in --version.

# build/generated/git_revision.h, refreshed on every build by a cheap
# `git rev-parse`/`diff-index`; rewritten only when the revision or the
# dirty state changes, so only src/cli/version.cc ever recompiles for it.
set(LEAKHOUND_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${LEAKHOUND_GENERATED_DIR})
add_custom_target(leakhound_git_revision
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
          -DOUT=${LEAKHOUND_GENERATED_DIR}/git_revision.h
          -P ${CMAKE_SOURCE_DIR}/cmake/GitRevision.cmake
  BYPRODUCTS ${LEAKHOUND_GENERATED_DIR}/git_revision.h
  COMMENT "git revision for leakhound --version"
  VERBATIM)
add_dependencies(leakhound leakhound_git_revision)
target_include_directories(leakhound PRIVATE ${LEAKHOUND_GENERATED_DIR})

