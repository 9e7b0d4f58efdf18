// Ranking: which finding a person reads first.
//
// Findings are ordered by severity, then confidence, then size. One rule
// overrides that: a goroutine waiting for goroutines it started (a
// WaitGroup.Wait, a receive, a select or a Cond.Wait in the parent),
// while those are themselves blocked in another finding, is a consequence
// of that finding, not its cause. It is listed after its causes and says
// whose result it waits for (Finding::waits_for). "Started" is the
// creator id of Go 1.21+ ("created by F in goroutine N"); before that,
// the waiter is parked inside F, the function that started them.
#ifndef LEAKHOUND_ANALYZE_RANKING_H_
#define LEAKHOUND_ANALYZE_RANKING_H_

#include "analyze/verdict.h"

namespace leakhound {

// Fills Finding::waits_for and orders v->findings as above.
void RankFindings(Verdict* v);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_RANKING_H_
