// The elderly registry: people and their facts as department feeds stated
// them, on two time axes.
//
//   valid time     what was true when: each fact record holds from valid_from
//                  to valid_to (inclusive, open when empty);
//   recorded time  what we knew when: the date a feed was imported
//                  (recorded_on). Records are only ever added, never changed.
//
// "This person as of D, as known on K" takes the records recorded on or
// before K that hold on D and, per fact, picks one: the source with the best
// precedence for that fact (table `precedence`, e.g. death: 公安 over 民政
// over 卫健), then the latest valid_from, then the latest recorded. When
// sources disagree on overlapping periods the import puts the disagreement
// in the conflict queue with both values and their origins.
//
// A death (death_date) holds from the death date on, whatever the row's
// 起始日期; a person is deceased on D when the chosen death_date <= D.
#ifndef YANGLAO_REGISTRY_REGISTRY_H_
#define YANGLAO_REGISTRY_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/id_number.h"
#include "core/status.h"
#include "db/database.h"
#include "db/query.h"
#include "registry/database.h"  // the old names (registry::Database ...) for callers not yet on db::
#include "registry/feed_file.h"

namespace yanglao::registry {

// A stored fact record with its origin.
struct StoredFact {
  std::string fact;
  std::string value;
  std::string valid_from;
  std::string valid_to;  // empty = open
  std::string source;
  int64_t feed_id = 0;
  int row = 0;
  std::string recorded_on;
};

struct PersonView {
  std::string id_number;
  Sex sex = Sex::kMale;
  CivilDate birth_date;
  std::map<std::string, StoredFact> facts;  // fact -> the record that applies
  // Records from other sources that apply too but disagree with the chosen one.
  std::vector<StoredFact> overruled;
  bool deceased_on(CivilDate d) const;
  std::string name() const;
};

// How one record of a fact is chosen over another when both apply on the
// date asked: the better-ranked source (lower rank; sources without a
// precedence rank after every ranked one), then the later valid_from, then
// the later recorded (feed, row). Person, ForEachPerson and
// ForEachPersonCoded all choose by it.
struct ChoiceKey {
  int rank = 0;
  std::string_view valid_from;
  int64_t feed_id = 0;
  int row = 0;
};
inline bool Preferred(const ChoiceKey& a, const ChoiceKey& b) {
  if (a.rank != b.rank) return a.rank < b.rank;
  if (a.valid_from != b.valid_from) return a.valid_from > b.valid_from;
  if (a.feed_id != b.feed_id) return a.feed_id > b.feed_id;
  return a.row > b.row;
}

// One person of ForEachPersonCoded: `codes[i]` is the encoded value of the
// record chosen for the i-th fact asked for, or kNoRecord when no record of
// it applies. The views are valid only during the callback.
struct CodedPerson {
  static constexpr int32_t kNoRecord = INT32_MIN;
  std::string_view id_number;
  Sex sex = Sex::kMale;
  CivilDate birth_date;
  const int32_t* codes = nullptr;
};

struct Conflict {
  int64_t id = 0;
  std::string id_number;
  std::string fact;
  StoredFact a, b;  // a: the earlier record, b: the one whose import found the disagreement
  std::string status;
};

// The source of the facts capability assessments state (src/assess), which
// come from assessment records rather than a department's feed file. It
// ranks first for capability_assessed, capability_level and dementia
// (registry migration 2).
inline constexpr std::string_view kAssessmentSource = "评估机构";

struct ImportOutcome {
  bool already_imported = false;
  int64_t feed_id = 0;
  int64_t facts_added = 0;
  int64_t facts_unchanged = 0;  // already stated identically by the same source
  int64_t persons_added = 0;
  int64_t conflicts_added = 0;
};

// A condition on the person table (alias `p`) and the values bound to its
// `?` placeholders, in order. Conditions are built from fixed SQL text and
// bound values only, never from spliced input.
using SqlFilter = db::Filter;  // db/query.h

// Persons whose residence (居住地, the residence_region record that holds on
// `on`; of several, the latest valid_from, then the latest recorded) is
// `region` itself (`exact`) or any unit below it. `region` is a region code in
// its natural length (digits). A person with no residence record on `on`
// passes no such filter. Residence has one source (公安), so no precedence
// ranking is needed here; Registry::Person resolves to the same record.
SqlFilter ResidenceFilter(std::string_view region, bool exact, CivilDate on);

// A region-code column at or below a region: db/query.h.
using db::RegionCodeFilter;

// What a person search asks for; empty fields do not restrict.
struct PersonSearch {
  std::string name;                // any source's name record equals it or starts with it
  std::string id_prefix;           // the full ID number or its first digits
  std::string region;              // residence at or below this region (natural code)
  CivilDate on;                    // the date residence is read on
  std::vector<SqlFilter> filters;  // more conditions, all must hold (e.g. data scope)
  int64_t offset = 0;
  int64_t limit = 20;
};

struct PersonPage {
  int64_t total = 0;             // matches in all pages
  std::vector<std::string> ids;  // this page's ID numbers, in ID order
};

class Registry {
 public:
  // Opens the database at `url` (see Database::Open) and brings its schema
  // up to date.
  static Result<std::unique_ptr<Registry>> Open(std::string_view url);

