// pprof debug=1 text. Written by runtime/pprof printCountProfile through a
// text/tabwriter, so frame lines are "#", PC, "func+0xoff", "file:line"
// separated by runs of tabs:
//
//   goroutine profile: total 7
//   5 @ 0x43a1b6 0x4068cb 0x46f3a1
//   # labels: {"handler":"/api"}
//   #	0x4068ca	main.leak+0x2a		/app/main.go:10
//
// Leading runtime frames are left out by the writer.
#include <algorithm>
#include <charconv>
#include <vector>

#include "dump/aggregated.h"
#include "dump/infer_state.h"

namespace leakhound {

namespace {

std::string_view TrimCR(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

// Parses a Go %q string at the start of `in` (which must begin with '"'),
// advancing past it. Handles the escapes strconv.Quote produces.
bool ParseQuoted(std::string_view& in, std::string* out) {
  if (in.empty() || in[0] != '"') return false;
  size_t i = 1;
  out->clear();
  while (i < in.size()) {
    char c = in[i];
    if (c == '"') {
      in.remove_prefix(i + 1);
      return true;
    }
    if (c != '\\') {
      *out += c;
      ++i;
      continue;
    }
    if (i + 1 >= in.size()) return false;
    char e = in[i + 1];
    i += 2;
    auto hex = [&](size_t n) -> bool {
      if (i + n > in.size()) return false;
      uint32_t v = 0;
      auto [p, ec] = std::from_chars(in.data() + i, in.data() + i + n, v, 16);
      if (ec != std::errc() || p != in.data() + i + n) return false;
      i += n;
      if (n == 2) {
        *out += static_cast<char>(v);
      } else if (v < 0x80) {  // \u / \U: encode as UTF-8
        *out += static_cast<char>(v);
      } else if (v < 0x800) {
        *out += static_cast<char>(0xC0 | (v >> 6));
        *out += static_cast<char>(0x80 | (v & 0x3F));
      } else if (v < 0x10000) {
        *out += static_cast<char>(0xE0 | (v >> 12));
        *out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
        *out += static_cast<char>(0x80 | (v & 0x3F));
      } else if (v < 0x110000) {
        *out += static_cast<char>(0xF0 | (v >> 18));
        *out += static_cast<char>(0x80 | ((v >> 12) & 0x3F));
        *out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
        *out += static_cast<char>(0x80 | (v & 0x3F));
      } else {
        return false;
      }
      return true;
    };
    switch (e) {
      case 'n': *out += '\n'; break;
      case 't': *out += '\t'; break;
      case 'r': *out += '\r'; break;
      case 'a': *out += '\a'; break;
      case 'b': *out += '\b'; break;
      case 'f': *out += '\f'; break;
      case 'v': *out += '\v'; break;
      case '\\': *out += '\\'; break;
      case '"': *out += '"'; break;
      case '\'': *out += '\''; break;
      case 'x': if (!hex(2)) return false; break;
      case 'u': if (!hex(4)) return false; break;
      case 'U': if (!hex(8)) return false; break;
      default: return false;
    }
  }
  return false;
}

// "{"k":"v", "k2":"v2"}" -> pairs. False if malformed.
bool ParseLabels(std::string_view s, std::vector<std::pair<std::string, std::string>>* out) {
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') return false;
  s = s.substr(1, s.size() - 2);
  while (!s.empty()) {
    std::string k, v;
    if (!ParseQuoted(s, &k) || s.empty() || s[0] != ':') return false;
    s.remove_prefix(1);
    if (!ParseQuoted(s, &v)) return false;
    out->emplace_back(std::move(k), std::move(v));
    if (s.starts_with(", ")) s.remove_prefix(2);
    else if (!s.empty()) return false;
  }
  return true;
}

// Fields separated by runs of tabs.
std::vector<std::string_view> TabFields(std::string_view s) {
  std::vector<std::string_view> f;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == '\t') ++i;
    if (i >= s.size()) break;
    size_t j = s.find('\t', i);
    if (j == std::string_view::npos) j = s.size();
    f.push_back(s.substr(i, j - i));
    i = j;
  }
  return f;
}

class Debug1Reader {
 public:
  Debug1Reader(const std::string& source, DumpSet* out) : source_(source), out_(out) {}

  ReadError Run(std::string_view text) {
    uint64_t line_no = 0;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = TrimCR(text.substr(0, nl));
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      ++line_no;
      ReadError e = Line(line, line_no);
      if (e) return e;
    }
    out_->lines = line_no;
    ReadError e = Flush(line_no);
    if (e) return e;
    if (out_->snapshots.empty()) {
      e.kind = ReadErrorKind::kNoDump;
      e.message = source_ + ": no goroutine profile found";
    }
    return e;
  }

