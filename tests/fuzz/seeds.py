#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# tests/fuzz/seeds.py - writes the starting inputs of tests/fuzz/corpus/.
#
#   python3 tests/fuzz/seeds.py
#
# Valid inputs for every table of every schema/*.def (request bodies,
# stored msgpack records), request lines and index key bytes, so a short
# run starts deep in each parser instead of at its first byte. Files are
# named seed-*; inputs the fuzzer found (and every crash ever found, once
# fixed) sit beside them under their libFuzzer hash names. Rerunning this
# script only rewrites the seed-* files.
import glob, os, re, struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
UUID = "0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"


def tables(path):
    out, cur = [], None
    for line in open(path):
        m = re.match(r"\s*(TABLE|FIELD|OPTIONAL_FIELD|PARENT)\s*\(([^)]*)", line)
        if not m:
            continue
        kind, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
        if kind == "TABLE":
            cur = (args[0], [])
            out.append(cur)
        elif kind == "PARENT":
            cur[1].append((args[1], "UUID", True))
        else:
            cur[1].append((args[1], args[2], kind == "FIELD"))
    return out


JSON = {"STRING": '"Acme \\u00e9\\n"', "INT64": "-9223372036854775808",
        "DOUBLE": "2.5e-3", "BOOL": "true", "DATE": '"2024-02-29"',
        "TIMESTAMP": '"2024-05-01T12:30:00.123456+02:00"', "UUID": '"%s"' % UUID}


def mp_int(n):
    """The shortest form, as msgpack-c writes it (stored records are
    canonical: see src/store/record_codec.h)."""
    if 0 <= n < 128:
        return bytes([n])
    if -32 <= n < 0:
        return struct.pack(">b", n)
    if n > 0:
        for tag, fmt, top in ((0xCC, ">B", 1 << 8), (0xCD, ">H", 1 << 16), (0xCE, ">I", 1 << 32)):
            if n < top:
                return bytes([tag]) + struct.pack(fmt, n)
        return b"\xcf" + struct.pack(">Q", n)
    for tag, fmt, low in ((0xD0, ">b", -(1 << 7)), (0xD1, ">h", -(1 << 15)), (0xD2, ">i", -(1 << 31))):
        if n >= low:
            return bytes([tag]) + struct.pack(fmt, n)
    return b"\xd3" + struct.pack(">q", n)


def mp_str(s):
    b = s.encode()
    return bytes([0xA0 | len(b)]) + b if len(b) < 32 else b"\xd9" + bytes([len(b)]) + b


MP = {"STRING": mp_str("Acme"), "INT64": mp_int(-5), "DOUBLE": b"\xcb" + struct.pack(">d", 2.5),
      "BOOL": b"\xc3", "DATE": mp_int(19782), "TIMESTAMP": mp_int(1714566600123456),
      "UUID": b"\xc4\x10" + bytes(range(16))}


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


for def_path in sorted(glob.glob(os.path.join(ROOT, "../../../schema/*.def"))):
    schema = os.path.basename(def_path)[:-4]
    for table, fields in tables(def_path):
        body = ", ".join('"%s": %s' % (f, JSON[t]) for f, t, _ in fields)
        write("record_json_fuzz", "%s-%s-all" % (schema, table), "{%s}" % body)
        body = ", ".join('"%s": %s' % (f, JSON[t]) for f, t, req in fields if req)
        write("record_json_fuzz", "%s-%s-required" % (schema, table),
              '{"uuid": "%s", "revision": 3, %s}' % (UUID, body))
        rec = bytes([0x90 | (len(fields) + 1)]) + mp_int(1) + b"".join(MP[t] for _, t, _ in fields)
        write("record_codec_fuzz", "%s-%s" % (schema, table), rec)
        # The same record behind its field offset table (record_codec.h).
        offsets, at = [], 2  # after the array header and the revision
        for _, t, _ in fields:
            offsets.append(at)
            at += len(MP[t])
        write("record_codec_fuzz", "%s-%s-offsets" % (schema, table),
              b"\xc1\x02" + struct.pack("<H", len(fields)) +
              b"".join(struct.pack("<H", o) for o in offsets) + rec)
        short = bytes([0x90 | 2]) + mp_int(7) + MP[fields[0][1]]
        write("record_codec_fuzz", "%s-%s-short" % (schema, table), short)
        f0 = fields[-1][0]
        write("query_fuzz", "%s-%s-find" % (schema, table),
              "GET /api/%s/get-record?%s=a%%20b+c&limit=10&after=AAEC" % (table, f0))
        write("query_fuzz", "%s-%s-range" % (schema, table),
              "GET /api/%s/range?field=%s&from=2024-01-01&to=2024-12-31T00:00:00+01:00" % (table, f0))
        write("query_fuzz", "%s-%s-get" % (schema, table), "PUT /api/%s/update/%s" % (table, UUID))
        write("query_fuzz", "%s-%s-children" % (schema, table),
              "GET /api/%s/%s/%s?limit=1000" % (table, UUID, table))