  db::Database& db() { return *db_; }

  // Stores a validated feed (no problems) in one transaction: all of it or
  // nothing. A file already imported (same source and SHA-256) changes
  // nothing. `recorded_on` is the recorded-time date of its records.
  Result<ImportOutcome> Import(const ParsedFeed& feed, CivilDate recorded_on);
  // Stores fact records like Import, but inside a transaction the caller has
  // begun (db().Begin()) and commits or rolls back: for records that must be
  // stored together with the caller's own rows, such as a capability
  // assessment and the facts it states. The records need not come from a
  // file: `feed.file_name` names their origin ("能力评估 #12") and
  // `feed.sha256` identifies it, so storing the same origin again changes
  // nothing (already_imported). After a failure the caller must roll back.
  Result<ImportOutcome> ImportInTransaction(const ParsedFeed& feed, CivilDate recorded_on);

  // Reads the feed file in `bytes` (ReadFeedBytes: CSV in UTF-8 or GB18030,
  // or XLSX) and stores it like Import, in bounded memory: valid rows are
  // staged in batches inside one transaction, which commits only when the
  // whole file is valid; a file with any bad row stores nothing and fails
  // with feed.invalid. `parsed` receives the summary (data rows, problems,
  // warnings, encoding; its facts stay empty). A file already imported
  // (same source and SHA-256) is not read again (already_imported).
  Result<ImportOutcome> ImportBytes(std::string_view bytes, const std::string& file_name,
                                    std::string_view source, CivilDate today, CivilDate recorded_on,
                                    ParsedFeed& parsed,
                                    const std::function<void(const FeedProgress&)>& progress = {});

  // The person as of `as_of`, as known on `known_on`; nullopt if the person
  // was not known then.
  Result<std::optional<PersonView>> Person(std::string_view id_number, CivilDate as_of,
                                           CivilDate known_on);
  // Every record of the person, by fact, valid_from and recording order.
  Result<std::vector<StoredFact>> History(std::string_view id_number);
  // Open conflicts, oldest first, at most `limit`.
  Result<std::vector<Conflict>> Conflicts(size_t limit = 1000);

  // Calls `visit` for every person known on `known_on`, resolved as of
  // `as_of`, in ID order, streaming (one person in memory at a time). Only
  // records of feeds up to `max_feed_id` count, so a state of the registry
  // (known_on, LatestFeedId()) can be read again exactly later.
  Status ForEachPerson(CivilDate as_of, CivilDate known_on,
                       const std::function<void(const PersonView&)>& visit,
                       int64_t max_feed_id = INT64_MAX);
  // The bulk form of ForEachPerson for whole-city reads of some facts (the
  // entitlement snapshot): the same people in the same order, and for each
  // of `facts` the same record chosen (a record applies on `as_of` as in
  // Person: valid_from <= as_of <= valid_to, a death from its date on; the
  // choice is Preferred), but read with two set-based queries instead of
  // one person at a time, and delivered as `encode(fact index, value)`
  // rather than as text. `encode` sees every record that applies (chosen or
  // not) once and must return the same code for the same arguments; codes
  // must not be kNoRecord. Memory: about 24 bytes per record that applies,
  // until every person has been visited.
  Status ForEachPersonCoded(CivilDate as_of, CivilDate known_on,
                            const std::vector<std::string>& facts,
                            const std::function<int32_t(size_t, std::string_view)>& encode,
                            const std::function<void(const CodedPerson&)>& visit,
                            int64_t max_feed_id = INT64_MAX);
  // The id of the latest feed imported (0 when none).
  Result<int64_t> LatestFeedId();
  // The value of `fact` for each of `ids`, as Person(id, as_of, known_on)
  // would choose it (the records that apply on `as_of`, then Preferred by
  // the precedence table), counting feeds up to `max_feed_id`: ID -> value,
  // without the people who have no such record. For lists of many people
  // (the names on a payment roll) in one read.
  Result<std::map<std::string, std::string>> ChosenValues(std::string_view fact,
                                                          const std::set<std::string>& ids,
                                                          CivilDate as_of, CivilDate known_on,
                                                          int64_t max_feed_id = INT64_MAX);

