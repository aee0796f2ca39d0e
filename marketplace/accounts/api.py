"""Account API: register, personal tokens, and who am I."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from marketplace.accounts import services
from marketplace.accounts.models import User
from marketplace.api import api_blueprint, doc, json_body, login_required_api, ref, schema, text_schema
from marketplace.extensions import limiter
from marketplace.hooks import Hook
from marketplace.web import acting_user

bp = api_blueprint("accounts_api", __name__)

#: Other domains add keys to GET /me through this hook (catalog adds "store"), so the core never
#: imports them. Each entry takes the user and returns a dict merged into the answer.
me_fields = Hook("me_fields", "Functions (user) -> dict merged into GET /api/v1/me.")

schema("User", {
    "type": "object", "required": ["id", "email", "name", "roles"],
    "properties": {"id": {"type": "integer"}, "email": {"type": "string", "format": "email"},
                   "name": {"type": "string"},
                   "roles": {"type": "array", "items": {"type": "string",
                                                         "enum": ["buyer", "seller", "officer", "admin"]}}},
})
schema("Me", {"allOf": [ref("User"), {"type": "object", "required": ["store"], "properties": {
    # OpenAPI 3.0 has no "null" type: a nullable reference is written as allOf + nullable.
    "store": {"allOf": [ref("Store")], "nullable": True}}}]})
schema("Token", {"type": "object", "required": ["id", "token", "label"],
                 "properties": {"id": {"type": "integer"}, "token": {"type": "string"},
                                "label": {"type": "string"}}})


#: E-mail addresses longer than RFC 5321's 254 are refused before any parsing.
_EMAIL = {"type": "string", "format": "email", "maxLength": 254}


def user_json(user: User) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "roles": user.roles}


def _limit():
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.post("/auth/register")
@doc("Create an account (a buyer)", status=201, errors=(409, 415, 422), tags=("accounts",),
     request_body={"type": "object", "required": ["email", "password", "name"], "properties": {
         "email": _EMAIL, "password": {"type": "string", "minLength": 8, "maxLength": 200},
         "name": text_schema(120)}},
     response=ref("User"))
def register():
    data = json_body()
    user = services.register_user(email=data.get("email"), password=data.get("password"),
                                  name=data.get("name"))
    return jsonify(user_json(user)), 201


@bp.post("/auth/tokens")
@limiter.limit(_limit)
@doc("Make a personal API token from e-mail and password (shown once)", status=201,
     errors=(401, 415, 422, 429), tags=("accounts",),
     request_body={"type": "object", "required": ["email", "password", "label"], "properties": {
         "email": _EMAIL, "password": {"type": "string", "maxLength": 200},
         "label": text_schema(80)}},
     response=ref("Token"))
def create_token():
    from flask_babel import lazy_gettext as _l

    from marketplace.errors import Unauthorized

    data = json_body()
    user = services.authenticate(data.get("email") or "", data.get("password") or "")
    if user is None:
        raise Unauthorized(_l("E-mail atau kata sandi salah."), code="bad_credentials")
    row, token = services.create_token(user, data.get("label"))
    return jsonify({"id": row.id, "token": token, "label": row.label}), 201


@bp.delete("/auth/tokens/<int:token_id>")
@login_required_api
@doc("Revoke one of your tokens", status=204, auth=True, errors=(401, 404), tags=("accounts",))
def delete_token(token_id: int):
    services.revoke_token(token_id, actor=acting_user())
    return "", 204


@bp.get("/me")
@login_required_api
@doc("The caller's account, with their store if they sell", auth=True, errors=(401,),
     tags=("accounts",), response=ref("Me"))
def me():
    body = user_json(current_user)
    body["store"] = None
    for fields in me_fields.call(acting_user()):
        body.update(fields)
    return jsonify(body)
