"""The schema of every file in a jurisdiction folder (see docs/data-format.md).

Each spec here is declarative: the field name, what it holds, whether it is required. Specs
produce plain dicts (with `_line` and `_path` for later messages) or small objects.
"""
from __future__ import annotations

from .params import ParamSpec, Reading, check_reading, reading_fields, reference_spec
from .schema import (
    INVALID,
    Bool,
    Date,
    Enum,
    Field,
    Ident,
    Int,
    Lazy,
    ListOf,
    Phone,
    Record,
    Ref,
    ScalarList,
    Spec,
    Text,
    isdict,
    type_name,
)
from .yamlsource import line_of

CLAIM_KINDS = {"inpatient": "住院", "outpatient_general": "普通门诊（门诊统筹）",
               "outpatient_chronic": "门诊特殊慢性病"}
BASES = {"in_catalog": "目录内费用", "out_of_catalog_necessary": "目录外必需费用"}
SHARE_OF = {"class_b": "乙类药品和特殊检查费用"}
DISABILITIES = {"vision": "视力残疾", "hearing": "听力残疾", "speech": "言语残疾",
                "intellectual": "智力残疾", "physical": "肢体残疾", "mental": "精神残疾",
                "autism": "孤独症"}
QUALIFICATIONS = ("执业医师", "执业助理医师", "乡村全科执业助理医师", "乡村医生")
CONTACT_ROLES = ("bureau", "supervision", "medical_insurance", "civil_affairs", "public_hotline", "other")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def opt(spec: Spec, doc: str = "", default=None) -> Field:
    return Field(spec, required=False, doc=doc, default=default)


def req(spec: Spec, doc: str = "") -> Field:
    return Field(spec, doc=doc)


# ------------------------------------------------------------------ jurisdiction.yaml
def _covers_check(ctx, out, raw, path, line):
    if out["until"] < out["from"]:
        ctx.error(line, f"{path}.until", f"结束日期 {out['until']} 早于开始日期 {out['from']}")
        return False
    return True


SOURCE = Record({
    "id": req(Ident()), "title": req(Text(300)), "issuer": opt(Text(200)), "date": opt(Date()),
    "url": opt(Text(500)), "note": opt(Text(500)),
    "seed": opt(Text(200), "资料库 shared/seeds/ 里这份文件的文件名（有了它，测试会核对每条 quote 都在原文中）"),
    "covers": opt(Record({"from": req(Date()), "until": req(Date())}, check=_covers_check),
                  "这份文件管哪一段时间，如 2020 年的计划写 {from: 2020-01-01, until: 2020-12-31}；"
                  "生成日期超过所有文件的时段时，页面和打印件会提醒数字可能过时"),
})

JURISDICTION = Record({
    "id": req(Ident(), "与文件夹同名的编号"),
    "name": req(Text(50), "简称，如 资溪县"),
    "full_name": req(Text(100)),
    "region": opt(Record({"province": opt(Text(50)), "prefecture": opt(Text(50))})),
    "site_url": req(Text(300), "公开网站的根地址，二维码指向这里（本县的页面在 {site_url}/<地区编号>/ 下）"),
    "forms_url": opt(Text(300), "投诉与咨询网站（forms app）的根地址（投诉表在 {forms_url}/<地区编号>/complaint）"),
    "reviewed": opt(Date(), "数据员最后一次对照县里文件核对本地区数据的日期；超过 12 个月，页面和打印件会提醒"),
    "notice_horizon_days": opt(Int(1, 366), "公示栏提前多少天预告即将调整的数字（默认 90 天）", default=90),
    "baseline_category": req(Ref("category"), "用来对比的普通居民类别"),
    "sources": req(ListOf(SOURCE, min_len=1, unique="id", what="个文件")),
    "monitoring": req(Record({"self_pay_threshold": req(ParamSpec(("yuan",)))})),
    "notes": opt(Text(2000)),
})

