// The PE instruction set (Zhou & Memik, "Re-ReRAM", Section IV, Tables I and
// II): four categories of 64-bit words, their binary encoding, and a one
// instruction per line assembly text. It is the contract between the mapper,
// which emits per-PE programs, and the PE controllers, which execute them, so
// it uses no SystemC. docs/isa.md has the bit layout and the syntax.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace reramsim::isa {

// Bits [63:62] of every word.
enum class Category : std::uint32_t {
  r = 0,  // compute on the ReRAM crossbars
  a = 1,  // compute on the ALU/SFU lanes, a batch of elements at a time
  n = 2,  // NoC transfer
  c = 3,  // control
};

// Bits [61:58]: the opcode within the category.
enum class ROp : std::uint32_t { conv = 0, fc = 1 };
enum class AOp : std::uint32_t {
  add = 0,
  sub = 1,
  mul = 2,
  div = 3,
  rsqrt = 4,
  relu = 5,
  max = 6,
  min = 7,
  shift = 8,  // extension: round-shift-and-clamp requantization
};
enum class NOp : std::uint32_t { dist = 0, local = 1, coll = 2 };
enum class COp : std::uint32_t {
  wload = 0,
  ifetch = 1,
  dload = 2,
  dispatch = 3,
  dma = 4,
  loop = 5,   // extension: run the next `des` instructions once per part (src parts)
  lag = 6,    // extension: the rest of a loop body works on the part `src` iterations back
  part = 7,   // extension: the following instructions (outside loops) work on part `src`
  halt = 15,  // extension: end of program
};

// Values of the enumerated fields.
enum class Buffer : std::uint32_t {
  cb0 = 0,
  cb1 = 1,
  ob = 2,
  acc = 3,
  nic = 4,
  lut = 5,
  dt = 6,
  gb = 7
};
enum class Fusion : std::uint32_t { none = 0, relu = 1, requant = 2, requant_relu = 3 };
enum class Exit : std::uint32_t { local = 0, east = 1, west = 2, north = 3, south = 4, up = 5 };
enum class IoMode : std::uint32_t { in = 0, out = 1, mcast = 2 };

// NoC endpoint ids in N-type src/des: PEs 0..kMaxPeEndpoint, then the
// dispatch unit (and the global buffer behind it).
constexpr std::uint32_t kMaxPeEndpoint = 510;
constexpr std::uint32_t kDispatchEndpoint = 511;

// One instruction, decoded. Members that do not belong to the category must be
// 0 (encode() refuses them, so decode(encode(i)) == i always holds).
struct Instruction {
  Category category = Category::r;
  std::uint32_t opcode = 0;  // an ROp/AOp/NOp/COp value, per category

  // Shared by several categories; widths differ per category (docs/isa.md).
  std::uint32_t src = 0;     // R/A: Buffer; N: endpoint; C: address or slot
  std::uint32_t des = 0;     // likewise
  std::uint32_t batch = 0;   // A, N
  std::uint32_t kernel = 0;  // R, N: kernel size 0..31

  // R-type.
  std::uint32_t sparse = 0;  // 1: the indexing-filter ("Array-index") form
  std::uint32_t fusion = 0;  // Fusion
  std::uint32_t in_ch = 0;
  std::uint32_t index = 0;  // crossbar within the PE
  std::uint32_t desc = 0;   // entry of the PE's descriptor table

  // A-type.
  std::uint32_t size = 0;     // element count
  std::uint32_t src2 = 0;     // second operand Buffer (extension)
  std::uint32_t forward = 0;  // 1: also hand the result to the NoC interface
  std::uint32_t imm = 0;      // shift amount of A.shift

  // N-type.
  std::uint32_t fuse = 0;
  std::uint32_t io_ch = 0;
  std::uint32_t exit = 0;  // Exit
  std::uint32_t recv = 0;  // 0 send, 1 receive (wait for the transfer)

  // C-type.
  std::uint32_t io_mode = 0;  // IoMode
};

bool operator==(const Instruction& a, const Instruction& b);
inline bool operator!=(const Instruction& a, const Instruction& b) {
  return !(a == b);
}

// An instruction of the given opcode with every field 0.
Instruction make(ROp op);
Instruction make(AOp op);
Instruction make(NOp op);
Instruction make(COp op);

// How the text form spells a field's value.
enum class FieldKind { number, flag, buffer, fusion, exit, io_mode };

// One field of a category's layout: bits [lsb + width - 1 : lsb].
struct FieldInfo {
  const char* name;
  unsigned lsb;
  unsigned width;
  std::uint32_t Instruction::*member;
  std::uint32_t max;  // largest defined value; below 2^width - 1 for some enums
  FieldKind kind;
};

// The category's fields in their fixed order (Table I, then our extensions):
// the order of the bits (high to low) and of the assembly text.
const std::vector<FieldInfo>& fields(Category category);

// Bits [reserved_bits(c) - 1 : 0] are reserved and must be 0.
unsigned reserved_bits(Category category);

// "R.conv", "R.conv.sparse", "A.shift", ...; throws std::invalid_argument for
// an opcode the category does not define.
std::string mnemonic(const Instruction& instruction);

// Throws std::invalid_argument naming the field when a field exceeds its range
// or does not belong to the category, or when the opcode is undefined.
std::uint64_t encode(const Instruction& instruction);
// Throws std::invalid_argument for an undefined opcode or field value, or
// nonzero reserved bits.
Instruction decode(std::uint64_t word);

// Programs as bytes: 8 per instruction, little-endian. from_binary throws
// std::invalid_argument naming the instruction index.
std::string to_binary(const std::vector<Instruction>& program);
std::vector<Instruction> from_binary(const std::string& bytes);

// A malformed assembly line; what() is "FILE:LINE: message".
class AssemblyError : public std::runtime_error {
 public:
  AssemblyError(const std::string& file, int line, const std::string& message);
  const std::string& file() const { return m_file; }
  int line() const { return m_line; }
  const std::string& message() const { return m_message; }

 private:
  std::string m_file;
  int m_line;
  std::string m_message;
};

// The canonical text of one instruction: the mnemonic, then every nonzero
// field in fields() order as name=value. Throws like encode().
std::string to_assembly(const Instruction& instruction);
// Parses a program; `file` names it in AssemblyError messages.
std::vector<Instruction> assemble(const std::string& text, const std::string& file);
// One to_assembly() line per instruction, each ending in '\n'.
std::string disassemble(const std::vector<Instruction>& program);

}  // namespace reramsim::isa
