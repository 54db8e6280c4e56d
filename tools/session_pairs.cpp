// session_pairs: measures the cross-frame statistics of the session analysis (docs/SESSIONS.md).
//
//   build-sess/src/sessions/session_pairs [--section all|synthetic|dev|video|recapture|mismatch]
//       [--step N] [--threads N] [--far-scale 0.6] [--near-factor 2.0] [--tilt-deg 0]
//
// Sections:
//   synthetic  the 3D face model vs its flattened copy vs 2D similarity, projected at far/near
//              distances with pose jitter and keypoint noise (no engine);
//   dev        every N-th dev image turned into a flat far/near pair (far: the still shrunk into
//              a same-size grey canvas; near: a crop around the face, enlarged), i.e. a print or
//              screen shown at two distances, each frame JPEG q90, through measure_frame and
//              analyze_session;
//   video      real-motion pairs from the dev videos (frames whose face widths differ >= 1.25x):
//              a live person and a replay, at webcam distances (needs OpenCV videoio);
//   recapture  resized-copy and pHash statistics on pairs built from two *different* captures
//              (consecutive video frames, NUAA frames of one sitting): what a second real capture
//              of an unchanged scene looks like to the injection checks;
//   mismatch   same-face statistics on pairs of different people (different dev sources).
// Paths: LIVECHECK_MODEL_DIR / LIVECHECK_SHARED_DIR (environment, else the build's defaults).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <numbers>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#ifdef LIVECHECK_HAVE_VIDEOIO
#include <opencv2/videoio.hpp>
#endif

#include "livecheck/engine.h"
#include "sessions/cross_frame.h"
#include "sessions/face_model.h"
#include "sessions/frame_evidence.h"
#include "sessions/perspective.h"

namespace lc = livecheck;
namespace ss = livecheck::sessions;

namespace {

struct Args {
  std::string section = "all";
  int step = 4;
  int threads = 2;
  double far_scale = 0.6;
  double near_factor = 2.0;
  double tilt_deg = 0;
  int draws = 2000;
};

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}
std::string shared_dir() { return env_or("LIVECHECK_SHARED_DIR", LIVECHECK_SHARED_DIR); }
std::string dev_dir() { return shared_dir() + "/datasets/dev"; }

// Sample distribution with the summary the docs report.
struct Dist {
  Dist() = default;
  explicit Dist(std::string n) : name(std::move(n)) {}
  std::string name;
  std::vector<double> v;
  void add(double x) { v.push_back(x); }
  double pct(double p) const {
    std::vector<double> s = v;
    std::sort(s.begin(), s.end());
    const double pos = p * (s.size() - 1);
    const std::size_t i = static_cast<std::size_t>(pos);
    return i + 1 < s.size() ? s[i] + (pos - i) * (s[i + 1] - s[i]) : s[i];
  }
  double rate(const std::function<bool(double)>& f) const {
    return v.empty() ? 0 : static_cast<double>(std::count_if(v.begin(), v.end(), f)) / v.size();
  }
  void print(const char* rate_label = nullptr, const std::function<bool(double)>& f = {}) const {
    if (v.empty()) {
      std::printf("  %-44s n=0\n", name.c_str());
      return;
    }
    std::printf("  %-44s n=%-5zu p5 %+.4f  median %+.4f  p95 %+.4f  min %+.4f  max %+.4f",
                name.c_str(), v.size(), pct(0.05), pct(0.5), pct(0.95), pct(0), pct(1));
    if (rate_label != nullptr) std::printf("  %s %.2f%%", rate_label, 100 * rate(f));
    std::printf("\n");
  }
};

const double kMinParallax = ss::PerspectiveOptions{}.min_ear_parallax;
bool is_3d(double s) { return s >= kMinParallax; }
bool is_flat(double s) { return s < kMinParallax; }

