#pragma once
// A swappable choice's list of names: {value, name, doc} per choice, the one list that the
// design point's schema (FieldVisitor::choice_of), the factory, `trine check --keys` and the
// tests all read. Header-only, so that the configuration layer can name choices without
// linking the models.
#include <array>
#include <string>
#include <vector>

namespace trine::models {

template <class E>
struct Named {
  E value;
  const char* name;
  const char* doc;
};

template <class E, size_t N>
std::vector<std::string> names_of(const std::array<Named<E>, N>& list) {
  std::vector<std::string> out;
  for (const auto& n : list) out.emplace_back(n.name);
  return out;
}

template <class E, size_t N>
const char* name_of(const std::array<Named<E>, N>& list, E value) {
  for (const auto& n : list)
    if (n.value == value) return n.name;
  return "?";
}

// The value named `name`; false if none is.
template <class E, size_t N>
bool value_of(const std::array<Named<E>, N>& list, const std::string& name, E& value) {
  for (const auto& n : list)
    if (name == n.name) {
      value = n.value;
      return true;
    }
  return false;
}

// "name: doc; name: doc": a key's documentation from its list.
template <class E, size_t N>
std::string docs_of(const std::array<Named<E>, N>& list) {
  std::string out;
  for (const auto& n : list) out += std::string(out.empty() ? "" : "; ") + n.name + ": " + n.doc;
  return out;
}

}  // namespace trine::models
