// The statistics report typeset as an A4 PDF in Chinese: cairo draws, pango
// shapes the text in Noto Sans CJK SC (Debian's fonts-noto-cjk). Tables break
// across pages with their header repeated; each page carries its number and
// the report's digest. Laid out twice: once to count the pages, once to draw.
#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/format.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "oversight/report.h"

// Fontconfig and cairo keep process-wide caches of fonts for the life of the
// process (freed only by FcFini, which would break any later PDF): under
// LeakSanitizer they are not leaks of this program's.
#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\nleak:libcairo.so\nleak:libpango\nleak:libharfbuzz.so\n"
         "leak:libglib-2.0.so\nleak:libgobject-2.0.so\n";
}
#endif

namespace yanglao::oversight {

namespace {

constexpr double kPageW = 595.28, kPageH = 841.89;  // A4 in points
constexpr double kMargin = 48, kFooter = 30;
constexpr double kPad = 3;
constexpr const char* kFamily = "Noto Sans CJK SC";

class Typesetter {
 public:
  Typesetter(cairo_t* cr, bool draw, int pages, std::string footer)
      : cr_(cr), draw_(draw), pages_(pages), footer_(std::move(footer)) {
    layout_ = pango_cairo_create_layout(cr_);
    y_ = kMargin;
  }
  ~Typesetter() { g_object_unref(layout_); }
  Typesetter(const Typesetter&) = delete;
  Typesetter& operator=(const Typesetter&) = delete;

  int page() const { return page_; }

  // Sets the text and font; width < 0: no wrapping. Returns {w, h} in points.
  std::pair<double, double> Set(const std::string& text, double size, bool bold, double width) {
    PangoFontDescription* fd = pango_font_description_new();
    pango_font_description_set_family(fd, kFamily);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout_, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(layout_, width < 0 ? -1 : static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout_, text.c_str(), -1);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    return {static_cast<double>(w) / PANGO_SCALE, static_cast<double>(h) / PANGO_SCALE};
  }
  void Show(double x, double y) {
    if (!draw_) return;
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout_);
  }

  double Room() const { return kPageH - kMargin - kFooter - y_; }
  void NewPage() {
    Footer();
    if (draw_) cairo_show_page(cr_);
    ++page_;
    y_ = kMargin;
  }
  void Footer() {
    auto [w, h] = Set(fmt::format("第 {} 页 共 {} 页", page_, pages_), 8, false, -1);
    Show((kPageW - w) / 2, kPageH - kMargin + 6);
    Set(footer_, 7, false, -1);
    cairo_set_source_rgb(cr_, 0.4, 0.4, 0.4);
    Show(kMargin, kPageH - kMargin + 20);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }

  void Paragraph(const std::string& text, double size, bool bold, bool center, double after) {
    const double width = kPageW - 2 * kMargin;
    auto [w, h] = Set(text, size, bold, width);
    if (h > Room()) NewPage();
    Set(text, size, bold, width);
    Show(center ? (kPageW - w) / 2 : kMargin, y_);
    y_ += h + after;
  }

  void Table(const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows, double size) {
    const double width = kPageW - 2 * kMargin;
    const size_t n = header.size();
    std::vector<double> natural(n, 0);
    auto measure = [&](const std::vector<std::string>& row, bool bold) {
      for (size_t c = 0; c < n && c < row.size(); ++c)
        natural[c] = std::max(natural[c], Set(row[c], size, bold, -1).first + 2 * kPad);
    };
    measure(header, true);
    for (const auto& row : rows) measure(row, false);
    double total = 0;
    for (double w : natural) total += w;
    std::vector<double> cols = natural;
    if (total > width) {
      // Narrow the wide columns first: cap each at an equal share, then spread.
      const double fair = width / static_cast<double>(n);
      double fixed = 0, flexible = 0;
      for (double w : natural) (w <= fair ? fixed : flexible) += w;
      for (size_t c = 0; c < n; ++c) {
        cols[c] = natural[c] <= fair ? natural[c] : natural[c] / flexible * (width - fixed);
      }
    } else {
      for (double& w : cols) w += (width - total) / static_cast<double>(n);
    }
    auto row_height = [&](const std::vector<std::string>& row, bool bold) {
      double h = 0;
      for (size_t c = 0; c < n && c < row.size(); ++c)
        h = std::max(h, Set(row[c], size, bold, cols[c] - 2 * kPad).second);
      return h + 2 * kPad;
    };
    auto draw_row = [&](const std::vector<std::string>& row, bool bold, double h) {
      double x = kMargin;
      if (draw_ && bold) {
        cairo_set_source_rgb(cr_, 0.88, 0.91, 0.95);
        cairo_rectangle(cr_, kMargin, y_, width, h);
        cairo_fill(cr_);
        cairo_set_source_rgb(cr_, 0, 0, 0);
      }
      for (size_t c = 0; c < n; ++c) {
        if (c < row.size()) {
          Set(row[c], size, bold, cols[c] - 2 * kPad);
          Show(x + kPad, y_ + kPad);
        }
        if (draw_) {
          cairo_set_line_width(cr_, 0.5);
          cairo_rectangle(cr_, x, y_, cols[c], h);
          cairo_stroke(cr_);
        }
        x += cols[c];
      }
      y_ += h;
    };
    const double hh = row_height(header, true);
    if (hh * 2 > Room()) NewPage();
    draw_row(header, true, hh);
    for (const auto& row : rows) {
      const double h = row_height(row, false);
      if (h > Room()) {
        NewPage();
        draw_row(header, true, hh);
      }
      draw_row(row, false, h);
    }
    y_ += 4;
  }