// ---- synthetic ---------------------------------------------------------------------------
void synthetic(const Args& a) {
  std::printf(
      "== synthetic: %d draws, seed 7, far 40-50 cm, near 20-25 cm, pose jitter "
      "yaw/pitch +-8 deg, roll +-10 deg, offsets +-30 mm, keypoint noise 0.5 %% IOD\n",
      a.draws);
  std::mt19937 rng(7);
  auto u = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  std::normal_distribution<double> gauss(0, 1);
  Dist d3{"3D face (ears 80-100 mm behind nose)"}, dflat{"flattened face (print), same poses"},
      d2d{"2D similarity + noise"}, d3min{"3D face, 45 -> 30 cm (x1.5)"},
      dres3{"3D: affine residual / IOD"}, dresf{"flat: affine residual / IOD"};
  for (int i = 0; i < a.draws; ++i) {
    const ss::FaceModel3d face = ss::typical_face_model(u(80, 100), u(20, 28));
    const ss::PinholeCamera cam{u(600, 1000), 360, 480};
    auto pose = [&](double dist) {
      return ss::HeadPose{dist, u(-30, 30), u(-30, 30), u(-8, 8), u(-8, 8), u(-10, 10)};
    };
    const ss::HeadPose pf = pose(u(400, 500)), pn = pose(u(200, 250));
    auto noisy = [&](ss::Keypoints k) {
      const double sigma = 0.005 * ss::distance(k[0], k[1]);
      for (lc::Point& p : k) p = {p.x + sigma * gauss(rng), p.y + sigma * gauss(rng)};
      return k;
    };
    const auto s3 = ss::measure_perspective(noisy(ss::project(face, pf, cam)),
                                            noisy(ss::project(face, pn, cam)));
    const ss::FaceModel3d flat = ss::flattened(face);
    const auto sf = ss::measure_perspective(noisy(ss::project(flat, pf, cam)),
                                            noisy(ss::project(flat, pn, cam)));
    // Pure 2D: the far keypoints scaled x1.6-2.2, rotated +-10 deg, shifted, re-noised.
    const ss::Keypoints kf = noisy(ss::project(flat, pf, cam));
    const double sc = u(1.6, 2.2), ang = u(-10, 10) * std::numbers::pi / 180;
    const ss::Similarity t{sc * std::cos(ang), sc * std::sin(ang), u(-100, 100), u(-100, 100)};
    ss::Keypoints kn{};
    for (int k = 0; k < lc::kKeypointCount; ++k) kn[k] = t.apply(kf[k]);
    const auto s2 = ss::measure_perspective(kf, noisy(kn));
    // The smallest move the analysis accepts (SessionOptions::min_scale 1.5): 45 -> 30 cm.
    const ss::HeadPose mf = pose(450), mn = pose(300);
    d3min.add(ss::measure_perspective(noisy(ss::project(face, mf, cam)),
                                      noisy(ss::project(face, mn, cam)))
                  .ear_parallax);
    d3.add(s3.ear_parallax);
    dflat.add(sf.ear_parallax);
    d2d.add(s2.ear_parallax);
    dres3.add(s3.affine_residual);
    dresf.add(sf.affine_residual);
  }
  d3.print("called 3D", is_3d);
  d3min.print("called 3D", is_3d);
  dflat.print("called flat", is_flat);
  d2d.print("called flat", is_flat);
  dres3.print();
  dresf.print();
  const ss::FaceModel3d m = ss::typical_face_model();
  std::printf(
      "  expected (frontal, model ears 90 mm, eyes 24 mm): 45->22 cm %.3f, 40->25 cm "
      "%.3f, 50->20 cm %.3f, 60->45 cm (webcam) %.3f\n",
      ss::expected_ear_parallax(m, 450, 220), ss::expected_ear_parallax(m, 400, 250),
      ss::expected_ear_parallax(m, 500, 200), ss::expected_ear_parallax(m, 600, 450));
}

// ---- pair building -----------------------------------------------------------------------
std::vector<std::uint8_t> jpeg(const cv::Mat& img) {
  std::vector<std::uint8_t> buf;
  cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, 90});
  return buf;
}

