// Hostile dump text in a real browser. The test crafts a goroutine dump
// (an adversarial input, by hand: no Go program prints these names) whose
// function names, file paths and Go 1.27 labels carry markup, script ends,
// javascript: URLs, U+202E and a 100 KB name, and renders it twice: as the
// file `analyze --format html` writes, and live from `watch --serve`
// polling a tiny HTTP server that serves the dump, under a target whose
// name is hostile too. tests/browser/xss.test.mjs checks both pages in
// Debian's chromium.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "loopback_server.h"
#include "run_util.h"

namespace e2e {
namespace {

const std::string kImg = "<img src=x onerror=alert(1)>";
// Go function names hold no spaces (the parser drops such a frame), so
// the one in a function name is written without.
const std::string kImgNoSpace = "<img/src=x/onerror=alert(1)>";
const std::string kScript = "</script><script>alert(2)</script>";
const std::string kJs = "javascript:alert(1)";
const std::string kAttr = "\"><svg onload=alert(3)>";
const std::string kRlo = "\xE2\x80\xAE";  // U+202E RIGHT-TO-LEFT OVERRIDE

std::string HostileDump() {
  std::string long_name(100 * 1024, 'A');
  std::string d = "goroutine 1 [running]:\nmain.main()\n\t/src/app/main.go:5 +0x1d\n\n";
  for (int i = 0; i < 150; ++i) {
    // Go 1.27's label header; quoted values may hold anything (\" for ").
    d += "goroutine " + std::to_string(10 + i) + " [chan receive, 42 minutes] {\"team\": \"" + kImg +
         "\", \"next\": \"" + kJs + "\", \"q\": \"\\\"><svg onload=alert(3)>\"}:\n";
    d += "main.(*Srv).handle" + kScript + kImgNoSpace + "(0xc000010000)\n";
    d += "\t/src/app/" + kImg + "/" + kScript + "/h" + kRlo + "og.go:42 +0x1d\n";
    d += "created by main.start" + kAttr + kJs + " in goroutine 1\n";
    d += "\t/src/app/" + kJs + "/start.go:10 +0x20\n\n";
  }
  for (int i = 0; i < 150; ++i) {
    d += "goroutine " + std::to_string(200 + i) + " [chan send, 30 minutes]:\n";
    d += "main." + long_name + kRlo + "evil(0x1)\n";
    d += "\t/src/" + long_name + "/x.go:7 +0x10\n";
    d += "created by main.spawn in goroutine 1\n\t/src/app/spawn.go:3 +0x20\n\n";
  }
  return d;
}

// Answers every request with the dump, as /debug/pprof/goroutine?debug=2
// would.
class DumpServer {
 public:
  explicit DumpServer(std::string body)
      : body_(std::move(body)), server_([this](int c) { Answer(c); }) {}
  std::string url() const { return server_.url(); }

 private:
  void Answer(int c) const {
    e2e::LoopbackServer::ReadUntil(
        c, [](const std::string& req) { return req.find("\r\n\r\n") != std::string::npos; });
    std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                       std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
    size_t off = 0;
    while (off < resp.size()) {
      ssize_t w = send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
  }
  std::string body_;
  e2e::LoopbackServer server_;  // last: its thread starts once body_ is set
};

std::string BuildDir() {
  std::string w = LEAKHOUND_WORK_DIR;
  return w.substr(0, w.rfind('/'));
}

TEST(Xss, HostileNamesStayTextInTheFileAndLivePages) {
  std::string dump = WorkDir() + "/hostile-dump.txt";
  WriteFile(dump, HostileDump());

  // The hostile strings reach the data: the test would mean nothing if
  // the parser dropped them.
  RunResult j = Leakhound({"analyze", "--no-config", "--format", "json", dump});
  ASSERT_EQ(j.status, 0) << j.err;
  ASSERT_NE(j.out.find("main.(*Srv).handle" + kScript + kImgNoSpace), std::string::npos) << j.out.substr(0, 3000);
  ASSERT_NE(j.out.find("onerror=alert(1)"), std::string::npos);
  ASSERT_NE(j.out.find("javascript:alert(1)"), std::string::npos);

  RunResult h = Leakhound({"analyze", "--no-config", "--format", "html", dump});
  ASSERT_EQ(h.status, 0) << h.err;
  std::string html = WorkDir() + "/hostile.html";
  WriteFile(html, h.out);
  // Text in the inline JSON never closes its <script>.
  EXPECT_EQ(h.out.find(kScript), std::string::npos);
  EXPECT_EQ(h.out.find(kImg), std::string::npos);

  DumpServer target(HostileDump());
  std::string cfg = WorkDir() + "/hostile.yaml";
  WriteFile(cfg, "targets:\n  - name: 'api " + kImg + kScript + kRlo + "'\n    url: " + target.url() +
                     "\n    labels: {team: '" + kJs + "'}\n");
  std::string db = WorkDir() + "/hostile-live.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
  // Its alert lines carry the 100 KB name: stderr passes its first lines
  // on (the dashboard URL) and drains the rest, so a full pipe never
  // blocks the watcher.
  Service watch({"bash", "-c",
                 "exec '" + LeakhoundBinary() + "' watch --config '" + cfg +
                     "' --interval 500ms --detail-gap 0 --db '" + db +
                     "' --serve 127.0.0.1:0 --token s3cret --quiet 2> >(head -n 2; exec cat >/dev/null)"},
                "dashboard at ", true);
  std::string dash = watch.ready_line();
  // Until the store holds a finding of the hostile stack.
  std::string doc;
  for (int i = 0; i < 60; ++i) {
    RunResult c = e2e::Run({"curl", "-sS", "--max-time", "10", "-H", "Authorization: Bearer s3cret",
                       dash + "api/dashboard"});
    doc = c.out;
    if (doc.find("\"findings\":[{") != std::string::npos && doc.find("onerror") != std::string::npos) break;
    usleep(250 * 1000);
  }
  ASSERT_NE(doc.find("\"findings\":[{"), std::string::npos) << doc.substr(0, 2000);

  RunOptions o;
  o.timeout_ms = 300'000;
  RunResult r = e2e::Run({std::string(LEAKHOUND_SOURCE_DIR) + "/tests/browser/run-xss.sh", BuildDir(), html,
                     dash + "#token=s3cret"},
                    o);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("all checks passed"), std::string::npos) << r.out;
  EXPECT_EQ(watch.SignalAndWait(SIGTERM, 15'000), 0);
}

}  // namespace
}  // namespace e2e
