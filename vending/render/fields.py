"""Field-level diff of a change's `before`/`after`, shared by the text and Markdown renderers.

Both renderers must tell the same story, so the comparison (which fields changed, which tag keys,
which policy lines) happens once here and each renderer only decides how lines look.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

KNOWN_AFTER_APPLY = "(known after apply)"

ID_FIELD = "id"
ID_KINDS = frozenset({"account", "ou", "policy"})
"""Kinds whose create gets an id from AWS, shown like Terraform's `(known after apply)`."""

DOCUMENT_FIELDS = frozenset({"content", "template"})
"""Fields holding a JSON document (policy content, a stack set's template): diffed line by line,
pretty-printed."""

HIDDEN_FIELDS = frozenset({"account_ids", "change_requests", "client_request_token", "operation_id", "pending_ous",
                           "pending_accounts", "template_body"})
"""Fields for the applier only (ids of accounts made by this apply, idempotency tokens); the
JSON plan has them, text and Markdown leave them out."""

APPLY_FIELDS = frozenset({"operation_preferences", "template_bucket", "in_flight", "set_recipients"})
"""How an update runs rather than what it changes: shown as context, never as a change."""

OPERATION_KINDS = frozenset({"stack_instances"})
"""Kinds whose `after` is one operation (targets, Regions, why), shown as such for every action."""

_NOUNS = {"tags": "tag", "accounts": "account", "parameters": "parameter", "instances": "instance"}

MOVE_FIELDS = ("ou", "parent")
"""The field whose change a move is about (account -> ou, OU -> parent)."""

_BARE_KEY = re.compile(r"[A-Za-z0-9_.:/=+@-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class DocLine:
    """One line of a document diff: op is "+", "-", " " or "@" (a hunk header, text is it)."""

    op: str
    text: str


@dataclass(frozen=True)
class FieldLine:
    """One field of a change, already compared.

    op: "+" added, "-" removed, "~" changed, " " shown unchanged (the id a reviewer needs).
    shape "scalar" has `before`/`after` (formatted values); "map" has `children` (one per key)
    and `hidden` (e.g. "2 unchanged tags hidden"); "doc" has `doc` lines.
    """

    op: str
    name: str
    before: str | None = None
    after: str | None = None
    shape: str = "scalar"
    children: tuple["FieldLine", ...] = ()
    hidden: str = ""
    doc: tuple[DocLine, ...] = ()


def clean(text: Any) -> str:
    """Escape control characters so a value from YAML or AWS cannot forge lines or colors."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text))


def fmt_value(value: Any) -> str:
    """A value as a reviewer reads it: strings quoted, lists and maps inline, JSON-like."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{fmt_key(k)}: {fmt_value(v)}" for k, v in sorted(value.items(), key=_key))
        return "{" + ", ".join(items) + "}"
    return clean(repr(value))


def fmt_key(key: Any) -> str:
    """Map keys bare when they are plain words, quoted when they hold spaces or odd characters."""
    text = str(key)
    return text if _BARE_KEY.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _key(item: tuple[Any, Any]) -> str:
    return str(item[0])


def is_identifier(name: str) -> bool:
    """`id`, `root_id`, `parent_id`, `arn`: AWS ids the applier needs, context for a reviewer."""
    return name in (ID_FIELD, "arn") or name.endswith("_id")


def _field_order(names: set[str]) -> list[str]:
    """The id first, then other ids (they identify the object), then alphabetical."""
    return sorted(names, key=lambda n: (n != ID_FIELD, not is_identifier(n), n))


