#include "livecheck/engine.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <vector>

#include "antispoof.h"
#include "face_detector.h"
#include "image_decode.h"
#include "model_pack.h"
#include "quality.h"

namespace livecheck {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Tight face crops (the face fills the picture) are outside BlazeFace's training distribution;
// a border of this fraction of each side brings them back into range.
constexpr double kRetryBorder = 0.35;

// A front-model detection at least this confident is trusted without asking the back model.
constexpr double kConfidentFrontScore = 0.75;

Face scale_face(const Face& in, double f, double dx = 0, double dy = 0) {
  Face out = in;
  out.box = {in.box.x * f + dx, in.box.y * f + dy, in.box.width * f, in.box.height * f};
  for (auto& k : out.keypoints) k = {k.x * f + dx, k.y * f + dy};
  return out;
}

}  // namespace

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidImage:
      return "invalid_image";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kIoError:
      return "io_error";
    case StatusCode::kModelError:
      return "model_error";
    case StatusCode::kInternal:
      return "internal_error";
  }
  return "internal_error";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  return std::string(status_code_name(code_)) + ": " + message_;
}

const char* image_format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg:
      return "jpeg";
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kAuto:
      break;
  }
  return "auto";
}

void configure_cv_threads(int workers) {
  // One worker: let OpenCV parallelise inside each forward. Several: one thread per forward.
  cv::setNumThreads(workers <= 1 ? -1 : 1);
}

// ------------------------------------------------------------------------------------------
struct Engine::Impl {
  EngineOptions options;
  ModelPack pack;
  double load_ms = 0;
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;
const std::string& Engine::pack_version() const { return impl_->pack.version; }
const EngineOptions& Engine::options() const { return impl_->options; }
double Engine::load_ms() const { return impl_->load_ms; }

StatusOr<double> Engine::threshold_for(const ThresholdSetting& setting) const {
  if (setting.value) return *setting.value;
  const auto it = impl_->pack.presets.find(setting.preset);
  if (it != impl_->pack.presets.end()) return it->second;
  return Status::invalid_argument("the model pack has no threshold preset '" + setting.preset +
                                  "'");
}

std::optional<ThresholdSetting> parse_threshold_setting(std::string_view text) {
  for (const char* name : kThresholdPresets) {
    if (text == name) return ThresholdSetting{std::nullopt, std::string(text)};
  }
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !(v >= 0 && v <= 1)) {
    return std::nullopt;
  }
  return ThresholdSetting{v, ""};
}

struct Runner::Impl {
  const Engine::Impl* engine = nullptr;
  std::optional<BlazeFace> front;
  std::optional<BlazeFace> back;
  std::optional<MiniFasNet> v2;
  std::optional<MiniFasNet> v1se;
  std::vector<Face> detect(const cv::Mat& bgr);
};

Runner::Runner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Runner::~Runner() = default;

StatusOr<std::shared_ptr<const Engine>> Engine::load(const EngineOptions& options) {
  const auto t0 = Clock::now();
  if (!(options.default_threshold >= 0 && options.default_threshold <= 1)) {
    return Status::invalid_argument("default threshold must be within 0..1");
  }
  auto pack = load_model_pack(options.model_dir);
  if (!pack.is_ok()) return pack.status();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->pack = std::move(pack).value();
  if (options.box_scale) impl->pack.box_scale = *options.box_scale;
  if (options.box_shift_y) impl->pack.box_shift_y = *options.box_shift_y;
  if (options.uncalibrated) impl->pack.calibration = Calibration{};
  if (!(impl->pack.box_scale > 0.2 && impl->pack.box_scale < 5 &&
        std::abs(impl->pack.box_shift_y) < 1)) {
    return Status::invalid_argument("box_scale must be within 0.2..5 and box_shift_y within -1..1");
  }
  const bool need_front = options.detector != DetectorMode::kBack;
  const bool need_back = options.detector != DetectorMode::kFront;
  if (need_front && impl->pack.find("blazeface_front") == nullptr) {
    return Status::model_error("the detector mode needs blazeface_front, absent from models.json");
  }
  if (need_back && impl->pack.find("blazeface_back") == nullptr) {
    return Status::model_error("the detector mode needs blazeface_back, absent from models.json");
  }
  std::shared_ptr<Engine> engine(new Engine(std::move(impl)));
  // Compile one set of networks now so that a broken pack fails at load, not at first request.
  auto probe = engine->make_runner();
  if (!probe.is_ok()) return probe.status();
  engine->impl_->load_ms = ms_since(t0);
  return std::shared_ptr<const Engine>(std::move(engine));
}

