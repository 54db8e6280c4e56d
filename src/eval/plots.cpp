#include "plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace livecheck::eval {
namespace {

constexpr int kWidth = 900, kHeight = 700;
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
const cv::Scalar kWhite(255, 255, 255), kBlack(0, 0, 0), kGrid(215, 215, 215),
    kDarkGrey(90, 90, 90);
// Tableau-like palette, BGR. The pooled curve is drawn in near-black.
const cv::Scalar kPooledColour(40, 40, 40);
const cv::Scalar kPalette[] = {{180, 119, 31},  {14, 127, 255}, {44, 160, 44},   {40, 39, 214},
                               {189, 103, 148}, {75, 86, 140},  {194, 119, 227}, {34, 189, 188}};

void text(cv::Mat& img, const std::string& s, cv::Point at, double scale = 0.5,
          const cv::Scalar& colour = kBlack, int thickness = 1) {
  cv::putText(img, s, at, kFont, scale, colour, thickness, cv::LINE_AA);
}

// Text centred horizontally on x (and vertically on y when `middle`).
void text_centred(cv::Mat& img, const std::string& s, cv::Point at, double scale = 0.5,
                  bool middle = false, int thickness = 1) {
  int baseline = 0;
  const cv::Size size = cv::getTextSize(s, kFont, scale, thickness, &baseline);
  text(img, s, {at.x - size.width / 2, at.y + (middle ? size.height / 2 : 0)}, scale, kBlack,
       thickness);
}

// Text right-aligned on x, vertically centred on y.
void text_right(cv::Mat& img, const std::string& s, cv::Point at, double scale = 0.5) {
  int baseline = 0;
  const cv::Size size = cv::getTextSize(s, kFont, scale, 1, &baseline);
  text(img, s, {at.x - size.width, at.y + size.height / 2}, scale);
}

// Text rotated 90 degrees counter-clockwise, centred on `centre` (y-axis labels).
void text_vertical(cv::Mat& img, const std::string& s, cv::Point centre, double scale = 0.55) {
  int baseline = 0;
  const cv::Size size = cv::getTextSize(s, kFont, scale, 1, &baseline);
  cv::Mat strip(size.height + baseline + 4, size.width + 4, CV_8UC3, kWhite);
  text(strip, s, {2, size.height + 2}, scale);
  cv::Mat rotated;
  cv::rotate(strip, rotated, cv::ROTATE_90_COUNTERCLOCKWISE);
  const cv::Rect roi(centre.x - rotated.cols / 2, centre.y - rotated.rows / 2, rotated.cols,
                     rotated.rows);
  if ((roi & cv::Rect(0, 0, img.cols, img.rows)) == roi) rotated.copyTo(img(roi));
}

void dashed_line(cv::Mat& img, cv::Point a, cv::Point b, const cv::Scalar& colour, int thickness,
                 int dash = 8) {
  const double length = std::hypot(b.x - a.x, b.y - a.y);
  for (double d = 0; d < length; d += 2 * dash) {
    const double e = std::min(d + dash, length);
    auto at = [&](double t) {
      return cv::Point(static_cast<int>(std::lround(a.x + (b.x - a.x) * t / length)),
                       static_cast<int>(std::lround(a.y + (b.y - a.y) * t / length)));
    };
    cv::line(img, at(d), at(e), colour, thickness, cv::LINE_AA);
  }
}

std::string percent(double rate) {
  char buf[32];
  if (std::isnan(rate)) return "n/a";
  std::snprintf(buf, sizeof buf, rate < 0.01 && rate > 0 ? "%.2f%%" : "%.1f%%", 100 * rate);
  return buf;
}

// DET axes: both rates on probit scale between these bounds.
constexpr double kDetMin = 0.0005, kDetMax = 0.6;
constexpr double kDetTicks[] = {0.001, 0.01, 0.05, 0.1, 0.2, 0.4};
const char* const kDetTickLabels[] = {"0.1%", "1%", "5%", "10%", "20%", "40%"};

struct DetFrame {
  cv::Rect plot{90, 60, 520, 540};
  double lo = probit(kDetMin), hi = probit(kDetMax);
  double unit(double rate) const {  // 0..1 across the axis, clamped to its edges
    return std::clamp((probit(rate) - lo) / (hi - lo), 0.0, 1.0);
  }
  cv::Point at(double apcer, double bpcer) const {
    return {plot.x + static_cast<int>(std::lround(unit(apcer) * plot.width)),
            plot.y + static_cast<int>(std::lround((1 - unit(bpcer)) * plot.height))};
  }
};

}  // namespace

