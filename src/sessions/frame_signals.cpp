#include "sessions/frame_signals.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "sessions/perspective.h"

namespace livecheck::sessions {
namespace {

constexpr int kHashSide = 32;       // pHash input size
constexpr int kHashBlock = 8;       // lowest-frequency block kept
constexpr int kMinPatchPx = 24;     // smaller faces carry too little detail to compare
constexpr double kInnerFace = 0.6;  // share of the box used for colour (skin, little hair)
constexpr int kColourSide = 64;     // colour patches are compared at this size
constexpr int kChromaBins = 24;  // per axis, over r and g in [kChromaLo, kChromaLo + kChromaSpan]
constexpr double kChromaLo = 0.15;  // skin and its lighting lie well inside 0.15..0.65
constexpr double kChromaSpan = 0.5;
constexpr double kInnerCompare = 0.8;  // central share of the patch scored (warp borders out)
constexpr int kCoarsePatchPx = 48;     // first, wide alignment search
constexpr double kDegToRad = 3.14159265358979323846 / 180;

cv::Mat to_grey(const cv::Mat& bgr) {
  cv::Mat grey;
  if (bgr.channels() == 3) {
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  } else {
    grey = bgr;
  }
  return grey;
}

// Inner-face rectangle (central `share` of the box), clipped to the image.
cv::Rect inner_rect(const Box& box, double share, const cv::Mat& img) {
  const double w = box.width * share, h = box.height * share;
  const Point c = box.center();
  const cv::Rect r(static_cast<int>(std::floor(c.x - w / 2)),
                   static_cast<int>(std::floor(c.y - h / 2)), static_cast<int>(std::ceil(w)),
                   static_cast<int>(std::ceil(h)));
  return r & cv::Rect(0, 0, img.cols, img.rows);
}

// rg-chromaticity histogram (r = R / (R+G+B), g = G / (R+G+B)) of the inner face: unchanged by
// exposure and brightness scaling, which differ between a far and a near capture.
cv::Mat chroma_histogram(const cv::Mat& bgr, const Box& box) {
  const cv::Rect r = inner_rect(box, kInnerFace, bgr);
  if (bgr.type() != CV_8UC3 || r.width < 4 || r.height < 4) return {};
  cv::Mat small;
  cv::resize(bgr(r), small, cv::Size(kColourSide, kColourSide), 0, 0, cv::INTER_AREA);
  cv::Mat hist = cv::Mat::zeros(kChromaBins, kChromaBins, CV_32F);
  for (int y = 0; y < small.rows; ++y) {
    for (int x = 0; x < small.cols; ++x) {
      const cv::Vec3b p = small.at<cv::Vec3b>(y, x);
      const int sum = p[0] + p[1] + p[2];
      // Near-black pixels have no defined colour; near-white ones are clipped.
      if (sum < 3 * 30 || std::max({p[0], p[1], p[2]}) > 245) continue;
      const double rr = static_cast<double>(p[2]) / sum, gg = static_cast<double>(p[1]) / sum;
      const int ri = std::clamp(static_cast<int>((rr - kChromaLo) / kChromaSpan * kChromaBins), 0,
                                kChromaBins - 1);
      const int gi = std::clamp(static_cast<int>((gg - kChromaLo) / kChromaSpan * kChromaBins), 0,
                                kChromaBins - 1);
      hist.at<float>(ri, gi) += 1;
    }
  }
  if (cv::sum(hist)[0] <= 0) return {};
  cv::GaussianBlur(hist, hist, cv::Size(3, 3), 0.7);  // neighbouring bins are similar colours
  cv::normalize(hist, hist, 1, 0, cv::NORM_L1);
  return hist;
}

std::array<Point, 4> inner_points(const Keypoints& k) {
  return {k[static_cast<int>(Keypoint::kRightEye)], k[static_cast<int>(Keypoint::kLeftEye)],
          k[static_cast<int>(Keypoint::kNoseTip)], k[static_cast<int>(Keypoint::kMouth)]};
}

// An affine map from patch pixel (u, v) to source pixel coordinates (pixel centres at integers).
struct PatchMap {
  double m[6];  // x = m0 u + m1 v + m2, y = m3 u + m4 v + m5
  Point apply(double u, double v) const {
    return {m[0] * u + m[1] * v + m[2], m[3] * u + m[4] * v + m[5]};
  }
};

// Grey float patch n x n: pixel (u, v) shows the source at map(u, v). When the map shrinks the
// source, the covered region is first reduced with INTER_AREA so that bilinear sampling does not
// alias; both frames go through this same path.
cv::Mat sample_patch(const cv::Mat& grey, const PatchMap& map, int n) {
  double mm[6];
  std::copy(std::begin(map.m), std::end(map.m), mm);
  const double s = std::sqrt(std::abs(mm[0] * mm[4] - mm[1] * mm[3]));  // source px per patch px
  cv::Mat src = grey;
  if (s > 1.0 + 1e-6) {
    double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
    for (const Point c : {map.apply(-1, -1), map.apply(n, -1), map.apply(-1, n), map.apply(n, n)}) {
      x0 = std::min(x0, c.x), y0 = std::min(y0, c.y), x1 = std::max(x1, c.x),
      y1 = std::max(y1, c.y);
    }
    const cv::Rect crop =
        cv::Rect(static_cast<int>(std::floor(x0)) - 2, static_cast<int>(std::floor(y0)) - 2,
                 static_cast<int>(std::ceil(x1 - x0)) + 5,
                 static_cast<int>(std::ceil(y1 - y0)) + 5) &
        cv::Rect(0, 0, grey.cols, grey.rows);
    if (crop.width < 2 || crop.height < 2) return {};
    const cv::Size reduced(std::max(1, static_cast<int>(std::lround(crop.width / s))),
                           std::max(1, static_cast<int>(std::lround(crop.height / s))));
    cv::resize(grey(crop), src, reduced, 0, 0, cv::INTER_AREA);
    const double fx = static_cast<double>(reduced.width) / crop.width;
    const double fy = static_cast<double>(reduced.height) / crop.height;
    // INTER_AREA maps pixel centres as x' = (x + 0.5) f - 0.5.
    mm[0] *= fx, mm[1] *= fx, mm[2] = (mm[2] - crop.x + 0.5) * fx - 0.5;
    mm[3] *= fy, mm[4] *= fy, mm[5] = (mm[5] - crop.y + 0.5) * fy - 0.5;
  }
  cv::Mat out;
  const cv::Matx23d m(mm[0], mm[1], mm[2], mm[3], mm[4], mm[5]);
  cv::warpAffine(src, out, m, cv::Size(n, n), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_REPLICATE);
  out.convertTo(out, CV_32F);
  return out;
}

double ncc(const cv::Mat& a, const cv::Mat& b) {
  cv::Scalar ma, sa, mb, sb;
  cv::meanStdDev(a, ma, sa);
  cv::meanStdDev(b, mb, sb);
  if (sa[0] < 1e-6 || sb[0] < 1e-6) return 0;
  const double cov = cv::mean((a - ma[0]).mul(b - mb[0]))[0];
  return cov / (sa[0] * sb[0]);
}

cv::Mat inner(const cv::Mat& patch) {
  const int border = static_cast<int>(patch.cols * (1 - kInnerCompare) / 2);
  return patch(cv::Rect(border, border, patch.cols - 2 * border, patch.rows - 2 * border));
}

cv::Mat laplacian(const cv::Mat& patch) {
  cv::Mat lap;
  cv::Laplacian(patch, lap, CV_32F, 3);
  return lap;
}

// Similarity from box centres and widths, optionally rotated by the change of the eye-line
// angle.
Similarity box_similarity(const Box& from_box, const Keypoints& from_kp, const Box& to_box,
                          const Keypoints& to_kp, bool rotate) {
  auto eye_angle = [](const Keypoints& k) { return std::atan2(k[1].y - k[0].y, k[1].x - k[0].x); };
  const double scale = from_box.width > 0 ? to_box.width / from_box.width : 1;
  const double angle = rotate ? eye_angle(to_kp) - eye_angle(from_kp) : 0;
  Similarity s{scale * std::cos(angle), scale * std::sin(angle), 0, 0};
  const Point fc = from_box.center(), tc = to_box.center(), m = s.apply(fc);
  s.tx = tc.x - m.x;
  s.ty = tc.y - m.y;
  return s;
}

// A scale/angle tweak about the patch centre and a shift in patch sides (so that it carries over
// between resolutions).
struct Fit {
  double ncc = -2;
  double m = 1;
  double angle_deg = 0;
  double sx = 0;
  double sy = 0;
};

// Brings the big frame's face onto a square patch over the small frame's face box:
// patch (u, v) -> small frame (affine) -> big frame (the keypoint similarity, tweaked by a Fit).
class Aligner {
 public:
  Aligner(cv::Mat small, cv::Mat big, const Similarity& t, const Box& box)
      : small_(std::move(small)), big_(std::move(big)), t_(t), c_(box.center()) {
    side_ = std::min(
        {box.width, 2 * c_.x, 2 * c_.y, 2 * (small_.cols - c_.x), 2 * (small_.rows - c_.y)});
  }
  bool valid() const { return side_ >= kMinPatchPx && t_.scale() > 0; }
  double side() const { return side_; }
  double base_scale() const { return t_.scale(); }

