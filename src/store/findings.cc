// Findings and their lifecycle: opened when analysis first reports them,
// updated while it keeps doing so, resolved when it stops; alert marks.
#include "store/store.h"

#include <unordered_set>

#include "store/internal.h"

namespace leakhound {

using namespace store_internal;

namespace {

// Values are always bound, never spliced in: names, stacks and errors
// come from untrusted dumps and servers.
#define LH_FINDING_COLUMNS                                                                    \
  "id, target_id, fingerprint, pattern, severity, confidence, signature, function, file, "   \
  "line, creator_function, creator_file, creator_line, count, growth_per_hour, reasons_json, " \
  "stack_text, first_seen_ms, last_seen_ms, coalesce(resolved_ms, 0), alerted, state"
const char kOpenFindings[] =
    "SELECT id, fingerprint, severity FROM findings WHERE target_id = ?1 AND resolved_ms IS NULL";
const char kInsertFinding[] =
    "INSERT INTO findings(target_id, fingerprint, pattern, severity, confidence, signature, "
    "function, file, line, creator_function, creator_file, creator_line, count, "
    "growth_per_hour, reasons_json, stack_text, first_seen_ms, last_seen_ms, resolved_ms, "
    "alerted, state) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
    "?16, ?17, ?17, NULL, 0, ?19)";
const char kUpdateFinding[] =
    "UPDATE findings SET pattern = ?3, severity = ?4, confidence = ?5, signature = ?6, "
    "function = ?7, file = ?8, line = ?9, creator_function = ?10, creator_file = ?11, "
    "creator_line = ?12, count = ?13, growth_per_hour = ?14, reasons_json = ?15, "
    "stack_text = ?16, last_seen_ms = ?17, alerted = CASE WHEN ?18 THEN 0 ELSE alerted END, "
    "state = ?19 "
    "WHERE id = ?1 AND target_id = ?2";
const char kResolveFinding[] = "UPDATE findings SET resolved_ms = ?2 WHERE id = ?1";
const char kFindingById[] = "SELECT " LH_FINDING_COLUMNS " FROM findings WHERE id = ?1";
const char kFindings[] =
    "SELECT " LH_FINDING_COLUMNS " FROM findings "
    "WHERE (?1 = 0 OR target_id = ?1) AND (?2 = 0 OR resolved_ms IS NULL) ORDER BY id DESC";
const char kMarkAlerted[] = "UPDATE findings SET alerted = 1 WHERE id = ?1";
#undef LH_FINDING_COLUMNS

int SeverityRank(const std::string& s) {
  if (s == "leak") return 2;
  if (s == "suspect") return 1;
  if (s == "info") return 0;
  return -1;
}

StoredFinding ReadFinding(const Stmt& q) {
  StoredFinding f;
  f.id = q.Int(0);
  f.target_id = q.Int(1);
  f.fingerprint = q.Text(2);
  f.pattern = q.Text(3);
  f.severity = q.Text(4);
  f.confidence = q.Real(5);
  f.signature = q.Text(6);
  f.function = q.Text(7);
  f.file = q.Text(8);
  f.line = static_cast<int>(q.Int(9));
  f.creator_function = q.Text(10);
  f.creator_file = q.Text(11);
  f.creator_line = static_cast<int>(q.Int(12));
  f.count = static_cast<uint64_t>(q.Int(13));
  f.growth_per_hour = q.Real(14);
  f.reasons_json = q.Text(15);
  f.stack_text = q.Text(16);
  f.first_seen_ms = q.Int(17);
  f.last_seen_ms = q.Int(18);
  f.resolved_ms = q.Int(19);
  f.alerted = q.Int(20) != 0;
  f.state = q.Text(21);
  return f;
}

// Binds ?3..?16 and ?19 of kInsertFinding/kUpdateFinding (same order in both).
void BindFindingFields(Stmt* s, const FindingRecord& f) {
  s->Bind(3, f.pattern).Bind(4, f.severity).Bind(5, f.confidence).Bind(6, f.signature);
  s->Bind(7, f.function).Bind(8, f.file).Bind(9, f.line).Bind(10, f.creator_function);
  s->Bind(11, f.creator_file).Bind(12, f.creator_line).Bind(13, f.count);
  s->Bind(14, f.growth_per_hour).Bind(15, f.reasons_json).Bind(16, f.stack_text);
  s->Bind(19, f.state);
}

}  // namespace

std::vector<StoredFinding> Store::SyncFindings(int64_t target_id, int64_t time_ms,
                                               const std::vector<FindingRecord>& current) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  StoreImpl* impl = impl_.get();
  std::vector<StoredFinding> out;
  Txn txn(impl);
  if (!txn.begun()) return out;
  struct Open {
    int64_t id;
    std::string severity;
    bool seen = false;
  };
  std::unordered_map<std::string, Open> open;
  {
    Stmt q(impl, kOpenFindings);
    q.Bind(1, target_id);
    while (q.Row()) open.emplace(q.Text(1), Open{q.Int(0), q.Text(2)});
    if (!q.ok()) return out;
  }
  std::vector<int64_t> alert;
  std::unordered_set<std::string> done;
  for (const FindingRecord& f : current) {
    if (!done.insert(f.fingerprint).second) continue;
    auto it = open.find(f.fingerprint);
    if (it != open.end()) {
      it->second.seen = true;
      bool rose = SeverityRank(f.severity) > SeverityRank(it->second.severity);
      Stmt up(impl, kUpdateFinding);
      up.Bind(1, it->second.id).Bind(2, target_id);
      BindFindingFields(&up, f);
      up.Bind(17, time_ms).Bind(18, rose);
      if (!up.Run()) return {};
      if (rose) alert.push_back(it->second.id);
    } else {
      Stmt ins(impl, kInsertFinding);
      ins.Bind(1, target_id).Bind(2, f.fingerprint);
      BindFindingFields(&ins, f);
      ins.Bind(17, time_ms);
      if (!ins.Run()) return {};
      alert.push_back(sqlite3_last_insert_rowid(impl->db));
    }
  }
  for (const auto& [fp, o] : open) {
    if (o.seen) continue;
    Stmt res(impl, kResolveFinding);
    if (!res.Bind(1, o.id).Bind(2, time_ms).Run()) return {};
  }
  for (int64_t id : alert) {
    Stmt q(impl, kFindingById);
    q.Bind(1, id);
    if (q.Row()) out.push_back(ReadFinding(q));
    if (!q.ok()) return {};
  }
  if (!txn.Commit()) return {};
  return out;
}

void Store::MarkAlerted(int64_t finding_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt q(impl_.get(), kMarkAlerted);
  q.Bind(1, finding_id).Run();
}

std::vector<StoredFinding> Store::Findings(int64_t target_id, bool open_only) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<StoredFinding> out;
  Stmt q(impl_.get(), kFindings);
  q.Bind(1, target_id).Bind(2, open_only);
  while (q.Row()) out.push_back(ReadFinding(q));
  return out;
}

}  // namespace leakhound
