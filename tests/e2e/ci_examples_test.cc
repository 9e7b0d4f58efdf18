// The CI examples of docs/ci, checked as their CI systems would take them
// and then run: each file's syntax and structure, and the leakhound
// commands it contains executed with the built binary on PATH, in a copy
// of testdata/ci (a module with one lint finding and one leaking test),
// their reports read back. Installing the .deb is the one step not run
// (it needs the network and root); its text is checked instead.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <atomic>
#include <set>

#include "run_util.h"

namespace {

using nlohmann::json;

const std::string kSrc = LEAKHOUND_SOURCE_DIR;

// A fresh copy of testdata/ci for one test to run commands in.
std::string CopyModule(const std::string& name) {
  static std::atomic<int> n{0};
  std::string dir = e2e::WorkDir() + "/ci-" + name + "-" + std::to_string(n++);
  e2e::RunResult r = e2e::Run({"bash", "-c", "rm -rf \"$1\" && cp -r \"$2\" \"$1\"", "cp", dir,
                               kSrc + "/testdata/ci"});
  if (r.status != 0) throw std::runtime_error("copy testdata/ci: " + r.err);
  return dir;
}

// PATH for the examples' commands: a folder holding only `leakhound` (the
// binary under test), the Go 1.26 toolchain, the system's tools.
std::string CiPath() {
  static const std::string path = [] {
    std::string bin = e2e::WorkDir() + "/ci-bin";
    e2e::Run({"mkdir", "-p", bin});
    e2e::Run({"ln", "-sfn", e2e::LeakhoundBinary(), bin + "/leakhound"});
    std::string go = e2e::GoToolchain("1.26").go;
    std::string go_dir = go.find('/') == std::string::npos ? "" : go.substr(0, go.rfind('/')) + ":";
    return bin + ":" + go_dir + "/usr/local/bin:/usr/bin:/bin";
  }();
  return path;
}

e2e::RunOptions CiOptions(const std::string& cwd) {
  e2e::RunOptions o;
  o.cwd = cwd;
  o.env = e2e::GoEnv(e2e::GoToolchain("1.26"));
  o.env.push_back("PATH=" + CiPath());
  o.env.push_back("PRE_COMMIT_HOME=" + e2e::WorkDir() + "/pre-commit-home");
  o.env.push_back("NO_COLOR=1");
  o.timeout_ms = 300'000;
  return o;
}

// A step's script as the runners run it: bash, stop at the first failing
// command (GitHub's `bash -e`, GitLab's `set -eo pipefail`).
e2e::RunResult Script(const std::string& script, const std::string& cwd) {
  return e2e::Run({"bash", "-eo", "pipefail", "-c", script}, CiOptions(cwd));
}

std::string Str(const YAML::Node& n) { return n && n.IsScalar() ? n.as<std::string>() : ""; }

bool Has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

int LintMarker() { return e2e::Markers(kSrc + "/testdata/ci/fetch.go", "LEAK")["lint"]; }

void ExpectSarifWithTheLeak(const std::string& path) {
  json log = json::parse(e2e::ReadFile(path));
  EXPECT_EQ(log["version"], "2.1.0");
  ASSERT_EQ(log["runs"].size(), 1u);
  const json& results = log["runs"][0]["results"];
  ASSERT_EQ(results.size(), 1u) << log.dump(1);
  EXPECT_EQ(results[0]["ruleId"], "chan-send-blocked");
  const json& loc = results[0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"], "fetch.go");
  EXPECT_EQ(loc["region"]["startLine"], LintMarker());
}

void ExpectJUnitWithTheLeak(const std::string& path) {
  std::string xml = e2e::ReadFile(path);
  ASSERT_TRUE(xml.starts_with("<?xml")) << xml;
  EXPECT_TRUE(Has(xml, "<testsuite")) << xml;
  size_t tc = xml.find("<testcase classname=\"example.com/cidemo\" name=\"TestFirstResult\"");
  ASSERT_NE(tc, std::string::npos) << xml;
  size_t fail = xml.find("<failure", tc);
  ASSERT_NE(fail, std::string::npos) << xml;
  EXPECT_LT(fail, xml.find("</testcase>", tc));
  EXPECT_TRUE(Has(xml, "chan-send-blocked")) << xml;
}

// ---- GitHub Actions -------------------------------------------------------

// What the workflow must hold for the commands below to mean anything;
// "" when it does, else what is wrong.
std::string CheckWorkflow(const YAML::Node& wf) {
  const YAML::Node steps = wf["jobs"]["leakhound"]["steps"];
  if (!steps || !steps.IsSequence()) return "no jobs.leakhound.steps";
  std::string sarif, junit, lint_run, test_run;
  bool permission = Str(wf["jobs"]["leakhound"]["permissions"]["security-events"]) == "write";
  for (const YAML::Node& s : steps) {
    std::string uses = Str(s["uses"]), run = Str(s["run"]);
    if (uses.starts_with("github/codeql-action/upload-sarif@")) sarif = Str(s["with"]["sarif_file"]);
    if (uses.starts_with("actions/upload-artifact@")) junit = Str(s["with"]["path"]);
    if (Has(run, "leakhound lint")) lint_run = run;
    if (Has(run, "leakhound test")) test_run = run;
    // After the lint step (which fails on findings) every step must still run.
    if (!lint_run.empty() && run != lint_run && !Has(Str(s["if"]), "!cancelled()"))
      return "step after lint without if: !cancelled(): " + (uses.empty() ? run : uses);
  }
  if (!permission) return "upload-sarif needs permissions: security-events: write";
  if (sarif.empty()) return "no upload-sarif step with sarif_file";
  if (junit.empty()) return "no upload-artifact step with path";
  if (!Has(lint_run, "--format sarif") || !Has(lint_run, "> " + sarif))
    return "the lint step does not write SARIF to " + sarif;
  if (!Has(test_run, "--format junit") || !Has(test_run, "> " + junit))
    return "the test step does not write JUnit to " + junit;
  return "";
}

TEST(CiExamples, GitHubWorkflowPassesActionlintAndItsStepsReportTheLeaks) {
  std::string file = kSrc + "/docs/ci/github-actions.yml";
  // actionlint from the Go module proxy at a pinned version, cached outside
  // the repo (the first run builds it: minutes; then instant).
  e2e::RunOptions o;
  o.timeout_ms = 600'000;
  e2e::RunResult tool = e2e::Run({kSrc + "/scripts/go-tool.sh", "actionlint"}, o);
  ASSERT_EQ(tool.status, 0) << tool.err;
  std::string actionlint = tool.out.substr(0, tool.out.find('\n'));
  e2e::RunResult lint = e2e::Run({actionlint, "-no-color", file});
  EXPECT_EQ(lint.status, 0) << lint.out << lint.err;

  YAML::Node wf = YAML::LoadFile(file);
  ASSERT_EQ(CheckWorkflow(wf), "");
  std::string dir = CopyModule("github");
  int ran = 0;
  for (const YAML::Node& s : wf["jobs"]["leakhound"]["steps"]) {
    std::string run = Str(s["run"]);
    if (run.empty()) continue;
    SCOPED_TRACE(run);
    if (Str(s["name"]) == "Install leakhound") {
      EXPECT_TRUE(Has(run, "apt-get install") && Has(run, ".deb") && Has(run, "leakhound --version"));
      EXPECT_TRUE(Has(Str(s["env"]["LEAKHOUND_DEB_URL"]), "vars.LEAKHOUND_DEB_URL"));
      continue;
    }
    e2e::RunResult r = Script(run, dir);
    EXPECT_EQ(r.status, 1) << r.out << r.err;  // a finding, a leak: the step fails the job
    ++ran;
  }
  EXPECT_EQ(ran, 2);
  ExpectSarifWithTheLeak(dir + "/leakhound-lint.sarif");
  ExpectJUnitWithTheLeak(dir + "/leakhound-test.xml");
}

// ---- GitLab CI ------------------------------------------------------------

// Jobs of a .gitlab-ci.yml with `extends:` merged in (the job's own keys
// win, as GitLab merges them); hidden (".x") jobs and keywords left out.
std::map<std::string, YAML::Node> GitLabJobs(const YAML::Node& ci) {
  static const std::set<std::string> keywords = {"stages", "variables", "default", "include",
                                                 "workflow", "image", "services", "cache",
                                                 "before_script", "after_script"};
  std::map<std::string, YAML::Node> jobs;
  for (const auto& kv : ci) {
    std::string name = kv.first.as<std::string>();
    if (name.starts_with(".") || keywords.count(name)) continue;
    YAML::Node job = YAML::Clone(kv.second);
    std::string base = Str(job["extends"]);
    if (!base.empty() && ci[base])
      for (const auto& b : ci[base])
        if (!job[b.first.as<std::string>()]) job[b.first.as<std::string>()] = b.second;
    jobs[name] = job;
  }
  return jobs;
}

// The job that writes `report` (codequality, junit); "" in *error when it
// is there and sound.
YAML::Node ReportJob(const YAML::Node& ci, const std::string& report, std::string* error) {
  for (auto& [name, job] : GitLabJobs(ci)) {
    std::string file = Str(job["artifacts"]["reports"][report]);
    if (file.empty()) continue;
    if (Str(job["artifacts"]["when"]) != "always")
      *error = name + ": artifacts.when must be always (leakhound exits 1 on findings)";
    else if (!job["script"] || !job["script"].IsSequence() || job["script"].size() == 0)
      *error = name + ": no script list";
    else if (Str(job["image"]).empty())
      *error = name + ": no image";
    return job;
  }
  *error = "no job with artifacts.reports." + report;
  return YAML::Node();
}

std::string JoinScript(const YAML::Node& lines) {
  std::string s;
  for (const YAML::Node& l : lines) s += l.as<std::string>() + "\n";
  return s;
}

void ExpectCodeQualityWithTheLeak(const std::string& path) {
  json issues = json::parse(e2e::ReadFile(path));
  ASSERT_TRUE(issues.is_array());
  ASSERT_EQ(issues.size(), 1u) << issues.dump(1);
  static const std::set<std::string> severities = {"info", "minor", "major", "critical", "blocker"};
  std::set<std::string> fingerprints;
  for (const json& i : issues) {
    EXPECT_TRUE(i["description"].is_string());
    EXPECT_TRUE(i["check_name"].is_string());
    EXPECT_TRUE(fingerprints.insert(i["fingerprint"].get<std::string>()).second);
    EXPECT_TRUE(severities.count(i["severity"].get<std::string>())) << i["severity"];
    EXPECT_EQ(i["location"]["path"], "fetch.go");  // relative to the repository
    EXPECT_EQ(i["location"]["lines"]["begin"], LintMarker());
  }
  EXPECT_EQ(issues[0]["check_name"], "leakhound/chan-send-blocked");
}

TEST(CiExamples, GitLabJobsHaveTheirReportsAndTheirScriptsWriteThem) {
  YAML::Node ci = YAML::LoadFile(kSrc + "/docs/ci/gitlab-ci.yml");
  std::string error;
  YAML::Node quality = ReportJob(ci, "codequality", &error);
  ASSERT_EQ(error, "");
  YAML::Node junit = ReportJob(ci, "junit", &error);
  ASSERT_EQ(error, "");
  for (const YAML::Node* job : {&quality, &junit}) {
    std::string install = JoinScript((*job)["before_script"]);
    EXPECT_TRUE(Has(install, "apt-get install") && Has(install, ".deb") &&
                Has(install, "LEAKHOUND_DEB_URL"))
        << install;
  }
  std::string dir = CopyModule("gitlab");
  e2e::RunResult r = Script(JoinScript(quality["script"]), dir);
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  ExpectCodeQualityWithTheLeak(dir + "/" + Str(quality["artifacts"]["reports"]["codequality"]));
  r = Script(JoinScript(junit["script"]), dir);
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  ExpectJUnitWithTheLeak(dir + "/" + Str(junit["artifacts"]["reports"]["junit"]));
}

// ---- pre-commit -----------------------------------------------------------

// A git repository at `dir` with every file added (and committed when
// `commit`): what pre-commit needs to see files.
void GitRepo(const std::string& dir, bool commit) {
  e2e::RunOptions o = CiOptions(dir);
  for (const char* v : {"GIT_AUTHOR_NAME=ci", "GIT_AUTHOR_EMAIL=ci@localhost",
                        "GIT_COMMITTER_NAME=ci", "GIT_COMMITTER_EMAIL=ci@localhost"})
    o.env.push_back(v);
  std::string script = "git init -q . && git add -A";
  if (commit) script += " && git commit -q -m hooks";
  e2e::RunResult r = e2e::Run({"bash", "-c", script}, o);
  if (r.status != 0) throw std::runtime_error("git in " + dir + ": " + r.err);
}

TEST(CiExamples, PreCommitManifestAndConfigAreValidAndTheHookCatchesTheLeak) {
  e2e::RunResult m = e2e::Run({"pre-commit", "validate-manifest", kSrc + "/.pre-commit-hooks.yaml"});
  EXPECT_EQ(m.status, 0) << m.out << m.err;
  std::string config = kSrc + "/docs/ci/.pre-commit-config.yaml";
  e2e::RunResult c = e2e::Run({"pre-commit", "validate-config", config});
  EXPECT_EQ(c.status, 0) << c.out << c.err;

  // The manifest as a hook repository (`repo:` pointing at leakhound):
  // a repository holding it, tried on the module.
  std::string hooks = e2e::WorkDir() + "/ci-hooks-repo";
  e2e::Run({"rm", "-rf", hooks});
  e2e::Run({"mkdir", "-p", hooks});
  e2e::WriteFile(hooks + "/.pre-commit-hooks.yaml", e2e::ReadFile(kSrc + "/.pre-commit-hooks.yaml"));
  GitRepo(hooks, true);
  std::string dir = CopyModule("precommit");
  // testdata/ is left out, as `leakhound lint ./...` leaves it out.
  e2e::Run({"mkdir", "-p", dir + "/testdata"});
  e2e::WriteFile(dir + "/testdata/parked.go", "package p\n\nfunc idle() {\n\tgo func() {\n\t\tselect {}\n\t}()\n}\n");
  e2e::WriteFile(dir + "/.pre-commit-config.yaml", e2e::ReadFile(config));
  GitRepo(dir, false);
  std::string at = "fetch.go:" + std::to_string(LintMarker()) + ":";

  auto opts = CiOptions(dir);
  e2e::RunResult all = e2e::Run({"pre-commit", "try-repo", hooks, "leakhound-lint", "--all-files"}, opts);
  EXPECT_EQ(all.status, 1) << all.out << all.err;
  EXPECT_TRUE(Has(all.out, at)) << all.out;
  EXPECT_FALSE(Has(all.out, "parked.go")) << all.out;
  e2e::RunResult clean = e2e::Run(
      {"pre-commit", "try-repo", hooks, "leakhound-lint", "--files", "clean.go", "testdata/parked.go"}, opts);
  EXPECT_EQ(clean.status, 0) << clean.out << clean.err;

  // The example config, as a user's repository has it.
  e2e::RunResult run = e2e::Run({"pre-commit", "run", "--all-files"}, opts);
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_TRUE(Has(run.out, at)) << run.out;
  run = e2e::Run({"pre-commit", "run", "--files", "clean.go", "fetch_test.go"}, opts);
  EXPECT_EQ(run.status, 0) << run.out << run.err;
}

// ---- the checks can fail --------------------------------------------------

// Each check above, handed a broken copy of its example, says so.
TEST(CiExamples, BrokenExamplesAreCaught) {
  std::string work = e2e::WorkDir();
  // A workflow with an unknown key: actionlint rejects it.
  e2e::RunOptions o;
  o.timeout_ms = 600'000;
  e2e::RunResult tool = e2e::Run({kSrc + "/scripts/go-tool.sh", "actionlint"}, o);
  ASSERT_EQ(tool.status, 0) << tool.err;
  std::string wf_text = e2e::ReadFile(kSrc + "/docs/ci/github-actions.yml");
  std::string bad = wf_text;
  bad.replace(bad.find("    runs-on:"), 0, "    run-on: ubuntu-latest\n");
  e2e::WriteFile(work + "/ci-bad-workflow.yml", bad);
  EXPECT_NE(e2e::Run({tool.out.substr(0, tool.out.find('\n')), work + "/ci-bad-workflow.yml"}).status, 0);
  // A workflow whose SARIF upload would read another file.
  bad = wf_text;
  bad.replace(bad.find("sarif_file: leakhound-lint.sarif"), 32, "sarif_file: results.sarif");
  EXPECT_NE(CheckWorkflow(YAML::Load(bad)), "");
  // An upload that is skipped when lint fails.
  bad = wf_text;
  bad.erase(bad.find("        if: ${{ !cancelled() }}\n"), 32);
  EXPECT_NE(CheckWorkflow(YAML::Load(bad)), "");
  EXPECT_EQ(CheckWorkflow(YAML::Load(wf_text)), "");
  // GitLab: no artifacts when the job fails.
  std::string gl = e2e::ReadFile(kSrc + "/docs/ci/gitlab-ci.yml");
  std::string err;
  bad = gl;
  while (bad.find("when: always") != std::string::npos)
    bad.replace(bad.find("when: always"), 12, "when: on_success");
  ReportJob(YAML::Load(bad), "codequality", &err);
  EXPECT_NE(err, "");
  // pre-commit: a hook language that does not exist.
  std::string manifest = e2e::ReadFile(kSrc + "/.pre-commit-hooks.yaml");
  manifest.replace(manifest.find("language: system"), 16, "language: sytem");
  e2e::WriteFile(work + "/ci-bad-hooks.yaml", manifest);
  EXPECT_NE(e2e::Run({"pre-commit", "validate-manifest", work + "/ci-bad-hooks.yaml"}).status, 0);
}

}  // namespace
