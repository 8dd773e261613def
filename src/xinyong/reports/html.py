"""The credit report as a printable Chinese HTML page, rendered with the standard library only.

Every value from the content goes through `html.escape`; the page has no script and no external
resource, so it can be saved, printed or mailed as it is.
"""

from __future__ import annotations

from html import escape
from string import Template
from typing import Any

from xinyong.reports.service import local_time

KINDS = {"legal_person": "法人", "unincorporated_org": "非法人组织", "natural_person": "自然人"}
CLASSES = {"basic": "基础信息", "good": "守信信息", "dishonest": "失信信息", "other": "其他信息"}
STATES = {
    "active": "有效",
    "revoked": "已撤销",
    "expired": "公示期届满",
    "archived": "已转为档案保存",
    "deleted": "已删除",
}
MARKS = {
    "objection": "异议处理中",
    "statement": "附注说明",
    "repaired": "已信用修复",
    "reorganization": "破产重整",
    "suspended": "暂停公示",
}
SOURCES = {"public": "公共信用信息提供单位", "market": "市场信用信息提供单位"}
CHANNELS = {
    "government": "政务共享 / 依职权查询",
    "authorized": "授权查询",
    "provider": "信息提供单位",
    "operator": "工作机构",
}
ID_LABELS = {"uscc": "统一社会信用代码", "ric": "公民身份号码"}

PAGE = Template("""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>信用报告 $number</title>
<style>
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.6; }
h1 { text-align: center; letter-spacing: .5em; margin-bottom: 0; }
.regulation { text-align: center; color: #555; margin-top: .2em; }
h2 { border-bottom: 2px solid #8b0000; padding-bottom: .2em; margin-top: 2em; font-size: 1.2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .3em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid #999; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: normal; white-space: nowrap; width: 8em; }
.mark { display: inline-block; border: 1px solid #b00; color: #b00; padding: 0 .4em; margin-right: .3em; }
.none { color: #777; }
ul { margin: 0; padding-left: 1.2em; }
footer { margin-top: 2em; padding-top: .6em; border-top: 1px solid #999; font-size: .9em; color: #444; }
code { font-size: .9em; word-break: break-all; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
               table { break-inside: avoid; } }
</style>
</head>
<body>
<h1>信用报告</h1>
<p class="regulation">依据《$regulation》</p>
<table>
<tr><th>报告编号</th><td>$number</td><th>出具时间</th><td>$issued_at（北京时间）</td></tr>
<tr><th>信用主体</th><td>$name</td><th>$id_label</th><td>$identifier</td></tr>
<tr><th>主体类别</th><td>$kind</td><th>收费情况</th><td>$fee</td></tr>
</table>
<h2>一、信用信息（共 $count 条）</h2>
$records
<h2>二、名单信息</h2>
$listings
<h2>三、信用信息使用、查询情况</h2>
$queries
<h2>四、说明</h2>
<ol>
<li>本报告载明出具时本主体通过实名认证可查询的全部信用信息，包括每条信息的来源、状态、标注、附注说明、历次版本及变动理由。</li>
<li>对本报告所载信息有异议的，可以向平台或信息提供单位提出异议申请。</li>
<li>$fee_note</li>
</ol>
<footer>
核验：凭报告编号 <strong>$number</strong> 可在平台核验本报告<br>
（GET /api/v1/$jurisdiction/reports/$number）。<br>
内容摘要（SHA-256）：<code>$content_hash</code>
</footer>
</body>
</html>
""")


def _text(value: Any) -> str:
    if value is None or value == "":
        return '<span class="none">—</span>'
    return escape(str(value))


def _data(data: dict[str, Any]) -> str:
    if not data:
        return _text(None)
    return "<ul>" + "".join(f"<li>{escape(str(k))}：{_text(v)}</li>" for k, v in data.items()) + "</ul>"


def _marks(marks: list[str]) -> str:
    if not marks:
        return _text(None)
    return "".join(f'<span class="mark">{escape(MARKS.get(m, m))}</span>' for m in marks)


def _statements(items: list[dict[str, Any]]) -> str:
    if not items:
        return _text(None)
    return (
        "<ul>"
        + "".join(f"<li>{escape(local_time(s['at']))} {_text(s.get('text'))}</li>" for s in items)
        + "</ul>"
    )


def _versions(items: list[dict[str, Any]]) -> str:
    rows = []
    for v in items:
        changed = v.get("changes")
        what = _data(changed) if changed is not None else "首次归集"
        rows.append(
            f"<li>第{int(v['version'])}版 {escape(local_time(v['at']))}，{_text(v.get('by'))}："
            f"{what}；理由：{_text(v.get('reason'))}</li>"
        )
    return "<ul>" + "".join(rows) + "</ul>"