# ------------------------------------------------------------------ categories / levels / diseases
CATEGORIES = Record({
    "categories": req(ListOf(Record({
        "id": req(Ident()), "name": req(Text(50)), "description": opt(Text(500)),
    }), min_len=1, unique="id", what="个类别")),
    "groups": opt(ListOf(Record({
        "id": req(Ident()), "name": req(Text(50)), "description": opt(Text(500)),
        "members": req(ScalarList(Ref("category"), min_len=1)),
    }), unique="id"), default=[]),
})

LEVELS = Record({
    "levels": req(ListOf(Record({
        "id": req(Ident()), "name": req(Text(50)), "description": opt(Text(500)),
        "in_county": req(Bool(), "不填写时，这一级医院是否按县域内就医"),
    }), min_len=1, unique="id", what="个级别")),
})

DISEASES = Record({
    "chronic_classes": opt(ListOf(Record({
        "id": req(Ident()), "name": req(Text(50)), "description": opt(Text(500)),
    }), unique="id"), default=[]),
    "groups": opt(ListOf(Record({
        "id": req(Ident()), "name": req(Text(100)), "description": opt(Text(500)),
        "reference": opt(reference_spec()),
    }), unique="id"), default=[]),
    "diseases": req(ListOf(Record({
        "id": req(Ident()), "name": req(Text(100)),
        "groups": opt(ScalarList(Ref("disease_group")), default=[]),
        "chronic_class": opt(Ref("chronic_class")),
        "illustrative": opt(Bool(), default=False),
        "chronic_class_illustrative": opt(Bool(), "归入哪一类慢性病是示例（原文没有说）"),
    }), unique="id")),
})

HOSPITALS = Record({
    "hospitals": req(ListOf(Record({
        "id": req(Ident()), "name": req(Text(100)), "level": req(Ref("level")),
        "township": opt(Ref("township")), "address": opt(Text(200)), "phone": opt(Phone()),
        "tags": opt(ScalarList(Ident()), default=[]), "illustrative": opt(Bool(), default=False),
    }), min_len=1, unique="id", what="家医院")),
})

# ------------------------------------------------------------------ townships
DOCTOR = Record({
    "name": req(Text(30)), "qualification": req(Enum(QUALIFICATIONS)), "phone": opt(Phone()),
})
CLINIC = Record({
    "name": req(Text(100)), "address": opt(Text(200)), "phone": req(Phone()),
    "hours": req(Text(200), "开诊时间"), "doctors": req(ListOf(DOCTOR, min_len=1, what="名医生")),
})
VILLAGE = Record({
    "id": req(Ident()), "name": req(Text(50)), "poor_village": opt(Bool(), default=False),
    "clinic": req(CLINIC),
})
TOWNSHIP = Record({
    "id": req(Ident(), "与文件同名的乡镇编号"), "name": req(Text(50)),
    "health_center": req(Ref("hospital"), "乡镇卫生院在 hospitals.yaml 中的编号"),
    "illustrative": opt(Bool(), default=False),
    "villages": req(ListOf(VILLAGE, min_len=1, what="个村")),
})

# ------------------------------------------------------------------ readings outside parameters


def _reading_check(ctx, out, raw, path, line):
    """A program's or a layer scope's reading follows the same rules as a value's."""
    fields = {k: out.get(k) for k in ("status", "quote", "alternatives", "reason", "reference")}  # its own reference
    fields["illustrative"] = raw.get("illustrative") if isinstance(raw.get("illustrative"), bool) else None
    reading = Reading(out.get("reference"), "official", origin=(line, path)).under(ctx, fields, line, path)
    if reading is None or not check_reading(ctx, reading):
        return False
    out["status"] = reading.status
    out["illustrative"] = reading.status == "illustrative"
    return True


SCOPE = Record({"reference": opt(reference_spec()), **reading_fields()}, check=_reading_check)

# ------------------------------------------------------------------ layers


