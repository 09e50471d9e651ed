"""The OpenAPI 3.0 document of the Open311 API, served at /api/open311/v2/openapi.json."""
from __future__ import annotations

ERRORS = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["code", "description"], "additionalProperties": False,
    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}}}


def _error(text):
    return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}


def _jid(jurisdictions: list[str]) -> dict:
    return {"name": "jurisdiction_id", "in": "query", "required": True, "description": "地区编号，如 zixi",
            "schema": {"type": "string", "enum": jurisdictions}}

SERVICE = {"type": "object", "additionalProperties": False,
           "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
           "properties": {"service_code": {"type": "string"}, "service_name": {"type": "string"},
                          "description": {"type": "string"}, "metadata": {"type": "boolean"},
                          "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                          "keywords": {"type": "string"}, "group": {"type": "string"}}}

DEFINITION = {"type": "object", "required": ["service_code", "attributes"], "properties": {
    "service_code": {"type": "string"},
    "attributes": {"type": "array", "items": {"type": "object", "required": ["code", "datatype", "required"]}}}}

REQUEST = {"type": "object", "additionalProperties": False,
           "required": ["service_request_id", "status", "detailed_status", "status_notes", "service_name",
                        "service_code", "requested_datetime", "updated_datetime", "expected_datetime",
                        "address_id", "notes"],
           "properties": {
               "service_request_id": {"type": "string"},
               "status": {"type": "string", "enum": ["open", "closed"]},
               "detailed_status": {"type": "string", "enum": ["SUBMITTED", "ACCEPTED", "DECLINED", "IN_PROGRESS",
                                                              "EXTENDED", "CLOSED", "REOPENED"]},
               "status_notes": {"type": "string"},
               "service_name": {"type": "string"}, "service_code": {"type": "string"},
               "requested_datetime": {"type": "string"}, "updated_datetime": {"type": "string"},
               "expected_datetime": {"type": "string", "nullable": True},
               "address_id": {"type": "string", "nullable": True},
               "notes": {"type": "array", "items": {"type": "object"}}}}

CREATED = {"type": "array", "minItems": 1, "maxItems": 1, "items": {
    "type": "object", "required": ["service_request_id", "token"], "properties": {
        "service_request_id": {"type": "string", "pattern": "^[A-Z]{1,6}-[0-9]{4}-[0-9]{6,}$"},
        "token": {"type": "string", "pattern": "^[0-9]{8}$"},
        "service_notice": {"type": "string"}, "account_id": {"nullable": True}}}}

NEW_REQUEST = {"type": "object", "required": ["jurisdiction_id", "service_code", "address_id", "description"],
               "properties": {
                   "jurisdiction_id": {"type": "string"},
                   "service_code": {"type": "string", "maxLength": 100, "description": "投诉类别（services.json）"},
                   "address_id": {"type": "string", "maxLength": 100, "description": "村编号"},
                   "description": {"type": "string", "maxLength": 2000, "description": "发生了什么（5 到 2000 字）"},
                   "first_name": {"type": "string", "maxLength": 50},
                   "last_name": {"type": "string", "maxLength": 50},
                   "phone": {"type": "string", "maxLength": 30, "description": "不填电话即为匿名"},
                   "attribute[institution]": {"type": "string", "maxLength": 100},
                   "attribute[event_date]": {"type": "string", "maxLength": 20, "description": "YYYY-MM-DD"},
                   "attribute[id_number]": {"type": "string", "maxLength": 30},
                   "attribute[drug]": {"type": "string", "maxLength": 60,
                                       "description": "service_code 为 drug_price 时必填：药品编号（services/drug_price.json）"},
                   "attribute[drug_price_charged]": {"type": "string", "maxLength": 20,
                                                     "description": "service_code 为 drug_price 时必填：实际收了多少元，如 9.50"},
                   "attribute[settlement]": {"type": "string", "maxLength": 10000,
                                             "description": "结算单上的数字（JSON，见 services/{code}.json 的 settlement）；"
                                                            "系统按政策重新计算差额，附在案件上"},
                   "idempotency_key": {"type": "string", "pattern": "^[A-Za-z0-9._:~-]{16,100}$",
                                       "description": "重试用的键（或用 Idempotency-Key 请求头）：同一个键、同样的内容"
                                                      "再提交一次，返回第一次的案件编号和 token，不会重复登记"},
               }}

IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "重试用的键，16 到 100 个字符（例如 UUID）；同一个键、同样的内容再提交，"
                                  "返回第一次的结果（201，带 Idempotent-Replayed: true）；内容不同则 422",
                   "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:~-]{16,100}$"}}


def document(server: str, jurisdictions: list[str]) -> dict:
    """The document for this deployment: `jurisdiction_id` lists the jurisdictions it serves."""
    JID = _jid(jurisdictions)
    body = dict(NEW_REQUEST, properties=dict(NEW_REQUEST["properties"],
                                             jurisdiction_id={"type": "string", "enum": jurisdictions}))
    common = {"404": _error("没有这个地区或这一项"), "400": _error("参数有误，每条说明一个参数"),
              "429": _error("请求太频繁")}
    return {
        "openapi": "3.0.3",
        "info": {"title": "健康扶贫投诉 Open311 GeoReport v2 接口", "version": "2.0.0",
                 "description": "服务（service）= 投诉类别；提交投诉得到案件编号和查询码（token）；"
                                "凭编号和 token 查询办理状态。不返回任何个人信息。"},
        "servers": [{"url": server}],
        "paths": {
            "/api/open311/v2/services.json": {"get": {
                "operationId": "listServices", "parameters": [JID],
                "responses": {"200": {"description": "投诉类别", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}}}}}, **common}}},
            "/api/open311/v2/services/{service_code}.json": {"get": {
                "operationId": "serviceDefinition",
                "parameters": [{"name": "service_code", "in": "path", "required": True,
                                "schema": {"type": "string", "maxLength": 100}}, JID],
                "responses": {"200": {"description": "类别的附加字段", "content": {"application/json": {
                    "schema": DEFINITION}}}, **common}}},
            "/api/open311/v2/requests.json": {"post": {
                "operationId": "createRequest", "parameters": [IDEMPOTENCY_KEY],
                "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                    "schema": {"$ref": "#/components/schemas/NewRequest"}}}},
                "responses": {"201": {"description": "已收到（或同一个键的重试：第一次的结果）",
                                      "content": {"application/json": {"schema": CREATED}}},
                              "422": _error("这个 Idempotency-Key 已用于内容不同的请求，没有保存"), **common}}},
            "/api/open311/v2/requests/{service_request_id}.json": {"get": {
                "operationId": "getRequest",
                "parameters": [{"name": "service_request_id", "in": "path", "required": True,
                                "schema": {"type": "string", "maxLength": 100}}, JID,
                               {"name": "token", "in": "query", "required": True, "description": "提交时得到的查询码",
                                "schema": {"type": "string", "maxLength": 100}}],
                "responses": {"200": {"description": "办理状态", "content": {"application/json": {
                    "schema": {"type": "array", "minItems": 1, "maxItems": 1,
                               "items": {"$ref": "#/components/schemas/Request"}}}}}, **common}}},
        },
        "components": {"schemas": {"Errors": ERRORS, "Service": SERVICE, "Request": REQUEST,
                                   "NewRequest": body}},
    }
