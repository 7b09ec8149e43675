// Markdown writer: headings and pipe tables (CommonMark with the GitHub
// table extension), readable as plain text too.

#include <fmt/format.h>

#include "common/i18n.h"
#include "report/report_data.h"

namespace shopsight::report {
namespace {

// Backslash-escapes the ASCII punctuation that would start markup inside
// a table cell or list item; CommonMark allows a backslash before any ASCII
// punctuation. Line breaks become spaces so that a row stays one line.
std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '&':
      case '~':
      case '#':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Aspect and opinion terms are bold. Adjacent terms share one bold run,
// because "**a****b**" does not parse as two bold words.
std::string snippet_markdown(const Snippet& snippet) {
  std::string out;
  bool bold = false;
  for (const auto& part : split_snippet(snippet)) {
    const bool highlighted = part.role != SnippetPart::Role::plain;
    if (highlighted != bold) {
      out += "**";
      bold = highlighted;
    }
    out += escape(part.text);
  }
  if (bold) out += "**";
  return out;
}

void sentiment_table_header(std::string& out, const std::string& first_column) {
  out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", first_column, tr("Items"), tr("Positive"),
                     tr("Negative"), tr("Neutral"), tr("Mean score"), tr("Mean rating"));
  out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
}

void sentiment_row(std::string& out, const std::string& name, const GroupView& group) {
  const auto total = group.sentiment.total();
  out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", escape(name), group.items,
                     format_count_share(group.sentiment.positive, total),
                     format_count_share(group.sentiment.negative, total),
                     format_count_share(group.sentiment.neutral, total), format_score(group.mean_score),
                     format_rating(group.mean_rating));
}

void aspects_section(std::string& out, const GroupView& group) {
  if (group.negative_aspects.empty()) {
    out += tr("No negative aspect mentions.") + "\n\n";
    return;
  }
  out += fmt::format("| {} | {} | {} | {} |\n", tr("Aspect"), tr("Mentions"), tr("Negative"),
                     tr("Negative share"));
  out += "| --- | ---: | ---: | ---: |\n";
  for (const auto& aspect : group.negative_aspects) {
    out += fmt::format("| {} | {} | {} | {} |\n", escape(aspect.name), aspect.mentions, aspect.polarity.negative,
                       format_percent(aspect.polarity.negative, aspect.mentions));
  }
  out += "\n";

  bool any_example = false;
  for (const auto& aspect : group.negative_aspects) {
    for (const auto& example : aspect.examples) {
      if (!any_example) out += tr("Examples (aspect and opinion terms in bold):") + "\n\n";
      any_example = true;
      out += fmt::format("- {}: {} ({})\n", escape(aspect.name), snippet_markdown(example), escape(example.item_id));
    }
  }
  if (any_example) out += "\n";
}

void keywords_section(std::string& out, const GroupView& group) {
  const auto rows = std::max(group.negative_keywords.size(), group.positive_keywords.size());
  if (rows == 0) {
    out += no_keywords_message(group) + "\n\n";
    return;
  }
  out += fmt::format("| # | {} | z | {} | z |\n", tr("More often in negative items"),
                     tr("More often in positive items"));
  out += "| ---: | --- | ---: | --- | ---: |\n";
  for (std::size_t i = 0; i < rows; ++i) {
    std::string negative = " | ";
    std::string positive = " | ";
    if (i < group.negative_keywords.size()) {
      const auto& keyword = group.negative_keywords[i];
      negative = fmt::format("{} ({}) | {:.2f}", escape(keyword.word), keyword.negative_items, keyword.z);
    }
    if (i < group.positive_keywords.size()) {
      const auto& keyword = group.positive_keywords[i];
      positive = fmt::format("{} ({}) | {:.2f}", escape(keyword.word), keyword.positive_items, keyword.z);
    }
    out += fmt::format("| {} | {} | {} |\n", i + 1, negative, positive);
  }
  out += "\n";
  out += tr("Numbers in brackets count the items of that side that have the word among their keywords (at most "
            "--keywords per item, 5 by default), not every item whose text contains it. z is the log-odds ratio "
            "with an informative Dirichlet prior divided by its standard error; above 2 is unlikely to be chance. "
            "Words need z of 1 or more and two items on their side to be listed.");
  if (group.keywords_approximate) out += " " + tr("Rare words were dropped to bound memory, so counts are lower bounds.");
  out += "\n\n";
}