def _layer_check(ctx, out, raw, path, line):
    method = out["method"] or "share"
    needs = {"share": ("ratio",), "ceiling": ("ceiling_ratio",), "waiver": ("items",)}
    allowed = {
        "share": {"base", "ratio", "ratio_bonus", "personal_share", "deductible", "cap", "parts"},
        "ceiling": {"ceiling_ratio", "cap"},
        "waiver": {"items"},
    }[method]
    ok = True
    every = {"base", "ratio", "ratio_bonus", "personal_share", "deductible", "cap", "parts",
             "ceiling_ratio", "items"}
    for key in every - allowed:
        if raw.get(key) is not None:
            ctx.error(line_of(raw, key), f"{path}.{key}", f"计算方法为 {method} 的层不使用“{key}”")
            ok = False
    if method == "share":
        if out["parts"]:
            for key in ("base", "ratio", "ratio_bonus"):
                if raw.get(key) is not None:
                    ctx.error(line_of(raw, key), f"{path}.{key}", f"已用 parts 分段计算时，不能再写“{key}”")
                    ok = False
        else:
            for key in ("base", "ratio"):
                if key not in raw:
                    ctx.error(line, f"{path}.{key}", f"缺少必填项“{key}”（或改用 parts）")
                    ok = False
        ded = out["deductible"]
        if out["personal_share"] is not None and ded is not None and (
                ded.extra["per"] == "year" or ded.extra["pool"]):
            ctx.error(line_of(raw, "deductible"), f"{path}.deductible",
                      "有“先行自付”（personal_share）的层只能用每次单独计算、不共用（不写 pool）的起付线："
                      "先行自付会产生不足一分的金额，无法带到别的层或下一次")
            ok = False
    else:
        for key in needs[method]:
            if key not in raw:
                ctx.error(line, f"{path}.{key}", f"缺少必填项“{key}”")
                ok = False
    return ok


PER = {"per": req(Enum(("claim", "year")), "claim 每次 / year 每人每年累计"),
       "pool": opt(Ident(), "共用同一额度的层写同一个名字")}

LAYER = Record({
    "id": req(Ident()), "name": req(Text(50)), "description": req(Text(1000)),
    "kinds": req(ScalarList(Enum(tuple(CLAIM_KINDS)), min_len=1)),
    "applies_to": opt(Record({
        "categories": opt(ScalarList(Ref("category_or_group"), min_len=1)),
        "levels": opt(ScalarList(Ref("level"), min_len=1)),
        "in_county": opt(Bool()),
        "chronic_classes": opt(ScalarList(Ref("chronic_class"), min_len=1)),
        "hospitals": opt(ScalarList(Ref("hospital"), min_len=1)),
    })),
    "scope": opt(SCOPE, "适用范围是怎么从原文读出来的（status、quote、alternatives、reason）"),
    "method": opt(Enum(("share", "ceiling", "waiver")), default="share"),
    "base": opt(Enum(tuple(BASES))),
    "ratio": opt(ParamSpec(("ratio",))),
    "ratio_bonus": opt(ParamSpec(("ratio",))),
    "personal_share": opt(Record({"of": req(Enum(tuple(SHARE_OF))), "rate": req(ParamSpec(("ratio",)))})),
    "deductible": opt(ParamSpec(("yuan",), PER)),
    "cap": opt(ParamSpec(("yuan",), PER)),
    "parts": opt(ListOf(Record({
        "name": opt(Text(50)), "base": req(Enum(tuple(BASES))), "ratio": req(ParamSpec(("ratio",))),
    }), min_len=1, what="段")),
    "ceiling_ratio": opt(ParamSpec(("ratio",))),
    "items": opt(ListOf(Record({
        "id": req(Ident()), "name": req(Text(50)), "rate": req(ParamSpec(("ratio",))),
        "kinds": opt(ScalarList(Enum(tuple(CLAIM_KINDS)), min_len=1), "只在这些就医类型减免（不写：本层的全部类型）"),
    }), min_len=1, unique="id", what="个减免项目")),
}, check=_layer_check)

