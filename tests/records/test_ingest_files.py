"""Reading provider files for aggregation (归集): CSV, XLSX, JSON Lines and column mappings."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from xinyong.core.errors import XinyongError
from xinyong.records.ingest import (
    Mapping,
    RowError,
    SourceRow,
    builtin_mappings,
    count_rows,
    detect_mapping,
    load_mapping,
    normalise_header,
    read_rows,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "mapping-example.toml"

USCC = "91220101MA14XK7Q0T"
RIC = "320102199003074560"
PROVIDER = "长春市市场监督管理局"
PROVIDER_CODE = "11220100MB0000000X"

# the national 双公示 penalty layout (2.0 template), as a provider unit exports it
PENALTY_HEADERS = [
    "序号",
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）",
    "暂扣或吊销证照名称及编号",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]


def penalty_row(**cells: str) -> list[str]:
    base = {
        "序号": "1",
        "行政相对人名称": "长春某某科技有限公司",
        "行政相对人类别": "法人及非法人组织",
        "行政相对人代码_1(统一社会信用代码)": USCC,
        "法定代表人": "李四",
        "行政处罚决定书文号": "长市监罚〔2026〕12号",
        "违法行为类型": "虚假宣传",
        "违法事实": "在网店发布虚假广告",
        "处罚依据": "《中华人民共和国广告法》第五十五条",
        "处罚类别": "罚款",
        "处罚内容": "罚款人民币伍仟元",
        "罚款金额（万元）": "0.5",
        "处罚决定日期": "2026-03-02",
        "处罚机关": PROVIDER,
        "处罚机关统一社会信用代码": PROVIDER_CODE,
        "数据来源单位": PROVIDER,
        "数据来源单位统一社会信用代码": PROVIDER_CODE,
    }
    base.update(cells)
    return [base.get(h, "") for h in PENALTY_HEADERS]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def split(items: list[SourceRow | RowError]) -> tuple[list[SourceRow], list[tuple[int, str, str]]]:
    rows = [r for r in items if isinstance(r, SourceRow)]
    errors = [(e.row, e.field, e.code) for e in items if isinstance(e, RowError)]
    return rows, errors


COMPANY_VALUES = {
    "item": "admin_penalty",
    "source": "public",
    "subject_name": "长春某某科技有限公司",
    "subject_kind": "legal_person",
    "subject_id": USCC,
    "legal_representative": "李四",
    "document": "长市监罚〔2026〕12号",
    "decided_on": "2026-03-02",
    "provider": PROVIDER,
    "provider_code": PROVIDER_CODE,
    "data": {
        "subject_category": "法人及非法人组织",
        "violation_type": "虚假宣传",
        "facts": "在网店发布虚假广告",
        "basis": "《中华人民共和国广告法》第五十五条",
        "penalty_type": "罚款",
        "penalty_content": "罚款人民币伍仟元",
        "fine_amount": "5000",
        "source_unit": PROVIDER,
        "source_unit_code": PROVIDER_CODE,
    },
}


# --- headers -------------------------------------------------------------------------------------


def test_normalise_header_folds_brackets_and_all_whitespace() -> None:
    forms = [
        "罚款金额（万元）",
        "罚款金额 (万元)",
        "罚款金额(万元)",
        "罚款金额\u3000（万元）",
        " *罚款金额 ( 万元 ) ",
    ]
    assert {normalise_header(f) for f in forms} == {"罚款金额(万元)"}
    assert normalise_header("行政相对人代码＿1 （统一社会信用代码）") == "行政相对人代码_1(统一社会信用代码)"
    assert normalise_header("\ufeffsubject_id") == "subject_id"
    assert normalise_header("处罚机关（必填）") == "处罚机关"


def test_detect_mapping_by_headers() -> None:
    assert detect_mapping(PENALTY_HEADERS).id == "shuanggongshi_penalty"
    license_headers = ["行政相对人名称", "统一社会信用代码", "行政许可决定文书号", "许可决定日期", "许可机关"]
    assert detect_mapping(license_headers).id == "shuanggongshi_license"
    assert detect_mapping(["item", "subject_id", "decided_on", "data.facts"]).id == "native"
    with pytest.raises(XinyongError) as exc:
        detect_mapping(["姓名", "金额"])
    assert exc.value.code == "unknown_mapping"


def test_builtin_mappings_are_the_three_shipped_files() -> None:
    mappings = builtin_mappings()
    assert sorted(mappings) == ["native", "shuanggongshi_license", "shuanggongshi_penalty"]
    assert mappings["shuanggongshi_penalty"].item == "admin_penalty"
    assert mappings["shuanggongshi_license"].item == "admin_license"
    assert mappings["native"].item is None
    assert load_mapping("shuanggongshi_penalty") is mappings["shuanggongshi_penalty"]


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_utf8_penalty_layout_maps_exactly(tmp_path: Path) -> None:
    natural = penalty_row(
        **{
            "序号": "2",
            "行政相对人名称": "张三",
            "行政相对人类别": "自然人",
            "行政相对人代码_1(统一社会信用代码)": "",
            "法定代表人": "",
            "证件类型": "身份证",
            "证件号码": RIC,
            "行政处罚决定书文号": "长市监罚〔2026〕13号",
            "罚款金额（万元）": "0.02",
            "没收违法所得、没收非法财物的金额（万元）": "1.234",
            "处罚决定日期": "2026/3/5",
            "处罚有效期": "2026.9.5",
            "公示截止期": "2029年3月5日",
            "备注": "当场缴纳",
            "暂扣或吊销证照名称及编号": "食品经营许可证 JY12201020001",
        }
    )
    path = write_csv(tmp_path / "penalty.csv", [PENALTY_HEADERS, penalty_row(), natural])
    rows, errors = split(list(read_rows(path)))
    assert errors == []
    assert rows[0] == SourceRow(2, COMPANY_VALUES)
    person = {k: v for k, v in COMPANY_VALUES.items() if k != "legal_representative"}  # empty cell: no key
    assert rows[1] == SourceRow(
        3,
        {
            **person,
            "subject_name": "张三",
            "subject_kind": "natural_person",
            "subject_id": RIC,
            "subject_id_type": "ric",
            "document": "长市监罚〔2026〕13号",
            "decided_on": "2026-03-05",
            "valid_until": "2026-09-05",
            "disclosure_until": "2029-03-05",
            "data": {
                **COMPANY_VALUES["data"],
                "subject_category": "自然人",
                "fine_amount": "200",
                "confiscated_amount": "12340",
                "remarks": "当场缴纳",
                "license_revoked": "食品经营许可证 JY12201020001",
            },
        },
    )


def test_csv_gbk_with_spaced_and_full_width_headers(tmp_path: Path) -> None:
    headers = [
        "行政相对人名称",
        "行政相对人类别",
        "行政相对人代码_1 （统一社会信用代码）",
        "行政处罚决定书文号",
        "处罚决定日期\u3000",
        "罚款金额 (万元)",
        "没收违法所得、没收非法财物的金额(万元)",
        "处罚机关",
    ]
    rows = [
        headers,
        [
            "长春某某科技有限公司",
            "个体工商户",
            USCC,
            "长市监罚〔2026〕12号",
            "20260302",
            "1,000.5",
            "0",
            PROVIDER,
        ],
        ["长春某某商行", "法人", USCC, "长市监罚〔2026〕14号", "２０２６年３月２日", "", "", PROVIDER],
    ]
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")  # the file really is GBK
    got, errors = split(list(read_rows(path)))
    assert errors == []
    assert got == [
        SourceRow(
            2,
            {
                "item": "admin_penalty",
                "source": "public",
                "subject_name": "长春某某科技有限公司",
                "subject_kind": "unincorporated_org",
                "subject_id": USCC,
                "document": "长市监罚〔2026〕12号",
                "decided_on": "2026-03-02",
                "provider": PROVIDER,
                "data": {
                    "subject_category": "个体工商户",
                    "fine_amount": "10005000",
                    "confiscated_amount": "0",
                },
            },
        ),
        SourceRow(
            3,
            {
                "item": "admin_penalty",
                "source": "public",
                "subject_name": "长春某某商行",
                "subject_kind": "legal_person",
                "subject_id": USCC,
                "document": "长市监罚〔2026〕14号",
                "decided_on": "2026-03-02",
                "provider": PROVIDER,
                "data": {"subject_category": "法人"},
            },
        ),
    ]


def test_bad_date_in_row_3_leaves_rows_2_and_4(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            PENALTY_HEADERS,
            penalty_row(),
            penalty_row(处罚决定日期="2026-02-30"),
            penalty_row(处罚决定日期="2026-03-04", 行政处罚决定书文号="长市监罚〔2026〕15号"),
        ],
    )
    items = list(read_rows(path))
    rows, errors = split(items)
    assert [r.row for r in rows] == [2, 4]
    assert rows[1].values["decided_on"] == "2026-03-04"
    assert errors == [(3, "处罚决定日期", "invalid_date")]
    assert [type(i).__name__ for i in items] == ["SourceRow", "RowError", "SourceRow"]


def test_several_bad_cells_give_one_error_each_and_no_row(tmp_path: Path) -> None:
    bad = penalty_row(
        **{
            "行政相对人类别": "外国企业",
            "罚款金额（万元）": "五千",
            "处罚决定日期": "2026-13-01",
            "公示截止期": "明年",
            "证件类型": "驾驶证",
            "处罚机关": "",
        }
    )
    path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, bad])
    rows, errors = split(list(read_rows(path)))
    assert rows == []
    assert errors == [
        (2, "行政相对人类别", "invalid_field"),
        (2, "证件类型", "invalid_field"),
        (2, "罚款金额（万元）", "invalid_field"),
        (2, "处罚决定日期", "invalid_date"),
        (2, "公示截止期", "invalid_date"),
        (2, "处罚机关", "missing_field"),
    ]


def test_negative_amount_and_placeholder_cells(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            PENALTY_HEADERS,
            penalty_row(**{"罚款金额（万元）": "-1"}),
            penalty_row(**{"罚款金额（万元）": "无", "法定代表人": "/"}),
        ],
    )
    rows, errors = split(list(read_rows(path)))
    assert errors == [(2, "罚款金额（万元）", "invalid_field")]
    assert "fine_amount" not in rows[0].values["data"]
    assert "legal_representative" not in rows[0].values


def test_two_columns_for_one_key_must_agree(tmp_path: Path) -> None:
    headers = [*PENALTY_HEADERS, "统一社会信用代码"]
    same = [*penalty_row(), USCC]
    other = [*penalty_row(), "91220101MA14XK7Q1X"]
    path = write_csv(tmp_path / "p.csv", [headers, same, other])
    rows, errors = split(list(read_rows(path)))
    assert [r.row for r in rows] == [2]
    assert errors == [(3, "统一社会信用代码", "invalid_field")]


def test_missing_required_column_stops_the_file_unless_defaulted(tmp_path: Path) -> None:
    headers = [h for h in PENALTY_HEADERS if h != "处罚机关"]
    cells = [c for h, c in zip(PENALTY_HEADERS, penalty_row(), strict=True) if h != "处罚机关"]
    path = write_csv(tmp_path / "p.csv", [headers, cells])
    with pytest.raises(XinyongError) as exc:
        read_rows(path)  # raised before iteration starts
    assert (exc.value.code, exc.value.field) == ("invalid_file", "provider")
    assert "p.csv" in exc.value.detail and "处罚机关" in exc.value.detail
    [row] = read_rows(path, defaults={"provider": "长春市人民政府"})
    assert row.values["provider"] == "长春市人民政府"


def test_defaults_fill_blanks_but_row_values_win(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, penalty_row(), penalty_row(处罚机关="")])
    rows = list(
        read_rows(path, defaults={"provider": "长春市人民政府", "severity": "一般", "data.batch": "2026-03"})
    )
    assert [(r.values["provider"], r.values["severity"], r.values["data"]["batch"]) for r in rows] == [
        (PROVIDER, "general", "2026-03"),
        ("长春市人民政府", "general", "2026-03"),
    ]
    with pytest.raises(XinyongError) as exc:
        read_rows(path, defaults={"decided_on": "someday"})
    assert (exc.value.code, exc.value.field) == ("invalid_date", "decided_on")


def test_unmapped_columns_are_kept_as_free_fields(tmp_path: Path) -> None:
    # kept under their own header, so the records service still sees (and refuses) prohibited data
    path = write_csv(tmp_path / "p.csv", [[*PENALTY_HEADERS, "宗教信仰"], [*penalty_row(), "某教"]])
    [row] = read_rows(path)
    assert row.values["data"]["宗教信仰"] == "某教"


def test_value_in_a_column_without_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, [*penalty_row(), "多余"]])
    assert split(list(read_rows(path)))[1] == [(2, "", "invalid_field")]


def test_repeated_header_is_a_file_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [[*PENALTY_HEADERS, "罚款金额(万元)"], [*penalty_row(), "1"]])
    with pytest.raises(XinyongError) as exc:
        read_rows(path)
    assert exc.value.code == "invalid_file"
    assert "罚款金额（万元）" in exc.value.detail and "罚款金额(万元)" in exc.value.detail


def test_multiline_cell_keeps_spreadsheet_row_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            PENALTY_HEADERS,
            penalty_row(违法事实="第一行\n第二行"),
            ["", ""],
            penalty_row(处罚决定日期="2026-3-32"),
        ],
    )
    rows, errors = split(list(read_rows(path)))
    assert [r.row for r in rows] == [2]
    assert rows[0].values["data"]["facts"] == "第一行\n第二行"
    assert errors == [(4, "处罚决定日期", "invalid_date")]  # row 3 is blank and skipped


def test_explicit_encoding(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, penalty_row()], encoding="gb18030")
    [row] = read_rows(path, encoding="gb18030", mapping="shuanggongshi_penalty")
    assert row.values == COMPANY_VALUES


def test_native_csv_with_data_columns(tmp_path: Path) -> None:
    headers = [
        "record_id",
        "item",
        "subject_kind",
        "subject_id",
        "subject_name",
        "provider",
        "decided_on",
        "severity",
        "procedure",
        "document",
        "consent",
        "data.fine_amount",
        "data.facts",
    ]
    row = [
        "R-001",
        "admin_penalty",
        "法人",
        USCC,
        "长春某某科技有限公司",
        PROVIDER,
        "2026年3月2日",
        "severe",
        "简易程序",
        "长市监罚〔2026〕12号",
        "是",
        "5000.00",
        "虚假宣传",
    ]
    bad = [
        "R-002",
        "admin_penalty",
        "company",
        USCC,
        "x",
        PROVIDER,
        "2026-03-02",
        "grave",
        "general",
        "d",
        "maybe",
        "",
        "",
    ]
    path = write_csv(tmp_path / "native.csv", [headers, row, bad])
    rows, errors = split(list(read_rows(path)))
    assert rows == [
        SourceRow(
            2,
            {
                "record_id": "R-001",
                "item": "admin_penalty",
                "subject_kind": "legal_person",
                "subject_id": USCC,
                "subject_name": "长春某某科技有限公司",
                "provider": PROVIDER,
                "decided_on": "2026-03-02",
                "severity": "severe",
                "procedure": "simple",
                "document": "长市监罚〔2026〕12号",
                "consent": True,
                "data": {"fine_amount": "5000.00", "facts": "虚假宣传"},
            },
        )
    ]
    assert errors == [
        (3, "subject_kind", "invalid_field"),
        (3, "severity", "invalid_field"),
        (3, "consent", "invalid_field"),
    ]


def test_native_mapping_refuses_unknown_headers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "n.csv", [["subject_id", "decided_on", "desided_on"], [USCC, "2026-03-02", "x"]]
    )
    with pytest.raises(XinyongError) as exc:
        read_rows(path, mapping="native")
    assert (exc.value.code, exc.value.field) == ("invalid_file", "desided_on")


# --- XLSX ----------------------------------------------------------------------------------------

LICENSE_HEADERS = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1 (统一社会信用代码)",
    "法定代表人",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]


def test_xlsx_license_with_real_date_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["行政许可信息"])  # a one-cell title banner above the header
    sheet.append(LICENSE_HEADERS)
    sheet.append(
        [
            "长春某某食品有限公司",
            "法人及非法人组织",
            USCC,
            "王五",
            "食品经营许可决定书",
            "长市监许〔2026〕7号",
            "普通",
            "食品经营许可证",
            22010200012345,
            "预包装食品销售",
            datetime(2026, 3, 2),
            date(2026, 3, 2),
            date(2031, 3, 1),
            PROVIDER,
            PROVIDER_CODE,
            "有效",
            PROVIDER,
            PROVIDER_CODE,
            None,
        ]
    )
    sheet.append([])  # a blank row keeps the numbering
    sheet.append(
        [
            "长春某某药房",
            "法人",
            USCC,
            "赵六",
            None,
            "长市监许〔2026〕8号",
            "普通",
            None,
            "JY12201020001",
            None,
            20260305,
            "2026/3/5",
            "长期",
            PROVIDER,
            None,
            "有效",
            None,
            None,
            None,
        ]
    )
    sheet.append(
        [
            "长春某某诊所",
            "法人",
            USCC,
            None,
            None,
            "长市监许〔2026〕9号",
            None,
            None,
            None,
            None,
            "2026-02-29",
            3.5,
            None,
            PROVIDER,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    for cell in ("K3", "L3", "M3"):
        sheet[cell].number_format = "yyyy-mm-dd"
    path = tmp_path / "license.xlsx"
    book.save(path)

    assert count_rows(path) == 5  # everything below row 1, blank and title rows included: an estimate
    rows, errors = split(list(read_rows(path)))
    assert rows == [
        SourceRow(
            3,
            {
                "item": "admin_license",
                "source": "public",
                "subject_name": "长春某某食品有限公司",
                "subject_kind": "legal_person",
                "subject_id": USCC,
                "legal_representative": "王五",
                "document": "长市监许〔2026〕7号",
                "decided_on": "2026-03-02",
                "effective_on": "2026-03-02",
                "valid_until": "2031-03-01",
                "provider": PROVIDER,
                "provider_code": PROVIDER_CODE,
                "data": {
                    "subject_category": "法人及非法人组织",
                    "decision_document_name": "食品经营许可决定书",
                    "license_type": "普通",
                    "license_name": "食品经营许可证",
                    "license_no": "22010200012345",
                    "license_content": "预包装食品销售",
                    "status": "有效",
                    "source_unit": PROVIDER,
                    "source_unit_code": PROVIDER_CODE,
                },
            },
        ),
        SourceRow(
            5,
            {
                "item": "admin_license",
                "source": "public",
                "subject_name": "长春某某药房",
                "subject_kind": "legal_person",
                "subject_id": USCC,
                "legal_representative": "赵六",
                "document": "长市监许〔2026〕8号",
                "decided_on": "2026-03-05",
                "effective_on": "2026-03-05",
                "provider": PROVIDER,
                "data": {
                    "subject_category": "法人",
                    "license_type": "普通",
                    "license_no": "JY12201020001",
                    "status": "有效",
                },
            },
        ),
    ]
    assert errors == [(6, "许可决定日期", "invalid_date"), (6, "有效期自", "invalid_date")]


def test_xlsx_penalty_amount_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PENALTY_HEADERS)
    cells = penalty_row()
    cells[PENALTY_HEADERS.index("罚款金额（万元）")] = 0.5  # a number cell, not text
    cells[PENALTY_HEADERS.index("序号")] = 1
    cells[PENALTY_HEADERS.index("处罚决定日期")] = datetime(2026, 3, 2)
    sheet.append(cells)
    path = tmp_path / "p.xlsx"
    book.save(path)
    [row] = read_rows(path)
    assert row == SourceRow(2, COMPANY_VALUES)


# --- JSON Lines ----------------------------------------------------------------------------------


def test_jsonl_native_vocabulary(tmp_path: Path) -> None:
    good = {
        "record_id": "R-1",
        "item": "admin_penalty",
        "subject_kind": "legal_person",
        "subject_id": USCC,
        "subject_name": "长春某某科技有限公司",
        "provider": PROVIDER,
        "decided_on": "2026-03-02",
        "severity": "general",
        "procedure": "general",
        "document": "长市监罚〔2026〕12号",
        "consent": False,
        "data": {"fine_amount": 5000.10, "facts": "虚假宣传", "tags": ["广告", "网络"]},
        "data.valid_from": "2026/3/3",
    }
    lines = [
        json.dumps(good, ensure_ascii=False).replace("5000.1", "5000.10"),  # as written, not as a float
        "",
        '{"item": "admin_penalty", "decided_on": "2026-02-30", "severity": "bad", "colour": "red"}',
        "{not json",
        "[1, 2]",
        json.dumps({"item": "admin_license", "subject_id": USCC, "valid_until": None, "data": {}}),
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert count_rows(path) == 5
    rows, errors = split(list(read_rows(path)))
    assert rows == [
        SourceRow(
            1,
            {
                "record_id": "R-1",
                "item": "admin_penalty",
                "subject_kind": "legal_person",
                "subject_id": USCC,
                "subject_name": "长春某某科技有限公司",
                "provider": PROVIDER,
                "decided_on": "2026-03-02",
                "severity": "general",
                "procedure": "general",
                "document": "长市监罚〔2026〕12号",
                "consent": False,
                "data": {
                    "fine_amount": "5000.10",
                    "facts": "虚假宣传",
                    "tags": ["广告", "网络"],
                    "valid_from": "2026-03-03",
                },
            },
        ),
        SourceRow(6, {"item": "admin_license", "subject_id": USCC, "data": {}}),
    ]
    assert errors == [
        (3, "colour", "invalid_field"),
        (3, "decided_on", "invalid_date"),
        (3, "severity", "invalid_field"),
        (4, "", "invalid_file"),
        (5, "", "invalid_file"),
    ]


# --- mapping files -------------------------------------------------------------------------------


def test_example_mapping_file_loads_and_maps(tmp_path: Path) -> None:
    mapping = load_mapping(EXAMPLE)
    assert isinstance(mapping, Mapping)
    assert (mapping.id, mapping.item, mapping.origin) == (
        "changchun_amr_penalty",
        "admin_penalty",
        str(EXAMPLE),
    )
    headers = [
        "序号",
        "案件编号",
        "当事人名称",
        "当事人类型",
        "统一社会信用代码／身份证号",
        "法定代表人（负责人）",
        "决定书文号",
        "违法行为",
        "处罚种类",
        "罚没款金额（元）",
        "情节",
        "程序",
        "决定日期",
        "送达日期",
        "执法机关",
        "经办人",
    ]
    rows = [
        headers,
        [
            "1",
            "AJ-2026-0012",
            "长春某某科技有限公司",
            "企业",
            USCC,
            "李四",
            "长市监罚〔2026〕12号",
            "虚假宣传",
            "罚款",
            "5,000.00",
            "一般",
            "",
            "2026.3.2",
            "2026.3.4",
            PROVIDER,
            "刘七",
        ],
        [
            "2",
            "AJ-2026-0013",
            "张三",
            "个人",
            RIC,
            "",
            "长市监罚〔2026〕13号",
            "无照经营",
            "警告",
            "",
            "严重",
            "简易程序",
            "2026年3月3日",
            "",
            PROVIDER,
            "",
        ],
        [
            "3",
            "AJ-2026-0014",
            "某某",
            "外国人",
            RIC,
            "",
            "长市监罚〔2026〕14号",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    path = write_csv(tmp_path / "own.csv", rows)
    got, errors = split(list(read_rows(path, mapping=EXAMPLE)))
    assert got == [
        SourceRow(
            2,
            {
                "record_id": "AJ-2026-0012",
                "item": "admin_penalty",
                "source": "public",
                "procedure": "general",
                "subject_name": "长春某某科技有限公司",
                "subject_kind": "legal_person",
                "subject_id": USCC,
                "legal_representative": "李四",
                "document": "长市监罚〔2026〕12号",
                "severity": "general",
                "decided_on": "2026-03-02",
                "effective_on": "2026-03-04",
                "provider": PROVIDER,
                "data": {
                    "subject_category": "企业",
                    "violation": "虚假宣传",
                    "penalty_type": "罚款",
                    "fine_amount": "5000.00",
                    "经办人": "刘七",
                },
            },
        ),
        SourceRow(
            3,
            {
                "record_id": "AJ-2026-0013",
                "item": "admin_penalty",
                "source": "public",
                "procedure": "simple",
                "subject_name": "张三",
                "subject_kind": "natural_person",
                "subject_id": RIC,
                "document": "长市监罚〔2026〕13号",
                "severity": "severe",
                "decided_on": "2026-03-03",
                "provider": PROVIDER,
                "data": {"subject_category": "个人", "violation": "无照经营", "penalty_type": "警告"},
            },
        ),
    ]
    assert errors == [
        (4, "当事人类型", "invalid_field"),
        (4, "决定日期", "missing_field"),
        (4, "执法机关", "missing_field"),
    ]


def test_mapping_extends_a_builtin(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(
        'extends = "shuanggongshi_penalty"\nid = "local"\n[columns]\n"本地编号" = "record_id"\n', "utf-8"
    )
    mapping = load_mapping(path)
    assert (mapping.id, mapping.item, mapping.columns["本地编号"]) == ("local", "admin_penalty", "record_id")
    assert mapping.columns["处罚决定日期"] == "decided_on"
    data = write_csv(tmp_path / "p.csv", [[*PENALTY_HEADERS, "本地编号"], [*penalty_row(), "L-9"]])
    [row] = read_rows(data, mapping=mapping)
    assert row.values == {**COMPANY_VALUES, "record_id": "L-9"}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('id = "x"\ncolums = {}\n', "colums"),
        (
            '[columns]\n"罚款金额（万元）" = "data.fine_amount"\n"罚款金额 (万元)" = "data.fine"\n',
            "罚款金额 (万元)",
        ),
        ('[columns]\n"决定日期" = "decision_date"\n', "决定日期"),
        ('[types]\n"decided_on" = "date"\n', "types.decided_on"),
        ('[types]\n"data.amount" = "money"\n', "types.data.amount"),
        ('[values.severity]\n"严重" = "grave"\n', "values.severity.严重"),
        ('[defaults]\ndecided_on = "yesterday"\n', "defaults.decided_on"),
        ('unmapped = "drop"\n', "unmapped"),
    ],
)
def test_broken_mapping_file_names_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "broken-mapping.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(XinyongError) as exc:
        load_mapping(path)
    assert exc.value.code == "invalid_file"
    assert str(path) in exc.value.detail
    assert key in exc.value.detail


def test_toml_duplicate_key_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text('[columns]\n"处罚机关" = "provider"\n"处罚机关" = "provider"\n', encoding="utf-8")
    with pytest.raises(XinyongError) as exc:
        load_mapping(path)
    assert exc.value.code == "invalid_file"
    assert str(path) in exc.value.detail and "处罚机关" in exc.value.detail and "line 3" in exc.value.detail


def test_unknown_mapping_name() -> None:
    with pytest.raises(XinyongError) as exc:
        load_mapping("shuanggongshi")
    assert exc.value.code == "unknown_mapping"
    assert "shuanggongshi_penalty" in exc.value.detail
    with pytest.raises(XinyongError) as exc:
        load_mapping("mappings/missing.toml")
    assert exc.value.code == "invalid_file" and "missing.toml" in exc.value.detail


# --- unreadable files ----------------------------------------------------------------------------


def test_unreadable_files_raise_invalid_file(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    for path in (damaged, old, empty, tmp_path / "absent.csv", tmp_path / "notes.txt"):
        with pytest.raises(XinyongError) as exc:
            read_rows(path)
        assert exc.value.code == "invalid_file", path
        assert path.name in exc.value.detail


def test_unknown_layout_raises_unknown_mapping(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["姓名", "金额"], ["张三", "1"]])
    with pytest.raises(XinyongError) as exc:
        read_rows(path)
    assert exc.value.code == "unknown_mapping"


def test_row_error_report_shape() -> None:
    error = RowError(3, "处罚决定日期", "invalid_date", "2026-02-30")
    assert error.as_dict() == {
        "code": "invalid_date",
        "message_zh": "第3行, 字段 `处罚决定日期`: 日期无效 (2026-02-30)",
        "message_en": "row 3, field `处罚决定日期`: a date is invalid (2026-02-30)",
        "field": "处罚决定日期",
        "row": 3,
        "detail": "2026-02-30",
    }


def test_count_rows_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, penalty_row(), penalty_row()])
    assert count_rows(path) == 2
    assert count_rows(tmp_path / "absent.csv") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", "2026-03-02"),
        ("2026/3/2", "2026-03-02"),
        ("2026.3.2", "2026-03-02"),
        ("2026年3月2日", "2026-03-02"),
        ("2026 年 3 月 2 日", "2026-03-02"),
        ("20260302", "2026-03-02"),
        ("2026-03-02 00:00:00", "2026-03-02"),
        ("２０２６－０３－０２", "2026-03-02"),
    ],
)
def test_date_forms(tmp_path: Path, text: str, expected: str) -> None:
    path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, penalty_row(处罚决定日期=text)])
    [row] = read_rows(path)
    assert row.values["decided_on"] == expected


@pytest.mark.parametrize("text", ["2026-3/2", "2026-02-29", "02/03/2026", "26-3-2", "2026年13月1日", "明天"])
def test_not_dates(tmp_path: Path, text: str) -> None:
    path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, penalty_row(处罚决定日期=text)])
    assert split(list(read_rows(path)))[1] == [(2, "处罚决定日期", "invalid_date")]


def test_legal_representative_id_type_is_an_enumeration(tmp_path: Path) -> None:
    good = penalty_row(法定代表人证件类型="居民身份证", 法定代表人证件号码=RIC)
    bad = penalty_row(法定代表人证件类型="军官证", 法定代表人证件号码=RIC)
    path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, good, bad])
    rows, errors = split(list(read_rows(path)))
    assert rows[0].values["legal_representative_id"] == RIC
    assert rows[0].values["data"]["legal_representative_id_type"] == "ric"
    assert errors == [(3, "法定代表人证件类型", "invalid_field")]


def test_utf16_csv_with_bom(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, penalty_row()], encoding="utf-16")
    [row] = read_rows(path)
    assert row.values == COMPANY_VALUES