StatusOr<std::unique_ptr<Runner>> Engine::make_runner() const {
  auto r = std::make_unique<Runner::Impl>();
  r->engine = impl_.get();
  const ModelPack& p = impl_->pack;
  if (impl_->options.detector != DetectorMode::kBack) {
    auto d = BlazeFace::load(*p.find("blazeface_front"), p.detector_min_score, p.detector_nms_iou);
    if (!d.is_ok()) return d.status();
    r->front.emplace(std::move(d).value());
  }
  if (impl_->options.detector != DetectorMode::kFront) {
    auto d = BlazeFace::load(*p.find("blazeface_back"), p.detector_min_score, p.detector_nms_iou);
    if (!d.is_ok()) return d.status();
    r->back.emplace(std::move(d).value());
  }
  auto v2 = MiniFasNet::load(*p.find("minifasnet_v2"));
  if (!v2.is_ok()) return v2.status();
  r->v2.emplace(std::move(v2).value());
  auto v1se = MiniFasNet::load(*p.find("minifasnet_v1se"));
  if (!v1se.is_ok()) return v1se.status();
  r->v1se.emplace(std::move(v1se).value());
  return std::unique_ptr<Runner>(new Runner(std::move(r)));
}

std::vector<Face> Runner::Impl::detect(const cv::Mat& bgr) {
  auto run = [&](const cv::Mat& img) {
    std::vector<Face> faces;
    if (front) faces = front->detect(img);
    const bool confident = std::any_of(
        faces.begin(), faces.end(), [](const Face& f) { return f.score >= kConfidentFrontScore; });
    if (confident || !back) return faces;
    // The front model found nothing or only weak candidates (faces far from the camera, or
    // texture mistaken for a face): the back model, which covers every distance, decides; the
    // weak front candidates are kept only when it finds nothing.
    std::vector<Face> from_back = back->detect(img);
    return from_back.empty() ? faces : from_back;
  };
  std::vector<Face> faces = run(bgr);
  if (!faces.empty()) return faces;
  // Retry with a border: tight crops where the face fills the frame.
  const int bx = static_cast<int>(bgr.cols * kRetryBorder);
  const int by = static_cast<int>(bgr.rows * kRetryBorder);
  cv::Mat padded;
  cv::copyMakeBorder(bgr, padded, by, by, bx, bx, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  faces = run(padded);
  for (Face& f : faces) f = scale_face(f, 1.0, -bx, -by);
  return faces;
}

Status Runner::check(std::span<const std::uint8_t> bytes, ImageFormat declared,
                     const CheckOptions& options, CheckResult* out) {
  const auto t0 = Clock::now();
  const Engine::Impl& eng = *impl_->engine;
  const double threshold = options.threshold.value_or(eng.options.default_threshold);
  if (!(threshold >= 0 && threshold <= 1)) {
    return Status::invalid_argument("threshold must be a number within 0..1");
  }
  CheckResult r;
  r.threshold = threshold;
  r.model_pack_version = eng.pack.version;
  try {
    auto decoded = decode_image(bytes, declared);
    if (!decoded.is_ok()) return decoded.status();
    const DecodedImage& img = decoded.value();
    r.image_width = img.full_width;
    r.image_height = img.full_height;
    r.decode_scale = img.dct_scale;
    r.times.decode_ms = ms_since(t0);

    auto t = Clock::now();
    std::vector<Face> faces = impl_->detect(img.bgr);
    r.times.detect_ms = ms_since(t);
    if (faces.empty()) return Status::invalid_image(kNoFaceDetectedMessage);

    t = Clock::now();
    r.quality = assess_quality(img.bgr, faces, img.to_full);
    r.times.quality_ms = ms_since(t);

    t = Clock::now();
    const ModelPack& p = eng.pack;
    const Face& primary = faces.front();
    Box box = primary.box;
    const double nw = box.width * p.box_scale, nh = box.height * p.box_scale;
    box = {box.x + (box.width - nw) / 2, box.y + (box.height - nh) / 2 + p.box_shift_y * nh, nw,
           nh};
    AntiSpoofScores& s = r.scores;
    s.v2_softmax = impl_->v2->predict(img.bgr, box, &s.crop_scale_v2);
    s.v1se_softmax = impl_->v1se->predict(img.bgr, box, &s.crop_scale_v1se);
    s.v2_live = s.v2_softmax[impl_->v2->live_class()];
    s.v1se_live = s.v1se_softmax[impl_->v1se->live_class()];
    const double wsum = p.fusion_weights[0] + p.fusion_weights[1];
    s.fused_live = (p.fusion_weights[0] * s.v2_live + p.fusion_weights[1] * s.v1se_live) / wsum;
    s.raw_spoof = std::clamp(1.0 - s.fused_live, 0.0, 1.0);
    double likelihood = s.raw_spoof;
    if (p.calibration.method == "platt") {
      const double e = 1e-6;
      const double x = std::clamp(s.raw_spoof, e, 1 - e);
      const double logit = std::log(x / (1 - x));
      likelihood = 1.0 / (1.0 + std::exp(-(p.calibration.a * logit + p.calibration.b)));
    }
    r.times.antispoof_ms = ms_since(t);

    r.is_fake_likelihood = likelihood;
    r.is_fake = likelihood > threshold;
    r.is_valid_face = r.quality.valid;
    r.face_brightness = r.quality.brightness;
    for (const Face& f : faces) r.faces.push_back(scale_face(f, img.to_full));
    r.face = r.faces.front();
  } catch (const cv::Exception& e) {
    // OpenCV reports internal failures by exception; never let one cross the API.
    return Status::internal(std::string("image analysis failed: ") + e.err);
  } catch (const std::bad_alloc&) {
    return Status::internal("out of memory while analysing the image");
  }
  r.times.total_ms = ms_since(t0);
  *out = std::move(r);
  return Status::ok();
}

// ------------------------------------------------------------------------------------------
struct RunnerPool::Impl {
  std::shared_ptr<const Engine> engine;
  std::vector<std::unique_ptr<Runner>> runners;
  std::vector<Runner*> free;
  std::mutex mu;
  std::condition_variable cv;
};

RunnerPool::RunnerPool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunnerPool::~RunnerPool() = default;

StatusOr<std::unique_ptr<RunnerPool>> RunnerPool::create(std::shared_ptr<const Engine> engine,
                                                         int size) {
  if (size < 1) return Status::invalid_argument("a runner pool needs at least one runner");
  auto impl = std::make_unique<Impl>();
  impl->engine = std::move(engine);
  for (int i = 0; i < size; ++i) {
    auto r = impl->engine->make_runner();
    if (!r.is_ok()) return r.status();
    impl->free.push_back(r.value().get());
    impl->runners.push_back(std::move(r).value());
  }
  return std::unique_ptr<RunnerPool>(new RunnerPool(std::move(impl)));
}

RunnerPool::Lease RunnerPool::acquire() {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return !impl_->free.empty(); });
  Runner* r = impl_->free.back();
  impl_->free.pop_back();
  return Lease(this, r);
}

void RunnerPool::release(Runner* r) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->free.push_back(r);
  }
  impl_->cv.notify_one();
}

int RunnerPool::size() const { return static_cast<int>(impl_->runners.size()); }

RunnerPool::Lease::~Lease() {
  if (runner_ != nullptr) pool_->release(runner_);
}

}  // namespace livecheck
