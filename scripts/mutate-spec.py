#!/usr/bin/env python3
"""Writes a copy of an OpenAPI spec with about 50 deterministic edits of varied kinds, for
scripts/bench-diff (`accord diff SPEC OUT` then has something to find).

Usage: scripts/mutate-spec.py SPEC OUT [--seed N] [--manifest FILE] [--roundtrip]

JSON in, JSON out; YAML in, YAML out. YAML is read with the YAML 1.2 core scalars Accord uses
(`on`, `yes`, `2023-01-01` stay strings), so an unedited copy (--roundtrip) diffs as no change.
Edits only touch what an operation reaches (removals first, then the other edits on what is
left), each schema node at most once, and keep the spec valid. The edit kinds and counts are
in PLAN; a one-line summary goes to stderr, and --manifest FILE writes every edit as JSON
(kind, direction, detail, and the JSON pointers where `accord diff` should report it).
"""
import argparse
import json
import random
import re
import sys

import yaml

PLAN = [  # (kind, count): 51 edits
    ("remove-operation", 3),
    ("rename-operation-id", 4),
    ("add-required-query-parameter", 4),
    ("add-optional-query-parameter", 3),
    ("deprecate-operation", 2),
    ("add-success-status", 3),
    ("response-optional-to-required", 5),
    ("response-required-to-optional", 5),
    ("remove-response-property", 5),
    ("string-to-integer", 5),
    ("add-enum-value", 4),
    ("remove-enum-value", 4),
    ("tighten-max-length", 4),
]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# --- YAML 1.2 core scalars (what Accord's reader types), in and out -------------------------

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
CORE = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     list("-+0123456789.")),
]


class Loader(_Base):
    pass


Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in CORE:
    Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _core_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0x"):
        return int(text[2:], 16)
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text)  # "0755" is 755 in YAML 1.2


Loader.add_constructor("tag:yaml.org,2002:int", _core_int)


class Dumper(_BaseDumper):
    """Quotes a string that YAML 1.1 *or* 1.2 would read as something else."""