// Homography of the image plane rotated about its centre by yaw/pitch (a tilted print), focal
// length = image width.
cv::Mat tilt(const cv::Mat& img, double yaw_deg, double pitch_deg) {
  if (yaw_deg == 0 && pitch_deg == 0) return img;
  const double f = img.cols, y = yaw_deg * std::numbers::pi / 180,
               p = pitch_deg * std::numbers::pi / 180;
  const cv::Matx33d k(f, 0, img.cols / 2.0, 0, f, img.rows / 2.0, 0, 0, 1);
  const cv::Matx33d ry(std::cos(y), 0, std::sin(y), 0, 1, 0, -std::sin(y), 0, std::cos(y));
  const cv::Matx33d rx(1, 0, 0, 0, std::cos(p), -std::sin(p), 0, std::sin(p), std::cos(p));
  const cv::Matx33d r = ry * rx;
  cv::Matx33d e3e3 = cv::Matx33d::zeros();
  e3e3(2, 2) = 1;
  const cv::Matx33d h = k * (r + (cv::Matx33d::eye() - r) * e3e3) * k.inv();
  cv::Mat out;
  cv::warpPerspective(img, out, cv::Mat(h), img.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                      cv::Scalar::all(128));
  return out;
}

cv::Mat make_far(const cv::Mat& img, double far_scale) {
  cv::Mat canvas(img.size(), img.type(), cv::Scalar::all(128)), small;
  cv::resize(img, small, cv::Size(), far_scale, far_scale, cv::INTER_AREA);
  small.copyTo(canvas(
      cv::Rect((img.cols - small.cols) / 2, (img.rows - small.rows) / 2, small.cols, small.rows)));
  return canvas;
}

// The crop that makes the face `factor` x bigger (relative to the frame) than in make_far.
cv::Mat make_near(const cv::Mat& img, const lc::Box& face, double far_scale, double factor) {
  const double frac = std::min(1.0, 1.0 / (far_scale * factor));
  const int cw = std::max(16, static_cast<int>(img.cols * frac));
  const int ch = std::max(16, static_cast<int>(img.rows * frac));
  const lc::Point c = face.center();
  const int x0 = std::clamp(static_cast<int>(c.x - cw / 2.0), 0, img.cols - cw);
  const int y0 = std::clamp(static_cast<int>(c.y - ch / 2.0), 0, img.rows - ch);
  cv::Mat near;
  cv::resize(img(cv::Rect(x0, y0, cw, ch)), near, img.size(), 0, 0, cv::INTER_LINEAR);
  return near;
}

struct Engine {
  std::shared_ptr<const lc::Engine> engine;
  explicit Engine() {
    auto e = lc::Engine::load({.model_dir = env_or("LIVECHECK_MODEL_DIR", LIVECHECK_MODEL_DIR)});
    if (!e.is_ok()) {
      std::fprintf(stderr, "engine: %s\n", e.status().to_string().c_str());
      std::exit(1);
    }
    engine = e.value();
  }
};

ss::FrameEvidence measure(lc::Runner& r, const cv::Mat& img) {
  ss::FrameEvidence e;
  const auto bytes = jpeg(img);
  const lc::Status s = ss::measure_frame(r, bytes, lc::ImageFormat::kJpeg, {}, &e);
  if (!s.is_ok()) std::fprintf(stderr, "measure_frame: %s\n", s.to_string().c_str());
  return e;
}

ss::SessionContext context() {
  ss::SessionContext c;
  c.far_captured_at_ms = 1'000'000;
  c.near_captured_at_ms = 1'002'000;
  c.server_now_ms = 1'003'000;
  c.nonce_ok = true;
  return c;
}

struct ManifestRow {
  std::string path, label, notes;
};
std::vector<ManifestRow> manifest() {
  std::ifstream in(dev_dir() + "/MANIFEST.tsv");
  std::string line;
  std::getline(in, line);
  std::vector<ManifestRow> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 9 || cols[0].rfind("videos/", 0) == 0) continue;
    rows.push_back({cols[0], cols[1], cols[8]});
  }
  return rows;
}

// Runs `work(runner, i)` for i in [0, n) on `threads` runners.
void parallel(const Engine& eng, int threads, int n,
              const std::function<void(lc::Runner&, int)>& work) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto r = eng.engine->make_runner();
      if (!r.is_ok()) return;
      for (int i = next++; i < n; i = next++) work(*r.value(), i);
    });
  }
  for (auto& th : pool) th.join();
}

