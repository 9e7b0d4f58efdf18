// Writes a gzipped pprof goroutine profile (what /debug/pprof/goroutine
// ?debug=0 serves) of N goroutines over K distinct stacks, for the
// protobuf reader's benchmark:
//
//   gen_profile --goroutines 1000000 [--stacks 2000] [--leak] > goroutine.pb.gz
//
// Encoded with leakhound's own profile.proto (the pprof field numbers),
// so `go tool pprof` reads it as it reads the runtime's.
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "src/dump/profile.pb.h"

int main(int argc, char** argv) {
  uint64_t goroutines = 1000000, stacks = 2000;
  bool leak = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--goroutines" && i + 1 < argc) goroutines = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--stacks" && i + 1 < argc) stacks = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--leak") leak = true;
    else {
      std::fprintf(stderr, "usage: gen_profile --goroutines N [--stacks K] [--leak]\n");
      return 2;
    }
  }
  if (stacks == 0) stacks = 1;
  leakhound::pprof::Profile p;
  auto str = [&](const std::string& s) {
    for (int i = 0; i < p.string_table_size(); ++i)
      if (p.string_table(i) == s) return static_cast<int64_t>(i);
    p.add_string_table(s);
    return static_cast<int64_t>(p.string_table_size() - 1);
  };
  str("");
  auto* st = p.add_sample_type();
  st->set_type(str(leak ? "goroutineleak" : "goroutine"));
  st->set_unit(str("count"));
  p.mutable_period_type()->CopyFrom(*st);
  p.set_period(1);
  p.set_time_nanos(1795000000000000000);
  // Shared runtime frames, then per-stack user frames.
  const char* runtime_fns[] = {"runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1",
                               "runtime.selectgo", "runtime.goexit"};
  uint64_t next_id = 1;
  for (const char* fn : runtime_fns) {
    auto* f = p.add_function();
    f->set_id(next_id);
    f->set_name(str(fn));
    f->set_system_name(f->name());
    f->set_filename(str("/usr/local/go/src/runtime/proc.go"));
    auto* l = p.add_location();
    l->set_id(next_id);
    l->set_address(0x400000 + next_id * 16);
    l->add_line()->set_function_id(next_id);
    l->mutable_line(0)->set_line(static_cast<int64_t>(300 + next_id));
    ++next_id;
  }
  uint64_t remaining = goroutines;
  for (uint64_t k = 0; k < stacks; ++k) {
    auto* s = p.add_sample();
    s->add_location_id(1);
    s->add_location_id(k % 2 ? 2 : 4);
    int depth = 3 + static_cast<int>(k % 12);
    for (int d = 0; d < depth; ++d) {
      auto* f = p.add_function();
      f->set_id(next_id);
      f->set_name(str("github.com/acme/svc/pkg" + std::to_string(k % 50) + ".fn" + std::to_string(k) + "_" + std::to_string(d)));
      f->set_system_name(f->name());
      f->set_filename(str("/src/svc/pkg" + std::to_string(k % 50) + "/file.go"));
      auto* l = p.add_location();
      l->set_id(next_id);
      l->set_address(0x500000 + next_id * 16);
      auto* line = l->add_line();
      line->set_function_id(next_id);
      line->set_line(10 + d);
      s->add_location_id(next_id);
      ++next_id;
    }
    s->add_location_id(5);  // runtime.goexit
    // Skewed: stack k gets about goroutines/(k+1)/H goroutines.
    uint64_t n = k + 1 == stacks ? remaining : std::max<uint64_t>(1, goroutines / ((k + 1) * 8));
    if (n > remaining) n = remaining;
    remaining -= n;
    s->add_value(static_cast<int64_t>(n));
    if (k % 3 == 0) {
      auto* lab = s->add_label();
      lab->set_key(str("handler"));
      lab->set_str(str("/api/v" + std::to_string(k % 4)));
    }
  }
  std::string raw;
  p.SerializeToString(&raw);
  gzFile gz = gzdopen(1, "wb1");
  gzwrite(gz, raw.data(), static_cast<unsigned>(raw.size()));
  gzclose(gz);
  return 0;
}
