#!/usr/bin/python3
"""Makes the real-world feed files of this folder (a developer tool, not a
test dependency: the files it writes are committed).

Each file is the clean 公安 feed (clean.csv) as a department might send it:
saved from Excel-like tools (python3-openpyxl), converted with iconv, with
title rows, notes in headers, extra columns, Chinese dates, numbers in
identifier cells, formulas without values, hidden rows and sheets.
expected.txt (written by hand, read by FeedRealWorldTest in
src/registry/registry_test.cc) says for each file: imported as clean.csv, or
refused with a code and message.

    apt-get install python3-openpyxl   # Debian 12
    /usr/bin/python3 tests/registry/realworld/make.py
"""
import datetime
import os
import subprocess

import openpyxl
from openpyxl.styles import Font

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = ["公民身份号码", "姓名", "性别", "出生日期", "户籍地", "居住地", "联系电话", "户号",
          "死亡日期", "起始日期", "终止日期"]
# Valid IDs (check characters computed), names with a minority-name dot.
ROWS = [
    ["421303194402290016", "张三", "男", "1944-02-29", "421303001001", "421303001001",
     "13812345678", "4213039372589818", "", "2025-01-01", ""],
    ["421302194605100044", "赵六", "女", "1946-05-10", "421303001001", "421303001001",
     "0722-3456789", "421303000101", "", "2025-01-05", ""],
    ["421321193002030029", "阿依古丽·买买提", "女", "1930-02-03", "421321101001",
     "421321101201", "", "", "2026-01-05", "2025-01-01", "2026-01-05"],
]


def path(name):
    return os.path.join(HERE, name)


def write_csv(name, header, rows, encoding="utf-8", bom=False):
    def field(v):
        v = str(v)
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v
    text = "\r\n".join(",".join(field(v) for v in r) for r in [header] + rows) + "\r\n"
    data = text.encode(encoding)
    with open(path(name), "wb") as f:
        f.write((b"\xef\xbb\xbf" if bom else b"") + data)


def iconv(src, dst, to):
    with open(path(dst), "wb") as out:
        subprocess.run(["iconv", "-f", "UTF-8", "-t", to, path(src)], stdout=out, check=True)


def workbook(sheets):
    """sheets: list of (title, rows, options) -> Workbook."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, opts in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if opts.get("text"):
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        c.number_format = "@"
        for r in opts.get("hidden_rows", []):
            ws.row_dimensions[r].hidden = True
        if opts.get("hidden"):
            ws.sheet_state = "hidden"
        if opts.get("merge"):
            ws.merge_cells(opts["merge"])
            ws["A1"].font = Font(bold=True, size=16)
    return wb


def save(wb, name):
    wb.save(path(name))


def main():
    # The clean file, and the same in other encodings.
    write_csv("clean.csv", HEADER, ROWS)
    write_csv("bom.csv", HEADER, ROWS, bom=True)
    iconv("clean.csv", "gbk.csv", "GBK")
    iconv("clean.csv", "gb18030.csv", "GB18030")
    # Neither UTF-8 nor GB18030: a 0xFF byte in line 3.
    with open(path("clean.csv"), "rb") as f:
        lines = f.read().split(b"\r\n")
    lines[2] = lines[2].replace("赵六".encode(), b"\xff\xfe")
    with open(path("bad-encoding.csv"), "wb") as f:
        f.write(b"\r\n".join(lines))

    # Dates as offices write them.
    dated = [r[:] for r in ROWS]
    dated[0][3], dated[0][9] = "1944/2/29", "2025/1/1"
    dated[1][3], dated[1][9] = "1946年5月10日", "2025年1月5日"
    dated[2][3], dated[2][8], dated[2][9], dated[2][10] = "1930-2-3", "20260105", "2025.1.1", "2026.1.5"
    write_csv("dates.csv", HEADER, dated)
    ambiguous = [r[:] for r in ROWS]
    ambiguous[1][9] = "1/5/2025"
    write_csv("ambiguous-date.csv", HEADER, ambiguous)

    # Extra columns, ="..." cells, notes in headers, dots.
    write_csv("extra-columns.csv", ["序号"] + HEADER + ["备注"],
              [[str(i + 1)] + r + ["核对"] for i, r in enumerate(ROWS)])
    write_csv("formula-text.csv", HEADER,
              [['="%s"' % r[0]] + r[1:7] + ['="%s"' % r[7] if r[7] else ""] + r[8:] for r in ROWS])
    noted = ["公民身份号码（18位）", "姓名", "性别(男/女)", "出生日期", "户籍地（12位区划代码）", "居住地",
             "联系电话(选填)", "户号（选填）", "死亡日期", "起始日期 ", "终止日期（无则空）"]
    write_csv("header-notes.csv", noted, ROWS)
    dots = [r[:] for r in ROWS]
    dots[2][1] = "阿依古丽•买买提"
    write_csv("name-dots.csv", HEADER, dots)

    # Workbooks: text cells, as a careful department sends them.
    save(workbook([("公安", [HEADER] + ROWS, {"text": True})]), "clean.xlsx")
    save(workbook([("公安", [["随州市曾都区户籍人口信息表"] + [""] * 10, ["报送单位：曾都区公安分局"],
                            HEADER] + ROWS, {"text": True, "merge": "A1:K1"})]),
         "title-rows.xlsx")
    save(workbook([("填表说明", [["填表说明"], ["1. 身份号码填18位"], ["2. 日期填 YYYY-MM-DD"]], {}),
                   ("数据", [HEADER] + ROWS, {"text": True})]), "instructions-first.xlsx")
    save(workbook([("旧表", [["作废"], ["1", "2"]], {"hidden": True}),
                   ("数据", [HEADER] + ROWS, {"text": True})]), "hidden-first-sheet.xlsx")
    save(workbook([("公安", [HEADER] + ROWS, {"text": True, "hidden_rows": [3]})]),
         "hidden-row.xlsx")
    # Real date cells.
    dated_cells = [r[:] for r in ROWS]
    for r in dated_cells:
        for k in (3, 8, 9, 10):
            if r[k]:
                r[k] = datetime.date.fromisoformat(r[k])
    save(workbook([("公安", [HEADER] + dated_cells, {})]), "date-cells.xlsx")

    # Identifiers typed into number cells: Excel keeps 15 significant digits,
    # so an 18-digit ID becomes 421303194402290000 and a 16-digit 户号 loses
    # its last digit.
    id_numbers = [r[:] for r in ROWS]
    id_numbers[0][0] = 421303194402290000
    save(workbook([("公安", [HEADER] + id_numbers, {})]), "id-number-cell.xlsx")
    households = [r[:] for r in ROWS]
    households[0][7] = 4213039372589820
    save(workbook([("公安", [HEADER] + households, {})]), "household-number-cell.xlsx")
    # A phone as a number (11 digits: kept exactly) is fine.
    phones = [r[:] for r in ROWS]
    phones[0][6] = 13812345678
    save(workbook([("公安", [HEADER] + phones, {})]), "phone-number-cell.xlsx")
    # A formula without a cached value (openpyxl writes none).
    formula = [r[:] for r in ROWS]
    formula[2][8] = '=TEXT(DATE(2026,1,5),"yyyy-mm-dd")'
    save(workbook([("公安", [HEADER] + formula, {})]), "formula-no-value.xlsx")


if __name__ == "__main__":
    main()
