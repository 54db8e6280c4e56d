#include "summary.h"

#include <algorithm>
#include <numeric>

namespace livecheck::eval {

const char* score_kind_name(ScoreKind kind) {
  return kind == ScoreKind::kRaw ? "raw" : "calibrated";
}

double judged_score(const ItemOutcome& outcome, ScoreKind kind) {
  if (outcome.no_face) return kFailedToAcquire;
  return kind == ScoreKind::kRaw ? outcome.raw : outcome.calibrated;
}

PadSummary summarise_pad(const std::vector<ScoredSample>& samples, double threshold) {
  PadSummary p;
  for (const auto& s : samples) {
    const bool fta = s.score == kFailedToAcquire;
    if (s.attack) {
      ++p.attacks;
      p.attacks_fta += fta;
    } else {
      ++p.bona_fide;
      p.bona_fide_fta += fta;
    }
  }
  p.at_threshold = rates_at(samples, threshold);
  p.auc = auc(samples);
  p.eer_max = equal_error_rate(samples, ApcerKind::kMax);
  p.eer_pooled = equal_error_rate(samples, ApcerKind::kPooled);
  for (const double target : kTargetRates) {
    p.bpcer_at_apcer_max.push_back(bpcer_at_apcer(samples, target, ApcerKind::kMax));
    p.bpcer_at_apcer_pooled.push_back(bpcer_at_apcer(samples, target, ApcerKind::kPooled));
    p.apcer_at_bpcer.push_back(apcer_at_bpcer(samples, target));
  }
  for (const auto& type : attack_types(samples)) {
    const std::vector<ScoredSample> subset = restrict_to_type(samples, type);
    TypeSummary t;
    t.type = type;
    for (const auto& s : subset) {
      if (s.attack) {
        ++t.attacks;
        t.failed_to_acquire += s.score == kFailedToAcquire;
      }
    }
    t.apcer = p.at_threshold.apcer_by_type.at(type);
    t.auc = auc(subset);
    t.eer = equal_error_rate(subset, ApcerKind::kPooled);
    for (const double target : kTargetRates) {
      t.bpcer_at_apcer.push_back(bpcer_at_apcer(subset, target, ApcerKind::kPooled));
    }
    p.types.push_back(std::move(t));
  }
  return p;
}

EvalSummary summarise(const std::vector<EvalItem>& items, const std::vector<ItemOutcome>& outcomes,
                      ScoreKind kind, double threshold, bool with_sources) {
  EvalSummary s;
  s.score_kind = kind;
  s.threshold = threshold;
  std::map<std::string, std::vector<ScoredSample>> by_source;
  std::vector<double> latencies;
  for (std::size_t i = 0; i < items.size() && i < outcomes.size(); ++i) {
    const EvalItem& item = items[i];
    const ItemOutcome& o = outcomes[i];
    LabelCounts& c = s.by_label[item.label];
    ++c.total;
    if (o.failed()) {
      ++c.failed;
      s.failures.push_back(i);
      continue;
    }
    if (o.checked) {
      ++c.checked;
      c.invalid_face += !o.valid_face;
      latencies.push_back(o.latency_ms);
    }
    c.no_face += o.no_face;
    switch (item.label) {
      case Label::kLive:
      case Label::kSpoof: {
        ScoredSample sample{judged_score(o, kind), item.label == Label::kSpoof, item.attack_type};
        if (with_sources) by_source[item.source].push_back(sample);
        s.samples.push_back(std::move(sample));
        break;
      }
      case Label::kNoFace:
        ++s.noface.answered;
        s.noface.correct += o.no_face;
        break;
      case Label::kMultiFace:
        ++s.multiface.answered;
        s.multiface.correct += o.checked && o.face_count >= 2;
        break;
    }
  }
  s.pad = summarise_pad(s.samples, threshold);
  for (auto& [source, samples] : by_source) {
    s.by_source.emplace_back(source, summarise_pad(samples, threshold));
  }
  s.latency.n = latencies.size();
  if (!latencies.empty()) {
    s.latency.p50 = percentile(latencies, 50);
    s.latency.p90 = percentile(latencies, 90);
    s.latency.p99 = percentile(latencies, 99);
    s.latency.max = *std::max_element(latencies.begin(), latencies.end());
    s.latency.mean = std::accumulate(latencies.begin(), latencies.end(), 0.0) /
                     static_cast<double>(latencies.size());
  }
  return s;
}

}  // namespace livecheck::eval
