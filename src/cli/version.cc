// The --version text: the project version and the git revision the binary
// was built from (build/generated/git_revision.h, cmake/GitRevision.cmake).
#include <string>

#include "cli/packaging.h"
#include "git_revision.h"
#include "report/report.h"

namespace leakhound {

std::string VersionText() {
  return std::string("leakhound ") + kLeakhoundVersion + " (git " + LEAKHOUND_GIT_REVISION + ")";
}

}  // namespace leakhound
