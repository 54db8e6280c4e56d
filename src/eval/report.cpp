#include "report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <system_error>

#include "plots.h"

namespace livecheck::eval {
namespace fs = std::filesystem;
namespace {

using nlohmann::json;

// The report states these rules in words, next to the numbers they shape.
constexpr const char* kRuleDecision =
    "An image is accepted as bona fide when its score <= T (score: higher = more likely an "
    "attack). APCER = attacks accepted / attacks, per attack type (PAI species); BPCER = bona "
    "fide not accepted / bona fide.";
constexpr const char* kRuleApcerOverall =
    "Overall APCER is given two ways: 'max' is the worst attack type (ISO/IEC 30107-3); 'pooled' "
    "treats all attacks as one class and depends on the mix of types. ACER = (APCER_max + "
    "BPCER) / 2.";
constexpr const char* kRuleNoFace =
    "Live and spoof images where no face was detected are failures to acquire: they stay in the "
    "denominators and count as not accepted at every threshold (a spoof without a face is a "
    "rejected attack, a live image without a face is a rejected bona fide and counts towards "
    "BPCER). AUC ranks them above every score.";
constexpr const char* kRuleInvalidFace =
    "Images with a face but is_valid_face = false (quality checks) are judged on their score like "
    "any other; their rate is reported per label.";
constexpr const char* kRuleFailures =
    "Processing failures (unreadable file, undecodable image, engine errors other than no-face) "
    "are excluded from every rate and listed with their error.";
constexpr const char* kRuleTargets =
    "BPCER @ APCER = x uses the largest threshold whose APCER <= x; APCER @ BPCER = x uses the "
    "smallest threshold whose BPCER <= x (thresholds are observed scores; 'accept nothing' is "
    "just below the lowest score). EER = (APCER + BPCER) / 2 at the threshold where they are "
    "closest. AUC is rank-based (ties count 1/2).";
constexpr const char* kRuleLabels =
    "noface images are correct when no face is detected; multiface images when face_count >= 2.";

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
std::string pct(double rate) { return std::isnan(rate) ? "n/a" : fmt("%.2f%%", 100 * rate); }
std::string num(double v, const char* format = "%.4f") {
  return std::isnan(v) || std::isinf(v) ? "n/a" : fmt(format, v);
}
std::string thr(double t) { return num(t, "%.6g"); }
std::string md_cell(std::string s) {  // a table cell may not hold '|' or a newline
  for (char& c : s) {
    if (c == '|' || c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

json eer_json(const Eer& e) {
  return {{"eer", e.eer}, {"threshold", e.threshold}, {"apcer", e.apcer}, {"bpcer", e.bpcer}};
}

json point_json(const OperatingPoint& p) {
  return {{"threshold", p.threshold},
          {"apcer_by_type", p.apcer_by_type},
          {"apcer_max", p.apcer_max},
          {"apcer_max_type", p.apcer_max_type},
          {"apcer_pooled", p.apcer_pooled},
          {"bpcer", p.bpcer},
          {"acer", p.acer}};
}

json target_json(const TargetPoint& t, const char* target_name, const char* criterion) {
  json j = {{target_name, t.target}, {"reachable", t.reachable}};
  if (criterion) j["criterion"] = criterion;
  if (t.reachable) {
    j["threshold"] = t.point.threshold;
    j["apcer_max"] = t.point.apcer_max;
    j["apcer_pooled"] = t.point.apcer_pooled;
    j["bpcer"] = t.point.bpcer;
  }
  return j;
}

json pad_json(const PadSummary& p) {
  json j;
  j["bona_fide"] = p.bona_fide;
  j["bona_fide_failed_to_acquire"] = p.bona_fide_fta;
  j["attacks"] = p.attacks;
  j["attacks_failed_to_acquire"] = p.attacks_fta;
  j["at_threshold"] = point_json(p.at_threshold);
  j["auc"] = p.auc;
  j["eer"] = {{"max", eer_json(p.eer_max)}, {"pooled", eer_json(p.eer_pooled)}};
  j["bpcer_at_apcer"] = json::array();
  j["apcer_at_bpcer"] = json::array();
  for (std::size_t i = 0; i < kTargetRates.size(); ++i) {
    j["bpcer_at_apcer"].push_back(target_json(p.bpcer_at_apcer_max[i], "apcer_target", "max"));
    j["bpcer_at_apcer"].push_back(
        target_json(p.bpcer_at_apcer_pooled[i], "apcer_target", "pooled"));
    j["apcer_at_bpcer"].push_back(target_json(p.apcer_at_bpcer[i], "bpcer_target", nullptr));
  }
  j["per_attack_type"] = json::object();
  for (const auto& t : p.types) {
    json tj = {{"attacks", t.attacks},   {"failed_to_acquire", t.failed_to_acquire},
               {"apcer", t.apcer},       {"auc", t.auc},
               {"eer", eer_json(t.eer)}, {"bpcer_at_apcer", json::array()}};
    for (const auto& b : t.bpcer_at_apcer) {
      tj["bpcer_at_apcer"].push_back(target_json(b, "apcer_target", nullptr));
    }
    j["per_attack_type"][t.type] = std::move(tj);
  }
  return j;
}

double rate(std::size_t num, std::size_t den) {
  return den == 0 ? kUndefined : static_cast<double>(num) / static_cast<double>(den);
}

json error_json(const ItemOutcome& o) {
  if (!o.failed()) return nullptr;
  return {{"code", o.error_code}, {"message", o.error_message}};
}

std::string target_cell(const TargetPoint& t, bool show_bpcer) {
  if (!t.reachable) return "unreachable";
  return pct(show_bpcer ? t.point.bpcer : t.point.apcer_max) + " (T = " + thr(t.point.threshold) +
         ")";
}

}  // namespace

json report_json(const RunInfo& run, const std::vector<EvalItem>& items,
                 const std::vector<ItemOutcome>& outcomes, const EvalSummary& s) {
  json j;
  j["tool"] = "livecheck eval";
  j["created_utc"] = run.created_utc;
  j["input"] = {{"kind", run.input_kind}, {"path", run.input}, {"root", run.root}};
  j["engine"] = {{"model_pack_version", run.model_pack_version},
                 {"models", run.models},
                 {"detector", run.detector},
                 {"threads", run.threads},
                 {"wall_seconds", run.wall_seconds}};
  j["score"] = score_kind_name(s.score_kind);
  j["threshold"] = s.threshold;
  j["rules"] = {{"decision", kRuleDecision},      {"apcer_overall", kRuleApcerOverall},
                {"no_face", kRuleNoFace},         {"invalid_face", kRuleInvalidFace},
                {"failures", kRuleFailures},      {"operating_points", kRuleTargets},
                {"noface_multiface", kRuleLabels}};

  json by_label = json::object();
  for (const auto& [label, c] : s.by_label) {
    by_label[label_name(label)] = {{"images", c.total},
                                   {"checked", c.checked},
                                   {"no_face", c.no_face},
                                   {"invalid_face", c.invalid_face},
                                   {"failed", c.failed},
                                   {"no_face_rate", rate(c.no_face, c.total - c.failed)},
                                   {"invalid_face_rate", rate(c.invalid_face, c.checked)},
                                   {"failed_rate", rate(c.failed, c.total)}};
  }
  j["counts"] = {{"images", items.size()},
                 {"failed", s.failures.size()},
                 {"skipped", run.skipped},
                 {"by_label", by_label}};
  j["metrics"] = pad_json(s.pad);
  if (!s.by_source.empty()) {
    j["per_source"] = json::object();
    for (const auto& [source, pad] : s.by_source) j["per_source"][source] = pad_json(pad);
  }
  auto detection = [](const DetectionCounts& d) {
    return json{{"answered", d.answered},
                {"correct", d.correct},
                {"correct_rate", rate(d.correct, d.answered)}};
  };
  j["detection"] = {{"noface", detection(s.noface)}, {"multiface", detection(s.multiface)}};
  j["latency_ms"] = {{"n", s.latency.n},     {"p50", s.latency.p50}, {"p90", s.latency.p90},
                     {"p99", s.latency.p99}, {"max", s.latency.max}, {"mean", s.latency.mean}};

  j["failures"] = json::array();
  for (const std::size_t i : s.failures) {
    j["failures"].push_back({{"path", items[i].path},
                             {"label", label_name(items[i].label)},
                             {"attack_type", items[i].attack_type},
                             {"source", items[i].source},
                             {"error", error_json(outcomes[i])}});
  }
  j["images"] = json::array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const EvalItem& it = items[i];
    const ItemOutcome& o = outcomes[i];
    json row = {
        {"path", it.path},     {"label", label_name(it.label)}, {"attack_type", it.attack_type},
        {"source", it.source}, {"no_face", o.no_face},          {"error", error_json(o)}};
    if (o.checked) {
      const double score = judged_score(o, s.score_kind);
      row["score"] = score;
      row["raw"] = o.raw;
      row["calibrated"] = o.calibrated;
      row["face_count"] = o.face_count;
      row["valid_face"] = o.valid_face;
      row["latency_ms"] = o.latency_ms;
      if (it.label == Label::kLive || it.label == Label::kSpoof) {
        row["accepted"] = score <= s.threshold;
      }
    } else {
      row["score"] = nullptr;
      row["raw"] = nullptr;
      if (o.no_face && (it.label == Label::kLive || it.label == Label::kSpoof)) {
        row["accepted"] = false;
      }
    }
    if (!it.extra.empty()) {
      json extra = json::object();
      for (const auto& [k, v] : it.extra) extra[k] = v;
      row["extra"] = std::move(extra);
    }
    j["images"].push_back(std::move(row));
  }
  return j;
}

std::string report_markdown(const RunInfo& run, const std::vector<EvalItem>& items,
                            const std::vector<ItemOutcome>& outcomes, const EvalSummary& s) {
  std::string md;
  auto line = [&](const std::string& l = "") { md += l + "\n"; };
  const PadSummary& p = s.pad;
  const OperatingPoint& op = p.at_threshold;

  line("# livecheck eval report");
  line();
  line("- Input: " + run.input_kind + " `" + run.input + "`" +
       (run.input_kind == "manifest" ? " (paths relative to `" + run.root + "`)" : ""));
  line("- Images: " + std::to_string(items.size()) + ", of which " +
       std::to_string(s.failures.size()) + " failed (listed below), " +
       std::to_string(run.skipped.size()) + " manifest rows skipped (videos)");
  line("- Engine: model pack " + run.model_pack_version + ", detector " + run.detector + ", " +
       std::to_string(run.threads) + " threads, " + num(run.wall_seconds, "%.1f") + " s wall");
  line(std::string("- Score judged: **") + score_kind_name(s.score_kind) + "** (" +
       (s.score_kind == ScoreKind::kRaw ? "`scores.raw_spoof`, 1 - fused live probability"
                                        : "`isFakeLikelihood`, calibrated P(spoof)") +
       "); threshold **T = " + thr(s.threshold) + "**: accepted as bona fide when score <= T");
  line("- Created " + run.created_utc);
  line();

  line("## ISO/IEC 30107-3 metrics");
  line();
  line("Bona fide: " + std::to_string(p.bona_fide) + " (" + std::to_string(p.bona_fide_fta) +
       " without a face); attacks: " + std::to_string(p.attacks) + " (" +
       std::to_string(p.attacks_fta) + " without a face).");
  line();
  line("| metric | value |");
  line("|---|---|");
  line("| APCER at T, max over attack types (ISO)" +
       (op.apcer_max > 0 ? ": worst = " + op.apcer_max_type : std::string()) + " | " +
       pct(op.apcer_max) + " |");
  line("| APCER at T, pooled over all attacks | " + pct(op.apcer_pooled) + " |");
  line("| BPCER at T | " + pct(op.bpcer) + " |");
  line("| ACER at T = (APCER_max + BPCER) / 2 | " + pct(op.acer) + " |");
  line("| AUC (all attacks pooled) | " + num(p.auc) + " |");
  line("| EER, max over types | " + pct(p.eer_max.eer) + " (T = " + thr(p.eer_max.threshold) +
       ") |");
  line("| EER, pooled | " + pct(p.eer_pooled.eer) + " (T = " + thr(p.eer_pooled.threshold) + ") |");
  for (std::size_t i = 0; i < kTargetRates.size(); ++i) {
    const std::string target = pct(kTargetRates[i]);
    line("| BPCER @ APCER_max <= " + target + " | " + target_cell(p.bpcer_at_apcer_max[i], true) +
         " |");
    line("| BPCER @ APCER_pooled <= " + target + " | " +
         target_cell(p.bpcer_at_apcer_pooled[i], true) + " |");
  }
  for (std::size_t i = 0; i < kTargetRates.size(); ++i) {
    const TargetPoint& t = p.apcer_at_bpcer[i];
    line("| APCER_max @ BPCER <= " + pct(kTargetRates[i]) + " | " + target_cell(t, false) +
         (t.reachable ? "; pooled " + pct(t.point.apcer_pooled) : std::string()) + " |");
  }
  line();

  line("## Per attack type");
  line();
  line(
      "| attack type | attacks | no face | APCER at T | AUC | EER | BPCER @ APCER <= 1% | "
      "BPCER @ APCER <= 5% |");
  line("|---|---|---|---|---|---|---|---|");
  for (const auto& t : p.types) {
    line("| " + md_cell(t.type) + " | " + std::to_string(t.attacks) + " | " +
         std::to_string(t.failed_to_acquire) + " | " + pct(t.apcer) + " | " + num(t.auc) + " | " +
         pct(t.eer.eer) + " | " + target_cell(t.bpcer_at_apcer[0], true) + " | " +
         target_cell(t.bpcer_at_apcer[1], true) + " |");
  }
  line();

  line("## Answers per label");
  line();
  line(
      "| label | images | checked | no face | invalid face | failed | no-face rate | "
      "invalid-face rate |");
  line("|---|---|---|---|---|---|---|---|");
  for (const auto& [label, c] : s.by_label) {
    line(std::string("| ") + label_name(label) + " | " + std::to_string(c.total) + " | " +
         std::to_string(c.checked) + " | " + std::to_string(c.no_face) + " | " +
         std::to_string(c.invalid_face) + " | " + std::to_string(c.failed) + " | " +
         pct(rate(c.no_face, c.total - c.failed)) + " | " + pct(rate(c.invalid_face, c.checked)) +
         " |");
  }
  line();
  line("No-face rate: of the images that did not fail. Invalid-face rate: of the checked images.");
  line();
  const bool has_noface = s.by_label.contains(Label::kNoFace);
  const bool has_multiface = s.by_label.contains(Label::kMultiFace);
  if (has_noface || has_multiface) {
    line("| face-count set | answered | correct | correct rate |");
    line("|---|---|---|---|");
    auto row = [&](const char* name, const DetectionCounts& d) {
      line(std::string("| ") + name + " | " + std::to_string(d.answered) + " | " +
           std::to_string(d.correct) + " | " + pct(rate(d.correct, d.answered)) + " |");
    };
    if (has_noface) row("noface (correct: no face detected)", s.noface);
    if (has_multiface) row("multiface (correct: face_count >= 2)", s.multiface);
    line();
  }

  if (!s.by_source.empty()) {
    line("## Per source");
    line();
    line(
        "| source | live | spoof | no face (live/spoof) | BPCER at T | APCER at T (max) | AUC | "
        "EER (pooled) |");
    line("|---|---|---|---|---|---|---|---|");
    for (const auto& [source, sp] : s.by_source) {
      line("| " + md_cell(source.empty() ? "(none)" : source) + " | " +
           std::to_string(sp.bona_fide) + " | " + std::to_string(sp.attacks) + " | " +
           std::to_string(sp.bona_fide_fta) + "/" + std::to_string(sp.attacks_fta) + " | " +
           pct(sp.at_threshold.bpcer) + " | " + pct(sp.at_threshold.apcer_max) + " | " +
           num(sp.auc) + " | " + pct(sp.eer_pooled.eer) + " |");
    }
    line();
  }

  line("## Latency (`times.total_ms`, checked images)");
  line();
  line("| n | p50 | p90 | p99 | max | mean |");
  line("|---|---|---|---|---|---|");
  line("| " + std::to_string(s.latency.n) + " | " + num(s.latency.p50, "%.2f") + " | " +
       num(s.latency.p90, "%.2f") + " | " + num(s.latency.p99, "%.2f") + " | " +
       num(s.latency.max, "%.2f") + " | " + num(s.latency.mean, "%.2f") + " |");
  line();
  line("Milliseconds of wall clock per image inside the engine, measured while " +
       std::to_string(run.threads) + " images ran in parallel.");
  line();

  line("## Failures (" + std::to_string(s.failures.size()) + ")");
  line();
  if (s.failures.empty()) {
    line("None.");
  } else {
    line("| path | label | error |");
    line("|---|---|---|");
    for (const std::size_t i : s.failures) {
      line("| `" + md_cell(items[i].path) + "` | " + label_name(items[i].label) + " | " +
           md_cell(outcomes[i].error_code + ": " + outcomes[i].error_message) + " |");
    }
  }
  line();
  if (!run.skipped.empty()) {
    line("Skipped manifest rows: " + std::to_string(run.skipped.size()) + " (see report.json).");
    line();
  }

  line("## How the numbers are computed");
  line();
  for (const char* rule : {kRuleDecision, kRuleApcerOverall, kRuleNoFace, kRuleInvalidFace,
                           kRuleFailures, kRuleTargets, kRuleLabels}) {
    line(std::string("- ") + rule);
  }
  line();
  line("Figures: `det.png` (DET curve, probit axes), `hist.png` (score histograms).");
  return md;
}

Status write_report(const fs::path& out_dir, const RunInfo& run, const std::vector<EvalItem>& items,
                    const std::vector<ItemOutcome>& outcomes, const EvalSummary& summary) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::io_error("cannot create " + out_dir.string() + ": " + ec.message());
  auto write_text = [&](const char* name, const std::string& text) -> Status {
    const fs::path file = out_dir / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Status::io_error("cannot write " + file.string());
    return Status::ok();
  };
  if (Status st = write_text(
          "report.json", report_json(run, items, outcomes, summary)
                                 .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                             "\n");
      !st.is_ok()) {
    return st;
  }
  if (Status st = write_text("report.md", report_markdown(run, items, outcomes, summary));
      !st.is_ok()) {
    return st;
  }
  const std::string score = score_kind_name(summary.score_kind);
  if (Status st = write_png(draw_det(det_series(summary.samples, summary.threshold),
                                     "DET curve - " + score + " score"),
                            out_dir / "det.png");
      !st.is_ok()) {
    return st;
  }
  return write_png(
      draw_histogram(summary.samples, summary.threshold, "Score histogram - " + score + " score"),
      out_dir / "hist.png");
}

}  // namespace livecheck::eval