  int64_t PersonCount();

  // The precedence table: fact -> sources, best first.
  Result<std::map<std::string, std::vector<std::string>>> Precedence();
  // Replaces the precedence of `fact` with `sources`, best first. Fails with
  // "registry.fact" or "registry.source" for names no template has.
  Status SetPrecedence(std::string_view fact, const std::vector<std::string>& sources);
  // Marks an open conflict resolved, with a note of what was decided. Fails
  // with "registry.conflict" when there is no such open conflict.
  Status ResolveConflict(int64_t id, std::string_view note);

  // Row counts and a SHA-256 over every row of every table, in a fixed
  // order: equal checksums mean equal registry contents (used to prove that
  // a killed import left nothing behind, and to compare copies).
  Result<std::string> Checksum();

  // --- Person search, for the platform server -----------------------------
  // Persons matching `search` and every filter in it, in ID order, one page.
  Result<PersonPage> SearchPersons(const PersonSearch& search);
  // Does the person exist and pass every filter? (A single-record access
  // check with the same bound conditions a search uses.)
  Result<bool> PersonPasses(std::string_view id_number, const std::vector<SqlFilter>& filters);
  // Every conflict that involves the person (open and resolved), oldest first.
  Result<std::vector<Conflict>> ConflictsOf(std::string_view id_number);
  // Person() and History() together, from one read of the records: the
  // person as of `as_of` as known on `known_on` (nullopt when not known then),
  // and every record in History() order.
  struct PersonRecord {
    std::optional<PersonView> view;
    std::vector<StoredFact> history;
  };
  Result<PersonRecord> PersonWithHistory(std::string_view id_number, CivilDate as_of,
                                         CivilDate known_on);

  // --- Scoped reads for the platform server (registry/scoped_reads.cc) -----
  // Of `ids`, those registered and passing every filter (one query per 500
  // numbers).
  Result<std::set<std::string>> PersonsPassing(const std::vector<std::string>& ids,
                                               const std::vector<SqlFilter>& filters);
  // Open conflicts of the persons passing every filter, oldest first.
  struct OpenConflict {
    int64_t id = 0;
    std::string id_number, fact;
  };
  Result<std::vector<OpenConflict>> OpenConflicts(const std::vector<SqlFilter>& filters);
  // Registered persons living (ResidenceFilter) on `on` at or below `region`,
  // passing every filter, counted per unit one level down (the first
  // `unit_digits` digits of their residence) and per age band: band i holds
  // those aged at least band_years[i] and (but for the last, open band) less
  // than band_years[i + 1]. Units in code order; units with nobody are absent.
  struct AgeBandCounts {
    std::string unit;
    std::vector<int64_t> counts;  // one per band
  };
  Result<std::vector<AgeBandCounts>> AgeBandsByUnit(std::string_view region, size_t unit_digits,
                                                    const std::vector<int>& band_years,
                                                    CivilDate on,
                                                    const std::vector<SqlFilter>& filters);
  // The latest date a record starts (valid_from) on or before `on`; nullopt
  // when there is none.
  Result<std::optional<CivilDate>> LatestRecordStart(CivilDate on);

 private:
  // The steps of an import inside a transaction: claim a feed id (or find
  // the file already imported), stage facts (any number of times), then
  // move the staged rows in and count.
  Result<ImportOutcome> BeginStaging(const ParsedFeed& feed, CivilDate recorded_on);
  Status StageFacts(const std::vector<FactRecord>& facts, const std::string& source,
                    int64_t feed_id, const std::string& recorded);
  Status FinishStaging(ImportOutcome& out, int64_t staged, int64_t data_rows);

  explicit Registry(std::unique_ptr<db::Database> db) : db_(std::move(db)) {}
  Status LoadPrecedence();
  // Resolves the records of one person.
  void Resolve(const std::vector<StoredFact>& records, CivilDate as_of, PersonView& out) const;
  int Rank(std::string_view fact, std::string_view source) const;

  std::unique_ptr<db::Database> db_;
  std::map<std::pair<std::string, std::string>, int> precedence_;  // (fact, source) -> rank
};

// The schema migrations, in order (version = index + 1).
const std::vector<std::string>& RegistryMigrations();

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_REGISTRY_H_
