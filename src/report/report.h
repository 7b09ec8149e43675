#pragma once

// Report: aggregates analyzed items per category and per product and writes
// the result as Markdown, self-contained HTML (inline SVG charts) or JSON.

#include <cstddef>
#include <memory>
#include <string>

#include "analyze/analyze.h"

namespace shopsight {

/// Report settings.
struct ReportOptions {
  int top_aspects = 5;                    ///< aspects with the most negative mentions per group
  int examples_per_aspect = 2;            ///< example snippets per aspect
  int snippet_chars = 60;                 ///< maximum code points of a snippet, ellipses excluded
  int top_keywords = 10;                  ///< distinguishing keywords per polarity
  int top_products = 20;                  ///< products listed, by volume
  int top_categories = 20;                ///< categories that get their own section, by volume
  std::string timezone = "UTC";           ///< IANA zone for dates and daily buckets, e.g. Asia/Shanghai
  std::string title;                      ///< report title; empty for the localized default
  /// Distinct keywords counted per group; past it, the rarest are dropped, so
  /// keyword counts become lower bounds (the report says so).
  std::size_t max_keyword_vocabulary = 50000;
};

/// Accumulates items and writes the aggregate report; memory grows with the
/// number of groups, days and kept examples, not with the number of items.
class ReportBuilder {
 public:
  /// Throws shopsight::Error when `options.timezone` is not a known IANA zone
  /// or a count option is negative.
  explicit ReportBuilder(const ReportOptions& options = {});
  ~ReportBuilder();
  ReportBuilder(const ReportBuilder&) = delete;
  ReportBuilder& operator=(const ReportBuilder&) = delete;

  /// Counts one analyzed item in the totals, its category and its product.
  void add(const Item& item, const Analysis& analysis);

  /// Number of items added so far.
  std::int64_t size() const;

  /// Writes the report in the format named by the extension of `path`
  /// (.md, .markdown, .html, .htm or .json, in any letter case); throws
  /// shopsight::Error for another extension or when the file cannot be written.
  void write(const std::string& path) const;

  /// Renders the report as Markdown in the current message language.
  std::string to_markdown() const;

  /// Renders the report as one self-contained XHTML-compatible HTML page.
  std::string to_html() const;

  /// Renders the report figures as JSON; the layout is in docs/reports.md.
  std::string to_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopsight
