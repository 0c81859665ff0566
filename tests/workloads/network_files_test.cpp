// The seed network files: totals, derived shapes and lowering.
//
// Every expected total is copied from the bold "total" row of
// shared/reference/layer-tables.md; per-layer values are hand-derived
// there and repeated here.
#include <catch2/catch.hpp>

#include <string>

#include "reramsim/workloads/network.hpp"

using namespace reramsim::workloads;

namespace {

Network load_seed(const std::string& file) {
  return load_network(RERAMSIM_SOURCE_DIR "/workloads/networks/" + file);
}

const Layer& layer_named(const Network& net, const std::string& name) {
  const int index = net.find(name);
  REQUIRE(index >= 0);
  return net.layers[std::size_t(index)];
}

}  // namespace

TEST_CASE("workloads: lenet5.yaml totals match the layer tables") {
  const Network net = load_seed("lenet5.yaml");
  CHECK(net.name == "lenet5");
  CHECK(net.layers.size() == 7);
  CHECK(net.total_weights() == 61470);
  CHECK(net.total_macs() == 416520);
}

TEST_CASE("workloads: lenet_caffe.yaml totals match the layer tables") {
  const Network net = load_seed("lenet_caffe.yaml");
  CHECK(net.layers.size() == 6);
  CHECK(net.total_weights() == 430500);
  CHECK(net.total_macs() == 2293000);
}

TEST_CASE("workloads: deepid.yaml totals match the layer tables") {
  const Network net = load_seed("deepid.yaml");
  CHECK(net.layers.size() == 11);
  CHECK(net.total_weights() == 1750720);
  CHECK(net.total_macs() == 3944960);
}

TEST_CASE("workloads: deepface.yaml totals match the layer tables") {
  const Network net = load_seed("deepface.yaml");
  CHECK(net.layers.size() == 8);
  CHECK(net.total_weights() == 118850144);
  CHECK(net.total_macs() == 517624448);
}

TEST_CASE("workloads: caffenet.yaml totals match the layer tables") {
  const Network net = load_seed("caffenet.yaml");
  CHECK(net.layers.size() == 13);
  CHECK(net.total_weights() == 60954656);
  CHECK(net.total_macs() == 724406816);
}

TEST_CASE("workloads: overfeat_fast.yaml totals match the layer tables") {
  const Network net = load_seed("overfeat_fast.yaml");
  CHECK(net.layers.size() == 11);
  CHECK(net.total_weights() == 145909792);
  CHECK(net.total_macs() == 2801403904LL);
}

TEST_CASE("workloads: resnet18.yaml totals match the layer tables") {
  const Network net = load_seed("resnet18.yaml");
  CHECK(net.layers.size() == 31);
  CHECK(net.total_weights() == 11678912);
  CHECK(net.total_macs() == 1814073344LL);
}

TEST_CASE("workloads: resnet34.yaml totals match the layer tables") {
  const Network net = load_seed("resnet34.yaml");
  CHECK(net.layers.size() == 55);
  CHECK(net.total_weights() == 21779648);
  CHECK(net.total_macs() == 3663761408LL);
}

TEST_CASE("workloads: seed files record their source and input") {
  const Network net = load_seed("deepid.yaml");
  CHECK(net.name == "deepid1_39x31");
  CHECK(net.file == RERAMSIM_SOURCE_DIR "/workloads/networks/deepid.yaml");
  CHECK(net.source.rfind("Sun, Wang, Tang", 0) == 0);
  CHECK(net.input == Shape{39, 31, 1});
}

TEST_CASE("workloads: resnet18 strided block conv halves the map") {
  const Network net = load_seed("resnet18.yaml");
  const Layer& conv = layer_named(net, "layer2.0.conv1");
  CHECK(conv.in == Shape{56, 56, 64});
  CHECK(conv.out == Shape{28, 28, 128});
  CHECK(conv.stride_h == 2);
  CHECK(conv.batchnorm);
  CHECK(conv.activation == Activation::relu);
  CHECK(conv.inputs == std::vector<int>{net.find("layer1.1.add")});
  CHECK(conv.weights() == 73728);
}

TEST_CASE("workloads: resnet18 residual add joins conv2 and the projection") {
  const Network net = load_seed("resnet18.yaml");
  const Layer& add = layer_named(net, "layer2.0.add");
  CHECK(add.inputs ==
        std::vector<int>{net.find("layer2.0.conv2"), net.find("layer2.0.downsample")});
  CHECK(add.out == Shape{28, 28, 128});
  CHECK(add.activation == Activation::relu);
  const Layer& downsample = layer_named(net, "layer2.0.downsample");
  CHECK(downsample.out == Shape{28, 28, 128});
  CHECK(downsample.activation == Activation::none);
  CHECK(layer_named(net, "layer2.0.conv2").activation == Activation::none);
}

