// Model pack loading: sha256 verification, missing or malformed models.json, broken networks,
// out-of-range thresholds. Each test works on its own copy of models/ in a temporary folder.
#include "model_pack.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "test_support.h"

namespace livecheck {
namespace {

namespace fs = std::filesystem;

// A writable copy of the model pack.
class ModelPackCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() / "models";
    fs::copy(test::model_dir(), dir_, fs::copy_options::recursive);
    for (const auto& e : fs::directory_iterator(dir_)) {
      fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::add);
    }
  }
  nlohmann::json manifest() const {
    std::ifstream in(dir_ / "models.json");
    return nlohmann::json::parse(in);
  }
  void write_manifest(const nlohmann::json& j) const {
    std::ofstream(dir_ / "models.json", std::ios::trunc) << j.dump(2);
  }
  void write_file(const std::string& name, const std::string& content) const {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << content;
  }
  std::string onnx_file(const std::string& model_name) const {
    const nlohmann::json j = manifest();  // keep the document alive while iterating
    for (const auto& m : j["models"]) {
      if (m["name"] == model_name) return m["file"];
    }
    ADD_FAILURE() << model_name << " not in models.json";
    return {};
  }
  StatusOr<std::shared_ptr<const Engine>> load(EngineOptions o = {}) const {
    o.model_dir = dir_.string();
    return Engine::load(o);
  }

  test::TempDir tmp_;
  fs::path dir_;
};

void expect_model_error(const StatusOr<std::shared_ptr<const Engine>>& r,
                        const std::string& needle) {
  ASSERT_FALSE(r.is_ok()) << "the pack loaded";
  EXPECT_EQ(r.status().code(), StatusCode::kModelError) << r.status().to_string();
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
}

TEST_F(ModelPackCopy, IntactCopyLoads) {
  const auto r = load();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r.value()->pack_version().rfind(manifest()["pack_version"].get<std::string>() + "+", 0),
            0u)
      << r.value()->pack_version();
}

TEST_F(ModelPackCopy, OneFlippedByteInAnOnnxFileIsModelErrorMentioningSha256) {
  for (const char* model : {"minifasnet_v2", "blazeface_front"}) {
    const fs::path p = dir_ / onnx_file(model);
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(1000);
    const char c = static_cast<char>(f.get());
    f.seekp(1000);
    f.put(static_cast<char>(c ^ 0x01));
    f.close();
    const auto r = load();
    expect_model_error(r, "sha256");
    EXPECT_NE(r.status().message().find(onnx_file(model)), std::string::npos)
        << "the message should name the file: " << r.status().message();
    f.open(p, std::ios::in | std::ios::out | std::ios::binary);  // restore for the next model
    f.seekp(1000);
    f.put(c);
  }
}

TEST_F(ModelPackCopy, MissingModelsJsonIsModelError) {
  fs::remove(dir_ / "models.json");
  expect_model_error(load(), "models.json");
}

TEST_F(ModelPackCopy, MissingOnnxFileIsModelError) {
  const std::string file = onnx_file("minifasnet_v1se");
  fs::remove(dir_ / file);
  expect_model_error(load(), file);
}

TEST_F(ModelPackCopy, MalformedModelsJsonIsModelError) {
  write_file("models.json", "{\"pack_version\": \"1.0.0\", \"models\": [");
  expect_model_error(load(), "models.json");
  write_file("models.json", "{\"models\": []}");  // no pack_version
  expect_model_error(load(), "models.json");
}

TEST_F(ModelPackCopy, PackWithoutAnAntiSpoofModelIsModelError) {
  nlohmann::json j = manifest();
  auto& models = j["models"];
  for (auto it = models.begin(); it != models.end(); ++it) {
    if ((*it)["name"] == "minifasnet_v1se") {
      models.erase(it);
      break;
    }
  }
  write_manifest(j);
  expect_model_error(load(), "minifasnet_v1se");
}

TEST_F(ModelPackCopy, DetectorModeNeedingAnAbsentDetectorIsModelError) {
  nlohmann::json j = manifest();
  auto& models = j["models"];
  for (auto it = models.begin(); it != models.end(); ++it) {
    if ((*it)["name"] == "blazeface_back") {
      models.erase(it);
      break;
    }
  }
  write_manifest(j);
  EngineOptions front_only;
  front_only.detector = DetectorMode::kFront;
  EXPECT_TRUE(load(front_only).is_ok());
  expect_model_error(load(), "blazeface_back");  // the default cascade needs both
}

