// The two figures of an eval report, drawn with OpenCV's drawing functions (no plotting library):
//   * DET curve: APCER (x) against BPCER (y) on normal-deviate (probit) axes, one curve per
//     attack type plus all attacks pooled, the operating point at the threshold marked.
//   * Score histogram: live against spoof, as the share of each class per bin, threshold marked.
// Images are 900x700 BGR, antialiased. Rates of exactly 0 or 1 are drawn on the axis edge.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <utility>
#include <vector>

#include "livecheck/status.h"
#include "metrics.h"

namespace livecheck::eval {

struct DetSeries {
  std::string name;                               // legend text
  std::string note;                               // legend lines under the name, '\n'-separated
  std::vector<std::pair<double, double>> points;  // (APCER, BPCER) by increasing threshold
  std::pair<double, double> marker{-1.0, -1.0};   // operating point; negative = none
};

// One series per attack type (that type against all bona fide) and, first, all attacks pooled.
// Empty when there is no bona fide or no attack sample.
std::vector<DetSeries> det_series(const std::vector<ScoredSample>& samples, double threshold);

cv::Mat draw_det(const std::vector<DetSeries>& series, const std::string& title);

// Scores outside 0..1 are put in the end bins; failures to acquire (+inf) are left out and
// counted in the legend.
cv::Mat draw_histogram(const std::vector<ScoredSample>& samples, double threshold,
                       const std::string& title);

// io_error when the file cannot be written.
Status write_png(const cv::Mat& image, const std::filesystem::path& file);

}  // namespace livecheck::eval