  cv::Mat reference(int n) const { return sample_patch(small_, small_map(n), n); }

  cv::Mat moving(int n, const Fit& f) const {
    const PatchMap s = small_map(n);
    const double rad = f.angle_deg * kDegToRad;
    const double ca = f.m * std::cos(rad), sa = f.m * std::sin(rad);
    const double uc = (n - 1) / 2.0;
    auto at = [&](double u, double v) {
      const double du = u + f.sx * n - uc, dv = v + f.sy * n - uc;
      return t_.apply(s.apply(uc + ca * du - sa * dv, uc + sa * du + ca * dv));
    };
    const Point p0 = at(0, 0), pu = at(1, 0), pv = at(0, 1);
    return sample_patch(big_, {{pu.x - p0.x, pv.x - p0.x, p0.x, pu.y - p0.y, pv.y - p0.y, p0.y}},
                        n);
  }

  // Best NCC over scales x angles (relative to `start`), each candidate's shift found by phase
  // correlation from `start`'s shift.
  Fit search(int n, std::span<const double> scales, std::span<const double> angles,
             const Fit& start) const {
    const cv::Mat a = reference(n);
    if (a.empty()) return start;
    cv::Mat window;
    cv::createHanningWindow(window, cv::Size(n, n), CV_32F);
    Fit best = start;
    best.ncc = -2;
    for (double m : scales) {
      for (double ang : angles) {
        Fit f{-2, start.m * m, start.angle_deg + ang, start.sx, start.sy};
        cv::Mat b = moving(n, f);
        if (b.empty()) continue;
        // phaseCorrelate multiplies its inputs by the window in place when their size needs no
        // DFT padding (OpenCV 4.6): give it copies.
        const cv::Point2d shift = cv::phaseCorrelate(a.clone(), b, window);
        // A misfit that needs more than a quarter patch is not the same picture.
        f.sx = std::clamp(f.sx + shift.x / n, -0.25, 0.25);
        f.sy = std::clamp(f.sy + shift.y / n, -0.25, 0.25);
        b = moving(n, f);
        if (b.empty()) continue;
        f.ncc = ncc(inner(a), inner(b));
        if (f.ncc > best.ncc) best = f;
      }
    }
    return best;
  }