  void Space(double h) { y_ += h; }

 private:
  cairo_t* cr_;
  PangoLayout* layout_ = nullptr;
  bool draw_;
  int pages_;
  std::string footer_;
  int page_ = 1;
  double y_ = kMargin;
};

void Typeset(Typesetter& t, const PeriodReport& r) {
  t.Paragraph(r.title, 18, true, true, 6);
  t.Paragraph(fmt::format("统计期：{}（{} 至 {}）", r.period.label, r.period.start().ToString(),
                          r.period.end().ToString()),
              10, false, true, 10);
  t.Paragraph(fmt::format("数据状态：人口数据截至 {}，按 {} 前登记；"
                          "公开规则：少于 {} 人的格子不公开（本报表隐去 {} 格）。",
                          r.as_of, r.known_on, r.min_people, r.withheld),
              9, false, false, 4);
  for (const std::string& run : r.runs) t.Paragraph("清单运行：" + run, 9, false, false, 2);
  t.Space(8);
  t.Paragraph("主要指标", 13, true, false, 4);
  std::vector<std::vector<std::string>> rows;
  for (const Indicator& i : r.indicators) rows.push_back({i.name, i.value, i.basis});
  t.Table({"指标", "数值", "口径"}, rows, 9.5);
  for (const ReportTable& table : r.tables) {
    t.Space(8);
    t.Paragraph(table.title, 13, true, false, 4);
    t.Table(table.header, table.rows, 9);
    if (!table.note.empty()) t.Paragraph("注：" + table.note, 8.5, false, false, 2);
  }
}

}  // namespace

Status WriteReportPdf(const PeriodReport& r, const std::filesystem::path& path) {
  const std::string footer = fmt::format("{} · 校验值 {}", r.title, r.digest);
  // Pass 1: count the pages on a throwaway surface.
  int pages = 1;
  {
    cairo_surface_t* s = cairo_pdf_surface_create(nullptr, kPageW, kPageH);
    cairo_t* cr = cairo_create(s);
    {
      Typesetter t(cr, false, 0, footer);
      Typeset(t, r);
      pages = t.page();
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
  }
  const std::filesystem::path tmp = path.string() + ".part";
  cairo_surface_t* s = cairo_pdf_surface_create(tmp.c_str(), kPageW, kPageH);
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, r.title.c_str());
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "yanglao oversight report");
  const std::string date = r.period.end().ToString() + "T00:00:00";
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date.c_str());
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 0, 0, 0);
  {
    Typesetter t(cr, true, pages, footer);
    Typeset(t, r);
    t.Footer();
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(s);
  const cairo_status_t st = cairo_surface_status(s);
  cairo_surface_destroy(s);
  std::error_code ec;
  if (st != CAIRO_STATUS_SUCCESS) {
    std::filesystem::remove(tmp, ec);
    return Status("oversight.pdf", fmt::format("无法写出 PDF 报表：{}", cairo_status_to_string(st)),
                  Location{.file = path.string()});
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return Status("oversight.pdf", "无法写出 PDF 报表：" + ec.message(),
                  Location{.file = path.string()});
  }
  return Status::Ok();
}

}  // namespace yanglao::oversight