def _pretty_document(value: Any) -> list[str]:
    """Policy JSON pretty-printed with sorted keys, so the diff shows meaning, not minification."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [clean(line) for line in value.splitlines()]
    return [clean(line) for line in json.dumps(value, indent=2, sort_keys=True).splitlines()]


def _document(op: str, name: str, before: Any, after: Any) -> FieldLine | None:
    old = _pretty_document(before) if before is not None else []
    new = _pretty_document(after) if after is not None else []
    if op == "~" and old == new:
        return None
    if op == "+":
        doc = tuple(DocLine("+", line) for line in new)
    elif op == "-":
        doc = tuple(DocLine("-", line) for line in old)
    else:
        doc = tuple(_unified(old, new))
    return FieldLine(op, name, shape="doc", doc=doc)


def _unified(old: list[str], new: list[str]) -> Iterator[DocLine]:
    lines = difflib.unified_diff(old, new, lineterm="", n=3)
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            yield DocLine("@", line)
        else:
            yield DocLine(line[:1] or " ", line[1:])


def _map(op: str, name: str, before: dict | None, after: dict | None) -> FieldLine | None:
    """Key-level diff of a map such as `tags`; unchanged keys are only counted."""
    old, new = before or {}, after or {}
    children: list[FieldLine] = []
    unchanged = 0
    for key in sorted(set(old) | set(new), key=str):
        shown = fmt_key(key)
        if key in old and key in new:
            if old[key] == new[key]:
                unchanged += 1
            else:
                children.append(FieldLine("~", shown, fmt_value(old[key]), fmt_value(new[key])))
        elif key in new:
            children.append(FieldLine("+", shown, after=fmt_value(new[key])))
        else:
            children.append(FieldLine("-", shown, before=fmt_value(old[key])))
    if op == "~" and not children:
        return None
    noun = _NOUNS.get(name, "key")
    hidden = f"{plural(unchanged, 'unchanged ' + noun)} hidden" if unchanged else ""
    return FieldLine(op, name, shape="map", children=tuple(children), hidden=hidden)


def _field(op: str, name: str, before: Any, after: Any) -> FieldLine | None:
    if name in DOCUMENT_FIELDS and isinstance(before or after, (str, dict, list)):
        return _document(op, name, before, after)
    old_is_map, new_is_map = isinstance(before, dict), isinstance(after, dict)
    if (old_is_map or before is None) and (new_is_map or after is None) and (before or after):
        return _map(op, name, before, after)
    return FieldLine(
        op,
        name,
        before=None if op == "+" else fmt_value(before),
        after=None if op == "-" else fmt_value(after),
    )


def template_summary(op: str, fields: dict[str, Any]) -> FieldLine:
    """A stack set's template on create or delete: its resources, its size and how it is sent
    (the whole document is in the JSON plan; a reviewer reads the resources)."""
    from vending.model.stackset_template import INLINE_LIMIT, assemble

    text = fields.get("template")
    try:
        body = json.loads(text) if isinstance(text, str) else dict(text or {})
        resources = body.get("Resources") or {}
    except (ValueError, TypeError, AttributeError):
        return FieldLine(op, "template", before=None, after=fmt_value(text))
    ids = fields.get("account_ids") or {}
    rows = {(ids.get(name) or f"new{i:09d}"): row for i, (name, row) in enumerate(sorted((fields.get("accounts") or {}).items()))}
    try:
        size = len(assemble(json.dumps(body), rows).encode("utf-8"))
    except (ValueError, TypeError, AttributeError):
        size = len(str(text).encode("utf-8"))
    if op == "-":
        how = "as deployed"
    elif size <= INLINE_LIMIT:
        how = "sent inline (TemplateBody)"
    elif fields.get("template_bucket"):
        how = f"uploaded to s3://{clean(fields['template_bucket'])} (TemplateURL)"
    else:
        how = f"over the {INLINE_LIMIT:,}-byte inline limit, and vend.yaml sets no template_bucket"
    head = f"{plural(len(resources), 'resource')}, {size:,} bytes with the per-account rows, {how}:"
    doc = [DocLine(op, head)] + [DocLine(op, f"  {clean(k)}: {clean((v or {}).get('Type', '?') if isinstance(v, dict) else v)}")
                                 for k, v in sorted(resources.items())]
    return FieldLine(op, "template", shape="doc", doc=tuple(doc))


def _operation_lines(change: dict[str, Any]) -> list[FieldLine]:
    """One StackSet operation: its targets, Regions and reasons, `-` for a delete, else `+`."""
    op = "-" if change.get("action") == "delete" else "+"
    after: dict[str, Any] = change.get("after") or change.get("before") or {}
    lines = []
    for name in _field_order(set(after) - HIDDEN_FIELDS):
        line = _field(op, name, after[name] if op == "-" else None, None if op == "-" else after[name])
        if line is not None:
            lines.append(line)
    return lines


def field_lines(change: dict[str, Any]) -> tuple[list[FieldLine], int]:
    """The field lines of a change and how many unchanged fields were hidden.

    Creates show every field of `after`, deletes every field of `before`; updates and moves show
    only what changed, plus the ids so a reviewer can find the object in the console. A stack
    set's template shows as a summary on create and delete, as a diff on update; fields for the
    applier only (HIDDEN_FIELDS) are left out.
    """
    action = change.get("action")
    before: dict[str, Any] = change.get("before") or {}
    after: dict[str, Any] = change.get("after") or {}
    lines: list[FieldLine] = []
    if change.get("kind") in OPERATION_KINDS:
        return _operation_lines(change), 0
    summarise = change.get("kind") == "stack_set"
    if action == "create":
        names = set(after) - HIDDEN_FIELDS
        if change.get("kind") in ID_KINDS:
            names.add(ID_FIELD)
        for name in _field_order(names):
            if name == ID_FIELD and name not in after:
                lines.append(FieldLine("+", name, after=KNOWN_AFTER_APPLY))
            elif name in APPLY_FIELDS and after[name] is None:
                continue
            elif summarise and name == "template":
                lines.append(template_summary("+", after))
            elif (line := _field("+", name, None, after[name])) is not None:
                lines.append(line)
        return lines, 0
    if action == "delete":
        for name in _field_order(set(before) - HIDDEN_FIELDS):
            if summarise and name == "template":
                lines.append(template_summary("-", before))
            elif (line := _field("-", name, before[name], None)) is not None:
                lines.append(line)
        return lines, 0
    hidden = 0
    for name in _field_order((set(before) | set(after)) - HIDDEN_FIELDS):
        if name in APPLY_FIELDS and name not in before:
            if after.get(name) is not None:
                lines.append(FieldLine(" ", name, after=fmt_value(after[name])))
            continue
        if is_identifier(name) and before.get(name, after.get(name)) == after.get(name, before.get(name)):
            # An id on one side only (e.g. the current parent a move needs) is context, not removal.
            lines.append(FieldLine(" ", name, after=fmt_value(after.get(name, before.get(name)))))
            continue
        if name in before and name in after:
            if before[name] == after[name]:
                hidden += 1
                continue
            line = _field("~", name, before[name], after[name])
            if line is None:
                hidden += 1
                continue
        elif name in after:
            line = _field("+", name, None, after[name])
        else:
            line = _field("-", name, before[name], None)
        if line is not None:
            lines.append(line)
    return lines, hidden


def move_span(change: dict[str, Any]) -> tuple[str, str] | None:
    """(from, to) of a move, for a heading like `will be moved (Workloads/Dev -> Workloads/Test)`."""
    before = change.get("before") or {}
    after = change.get("after") or {}
    for name in MOVE_FIELDS:
        if name in before and name in after and before[name] != after[name]:
            return clean(before[name]), clean(after[name])
    return None


_VERBS = {
    ("account", "delete"): "closed",
    ("policy_attachment", "create"): "attached",
    ("policy_attachment", "delete"): "detached",
    ("policy_type", "create"): "enabled",
    ("policy_type", "delete"): "disabled",
    ("factory_account", "create"): "vended through Account Factory",
    ("factory_account", "update"): "updated through Account Factory",
    ("factory_account", "move"): "moved through Account Factory",
    ("enrollment", "delete"): "unmanaged (removed from Control Tower)",
    ("ou_registration", "create"): "registered with Control Tower",
    ("ou_registration", "update"): "re-registered (ResetEnabledBaseline)",
    ("control", "create"): "enabled",
    ("control", "delete"): "disabled",
    ("stacksets_access", "create"): "enabled",
    ("account_access", "create"): "enabled",
    ("alternate_contact", "create"): "set",
    ("alternate_contact", "delete"): "deleted (DeleteAlternateContact)",
    ("stack_instances", "create"): "deployed",
    ("stack_instances", "delete"): "removed",
    ("stack_instances", "update"): "retried",
}
_DEFAULT_VERBS = {
    "create": "created",
    "update": "updated in-place",
    "move": "moved",
    "delete": "destroyed",
    "replace": "replaced",
    "no-op": "left unchanged",
}


def describe(change: dict[str, Any]) -> str:
    """`will be created`, `will be closed`, `will be moved (A -> B)`: what a reviewer reads first."""
    action = str(change.get("action"))
    verb = _VERBS.get((str(change.get("kind")), action)) or _DEFAULT_VERBS.get(action, clean(action))
    text = f"will be {verb}"
    if action == "move" and (span := move_span(change)) is not None:
        text += f" ({span[0]} -> {span[1]})"
    return text
