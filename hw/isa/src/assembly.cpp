// The assembly text of PE programs: one instruction per line, `MNEMONIC
// field=value ...`, `#` comments (docs/isa.md, "Assembly").
#include <cctype>
#include <limits>

#include "reramsim/isa/isa.hpp"

namespace reramsim::isa {

namespace {

// Names of enumerated field values, indexed by value.
const std::vector<std::string> kBufferNames = {"cb0", "cb1", "ob", "acc", "nic", "lut", "dt", "gb"};
const std::vector<std::string> kFusionNames = {"none", "relu", "requant", "requant_relu"};
const std::vector<std::string> kExitNames = {"local", "east", "west", "north", "south", "up"};
const std::vector<std::string> kIoModeNames = {"in", "out", "mcast"};

// The value names of a field kind, with the word used in messages; nullptr for
// plain numbers.
const std::vector<std::string>* value_names(FieldKind kind, const char** what) {
  switch (kind) {
    case FieldKind::buffer:
      *what = "buffer";
      return &kBufferNames;
    case FieldKind::fusion:
      *what = "fusion";
      return &kFusionNames;
    case FieldKind::exit:
      *what = "exit";
      return &kExitNames;
    case FieldKind::io_mode:
      *what = "io mode";
      return &kIoModeNames;
    case FieldKind::number:
    case FieldKind::flag:
      break;
  }
  *what = "number";
  return nullptr;
}

struct MnemonicEntry {
  std::string text;
  Instruction instruction;  // category, opcode and sparse set
};

// Every mnemonic, built from the opcode tables so the two cannot disagree.
const std::vector<MnemonicEntry>& mnemonics() {
  static const std::vector<MnemonicEntry> table = [] {
    std::vector<MnemonicEntry> t;
    for (std::uint32_t c = 0; c < 4; ++c) {
      for (std::uint32_t op = 0; op < 16; ++op) {
        Instruction i;
        i.category = static_cast<Category>(c);
        i.opcode = op;
        try {
          t.push_back({mnemonic(i), i});
        } catch (const std::invalid_argument&) {
          continue;  // opcode not defined in this category
        }
        if (i.category == Category::r) {
          i.sparse = 1;
          t.push_back({mnemonic(i), i});
        }
      }
    }
    return t;
  }();
  return table;
}

// Decimal or 0x-prefixed hexadecimal; false when `text` is neither.
// Saturates at the largest uint64 so a huge value still reads as too large.
bool parse_number(const std::string& text, std::uint64_t* value) {
  std::size_t pos = 0;
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    pos = 2;
    base = 16;
  }
  if (pos >= text.size()) return false;
  std::uint64_t v = 0;
  for (; pos < text.size(); ++pos) {
    const unsigned char ch = static_cast<unsigned char>(text[pos]);
    unsigned digit = 0;
    if (std::isdigit(ch)) {
      digit = ch - '0';
    } else if (base == 16 && std::isxdigit(ch)) {
      digit = static_cast<unsigned>(std::tolower(ch) - 'a' + 10);
    } else {
      return false;
    }
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    v = v > (kMax - digit) / base ? kMax : v * base + digit;
  }
  *value = v;
  return true;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) text += (i == 0 ? "" : ", ") + names[i];
  return text;
}

// A field's value from its text; throws AssemblyError.
std::uint32_t parse_value(const FieldInfo& f, const std::string& text, const std::string& file,
                          int line) {
  const char* what = nullptr;
  const std::vector<std::string>* names = value_names(f.kind, &what);
  if (names != nullptr) {
    for (std::size_t v = 0; v < names->size(); ++v) {
      if ((*names)[v] == text) return static_cast<std::uint32_t>(v);
    }
  }
  std::uint64_t value = 0;
  if (!parse_number(text, &value)) {
    if (names == nullptr) {
      throw AssemblyError(
          file, line, std::string("field '") + f.name + "' expects a number, got '" + text + "'");
    }
    throw AssemblyError(file, line,
                        std::string("unknown ") + what + " '" + text + "' for field '" + f.name +
                            "' (expected " + join_names(*names) + " or 0.." +
                            std::to_string(f.max) + ")");
  }
  if (value > f.max) {
    throw AssemblyError(file, line,
                        std::string("field '") + f.name + "' is " + text + ", expected 0.." +
                            std::to_string(f.max));
  }
  return static_cast<std::uint32_t>(value);
}

std::string format_value(const FieldInfo& f, std::uint32_t value) {
  const char* what = nullptr;
  const std::vector<std::string>* names = value_names(f.kind, &what);
  if (names != nullptr && value < names->size()) return (*names)[value];
  return std::to_string(value);
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  for (const char ch : line) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += ch;
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

Instruction parse_line(const std::vector<std::string>& words, const std::string& file, int line) {
  const std::string& name = words.front();
  const MnemonicEntry* entry = nullptr;
  for (const MnemonicEntry& e : mnemonics()) {
    if (e.text == name) entry = &e;
  }
  if (entry == nullptr) throw AssemblyError(file, line, "unknown mnemonic '" + name + "'");
  Instruction instruction = entry->instruction;
  std::vector<std::string> seen;
  for (std::size_t w = 1; w < words.size(); ++w) {
    const std::string& word = words[w];
    const std::size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == word.size()) {
      throw AssemblyError(file, line, "expected field=value, got '" + word + "'");
    }
    const std::string key = word.substr(0, eq);
    const FieldInfo* field = nullptr;
    for (const FieldInfo& f : fields(instruction.category)) {
      // The sparse bit is spelled by the mnemonic, so the text has one form.
      if (f.kind != FieldKind::flag && key == f.name) field = &f;
    }
    if (field == nullptr) {
      throw AssemblyError(file, line, "unknown field '" + key + "' for " + name);
    }
    for (const std::string& s : seen) {
      if (s == key) throw AssemblyError(file, line, "field '" + key + "' given twice");
    }
    seen.push_back(key);
    instruction.*field->member = parse_value(*field, word.substr(eq + 1), file, line);
  }
  return instruction;
}

}  // namespace

AssemblyError::AssemblyError(const std::string& file, int line, const std::string& message)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + message),
      m_file(file),
      m_line(line),
      m_message(message) {}

std::string to_assembly(const Instruction& instruction) {
  encode(instruction);  // refuses what the text could not carry back
  std::string text = mnemonic(instruction);
  for (const FieldInfo& f : fields(instruction.category)) {
    const std::uint32_t value = instruction.*f.member;
    if (f.kind == FieldKind::flag || value == 0) continue;
    text += std::string(" ") + f.name + "=" + format_value(f, value);
  }
  return text;
}

std::vector<Instruction> assemble(const std::string& text, const std::string& file) {
  std::vector<Instruction> program;
  int line = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string content = text.substr(start, end - start);
    start = end + 1;
    ++line;
    const std::size_t hash = content.find('#');
    if (hash != std::string::npos) content.resize(hash);
    const std::vector<std::string> words = split_words(content);
    if (!words.empty()) program.push_back(parse_line(words, file, line));
  }
  return program;
}

std::string disassemble(const std::vector<Instruction>& program) {
  std::string text;
  for (const Instruction& instruction : program) text += to_assembly(instruction) + "\n";
  return text;
}

}  // namespace reramsim::isa
