#include "analyze/agreement.h"

#include <algorithm>

namespace leakhound {

bool IsLeakProfileSubset(const Snapshot& snapshot) {
  return snapshot.form.starts_with("pprof-goroutineleak");
}

RuntimeAgreement CompareWithRuntime(const Verdict& with_marks, const Verdict& own,
                                    bool leak_checked) {
  RuntimeAgreement a;
  const Snapshot& s = *with_marks.current;
  bool any_marked = std::any_of(with_marks.buckets.begin(), with_marks.buckets.end(),
                                [](const Bucket& b) { return b.leaked; });
  a.available = any_marked || leak_checked || IsLeakProfileSubset(s);
  if (!a.available) return a;
  a.lists_unmarked = !IsLeakProfileSubset(s);

  // The own verdict's finding per bucket (findings are sorted by
  // severity, buckets by count; the lists follow the bucket order).
  std::vector<const Finding*> own_of(own.buckets.size(), nullptr);
  for (const Finding& f : own.findings)
    if (f.bucket < own_of.size()) own_of[f.bucket] = &f;
  auto counts = [](const Finding* f) {
    return f != nullptr && f->severity >= Severity::kSuspect;
  };
  for (size_t i = 0; i < with_marks.buckets.size() && i < own_of.size(); ++i) {
    const Bucket& b = with_marks.buckets[i];
    const Finding* f = own_of[i];
    if (b.leaked) {
      a.marked_goroutines += b.count;
      (counts(f) ? a.agree : a.runtime_only).push_back({i, f});
    } else if (a.lists_unmarked && counts(f)) {
      a.leakhound_only.push_back({i, f});
    }
  }
  return a;
}

}  // namespace leakhound
