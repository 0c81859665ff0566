// docs/isa.md is the reference for mapper and controller authors: its tables
// and examples must say what the code does.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "reramsim/isa/isa.hpp"

using namespace reramsim::isa;

namespace {

std::string isa_doc() {
  std::ifstream in(std::string(RERAMSIM_SOURCE_DIR) + "/docs/isa.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string bits_text(unsigned msb, unsigned lsb) {
  return msb == lsb ? std::to_string(msb) : std::to_string(msb) + ":" + std::to_string(lsb);
}

// The text between `marker` and the end of the code block that follows it.
std::string code_block_after(const std::string& doc, const std::string& marker) {
  const std::size_t at = doc.find(marker);
  if (at == std::string::npos) return "";
  const std::size_t begin = doc.find("```\n", at) + 4;
  return doc.substr(begin, doc.find("```", begin) - begin);
}

}  // namespace

TEST_CASE("isa: docs/isa.md gives every field the bits the encoder uses", "[isa][docs]") {
  const std::string doc = isa_doc();
  REQUIRE_FALSE(doc.empty());
  const std::pair<Category, const char*> categories[] = {
      {Category::r, "R"}, {Category::a, "A"}, {Category::n, "N"}, {Category::c, "C"}};
  for (const auto& [category, letter] : categories) {
    for (const FieldInfo& f : fields(category)) {
      const std::string row = std::string("| ") + letter + " | " + f.name + " | " +
                              bits_text(f.lsb + f.width - 1, f.lsb) + " | " +
                              std::to_string(f.width) + " |";
      INFO(row);
      CHECK(doc.find(row) != std::string::npos);
    }
    const unsigned reserved = reserved_bits(category);
    if (reserved == 0) continue;  // every bit is a field
    const std::string row = std::string("| ") + letter + " | reserved | " +
                            bits_text(reserved - 1, 0) + " | " + std::to_string(reserved) + " |";
    INFO(row);
    CHECK(doc.find(row) != std::string::npos);
  }
}

TEST_CASE("isa: docs/isa.md lists every mnemonic with its opcode", "[isa][docs]") {
  const std::string doc = isa_doc();
  REQUIRE_FALSE(doc.empty());
  int listed = 0;
  for (std::uint32_t c = 0; c < 4; ++c) {
    for (std::uint32_t op = 0; op < 16; ++op) {
      Instruction i;
      i.category = static_cast<Category>(c);
      i.opcode = op;
      std::string name;
      try {
        name = mnemonic(i);
      } catch (const std::invalid_argument&) {
        continue;
      }
      const std::string row = "| " + std::to_string(op) + " | `" + name + "`";
      INFO(row);
      CHECK(doc.find(row) != std::string::npos);
      ++listed;
    }
  }
  CHECK(listed == 23);  // Table II's 18 operations and our 5 extensions
}

TEST_CASE("isa: the canonical example in docs/isa.md is canonical", "[isa][docs]") {
  const std::string text = code_block_after(isa_doc(), "prints the canonical text:");
  REQUIRE(text.size() > 0);
  CHECK(disassemble(assemble(text, "docs/isa.md")) == text);
}

TEST_CASE("isa: the hand-encoded example in docs/isa.md matches encode", "[isa][docs]") {
  const std::string doc = isa_doc();
  CHECK(doc.find("| word | | 0x028C0100B0201400, bytes in the file `00 14 20 B0 00 01 8C 02` |") !=
        std::string::npos);
  const std::vector<Instruction> p =
      assemble("R.conv.sparse fusion=relu kernel=3 in_ch=64 src=cb1 des=acc index=2 desc=5", "doc");
  REQUIRE(p.size() == 1);
  CHECK(encode(p[0]) == 0x028C0100B0201400ull);
  CHECK(to_binary(p) == std::string("\x00\x14\x20\xB0\x00\x01\x8C\x02", 8));
}