void summary_section(std::string& out, const ReportView& view) {
  out += fmt::format("## {}\n\n", tr("Summary"));
  const std::string range = format_time_range(view);
  if (!range.empty()) out += fmt::format("- {}: {}\n", tr("Time range"), escape(range));
  out += fmt::format("- {}\n\n", escape(channel_summary(view.totals)));
  sentiment_table_header(out, tr("Group"));
  sentiment_row(out, tr("All items"), view.totals);
  out += "\n";
}

void timeline_section(std::string& out, const ReportView& view) {
  if (view.timeline.empty()) return;
  out += fmt::format("## {}\n\n", tr("Volume over time"));
  out += fmt::format("| {} | {} | {} | {} | {} |\n", bucket_display_name(view.bucket), tr("Items"), tr("Positive"),
                     tr("Negative"), tr("Neutral"));
  out += "| --- | ---: | ---: | ---: | ---: |\n";
  for (const auto& point : view.timeline) {
    const std::string label = point.partial() ? tr("{} (partial)", point.label) : point.label;
    out += fmt::format("| {} | {} | {} | {} | {} |\n", label, point.counts.total(), point.counts.positive,
                       point.counts.negative, point.counts.neutral);
  }
  out += "\n";
  for (const auto& point : view.timeline) {
    if (point.partial()) out += partial_bucket_note(view.bucket, point) + "\n\n";
  }
}

void category_sections(std::string& out, const ReportView& view) {
  if (view.categories.empty()) return;
  out += fmt::format("## {}\n\n", tr("Sentiment by category"));
  sentiment_table_header(out, tr("Category"));
  for (const auto& category : view.categories) sentiment_row(out, category_display_name(category.name), category);
  out += "\n";

  const auto sections = std::min(view.categories.size(), static_cast<std::size_t>(view.options.top_categories));
  for (std::size_t i = 0; i < sections; ++i) {
    const auto& category = view.categories[i];
    out += fmt::format("### {}\n\n", escape(category_display_name(category.name)));
    out += fmt::format("{}\n\n", tr("{} items, {} positive, {} negative, mean rating {}.", category.items,
                                    format_percent(category.sentiment.positive, category.items),
                                    format_percent(category.sentiment.negative, category.items),
                                    format_rating(category.mean_rating)));
    out += fmt::format("#### {}\n\n", tr("Aspects with the most negative mentions"));
    aspects_section(out, category);
    out += fmt::format("#### {}\n\n", tr("Keywords that distinguish negative from positive items"));
    keywords_section(out, category);
  }
  if (sections < view.categories.size()) {
    out += tr("{} smaller categories have no section of their own; the JSON report has them all.",
              view.categories.size() - sections) +
           "\n\n";
  }
}

void products_section(std::string& out, const ReportView& view) {
  if (view.products.empty()) return;
  out += fmt::format("## {}\n\n", tr("Products"));
  if (view.product_count > static_cast<std::int64_t>(view.products.size())) {
    out += tr("The {} products with the most items, of {}.", view.products.size(), view.product_count) + "\n\n";
  }
  out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", tr("Product"), tr("Category"), tr("Items"),
                     tr("Positive"), tr("Negative"), tr("Mean score"), tr("Mean rating"), tr("Top complaint"));
  out += "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n";
  for (const auto& product : view.products) {
    const std::string complaint = product.negative_aspects.empty()
                                      ? std::string("-")
                                      : fmt::format("{} ({})", escape(product.negative_aspects.front().name),
                                                    product.negative_aspects.front().polarity.negative);
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", escape(product.name),
                       escape(category_display_name(product.category)), product.items,
                       format_percent(product.sentiment.positive, product.items),
                       format_percent(product.sentiment.negative, product.items), format_score(product.mean_score),
                       format_rating(product.mean_rating), complaint);
  }
  out += "\n";
}

}  // namespace

std::string render_markdown(const ReportView& view) {
  std::string out;
  out += fmt::format("# {}\n\n", escape(view.title));
  if (view.totals.items == 0) {
    out += tr("No items were analyzed.") + "\n";
    return out;
  }

  summary_section(out, view);
  timeline_section(out, view);

  out += fmt::format("## {}\n\n", tr("Aspects with the most negative mentions"));
  aspects_section(out, view.totals);
  out += fmt::format("## {}\n\n", tr("Keywords that distinguish negative from positive items"));
  keywords_section(out, view.totals);

  category_sections(out, view);
  products_section(out, view);
  return out;
}

}  // namespace shopsight::report
