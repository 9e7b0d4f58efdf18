// Splits a Go function symbol as printed in a traceback into its parts.
//
//   "github.com/a/b.(*Server).serve.func1" -> package "github.com/a/b",
//       receiver "*Server", name "serve.func1"
//   "gopkg.in/yaml%2ev2.Unmarshal" -> package "gopkg.in/yaml.v2"
//
// The traceback prints linker symbols, so a value method "pkg.T.M" and a
// closure "pkg.F.func1" look alike; receiver is a best guess for those.
#ifndef LEAKHOUND_MODEL_FUNC_NAME_H_
#define LEAKHOUND_MODEL_FUNC_NAME_H_

#include <string>
#include <string_view>

namespace leakhound {

struct FuncName {
  std::string package;   // import path, %xx escapes decoded
  std::string receiver;  // "*T", "T" or ""
  std::string name;      // the rest: "serve.func1"
  bool stdlib = false;   // standard library, runtime included
  bool runtime = false;  // runtime, runtime/internal/*, internal/runtime/*
};

FuncName ParseFuncName(std::string_view symbol);

// Package path of a symbol without building a FuncName; escapes kept.
std::string_view PackageOf(std::string_view symbol);

// True for import paths of the standard library ("net/http",
// "internal/poll", "vendor/golang.org/x/net"), judged by the first path
// element against the standard library's top-level directories.
bool IsStdlibPackage(std::string_view package);

}  // namespace leakhound

#endif  // LEAKHOUND_MODEL_FUNC_NAME_H_
