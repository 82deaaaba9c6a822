"""Sets up the tutorial state on a freshly reset NocoBase (as fixtures/recordings/2.2.15-api 03-27 do),
plus a second collection `todos_ts` with the UI's preset audit fields (createdAt/createdBy/updatedAt/updatedBy),
granted to the same role. Records the setup exchanges too (they are the prefix a replay needs).
Usage: imported by record_offpath.py (setup(record=True)), or run alone to print tokens to /tmp/nbstate.json.
"""
import json
import time

import nbrec as R

UI = lambda t, title, comp: {"type": t, "title": title, "x-component": comp}

TODOS = {
    "name": "todos", "title": "To Dos", "autoGenId": False, "createdAt": False, "updatedAt": False,
    "sortable": False,
    "fields": [
        {"name": "id", "type": "bigInt", "interface": "integer", "autoIncrement": True, "primaryKey": True,
         "allowNull": False, "uiSchema": {"type": "number", "title": "ID", "x-component": "InputNumber", "x-read-pretty": True}},
        {"name": "title", "type": "string", "interface": "input", "uiSchema": UI("string", "Title", "Input")},
        {"name": "completed", "type": "boolean", "interface": "checkbox", "uiSchema": UI("boolean", "Completed", "Checkbox")},
    ],
}

# The 1.x/2.x UI "general" preset audit fields, but with an integer id (as in TODOS) for readability.
TODOS_TS = {
    "name": "todos_ts", "title": "To Dos with audit fields", "autoGenId": False, "sortable": False,
    "logging": True, "template": "general", "view": False,
    "fields": [
        {"name": "id", "type": "bigInt", "interface": "integer", "autoIncrement": True, "primaryKey": True,
         "allowNull": False, "uiSchema": {"type": "number", "title": "ID", "x-component": "InputNumber", "x-read-pretty": True}},
        {"name": "createdAt", "type": "date", "field": "createdAt", "interface": "createdAt",
         "uiSchema": {"type": "datetime", "title": "Created at", "x-component": "DatePicker", "x-component-props": {}, "x-read-pretty": True}},
        {"name": "createdBy", "type": "belongsTo", "target": "users", "foreignKey": "createdById", "interface": "createdBy",
         "uiSchema": {"type": "object", "title": "Created by", "x-component": "AssociationField",
                      "x-component-props": {"fieldNames": {"value": "id", "label": "nickname"}}, "x-read-pretty": True}},
        {"name": "updatedAt", "type": "date", "field": "updatedAt", "interface": "updatedAt",
         "uiSchema": {"type": "datetime", "title": "Last updated at", "x-component": "DatePicker", "x-component-props": {}, "x-read-pretty": True}},
        {"name": "updatedBy", "type": "belongsTo", "target": "users", "foreignKey": "updatedById", "interface": "updatedBy",
         "uiSchema": {"type": "object", "title": "Last updated by", "x-component": "AssociationField",
                      "x-component-props": {"fieldNames": {"value": "id", "label": "nickname"}}, "x-read-pretty": True}},
        {"name": "title", "type": "string", "interface": "input", "uiSchema": UI("string", "Title", "Input")},
        {"name": "completed", "type": "boolean", "interface": "checkbox", "uiSchema": UI("boolean", "Completed", "Checkbox")},
    ],
}

ROLE = "todos_api_role"
FIELDS = ["id", "title", "completed"]
FIELDS_TS = ["id", "title", "completed", "createdAt", "createdBy", "updatedAt", "updatedBy"]


def grant(name, fields):
    return {"usingActionsConfig": True, "actions": [
        {"name": "create", "fields": fields}, {"name": "view", "fields": fields},
        {"name": "update", "fields": fields}, {"name": "destroy"},
        {"name": "export", "fields": fields}, {"name": "importXlsx", "fields": fields}],
        "name": name, "dataSourceKey": "main"}


def setup(record=True):
    A = "admin session token (from auth:signIn)"
    s, b, _ = R.ex("auth-signIn-admin", "POST", "/api/auth:signIn", {"X-Authenticator": "basic"},
                   {"account": "admin@nocobase.com", "password": "admin123"}, save=record)
    admin = R.secret(b["data"]["token"])
    H = {"Authorization": "Bearer " + admin}
    R.ex("collections-create-todos", "POST", "/api/collections:create", H, TODOS, auth=A, save=record)
    R.ex("collections-create-todos_ts", "POST", "/api/collections:create", H, TODOS_TS, auth=A, save=record,
         note="UI 'general' template preset audit fields (createdAt/createdBy/updatedAt/updatedBy) with an integer id")
    for t, c in [("Buy milk", False), ("Write API docs", True), ("Walk the dog", False)]:
        R.ex("todos-create-admin", "POST", "/api/todos:create", H, {"title": t, "completed": c}, auth=A, save=record)
        R.ex("todos_ts-create-admin", "POST", "/api/todos_ts:create", H, {"title": t, "completed": c}, auth=A, save=record)
    R.ex("roles-create-todos-api-role", "POST", "/api/roles:create", H, {"name": ROLE, "title": "To Dos API Role"}, auth=A, save=record)
    R.ex("roles-dataSourceResources-create-todos", "POST", f"/api/roles/{ROLE}/dataSourceResources:create", H,
         grant("todos", FIELDS), auth=A, save=record)
    R.ex("roles-dataSourceResources-create-todos_ts", "POST", f"/api/roles/{ROLE}/dataSourceResources:create", H,
         grant("todos_ts", FIELDS_TS), auth=A, save=record)
    R.ex("roles-users-add-admin", "POST", f"/api/roles/{ROLE}/users:add", H, [1], auth=A, save=record)
    s, b, _ = R.ex("apiKeys-create-todos", "POST", "/api/apiKeys:create", H,
                   {"name": "todos", "role": {"name": ROLE}, "expiresIn": "30d"}, auth=A, save=record)
    key = R.secret(b["data"]["token"])
    return admin, key


if __name__ == "__main__":
    admin, key = setup(record=False)
    json.dump({"admin": admin, "key": key}, open("/tmp/nbstate.json", "w"))
    print("tokens in /tmp/nbstate.json")
