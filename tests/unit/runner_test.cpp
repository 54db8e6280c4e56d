// Runner and RunnerPool: per-call thresholds, errors, determinism across threads.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace livecheck {
namespace {

TEST(Runner, PerCallThresholdDecidesIsFakeFromTheSameLikelihood) {
  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  // One live and one spoof image, so that the likelihoods are not both at an extreme.
  std::vector<std::string> paths;
  for (const auto& row : test::dev_manifest()) {
    if (!row.full_frame() && paths.size() < 6) paths.push_back(row.full_path());
  }
  paths.push_back(test::astronaut_path());
  for (const auto& path : paths) {
    const auto bytes = test::read_bytes(path);
    CheckResult base;
    ASSERT_TRUE(runner->check(bytes, ImageFormat::kAuto, {}, &base).is_ok()) << path;
    EXPECT_DOUBLE_EQ(base.threshold, test::shared_engine()->options().default_threshold);
    EXPECT_EQ(base.is_fake, base.is_fake_likelihood > base.threshold);
    const double l = base.is_fake_likelihood;
    for (double t :
         {0.0, 0.05, 0.15, 0.5, 0.9, 1.0, std::max(0.0, l - 1e-6), std::min(1.0, l + 1e-6)}) {
      CheckResult r;
      ASSERT_TRUE(runner->check(bytes, ImageFormat::kAuto, {.threshold = t}, &r).is_ok());
      EXPECT_DOUBLE_EQ(r.is_fake_likelihood, l) << path << " threshold " << t;
      EXPECT_DOUBLE_EQ(r.threshold, t);
      EXPECT_EQ(r.is_fake, l > t) << path << " likelihood " << l << " threshold " << t;
    }
    CheckResult at1;
    ASSERT_TRUE(runner->check(bytes, ImageFormat::kAuto, {.threshold = 1.0}, &at1).is_ok());
    EXPECT_FALSE(at1.is_fake) << "nothing is above 1";
  }
}

TEST(Runner, ThresholdOutside0To1IsInvalidArgumentAndLeavesTheResultAlone) {
  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  const auto bytes = test::read_bytes(test::astronaut_path());
  for (double t : {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    CheckResult r;
    r.face_brightness = 12345;
    const Status s = runner->check(bytes, ImageFormat::kAuto, {.threshold = t}, &r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << t;
    EXPECT_EQ(r.face_brightness, 12345) << "out must not be touched on error";
  }
}

TEST(Runner, ErrorsAreInvalidImageWithAMessage) {
  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  CheckResult r;
  Status s = runner->check({}, ImageFormat::kAuto, {}, &r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidImage);
  EXPECT_EQ(s.to_string().rfind("invalid_image: ", 0), 0u) << s.to_string();
  // A decodable image without a face.
  s = test::check_bytes(*runner, test::read_bytes(test::opencv_sample("fruits.jpg")), &r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidImage);
  EXPECT_EQ(s.message(), "No face was detected");
}

TEST(Runner, ResultCarriesSizesTimesAndPackVersion) {
  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  CheckResult r;
  ASSERT_TRUE(test::check_bytes(*runner, test::read_bytes(test::astronaut_path()), &r).is_ok());
  EXPECT_EQ(r.image_width, 512);
  EXPECT_EQ(r.image_height, 512);
  EXPECT_EQ(r.decode_scale, 1);
  EXPECT_FALSE(r.model_pack_version.empty());
  EXPECT_EQ(r.model_pack_version, test::shared_engine()->pack_version());
  EXPECT_GE(r.times.decode_ms, 0);
  EXPECT_GE(r.times.detect_ms, 0);
  EXPECT_GE(r.times.antispoof_ms, 0);
  EXPECT_GE(r.times.total_ms, r.times.detect_ms);
  EXPECT_EQ(r.is_valid_face, r.quality.valid);
  EXPECT_EQ(static_cast<int>(r.faces.size()), r.quality.face_count);
}

TEST(RunnerPool, ZeroRunnersIsInvalidArgument) {
  const auto p = RunnerPool::create(test::shared_engine(), 0);
  ASSERT_FALSE(p.is_ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
}

TEST(RunnerPool, TwoThreadsGiveTheSameResultsAsOneRunnerInSequence) {
  // 20 images: dev frames and crops of both classes plus the astronaut, in a fixed order.
  std::vector<std::vector<std::uint8_t>> images;
  const auto rows = test::dev_manifest();
  for (std::size_t i = 0; i < rows.size() && images.size() < 19; i += rows.size() / 19) {
    images.push_back(test::read_bytes(rows[i].full_path()));
  }
  images.push_back(test::read_bytes(test::astronaut_path()));
  ASSERT_EQ(images.size(), 20u);

  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  std::vector<CheckResult> seq(images.size());
  std::vector<Status> seq_status(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    seq_status[i] = runner->check(images[i], ImageFormat::kAuto, {}, &seq[i]);
  }

  auto pool = RunnerPool::create(test::shared_engine(), 2);
  ASSERT_TRUE(pool.is_ok()) << pool.status().to_string();
  EXPECT_EQ(pool.value()->size(), 2);
  std::vector<CheckResult> par(images.size());
  std::vector<Status> par_status(images.size());
  for (int round = 0; round < 2; ++round) {  // twice, so each runner sees images of the other
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      for (std::size_t i = next++; i < images.size(); i = next++) {
        auto lease = pool.value()->acquire();
        par_status[i] = lease->check(images[i], ImageFormat::kAuto, {}, &par[i]);
      }
    };
    std::thread a(work), b(work);
    a.join();
    b.join();
    for (std::size_t i = 0; i < images.size(); ++i) {
      SCOPED_TRACE("image " + std::to_string(i) + " round " + std::to_string(round));
      ASSERT_EQ(par_status[i].code(), seq_status[i].code()) << par_status[i].to_string();
      if (!seq_status[i].is_ok()) continue;
      EXPECT_EQ(par[i].is_fake, seq[i].is_fake);
      EXPECT_EQ(par[i].is_fake_likelihood, seq[i].is_fake_likelihood);
      EXPECT_EQ(par[i].scores.v2_softmax, seq[i].scores.v2_softmax);
      EXPECT_EQ(par[i].scores.v1se_softmax, seq[i].scores.v1se_softmax);
      EXPECT_EQ(par[i].face.box.x, seq[i].face.box.x);
      EXPECT_EQ(par[i].face.box.y, seq[i].face.box.y);
      EXPECT_EQ(par[i].face.box.width, seq[i].face.box.width);
      EXPECT_EQ(par[i].face.score, seq[i].face.score);
      EXPECT_EQ(par[i].quality.reasons, seq[i].quality.reasons);
      EXPECT_EQ(par[i].quality.brightness, seq[i].quality.brightness);
      EXPECT_EQ(par[i].faces.size(), seq[i].faces.size());
    }
  }
}

TEST(RunnerPool, MoreThreadsThanRunnersAllGetServed) {
  auto pool = RunnerPool::create(test::shared_engine(), 2);
  ASSERT_TRUE(pool.is_ok());
  const auto bytes = test::read_bytes(test::astronaut_path());
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 6; ++t) {
    ts.emplace_back([&] {
      for (int k = 0; k < 2; ++k) {
        auto lease = pool.value()->acquire();
        CheckResult r;
        if (lease->check(bytes, ImageFormat::kAuto, {}, &r).is_ok()) ++ok;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 12);
}

}  // namespace
}  // namespace livecheck