DISCRETIONARY = Record({
    "id": req(Ident()), "name": req(Text(50)), "description": req(Text(1000)),
    "kinds": req(ScalarList(Enum(tuple(CLAIM_KINDS)), min_len=1)),
    "applies_to": opt(Record({"categories": opt(ScalarList(Ref("category_or_group"), min_len=1))})),
    "ratio_min": req(ParamSpec(("ratio",))), "ratio_max": req(ParamSpec(("ratio",))),
    "text": req(Text(200), "结果旁显示的话，{min} 和 {max} 换成百分数，如 年底可能再补偿{min}–{max}，视资金结余"),
})

LAYERS = Record({
    "layers": req(ListOf(LAYER, min_len=1, unique="id", what="层")),
    "discretionary": opt(ListOf(DISCRETIONARY, unique="id", what="项"), "不计入报销金额、只显示范围的补偿", default=[]),
})


# ------------------------------------------------------------------ programs and conditions
class ConditionSpec(Spec):
    """A condition: a mapping with exactly one key (see docs/data-format.md)."""

    def __call__(self, ctx, value, path, line):
        if not isdict(value) or len(value) != 1:
            ctx.error(line, path, f"条件应是只有一个键的映射，如 “category: [poor]”，这里是{type_name(value)}")
            return INVALID
        (key, arg), = value.items()
        kpath, kline = f"{path}.{key}", line_of(value, key)
        spec = CONDITIONS.get(key)
        if spec is None:
            ctx.error(kline, kpath, f"不认识的条件“{key}”（可用：{'、'.join(CONDITIONS)}）")
            return INVALID
        converted = spec(ctx, arg, kpath, kline)
        return INVALID if converted is INVALID else (key, converted)


class _DisabilityArg(Spec):
    def __call__(self, ctx, value, path, line):
        if value == "any":
            return "any"
        return ScalarList(Enum(tuple(DISABILITIES)), min_len=1)(ctx, value, path, line)


def _age_check(ctx, out, raw, path, line):
    if out["min"] is None and out["max"] is None:
        ctx.error(line, path, "年龄条件至少要写 min 或 max")
        return False
    if out["min"] is not None and out["max"] is not None and out["min"] > out["max"]:
        ctx.error(line, path, "年龄下限大于上限")
        return False
    return True


_COND = Lazy(lambda: ConditionSpec())
CONDITIONS = {
    "all": ListOf(_COND, min_len=1),
    "any": ListOf(_COND, min_len=1),
    "not": _COND,
    "category": ScalarList(Ref("category_or_group"), min_len=1),
    "age": Record({"min": opt(Int(0, 150)), "max": opt(Int(0, 150))}, check=_age_check),
    "sex": Enum(("female", "male")),
    "disease": ScalarList(Ref("disease"), min_len=1),
    "disease_group": ScalarList(Ref("disease_group"), min_len=1),
    "chronic_class": ScalarList(Ref("chronic_class"), min_len=1),
    "disability": _DisabilityArg(),
    "pregnant": Bool(),
    "township": ScalarList(Ref("township"), min_len=1),
}


class WhereSpec(Spec):
    def __call__(self, ctx, value, path, line):
        if value in ("village_clinic", "township_health_center"):
            return value
        if isinstance(value, str) and value.startswith("hospital:"):
            hid = Ref("hospital")(ctx, value.split(":", 1)[1], path, line)
            return INVALID if hid is INVALID else value
        ctx.error(line, path, f"地点只能是 village_clinic、township_health_center 或 hospital:<医院编号>，这里是{type_name(value)}")
        return INVALID


def _valid_check(ctx, out, raw, path, line):
    if out["until"] is not None and out["until"] < out["from"]:
        ctx.error(line, f"{path}.until", f"结束日期 {out['until']} 早于开始日期 {out['from']}")
        return False
    return True


