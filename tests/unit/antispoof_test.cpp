// Anti-spoof: the MiniFASNet crop rule against the model card, the model input contract checked
// with an independent forward pass, the fused score's bookkeeping, and the separation of live and
// spoof on a fixed sample of the dev set (ROC AUC computed here).
#include "antispoof.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "model_pack.h"
#include "test_support.h"

namespace livecheck {
namespace {

// The crop rule exactly as written in shared/models/minifasnet/README.md, coded independently
// of src/engine/antispoof.cpp.
cv::Rect card_crop_rule(int W, int H, double x, double y, double w, double h, double s,
                        double* s_eff) {
  const double sp = std::min({s, (H - 1) / h, (W - 1) / w});
  const double nw = w * sp, nh = h * sp;
  const double cx = x + w / 2, cy = y + h / 2;
  double x1 = cx - nw / 2, x2 = cx + nw / 2, y1 = cy - nh / 2, y2 = cy + nh / 2;
  if (x1 < 0) {
    x2 = x2 - x1;
    x1 = 0;
  }
  if (y1 < 0) {
    y2 = y2 - y1;
    y1 = 0;
  }
  if (x2 > W - 1) {
    x1 = x1 - (x2 - (W - 1));
    x2 = W - 1;
  }
  if (y2 > H - 1) {
    y1 = y1 - (y2 - (H - 1));
    y2 = H - 1;
  }
  const int ix1 = static_cast<int>(x1), iy1 = static_cast<int>(y1);
  const int ix2 = static_cast<int>(x2), iy2 = static_cast<int>(y2);
  *s_eff = sp;
  return {ix1, iy1, ix2 - ix1 + 1, iy2 - iy1 + 1};
}

TEST(AntiSpoofCrop, ModelCardWorkedExampleScale2_7) {
  double s = 0;
  const cv::Rect r = minifasnet_crop_rect(640, 480, Box{250, 150, 120, 130}, 2.7, &s);
  EXPECT_EQ(r, cv::Rect(148, 39, 325, 352));  // (148,39)-(472,390) inclusive
  EXPECT_DOUBLE_EQ(s, 2.7);
}

TEST(AntiSpoofCrop, ModelCardWorkedExampleScale4ShrinksAndPushesDown) {
  double s = 0;
  const cv::Rect r = minifasnet_crop_rect(640, 480, Box{250, 150, 120, 130}, 4.0, &s);
  EXPECT_EQ(r, cv::Rect(88, 0, 444, 480));  // (88,0)-(531,479) inclusive
  EXPECT_DOUBLE_EQ(s, 479.0 / 130.0);       // 3.6846...
  EXPECT_NEAR(s, 3.6846, 1e-4);
}

TEST(AntiSpoofCrop, MatchesTheModelCardRuleOnRandomBoxes) {
  // Boxes inside, partly outside and larger than the frame; integer boxes as upstream passes
  // them, and fractional ones as BlazeFace produces them.
  std::mt19937 rng(2024);
  std::uniform_int_distribution<int> side(16, 2000);
  int mismatches = 0;
  for (int i = 0; i < 50000; ++i) {
    const int W = side(rng), H = side(rng);
    std::uniform_real_distribution<double> wd(1.0, 1.3 * W), hd(1.0, 1.3 * H);
    double w = wd(rng), h = hd(rng);
    std::uniform_real_distribution<double> xd(-0.5 * w, W - 0.5 * w), yd(-0.5 * h, H - 0.5 * h);
    double x = xd(rng), y = yd(rng);
    if (i % 2 == 0) {
      x = std::floor(x), y = std::floor(y), w = std::max(1.0, std::floor(w));
      h = std::max(1.0, std::floor(h));
    }
    const double scale = (i % 3 == 0) ? 2.7 : 4.0;
    double s_card = 0, s_engine = 0;
    const cv::Rect want = card_crop_rule(W, H, x, y, w, h, scale, &s_card);
    const cv::Rect got = minifasnet_crop_rect(W, H, Box{x, y, w, h}, scale, &s_engine);
    // Whatever the box, the ROI lies inside the frame and is non-empty.
    ASSERT_GE(got.x, 0);
    ASSERT_GE(got.y, 0);
    ASSERT_GT(got.width, 0);
    ASSERT_GT(got.height, 0);
    ASSERT_LE(got.x + got.width, W);
    ASSERT_LE(got.y + got.height, H);
    if (got != want || s_card != s_engine) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << "frame " << W << "x" << H << " box (" << x << "," << y << "," << w << ","
                      << h << ") s=" << scale << ": engine " << got << " card " << want;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(AntiSpoofCrop, SmallFrameShrinksTheFactorForBothModels) {
  // A tight crop: the face box fills most of the frame, so s' drops near 1 for both scales.
  double s27 = 0, s40 = 0;
  const cv::Rect a = minifasnet_crop_rect(120, 140, Box{10, 10, 100, 120}, 2.7, &s27);
  const cv::Rect b = minifasnet_crop_rect(120, 140, Box{10, 10, 100, 120}, 4.0, &s40);
  EXPECT_DOUBLE_EQ(s27, 139.0 / 120.0);
  EXPECT_DOUBLE_EQ(s40, 139.0 / 120.0);
  EXPECT_EQ(a, b);
  EXPECT_LE(a.x + a.width, 120);
  EXPECT_LE(a.y + a.height, 140);
}

// ---------------------------------------------------------------------------------------------

// Softmax of one MiniFASNet on the patch of `box`, following the model card literally:
// crop rule, bilinear resize to 80x80, blobFromImage(BGR, scale 1, no mean, no swap), softmax.
std::array<double, 3> card_predict(const std::string& file, double scale, const cv::Mat& bgr,
                                   const Box& box) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(test::model_dir() + "/" + file);
  double s = 0;
  const cv::Rect roi =
      card_crop_rule(bgr.cols, bgr.rows, box.x, box.y, box.width, box.height, scale, &s);
  cv::Mat patch;
  cv::resize(bgr(roi), patch, cv::Size(80, 80));
  net.setInput(cv::dnn::blobFromImage(patch, 1.0, cv::Size(), cv::Scalar(), false, false, CV_32F));
  const cv::Mat out = net.forward();
  const float* l = out.ptr<float>();
  const double m = std::max({l[0], l[1], l[2]});
  std::array<double, 3> p{std::exp(l[0] - m), std::exp(l[1] - m), std::exp(l[2] - m)};
  const double sum = p[0] + p[1] + p[2];
  for (double& v : p) v /= sum;
  return p;
}

TEST(AntiSpoof, ScoresMatchAnIndependentModelCardForwardPass) {
  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  std::vector<std::string> paths = {test::astronaut_path()};
  for (const auto& row : test::dev_manifest()) {
    if (row.full_frame() && paths.size() < 5 &&
        row.path.find(paths.size() % 2 ? "live/" : "spoof/") == 0) {
      paths.push_back(row.full_path());
    }
  }
  for (const auto& path : paths) {
    const cv::Mat img = test::load_bgr(path);
    ASSERT_LE(std::max(img.cols, img.rows), 1280) << "needs an image the engine does not resize";
    CheckResult r;
    const Status s = test::check_bytes(*runner, test::read_bytes(path), &r);
    ASSERT_TRUE(s.is_ok()) << path << ": " << s.to_string();
    // The anti-spoof box: the detector box, scaled and shifted as models.json says.
    Box b = r.face.box;
    const double nw = b.width * test::pack().box_scale, nh = b.height * test::pack().box_scale;
    b = {b.x + (b.width - nw) / 2, b.y + (b.height - nh) / 2 + test::pack().box_shift_y * nh, nw,
         nh};
    const auto v2 = card_predict(test::pack().find("minifasnet_v2")->file, 2.7, img, b);
    const auto v1se = card_predict(test::pack().find("minifasnet_v1se")->file, 4.0, img, b);
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(r.scores.v2_softmax[k], v2[k], 1e-5) << path << " V2 class " << k;
      EXPECT_NEAR(r.scores.v1se_softmax[k], v1se[k], 1e-5) << path << " V1SE class " << k;
    }
  }
}

TEST(AntiSpoof, FusedScoreBookkeepingIsConsistent) {
  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  CheckResult r;
  ASSERT_TRUE(test::check_bytes(*runner, test::read_bytes(test::astronaut_path()), &r).is_ok());
  const AntiSpoofScores& s = r.scores;
  double sum2 = 0, sum1 = 0;
  for (int k = 0; k < 3; ++k) {
    EXPECT_GE(s.v2_softmax[k], 0);
    EXPECT_GE(s.v1se_softmax[k], 0);
    sum2 += s.v2_softmax[k];
    sum1 += s.v1se_softmax[k];
  }
  EXPECT_NEAR(sum2, 1.0, 1e-9);
  EXPECT_NEAR(sum1, 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(s.v2_live, s.v2_softmax[1]);
  EXPECT_DOUBLE_EQ(s.v1se_live, s.v1se_softmax[1]);
  const auto& w = test::pack().fusion_weights;
  EXPECT_NEAR(s.fused_live, (w[0] * s.v2_live + w[1] * s.v1se_live) / (w[0] + w[1]), 1e-12);
  EXPECT_NEAR(s.raw_spoof, 1.0 - s.fused_live, 1e-12);
  EXPECT_GE(r.is_fake_likelihood, 0.0);
  EXPECT_LE(r.is_fake_likelihood, 1.0);
  if (test::pack().calibration.method == "identity") {
    EXPECT_DOUBLE_EQ(r.is_fake_likelihood, s.raw_spoof);
  } else if (test::pack().calibration.method == "platt") {
    const double x = std::clamp(s.raw_spoof, 1e-6, 1 - 1e-6);
    const double z =
        test::pack().calibration.a * std::log(x / (1 - x)) + test::pack().calibration.b;
    EXPECT_NEAR(r.is_fake_likelihood, 1 / (1 + std::exp(-z)), 1e-9);
  }
  // A 512x512 frame with a ~100 px face leaves room for the full 2.7x and 4.0x patches.
  EXPECT_DOUBLE_EQ(s.crop_scale_v2, 2.7);
  EXPECT_DOUBLE_EQ(s.crop_scale_v1se, 4.0);
  EXPECT_EQ(r.model_pack_version, test::shared_engine()->pack_version());
}

// Every k-th image row of MANIFEST.tsv: both classes, full frames and crops, every source.
std::vector<test::ManifestRow> dev_sample(std::size_t k) {
  const auto rows = test::dev_manifest();
  std::vector<test::ManifestRow> out;
  for (std::size_t i = 0; i < rows.size(); i += k) out.push_back(rows[i]);
  return out;
}

struct Scored {
  test::ManifestRow row;
  bool ok = false;
  double likelihood = 0;
};

std::vector<Scored> score_in_parallel(const std::vector<test::ManifestRow>& rows, int threads) {
  auto pool = RunnerPool::create(test::shared_engine(), threads);
  EXPECT_TRUE(pool.is_ok()) << pool.status().to_string();
  std::vector<Scored> out(rows.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < rows.size(); i = next++) {
      const auto bytes = test::read_bytes(rows[i].full_path());
      auto lease = pool.value()->acquire();
      CheckResult r;
      const Status s = lease->check(bytes, ImageFormat::kAuto, {}, &r);
      out[i].row = rows[i];
      out[i].ok = s.is_ok();
      out[i].likelihood = r.is_fake_likelihood;
    }
  };
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) ts.emplace_back(work);
  for (auto& t : ts) t.join();
  return out;
}

double auc_of(const std::vector<Scored>& v) {
  std::vector<double> s;
  std::vector<bool> pos;
  for (const auto& x : v) {
    if (!x.ok) continue;
    s.push_back(x.likelihood);
    pos.push_back(x.row.spoof());
  }
  return test::roc_auc(s, pos);
}

TEST(AntiSpoof, RocAucHelperMatchesHandComputedCases) {
  EXPECT_DOUBLE_EQ(test::roc_auc({0.1, 0.2, 0.8, 0.9}, {false, false, true, true}), 1.0);
  EXPECT_DOUBLE_EQ(test::roc_auc({0.9, 0.8, 0.2, 0.1}, {false, false, true, true}), 0.0);
  EXPECT_DOUBLE_EQ(test::roc_auc({0.5, 0.5, 0.5, 0.5}, {false, true, false, true}), 0.5);
  // pos {0.3, 0.7}, neg {0.1, 0.5}: pairs won 1 + 2 = 3 of 4.
  EXPECT_DOUBLE_EQ(test::roc_auc({0.3, 0.7, 0.1, 0.5}, {true, true, false, false}), 0.75);
}

TEST(AntiSpoof, SeparatesLiveFromSpoofOnDevSampleWithAucAtLeast0_9) {
  ASSERT_TRUE(test::shared_engine());
  const auto sample = dev_sample(7);
  ASSERT_GE(sample.size(), 100u);
  const auto scored = score_in_parallel(sample, 2);

  int live = 0, spoof = 0, full = 0, crops = 0, failed = 0;
  std::map<std::string, std::vector<Scored>> by_source;
  for (const auto& s : scored) {
    if (!s.ok) {
      ++failed;
      continue;
    }
    (s.row.spoof() ? spoof : live)++;
    (s.row.full_frame() ? full : crops)++;
    by_source[s.row.source + (s.row.full_frame() ? " frames" : " crops")].push_back(s);
  }
  ASSERT_GE(live, 30);
  ASSERT_GE(spoof, 30);
  ASSERT_GE(full, 30);
  ASSERT_GE(crops, 30);

  const double auc = auc_of(scored);
  std::vector<Scored> f, c;
  for (const auto& s : scored) (s.row.full_frame() ? f : c).push_back(s);
  std::printf(
      "dev sample: %zu images (%d live, %d spoof; %d frames, %d crops; %d without a face)\n",
      sample.size(), live, spoof, full, crops, failed);
  std::printf("AUC(isFakeLikelihood, spoof positive) = %.4f  [frames %.4f, crops %.4f]\n", auc,
              auc_of(f), auc_of(c));
  for (const auto& [source, v] : by_source) {
    int n_live = 0, n_spoof = 0, right = 0;
    double mean_live = 0, mean_spoof = 0;
    for (const auto& s : v) {
      const bool fake = s.likelihood > 0.15;
      right += fake == s.row.spoof() ? 1 : 0;
      if (s.row.spoof()) {
        ++n_spoof;
        mean_spoof += s.likelihood;
      } else {
        ++n_live;
        mean_live += s.likelihood;
      }
    }
    std::printf("  %-48s live %3d (mean %.3f) spoof %3d (mean %.3f) acc@0.15 %.3f\n",
                source.c_str(), n_live, n_live ? mean_live / n_live : 0.0, n_spoof,
                n_spoof ? mean_spoof / n_spoof : 0.0, static_cast<double>(right) / v.size());
  }
  EXPECT_LE(failed, static_cast<int>(sample.size() / 20)) << "too many images without a face";
  EXPECT_GE(auc, 0.9);
}

}  // namespace
}  // namespace livecheck
