// The assembly text: round trips, accepted spellings, canonical output, and
// the exact one-line errors for malformed lines.
#include <catch2/catch.hpp>

#include <set>

#include "reramsim/isa/isa.hpp"

using namespace reramsim::isa;

namespace {

// Canonical text using every mnemonic, every field and every value name.
const char* kEveryMnemonic =
    "R.conv kernel=3 in_ch=64 src=cb1 des=acc index=2 desc=5\n"
    "R.conv.sparse fusion=requant_relu kernel=31 in_ch=65535 src=gb des=gb index=255 desc=1023\n"
    "R.fc fusion=relu in_ch=512 src=dt des=ob\n"
    "R.fc.sparse fusion=requant src=lut index=7\n"
    "A.add size=100 src=acc src2=nic des=acc\n"
    "A.sub batch=2 size=8 src=cb1 src2=ob des=ob\n"
    "A.mul size=16 src=ob src2=ob des=ob forward=1\n"
    "A.div size=4 src=ob src2=lut des=ob\n"
    "A.rsqrt size=4 src=ob des=ob\n"
    "A.relu size=4096 src=ob des=ob forward=1\n"
    "A.max batch=255 size=16777215 src=cb1 src2=cb1 des=gb\n"
    "A.min size=9 src=cb1 des=ob\n"
    "A.shift size=1024 src=acc des=ob forward=1 imm=63\n"
    "N.dist batch=1 io_ch=3 src=511 recv=1\n"
    "N.local fuse=1 kernel=3 io_ch=64 src=4 des=5 exit=east\n"
    "N.local src=5 des=4 exit=west\n"
    "N.local src=6 des=22 exit=north recv=1\n"
    "N.local src=22 des=6 exit=south\n"
    "N.coll batch=4 io_ch=10 src=510 des=511 exit=up\n"
    "C.wload io_mode=mcast src=4096 des=2\n"
    "C.ifetch src=64 des=16\n"
    "C.dload src=123 des=3\n"
    "C.dispatch io_mode=out src=1 des=2\n"
    "C.dma src=16777215 des=1\n"
    "C.loop src=56 des=9\n"
    "C.lag src=1\n"
    "C.part src=27\n"
    "C.halt\n";

std::string error_of(const std::string& text) {
  try {
    assemble(text, "prog.s");
  } catch (const AssemblyError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("isa: a program using every mnemonic assembles and disassembles to itself", "[isa]") {
  const std::vector<Instruction> program = assemble(kEveryMnemonic, "every.s");
  CHECK(disassemble(program) == kEveryMnemonic);
  CHECK(assemble(disassemble(program), "again.s") == program);
  std::set<std::string> seen;
  for (const Instruction& i : program) seen.insert(mnemonic(i));
  const std::set<std::string> all = {
      "R.conv",  "R.conv.sparse", "R.fc",    "R.fc.sparse", "A.add",   "A.sub",      "A.mul",
      "A.div",   "A.rsqrt",       "A.relu",  "A.max",       "A.min",   "A.shift",    "N.dist",
      "N.local", "N.coll",        "C.wload", "C.ifetch",    "C.dload", "C.dispatch", "C.dma",
      "C.loop",  "C.lag",         "C.part",  "C.halt"};
  CHECK(seen == all);
}

TEST_CASE("isa: assembled fields land in the named members", "[isa]") {
  const std::vector<Instruction> p = assemble(
      "R.conv.sparse fusion=requant kernel=3 in_ch=64 src=cb1 des=acc index=2 desc=5\n", "one.s");
  REQUIRE(p.size() == 1);
  Instruction expected = make(ROp::conv);
  expected.sparse = 1;
  expected.fusion = static_cast<std::uint32_t>(Fusion::requant);
  expected.kernel = 3;
  expected.in_ch = 64;
  expected.src = static_cast<std::uint32_t>(Buffer::cb1);
  expected.des = static_cast<std::uint32_t>(Buffer::acc);
  expected.index = 2;
  expected.desc = 5;
  CHECK(p[0] == expected);
}

TEST_CASE("isa: comments, blank lines, tabs and carriage returns are ignored", "[isa]") {
  const std::vector<Instruction> p = assemble(
      "# a program\n"
      "\n"
      "   \t\n"
      "\tA.add  size=4\tsrc=ob   # trailing comment\r\n"
      "C.halt#no space before the comment",
      "c.s");
  REQUIRE(p.size() == 2);
  CHECK(disassemble(p) == "A.add size=4 src=ob\nC.halt\n");
}

TEST_CASE("isa: an empty or comment-only program has no instructions", "[isa]") {
  CHECK(assemble("", "empty.s").empty());
  CHECK(assemble("# nothing\n\n", "empty.s").empty());
  CHECK(disassemble({}).empty());
}

TEST_CASE("isa: enumerated fields take names or numbers", "[isa]") {
  const std::vector<Instruction> by_name = assemble(
      "A.add src=nic src2=gb des=acc\nN.local exit=south\nC.dma io_mode=out\n"
      "R.conv fusion=requant_relu\n",
      "n.s");
  const std::vector<Instruction> by_number = assemble(
      "A.add src=4 src2=7 des=3\nN.local exit=4\nC.dma io_mode=1\nR.conv fusion=3\n", "n.s");
  CHECK(by_name == by_number);
}

TEST_CASE("isa: numbers may be written in hexadecimal", "[isa]") {
  CHECK(assemble("C.dload src=0xFFFFFF des=0x10", "h.s") ==
        assemble("C.dload src=16777215 des=16", "h.s"));
}

TEST_CASE("isa: disassembly orders fields canonically, omits zeros and prints names", "[isa]") {
  const std::vector<Instruction> p = assemble(
      "N.coll exit=5 des=0x1FF src=3 kernel=0 batch=1\nA.shift imm=2 des=2 src=3 size=0\n", "x.s");
  CHECK(disassemble(p) == "N.coll batch=1 src=3 des=511 exit=up\nA.shift src=acc des=ob imm=2\n");
}

TEST_CASE("isa: to_assembly refuses what encode refuses", "[isa]") {
  Instruction i = make(NOp::dist);
  i.des = 512;
  CHECK_THROWS_WITH(to_assembly(i), "N.dist: field 'des' is 512, expected 0..511");
}

TEST_CASE("isa: an unknown mnemonic is an error naming file and line", "[isa][errors]") {
  CHECK(error_of("C.halt\n\nR.cnv kernel=3\n") == "prog.s:3: unknown mnemonic 'R.cnv'");
}

TEST_CASE("isa: a mnemonic is case-sensitive", "[isa][errors]") {
  CHECK(error_of("r.conv\n") == "prog.s:1: unknown mnemonic 'r.conv'");
}

TEST_CASE("isa: an unknown field is an error naming the mnemonic", "[isa][errors]") {
  CHECK(error_of("# header\nR.conv foo=1\n") == "prog.s:2: unknown field 'foo' for R.conv");
}

TEST_CASE("isa: a field of another category is unknown", "[isa][errors]") {
  CHECK(error_of("R.fc.sparse io_ch=1\n") == "prog.s:1: unknown field 'io_ch' for R.fc.sparse");
}

TEST_CASE("isa: sparse is spelled by the mnemonic, not as a field", "[isa][errors]") {
  CHECK(error_of("R.conv sparse=1\n") == "prog.s:1: unknown field 'sparse' for R.conv");
}

TEST_CASE("isa: a value out of range is an error giving the range", "[isa][errors]") {
  CHECK(error_of("C.halt\nC.halt\nC.halt\nC.halt\nR.conv kernel=40\n") ==
        "prog.s:5: field 'kernel' is 40, expected 0..31");
}

TEST_CASE("isa: a value too large for 64 bits is out of range, not garbage", "[isa][errors]") {
  CHECK(error_of("A.add size=99999999999999999999999\n") ==
        "prog.s:1: field 'size' is 99999999999999999999999, expected 0..16777215");
}

TEST_CASE("isa: a buffer number above 7 is out of range", "[isa][errors]") {
  CHECK(error_of("A.relu src=8\n") == "prog.s:1: field 'src' is 8, expected 0..7");
}

TEST_CASE("isa: a field without '=' is an error", "[isa][errors]") {
  CHECK(error_of("\n\n\n\n\n\nR.conv src=cb0 kernel\n") ==
        "prog.s:7: expected field=value, got 'kernel'");
}

TEST_CASE("isa: a field with an empty value is an error", "[isa][errors]") {
  CHECK(error_of("R.conv kernel=\n") == "prog.s:1: expected field=value, got 'kernel='");
}

TEST_CASE("isa: a non-numeric value is an error", "[isa][errors]") {
  CHECK(error_of("A.add size=12k\n") == "prog.s:1: field 'size' expects a number, got '12k'");
}

TEST_CASE("isa: a negative value is not a number", "[isa][errors]") {
  CHECK(error_of("R.conv kernel=-1\n") == "prog.s:1: field 'kernel' expects a number, got '-1'");
}

TEST_CASE("isa: an unknown buffer name is an error listing the names", "[isa][errors]") {
  CHECK(error_of("A.add src=cb9\n") ==
        "prog.s:1: unknown buffer 'cb9' for field 'src' (expected cb0, cb1, ob, acc, nic, lut, "
        "dt, gb or 0..7)");
}

TEST_CASE("isa: an unknown exit port is an error listing the ports", "[isa][errors]") {
  CHECK(error_of("N.local exit=up2\n") ==
        "prog.s:1: unknown exit 'up2' for field 'exit' (expected local, east, west, north, "
        "south, up or 0..5)");
}

TEST_CASE("isa: a field given twice is an error", "[isa][errors]") {
  CHECK(error_of("R.conv kernel=3 kernel=3\n") == "prog.s:1: field 'kernel' given twice");
}

TEST_CASE("isa: AssemblyError carries the file, line and bare message", "[isa][errors]") {
  try {
    assemble("C.halt\nC.stop\n", "dir/p.s");
    FAIL("no error");
  } catch (const AssemblyError& e) {
    CHECK(e.file() == "dir/p.s");
    CHECK(e.line() == 2);
    CHECK(e.message() == "unknown mnemonic 'C.stop'");
    CHECK(std::string(e.what()) == "dir/p.s:2: unknown mnemonic 'C.stop'");
  }
}
