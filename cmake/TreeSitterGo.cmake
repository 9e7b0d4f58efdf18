# The Go grammar for tree-sitter comes from the npm registry at configure
# time (tree-sitter-go@0.23.4: its parser.c is ABI 14, which Debian's
# libtree-sitter 0.20.7 loads); the repo never holds it.
set(TSGO_VERSION 0.23.4)
set(TSGO_DIR ${CMAKE_BINARY_DIR}/third_party/tree-sitter-go-${TSGO_VERSION})
if(NOT EXISTS ${TSGO_DIR}/package/src/parser.c)
  file(MAKE_DIRECTORY ${TSGO_DIR})
  find_program(NPM npm REQUIRED)
  execute_process(
    COMMAND ${NPM} pack tree-sitter-go@${TSGO_VERSION} --silent
    WORKING_DIRECTORY ${TSGO_DIR}
    RESULT_VARIABLE rc
    TIMEOUT 300)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "npm pack tree-sitter-go@${TSGO_VERSION} failed (${rc})")
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E tar xzf tree-sitter-go-${TSGO_VERSION}.tgz
    WORKING_DIRECTORY ${TSGO_DIR}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT EXISTS ${TSGO_DIR}/package/src/parser.c)
    message(FATAL_ERROR "could not unpack tree-sitter-go-${TSGO_VERSION}.tgz")
  endif()
endif()
add_library(tree_sitter_go STATIC ${TSGO_DIR}/package/src/parser.c)
target_include_directories(tree_sitter_go PRIVATE ${TSGO_DIR}/package/src)
set_target_properties(tree_sitter_go PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_compile_options(tree_sitter_go PRIVATE -w)
pkg_check_modules(TREE_SITTER REQUIRED IMPORTED_TARGET tree-sitter)
