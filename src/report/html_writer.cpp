// HTML writer: one self-contained page with inline CSS and inline SVG
// charts, no scripts and nothing fetched from the network. The markup is
// also well-formed XML (XHTML-compatible), so XML tools can check it.

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/i18n.h"
#include "common/utf8.h"
#include "report/report_data.h"

namespace shopsight::report {
namespace {

constexpr const char* kPositiveColor = "#3a9b5c";
constexpr const char* kNegativeColor = "#d64545";
constexpr const char* kNeutralColor = "#a0a7b0";
constexpr const char* kVolumeColor = "#3b6fd1";

// Each chart is drawn twice, in a wide layout for desktops and tablets and a
// narrow one for phones, and CSS shows one of them. A single viewBox scaled
// to a 390-pixel phone would shrink 12-unit labels to about 5 pixels.
// Geometry is in SVG user units; the viewBox scales it to the page width.
struct ChartLayout {
  const char* name;         ///< CSS class: wide or narrow
  double width;
  double label_width;       ///< room for row labels left of the bars; 0 puts each label above its bar
  double value_width;       ///< room for the figures right of the bars
  double row_height;
  double bar_height;
  std::int32_t label_chars; ///< longer row labels end with an ellipsis
  double timeline_height;
  double timeline_left;     ///< room for the axis figures
  std::size_t date_labels;  ///< maximum labels on the time axis
};

constexpr ChartLayout kWide{"wide", 760, 180, 90, 30, 18, 14, 240, 44, 8};
constexpr ChartLayout kNarrow{"narrow", 360, 0, 0, 44, 16, 16, 220, 40, 4};
constexpr ChartLayout kLayouts[] = {kWide, kNarrow};

constexpr std::string_view kStyle = R"(
:root { color-scheme: light; }
body { margin: 0; background: #f4f5f7; color: #1f2328; line-height: 1.55;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB",
    "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", Roboto,
    "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { font-size: 28px; margin: 8px 0 4px; }
.meta { color: #5b6470; margin: 0; }
section { background: #fff; border: 1px solid #e1e4e8; border-radius: 10px; padding: 18px 22px; margin: 18px 0; }
h2 { font-size: 20px; margin: 0 0 12px; }
h3 { font-size: 17px; margin: 18px 0 8px; }
h4 { font-size: 15px; margin: 16px 0 6px; color: #3d444d; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 8px 0 4px; }
.card { border: 1px solid #e1e4e8; border-radius: 8px; padding: 10px 14px; background: #fafbfc; }
.card .label { color: #5b6470; font-size: 13px; }
.card .value { font-size: 24px; font-weight: 600; }
.card .value.positive { color: #2c7a48; }
.card .value.negative { color: #b83333; }
.table-scroll { overflow-x: auto; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 0; }
th, td { padding: 6px 8px; border-bottom: 1px solid #eceef1; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.examples { list-style: none; padding: 0; margin: 8px 0; }
.examples li { border-left: 3px solid #f0b4b4; padding: 4px 10px; margin: 6px 0; background: #fdf7f7;
  overflow-wrap: anywhere; }
.examples .aspect-name { font-weight: 600; margin-right: 6px; }
.examples .item-id { color: #8a929c; font-size: 12px; margin-left: 6px; }
mark.aspect { background: #fde3b5; color: inherit; padding: 0 1px; border-radius: 2px; }
mark.opinion { background: #f8c9c9; color: #7d1515; padding: 0 1px; border-radius: 2px; }
.keywords { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.note { color: #5b6470; font-size: 13px; }
svg.chart { width: 100%; height: auto; display: block; margin: 6px 0; }
svg.chart text { font-size: 12px; fill: #1f2328; }
svg.chart text.inside { fill: #fff; font-size: 11px; }
svg.chart text.axis { fill: #5b6470; font-size: 11px; }
svg.chart.narrow { display: none; max-width: 480px; }
svg.chart.narrow text { font-size: 14px; }
svg.chart.narrow text.inside { font-size: 13px; }
svg.chart.narrow text.axis { font-size: 13px; }
.legend { font-size: 13px; color: #3d444d; margin: 4px 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 12px; }
.swatch.partial { background: repeating-linear-gradient(45deg, #9db7e8 0 2px, #fff 2px 4px); }
@media (max-width: 700px) {
  main { padding: 12px 10px 32px; }
  header h1 { font-size: 22px; }
  section { padding: 12px; border-radius: 8px; }
  table { font-size: 13px; }
  .keywords { grid-template-columns: 1fr; gap: 0; }
  svg.chart.wide { display: none; }
  svg.chart.narrow { display: block; }
}
details { margin: 6px 0; }
summary { cursor: pointer; color: #3b6fd1; font-size: 14px; }
footer { color: #8a929c; font-size: 12px; text-align: center; margin-top: 24px; }
)";

// Escapes the five XML special characters, so that text from reviews can
// never become markup, in element content and in attribute values alike.
std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Chart labels have a fixed width, so long names end with an ellipsis; the
// full name stays in the tables.
std::string shorten(const std::string& text, std::int32_t max_chars) {
  if (utf8::length(text) <= max_chars) return text;
  return utf8::substr(text, 0, max_chars - 1) + "\u2026";
}

std::string number(double value) { return fmt::format("{:.1f}", value); }

// Unique ids for the title and description of each chart, which
// aria-labelledby refers to.
class ChartIds {
 public:
  std::string next() { return fmt::format("chart{}", ++count_); }

 private:
  int count_ = 0;
};

// Opens a chart's <svg>; `id` is from ChartIds and also prefixes ids inside the chart.
std::string svg_open(const std::string& id, const ChartLayout& layout, double height, const std::string& title,
                     const std::string& description) {
  return fmt::format(
      "<svg class=\"chart {}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-labelledby=\"{}-title {}-desc\"><title id=\"{}-title\">{}</title><desc id=\"{}-desc\">{}</desc>",
      layout.name, number(layout.width), number(height), id, id, id, escape(title), id, escape(description));
}

// Positions of the parts of one row of a horizontal bar chart.
struct BarRow {
  double label_y = 0;
  double bar_x = 0;
  double bar_y = 0;
  double bar_span = 0;      ///< width of a full bar
  double value_y = 0;
};

BarRow bar_row(const ChartLayout& layout, std::size_t index) {
  BarRow row;
  const double top = 4 + layout.row_height * static_cast<double>(index);
  if (layout.label_width > 0) {
    row.bar_y = top;
    row.label_y = top + layout.bar_height / 2 + 4;
    row.bar_x = layout.label_width;
    row.bar_span = layout.width - layout.label_width - layout.value_width;
  } else {
    row.label_y = top + 14;
    row.bar_y = row.label_y + 6;
    row.bar_x = 0;
    row.bar_span = layout.width;
  }
  row.value_y = row.label_y;
  return row;
}

// Figures of a row: right of the bar end in the wide layout, right-aligned
// on the label line in the narrow one.
std::string row_value(const ChartLayout& layout, const BarRow& row, double bar_end, const std::string& text) {
  if (layout.label_width > 0) {
    return fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", number(bar_end + 6), number(row.value_y), text);
  }
  return fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", number(layout.width),
                     number(row.value_y), text);
}

std::string legend() {
  return fmt::format(
      "<p class=\"legend\"><span class=\"swatch\" style=\"background:{}\"></span>{}"
      "<span class=\"swatch\" style=\"background:{}\"></span>{}"
      "<span class=\"swatch\" style=\"background:{}\"></span>{}</p>\n",
      kPositiveColor, escape(tr("Positive")), kNegativeColor, escape(tr("Negative")), kNeutralColor,
      escape(tr("Neutral")));
}

// One 100 % stacked bar per group: positive, negative, neutral shares.
std::string sentiment_chart(ChartIds& ids, const std::vector<const GroupView*>& groups,
                            const std::vector<std::string>& names) {
  std::string description;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& counts = groups[i]->sentiment;
    description += tr("{}: {} items, {} positive, {} negative, {} neutral. ", names[i], groups[i]->items,
                      format_percent(counts.positive, counts.total()), format_percent(counts.negative, counts.total()),
                      format_percent(counts.neutral, counts.total()));
  }

  std::string out;
  for (const ChartLayout& layout : kLayouts) {
    const double height = layout.row_height * static_cast<double>(groups.size()) + 8;
    out += svg_open(ids.next(), layout, height, tr("Sentiment share per group"), description);
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const auto& counts = groups[i]->sentiment;
      const double total = static_cast<double>(std::max<std::int64_t>(counts.total(), 1));
      const BarRow row = bar_row(layout, i);
      out += fmt::format("<text x=\"0\" y=\"{}\">{}</text>", number(row.label_y),
                         escape(shorten(names[i], layout.label_chars)));

      double x = row.bar_x;
      const std::pair<std::int64_t, const char*> segments[] = {
          {counts.positive, kPositiveColor}, {counts.negative, kNegativeColor}, {counts.neutral, kNeutralColor}};
      for (const auto& [count, color] : segments) {
        const double width = row.bar_span * static_cast<double>(count) / total;
        if (width <= 0) continue;
        out += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>", number(x),
            number(row.bar_y), number(width), number(layout.bar_height), color,
            escape(format_count_share(count, counts.total())));
        // Percentages go inside a segment only where they fit.
        if (width >= 44) {
          out += fmt::format("<text class=\"inside\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                             number(x + width / 2), number(row.bar_y + layout.bar_height / 2 + 4),
                             format_percent(count, counts.total()));
        }
        x += width;
      }
      out += row_value(layout, row, row.bar_x + row.bar_span, escape(tr("{} items", groups[i]->items)));
    }
    out += "</svg>\n";
  }
  return out;
}

// Horizontal bars: all mentions of an aspect in grey, the negative ones over
// them in red, so both the volume and the share are visible.
std::string aspects_chart(ChartIds& ids, const GroupView& group) {
  std::int64_t largest = 1;
  std::string description;
  for (const auto& aspect : group.negative_aspects) {
    largest = std::max(largest, aspect.mentions);
    description += tr("{}: {} negative of {} mentions. ", aspect.name, aspect.polarity.negative, aspect.mentions);
  }

  std::string out;
  for (const ChartLayout& layout : kLayouts) {
    const double height = layout.row_height * static_cast<double>(group.negative_aspects.size()) + 8;
    out += svg_open(ids.next(), layout, height, tr("Negative mentions per aspect"), description);
    for (std::size_t i = 0; i < group.negative_aspects.size(); ++i) {
      const auto& aspect = group.negative_aspects[i];
      const BarRow row = bar_row(layout, i);
      const double all_width = row.bar_span * static_cast<double>(aspect.mentions) / static_cast<double>(largest);
      const double negative_width =
          row.bar_span * static_cast<double>(aspect.polarity.negative) / static_cast<double>(largest);
      out += fmt::format("<text x=\"0\" y=\"{}\">{}</text>", number(row.label_y),
                         escape(shorten(aspect.name, layout.label_chars)));
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#e4e7eb\"/>", number(row.bar_x),
                         number(row.bar_y), number(all_width), number(layout.bar_height));
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>", number(row.bar_x),
                         number(row.bar_y), number(negative_width), number(layout.bar_height), kNegativeColor);
      out += row_value(layout, row, row.bar_x + all_width,
                       fmt::format("{} / {}", aspect.polarity.negative, aspect.mentions));
    }
    out += "</svg>\n";
  }
  return out;
}

// Rounds a chart's largest value up to 1, 2 or 5 times a power of ten, so
// that the axis ticks are round numbers.
double nice_ceiling(double value) {
  if (value <= 1) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

// Labels of the time axis: at most `max_labels`, evenly spaced. The last
// bucket gets one too when it is at least three quarters of a step from the
// previous label, which leaves room for both.
std::vector<std::size_t> date_label_indices(std::size_t points, std::size_t max_labels) {
  std::vector<std::size_t> indices;
  const std::size_t step = std::max<std::size_t>(1, (points + max_labels - 1) / max_labels);
  for (std::size_t i = 0; i < points; ++i) {
    const bool spaced = i % step == 0;
    const bool last_with_room = i + 1 == points && 4 * (i % step) >= 3 * step;
    if (spaced || last_with_room) indices.push_back(i);
  }
  return indices;
}

std::string bucket_tooltip(const std::string& bucket, const TimeBucket& point) {
  std::string text = tr("{}: {} items, {} negative", point.label, point.counts.total(), point.counts.negative);
  if (point.partial()) text += " " + partial_bucket_note(bucket, point);
  return text;
}

// Items per bucket as bars, with the negative items as a red bar over them.
// A first or last bucket that the data covers only in part is paler and
// hatched, so that a short month does not read as a collapse.
std::string timeline_chart(ChartIds& ids, const ReportView& view, const ChartLayout& layout) {
  const double height = layout.timeline_height;
  const double left = layout.timeline_left;
  const double right = 8;
  const double top = 14;
  const double bottom = 36;
  const double plot_width = layout.width - left - right;
  const double plot_height = height - top - bottom;

  std::int64_t largest = 0;
  std::size_t busiest = 0;
  for (std::size_t i = 0; i < view.timeline.size(); ++i) {
    if (view.timeline[i].counts.total() > largest) {
      largest = view.timeline[i].counts.total();
      busiest = i;
    }
  }
  const double y_max = nice_ceiling(static_cast<double>(largest));
  const std::size_t points = view.timeline.size();
  const double slot = plot_width / static_cast<double>(points);
  const double bar_width = std::max(1.0, slot * 0.8);
  auto center_of = [&](std::size_t i) { return left + slot * (static_cast<double>(i) + 0.5); };
  auto height_of = [&](std::int64_t value) { return plot_height * static_cast<double>(value) / y_max; };

  std::string description =
      tr("{} buckets from {} to {}; the busiest, {}, has {} items.", points, view.timeline.front().label,
         view.timeline.back().label, view.timeline[busiest].label, largest);
  for (const auto& point : view.timeline) {
    if (point.partial()) description += " " + partial_bucket_note(view.bucket, point);
  }
  const std::string id = ids.next();
  std::string out = svg_open(id, layout, height, tr("Items over time"), description);
  // White stripes over a bar make it hatched.
  out += fmt::format(
      "<defs><pattern id=\"{}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
      "patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#fff\" fill-opacity=\"0.7\"/>"
      "</pattern></defs>",
      id);

  // Horizontal grid lines at quarters of the axis.
  for (int tick = 0; tick <= 4; ++tick) {
    const double value = y_max * tick / 4;
    const double y = top + plot_height * (1 - tick / 4.0);
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#eceef1\"/>", number(left), number(y),
                       number(left + plot_width), number(y));
    out += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", number(left - 6),
                       number(y + 4), value == std::floor(value) ? fmt::format("{:.0f}", value) : number(value));
  }

  // The label of the last bucket ends at the plot's edge instead of being cut off by the chart's.
  for (std::size_t i : date_label_indices(points, layout.date_labels)) {
    const bool last = i + 1 == points && points > 1;
    out += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>",
                       number(last ? left + plot_width : center_of(i)), number(height - bottom + 18),
                       last ? "end" : "middle", escape(view.timeline[i].label.substr(view.bucket == "month" ? 0 : 5)));
  }

  const double baseline = top + plot_height;
  for (std::size_t i = 0; i < points; ++i) {
    const auto& point = view.timeline[i];
    const double x = center_of(i) - bar_width / 2;
    const double all_height = height_of(point.counts.total());
    const double negative_height = height_of(point.counts.negative);
    const char* opacity = point.partial() ? " fill-opacity=\"0.45\"" : "";
    out += fmt::format("<g><title>{}</title>", escape(bucket_tooltip(view.bucket, point)));
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}/>", number(x),
                       number(baseline - all_height), number(bar_width), number(all_height), kVolumeColor, opacity);
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}/>", number(x),
                       number(baseline - negative_height), number(bar_width), number(negative_height), kNegativeColor,
                       opacity);
    if (point.partial()) {
      out += fmt::format("<rect class=\"partial\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"url(#{}-hatch)\"/>",
                         number(x), number(baseline - all_height), number(bar_width), number(all_height), id);
    }
    out += "</g>";
  }
  out += "</svg>\n";
  return out;
}

// A table scrolls sideways in its own box, so a wide one does not widen the page on a phone.
void open_table(std::string& out, const std::vector<std::pair<std::string, bool>>& columns) {
  out += "<div class=\"table-scroll\"><table><thead><tr>";
  for (const auto& [name, numeric] : columns) {
    out += fmt::format("<th{}>{}</th>", numeric ? " class=\"num\"" : "", escape(name));
  }
  out += "</tr></thead><tbody>\n";
}

void close_table(std::string& out) { out += "</tbody></table></div>\n"; }

std::string cell(const std::string& text) { return "<td>" + escape(text) + "</td>"; }

std::string numeric_cell(const std::string& text) { return "<td class=\"num\">" + escape(text) + "</td>"; }

void sentiment_table(std::string& out, const std::string& first_column, const std::vector<const GroupView*>& groups,
                     const std::vector<std::string>& names) {
  open_table(out, {{first_column, false},
                   {tr("Items"), true},
                   {tr("Positive"), true},
                   {tr("Negative"), true},
                   {tr("Neutral"), true},
                   {tr("Mean score"), true},
                   {tr("Mean rating"), true}});
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& group = *groups[i];
    const auto total = group.sentiment.total();
    out += "<tr>" + cell(names[i]) + numeric_cell(std::to_string(group.items)) +
           numeric_cell(format_count_share(group.sentiment.positive, total)) +
           numeric_cell(format_count_share(group.sentiment.negative, total)) +
           numeric_cell(format_count_share(group.sentiment.neutral, total)) +
           numeric_cell(format_score(group.mean_score)) + numeric_cell(format_rating(group.mean_rating)) + "</tr>\n";
  }
  close_table(out);
}

std::string snippet_html(const Snippet& snippet) {
  std::string out;
  for (const auto& part : split_snippet(snippet)) {
    switch (part.role) {
      case SnippetPart::Role::aspect:
        out += "<mark class=\"aspect\">" + escape(part.text) + "</mark>";
        break;
      case SnippetPart::Role::opinion:
        out += "<mark class=\"opinion\">" + escape(part.text) + "</mark>";
        break;
      case SnippetPart::Role::plain:
        out += escape(part.text);
        break;
    }
  }
  return out;
}

void aspects_block(std::string& out, ChartIds& ids, const GroupView& group, bool chart) {
  if (group.negative_aspects.empty()) {
    out += "<p class=\"note\">" + escape(tr("No negative aspect mentions.")) + "</p>\n";
    return;
  }
  if (chart) out += aspects_chart(ids, group);
  open_table(out, {{tr("Aspect"), false}, {tr("Mentions"), true}, {tr("Negative"), true}, {tr("Negative share"), true}});
  for (const auto& aspect : group.negative_aspects) {
    out += "<tr>" + cell(aspect.name) + numeric_cell(std::to_string(aspect.mentions)) +
           numeric_cell(std::to_string(aspect.polarity.negative)) +
           numeric_cell(format_percent(aspect.polarity.negative, aspect.mentions)) + "</tr>\n";
  }
  close_table(out);

  std::string items;
  for (const auto& aspect : group.negative_aspects) {
    for (const auto& example : aspect.examples) {
      items += fmt::format("<li><span class=\"aspect-name\">{}</span>{}<span class=\"item-id\">{}</span></li>\n",
                           escape(aspect.name), snippet_html(example), escape(example.item_id));
    }
  }
  if (!items.empty()) out += "<ul class=\"examples\">\n" + items + "</ul>\n";
}

void keyword_list(std::string& out, const std::string& heading, const std::vector<KeywordContrast>& keywords,
                  bool negative) {
  out += "<div><h4>" + escape(heading) + "</h4>\n";
  if (keywords.empty()) {
    out += "<p class=\"note\">-</p></div>\n";
    return;
  }
  open_table(out, {{tr("Keyword"), false}, {tr("Items"), true}, {"z", true}});
  for (const auto& keyword : keywords) {
    const auto items = negative ? keyword.negative_items : keyword.positive_items;
    out += "<tr>" + cell(keyword.word) + numeric_cell(std::to_string(items)) +
           numeric_cell(fmt::format("{:.2f}", keyword.z)) + "</tr>\n";
  }
  close_table(out);
  out += "</div>\n";
}

void keywords_block(std::string& out, const GroupView& group) {
  if (group.negative_keywords.empty() && group.positive_keywords.empty()) {
    out += "<p class=\"note\">" + escape(no_keywords_message(group)) + "</p>\n";
    return;
  }
  out += "<div class=\"keywords\">\n";
  keyword_list(out, tr("More often in negative items"), group.negative_keywords, true);
  keyword_list(out, tr("More often in positive items"), group.positive_keywords, false);
  out += "</div>\n";
  std::string note = tr("Items counts the items of that side that have the word among their keywords (at most "
                        "--keywords per item, 5 by default), not every item whose text contains it. z is the "
                        "log-odds ratio with an informative Dirichlet prior divided by its standard error; above 2 "
                        "is unlikely to be chance. Words need z of 1 or more and two items on their side to be "
                        "listed.");
  if (group.keywords_approximate) note += " " + tr("Rare words were dropped to bound memory, so counts are lower bounds.");
  out += "<p class=\"note\">" + escape(note) + "</p>\n";
}

void card(std::string& out, const std::string& label, const std::string& value, const char* tone) {
  out += fmt::format("<div class=\"card\"><div class=\"label\">{}</div><div class=\"value{}{}\">{}</div></div>\n",
                     escape(label), *tone ? " " : "", tone, escape(value));
}

void summary_section(std::string& out, const ReportView& view) {
  const auto& totals = view.totals;
  out += "<section><h2>" + escape(tr("Summary")) + "</h2>\n<div class=\"cards\">\n";
  card(out, tr("Items"), std::to_string(totals.items), "");
  card(out, tr("Positive"), format_percent(totals.sentiment.positive, totals.items), "positive");
  card(out, tr("Negative"), format_percent(totals.sentiment.negative, totals.items), "negative");
  card(out, tr("Neutral"), format_percent(totals.sentiment.neutral, totals.items), "");
  card(out, tr("Mean score"), format_score(totals.mean_score), "");
  card(out, tr("Mean rating"), format_rating(totals.mean_rating), "");
  out += "</div>\n";

  out += "<p class=\"note\">" + escape(channel_summary(totals)) + "</p>\n</section>\n";
}

void timeline_section(std::string& out, ChartIds& ids, const ReportView& view) {
  if (view.timeline.empty()) return;
  out += "<section><h2>" + escape(tr("Volume over time")) + "</h2>\n";
  const bool any_partial =
      std::any_of(view.timeline.begin(), view.timeline.end(), [](const TimeBucket& point) { return point.partial(); });
  out += fmt::format(
      "<p class=\"legend\"><span class=\"swatch\" style=\"background:{}\"></span>{}"
      "<span class=\"swatch\" style=\"background:{}\"></span>{}",
      kVolumeColor, escape(tr("All items")), kNegativeColor, escape(tr("Negative")));
  if (any_partial) out += "<span class=\"swatch partial\"></span>" + escape(tr("Partly covered period"));
  out += "</p>\n";
  for (const ChartLayout& layout : kLayouts) out += timeline_chart(ids, view, layout);
  for (const auto& point : view.timeline) {
    if (point.partial()) out += "<p class=\"note\">" + escape(partial_bucket_note(view.bucket, point)) + "</p>\n";
  }
  out += "<details><summary>" + escape(tr("Data table")) + "</summary>\n";
  open_table(out, {{bucket_display_name(view.bucket), false},
                   {tr("Items"), true},
                   {tr("Positive"), true},
                   {tr("Negative"), true},
                   {tr("Neutral"), true}});
  for (const auto& point : view.timeline) {
    const std::string label = point.partial() ? tr("{} (partial)", point.label) : point.label;
    out += "<tr>" + cell(label) + numeric_cell(std::to_string(point.counts.total())) +
           numeric_cell(std::to_string(point.counts.positive)) + numeric_cell(std::to_string(point.counts.negative)) +
           numeric_cell(std::to_string(point.counts.neutral)) + "</tr>\n";
  }
  close_table(out);
  out += "</details>\n</section>\n";
}

void categories_overview(std::string& out, ChartIds& ids, const ReportView& view) {
  std::vector<const GroupView*> groups{&view.totals};
  std::vector<std::string> names{tr("All items")};
  for (const auto& category : view.categories) {
    groups.push_back(&category);
    names.push_back(category_display_name(category.name));
  }
  out += "<section><h2>" + escape(tr("Sentiment by category")) + "</h2>\n";
  out += legend();
  out += sentiment_chart(ids, groups, names);
  sentiment_table(out, tr("Category"), groups, names);
  out += "</section>\n";
}

void category_sections(std::string& out, ChartIds& ids, const ReportView& view) {
  const auto sections = std::min(view.categories.size(), static_cast<std::size_t>(view.options.top_categories));
  for (std::size_t i = 0; i < sections; ++i) {
    const auto& category = view.categories[i];
    out += "<section><h2>" + escape(tr("Category: {}", category_display_name(category.name))) + "</h2>\n";
    out += "<p class=\"meta\">" +
           escape(tr("{} items, {} positive, {} negative, mean rating {}.", category.items,
                     format_percent(category.sentiment.positive, category.items),
                     format_percent(category.sentiment.negative, category.items), format_rating(category.mean_rating))) +
           "</p>\n";
    out += "<h3>" + escape(tr("Aspects with the most negative mentions")) + "</h3>\n";
    aspects_block(out, ids, category, false);
    out += "<h3>" + escape(tr("Keywords that distinguish negative from positive items")) + "</h3>\n";
    keywords_block(out, category);
    out += "</section>\n";
  }
  if (sections < view.categories.size()) {
    out += "<p class=\"note\">" +
           escape(tr("{} smaller categories have no section of their own; the JSON report has them all.",
                     view.categories.size() - sections)) +
           "</p>\n";
  }
}

void products_section(std::string& out, const ReportView& view) {
  if (view.products.empty()) return;
  out += "<section><h2>" + escape(tr("Products")) + "</h2>\n";
  if (view.product_count > static_cast<std::int64_t>(view.products.size())) {
    out += "<p class=\"note\">" +
           escape(tr("The {} products with the most items, of {}.", view.products.size(), view.product_count)) +
           "</p>\n";
  }
  open_table(out, {{tr("Product"), false},
                   {tr("Category"), false},
                   {tr("Items"), true},
                   {tr("Positive"), true},
                   {tr("Negative"), true},
                   {tr("Mean score"), true},
                   {tr("Mean rating"), true},
                   {tr("Top complaint"), false}});
  for (const auto& product : view.products) {
    const std::string complaint = product.negative_aspects.empty()
                                      ? std::string("-")
                                      : fmt::format("{} ({})", product.negative_aspects.front().name,
                                                    product.negative_aspects.front().polarity.negative);
    out += "<tr>" + cell(product.name) + cell(category_display_name(product.category)) +
           numeric_cell(std::to_string(product.items)) +
           numeric_cell(format_percent(product.sentiment.positive, product.items)) +
           numeric_cell(format_percent(product.sentiment.negative, product.items)) +
           numeric_cell(format_score(product.mean_score)) + numeric_cell(format_rating(product.mean_rating)) +
           cell(complaint) + "</tr>\n";
  }
  close_table(out);
  out += "</section>\n";
}

}  // namespace

std::string render_html(const ReportView& view) {
  ChartIds ids;
  std::string out;
  out += "<!DOCTYPE html>\n";
  out += fmt::format("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"{}\" xml:lang=\"{}\">\n", view.language,
                     view.language);
  out += "<head>\n<meta charset=\"utf-8\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  out += "<meta name=\"generator\" content=\"shopsight " SHOPSIGHT_VERSION "\"/>\n";
  out += "<title>" + escape(view.title) + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";

  out += "<header><h1>" + escape(view.title) + "</h1>\n";
  const std::string range = format_time_range(view);
  if (!range.empty()) out += "<p class=\"meta\">" + escape(tr("Time range")) + tr(": ") + escape(range) + "</p>\n";
  out += "</header>\n";

  if (view.totals.items == 0) {
    out += "<section><p>" + escape(tr("No items were analyzed.")) + "</p></section>\n";
  } else {
    summary_section(out, view);
    timeline_section(out, ids, view);
    if (!view.categories.empty()) categories_overview(out, ids, view);

    out += "<section><h2>" + escape(tr("Aspects with the most negative mentions")) + "</h2>\n";
    aspects_block(out, ids, view.totals, true);
    out += "</section>\n";
    out += "<section><h2>" + escape(tr("Keywords that distinguish negative from positive items")) + "</h2>\n";
    keywords_block(out, view.totals);
    out += "</section>\n";

    category_sections(out, ids, view);
    products_section(out, view);
  }

  out += "<footer>" + escape(tr("Made by shopsight {} from analyzed items; texts are shown with personal data masked.",
                                SHOPSIGHT_VERSION)) +
         "</footer>\n";
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace shopsight::report
