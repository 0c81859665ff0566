// Binary encoding of the PE instructions: the field tables, encode, decode and
// the little-endian program format.
#include <sstream>

#include "reramsim/isa/isa.hpp"

namespace reramsim::isa {

namespace {

using I = Instruction;

constexpr unsigned kCategoryLsb = 62;
constexpr unsigned kOpcodeLsb = 58;
constexpr std::uint64_t kOpcodeMask = 0xF;

constexpr std::uint32_t max_of(unsigned width) {
  return (std::uint32_t{1} << width) - 1;
}

// `max` 0 means the whole width: no field's range is 0..0.
FieldInfo field(const char* name, unsigned msb, unsigned lsb, std::uint32_t I::*member,
                FieldKind kind = FieldKind::number, std::uint32_t max = 0) {
  const unsigned width = msb - lsb + 1;
  return FieldInfo{name, lsb, width, member, max == 0 ? max_of(width) : max, kind};
}

// The layouts of docs/isa.md; tests check the two agree.
const std::vector<FieldInfo> kRFields = {
    field("sparse", 57, 57, &I::sparse, FieldKind::flag),
    field("fusion", 56, 55, &I::fusion, FieldKind::fusion),
    field("kernel", 54, 50, &I::kernel),
    field("in_ch", 49, 34, &I::in_ch),
    field("src", 33, 31, &I::src, FieldKind::buffer),
    field("des", 30, 28, &I::des, FieldKind::buffer),
    field("index", 27, 20, &I::index),
    field("desc", 19, 10, &I::desc),
};
const std::vector<FieldInfo> kAFields = {
    field("batch", 57, 50, &I::batch),
    field("size", 49, 26, &I::size),
    field("src", 25, 23, &I::src, FieldKind::buffer),
    field("src2", 22, 20, &I::src2, FieldKind::buffer),
    field("des", 19, 17, &I::des, FieldKind::buffer),
    field("forward", 16, 16, &I::forward),
    field("imm", 15, 10, &I::imm),
    field("desc", 9, 0, &I::desc),
};
const std::vector<FieldInfo> kNFields = {
    field("fuse", 57, 57, &I::fuse),
    field("batch", 56, 49, &I::batch),
    field("kernel", 48, 44, &I::kernel),
    field("io_ch", 43, 28, &I::io_ch),
    field("src", 27, 19, &I::src),
    field("des", 18, 10, &I::des),
    field("exit", 9, 7, &I::exit, FieldKind::exit, static_cast<std::uint32_t>(Exit::up)),
    field("recv", 6, 6, &I::recv),
};
const std::vector<FieldInfo> kCFields = {
    field("io_mode", 57, 55, &I::io_mode, FieldKind::io_mode,
          static_cast<std::uint32_t>(IoMode::mcast)),
    field("src", 54, 31, &I::src),
    field("des", 30, 7, &I::des),
};

// Every member with a name, to refuse values in fields a category lacks.
struct Member {
  const char* name;
  std::uint32_t I::*member;
};
const std::vector<Member> kAllMembers = {
    {"src", &I::src},       {"des", &I::des},       {"batch", &I::batch},
    {"kernel", &I::kernel}, {"sparse", &I::sparse}, {"fusion", &I::fusion},
    {"in_ch", &I::in_ch},   {"index", &I::index},   {"desc", &I::desc},
    {"size", &I::size},     {"src2", &I::src2},     {"forward", &I::forward},
    {"imm", &I::imm},       {"fuse", &I::fuse},     {"io_ch", &I::io_ch},
    {"exit", &I::exit},     {"recv", &I::recv},     {"io_mode", &I::io_mode},
};

const char* category_letter(Category c) {
  switch (c) {
    case Category::r:
      return "R";
    case Category::a:
      return "A";
    case Category::n:
      return "N";
    case Category::c:
      return "C";
  }
  throw std::invalid_argument("undefined category " + std::to_string(static_cast<unsigned>(c)));
}

// The opcode's name, or nullptr when the category does not define it.
const char* opcode_name(Category c, std::uint32_t op) {
  static const char* const r_names[] = {"conv", "fc"};
  static const char* const a_names[] = {"add",  "sub", "mul", "div",  "rsqrt",
                                        "relu", "max", "min", "shift"};
  static const char* const n_names[] = {"dist", "local", "coll"};
  static const char* const c_names[] = {"wload", "ifetch", "dload", "dispatch",
                                        "dma",   "loop",   "lag",   "part"};
  switch (c) {
    case Category::r:
      return op < 2 ? r_names[op] : nullptr;
    case Category::a:
      return op < 9 ? a_names[op] : nullptr;
    case Category::n:
      return op < 3 ? n_names[op] : nullptr;
    case Category::c:
      if (op == static_cast<std::uint32_t>(COp::halt)) return "halt";
      return op < 8 ? c_names[op] : nullptr;
  }
  return nullptr;
}

std::string undefined_opcode(Category c, std::uint32_t op) {
  return "undefined opcode " + std::to_string(op) + " for category " + category_letter(c);
}

std::string hex(std::uint64_t word) {
  std::ostringstream s;
  s << "0x" << std::hex << word;
  return s.str();
}

bool belongs_to(Category c, std::uint32_t I::*member) {
  for (const FieldInfo& f : fields(c)) {
    if (f.member == member) return true;
  }
  return false;
}

}  // namespace

bool operator==(const Instruction& a, const Instruction& b) {
  if (a.category != b.category || a.opcode != b.opcode) return false;
  for (const Member& m : kAllMembers) {
    if (a.*m.member != b.*m.member) return false;
  }
  return true;
}

namespace {
Instruction make_in(Category category, std::uint32_t opcode) {
  Instruction i;
  i.category = category;
  i.opcode = opcode;
  return i;
}
}  // namespace

Instruction make(ROp op) {
  return make_in(Category::r, static_cast<std::uint32_t>(op));
}
Instruction make(AOp op) {
  return make_in(Category::a, static_cast<std::uint32_t>(op));
}
Instruction make(NOp op) {
  return make_in(Category::n, static_cast<std::uint32_t>(op));
}
Instruction make(COp op) {
  return make_in(Category::c, static_cast<std::uint32_t>(op));
}

const std::vector<FieldInfo>& fields(Category category) {
  switch (category) {
    case Category::r:
      return kRFields;
    case Category::a:
      return kAFields;
    case Category::n:
      return kNFields;
    case Category::c:
      return kCFields;
  }
  throw std::invalid_argument("undefined category " +
                              std::to_string(static_cast<unsigned>(category)));
}

unsigned reserved_bits(Category category) {
  unsigned lowest = kOpcodeLsb;
  for (const FieldInfo& f : fields(category)) lowest = f.lsb < lowest ? f.lsb : lowest;
  return lowest;
}

std::string mnemonic(const Instruction& instruction) {
  const char* name = opcode_name(instruction.category, instruction.opcode);
  if (name == nullptr)
    throw std::invalid_argument(undefined_opcode(instruction.category, instruction.opcode));
  std::string text = std::string(category_letter(instruction.category)) + "." + name;
  if (instruction.category == Category::r && instruction.sparse != 0) text += ".sparse";
  return text;
}

std::uint64_t encode(const Instruction& instruction) {
  const std::string name = mnemonic(instruction);  // checks category and opcode
  std::uint64_t word =
      (std::uint64_t{static_cast<std::uint32_t>(instruction.category)} << kCategoryLsb) |
      (std::uint64_t{instruction.opcode} << kOpcodeLsb);
  for (const FieldInfo& f : fields(instruction.category)) {
    const std::uint32_t value = instruction.*f.member;
    if (value > f.max) {
      throw std::invalid_argument(name + ": field '" + f.name + "' is " + std::to_string(value) +
                                  ", expected 0.." + std::to_string(f.max));
    }
    word |= std::uint64_t{value} << f.lsb;
  }
  // A value in a field the category lacks would be lost silently.
  for (const Member& m : kAllMembers) {
    const std::uint32_t value = instruction.*m.member;
    if (value != 0 && !belongs_to(instruction.category, m.member)) {
      throw std::invalid_argument(name + ": field '" + m.name + "' is " + std::to_string(value) +
                                  ", but " + category_letter(instruction.category) +
                                  "-type instructions have no such field (it must be 0)");
    }
  }
  return word;
}

Instruction decode(std::uint64_t word) {
  Instruction i;
  i.category = static_cast<Category>(word >> kCategoryLsb);
  i.opcode = static_cast<std::uint32_t>((word >> kOpcodeLsb) & kOpcodeMask);
  if (opcode_name(i.category, i.opcode) == nullptr) {
    throw std::invalid_argument(undefined_opcode(i.category, i.opcode) + " in word " + hex(word));
  }
  const unsigned reserved = reserved_bits(i.category);
  if ((word & ((std::uint64_t{1} << reserved) - 1)) != 0) {
    throw std::invalid_argument(std::string("reserved bits ") + std::to_string(reserved - 1) +
                                ":0 of " + (i.category == Category::c ? "a " : "an ") +
                                category_letter(i.category) + "-type word are not 0 in word " +
                                hex(word));
  }
  for (const FieldInfo& f : fields(i.category)) {
    const auto value = static_cast<std::uint32_t>((word >> f.lsb) & max_of(f.width));
    if (value > f.max) {
      throw std::invalid_argument(std::string("field '") + f.name + "' is " +
                                  std::to_string(value) + ", expected 0.." + std::to_string(f.max) +
                                  " in word " + hex(word));
    }
    i.*f.member = value;
  }
  return i;
}

std::string to_binary(const std::vector<Instruction>& program) {
  std::string bytes;
  bytes.reserve(program.size() * 8);
  for (const Instruction& instruction : program) {
    const std::uint64_t word = encode(instruction);
    // Byte by byte, so the file is little-endian whatever the host is.
    for (unsigned b = 0; b < 8; ++b) bytes.push_back(static_cast<char>((word >> (8 * b)) & 0xFF));
  }
  return bytes;
}

std::vector<Instruction> from_binary(const std::string& bytes) {
  if (bytes.size() % 8 != 0) {
    throw std::invalid_argument("instruction " + std::to_string(bytes.size() / 8) +
                                ": incomplete (" + std::to_string(bytes.size() % 8) +
                                " of 8 bytes; the size " + std::to_string(bytes.size()) +
                                " is not a multiple of 8)");
  }
  std::vector<Instruction> program;
  program.reserve(bytes.size() / 8);
  for (std::size_t n = 0; n < bytes.size() / 8; ++n) {
    std::uint64_t word = 0;
    for (unsigned b = 0; b < 8; ++b) {
      word |= std::uint64_t{static_cast<unsigned char>(bytes[8 * n + b])} << (8 * b);
    }
    try {
      program.push_back(decode(word));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("instruction " + std::to_string(n) + ": " + e.what());
    }
  }
  return program;
}

}  // namespace reramsim::isa