// ---- dev ---------------------------------------------------------------------------------
void dev(const Args& a, const Engine& eng) {
  std::vector<ManifestRow> rows;
  const auto all = manifest();
  for (std::size_t i = 0; i < all.size(); i += a.step) rows.push_back(all[i]);
  std::printf(
      "== dev: %zu flat pairs (every %d-th dev image), far = still x%.2f in a grey "
      "canvas, near = face crop making the face x%.2f bigger, print tilt +-%.0f deg, "
      "JPEG q90\n",
      rows.size(), a.step, a.far_scale, a.near_factor, a.tilt_deg);
  std::mutex mu;
  std::map<std::string, Dist> d;
  std::map<std::string, int> attack, reason;
  int skipped = 0;
  parallel(eng, a.threads, static_cast<int>(rows.size()), [&](lc::Runner& r, int i) {
    const ManifestRow& row = rows[i];
    const cv::Mat img = cv::imread(dev_dir() + "/" + row.path, cv::IMREAD_COLOR);
    lc::CheckResult base;
    if (img.empty() || !r.check(jpeg(img), lc::ImageFormat::kJpeg, {}, &base).is_ok()) {
      std::lock_guard lock(mu);
      ++skipped;
      return;
    }
    std::mt19937 rng(static_cast<unsigned>(i));
    std::uniform_real_distribution<double> t(-a.tilt_deg, a.tilt_deg);
    const cv::Mat far = tilt(make_far(img, a.far_scale), t(rng), t(rng));
    const cv::Mat near =
        tilt(make_near(img, base.face.box, a.far_scale, a.near_factor), t(rng), t(rng));
    const auto t0 = std::chrono::steady_clock::now();
    const ss::FrameEvidence ef = measure(r, far), en = measure(r, near);
    const auto t1 = std::chrono::steady_clock::now();
    const ss::SessionAnalysis an = ss::analyze_session(ef, en, context());
    const auto t2 = std::chrono::steady_clock::now();
    ss::SessionOptions raw_opts;
    raw_opts.require_canonical_keypoints = false;
    ss::FrameEvidence ef_raw = ef, en_raw = en;
    ef_raw.canonical.reset();
    en_raw.canonical.reset();
    const ss::SessionAnalysis raw = ss::analyze_session(ef_raw, en_raw, context(), raw_opts);
    std::lock_guard lock(mu);
    if (!ef.check || !en.check) {
      ++skipped;
      return;
    }
    const bool full = row.notes.find("full-frame") != std::string::npos;
    if (full) {  // 640x480 frames; wall clock with the other thread busy too
      d["time: measure_frame x2, ms, full frames"].add(
          std::chrono::duration<double, std::milli>(t1 - t0).count());
      d["time: analyze_session, ms, full frames"].add(
          std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    const bool good = ef.check->quality.valid && en.check->quality.valid;
    if (an.perspective.measured) {
      d["ear_parallax, canonical, all"].add(an.perspective.ear_parallax);
      d[full ? "ear_parallax, canonical, full frames" : "ear_parallax, canonical, face crops"].add(
          an.perspective.ear_parallax);
      if (good) d["ear_parallax, canonical, quality ok"].add(an.perspective.ear_parallax);
      d["affine residual / IOD, canonical"].add(an.perspective.affine_residual);
      d["nose ratio change, canonical"].add(an.perspective.nose_ratio_change);
      d["face scale near/far"].add(an.face_scale);
    } else {
      d["(canonical keypoints missing)"].add(0);
    }
    if (raw.perspective.measured)
      d["ear_parallax, raw keypoints, all"].add(raw.perspective.ear_parallax);
    if (an.resized_copy.measured) {
      d["resized copy: detail NCC"].add(an.resized_copy.detail_ncc);
      d[full ? "resized copy: NCC, full frames" : "resized copy: NCC, face crops"].add(
          an.resized_copy.ncc);
    }
    d["pHash distance far/near"].add(an.phash_distance);
    if (an.same_face.colour_distance >= 0)
      d["same face: colour distance"].add(an.same_face.colour_distance);
    d["same face: mouth ratio change"].add(an.same_face.mouth_ratio_change);
    d["same face: centre shift"].add(an.same_face.centre_shift);
    d["p(spoof) far, " + row.label].add(ef.check->is_fake_likelihood);
    d["p(spoof) near, " + row.label].add(en.check->is_fake_likelihood);
    attack[an.attack_type ? std::to_string(*an.attack_type) : "null"]++;
    for (const auto& rs : an.reasons) reason[rs]++;
  });
  std::printf("  skipped (no face in the still or a frame): %d\n", skipped);
  for (auto& [name, dist] : d) {
    dist.name = name;
    if (name.rfind("ear_parallax", 0) == 0) {
      dist.print("called flat", is_flat);
    } else if (name.rfind("resized copy: NCC", 0) == 0) {
      dist.print("called copy", [](double v) { return v >= ss::ResizedCopyOptions{}.min_ncc; });
    } else if (name.rfind("pHash", 0) == 0) {
      dist.print("<= identical bits",
                 [](double v) { return v <= ss::SessionOptions{}.identical_max_bits; });
    } else if (name.rfind("same face: colour", 0) == 0) {
      dist.print("over limit",
                 [](double v) { return v > ss::SessionOptions{}.max_colour_distance; });
    } else {
      dist.print();
    }
  }
  std::printf("  attackType:");
  for (auto& [k, n] : attack) std::printf(" %s=%d", k.c_str(), n);
  std::printf("\n  reasons:");
  for (auto& [k, n] : reason) std::printf(" %s=%d", k.c_str(), n);
  std::printf("\n");
}

// ---- videos ------------------------------------------------------------------------------
std::vector<cv::Mat> read_video(const std::string& path) {
  std::vector<cv::Mat> frames;
#ifdef LIVECHECK_HAVE_VIDEOIO
  cv::VideoCapture cap(path);
  cv::Mat f;
  while (cap.read(f)) frames.push_back(f.clone());
#else
  (void)path;
#endif
  return frames;
}

const char* kVideos[] = {"Apfol__videos_real2.webm", "Apfol__videos_fake2.webm",
                         "WOLF-huo__videos_eff17845a21796d55db31abd0579ac76.mp4",
                         "WOLF-huo__videos_089ebaf677f4790cae56915cb67a1fa3.mp4"};

void video(const Args& a, const Engine& eng) {
  std::printf("== video: real-motion pairs (face width ratio >= 1.25, far = smaller face)\n");
  for (const char* name : kVideos) {
    const auto frames = read_video(dev_dir() + "/videos/" + name);
    if (frames.empty()) {
      std::printf("  %s: no frames (OpenCV videoio unavailable?)\n", name);
      continue;
    }
    std::vector<ss::FrameEvidence> ev(frames.size());
    parallel(eng, a.threads, static_cast<int>(frames.size()),
             [&](lc::Runner& r, int i) { ev[i] = measure(r, frames[i]); });
    Dist d{std::string(name).substr(0, 30) + ": ear_parallax"}, raw{"  same, raw keypoints"},
        copy{"  resized-copy NCC of these real pairs"};
    int pair_index = 0;
    double wmin = 1e9, wmax = 0;
    for (std::size_t i = 0; i < ev.size(); ++i) {
      if (!ev[i].canonical) continue;
      wmin = std::min(wmin, ev[i].check->face.box.width);
      wmax = std::max(wmax, ev[i].check->face.box.width);
      for (std::size_t j = 0; j < ev.size(); ++j) {
        if (!ev[j].canonical || ev[j].check->face.box.width < 1.25 * ev[i].check->face.box.width)
          continue;
        d.add(ss::measure_perspective(ev[i].canonical->keypoints, ev[j].canonical->keypoints)
                  .ear_parallax);
        raw.add(ss::measure_perspective(ev[i].check->face.keypoints, ev[j].check->face.keypoints)
                    .ear_parallax);
        if (pair_index++ % 10 == 0) {  // the image comparison is slower: a sample of the pairs
          const auto c = ss::compare_resized_copy(
              ev[i].bgr, ev[i].check->face.keypoints, ev[i].check->face.box, ev[j].bgr,
              ev[j].check->face.keypoints, ev[j].check->face.box);
          if (c.measured) copy.add(c.ncc);
        }
      }
    }
    std::printf("  %s: %zu frames, face width %.0f-%.0f px\n", name, frames.size(), wmin, wmax);
    d.print("called 3D", is_3d);
    raw.print("called 3D", is_3d);
    copy.print("called copy", [](double v) { return v >= ss::ResizedCopyOptions{}.min_ncc; });
  }
}

// ---- recapture ---------------------------------------------------------------------------
void recapture(const Args& a, const Engine& eng) {
  std::printf(
      "== recapture: far from capture A, near from a different capture B of the same "
      "scene (same digital scaling as dev)\n");
  std::vector<std::pair<cv::Mat, cv::Mat>> pairs;
  std::vector<std::string> kinds;
  for (const char* name : kVideos) {
    const auto frames = read_video(dev_dir() + "/videos/" + name);
    for (std::size_t i = 0; i + 10 < frames.size(); i += 4 * a.step) {
      for (int gap : {1, 10}) {
        pairs.emplace_back(frames[i], frames[i + gap]);
        kinds.push_back(std::string("video frames ") + (gap == 1 ? "1 apart" : "10 apart"));
      }
    }
  }
  // NUAA: consecutive sampled frames of one sitting (same file-name prefix).
  const auto rows = manifest();
  for (std::size_t i = 0; i + 1 < rows.size(); i += a.step) {
    const auto prefix = [](const std::string& p) { return p.substr(0, p.rfind('_')); };
    if (rows[i].path.find("nuaa__") == std::string::npos ||
        prefix(rows[i].path) != prefix(rows[i + 1].path))
      continue;
    pairs.emplace_back(cv::imread(dev_dir() + "/" + rows[i].path),
                       cv::imread(dev_dir() + "/" + rows[i + 1].path));
    kinds.push_back("NUAA frames of one sitting");
  }
  std::mutex mu;
  std::map<std::string, Dist> d;
  parallel(eng, a.threads, static_cast<int>(pairs.size()), [&](lc::Runner& r, int i) {
    const auto& [fa, fb] = pairs[i];
    lc::CheckResult base;
    if (fa.empty() || fb.empty() || !r.check(jpeg(fb), lc::ImageFormat::kJpeg, {}, &base).is_ok())
      return;
    const ss::FrameEvidence ef = measure(r, make_far(fa, a.far_scale));
    const ss::FrameEvidence en =
        measure(r, make_near(fb, base.face.box, a.far_scale, a.near_factor));
    const ss::SessionAnalysis an = ss::analyze_session(ef, en, context());
    // pHash of the two captures as they are (no scaling): the replay check's closest case.
    const int ph = ss::hamming_distance(ss::phash64(fa), ss::phash64(fb));
    cv::Mat re;
    cv::resize(fa, re, cv::Size(), 0.9, 0.9, cv::INTER_AREA);
    const int same = ss::hamming_distance(ss::phash64(fa),
                                          ss::phash64(cv::imdecode(jpeg(re), cv::IMREAD_COLOR)));
    std::lock_guard lock(mu);
    if (an.resized_copy.measured) d[kinds[i] + ": NCC"].add(an.resized_copy.ncc);
    d[kinds[i] + ": pHash A vs B"].add(ph);
    d["same frame x0.9 + JPEG q90: pHash"].add(same);
  });
  for (auto& [name, dist] : d) {
    dist.name = name;
    if (name.find("NCC") != std::string::npos) {
      dist.print("called copy", [](double v) { return v >= ss::ResizedCopyOptions{}.min_ncc; });
    } else {
      dist.print("<= replay bits",
                 [](double v) { return v <= ss::SessionOptions{}.replay_max_bits; });
    }
  }
}

// ---- mismatch ----------------------------------------------------------------------------
void mismatch(const Args& a, const Engine& eng) {
  const auto rows = manifest();
  std::map<std::string, std::vector<std::string>> by_source;
  for (const auto& r : rows) {
    const std::string src =
        r.path.substr(r.path.find('/') + 1, r.path.find("__") - r.path.find('/') - 1);
    if (r.notes.find("full-frame") != std::string::npos) by_source[src].push_back(r.path);
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> sources;
  for (auto& [s, v] : by_source) sources.push_back(s);
  std::mt19937 rng(11);
  for (int i = 0; i < 400 / a.step; ++i) {
    const std::string& sa = sources[rng() % sources.size()];
    const std::string& sb = sources[rng() % sources.size()];
    if (sa == sb || sa.rfind("vid-", 0) == 0) continue;
    pairs.emplace_back(by_source[sa][rng() % by_source[sa].size()],
                       by_source[sb][rng() % by_source[sb].size()]);
  }
  std::printf("== mismatch: %zu pairs of full frames from different sources (different people)\n",
              pairs.size());
  std::mutex mu;
  Dist colour{"colour distance"}, mouth{"|mouth ratio change|"}, centre{"centre shift"};
  int flagged = 0, n = 0;
  parallel(eng, a.threads, static_cast<int>(pairs.size()), [&](lc::Runner& r, int i) {
    const cv::Mat ia = cv::imread(dev_dir() + "/" + pairs[i].first),
                  ib = cv::imread(dev_dir() + "/" + pairs[i].second);
    lc::CheckResult base;
    if (ia.empty() || ib.empty() || !r.check(jpeg(ib), lc::ImageFormat::kJpeg, {}, &base).is_ok())
      return;
    const ss::FrameEvidence ef = measure(r, make_far(ia, a.far_scale));
    const ss::FrameEvidence en =
        measure(r, make_near(ib, base.face.box, a.far_scale, a.near_factor));
    if (!ef.check || !en.check) return;
    const ss::SessionAnalysis an = ss::analyze_session(ef, en, context());
    std::lock_guard lock(mu);
    ++n;
    flagged += !an.same_face.consistent;
    colour.add(an.same_face.colour_distance);
    mouth.add(std::abs(an.same_face.mouth_ratio_change));
    centre.add(an.same_face.centre_shift);
  });
  const ss::SessionOptions o;
  colour.print("over limit", [&](double v) { return v > o.max_colour_distance; });
  mouth.print("over limit", [&](double v) { return v > o.max_mouth_ratio_change; });
  centre.print("over limit", [&](double v) { return v > o.max_centre_shift; });
  std::printf("  face_mismatch raised on %d of %d different-person pairs\n", flagged, n);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows when redirected to a file
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (k == "--section")
      a.section = next();
    else if (k == "--step")
      a.step = std::max(1, std::atoi(next().c_str()));
    else if (k == "--threads")
      a.threads = std::max(1, std::atoi(next().c_str()));
    else if (k == "--far-scale")
      a.far_scale = std::atof(next().c_str());
    else if (k == "--near-factor")
      a.near_factor = std::atof(next().c_str());
    else if (k == "--tilt-deg")
      a.tilt_deg = std::atof(next().c_str());
    else if (k == "--draws")
      a.draws = std::max(1, std::atoi(next().c_str()));
    else {
      std::printf(
          "usage: session_pairs [--section all|synthetic|dev|video|recapture|mismatch] "
          "[--step N] [--threads N] [--far-scale F] [--near-factor K] [--tilt-deg D] "
          "[--draws N]\n");
      return k == "--help" ? 0 : 2;
    }
  }
  const bool all = a.section == "all";
  if (all || a.section == "synthetic") synthetic(a);
  if (all || a.section != "synthetic") {
    lc::configure_cv_threads(a.threads);
    const Engine eng;
    if (all || a.section == "dev") dev(a, eng);
    if (all || a.section == "video") video(a, eng);
    if (all || a.section == "recapture") recapture(a, eng);
    if (all || a.section == "mismatch") mismatch(a, eng);
  }
  return 0;
}
