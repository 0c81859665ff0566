// `reramsim asm` and `reramsim disasm`: PE programs between their assembly
// text and their binary form (docs/isa.md).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "reramsim/isa/isa.hpp"
#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::cli {

namespace {

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw workloads::InputError(path + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw workloads::InputError(path + ": cannot read file");
  return text.str();
}

// Through a temporary and a rename, so a failure never leaves a partial file.
void write_whole_file(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (out) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      throw workloads::InputError(path + ": cannot write file");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw workloads::InputError(path + ": cannot write file");
  }
}

}  // namespace

int asm_command(const std::vector<std::string>& args) {
  // `-o` is a short option, which parse_options (--key value) does not know.
  std::string output;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "-o") {
      rest.push_back(args[i]);
      continue;
    }
    if (i + 1 >= args.size()) throw UsageError("reramsim asm: option '-o' expects a value");
    if (!output.empty()) throw UsageError("reramsim asm: option '-o' given twice");
    output = args[++i];
  }
  const Options options = parse_options("asm", rest, {});
  if (options.positional.empty()) throw UsageError("reramsim asm: expected IN.s -o OUT.bin");
  if (options.positional.size() > 1) {
    throw UsageError("reramsim asm: unexpected argument '" + options.positional[1] + "'");
  }
  if (output.empty()) throw UsageError("reramsim asm: missing -o OUT.bin");
  const std::string& input = options.positional.front();
  std::vector<isa::Instruction> program;
  try {
    program = isa::assemble(read_whole_file(input), input);
  } catch (const isa::AssemblyError& e) {
    throw workloads::InputError(e.what());
  }
  write_whole_file(output, isa::to_binary(program));
  return 0;
}

int disasm_command(const std::vector<std::string>& args) {
  const Options options = parse_options("disasm", args, {});
  if (options.positional.empty()) throw UsageError("reramsim disasm: expected IN.bin");
  if (options.positional.size() > 1) {
    throw UsageError("reramsim disasm: unexpected argument '" + options.positional[1] + "'");
  }
  const std::string& input = options.positional.front();
  std::vector<isa::Instruction> program;
  try {
    program = isa::from_binary(read_whole_file(input));
  } catch (const std::invalid_argument& e) {
    throw workloads::InputError(input + ": " + e.what());
  }
  std::cout << isa::disassemble(program);
  return 0;
}

}  // namespace reramsim::cli