 private:
  PatchMap small_map(int n) const {
    const double k = side_ / n;  // small-frame px per patch px
    return {{k, 0, c_.x - side_ / 2 + 0.5 * k - 0.5, 0, k, c_.y - side_ / 2 + 0.5 * k - 0.5}};
  }

  cv::Mat small_, big_;
  Similarity t_;
  Point c_;
  double side_ = 0;
};

}  // namespace

Sha256 sha256(std::span<const std::uint8_t> bytes) {
  Sha256 d{};
  crypto_hash_sha256(d.data(), bytes.data(), bytes.size());
  return d;
}

std::string to_hex(const Sha256& digest) {
  std::string s(digest.size() * 2, '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    std::snprintf(&s[2 * i], 3, "%02x", digest[i]);
  }
  return s;
}

std::uint64_t phash64(const cv::Mat& bgr) {
  if (bgr.empty()) return 0;
  cv::Mat small, f, coeffs;
  cv::resize(to_grey(bgr), small, cv::Size(kHashSide, kHashSide), 0, 0, cv::INTER_AREA);
  small.convertTo(f, CV_32F);
  cv::dct(f, coeffs);
  std::array<float, kHashBlock * kHashBlock> block{};
  std::size_t i = 0;
  for (int y = 0; y < kHashBlock; ++y) {
    for (int x = 0; x < kHashBlock; ++x) block[i++] = coeffs.at<float>(y, x);
  }
  std::array<float, kHashBlock * kHashBlock - 1> ac{};
  std::copy(block.begin() + 1, block.end(), ac.begin());
  std::nth_element(ac.begin(), ac.begin() + ac.size() / 2, ac.end());
  const float median = ac[ac.size() / 2];
  std::uint64_t h = 0;
  for (std::size_t b = 0; b < block.size(); ++b) {
    if (block[b] > median) h |= std::uint64_t{1} << b;
  }
  return h;
}

int hamming_distance(std::uint64_t a, std::uint64_t b) { return std::popcount(a ^ b); }

double face_colour_distance(const cv::Mat& a_bgr, const Box& a_box, const cv::Mat& b_bgr,
                            const Box& b_box) {
  const cv::Mat ha = chroma_histogram(a_bgr, a_box), hb = chroma_histogram(b_bgr, b_box);
  if (ha.empty() || hb.empty()) return 1.0;
  return std::clamp(cv::compareHist(ha, hb, cv::HISTCMP_BHATTACHARYYA), 0.0, 1.0);
}

ResizedCopyStats compare_resized_copy(const cv::Mat& a_bgr, const Keypoints& a_kp, const Box& a_box,
                                      const cv::Mat& b_bgr, const Keypoints& b_kp, const Box& b_box,
                                      const ResizedCopyOptions& options) {
  ResizedCopyStats st;
  if (a_bgr.empty() || b_bgr.empty()) return st;
  // "small" is the frame whose face is smaller: it sets the comparison resolution.
  const bool a_small = distance(a_kp[0], a_kp[1]) <= distance(b_kp[0], b_kp[1]);
  const Box& box = a_small ? a_box : b_box;
  const Box& big_box = a_small ? b_box : a_box;
  const Keypoints& small_kp = a_small ? a_kp : b_kp;
  const Keypoints& big_kp = a_small ? b_kp : a_kp;
  const cv::Mat small_grey = to_grey(a_small ? a_bgr : b_bgr);
  const cv::Mat big_grey = to_grey(a_small ? b_bgr : a_bgr);
  // Three starting points: the similarity of the inner keypoints; box centre and width with the
  // eye-line angle; the same without rotation (a rescaled copy is rarely rotated). A small
  // face's keypoints can be several pixels and degrees off, its box less so; the best one
  // after the coarse search wins.
  const Aligner starts[] = {
      Aligner(small_grey, big_grey, fit_similarity(inner_points(small_kp), inner_points(big_kp)),
              box),
      Aligner(small_grey, big_grey, box_similarity(box, small_kp, big_box, big_kp, true), box),
      Aligner(small_grey, big_grey, box_similarity(box, small_kp, big_box, big_kp, false), box),
  };
  if (!starts[0].valid()) return st;
  const int n = std::min(options.patch_px, static_cast<int>(starts[0].side()));
  // Coarse to fine: +-15 % and +-2 degrees at low resolution, then finer steps; ~100 patch
  // comparisons, ~25-40 ms for 640x480 frames on one core.
  const int n1 = std::min(kCoarsePatchPx, n);
  constexpr double kCoarseScales[] = {0.86, 0.9, 0.95, 1.0, 1.05, 1.1, 1.16};
  constexpr double kCoarseAngles[] = {-2.0, 0.0, 2.0};
  constexpr double kMidScales[] = {0.975, 0.9875, 1.0, 1.0125, 1.025};
  constexpr double kMidAngles[] = {-1.0, 0.0, 1.0};
  constexpr double kScales[] = {0.99, 0.995, 1.0, 1.005, 1.01};
  constexpr double kAngles[] = {-0.5, 0.0, 0.5};
  constexpr double kFineScales[] = {0.9975, 1.0, 1.0025};
  constexpr double kFineAngles[] = {-0.25, 0.0, 0.25};
  const Aligner* best = nullptr;
  Fit fit;
  for (const Aligner& start : starts) {
    if (!start.valid()) continue;
    const Fit f = start.search(n1, kCoarseScales, kCoarseAngles, Fit{});
    if (best == nullptr || f.ncc > fit.ncc) best = &start, fit = f;
  }
  const Aligner& al = *best;
  fit = al.search(n1, kMidScales, kMidAngles, fit);
  fit = al.search(n, kScales, kAngles, fit);
  fit = al.search(n, kFineScales, kFineAngles, fit);
  if (fit.ncc < -1) return st;
  const cv::Mat a = al.reference(n), b = al.moving(n, fit);
  st.measured = true;
  st.scale = al.base_scale() * fit.m;
  st.ncc = fit.ncc;
  st.detail_ncc = ncc(inner(laplacian(a)), inner(laplacian(b)));
  st.is_copy = st.ncc >= options.min_ncc && st.detail_ncc >= options.min_detail_ncc;
  return st;
}

}  // namespace livecheck::sessions
