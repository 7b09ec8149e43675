#pragma once

// Report: aggregates analyzed items per category and per product and writes
// the result as Markdown, self-contained HTML (inline SVG charts) or JSON.

#include <memory>
#include <string>

#include "analyze/analyze.h"

namespace shopsight {

/// Report settings.
struct ReportOptions {
  int top_aspects = 5;                    ///< aspects with the most negative mentions per group
  int examples_per_aspect = 2;            ///< example snippets per aspect
  int snippet_chars = 60;                 ///< code points around an opinion in a snippet
  int top_keywords = 10;                  ///< distinguishing keywords per polarity
  int top_products = 20;                  ///< products listed, by volume
};

/// Accumulates items and writes the aggregate report; memory grows with the
/// number of groups and kept examples, not with the number of items.
class ReportBuilder {
 public:
  explicit ReportBuilder(const ReportOptions& options = {});
  ~ReportBuilder();

  void add(const Item& item, const Analysis& analysis);

  /// Writes the report in the format named by the extension of `path`
  /// (.md, .html or .json); throws shopsight::Error for another extension or
  /// when the file cannot be written.
  void write(const std::string& path) const;

  std::string to_markdown() const;
  std::string to_html() const;
  std::string to_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopsight
