// `reramsim asm` and `reramsim disasm`, run as a user runs them.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "cli_test_util.hpp"

using reramsim::test::CliResult;
using reramsim::test::read_file;
using reramsim::test::run_cli;
using reramsim::test::Scratch;

namespace {

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("cli: asm then disasm reproduces the canonical text", "[cli][isa]") {
  Scratch scratch;
  const std::string source = scratch.path("prog.s");
  write_bytes(source,
              "# fields in any order, names or numbers, comments\n"
              "R.conv.sparse desc=5 index=2 des=3 src=cb1 in_ch=0x40 kernel=3 fusion=relu\n"
              "\n"
              "A.shift imm=7 forward=1 des=ob src=acc size=1024   # requantize\n"
              "N.coll exit=5 des=511 src=3\n"
              "C.halt\n");
  const std::string binary = scratch.path("prog.bin");
  const CliResult a = run_cli(scratch, "asm '" + source + "' -o '" + binary + "'");
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  CHECK(a.out.empty());
  CHECK(std::filesystem::file_size(binary) == 4 * 8);
  const CliResult d = run_cli(scratch, "disasm '" + binary + "'");
  INFO(d.err);
  CHECK(d.exit_code == 0);
  CHECK(d.out ==
        "R.conv.sparse fusion=relu kernel=3 in_ch=64 src=cb1 des=acc index=2 desc=5\n"
        "A.shift size=1024 src=acc des=ob forward=1 imm=7\n"
        "N.coll src=3 des=511 exit=up\n"
        "C.halt\n");
}

TEST_CASE("cli: asm writes 8 little-endian bytes per instruction", "[cli][isa]") {
  Scratch scratch;
  const std::string source = scratch.path("halt.s");
  write_bytes(source, "C.wload des=2\nC.halt\n");
  const std::string binary = scratch.path("halt.bin");
  const CliResult r = run_cli(scratch, "asm '" + source + "' -o '" + binary + "'");
  REQUIRE(r.exit_code == 0);
  // C.wload des=2: 3 << 62 | 2 << 7 = 0xC000000000000100; C.halt: 0xFC00000000000000.
  CHECK(read_file(binary) == std::string("\x00\x01\0\0\0\0\0\xC0\0\0\0\0\0\0\0\xFC", 16));
}

TEST_CASE("cli: asm of a malformed file exits 2 with FILE:LINE and leaves no output",
          "[cli][isa][errors]") {
  Scratch scratch;
  const std::string source = scratch.path("bad.s");
  write_bytes(source, "C.halt\n# comment\nR.conv kernel=40\n");
  const std::string binary = scratch.path("bad.bin");
  const CliResult r = run_cli(scratch, "asm '" + source + "' -o '" + binary + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim: " + source + ":3: field 'kernel' is 40, expected 0..31\n");
  CHECK(r.out.empty());
  CHECK_FALSE(std::filesystem::exists(binary));
  CHECK_FALSE(std::filesystem::exists(binary + ".tmp"));
}

TEST_CASE("cli: asm of a missing file exits 2 naming it", "[cli][isa][errors]") {
  Scratch scratch;
  const std::string binary = scratch.path("none.bin");
  const CliResult r = run_cli(scratch, "asm '" + scratch.path("none.s") + "' -o '" + binary + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim: " + scratch.path("none.s") + ": cannot open file\n");
  CHECK_FALSE(std::filesystem::exists(binary));
}

TEST_CASE("cli: asm without -o is a usage error", "[cli][isa][errors]") {
  Scratch scratch;
  const CliResult r = run_cli(scratch, "asm prog.s");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim asm: missing -o OUT.bin\n");
}

TEST_CASE("cli: disasm of a 7-byte file exits 2 naming file and instruction",
          "[cli][isa][errors]") {
  Scratch scratch;
  const std::string binary = scratch.path("seven.bin");
  write_bytes(binary, std::string(7, '\0'));
  const CliResult r = run_cli(scratch, "disasm '" + binary + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim: " + binary +
                     ": instruction 0: incomplete (7 of 8 bytes; the size 7 is not a multiple "
                     "of 8)\n");
  CHECK(r.out.empty());
}

TEST_CASE("cli: disasm of an undecodable word exits 2 naming file and instruction",
          "[cli][isa][errors]") {
  Scratch scratch;
  const std::string binary = scratch.path("badop.bin");
  // C.halt, then category A with the undefined opcode 9.
  write_bytes(binary, std::string("\0\0\0\0\0\0\0\xFC\0\0\0\0\0\0\0\x64", 16));
  const CliResult r = run_cli(scratch, "disasm '" + binary + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim: " + binary +
                     ": instruction 1: undefined opcode 9 for category A in word "
                     "0x6400000000000000\n");
  CHECK(r.out.empty());
}