PROGRAM = Record({
    "id": req(Ident()), "name": req(Text(50)), "summary": req(Text(300), "一句话说明"),
    "benefits": opt(ListOf(Text(300)), default=[]),
    "when": opt(ConditionSpec(), "谁可以享受；不写表示所有人"),
    "how": req(Record({
        "where": opt(ScalarList(WhereSpec()), default=[]),
        "steps": opt(ListOf(Text(300)), default=[]),
        "bring": opt(ListOf(Text(100)), default=[]),
    })),
    "valid": opt(Record({"from": req(Date()), "until": opt(Date())}, check=_valid_check)),
    "reference": req(reference_spec()),
    **{k: f for k, f in reading_fields().items() if k != "illustrative"},
    "illustrative": opt(Bool(), default=False),
    "note": opt(Text(1000)),
}, check=_reading_check)
PROGRAMS = Record({"programs": req(ListOf(PROGRAM, min_len=1, unique="id", what="个项目"))})

# ------------------------------------------------------------------ contacts / commitments / calendar
CONTACTS = Record({"contacts": req(ListOf(Record({
    "id": req(Ident()), "name": req(Text(100)), "role": req(Enum(CONTACT_ROLES)),
    "phone": req(Phone()), "hours": opt(Text(200)), "address": opt(Text(200)),
    "illustrative": opt(Bool(), default=False),
}), min_len=1, unique="id", what="个联系方式"))})

_DAYS = ParamSpec(("working_days", "days"))
COMMITMENTS = Record({"commitments": req(Record({
    "decide": req(_DAYS, "受理或不予受理的期限"), "reply": req(_DAYS, "办结答复的期限"),
    "extend_max": req(_DAYS, "最长延期"), "review": opt(_DAYS, "申请复查的期限"),
}))})

# ------------------------------------------------------------------ complaints.yaml
# Where a complaint category may point on the jurisdiction's site (builder/urls.py lists the pages);
# programs/<id>/ and lines/<id>/ must name a program or a layer of this jurisdiction.
COMPLAINT_PAGES = ("", "examples/", "diseases/", "hospitals/", "changes/", "complain/", "villages/", "drugs/")
COMPLAINTS = Record({"categories": req(ListOf(Record({
    "id": req(Ident()),
    "name": req(Text(40), "居民在表单上看到的类别名，如 住院被收了押金"),
    "commitment": req(Text(300), "这类投诉对应的承诺，用大白话写，如 县内住院先看病后付钱，入院不交押金"),
    "page": req(Text(200), "网站上讲这项承诺的页面，如 programs/treat_first_pay_later/"),
    "reference": opt(reference_spec()),
}), min_len=1, unique="id", what="个投诉类别"))})

HOLIDAY = Record({"name": req(Text(30)), "from": req(Date()), "until": req(Date()),
                  "local": opt(Bool(), "本地特有的假日（国家没有放假）：check 不与国家日历比较这些天", default=False)},
                 check=_valid_check)
LOCAL_EXCEPTION = Record({"date": req(Date()), "reason": req(Text(200), "为什么这一天与国家的安排不同")})
class YearsSpec(Spec):
    def __call__(self, ctx, value, path, line):
        if not isdict(value) or not value:
            ctx.error(line, path, "应按年份列出节假日，如 “2020:”")
            return INVALID
        year_spec = Record({
            "holidays": req(ListOf(HOLIDAY)),
            "workdays": opt(ScalarList(Date()), default=[]),
            "local_exceptions": opt(ListOf(LOCAL_EXCEPTION), "与国家节假日安排不同、但确是本地安排的日子", default=[]),
        })
        out, ok = {}, True
        for year, body in value.items():
            ypath, yline = f"{path}.{year}", line_of(value, year)
            if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
                ctx.error(yline, ypath, f"年份应写成四位数字，如 2020，这里是{type_name(year)}")
                ok = False
                continue
            converted = year_spec(ctx, body, ypath, yline)
            if converted is INVALID:
                ok = False
                continue
            out[year] = converted
        return out if ok else INVALID


