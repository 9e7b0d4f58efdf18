// How people re-type a dump when they paste it (issues, chat, CI logs):
// the transforms the paste tests apply to real dumps, shared by the
// parser-level tests (tests/unit) and the end-to-end ones (tests/e2e).
#ifndef LEAKHOUND_TESTS_COMMON_PASTED_H_
#define LEAKHOUND_TESTS_COMMON_PASTED_H_

#include <string>

namespace pasted {

// Each line through `f`.
template <class F>
std::string EachLine(const std::string& text, F f) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out += f(text.substr(start, nl - start));
    out += '\n';
    start = nl + 1;
  }
  return out;
}

// TABs at the start of a line as an editor expands them.
inline std::string Spaces(const std::string& text, size_t width) {
  return EachLine(text, [&](const std::string& line) {
    size_t tabs = 0;
    while (tabs < line.size() && line[tabs] == '\t') ++tabs;
    std::string out(tabs * width, ' ');
    out.append(line, tabs, std::string::npos);
    return out;
  });
}

// A prefix on every line ("> ", "│ "); an empty line gets it without its
// trailing space, as markdown and box renderers leave it.
inline std::string Prefixed(const std::string& text, const std::string& prefix) {
  return EachLine(text, [&](const std::string& line) {
    if (line.empty()) return prefix.substr(0, prefix.find_last_not_of(' ') + 1);
    std::string out = prefix;
    out.append(line);
    return out;
  });
}

}  // namespace pasted

#endif  // LEAKHOUND_TESTS_COMMON_PASTED_H_