std::vector<DetSeries> det_series(const std::vector<ScoredSample>& samples, double threshold) {
  std::vector<DetSeries> out;
  const auto types = attack_types(samples);
  auto make = [&](const std::vector<ScoredSample>& subset, const std::string& name) {
    std::size_t attacks = 0;
    for (const auto& s : subset) attacks += s.attack;
    if (attacks == 0 || attacks == subset.size()) return;
    DetSeries d;
    d.name = name;
    for (const auto& p : sweep(subset)) d.points.emplace_back(p.apcer_pooled, p.bpcer);
    const OperatingPoint op = rates_at(subset, threshold);
    d.marker = {op.apcer_pooled, op.bpcer};
    d.note = "n=" + std::to_string(attacks) + "  EER " +
             percent(equal_error_rate(subset, ApcerKind::kPooled).eer) +
             "\nat T: " + percent(op.apcer_pooled) + " / " + percent(op.bpcer);
    out.push_back(std::move(d));
  };
  if (types.size() == 1) {
    make(samples, types.front());
    return out;
  }
  make(samples, "all attacks, pooled");
  for (const auto& type : types) make(restrict_to_type(samples, type), type);
  return out;
}

cv::Mat draw_det(const std::vector<DetSeries>& series, const std::string& title) {
  constexpr int kLegendStep = 76;  // pixels per legend entry (name + two note lines)
  cv::Mat img(kHeight, kWidth, CV_8UC3, kWhite);
  const DetFrame f;
  const cv::Rect& r = f.plot;
  for (std::size_t i = 0; i < std::size(kDetTicks); ++i) {
    const cv::Point p = f.at(kDetTicks[i], kDetTicks[i]);
    cv::line(img, {p.x, r.y}, {p.x, r.y + r.height}, kGrid, 1, cv::LINE_AA);
    cv::line(img, {r.x, p.y}, {r.x + r.width, p.y}, kGrid, 1, cv::LINE_AA);
    text_centred(img, kDetTickLabels[i], {p.x, r.y + r.height + 22});
    text_right(img, kDetTickLabels[i], {r.x - 8, p.y});
  }
  dashed_line(img, f.at(kDetMin, kDetMin), f.at(kDetMax, kDetMax), kGrid, 1, 5);  // APCER=BPCER
  cv::rectangle(img, r, kBlack, 1);
  text_centred(img, title, {kWidth / 2, 35}, 0.65, false, 2);
  text_centred(img, "APCER: attacks accepted as bona fide (probit scale)",
               {r.x + r.width / 2, r.y + r.height + 55}, 0.55);
  text_vertical(img, "BPCER: bona fide rejected (probit scale)", {28, r.y + r.height / 2});

  for (std::size_t i = 0; i < series.size(); ++i) {
    const cv::Scalar colour = i == 0 ? kPooledColour : kPalette[(i - 1) % std::size(kPalette)];
    const auto& pts = series[i].points;
    for (std::size_t k = 1; k < pts.size(); ++k) {
      cv::line(img, f.at(pts[k - 1].first, pts[k - 1].second), f.at(pts[k].first, pts[k].second),
               colour, 2, cv::LINE_AA);
    }
    if (series[i].marker.first >= 0) {
      const cv::Point m = f.at(series[i].marker.first, series[i].marker.second);
      cv::circle(img, m, 7, colour, cv::FILLED, cv::LINE_AA);
      cv::circle(img, m, 7, kBlack, 1, cv::LINE_AA);
    }
    // Legend, right of the plot.
    const int y = r.y + 20 + static_cast<int>(i) * kLegendStep;
    cv::line(img, {r.x + r.width + 16, y - 5}, {r.x + r.width + 40, y - 5}, colour, 3, cv::LINE_AA);
    text(img, series[i].name, {r.x + r.width + 48, y}, 0.5);
    int note_y = y + 22;
    for (std::size_t from = 0; from <= series[i].note.size(); note_y += 18) {
      const std::size_t to = std::min(series[i].note.find('\n', from), series[i].note.size());
      text(img, series[i].note.substr(from, to - from), {r.x + r.width + 48, note_y}, 0.42,
           kDarkGrey);
      from = to + 1;
    }
  }
  const int y = r.y + 20 + static_cast<int>(series.size()) * kLegendStep + 10;
  cv::circle(img, {r.x + r.width + 28, y - 5}, 6, kDarkGrey, cv::FILLED, cv::LINE_AA);
  text(img, "operating point at T", {r.x + r.width + 48, y}, 0.45, kDarkGrey);
  text(img, "at T: APCER / BPCER", {r.x + r.width + 48, y + 20}, 0.42, kDarkGrey);
  text(img, "lower left is better;", {r.x + r.width + 16, r.y + r.height - 30}, 0.45, kDarkGrey);
  text(img, "rates of 0 lie on the axes", {r.x + r.width + 16, r.y + r.height - 10}, 0.45,
       kDarkGrey);
  if (series.empty()) {
    text_centred(img, "no curve: needs both live and spoof samples",
                 {r.x + r.width / 2, r.y + r.height / 2}, 0.6);
  }
  return img;
}

