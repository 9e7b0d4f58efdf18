// What leakhound says about itself: the --version text.
#ifndef LEAKHOUND_CLI_PACKAGING_H_
#define LEAKHOUND_CLI_PACKAGING_H_

#include <string>

namespace leakhound {

// "leakhound 0.1.0 (git 27b7f08)", "-dirty" appended when the tree had
// uncommitted changes, "unknown" when built outside git.
std::string VersionText();

}  // namespace leakhound

#endif  // LEAKHOUND_CLI_PACKAGING_H_
