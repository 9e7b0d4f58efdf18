// The aggregated forms: pprof debug=1 text and the protobuf profile,
// including Go 1.26's goroutineleak variants (hand-built here from the
// formats in src/runtime/pprof/pprof.go printCountProfile and
// src/runtime/pprof/protomem.go/proto.go, go1.26: sample type
// "goroutineleak/count").
#include <gtest/gtest.h>
#include <zlib.h>

#include "analyze/verdict.h"
#include "dump/aggregated.h"
#include "dump/dump.h"
#include "src/dump/profile.pb.h"

namespace leakhound {
namespace {

std::string Gzip(const std::string& raw) {
  z_stream zs{};
  deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, raw.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string LeakProfile() {
  pprof::Profile p;
  p.add_string_table("");
  for (const char* s : {"goroutineleak", "count", "runtime.gopark", "runtime.chansend1",
                        "main.produce", "/app/p.go", "/go/src/runtime/proc.go", "main.inlined",
                        "handler", "/api"})
    p.add_string_table(s);
  auto* t = p.add_sample_type();
  t->set_type(1);
  t->set_unit(2);
  p.set_time_nanos(1795000000123456789);
  int64_t names[] = {3, 4, 5};
  for (uint64_t i = 0; i < 3; ++i) {
    auto* f = p.add_function();
    f->set_id(i + 1);
    f->set_name(names[i]);
    f->set_filename(i < 2 ? 7 : 6);
  }
  auto* inl = p.add_function();
  inl->set_id(4);
  inl->set_name(8);
  inl->set_filename(6);
  for (uint64_t i = 0; i < 3; ++i) {
    auto* l = p.add_location();
    l->set_id(10 + i);
    if (i == 2) {  // main.inlined inlined into main.produce
      auto* a = l->add_line();
      a->set_function_id(4);
      a->set_line(7);
    }
    auto* line = l->add_line();
    line->set_function_id(i + 1);
    line->set_line(static_cast<int64_t>(20 + i));
  }
  auto* s = p.add_sample();
  for (uint64_t id : {10, 11, 12}) s->add_location_id(id);
  s->add_value(42);
  auto* lab = s->add_label();
  lab->set_key(9);
  lab->set_str(10);
  std::string raw;
  p.SerializeToString(&raw);
  return raw;
}

TEST(Proto, GoroutineLeakProfileGzippedAndRaw) {
  for (const std::string& data : {Gzip(LeakProfile()), LeakProfile()}) {
    DumpSet set;
    ReadError e = ReadProfileProto(data, "leak.pb", &set);
    ASSERT_FALSE(e) << e.message;
    ASSERT_EQ(set.snapshots.size(), 1u);
    const Snapshot& s = set.snapshots[0];
    EXPECT_EQ(s.form, "pprof-goroutineleak-proto");
    EXPECT_EQ(s.total_goroutines(), 42u);
    EXPECT_EQ(s.capture_time_unix_ns, 1795000000123456789);
    EXPECT_FALSE(s.has_ids);
    ASSERT_EQ(s.goroutines().size(), 1u);
    const Goroutine& g = s.goroutines()[0];
    EXPECT_TRUE(g.has(kLeaked));
    EXPECT_EQ(s.str(g.state), "chan send");  // inferred from runtime.chansend1
    const Stack& st = s.stack_of(g);
    ASSERT_EQ(st.frames.size(), 4u);
    EXPECT_EQ(s.str(st.frames[2].function), "main.inlined");
    EXPECT_TRUE(st.frames[2].inlined);
    EXPECT_FALSE(st.frames[3].inlined);
    EXPECT_EQ(s.str(st.frames[3].function), "main.produce");
    ASSERT_NE(g.labels, 0u);
    EXPECT_EQ(s.str(s.label_sets()[g.labels][0].second), "/api");
    std::vector<const Snapshot*> series = {&s};
    Verdict v = AnalyzeSeries(series, {}, {});
    ASSERT_EQ(v.findings.size(), 1u);
    EXPECT_STREQ(v.findings[0].pattern->id, "chan-send-blocked");
    EXPECT_EQ(v.findings[0].severity, Severity::kLeak);
  }
}

TEST(Proto, RejectsOtherProfilesAndGarbage) {
  pprof::Profile p;
  p.add_string_table("");
  p.add_string_table("alloc_objects");
  p.add_sample_type()->set_type(1);
  std::string raw;
  p.SerializeToString(&raw);
  DumpSet set;
  ReadError e = ReadProfileProto(raw, "heap.pb", &set);
  EXPECT_TRUE(e);
  EXPECT_NE(e.message.find("alloc_objects"), std::string::npos);
  DumpSet set2;
  EXPECT_TRUE(ReadProfileProto(Gzip("not a protobuf at all \x01\x02"), "x.pb.gz", &set2));
  // A sample claiming 10^12 goroutines is refused, not expanded.
  pprof::Profile big;
  big.add_string_table("");
  big.add_string_table("goroutine");
  big.add_sample_type()->set_type(1);
  big.add_sample()->add_value(1'000'000'000'000);
  big.SerializeToString(&raw);
  DumpSet set3;
  EXPECT_TRUE(ReadProfileProto(raw, "big.pb", &set3));
}

TEST(Debug1, LeakProfileLabelsTabsAndUnknownFrames) {
  std::string text =
      "goroutineleak profile: total 7\n"
      "5 @ 0x43a1b6 0x4068cb 0x46f3a1\n"
      "# labels: {\"handler\":\"/api\\\"v2\\\"\", \"tenant\":\"\\u00e9\"}\n"
      "#\t0x4068ca\tmain.leak+0x2a\t\t\t/app/main.go:10\n"
      "#\t0x46f3a0\tmain.start.func1+0x20\t\t/app/main dir/x.go:33\n"
      "\n"
      "2 @ 0x43a1b6 0x4abcde\n"
      "#\t0x4abcdd\tsync.(*WaitGroup).Wait+0x5d\t/go/src/sync/waitgroup.go:116\n"
      "#\t0x4abcff\n"
      "\n";
  DumpSet set;
  ReadError e = ReadDebug1(text, "leak.txt", &set);
  ASSERT_FALSE(e) << e.message;
  ASSERT_EQ(set.snapshots.size(), 1u);
  const Snapshot& s = set.snapshots[0];
  EXPECT_EQ(s.form, "pprof-goroutineleak-debug1");
  EXPECT_EQ(s.total_goroutines(), 7u);
  EXPECT_TRUE(set.warnings.empty()) << set.warnings[0];
  const Goroutine& a = s.goroutines()[0];
  EXPECT_TRUE(a.has(kLeaked));
  const Stack& sa = s.stack_of(a);
  ASSERT_EQ(sa.frames.size(), 2u);
  EXPECT_EQ(s.str(sa.frames[0].function), "main.leak");
  EXPECT_EQ(sa.frames[0].pc_offset, 0x2au);
  EXPECT_EQ(s.str(sa.frames[1].file), "/app/main dir/x.go");
  EXPECT_EQ(sa.frames[1].line, 33u);
  ASSERT_NE(a.labels, 0u);
  EXPECT_EQ(s.str(s.label_sets()[a.labels][0].second), "/api\"v2\"");
  EXPECT_EQ(s.str(s.label_sets()[a.labels][1].second), "\xc3\xa9");
  const Goroutine& b = s.goroutines()[1];
  EXPECT_EQ(s.str(b.state), "sync.WaitGroup.Wait");
  EXPECT_EQ(s.stack_of(b).frames.size(), 2u);
  EXPECT_EQ(s.str(s.stack_of(b).frames[1].function), "?");
}

TEST(Debug1, SniffedFromContentNotName) {
  DumpSet set;
  ReadError e = ReadDumpBytes("\ngoroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.main+0x1\t/a.go:3\n\n",
                              "dump.pb.gz", &set);
  ASSERT_FALSE(e) << e.message;
  EXPECT_EQ(set.form, "pprof-debug1");
}

}  // namespace
}  // namespace leakhound
