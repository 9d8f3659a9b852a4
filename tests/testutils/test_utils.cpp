#include "test_utils.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace lnscope::test {

std::filesystem::path writeBytes(const std::filesystem::path& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::filesystem::path writeText(const std::filesystem::path& dir, const std::string& name, const std::string& text)
{
    return writeBytes(dir / name, text);
}

namespace fs = std::filesystem;

fs::path sourceDir()
{
    if (const char* env = std::getenv("LNSCOPE_SOURCE_DIR"); env && *env)
        return env;
    return LNSCOPE_SOURCE_DIR_DEFAULT;
}

fs::path datasetsDir()
{
    return sourceDir() / "datasets";
}

fs::path makeTempDir(const std::string& prefix)
{
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    fs::path dir = fs::temp_directory_path()
                   / (prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(stamp) + "-" + std::to_string(counter++));
    fs::create_directories(dir);
    return dir;
}

core::Node makeNode(const std::string& opType, size_t inputCount, size_t outputCount, const std::string& name)
{
    core::Node node;
    node.name = name.empty() ? "node_" + opType : name;
    node.opType = opType;
    for (size_t i = 0; i < inputCount; ++i)
        node.inputs.push_back("in" + std::to_string(i));
    for (size_t o = 0; o < outputCount; ++o)
        node.outputs.push_back("out" + std::to_string(o));
    return node;
}

core::Tensor randomTensor(const core::Shape& shape, uint32_t seed, float lo, float hi)
{
    std::mt19937 rng(seed);
    core::Tensor t(core::DType::Float32, shape);
    for (float& v : t.floats())
        v = uniform(rng, lo, hi);
    return t;
}

std::string tensorMismatch(const core::Tensor& actual, const core::Tensor& expected, const core::Tolerance& tol)
{
    const core::TensorComparison c = core::compareTensors(actual, expected, tol);
    return c.ok ? std::string() : c.message;
}

} // namespace lnscope::test
