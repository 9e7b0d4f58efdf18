#include "analyze/source_view.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace leakhound {

namespace {

constexpr size_t kMaxSourceFile = 8u << 20;

bool ReadSmallFile(const std::string& path, std::string* out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<size_t>(st.st_size) > kMaxSourceFile)
    return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return out->size() <= kMaxSourceFile;
}

}  // namespace

SourceView::SourceView(std::vector<std::string> roots, bool use_absolute)
    : roots_(std::move(roots)), use_absolute_(use_absolute) {}

const SourceView::File& SourceView::Load(std::string_view path) {
  auto it = files_.find(path);
  if (it != files_.end()) return *it->second;
  auto file = std::make_unique<File>();
  // Only .go files: a dump is untrusted and must not make us read
  // arbitrary files into the report.
  if (path.size() > 3 && path.ends_with(".go")) {
    std::string p(path);
    bool found = use_absolute_ && ReadSmallFile(p, &file->text);
    if (found) file->where = p;
    for (size_t r = 0; !found && r < roots_.size(); ++r) {
      std::string_view rest = path;
      while (!found && !rest.empty()) {
        while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
        if (rest.empty()) break;
        std::string candidate = roots_[r] + "/" + std::string(rest);
        found = ReadSmallFile(candidate, &file->text);
        if (found) file->where = candidate;
        size_t slash = rest.find('/');
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
      }
    }
    if (found) {
      file->ok = true;
      file->starts.push_back(0);
      for (size_t i = 0; i < file->text.size(); ++i)
        if (file->text[i] == '\n') file->starts.push_back(static_cast<uint32_t>(i + 1));
    }
  }
  const File& ref = *file;
  files_.emplace(std::string(path), std::move(file));
  return ref;
}

std::string_view SourceView::Text(std::string_view file) {
  const File& f = Load(file);
  return f.ok ? std::string_view(f.text) : std::string_view();
}

std::string_view SourceView::Where(std::string_view file) {
  const File& f = Load(file);
  return f.ok ? std::string_view(f.where) : std::string_view();
}

namespace {

bool WordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool HasWord(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    size_t end = at + word.size();
    if ((at == 0 || !WordChar(text[at - 1])) && (end == text.size() || !WordChar(text[end])))
      return true;
  }
  return false;
}

}  // namespace

bool SourceView::NamedNextTo(std::string_view file, std::string_view name, std::string* why) {
  namespace fs = std::filesystem;
  std::string_view where = Where(file);
  if (where.empty() || name.empty()) {
    *why = "its file cannot be read";
    return true;
  }
  fs::path self(where);
  std::error_code ec;
  fs::directory_iterator it(self.has_parent_path() ? self.parent_path() : fs::path("."), ec), end;
  size_t seen = 0;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".go" || p.filename() == self.filename()) continue;
    if (++seen > 2000) break;
    std::string text;
    if (!ReadSmallFile(p.string(), &text) || HasWord(text, name)) {
      *why = p.filename().string();
      return true;
    }
  }
  if (ec || seen > 2000) {
    *why = "the package's directory cannot be read";
    return true;
  }
  return false;
}

std::string_view SourceView::Line(std::string_view file, uint32_t line) {
  const File& f = Load(file);
  if (!f.ok || line == 0 || line > f.starts.size()) return {};
  size_t begin = f.starts[line - 1];
  size_t end = line < f.starts.size() ? f.starts[line] - 1 : f.text.size();
  std::string_view text(f.text);
  text = text.substr(begin, end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

}  // namespace leakhound
