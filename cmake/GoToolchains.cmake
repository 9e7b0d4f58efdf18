# The Go toolchains the end-to-end tests build the testdata/ programs with.
# One place finds them, so no test depends on whichever `go` comes first
# on PATH:
#   1.19  Debian's golang-1.19-go package (/usr/lib/go-1.19/bin/go)
#   1.26  the go on PATH (the machines ship 1.26.x there)
#   1.27  the 1.26 binary with GOTOOLCHAIN=go1.27.3 (the toolchain module
#         comes from the Go module proxy once per machine, into GOMODCACHE)
# Each may be overridden (-DLEAKHOUND_GO_1_19=/path/to/go ...). A missing
# toolchain is not a configure error: the tests that need it fail with a
# message saying which one and how to install it (Toolchains.* tests).
set(LEAKHOUND_GO_1_19 "/usr/lib/go-1.19/bin/go" CACHE FILEPATH "Go 1.19 binary for the tests")
find_program(LEAKHOUND_GO_ON_PATH go)
if(NOT LEAKHOUND_GO_ON_PATH)
  set(LEAKHOUND_GO_ON_PATH "go-not-found")
endif()
set(LEAKHOUND_GO_1_26 "${LEAKHOUND_GO_ON_PATH}" CACHE FILEPATH "Go 1.26 binary for the tests")
set(LEAKHOUND_GO_1_27 "${LEAKHOUND_GO_ON_PATH}" CACHE FILEPATH "Go binary that runs Go 1.27 via GOTOOLCHAIN")
set(LEAKHOUND_GO_1_27_TOOLCHAIN "go1.27.3" CACHE STRING "GOTOOLCHAIN value for the 1.27 tests")

# Module and toolchain downloads are kept per machine, outside the repo
# and outside any build folder, so a fresh build does not fetch again.
if(DEFINED ENV{GOMODCACHE} AND NOT "$ENV{GOMODCACHE}" STREQUAL "")
  set(_lh_modcache "$ENV{GOMODCACHE}")
elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
  set(_lh_modcache "$ENV{XDG_CACHE_HOME}/leakhound/gomod")
elseif(DEFINED ENV{HOME} AND NOT "$ENV{HOME}" STREQUAL "")
  set(_lh_modcache "$ENV{HOME}/.cache/leakhound/gomod")
else()
  set(_lh_modcache "/var/tmp/leakhound-cache/gomod")
endif()
set(LEAKHOUND_GOMODCACHE "${_lh_modcache}" CACHE PATH "GOMODCACHE for tests and benchmarks")

# "VERSION=GO_BINARY=GOTOOLCHAIN,..." for the tests (GOTOOLCHAIN "local"
# pins the binary's own version even when a go.mod asks for another).
set(LEAKHOUND_GO_TOOLCHAINS
  "1.19=${LEAKHOUND_GO_1_19}=local,1.26=${LEAKHOUND_GO_1_26}=local,1.27=${LEAKHOUND_GO_1_27}=${LEAKHOUND_GO_1_27_TOOLCHAIN}")
message(STATUS "Go toolchains for tests: ${LEAKHOUND_GO_TOOLCHAINS} (GOMODCACHE ${LEAKHOUND_GOMODCACHE})")