CALENDAR = Record({
    "weekend": req(ScalarList(Enum(WEEKDAYS))),
    "years": req(YearsSpec(), "按年份列出节假日和调休上班日"),
})

# ------------------------------------------------------------------ examples
def _example_date_check(ctx, out, raw, path, line):
    """An eligible example says which day it is judged on (no hidden default: `eligible` itself
    uses today); a calc example's dates are its claims' dates."""
    if out["kind"] == "eligible" and out["date"] is None:
        ctx.error(line, f"{path}.date", "eligible 示例要写 date：按哪一天判断（例如 date: 2020-06-01），"
                                        "不同日期适用的政策可能不同")
        return False
    if out["kind"] != "eligible" and out["date"] is not None:
        ctx.error(line_of(raw, "date"), f"{path}.date", "calc 示例不写 date：就医日期写在每次就医（claims）的 date 上")
        return False
    return True


# A calc example may also show one other reading of an interpreted value (policy/alternatives.py).
EXAMPLE_READING = Record({
    "parameter": req(Text(100), "哪个参数的其他理解，如 layers.basic.ratio_bonus"),
    "alternative": req(Int(minimum=1), "第几种其他理解（alternatives 里的第几项，从 1 数起）"),
    "output": req(Lazy(lambda: _ANY), "按这种理解算出的结果，写法同 output"),
})

EXAMPLE = Record({
    "name": req(Text(100)), "description": opt(Text(1000)),
    "kind": opt(Enum(("calc", "eligible")), default="calc"),
    "date": opt(Date(), "eligible 示例按哪一天判断（eligible 示例必填）"),
    "input": req(Lazy(lambda: _ANY)), "output": req(Lazy(lambda: _ANY)),
    "reading": opt(EXAMPLE_READING, "按另一种理解再算一遍（只用于 calc 示例）"),
}, check=_example_date_check)


class AnySpec(Spec):
    def __call__(self, ctx, value, path, line):
        return value


_ANY = AnySpec()
EXAMPLES = Record({"examples": req(ListOf(EXAMPLE, min_len=1, unique="name", what="个示例"))})

# ------------------------------------------------------------------ process.yaml
PROCESS_STEP = Record({
    "id": req(Ident()),
    "title": req(Text(12), "这一步的名字，大字印在公示栏上，最好不超过 7 个字，如 住院不交押金"),
    "text": req(Text(40), "居民要做什么、会怎样，用大白话写，最好不超过 20 个字（公示栏上两行）"),
    "complaint": opt(Ident(), "这一步没做到时投诉哪一类（complaints.yaml 里的编号）"),
    "reference": req(reference_spec()),
    **{k: f for k, f in reading_fields().items() if k != "illustrative"},
}, check=_reading_check)
PROCESS = Record({"steps": req(ListOf(PROCESS_STEP, min_len=1, unique="id", what="步"),
                               "群众看病报销要走的步骤，按先后排列")})

FILES = {
    "jurisdiction.yaml": JURISDICTION,
    "categories.yaml": CATEGORIES,
    "levels.yaml": LEVELS,
    "diseases.yaml": DISEASES,
    "hospitals.yaml": HOSPITALS,
    "layers.yaml": LAYERS,
    "programs.yaml": PROGRAMS,
    "contacts.yaml": CONTACTS,
    "commitments.yaml": COMMITMENTS,
    "complaints.yaml": COMPLAINTS,
    "calendar.yaml": CALENDAR,
}

# Files a jurisdiction may have: read and checked when present (see policy/drugs.py).
from .drugs import drugs_file_spec  # noqa: E402  (the drug spec reuses this module's reading check)

OPTIONAL_FILES = {
    "drugs.yaml": drugs_file_spec(),
    "process.yaml": PROCESS,
}