TEST_CASE("workloads: resnet18 stem pool and global pool shapes") {
  const Network net = load_seed("resnet18.yaml");
  const Layer& maxpool = layer_named(net, "maxpool");
  CHECK(maxpool.out == Shape{56, 56, 64});  // floor((112 + 2 - 3) / 2) + 1
  CHECK(maxpool.pool_mode == PoolMode::max);
  const Layer& avgpool = layer_named(net, "avgpool");
  CHECK(avgpool.out == Shape{1, 1, 512});
  CHECK(avgpool.pool_mode == PoolMode::avg);
  CHECK(layer_named(net, "fc").in == Shape{1, 1, 512});
}

TEST_CASE("workloads: deepface M2 rounds up to 71x71 in ceil mode") {
  const Network net = load_seed("deepface.yaml");
  const Layer& m2 = layer_named(net, "M2");
  CHECK(m2.ceil_mode);
  CHECK(m2.in == Shape{142, 142, 32});
  CHECK(m2.out == Shape{71, 71, 32});  // ceil((142 - 3) / 2) + 1
  CHECK(layer_named(net, "C3").out == Shape{63, 63, 16});
  CHECK(layer_named(net, "L5").out == Shape{25, 25, 16});
  CHECK(layer_named(net, "F7").in == Shape{21, 21, 16});
}

TEST_CASE("workloads: overfeat conv2 maps 28x28 to 24x24") {
  const Network net = load_seed("overfeat_fast.yaml");
  CHECK(layer_named(net, "conv1").out == Shape{56, 56, 96});  // (231 - 11) / 4 + 1
  const Layer& conv2 = layer_named(net, "conv2");
  CHECK(conv2.in == Shape{28, 28, 96});
  CHECK(conv2.out == Shape{24, 24, 256});
  CHECK(layer_named(net, "fc6").in == Shape{6, 6, 1024});
}

TEST_CASE("workloads: caffenet grouped conv2 halves its weights") {
  const Network net = load_seed("caffenet.yaml");
  const Layer& conv2 = layer_named(net, "conv2");
  CHECK(conv2.groups == 2);
  CHECK(conv2.in == Shape{27, 27, 96});
  CHECK(conv2.out == Shape{27, 27, 256});
  CHECK(conv2.weights() == 307200);
  CHECK(conv2.macs() == 223948800);
}

TEST_CASE("workloads: caffenet norm layers are Caffe LRN across channels") {
  const Network net = load_seed("caffenet.yaml");
  const Layer& norm1 = layer_named(net, "norm1");
  CHECK(norm1.type == LayerType::lrn);
  CHECK(norm1.lrn_size == 5);
  CHECK(norm1.lrn_alpha == Approx(1e-4));
  CHECK(norm1.lrn_beta == Approx(0.75));
  CHECK(norm1.lrn_k == Approx(1.0));
  CHECK(norm1.in == Shape{27, 27, 96});
  CHECK(norm1.out == norm1.in);
}

TEST_CASE("workloads: deepid layer adds two fc branches") {
  const Network net = load_seed("deepid.yaml");
  const Layer& conv4 = layer_named(net, "conv4");
  CHECK(conv4.type == LayerType::local);
  CHECK(conv4.out == Shape{2, 1, 80});
  CHECK(conv4.weights() == 38400);
  const Layer& from_pool3 = layer_named(net, "deepid_from_pool3");
  CHECK(from_pool3.inputs == std::vector<int>{net.find("pool3")});
  CHECK(from_pool3.in == Shape{3, 2, 60});
  CHECK(from_pool3.weights() == 57600);
  const Layer& deepid = layer_named(net, "deepid");
  CHECK(deepid.type == LayerType::add);
  CHECK(deepid.out == Shape{1, 1, 160});
  CHECK(deepid.activation == Activation::relu);
}

TEST_CASE("workloads: layers record their line in the file") {
  const Network net = load_seed("lenet5.yaml");
  // The layers list is the last block of the file, one layer per line.
  const int first = net.layers.front().line;
  CHECK(first > 1);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    CHECK(net.layers[i].line == first + int(i));
  }
}

TEST_CASE("workloads: caffenet conv2 lowers to one matrix per group") {
  const Network net = load_seed("caffenet.yaml");
  const MatrixShape m = lower(layer_named(net, "conv2"));
  CHECK(m.matrices == 2);
  CHECK(m.rows == 1200);    // 5 * 5 * 96 / 2
  CHECK(m.cols == 128);     // 256 / 2
  CHECK(m.vectors == 729);  // 27 * 27
}

TEST_CASE("workloads: deepface L4 lowers to one matrix per output position") {
  const Network net = load_seed("deepface.yaml");
  const MatrixShape m = lower(layer_named(net, "L4"));
  CHECK(m.matrices == 3025);  // 55 * 55
  CHECK(m.rows == 1296);      // 9 * 9 * 16
  CHECK(m.cols == 16);
  CHECK(m.vectors == 1);
}

TEST_CASE("workloads: lenet5 F6 lowers to one 120x84 matrix") {
  const Network net = load_seed("lenet5.yaml");
  const MatrixShape m = lower(layer_named(net, "F6"));
  CHECK(m.matrices == 1);
  CHECK(m.rows == 120);
  CHECK(m.cols == 84);
  CHECK(m.vectors == 1);
}
