#pragma once
namespace trine {
const char* version();   // semantic version of this build
const char* git_hash();  // short commit hash, "-dirty" if the tree had changes, or "unknown"
}  // namespace trine
