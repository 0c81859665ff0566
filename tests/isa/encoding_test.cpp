// The binary encoding: round trips, hand-encoded words, refusals, and the
// little-endian program format.
#include <catch2/catch.hpp>

#include "reramsim/isa/isa.hpp"

using namespace reramsim::isa;

namespace {

// Every opcode of Table II and our extensions, listed by hand rather than
// taken from the library so a missing one shows.
std::vector<Instruction> every_opcode() {
  return {make(ROp::conv),  make(ROp::fc),       make(AOp::add),   make(AOp::sub),
          make(AOp::mul),   make(AOp::div),      make(AOp::rsqrt), make(AOp::relu),
          make(AOp::max),   make(AOp::min),      make(AOp::shift), make(NOp::dist),
          make(NOp::local), make(NOp::coll),     make(COp::wload), make(COp::ifetch),
          make(COp::dload), make(COp::dispatch), make(COp::dma),   make(COp::loop),
          make(COp::lag),   make(COp::part),     make(COp::halt)};
}

std::uint32_t field_max(Category c, const std::string& name) {
  for (const FieldInfo& f : fields(c)) {
    if (name == f.name) return f.max;
  }
  FAIL("no field " << name);
  return 0;
}

std::string message_of(const Instruction& instruction) {
  try {
    encode(instruction);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::string decode_message(std::uint64_t word) {
  try {
    decode(word);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("isa: every opcode round-trips through encode and decode with all fields zero", "[isa]") {
  for (const Instruction& instruction : every_opcode()) {
    INFO(mnemonic(instruction));
    const std::uint64_t word = encode(instruction);
    CHECK(word >> 62 == static_cast<std::uint64_t>(instruction.category));
    CHECK(((word >> 58) & 0xF) == instruction.opcode);
    CHECK((word & ((std::uint64_t{1} << 58) - 1)) == 0);
    CHECK(decode(word) == instruction);
  }
}

TEST_CASE("isa: every opcode round-trips with every field at its maximum", "[isa]") {
  for (Instruction instruction : every_opcode()) {
    for (const FieldInfo& f : fields(instruction.category)) instruction.*f.member = f.max;
    INFO(mnemonic(instruction));
    const Instruction back = decode(encode(instruction));
    CHECK(back == instruction);
    for (const FieldInfo& f : fields(instruction.category)) {
      INFO(f.name);
      CHECK(back.*f.member == f.max);
    }
  }
}

TEST_CASE("isa: the field ranges are those of the design", "[isa]") {
  // kernel 0..31, in_ch 16 bits, endpoints 0..511, sizes and addresses 24 bits.
  CHECK(field_max(Category::r, "kernel") == 31);
  CHECK(field_max(Category::r, "in_ch") == 65535);
  CHECK(field_max(Category::r, "desc") == 1023);
  CHECK(field_max(Category::a, "size") == (1u << 24) - 1);
  CHECK(field_max(Category::a, "imm") == 63);
  CHECK(field_max(Category::n, "src") == kDispatchEndpoint);
  CHECK(field_max(Category::n, "exit") == static_cast<std::uint32_t>(Exit::up));
  CHECK(field_max(Category::c, "des") == (1u << 24) - 1);
  CHECK(field_max(Category::c, "io_mode") == static_cast<std::uint32_t>(IoMode::mcast));
}

TEST_CASE("isa: field layouts fill bits 57 downwards without overlap", "[isa]") {
  for (const Category c : {Category::r, Category::a, Category::n, Category::c}) {
    INFO(static_cast<int>(c));
    unsigned next_msb = 57;  // fields follow each other from the top, in order
    for (const FieldInfo& f : fields(c)) {
      INFO(f.name);
      CHECK(f.lsb + f.width - 1 == next_msb);
      next_msb = f.lsb - 1;
    }
    CHECK(reserved_bits(c) == next_msb + 1);
  }
  CHECK(reserved_bits(Category::r) == 10);
  CHECK(reserved_bits(Category::a) == 0);  // desc fills A's low bits
  CHECK(reserved_bits(Category::n) == 6);
  CHECK(reserved_bits(Category::c) == 7);
}

TEST_CASE("isa: an R-type word matches its hand encoding", "[isa]") {
  Instruction i = make(ROp::conv);
  i.sparse = 1;
  i.fusion = static_cast<std::uint32_t>(Fusion::relu);
  i.kernel = 3;
  i.in_ch = 64;
  i.src = static_cast<std::uint32_t>(Buffer::cb1);
  i.des = static_cast<std::uint32_t>(Buffer::acc);
  i.index = 2;
  i.desc = 5;
  // By hand from docs/isa.md: category 0, opcode 0; sparse 1<<57 = 0x0200...,
  // fusion 1<<55 = 0x0080..., kernel 3<<50 = 0x000C..., in_ch 64<<34 = 1<<40,
  // src 1<<31, des 3<<28 = 0x30000000, index 2<<20 = 0x200000, desc 5<<10 = 0x1400.
  CHECK(encode(i) == 0x028C0100B0201400ull);
  CHECK(decode(0x028C0100B0201400ull) == i);
}

TEST_CASE("isa: an A-type word matches its hand encoding", "[isa]") {
  Instruction i = make(AOp::shift);
  i.size = 1024;
  i.src = static_cast<std::uint32_t>(Buffer::acc);
  i.des = static_cast<std::uint32_t>(Buffer::ob);
  i.forward = 1;
  i.imm = 7;
  // By hand: category 1<<62 = 0x4000..., opcode 8<<58 = 0x2000..., size
  // 1024<<26 = 1<<36, src 3<<23 = 0x1800000, des 2<<17 = 0x40000, forward
  // 1<<16, imm 7<<10 = 0x1C00.
  CHECK(encode(i) == 0x6000001001851C00ull);
}

TEST_CASE("isa: an N-type word matches its hand encoding", "[isa]") {
  Instruction i = make(NOp::coll);
  i.fuse = 1;
  i.batch = 1;
  i.kernel = 3;
  i.io_ch = 64;
  i.src = 3;
  i.des = kDispatchEndpoint;
  i.exit = static_cast<std::uint32_t>(Exit::up);
  i.recv = 1;
  // By hand: category 2<<62 = 0x8000..., opcode 2<<58 = 0x0800..., fuse
  // 1<<57 = 0x0200..., batch 1<<49 = 0x0002..., kernel 3<<44 = 0x0000_3000...,
  // io_ch 64<<28 = 1<<34, src 3<<19 = 0x180000, des 511<<10 = 0x7FC00,
  // exit 5<<7 = 0x280, recv 1<<6 = 0x40.
  CHECK(encode(i) == 0x8A023004001FFEC0ull);
}

TEST_CASE("isa: a C-type word matches its hand encoding", "[isa]") {
  Instruction i = make(COp::wload);
  i.io_mode = static_cast<std::uint32_t>(IoMode::mcast);
  i.src = 4096;
  i.des = 2;
  // By hand: category 3<<62 = 0xC000..., opcode 0, io_mode 2<<55 = 1<<56,
  // src 4096<<31 = 1<<43, des 2<<7 = 0x100.
  CHECK(encode(i) == 0xC100080000000100ull);
}

TEST_CASE("isa: C.halt is category 3, opcode 15, with no fields", "[isa]") {
  CHECK(encode(make(COp::halt)) == 0xFC00000000000000ull);
}

TEST_CASE("isa: encode rejects a field above its width, naming the field", "[isa]") {
  Instruction i = make(ROp::conv);
  i.kernel = 40;
  CHECK(message_of(i) == "R.conv: field 'kernel' is 40, expected 0..31");
  i = make(AOp::add);
  i.size = 1u << 24;
  CHECK(message_of(i) == "A.add: field 'size' is 16777216, expected 0..16777215");
}

TEST_CASE("isa: encode rejects an undefined exit port or io mode", "[isa]") {
  Instruction i = make(NOp::local);
  i.exit = 6;
  CHECK(message_of(i) == "N.local: field 'exit' is 6, expected 0..5");
  i = make(COp::dma);
  i.io_mode = 3;
  CHECK(message_of(i) == "C.dma: field 'io_mode' is 3, expected 0..2");
}

TEST_CASE("isa: encode rejects a value in a field the category lacks", "[isa]") {
  Instruction i = make(ROp::fc);
  i.io_ch = 3;
  CHECK(message_of(i) ==
        "R.fc: field 'io_ch' is 3, but R-type instructions have no such field (it must be 0)");
}

TEST_CASE("isa: encode rejects an opcode the category does not define", "[isa]") {
  Instruction i;
  i.category = Category::a;
  i.opcode = 9;
  CHECK(message_of(i) == "undefined opcode 9 for category A");
  i.category = Category::c;
  i.opcode = 8;
  CHECK(message_of(i) == "undefined opcode 8 for category C");
}

TEST_CASE("isa: decode rejects a word with an undefined opcode", "[isa]") {
  // Category N (2), opcode 3: N defines 0..2 only.
  CHECK(decode_message(0x8C00000000000000ull) ==
        "undefined opcode 3 for category N in word 0x8c00000000000000");
}

TEST_CASE("isa: decode rejects a word with reserved bits set", "[isa]") {
  const std::uint64_t word = encode(make(ROp::conv)) | 0x200;  // bit 9 is reserved in R
  CHECK(decode_message(word) == "reserved bits 9:0 of an R-type word are not 0 in word 0x200");
  // In C only bits 6:0 are reserved; bit 7 is des.
  CHECK(decode(encode(make(COp::dload)) | 0x80).des == 1);
  CHECK(decode_message(encode(make(COp::dload)) | 0x40) ==
        "reserved bits 6:0 of a C-type word are not 0 in word 0xc800000000000040");
}

TEST_CASE("isa: decode rejects an undefined exit port", "[isa]") {
  const std::uint64_t word = encode(make(NOp::dist)) | (std::uint64_t{7} << 7);
  CHECK(decode_message(word) == "field 'exit' is 7, expected 0..5 in word 0x8000000000000380");
}

TEST_CASE("isa: programs are stored little-endian, 8 bytes per instruction", "[isa]") {
  const std::string bytes = to_binary({make(COp::wload), make(COp::halt)});
  REQUIRE(bytes.size() == 16);
  CHECK(bytes.substr(0, 8) == std::string("\0\0\0\0\0\0\0\xC0", 8));
  CHECK(bytes.substr(8, 8) == std::string("\0\0\0\0\0\0\0\xFC", 8));
  CHECK(from_binary(bytes) == std::vector<Instruction>{make(COp::wload), make(COp::halt)});
}

TEST_CASE("isa: from_binary names an incomplete trailing instruction", "[isa]") {
  std::string message;
  try {
    from_binary(std::string(15, '\0'));
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  CHECK(message == "instruction 1: incomplete (7 of 8 bytes; the size 15 is not a multiple of 8)");
}

TEST_CASE("isa: from_binary names the instruction it cannot decode", "[isa]") {
  std::string bytes = to_binary({make(AOp::add), make(AOp::add), make(AOp::add)});
  bytes[2 * 8 + 7] = static_cast<char>(0x64);  // category A, opcode 9
  std::string message;
  try {
    from_binary(bytes);
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  CHECK(message == "instruction 2: undefined opcode 9 for category A in word 0x6400000000000000");
}

TEST_CASE("isa: instructions differing in any field compare unequal", "[isa]") {
  const Instruction base = make(NOp::dist);
  for (const Category c : {Category::r, Category::a, Category::n, Category::c}) {
    for (const FieldInfo& f : fields(c)) {
      Instruction other = base;
      other.*f.member = 1;
      INFO(f.name);
      CHECK(other != base);
    }
  }
  Instruction other = base;
  other.opcode = 1;
  CHECK(other != base);
  CHECK(make(NOp::dist) == base);
}