cv::Mat draw_histogram(const std::vector<ScoredSample>& samples, double threshold,
                       const std::string& title) {
  constexpr int kBins = 40;
  std::vector<double> live(kBins, 0), spoof(kBins, 0);
  std::size_t n_live = 0, n_spoof = 0, fta_live = 0, fta_spoof = 0;
  for (const auto& s : samples) {
    if (s.score == kFailedToAcquire) {
      (s.attack ? fta_spoof : fta_live)++;
      continue;
    }
    const int bin = std::clamp(static_cast<int>(std::floor(s.score * kBins)), 0, kBins - 1);
    (s.attack ? spoof : live)[bin] += 1;
    (s.attack ? n_spoof : n_live)++;
  }
  double top = 0.05;
  for (int b = 0; b < kBins; ++b) {
    if (n_live) live[b] /= static_cast<double>(n_live);
    if (n_spoof) spoof[b] /= static_cast<double>(n_spoof);
    top = std::max({top, live[b], spoof[b]});
  }
  // Round the axis up to a multiple of 5% (10% above 50%).
  const double step = top > 0.5 ? 0.1 : 0.05;
  top = std::ceil(top * 1.05 / step) * step;

  cv::Mat img(kHeight, kWidth, CV_8UC3, kWhite);
  const cv::Rect r(90, 70, 770, 540);
  auto x_at = [&](double score) {
    return r.x + static_cast<int>(std::lround(std::clamp(score, 0.0, 1.0) * r.width));
  };
  auto y_at = [&](double share) {
    return r.y + r.height - static_cast<int>(std::lround(share / top * r.height));
  };
  for (double v = 0; v <= top + 1e-9; v += step) {
    cv::line(img, {r.x, y_at(v)}, {r.x + r.width, y_at(v)}, kGrid, 1, cv::LINE_AA);
    char label[16];
    std::snprintf(label, sizeof label, "%.0f%%", 100 * v);
    text_right(img, label, {r.x - 8, y_at(v)});
  }
  for (int i = 0; i <= 10; ++i) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%.1f", i / 10.0);
    cv::line(img, {x_at(i / 10.0), r.y}, {x_at(i / 10.0), r.y + r.height}, kGrid, 1, cv::LINE_AA);
    text_centred(img, buf, {x_at(i / 10.0), r.y + r.height + 22});
  }
  const cv::Scalar live_colour(60, 160, 40), spoof_colour(40, 40, 210);
  cv::Mat fill = img.clone();
  for (int b = 0; b < kBins; ++b) {
    const int x0 = x_at(static_cast<double>(b) / kBins),
              x1 = x_at(static_cast<double>(b + 1) / kBins);
    if (live[b] > 0)
      cv::rectangle(fill, {x0, y_at(live[b])}, {x1, y_at(0)}, live_colour, cv::FILLED);
    if (spoof[b] > 0) {
      cv::rectangle(fill, {x0, y_at(spoof[b])}, {x1, y_at(0)}, spoof_colour, cv::FILLED);
    }
  }
  cv::addWeighted(fill, 0.35, img, 0.65, 0, img);
  // Outlines as steps so that overlapping bars stay readable.
  for (const auto& [hist, colour] :
       {std::pair{&live, live_colour}, std::pair{&spoof, spoof_colour}}) {
    cv::Point prev(x_at(0), y_at(0));
    for (int b = 0; b < kBins; ++b) {
      const int x0 = x_at(static_cast<double>(b) / kBins),
                x1 = x_at(static_cast<double>(b + 1) / kBins);
      const int y = y_at((*hist)[b]);
      cv::line(img, prev, {x0, y}, colour, 2, cv::LINE_AA);
      cv::line(img, {x0, y}, {x1, y}, colour, 2, cv::LINE_AA);
      prev = {x1, y};
    }
    cv::line(img, prev, {x_at(1), y_at(0)}, colour, 2, cv::LINE_AA);
  }
  dashed_line(img, {x_at(threshold), r.y}, {x_at(threshold), r.y + r.height}, kBlack, 2);
  char tbuf[48];
  std::snprintf(tbuf, sizeof tbuf, "T = %.3g", threshold);
  text(img, tbuf, {x_at(threshold) + 6, r.y + 18}, 0.55, kBlack, 1);
  cv::rectangle(img, r, kBlack, 1);

  text_centred(img, title, {kWidth / 2, 35}, 0.65, false, 2);
  text_centred(img, "score (higher = more likely an attack); accepted as bona fide when score <= T",
               {r.x + r.width / 2, r.y + r.height + 55}, 0.55);
  text_vertical(img, "share of the class per bin", {24, r.y + r.height / 2});

  // Legend at the top centre: scores pile up at both ends.
  const int lx = r.x + r.width / 2 - 140, ly = r.y + 25;
  cv::rectangle(img, {lx - 10, ly - 18}, {lx + 290, ly + 62}, kWhite, cv::FILLED);
  cv::rectangle(img, {lx - 10, ly - 18}, {lx + 290, ly + 62}, kGrid, 1);
  cv::rectangle(img, {lx, ly - 10}, {lx + 24, ly + 2}, live_colour, cv::FILLED);
  text(img, "live (n=" + std::to_string(n_live) + ")", {lx + 34, ly}, 0.5);
  cv::rectangle(img, {lx, ly + 14}, {lx + 24, ly + 26}, spoof_colour, cv::FILLED);
  text(img, "spoof (n=" + std::to_string(n_spoof) + ")", {lx + 34, ly + 24}, 0.5);
  text(img,
       "no face, not shown: live " + std::to_string(fta_live) + ", spoof " +
           std::to_string(fta_spoof),
       {lx, ly + 50}, 0.42, kDarkGrey);
  return img;
}

Status write_png(const cv::Mat& image, const std::filesystem::path& file) {
  try {
    if (cv::imwrite(file.string(), image)) return Status::ok();
  } catch (const cv::Exception& e) {
    return Status::io_error("cannot write " + file.string() + ": " + e.what());
  }
  return Status::io_error("cannot write " + file.string());
}

}  // namespace livecheck::eval