def _changes(items: list[dict[str, Any]]) -> str:
    if not items:
        return _text(None)
    return (
        "<ul>"
        + "".join(
            f"<li>{escape(local_time(c['at']))} {_text(c.get('name'))}（{_text(c.get('by'))}）"
            f"；变动理由：{_text(c.get('reason'))}"
            + (f"；文书：{_text(c.get('document'))}" if c.get("document") else "")
            + "</li>"
            for c in items
        )
        + "</ul>"
    )


def _record(n: int, r: dict[str, Any]) -> str:
    rows = [
        ("信息类别", CLASSES.get(r["info_class"], r["info_class"])),
        ("信息来源", f"{r['provider']}（{SOURCES.get(r['source'], r['source'])}）"),
        ("决定日期", r.get("decided_on")),
        ("文书号", r.get("document")),
        ("状态", STATES.get(r["state"], r["state"])),
        ("公示截止", r.get("public_until")),
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{_text(v)}</td></tr>" for k, v in rows)
    body += f"<tr><th>标注</th><td>{_marks(r.get('marks') or [])}</td></tr>"
    body += f"<tr><th>信息内容</th><td>{_data(r.get('data') or {})}</td></tr>"
    body += f"<tr><th>附注说明</th><td>{_statements(r.get('statements') or [])}</td></tr>"
    body += f"<tr><th>历次版本</th><td>{_versions(r.get('versions') or [])}</td></tr>"
    body += f"<tr><th>变动记录</th><td>{_changes(r.get('changes') or [])}</td></tr>"
    return f"<h3>{n}. {escape(r['item_name'])}</h3>\n<table>{body}</table>"


def _queries(content: dict[str, Any]) -> str:
    queries = content.get("queries")
    note = f"<p>{escape(content.get('queries_note') or '')}</p>"
    if queries is None:
        return note
    if not queries:
        return note + '<p class="none">报告出具前无他人查询记录。</p>'
    rows = "".join(
        f"<tr><td>{escape(local_time(q['at']))}</td><td>{_text(q.get('querier'))}</td>"
        f"<td>{_text(CHANNELS.get(q.get('channel') or '', q.get('channel')))}</td>"
        f"<td>{_text(q.get('purpose'))}</td></tr>"
        for q in queries
    )
    return note + f"<table><tr><th>查询时间</th><th>查询者</th><th>渠道</th><th>用途</th></tr>{rows}</table>"


def render(content: dict[str, Any], content_hash: str) -> str:
    subject = content["subject"]
    fee = content["fee"]
    records = content.get("records") or []
    listings = content.get("listings") or []
    return PAGE.substitute(
        number=escape(content["number"]),
        jurisdiction=escape(content["jurisdiction"]),
        regulation=escape(content["regulation"]),
        issued_at=escape(local_time(content["issued_at"])),
        name=escape(subject["name"]),
        id_label=escape(ID_LABELS.get(subject.get("id_type") or "", "证件号码")),
        identifier=escape(subject["identifier"]),
        kind=escape(KINDS.get(subject["kind"], subject["kind"])),
        fee="免费" if fee["free"] else "非免费",
        fee_note=escape(fee["note"] + (f"（{fee['cite']}）" if fee.get("cite") else "")),
        count=len(records),
        records="\n".join(_record(i, r) for i, r in enumerate(records, 1)) or '<p class="none">无</p>',
        listings=(
            "<ul>" + "".join(f"<li>{escape(_listing_line(x))}</li>" for x in listings) + "</ul>"
            if listings
            else f'<p class="none">无。{escape(content.get("listings_note") or "")}</p>'
        ),
        queries=_queries(content),
        content_hash=escape(content_hash),
    )


STATES_ZH = {
    "proposed": "拟列入",
    "notified": "已告知/公示",
    "listed": "已列入",
    "removed": "已移出",
    "expired": "已到期",
}


def _listing_line(x: dict[str, object]) -> str:
    """One listing in words: list, state, ground, dates, and whether it is an organization's."""
    parts = [f"{x.get('name')}：{STATES_ZH.get(str(x.get('state')), x.get('state'))}"]
    parts.append(f"事由 {x.get('ground')}")
    if x.get("decided_at"):
        parts.append(f"列入 {str(x['decided_at'])[:10]}")
    if x.get("valid_until"):
        parts.append(f"有效期至 {x['valid_until']}")
    if x.get("ended_on"):
        parts.append(f"移出 {x['ended_on']}（{x.get('reason')}）")
    if x.get("via_organization"):
        parts.append("所负责单位被列入")
    parts.append(f"依据 {x.get('cite')}")
    return "，".join(parts)