for _tag, _pattern, _first in CORE:
    Dumper.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def load(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith(".json"):
            return json.load(f)
        return yaml.load(f, Loader=Loader)


def save(doc, path):
    with open(path, "w", encoding="utf-8") as f:
        if path.endswith(".json"):
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")
        else:
            yaml.dump(doc, f, Dumper=Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                      width=1 << 30)


# --- what the operations reach ---------------------------------------------------------------

def token(t):
    return str(t).replace("~", "~0").replace("/", "~1")


def resolve(doc, ref):
    node = doc
    for t in ref[2:].split("/") if ref != "#" else []:
        t = t.replace("~1", "/").replace("~0", "~")
        node = node[int(t)] if isinstance(node, list) else node[t]
    return node


def follow(doc, node):
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#") and seen < 20:
        node = resolve(doc, node["$ref"])
        seen += 1
    return node


def chosen_content(content):
    """The media type Accord reads: JSON first (problem+json counts), then form, then the first."""
    if not isinstance(content, dict) or not content:
        return None
    keys = list(content)
    essence = [k.split(";")[0].strip().lower() for k in keys]
    for i, e in enumerate(essence):
        if e == "application/json" or e.endswith("+json"):
            return essence[i], content[keys[i]]
    for i, e in enumerate(essence):
        if e in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return essence[i], content[keys[i]]
    return essence[0], content[keys[0]]


class Reach:
    """Every schema node an operation reaches, with the directions and the `accord diff`
    pointers it is reached at (a `$ref` restarts the pointer at the named schema; `allOf`
    parts keep their parent's, as the diff merges them)."""

    def __init__(self, doc):
        self.doc = doc
        self.nodes = {}  # id -> [node, set(directions), [pointers], direct (reached not as an allOf part)]
        self.order = []
        self.operations = []  # (path, method, op, pointer)
        self.visited = set()

    def note(self, node, direction, pointer, direct):
        entry = self.nodes.get(id(node))
        if entry is None:
            entry = self.nodes[id(node)] = [node, set(), [], False]
            self.order.append(id(node))
        entry[1].add(direction)
        if pointer not in entry[2]:
            entry[2].append(pointer)
        entry[3] = entry[3] or direct

    def schema(self, node, direction, pointer, direct=True, depth=0):
        if not isinstance(node, dict) or depth > 60:
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#"):
                return
            key = (ref, direction, pointer if not direct else None)
            if key in self.visited:
                return
            self.visited.add(key)
            target = resolve(self.doc, ref)
            self.schema(target, direction, pointer if not direct else "".join("/" + t for t in ref[2:].split("/")),
                        direct, depth + 1)
            return
        self.note(node, direction, pointer, direct)
        for name, sub in (node.get("properties") or {}).items():
            self.schema(sub, direction, pointer + "/properties/" + token(name), True, depth + 1)
        if isinstance(node.get("items"), dict):
            self.schema(node["items"], direction, pointer + "/items", True, depth + 1)
        for keyword in ("oneOf", "anyOf", "allOf"):
            items = node.get(keyword)
            if not isinstance(items, list):
                continue
            # As Accord reads them: `null` branches make the schema nullable, one branch left is
            # just that branch, variants are numbered without the `null` ones.
            branches = [b for b in items if keyword == "allOf" or not is_null(b)]
            if len(branches) == 1 and "enum" not in node and not (keyword == "allOf" and node.get("properties")):
                self.schema(branches[0], direction, pointer, True, depth + 1)
            elif keyword == "allOf":
                for sub in branches:
                    self.schema(sub, direction, pointer, False, depth + 1)
            else:
                for i, sub in enumerate(branches):
                    self.schema(sub, direction, pointer + "/oneOf/" + str(i), True, depth + 1)

    def walk(self):
        for path, item in (self.doc.get("paths") or {}).items():
            item = follow(self.doc, item)
            if not isinstance(item, dict):
                continue
            shared = item.get("parameters") or []
            for method in METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                at = "/paths/" + token(path) + "/" + method
                self.operations.append((path, method, op, at))
                for raw in list(shared) + list(op.get("parameters") or []):
                    p = follow(self.doc, raw)
                    if isinstance(p, dict) and "schema" in p:
                        self.schema(p["schema"], "request", at + "/parameters/" + token(p.get("in")) + "/" + token(p.get("name")))
                body = follow(self.doc, op.get("requestBody"))
                if isinstance(body, dict):
                    c = chosen_content(body.get("content"))
                    if c and isinstance(c[1], dict) and "schema" in c[1]:
                        self.schema(c[1]["schema"], "request", at + "/requestBody/content/" + token(c[0]) + "/schema")
                for status, raw in (op.get("responses") or {}).items():
                    r = follow(self.doc, raw)
                    c = chosen_content(r.get("content")) if isinstance(r, dict) else None
                    if c and isinstance(c[1], dict) and "schema" in c[1]:
                        self.schema(c[1]["schema"], "response",
                                    at + "/responses/" + token(status) + "/content/" + token(c[0]) + "/schema")
        return self

    def entries(self):
        return [self.nodes[i] for i in self.order]


# --- the edits ---------------------------------------------------------------------------------

def is_null(node):
    return isinstance(node, dict) and "$ref" not in node and node.get("type") in ("null", ["null"])


def drop_required(node, name):
    """Takes `name` out of `required` (some specs list a member twice)."""
    node["required"] = [r for r in node["required"] if r != name]
    if not node["required"]:
        del node["required"]


def is_type(node, name):
    t = node.get("type")
    return t == name or (isinstance(t, list) and name in t)


class Mutator:
    def __init__(self, doc, seed):
        self.doc = doc
        self.rng = random.Random(seed)
        self.edits = []
        self.claimed = set()  # ids of nodes already edited, and operation pointers
        self.counter = 0

    def record(self, kind, direction, detail, pointers):
        self.edits.append({"kind": kind, "direction": direction, "detail": detail, "pointers": pointers})

    def pick(self, candidates, n):
        candidates = [c for c in candidates if c[0] not in self.claimed]
        chosen = []
        for c in self.rng.sample(candidates, len(candidates)):
            if len(chosen) == n:
                break
            if c[0] in self.claimed:
                continue
            self.claimed.add(c[0])
            chosen.append(c)
        return chosen

    def claim_tree(self, node):
        """A removed subtree is edited no further (its own nodes; what it refers to stays)."""
        if isinstance(node, dict):
            self.claimed.add(id(node))
            for v in node.values():
                self.claim_tree(v)
        elif isinstance(node, list):
            for v in node:
                self.claim_tree(v)

    # operations

    def remove_operations(self, n):
        ops = Reach(self.doc).walk().operations
        for key, (path, method, op, at) in self.pick([(at, o) for o in ops for at in [o[3]]], n):
            item = self.doc["paths"][path]
            del item[method]
            if not any(m in item for m in METHODS):
                del self.doc["paths"][path]
            self.record("remove-operation", None, f"{method.upper()} {path} ({op.get('operationId')})", [at])

    def operation_edits(self, reach):
        ops = [(o[3], o) for o in reach.operations]
        taken = {o[2].get("operationId") for o in reach.operations}
        for at, (path, method, op, _) in self.pick([o for o in ops if o[1][2].get("operationId")], PLAN_COUNTS["rename-operation-id"]):
            old = op["operationId"]
            new = old + "Renamed"
            while new in taken:
                new += "X"
            taken.add(new)
            op["operationId"] = new
            self.record("rename-operation-id", None, f"{old} -> {new}", [at + "/operationId"])
        for kind in ("add-required-query-parameter", "add-optional-query-parameter"):
            required = kind == "add-required-query-parameter"
            for at, (path, method, op, _) in self.pick(ops, PLAN_COUNTS[kind]):
                self.counter += 1
                name = f"bench_{'required' if required else 'optional'}_{self.counter}"
                op.setdefault("parameters", []).append({
                    "name": name, "in": "query", "required": required,
                    "description": "Added by scripts/mutate-spec.py.", "schema": {"type": "string"}})
                self.record(kind, "request", f"{method.upper()} {path} ?{name}", [at + "/parameters/query/" + name])
        for at, (path, method, op, _) in self.pick([o for o in ops if not o[1][2].get("deprecated")],
                                                   PLAN_COUNTS["deprecate-operation"]):
            op["deprecated"] = True
            self.record("deprecate-operation", None, f"{method.upper()} {path}", [at + "/deprecated"])

        def free_success(op):
            keys = {str(k).upper() for k in (op.get("responses") or {})}
            return "2XX" not in keys and "202" not in keys
        for at, (path, method, op, _) in self.pick([o for o in ops if free_success(o[1][2])], PLAN_COUNTS["add-success-status"]):
            op["responses"]["202"] = {"description": "Accepted (added by scripts/mutate-spec.py)."}
            self.record("add-success-status", "response", f"{method.upper()} {path} 202", [at + "/responses/202"])

    # schemas

    def schema_edits(self, reach):
        entries = reach.entries()
        response_objects = [(id(e[0]), e) for e in entries
                            if e[1] == {"response"} and e[3] and isinstance(e[0].get("properties"), dict)
                            and e[0]["properties"]]

        def props(e, pred):
            return [n for n, s in e[0]["properties"].items() if isinstance(s, dict) and pred(e[0], n, s)]

        def pointers(e, name):
            return [p + "/properties/" + token(name) for p in e[2]]

        def required(node):
            return node.get("required") if isinstance(node.get("required"), list) else []

        # optional -> required
        cands = [c for c in response_objects if props(c[1], lambda o, n, s: n not in required(o))]
        for _, e in self.pick(cands, PLAN_COUNTS["response-optional-to-required"]):
            name = self.rng.choice(props(e, lambda o, n, s: n not in required(o)))
            e[0].setdefault("required", []).append(name)
            self.record("response-optional-to-required", "response", name, pointers(e, name))
        # required -> optional
        cands = [c for c in response_objects if props(c[1], lambda o, n, s: n in required(o))]
        for _, e in self.pick(cands, PLAN_COUNTS["response-required-to-optional"]):
            name = self.rng.choice(props(e, lambda o, n, s: n in required(o)))
            drop_required(e[0], name)
            self.record("response-required-to-optional", "response", name, pointers(e, name))
        # remove a property (required or not)
        cands = [c for c in response_objects if len(c[1][0]["properties"]) > 1]
        for _, e in self.pick(cands, PLAN_COUNTS["remove-response-property"]):
            name = self.rng.choice(list(e[0]["properties"]))
            was_required = name in required(e[0])
            self.claim_tree(e[0]["properties"].pop(name))
            if was_required:
                drop_required(e[0], name)
            self.record("remove-response-property", "response", f"{name} ({'required' if was_required else 'optional'})",
                        pointers(e, name))

        # string -> integer: a plain string member (no enum, no format) of a reached object
        objects = [(id(e[0]), e) for e in entries if e[3] and isinstance(e[0].get("properties"), dict)]
        def plain_string(o, n, s):
            return ("$ref" not in s and is_type(s, "string") and "enum" not in s and "format" not in s
                    and id(s) not in self.claimed)
        for _, e in self.pick([c for c in objects if props(c[1], plain_string)], PLAN_COUNTS["string-to-integer"]):
            name = self.rng.choice(props(e, plain_string))
            s = e[0]["properties"][name]
            self.claimed.add(id(s))
            s["type"] = [("integer" if t == "string" else t) for t in s["type"]] if isinstance(s["type"], list) else "integer"
            for k in ("maxLength", "minLength", "pattern", "example", "default", "examples", "const"):
                s.pop(k, None)
            self.record("string-to-integer", "/".join(sorted(e[1])), name, pointers(e, name))

        # enums and maxLength, on any reached string schema
        def string_enum(node):
            values = node.get("enum")
            return isinstance(values, list) and values and all(isinstance(v, str) or v is None for v in values)
        enums = [(id(e[0]), e) for e in entries if string_enum(e[0])]
        # (not Stripe's `enum: [""]`, the empty string that unsets a value)
        for _, e in self.pick([c for c in enums if any(c[1][0]["enum"])], PLAN_COUNTS["add-enum-value"]):
            value = "bench_added_value"
            e[0]["enum"].insert(len([v for v in e[0]["enum"] if v is not None]), value)
            self.record("add-enum-value", "/".join(sorted(e[1])), value, e[2])
        removable = [c for c in enums if len([v for v in c[1][0]["enum"] if v]) >= 3]
        for _, e in self.pick(removable, PLAN_COUNTS["remove-enum-value"]):
            values = [v for v in e[0]["enum"] if v and v != e[0].get("default")]
            value = self.rng.choice(values)
            e[0]["enum"].remove(value)
            self.record("remove-enum-value", "/".join(sorted(e[1])), value, e[2])
        limited = [(id(e[0]), e) for e in entries if isinstance(e[0].get("maxLength"), int) and e[0]["maxLength"] >= 2
                   and is_type(e[0], "string")]
        for _, e in self.pick(limited, PLAN_COUNTS["tighten-max-length"]):
            old = e[0]["maxLength"]
            e[0]["maxLength"] = max(old // 2, e[0].get("minLength") or 0, 1)
            self.record("tighten-max-length", "/".join(sorted(e[1])), f"{old} -> {e[0]['maxLength']}", e[2])


PLAN_COUNTS = dict(PLAN)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--manifest", help="write every edit as JSON here")
    parser.add_argument("--roundtrip", action="store_true", help="no edits: just read and write")
    args = parser.parse_args()

    doc = load(args.spec)
    m = Mutator(doc, args.seed)
    if not args.roundtrip:
        m.remove_operations(PLAN_COUNTS["remove-operation"])
        reach = Reach(doc).walk()
        m.operation_edits(reach)
        m.schema_edits(reach)
    save(doc, args.out)
    if args.manifest:
        with open(args.manifest, "w", encoding="utf-8") as f:
            json.dump(m.edits, f, indent=2)
    counts = {}
    for e in m.edits:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    if args.roundtrip:
        print(f"{args.spec.split('/')[-1]}: 0 edits (roundtrip)", file=sys.stderr)
        return
    short = [k for k, n in PLAN if counts.get(k, 0) < n]
    print(f"{args.spec.split('/')[-1]}: {len(m.edits)} edits: "
          + ", ".join(f"{k} {counts.get(k, 0)}" for k, _ in PLAN)
          + (f" (fewer than planned: {', '.join(short)})" if short else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
