"""Open311 GeoReport v2 for machines: services = complaint categories, POST a request, GET one.

Form-encoded requests as the spec says; JSON answers; errors as the spec's error list
`[{"code": 400, "description": "..."}]` with the same HTTP code. The request is validated by the
same ComplaintForm as the web page, so a machine gets the messages a person would. Reading a
request needs its `token` (the lookup code returned on submission): the API never shows a case
to someone who could not also look it up on the web, and never shows personal data or free text.

Retries: a client that sends an `Idempotency-Key` header (or an `idempotency_key` parameter), 16 to
100 characters of letters, digits and `._:~-` (a UUID is fine), gets for a retry with the same
key and the same parameters the same `service_request_id` and `token` (201 again, with
`Idempotent-Replayed: true`) instead of a second request; the same key with other parameters is
refused with 422 and nothing is stored.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.datastructures import MultiDict

from .. import store
from ..complaints.forms import ComplaintForm
from ..formkit import zh
from ..lifecycle import current_deadline, open311_status, public_timeline
from ..limits import limiter, submit_limit
from ..policy_source import CLINIC, DRUG_PRICE, NO_INSTITUTION, category, drug_choices, institution_choices
from ..protect import valid_resubmission_id
from ..submissions import Filer, submit_complaint
from ..tracking.forms import TrackForm
from ..tracking.views import find_case
from ..addresses import forms_root
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/open311/v2")

# ComplaintForm field -> the Open311 parameter a machine sends
API_NAMES = {"category": "service_code", "village": "address_id", "institution": "attribute[institution]",
             "event_date": "attribute[event_date]", "description": "description", "name": "first_name",
             "phone": "phone", "id_number": "attribute[id_number]",
             # a wrong drug price (service_code drug_price): which drug, and what was charged in yuan
             "drug": "attribute[drug]", "charged": "attribute[drug_price_charged]"}
MAX_PARAM = 10_000  # characters of any one parameter we read at all


class ApiError(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions)
        self.status, self.descriptions = status, descriptions


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return errors(exc.status, *exc.descriptions)


def errors(status: int, *descriptions: str):
    return jsonify([{"code": status, "description": d} for d in descriptions]), status


def _jurisdiction(args):
    jid = (args.get("jurisdiction_id") or "")[:100]
    if not jid:
        raise ApiError(400, "jurisdiction_id: 缺少地区编号")
    j = current_app.extensions["forms_policy"].get(jid)
    if j is None:
        known = "、".join(sorted(current_app.extensions["forms_policy"].jurisdictions))
        raise ApiError(404, f"jurisdiction_id: 没有这个地区（现有：{known}）")
    return j


def _service(j, c) -> dict:
    return {"service_code": c["id"], "service_name": c["name"], "description": c["commitment"],
            "metadata": True, "type": "realtime", "keywords": "", "group": "健康扶贫"}


@bp.get("/openapi.json")
def openapi():
    policy = current_app.extensions["forms_policy"]
    jids = sorted(policy.jurisdictions)
    return jsonify(document(forms_root(jids[0]) if jids else (current_app.config["FORMS_URL"] or ""), jids))


@bp.get("/services.json")
def services():
    j = _jurisdiction(request.args)
    return jsonify([_service(j, c) for c in j.complaint_categories])


@bp.get("/services/<code>.json")
def service_definition(code):
    j = _jurisdiction(request.args)
    if category(j, code) is None:
        raise ApiError(404, "service_code: 没有这一类问题")
    places = [{"key": CLINIC, "name": "所选村的村卫生室"}]
    places += [{"key": key, "name": name} for group, items in institution_choices(j).items()
               for key, name in items if key not in (CLINIC,)]
    return jsonify({"service_code": code, "attributes": [
        {"variable": True, "code": "institution", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "医院或卫生室", "order": 1, "description": "涉及哪家医院或卫生室",
         "values": places},
        {"variable": True, "code": "event_date", "datatype": "string", "required": False,
         "datatype_description": "YYYY-MM-DD", "order": 2, "description": "事情发生的日期"},
        {"variable": True, "code": "id_number", "datatype": "string", "required": False,
         "datatype_description": "18 位居民身份证号码", "order": 3, "description": "身份证号码（加密保存）"},
        *(_drug_attributes(j) if code == DRUG_PRICE and j.drugs else ()),
    ]})


def _drug_attributes(j) -> list[dict]:
    """The drug (from the county list; checked against the village clinic's on submit) and the
    price charged, both required for this category, as on the web form."""
    drugs = [{"key": key, "name": name} for items in drug_choices(j, None).values() for key, name in items]
    return [
        {"variable": True, "code": "drug", "datatype": "singlevaluelist", "required": True,
         "datatype_description": "药品编号", "order": 4, "description": "哪一种药（本村卫生室公示的）",
         "values": drugs},
        {"variable": True, "code": "drug_price_charged", "datatype": "string", "required": True,
         "datatype_description": "元，最多两位小数，如 9.50", "order": 5, "description": "这种药实际收了多少钱"},
    ]


@bp.post("/requests.json")
@limiter.limit(submit_limit)
def create_request():
    args = request.form
    j = _jurisdiction(args)
    key = _idempotency_key()
    data = MultiDict({field: args.get(name, "")[:MAX_PARAM] for field, name in API_NAMES.items()})
    if args.get("last_name"):
        data["name"] = (args.get("last_name", "") + data["name"])[:MAX_PARAM]
    if not data["institution"]:
        data["institution"] = NO_INSTITUTION
    anonymous = not data["phone"]
    if anonymous:
        data["anonymous"] = "y"
    form = ComplaintForm(j, formdata=data, meta={"csrf": False})
    if not form.validate():
        raise ApiError(400, *(f"{API_NAMES.get(field_id, field_id)}: {zh(message)}"
                              for field_id, _label, message in form.error_list()))
    filer = Filer(anonymous=anonymous, name=form.name.data or None, phone=form.clean_phone,
                  id_number=form.clean_id_number)
    try:
        receipt = submit_complaint(j, category=form.category.data, village=form.village.data,
                                   institution=form.institution.data, event_date=form.clean_date,
                                   description=form.description.data, filer=filer, channel="api",
                                   drug=form.drug.data or None, charged_fen=form.clean_charged,
                                   resubmission_id=key)
    except store.ResubmissionConflict as conflict:
        raise ApiError(422, f"Idempotency-Key: 这个键已经用于另一份内容不同的请求（{conflict.number}）"
                            if conflict.reason == "changed" else
                            f"Idempotency-Key: 这个键在 {store.REPLAY_HOURS} 小时前已经用过（{conflict.number}），请换一个新键")
    response = jsonify([{"service_request_id": receipt.number, "token": receipt.code,
                         "service_notice": "请保存好案件编号和查询码（token），查询办理进度时要用",
                         "account_id": None}])
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response, 201


def _idempotency_key() -> str | None:
    header = request.headers.get("Idempotency-Key")
    field = request.form.get("idempotency_key")
    if header is None and field is None:
        return None
    # The IETF draft writes the header as a quoted string ("..."); a bare token is accepted too.
    key = (header if header is not None else field).strip().removeprefix('"').removesuffix('"')
    if header is not None and field is not None and field.strip() != key[:MAX_PARAM]:
        raise ApiError(400, "Idempotency-Key: 请求头和 idempotency_key 参数不一致，只用一个即可")
    if not valid_resubmission_id(key):
        raise ApiError(400, "Idempotency-Key: 要 16 到 100 个字符，只用字母、数字和 ._:~-（例如一个 UUID）")
    return key


@bp.get("/requests/<request_id>.json")
def get_request(request_id):
    j = _jurisdiction(request.args)
    form = TrackForm(formdata=MultiDict({"number": request_id[:100], "code": request.args.get("token", "")[:100]}),
                     meta={"csrf": False})
    if not form.validate():
        raise ApiError(400, *(f"{'token' if fid == 'code' else 'service_request_id'}: {zh(m)}"
                              for fid, _l, m in form.error_list()))
    case = find_case(j.id, form.number.data, form.code.data)
    if case is None:
        raise ApiError(404, "没有找到：案件编号或 token 不对")
    return jsonify([public_request(j, case)])


def public_request(j, case) -> dict:
    """A case as Open311 shows it: status and public replies only, no personal data, no free text."""
    events = public_timeline(store.fetch_public_events(current_app.extensions["forms_db"], case.id))
    replies = [e for e in events if e["kind"] == "reply"]
    due = current_deadline(case)
    cat = category(j, case.category) or {"name": ""}
    return {
        "service_request_id": case.number,
        "status": open311_status(case.status),
        "detailed_status": case.status.upper(),
        "status_notes": replies[-1]["text"] if replies else events[-1]["text"] if events else "",
        "service_name": cat["name"], "service_code": case.category or "",
        "requested_datetime": _iso(case.submitted_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": f"{due[1].isoformat()}T23:59:59+08:00" if due else None,
        "address_id": case.village,
        "notes": [{"datetime": _iso(e["at"]), "status": e["status"], "description": e["text"]} for e in events],
    }


def _iso(value) -> str:
    return value.isoformat(timespec="seconds") + "Z"