write("record_json_fuzz", "bad-nested", '{"a": [{"b": [1, 2, {"c": null}]}]}')
write("query_fuzz", "odd", "DELETE /api/%zz/../x?=1&&a=%C3%28&b")
# Key codec: a type byte (FieldType order: STRING INT64 DOUBLE BOOL DATE
# TIMESTAMP UUID), then two encoded parts.
write("key_codec_fuzz", "string", b"\x00ab\x00\xffc\x00\x01abd\x00\x01")
write("key_codec_fuzz", "int64", b"\x01" + struct.pack(">Q", 1 << 63) + struct.pack(">Q", (1 << 63) + 5))
write("key_codec_fuzz", "double", b"\x02" + struct.pack(">Q", 0x8000000000000000) +
      struct.pack(">Q", 0x3FF0000000000000 ^ 0xFFFFFFFFFFFFFFFF))
write("key_codec_fuzz", "bool", b"\x03\x00\x01")
write("key_codec_fuzz", "date", b"\x04\x80\x00\x4d\x46\x7f\xff\xff\xff")
write("key_codec_fuzz", "timestamp", b"\x05" + struct.pack(">Q", (1 << 63) + 1714566600123456) * 2)
write("key_codec_fuzz", "uuid", b"\x06" + bytes(range(32)))


# Page cursors (src/store/planner.h). cursor_fuzz reads a selector byte (the
# walk's position: per table its scan, its links walk if linked, then per
# index a find walk and, for RANGE, a range walk), a prefix-length byte, and
# the cursor; planner_fuzz reads a query string whose `after` is base64url.
KEY = {"STRING": b"Acme\x00\x01", "INT64": struct.pack(">Q", (1 << 63) - 5),
       "DOUBLE": struct.pack(">Q", 0x4004000000000000 | (1 << 63)), "BOOL": b"\x01",
       "DATE": struct.pack(">I", (1 << 31) + 19782),
       "TIMESTAMP": struct.pack(">Q", (1 << 63) + 1714566600123456), "UUID": bytes(range(16))}
CURSOR_UUID = bytes(range(0xA0, 0xB0))


def indexes(path):
    """(table, parent?, [(index, kind, [(key type, key field)])]) in .def order."""
    out, types = [], {}
    for line in open(path):
        m = re.match(r"\s*(TABLE|FIELD|OPTIONAL_FIELD|PARENT|INDEX|INDEX_KEY)\s*\(([^)]*)", line)
        if not m:
            continue
        kind, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
        if kind == "TABLE":
            out.append([args[0], False, []])
        elif kind == "PARENT":
            out[-1][1] = True
            types[(args[0], args[1])] = "UUID"
        elif kind in ("FIELD", "OPTIONAL_FIELD"):
            types[(args[0], args[1])] = args[2]
        elif kind == "INDEX":
            out[-1][2].append((args[1], args[2], []))
        else:
            [ix for ix in out[-1][2] if ix[0] == args[1]][0][2].append((types[(args[0], args[2])], args[2]))
    return out


def b64url(b):
    import base64
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


for def_path in sorted(glob.glob(os.path.join(ROOT, "../../../schema/*.def"))):
    schema = os.path.basename(def_path)[:-4]
    walk = 0
    for table, linked, ixs in indexes(def_path):
        walks = [("S", None, b"")] + ([("L", None, b"")] if linked else [])
        for n, (name, kind, keys) in enumerate(ixs):
            key = b"".join(KEY[t] for t, _ in keys)
            walks.append(("I", n, key))
            if kind == "RANGE":
                walks.append(("R", n, key))
        for tag, n, key in walks:
            cursor = tag.encode() + (bytes([n]) if n is not None else b"") + key + CURSOR_UUID
            plen = len(KEY[ixs[n][2][0][0]]) if tag == "I" else 0
            write("cursor_fuzz", "%s-%d-%s" % (schema, walk, tag), bytes([walk, plen]) + cursor)
            walk += 1
            if tag == "R":
                write("cursor_fuzz", "%s-%d-crafted" % (schema, walk - 1),
                      bytes([walk - 1, 0]) + cursor[:2] + cursor[-16:])
                write("planner_fuzz", "%s-%s-range" % (schema, table),
                      "field=%s&limit=1&after=%s" % (ixs[n][2][0][1], b64url(cursor)))
            elif tag == "I" and ixs[n][2][0][0] == "STRING":
                write("planner_fuzz", "%s-%s-%s" % (schema, table, ixs[n][0]),
                      "%s=Acme&limit=1&after=%s" % (ixs[n][2][0][1], b64url(cursor)))
            elif tag == "S":
                write("planner_fuzz", "%s-%s-list" % (schema, table),
                      "limit=2&after=%s" % b64url(cursor))
            elif tag == "L":
                write("planner_fuzz", "%s-%s-children" % (schema, table),
                      "limit=2&after=%s" % b64url(cursor))
