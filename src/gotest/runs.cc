#include "gotest/runs.h"

#include <tuple>

namespace leakhound {

Schedule ScheduleFor(int index, int runs, const std::vector<std::string>& go_flags,
                     bool gomaxprocs_set) {
  Schedule s;
  if (runs <= 1) return s;
  bool shuffle_given = false;
  for (const std::string& g : go_flags)
    shuffle_given = shuffle_given || g.starts_with("-shuffle") || g.starts_with("--shuffle");
  std::vector<std::string> parts;
  if (!gomaxprocs_set) {
    static const int kProcs[] = {1, 2, 4};
    std::string v = std::to_string(kProcs[index % 3]);
    s.env.push_back("GOMAXPROCS=" + v);
    parts.push_back("GOMAXPROCS=" + v);
  }
  if (!shuffle_given && index > 0) {  // the first run keeps the source order
    s.flags.push_back("-shuffle=on");
    parts.push_back("-shuffle=on");
  }
  for (const std::string& p : parts) s.label += (s.label.empty() ? "" : ", ") + p;
  return s;
}

void MergeRun(std::vector<TestLeak> run, std::vector<TestLeak>* merged) {
  auto key = [](const TestLeak& l) {
    return std::tie(l.package, l.test, l.pattern, l.file, l.line, l.hung);
  };
  for (TestLeak& l : run) {
    bool found = false;
    for (TestLeak& m : *merged) {
      if (key(m) != key(l)) continue;
      ++m.seen_in_runs;
      found = true;
      break;
    }
    if (!found) {
      l.seen_in_runs = 1;
      merged->push_back(std::move(l));
    }
  }
}

}  // namespace leakhound