TEST_F(ModelPackCopy, GarbageOnnxWithAMatchingSha256IsModelErrorNotACrash) {
  // The checksum matches, so only the network compilation can catch it.
  const std::string garbage(5000, '\x42');
  const std::string file = onnx_file("minifasnet_v2");
  write_file(file, garbage);
  nlohmann::json j = manifest();
  for (auto& m : j["models"]) {
    if (m["name"] == "minifasnet_v2") {
      m["sha256"] =
          sha256_hex(reinterpret_cast<const std::uint8_t*>(garbage.data()), garbage.size());
    }
  }
  write_manifest(j);
  expect_model_error(load(), file);
}

TEST_F(ModelPackCopy, DetectorSwappedForAnAntiSpoofNetworkIsModelError) {
  // A valid ONNX file of the wrong kind: the output-shape check must refuse it.
  fs::copy_file(dir_ / onnx_file("minifasnet_v2"), dir_ / onnx_file("blazeface_front"),
                fs::copy_options::overwrite_existing);
  nlohmann::json j = manifest();
  for (const auto& m : j["models"]) {
    if (m["name"] == "minifasnet_v2") {
      for (auto& d : j["models"]) {
        if (d["name"] == "blazeface_front") d["sha256"] = m["sha256"];
      }
    }
  }
  write_manifest(j);
  const auto r = load();
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kModelError) << r.status().to_string();
}

// ENGINE BUG (reported): load_model_pack (src/engine/model_pack.cpp) checks that
// antispoof.weights has two entries but not that they are >= 0 with a positive sum. With
// [0, 0], Runner::check divides by zero (engine.cpp, fused_live = .../wsum) and reports a NaN
// isFakeLikelihood with isFakeFace = false, i.e. every spoof passes.
TEST_F(ModelPackCopy, FusionWeightsThatSumToZeroAreModelError) {
  nlohmann::json j = manifest();
  j["antispoof"]["weights"] = {0.0, 0.0};
  write_manifest(j);
  const auto r = load();
  if (r.is_ok()) {
    auto runner = r.value()->make_runner();
    ASSERT_TRUE(runner.is_ok());
    CheckResult cr;
    const Status s = runner.value()->check(test::read_bytes(test::astronaut_path()),
                                           ImageFormat::kAuto, {}, &cr);
    ADD_FAILURE() << "a pack with fusion weights [0, 0] loaded; check() gave " << s.to_string()
                  << " with isFakeLikelihood " << cr.is_fake_likelihood << ", isFakeFace "
                  << cr.is_fake;
    return;
  }
  EXPECT_EQ(r.status().code(), StatusCode::kModelError) << r.status().to_string();
}

TEST(ModelPack, MissingFolderIsModelError) {
  EngineOptions o;
  o.model_dir = "/nonexistent/livecheck/models";
  const auto r = Engine::load(o);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kModelError);
  EXPECT_NE(r.status().message().find("make setup"), std::string::npos) << r.status().message();
}

TEST(ModelPack, DefaultThresholdOutside0To1IsInvalidArgument) {
  for (double t : {-0.01, 1.01, 2.0, std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::infinity()}) {
    EngineOptions o;
    o.model_dir = test::model_dir();
    o.default_threshold = t;
    const auto r = Engine::load(o);
    ASSERT_FALSE(r.is_ok()) << t;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << t;
  }
  for (double t : {0.0, 1.0}) {
    EngineOptions o;
    o.model_dir = test::model_dir();
    o.default_threshold = t;
    EXPECT_TRUE(Engine::load(o).is_ok()) << t;
  }
}

TEST(ModelPack, Sha256HexMatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(nullptr, 0),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string abc = "abc";
  EXPECT_EQ(sha256_hex(reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ModelPack, LoadedPackDescribesEveryModel) {
  const auto r = load_model_pack(test::model_dir());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const ModelPack& p = r.value();
  for (const char* name :
       {"blazeface_front", "blazeface_back", "minifasnet_v2", "minifasnet_v1se"}) {
    const ModelFile* m = p.find(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(sha256_hex(m->bytes.data(), m->bytes.size()), m->sha256) << name;
  }
  EXPECT_DOUBLE_EQ(p.find("minifasnet_v2")->crop_scale, 2.7);
  EXPECT_DOUBLE_EQ(p.find("minifasnet_v1se")->crop_scale, 4.0);
  EXPECT_EQ(p.find("minifasnet_v2")->input_size, 80);
  EXPECT_EQ(p.find("minifasnet_v2")->live_class, 1);
  EXPECT_EQ(p.find("blazeface_front")->input_size, 128);
  EXPECT_EQ(p.find("blazeface_back")->input_size, 256);
  EXPECT_EQ(p.find("nonexistent"), nullptr);
}

}  // namespace
}  // namespace livecheck
