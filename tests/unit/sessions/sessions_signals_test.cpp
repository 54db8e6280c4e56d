// Hashes, the resized-copy check and the colour distance (src/sessions/frame_signals.h) on real
// images: the astronaut and dev-set stills, with far/near pairs made by digital rescaling.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "session_images.h"
#include "sessions/cross_frame.h"
#include "sessions/frame_signals.h"
#include "test_support.h"

namespace livecheck::sessions {
namespace {

using livecheck::test::astronaut;
using livecheck::test::dev_dir;
using livecheck::test::encode_jpeg;
using livecheck::test::load_bgr;
using sessions::test::far_frame;
using sessions::test::near_frame;

const char* kDevLive[] = {"live/nuaa__ClientRaw_0001_0001_00_00_01_0.jpg",
                          "live/nuaa__ClientRaw_0003_0003_01_00_01_34.jpg",
                          "live/nuaa__ClientRaw_0005_0005_00_00_01_484.jpg"};

cv::Mat reencode(const cv::Mat& img, int quality) {
  return cv::imdecode(encode_jpeg(img, quality), cv::IMREAD_COLOR);
}

CheckResult run(Runner& r, const cv::Mat& img) {
  CheckResult out;
  const Status s = livecheck::test::check_bytes(r, encode_jpeg(img), &out, ImageFormat::kJpeg);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out;
}

TEST(Sha256, MatchesTheStandardTestVector) {
  const std::string abc = "abc";
  const Sha256 d = sha256({reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()});
  EXPECT_EQ(to_hex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(PHash, SurvivesReencodingRescalingAndBrightness) {
  for (const cv::Mat& img : {astronaut(), load_bgr(dev_dir() + "/" + kDevLive[0]),
                             load_bgr(dev_dir() + "/" + kDevLive[1])}) {
    const std::uint64_t h = phash64(img);
    EXPECT_EQ(hamming_distance(h, phash64(img.clone())), 0);
    EXPECT_LE(hamming_distance(h, phash64(reencode(img, 70))), 4);
    cv::Mat half, brighter;
    cv::resize(img, half, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
    EXPECT_LE(hamming_distance(h, phash64(half)), 4);
    img.convertTo(brighter, -1, 1.0, 20);
    EXPECT_LE(hamming_distance(h, phash64(brighter)), 6);
  }
}

TEST(PHash, SeparatesDifferentPictures) {
  const std::uint64_t a = phash64(astronaut());
  for (const char* p : kDevLive) {
    EXPECT_GT(hamming_distance(a, phash64(load_bgr(dev_dir() + "/" + p))), 12) << p;
  }
  // A far/near pair of one still is not "the same picture" either: the face scale changed.
  const cv::Mat img = astronaut();
  EXPECT_GT(
      hamming_distance(phash64(far_frame(img)), phash64(near_frame(img, {180, 80, 150, 150}))), 8);
  EXPECT_EQ(phash64(cv::Mat()), 0u);
}

TEST(ResizedCopy, DigitalRescalesOfOneStillAreCopies) {
  auto runner = livecheck::test::make_runner();
  ASSERT_NE(runner, nullptr);
  std::vector<cv::Mat> stills = {astronaut()};
  for (const char* p : kDevLive) stills.push_back(load_bgr(dev_dir() + "/" + p));
  for (const cv::Mat& img : stills) {
    const CheckResult base = run(*runner, img);
    // JPEG q90 each, as an injecting client would send them.
    const cv::Mat far = reencode(far_frame(img), 90);
    const cv::Mat near = reencode(near_frame(img, base.face.box), 90);
    const CheckResult rf = run(*runner, far), rn = run(*runner, near);
    const auto s = compare_resized_copy(far, rf.face.keypoints, rf.face.box, near,
                                        rn.face.keypoints, rn.face.box);
    ASSERT_TRUE(s.measured);
    EXPECT_TRUE(s.is_copy) << "ncc " << s.ncc;
    EXPECT_NEAR(s.scale, 2.0, 0.1);
    // Argument order does not matter.
    const auto r = compare_resized_copy(near, rn.face.keypoints, rn.face.box, far,
                                        rf.face.keypoints, rf.face.box);
    EXPECT_TRUE(r.is_copy);
  }
}

TEST(ResizedCopy, DifferentPeopleAreNotCopies) {
  auto runner = livecheck::test::make_runner();
  ASSERT_NE(runner, nullptr);
  const cv::Mat a = far_frame(astronaut());
  const cv::Mat b_src = load_bgr(dev_dir() + "/" + kDevLive[0]);
  const cv::Mat b = near_frame(b_src, run(*runner, b_src).face.box);
  const CheckResult ra = run(*runner, a), rb = run(*runner, b);
  const auto s =
      compare_resized_copy(a, ra.face.keypoints, ra.face.box, b, rb.face.keypoints, rb.face.box);
  EXPECT_FALSE(s.is_copy) << "ncc " << s.ncc;
}

TEST(ResizedCopy, RealMotionOfALiveFaceIsNotACopy) {
  // Frames of the dev set's live webcam video: the person moves; take the two frames whose face
  // sizes differ most. A real second capture of a 3D face is not a similarity of the first.
  auto runner = livecheck::test::make_runner();
  ASSERT_NE(runner, nullptr);
  std::vector<std::pair<cv::Mat, CheckResult>> frames;
  for (const auto& row : livecheck::test::dev_manifest()) {
    if (row.path.find("vid-Apfol__videos_real2") == std::string::npos) continue;
    const cv::Mat img = load_bgr(row.full_path());
    frames.emplace_back(img, run(*runner, img));
  }
  ASSERT_GE(frames.size(), 8u);
  auto by_width = [](const auto& x, const auto& y) {
    return x.second.face.box.width < y.second.face.box.width;
  };
  const auto& small = *std::min_element(frames.begin(), frames.end(), by_width);
  const auto& big = *std::max_element(frames.begin(), frames.end(), by_width);
  ASSERT_GT(big.second.face.box.width / small.second.face.box.width, 1.15);
  const auto s =
      compare_resized_copy(small.first, small.second.face.keypoints, small.second.face.box,
                           big.first, big.second.face.keypoints, big.second.face.box);
  ASSERT_TRUE(s.measured);
  EXPECT_FALSE(s.is_copy) << "ncc " << s.ncc;
}

TEST(ResizedCopy, TinyOrMissingFacesAreNotMeasured) {
  const cv::Mat img = astronaut();
  Keypoints k{};
  for (int i = 0; i < kKeypointCount; ++i) k[i] = {200.0 + 3 * i, 200.0 + (i % 2)};
  EXPECT_FALSE(
      compare_resized_copy(img, k, {198, 198, 10, 10}, img, k, {198, 198, 10, 10}).measured);
  EXPECT_FALSE(
      compare_resized_copy(cv::Mat(), k, {0, 0, 100, 100}, img, k, {0, 0, 100, 100}).measured);
}

TEST(FaceColour, SameFaceIsCloserThanAnotherPerson) {
  const cv::Mat img = astronaut();
  const Box face{180, 70, 150, 170};
  cv::Mat brighter;
  img.convertTo(brighter, -1, 1.1, 10);
  const double same = face_colour_distance(img, face, brighter, face);
  const cv::Mat other = load_bgr(dev_dir() + "/" + kDevLive[0]);
  const double different = face_colour_distance(img, face, other, {250, 150, 150, 170});
  EXPECT_LT(same, SessionOptions{}.max_colour_distance);
  EXPECT_GT(different, same);
  EXPECT_DOUBLE_EQ(face_colour_distance(img, {0, 0, 0, 0}, img, face), 1.0);
}

}  // namespace
}  // namespace livecheck::sessions
