// Forms without wait reasons (pprof debug=1, the protobuf profile) still
// show what a goroutine is blocked in when the runtime frames are there:
// runtime.chansend1 means "chan send", runtime.selectgo "select". This
// names the state the way a traceback would, so patterns work on them.
#ifndef LEAKHOUND_DUMP_INFER_STATE_H_
#define LEAKHOUND_DUMP_INFER_STATE_H_

#include <string_view>
#include <vector>

namespace leakhound {

// `functions`: innermost first. Returns "" when the frames do not say.
std::string_view InferState(const std::vector<std::string_view>& functions);

}  // namespace leakhound

#endif  // LEAKHOUND_DUMP_INFER_STATE_H_