 private:
  ReadError Line(std::string_view line, uint64_t n) {
    if (!line.starts_with("#") && line.find(" profile: total ") != std::string_view::npos) {
      if (!line.starts_with("goroutine profile: total ") &&
          !line.starts_with("goroutineleak profile: total "))
        return Warn(n, "not a goroutine profile header");
      ReadError e = Flush(n);
      if (e) return e;
      out_->snapshots.emplace_back();
      snap_ = &out_->snapshots.back();
      snap_->source = source_;
      snap_->form = "pprof-debug1";
      snap_->kind = DumpKind::kStack;
      snap_->has_ids = snap_->has_wait_reasons = snap_->has_creators = false;
      leak_profile_ = line.starts_with("goroutineleak");
      if (leak_profile_) {
        snap_->form = "pprof-goroutineleak-debug1";
        snap_->go_version.AtLeast(26);
      }
      snap_->notes.push_back(
          "pprof debug=1 profile: no goroutine ids, wait reasons, wait times or creators; "
          "leading runtime frames are not shown, so states are inferred where possible");
      return {};
    }
    if (snap_ == nullptr) return {};  // text before the profile
    if (line.empty()) return Flush(n);
    if (line[0] != '#') {
      // "COUNT @ 0x... 0x..."
      ReadError e = Flush(n);
      if (e) return e;
      size_t at = line.find(" @");
      uint64_t count = 0;
      auto [p, ec] = std::from_chars(line.data(), line.data() + (at == std::string_view::npos ? 0 : at), count);
      if (at == std::string_view::npos || ec != std::errc() || p != line.data() + at)
        return Warn(n, "record line not understood");
      if (count > kMaxAggregatedGoroutines || total_ + count > kMaxAggregatedGoroutines) {
        ReadError err;
        err.kind = ReadErrorKind::kNoDump;
        err.message = source_ + ":" + std::to_string(n) + ": goroutine counts add up to more than " +
                      std::to_string(kMaxAggregatedGoroutines) + "; refusing the profile";
        return err;
      }
      in_record_ = true;
      count_ = count;
      return {};
    }
    if (!in_record_) return Warn(n, "frame line outside a record");
    if (line.starts_with("# labels: ")) {
      std::vector<std::pair<std::string, std::string>> kv;
      if (!ParseLabels(line.substr(10), &kv)) return Warn(n, "labels not understood");
      labels_.clear();
      for (auto& [k, v] : kv)
        labels_.emplace_back(snap_->strings().Intern(k), snap_->strings().Intern(v));
      return {};
    }
    if (stack_.frames.size() >= kMaxStackFrames) {
      if (!record_cut_) Warn(n, "record with more than 100000 frames; the rest are left out");
      record_cut_ = true;
      return {};
    }
    std::vector<std::string_view> f = TabFields(line.substr(1));
    if (f.size() == 1) {  // "#\t0x..." : unknown function
      Frame fr;
      fr.function = snap_->strings().Intern("?");
      fr.file = snap_->strings().Intern("?");
      stack_.frames.push_back(fr);
      return {};
    }
    if (f.size() < 3) return Warn(n, "frame line not understood");
    Frame fr;
    std::string_view name = f[1];
    size_t plus = name.rfind("+0x");
    if (plus != std::string_view::npos) {
      uint32_t off = 0;
      std::from_chars(name.data() + plus + 3, name.data() + name.size(), off, 16);
      fr.pc_offset = off;
      name = name.substr(0, plus);
    }
    std::string_view loc = f[2];
    for (size_t i = 3; i < f.size(); ++i)  // a path with tabs in it
      loc = std::string_view(f[2].data(), f[i].data() + f[i].size() - f[2].data());
    size_t colon = loc.rfind(':');
    if (colon == std::string_view::npos) return Warn(n, "frame location not understood");
    uint32_t ln = 0;
    std::from_chars(loc.data() + colon + 1, loc.data() + loc.size(), ln);
    fr.function = snap_->strings().Intern(name);
    fr.file = snap_->strings().Intern(loc.substr(0, colon));
    fr.line = ln;
    stack_.frames.push_back(fr);
    return {};
  }

  ReadError Flush(uint64_t n) {
    if (!in_record_) return {};
    in_record_ = false;
    std::vector<std::string_view> fns;
    for (const Frame& f : stack_.frames) fns.push_back(snap_->str(f.function));
    Goroutine g;
    g.state = snap_->strings().Intern(InferState(fns));
    if (leak_profile_) g.flags |= kLeaked;
    g.stack = snap_->AddStack(std::move(stack_));
    g.labels = labels_.empty() ? 0 : snap_->AddLabelSet(labels_);
    for (uint64_t left = count_; left > 0;) {
      g.count = static_cast<uint32_t>(std::min<uint64_t>(left, UINT32_MAX));
      snap_->AddGoroutine(g);
      left -= g.count;
    }
    total_ += count_;
    stack_ = Stack();
    record_cut_ = false;
    labels_.clear();
    (void)n;
    return {};
  }

  ReadError Warn(uint64_t n, const char* what) {
    if (out_->warnings.size() < 100)
      out_->warnings.push_back(source_ + ":" + std::to_string(n) + ": " + what);
    return {};
  }

  const std::string& source_;
  DumpSet* out_;
  Snapshot* snap_ = nullptr;
  bool leak_profile_ = false;
  bool in_record_ = false;
  bool record_cut_ = false;  // the record passed kMaxStackFrames
  uint64_t count_ = 0;
  uint64_t total_ = 0;
  Stack stack_;
  LabelSet labels_;
};

}  // namespace

bool LooksLikeDebug1(std::string_view head) {
  size_t i = 0;
  while (i < head.size() && (head[i] == '\n' || head[i] == '\r' || head[i] == ' ')) ++i;
  head.remove_prefix(i);
  return head.starts_with("goroutine profile: total ") ||
         head.starts_with("goroutineleak profile: total ");
}

bool LooksLikeGzip(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
         static_cast<unsigned char>(head[1]) == 0x8b;
}

ReadError ReadDebug1(std::string_view text, const std::string& source, DumpSet* out) {
  out->source = source;
  out->form = "pprof-debug1";
  out->bytes = text.size();
  Debug1Reader reader(source, out);
  ReadError e = reader.Run(text);
  if (!e && !out->snapshots.empty()) out->form = out->snapshots.back().form;
  return e;
}

}  // namespace leakhound
