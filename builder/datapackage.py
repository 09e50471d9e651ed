"""The open data's description: a Frictionless Data Package (`datapackage.json`) with a Table
Schema for every CSV, the JSON files described, and `codes.csv` explaining every code a column
holds. Spec: https://datapackage.org/ (the tests validate it with the `frictionless` library).

The column lists here are the CSVs' headers too (builder/opendata.py writes them in this order),
so a column cannot be written without being described.
"""
from __future__ import annotations

from policy.model import Jurisdiction
from policy.params import BY_LABEL, UNITS

_V = ("data_version", "string", "数据版本", "政策数据的版本，与网页底部、公示栏底部印的一致")

# (name, Table Schema type, title, description)
PARAMETER_COLUMNS = [
    _V,
    ("parameter", "string", "参数编号", "参数在数据文件里的位置，如 layers.basic.ratio"),
    ("description", "string", "参数说明", ""),
    ("unit", "string", "单位代码", "yuan 金额、ratio 比例、count 次数、days 自然日、working_days 工作日（见 codes.csv）"),
    ("applies_to", "string", "适用对象", "按什么区分：代码=编号，用 · 分隔，如 category=poor · hospital_level=county（见 codes.csv）"),
    ("from", "date", "开始执行日期", ""),
    ("value", "string", "数值（非金额）", "比例为小数（0.85 即 85%），次数、天数为整数；金额见 amount_yuan"),
    ("amount_yuan", "number", "金额（元）", "金额，单位元，两位小数"),
    ("ended", "string", "不再执行", "yes：从这天起这个参数不再执行"),
    ("status", "string", "数字的来历", "official、derived、interpreted、illustrative（见 codes.csv）"),
    ("source", "string", "出处编号", "jurisdiction.yaml 的 sources（policy-data.json 的 sources 有标题）"),
    ("clause", "string", "条款", "出处文件里的条款编号"),
]
HOSPITAL_COLUMNS = [
    _V, ("id", "string", "医院编号", ""), ("name", "string", "医院名称", ""),
    ("level", "string", "医院级别代码", "见 codes.csv 的 hospital_level"),
    ("township", "string", "所在乡镇代码", "见 codes.csv 的 township"), ("phone", "string", "电话", ""),
]
VILLAGE_COLUMNS = [
    _V, ("township", "string", "乡镇代码", "见 codes.csv 的 township"), ("village_id", "string", "村编号", ""),
    ("village", "string", "村名", ""), ("clinic", "string", "村卫生室", ""),
    ("clinic_phone", "string", "卫生室电话", ""), ("hours", "string", "开门时间", ""),
    ("doctors", "string", "村医", "姓名（资格），用 ；分隔"),
]
DRUG_COLUMNS = [
    _V, ("clinic_village", "string", "卫生室所在村", "空：全县统一价格；否则为这个村卫生室自己的价格或缺货"),
    ("drug_id", "string", "药品编号", ""), ("name", "string", "药品名称", ""), ("spec", "string", "规格", ""),
    ("unit", "string", "计价单位", "盒、瓶等"), ("from", "date", "开始执行日期", ""),
    ("price_yuan", "number", "价格（元）", "单位元，两位小数；空：从这天起不再列出，或恢复全县价格"),
    ("not_stocked", "string", "不备货", "yes：这个卫生室不备这种药"),
    ("status", "string", "数字的来历", "见 codes.csv 的 status"), ("source", "string", "出处编号", ""),
]
CODE_COLUMNS = [
    ("field", "string", "哪一列的代码", "如 unit、status、category"),
    ("code", "string", "代码", ""), ("meaning", "string", "含义", ""),
]
COLUMNS = {"parameters.csv": PARAMETER_COLUMNS, "hospitals.csv": HOSPITAL_COLUMNS,
           "villages.csv": VILLAGE_COLUMNS, "drug-prices.csv": DRUG_COLUMNS, "codes.csv": CODE_COLUMNS}
DESCRIPTIONS = {
    "parameters.csv": "每一个政策数字：适用对象、数额、开始执行日期、出处，每次调整一行",
    "hospitals.csv": "定点医院", "villages.csv": "村卫生室和村医",
    "drug-prices.csv": "村卫生室药品价格：全县价格和各卫生室的例外，每次调价一行",
    "codes.csv": "其他文件里每个代码的含义",
}
STATUS_MEANINGS = {"official": "文件原文写明的数字", "derived": "由文件原文推算出的数字",
                   "interpreted": "文件写得不明确，按本县的理解", "illustrative": "示例数字，不是官方数字"}


def code_rows(j: Jurisdiction) -> list[list[str]]:
    rows = [["unit", k, v] for k, v in UNITS.items()]
    rows += [["status", k, v] for k, v in STATUS_MEANINGS.items()]
    rows += [["applies_to", by, f"按{label}区分"] for by, label in BY_LABEL.items()]
    rows += [["category", k, v["name"]] for k, v in {**j.categories, **j.groups}.items()]
    for field, table in (("hospital_level", j.levels), ("chronic_class", j.chronic_classes),
                         ("disease_group", j.disease_groups), ("hospital", j.hospitals),
                         ("township", j.townships)):
        rows += [[field, k, v["name"]] for k, v in table.items()]
    rows += [["layer", raw["id"], raw["name"]] for raw in j.layers]
    return rows


def _schema(columns) -> dict:
    return {"fields": [{"name": n, "type": t, "title": title, **({"description": d} if d else {})}
                       for n, t, title, d in columns]}


def datapackage(j: Jurisdiction, version: str, csv_files: list[str]) -> dict:
    resources = [{
        "name": name.removesuffix(".csv"), "path": name, "type": "table", "title": DESCRIPTIONS[name],
        "format": "csv", "mediatype": "text/csv",
        # The files start with a BOM so that Excel reads them as UTF-8.
        "encoding": "utf-8-sig", "schema": _schema(COLUMNS[name]),
    } for name in csv_files]
    resources += [
        {"name": "policy-data", "path": "policy-data.json", "type": "json", "format": "json",
         "mediatype": "application/json", "encoding": "utf-8",
         "title": "全部政策数据（JSON）",
         "description": "格式见 schema.json（JSON Schema）。金额为整数，单位分；比例为小数字符串。"},
        {"name": "policy-data-schema", "path": "schema.json", "type": "json", "format": "json",
         "mediatype": "application/schema+json", "encoding": "utf-8",
         "title": "policy-data.json 的格式说明（JSON Schema）"},
    ]
    return {"name": f"{j.id}-health-poverty-policy", "title": f"{j.name}健康扶贫政策开放数据",
            "version": version, "description": f"{j.full_name or j.name}的健康扶贫政策数据，数据版本 {version}。",
            "resources": resources}
