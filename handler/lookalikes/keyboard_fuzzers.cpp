// Fuzzers that model hitting a neighbouring key on QWERTY, QWERTZ and AZERTY
// keyboards.
#include <array>
#include <string_view>

#include "fuzzers.hpp"

namespace lookalikes {
namespace {

struct KeyNeighbours {
  char32_t key;
  std::u32string_view neighbours;
};

// Keys that touch each letter or digit key on the main block; the same
// neighbour sets as dnstwist's keyboard maps.
constexpr KeyNeighbours kQwerty[] = {
    {U'1', U"2q"},     {U'2', U"3wq1"},   {U'3', U"4ew2"},   {U'4', U"5re3"},   {U'5', U"6tr4"},
    {U'6', U"7yt5"},   {U'7', U"8uy6"},   {U'8', U"9iu7"},   {U'9', U"0oi8"},   {U'0', U"po9"},
    {U'q', U"12wa"},   {U'w', U"3esaq2"}, {U'e', U"4rdsw3"}, {U'r', U"5tfde4"}, {U't', U"6ygfr5"},
    {U'y', U"7uhgt6"}, {U'u', U"8ijhy7"}, {U'i', U"9okju8"}, {U'o', U"0plki9"}, {U'p', U"lo0"},
    {U'a', U"qwsz"},   {U's', U"edxzaw"}, {U'd', U"rfcxse"}, {U'f', U"tgvcdr"}, {U'g', U"yhbvft"},
    {U'h', U"ujnbgy"}, {U'j', U"ikmnhu"}, {U'k', U"olmji"},  {U'l', U"kop"},    {U'z', U"asx"},
    {U'x', U"zsdc"},   {U'c', U"xdfv"},   {U'v', U"cfgb"},   {U'b', U"vghn"},   {U'n', U"bhjm"},
    {U'm', U"njk"},
};

constexpr KeyNeighbours kQwertz[] = {
    {U'1', U"2q"},     {U'2', U"3wq1"},   {U'3', U"4ew2"},   {U'4', U"5re3"},   {U'5', U"6tr4"},
    {U'6', U"7zt5"},   {U'7', U"8uz6"},   {U'8', U"9iu7"},   {U'9', U"0oi8"},   {U'0', U"po9"},
    {U'q', U"12wa"},   {U'w', U"3esaq2"}, {U'e', U"4rdsw3"}, {U'r', U"5tfde4"}, {U't', U"6zgfr5"},
    {U'z', U"7uhgt6"}, {U'u', U"8ijhz7"}, {U'i', U"9okju8"}, {U'o', U"0plki9"}, {U'p', U"lo0"},
    {U'a', U"qwsy"},   {U's', U"edxyaw"}, {U'd', U"rfcxse"}, {U'f', U"tgvcdr"}, {U'g', U"zhbvft"},
    {U'h', U"ujnbgz"}, {U'j', U"ikmnhu"}, {U'k', U"olmji"},  {U'l', U"kop"},    {U'y', U"asx"},
    {U'x', U"ysdc"},   {U'c', U"xdfv"},   {U'v', U"cfgb"},   {U'b', U"vghn"},   {U'n', U"bhjm"},
    {U'm', U"njk"},
};

constexpr KeyNeighbours kAzerty[] = {
    {U'1', U"2a"},     {U'2', U"3za1"},   {U'3', U"4ez2"},   {U'4', U"5re3"},   {U'5', U"6tr4"},
    {U'6', U"7yt5"},   {U'7', U"8uy6"},   {U'8', U"9iu7"},   {U'9', U"0oi8"},   {U'0', U"po9"},
    {U'a', U"2zq1"},   {U'z', U"3esqa2"}, {U'e', U"4rdsz3"}, {U'r', U"5tfde4"}, {U't', U"6ygfr5"},
    {U'y', U"7uhgt6"}, {U'u', U"8ijhy7"}, {U'i', U"9okju8"}, {U'o', U"0plki9"}, {U'p', U"lo0m"},
    {U'q', U"zswa"},   {U's', U"edxwqz"}, {U'd', U"rfcxse"}, {U'f', U"tgvcdr"}, {U'g', U"yhbvft"},
    {U'h', U"ujnbgy"}, {U'j', U"iknhu"},  {U'k', U"olji"},   {U'l', U"kopm"},   {U'm', U"lp"},
    {U'w', U"sxq"},    {U'x', U"wsdc"},   {U'c', U"xdfv"},   {U'v', U"cfgb"},   {U'b', U"vghn"},
    {U'n', U"bhj"},
};

constexpr std::array<std::span<const KeyNeighbours>, 3> kKeyboards = {kQwerty, kQwertz, kAzerty};

// Returns the neighbours of `key` on every layout, possibly with repeats.
std::u32string NeighboursOnAnyKeyboard(char32_t key) {
  std::u32string neighbours;
  for (std::span<const KeyNeighbours> layout : kKeyboards) {
    for (const KeyNeighbours& entry : layout) {
      if (entry.key == key) neighbours += entry.neighbours;
    }
  }
  return neighbours;
}

}  // namespace

std::vector<Candidate> FuzzInsertion(const FuzzInput& input) {
  // Every character but the last gets its neighbours inserted before and
  // after it; dnstwist 20221213 skipped the first character, 20250130 does not.
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i + 1 < label.size(); ++i) {
    for (char32_t neighbour : NeighboursOnAnyKeyboard(label[i])) {
      std::u32string before = label;
      before.insert(i, 1, neighbour);
      candidates.push_back(WithLabel(input, std::move(before)));

      std::u32string after = label;
      after.insert(i + 1, 1, neighbour);
      candidates.push_back(WithLabel(input, std::move(after)));
    }
  }
  return candidates;
}

std::vector<Candidate> FuzzReplacement(const FuzzInput& input) {
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < label.size(); ++i) {
    for (char32_t neighbour : NeighboursOnAnyKeyboard(label[i])) {
      std::u32string replaced = label;
      replaced[i] = neighbour;
      candidates.push_back(WithLabel(input, std::move(replaced)));
    }
  }
  return candidates;
}

}  // namespace lookalikes
