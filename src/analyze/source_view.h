// Reads single lines of the Go source files a dump points at, when they
// are on this machine (or under --source DIR). Some patterns compile to
// the same runtime calls and only the source line tells them apart:
// `for v := range ch` and `v, ok := <-ch` both park in runtime.chanrecv2.
#ifndef LEAKHOUND_ANALYZE_SOURCE_VIEW_H_
#define LEAKHOUND_ANALYZE_SOURCE_VIEW_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace leakhound {

class SourceView {
 public:
  // `roots`: directories to look in besides the path as written. A dump
  // path /build/app/internal/x.go is tried as ROOT/build/app/internal/x.go,
  // ROOT/app/internal/x.go, ROOT/internal/x.go, ROOT/x.go.
  explicit SourceView(std::vector<std::string> roots, bool use_absolute = true);

  // The text of `line` (1-based) of `file`, without its newline; empty
  // when the file cannot be found or read, or is larger than 8 MiB.
  std::string_view Line(std::string_view file, uint32_t line);
  // The whole text of `file`, found and capped as for Line(); empty when
  // it cannot be read.
  std::string_view Text(std::string_view file);
  // Where on disk `file` was read from; empty when it cannot be read.
  std::string_view Where(std::string_view file);
  // Whether another .go file in `file`'s directory mentions `name` as a
  // word (an unexported function of the package there could be called
  // from it); *why says which, or that the directory cannot be read.
  // At most 2000 files are looked at: more counts as a mention.
  bool NamedNextTo(std::string_view file, std::string_view name, std::string* why);

 private:
  struct File {
    bool ok = false;
    std::string text;
    std::string where;  // the path it was read from
    std::vector<uint32_t> starts;  // offset of each line
  };
  const File& Load(std::string_view path);

  std::vector<std::string> roots_;
  bool use_absolute_;
  std::map<std::string, std::unique_ptr<File>, std::less<>> files_;
};

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_SOURCE_VIEW_H_
