#!/usr/bin/env python3
"""ABI test: include/winhttp.h against mingw-w64's and Wine's winhttp.h, and
tests/abi/sdk/winhttp.h (the Windows SDK's declarations neither carries).

Nothing in here lists WinHTTP names.  Everything compared is found by
preprocessing each header (-E -dD) and keeping what comes from the file
called winhttp.h:

  * object-like macros and enumerators   -> value, size, type class, sign
  * typedef names                        -> sizeof, alignment, type class,
                                            struct tag, type identity
  * struct members                       -> offset, size, type class, type
  * function declarations                -> prototype compatibility
  * function-like macros                 -> presence

Values and layouts are read WITHOUT running any Windows code: a generated
C file turns every item into an immediate operand of an asm() statement,
it is compiled with -S (once against each header) and the numbers are
read back from the assembly text.  Type identity is checked by a second
generated file which includes OUR header and re-declares the reference
declarations (text taken from the reference header, names renamed), each
followed by _Static_assert(__builtin_types_compatible_p(...)).  On i686
this also catches stdcall/cdecl mismatches.

Finally every function our header declares is referenced from an object
file and its (on i686: decorated _Name@N) symbol is compared with the
import symbols of mingw-w64's libwinhttp.a; this is also what validates
the extra prototypes in the section of our header below the
"ABI-TEST-MARKER" comment, which no reference header has.

Output follows the winetest conventions; exit status 1 on failure.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

PRELUDE = "#include <winsock2.h>\n#include <windows.h>\n"
IDENT = re.compile(r"[A-Za-z_]\w*")
MARKER = "ABI-TEST-MARKER"


# ---------------------------------------------------------------- output

class Report:
    def __init__(self, name, verbose):
        self.name = name
        self.verbose = verbose
        self.tests = 0
        self.failures = 0
        self.skipped = 0

    def ok(self, cond, where, msg):
        self.tests += 1
        if not cond:
            self.failures += 1
            print("%s: Test failed: %s" % (where, msg))
        elif self.verbose:
            print("%s: Test succeeded: %s" % (where, msg))
        sys.stdout.flush()
        return cond

    def skip(self, where, msg):
        self.skipped += 1
        print("%s: Tests skipped: %s" % (where, msg))

    def trace(self, msg):
        print("%s: %s" % (self.name, msg))

    def summary(self):
        print("%s: %d tests executed (0 marked as todo, %d failures), %d skipped."
              % (self.name, self.tests, self.failures, self.skipped))


# ---------------------------------------------------------------- compiler

def run(cmd, stdin=None):
    p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    return p.returncode, p.stdout, p.stderr


class Config:
    """One way of compiling '#include <winhttp.h>'."""

    def __init__(self, name, cc, flags):
        self.name = name
        self.cc = cc
        self.flags = flags
        self.header = None          # path of the winhttp.h actually used
        self.marker_line = None     # ours only
        self.consts = {}            # name -> line          (object-like macros, enumerators)
        self.macros = set()         # every macro name
        self.fmacros = {}           # name -> line          (function-like macros)
        self.types = {}             # name -> dict
        self.fields = {}            # (type, member) -> dict
        self.funcs = {}             # name -> dict
        self.values = {}            # ('C'|'T'|'F', key) -> tuple of ints
        self.nonvalue = set()       # consts that are not expressions


def cc_cmd(cfg, extra):
    return [cfg.cc] + cfg.flags + extra


# ---------------------------------------------------------------- parsing

def split_top(text, sep):
    """Split at 'sep' characters not nested in (), [] or {}."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def matching(text, start):
    """Index of the bracket closing the one at text[start]."""
    opening = text[start]
    closing = {"(": ")", "{": "}", "[": "]"}[opening]
    depth = 0
    for i in range(start, len(text)):
        if text[i] == opening:
            depth += 1
        elif text[i] == closing:
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced: " + text)


def preprocess(cfg):
    src = PRELUDE + "#include <winhttp.h>\n"
    rc, out, err = run(cc_cmd(cfg, ["-E", "-dD", "-x", "c", "-"]), src)
    if rc:
        raise RuntimeError("%s: preprocessing failed:\n%s" % (cfg.name, err))
    return out


def scan(cfg, text):
    """Collect macros and top-level statements that come from winhttp.h."""
    cur, line = None, 0
    stmts, buf, buf_line, depth = [], [], None, 0
    for raw in text.split("\n"):
        m = re.match(r'#\s+(\d+)\s+"([^"]*)"', raw)
        if m:
            cur, line = m.group(2), int(m.group(1))
            continue
        if cur and os.path.basename(cur) == "winhttp.h":
            if cfg.header is None:
                cfg.header = cur
            if raw.startswith("#define "):
                m = re.match(r"#define\s+(\w+)(\(?)", raw)
                name = m.group(1)
                cfg.macros.add(name)
                if not name.startswith("_"):
                    (cfg.fmacros if m.group(2) else cfg.consts)[name] = line
            elif raw.startswith("#undef "):
                name = raw.split()[1]
                cfg.macros.discard(name)
                cfg.consts.pop(name, None)
                cfg.fmacros.pop(name, None)
            elif not raw.startswith("#"):
                # statement splitting at top-level ';'
                for ch in raw:
                    if not buf and ch.isspace():
                        continue
                    if not buf:
                        buf_line = line
                    if ch in "({[":
                        depth += 1
                    elif ch in ")}]":
                        depth -= 1
                    if ch == ";" and depth == 0:
                        stmts.append((buf_line, " ".join("".join(buf).split())))
                        buf = []
                    else:
                        buf.append(ch)
                if buf:
                    buf.append(" ")
        line += 1
    for ln, s in stmts:
        parse_stmt(cfg, ln, s)


def declarator_names(parts):
    """typedef declarators -> [(name, is_pointer)]."""
    res = []
    for p in parts:
        p = p.strip()
        m = re.match(r"^(\**)\s*(\w+)$", p)
        if m:
            res.append((m.group(2), bool(m.group(1))))
    return res


def parse_members(cfg, tname, body, line, anon=False):
    for decl in split_top(body, ";"):
        decl = decl.strip()
        if not decl:
            continue
        if "{" in decl:                       # nested anonymous union/struct
            i = decl.index("{")
            parse_members(cfg, tname, decl[i + 1:matching(decl, i)], line, True)
            continue
        parts = split_top(decl, ",")
        m = re.match(r"^(.*?)(\w+)\s*((?:\[[^\]]*\]\s*)*)$", parts[0].strip())
        if not m:
            continue
        base = m.group(1)
        base_no_ptr = base.rstrip(" *")
        decls = [(m.group(1), m.group(2), m.group(3))]
        for extra in parts[1:]:
            m2 = re.match(r"^\s*(\**)\s*(\w+)\s*((?:\[[^\]]*\]\s*)*)$", extra)
            if m2:
                decls.append((base_no_ptr + " " + m2.group(1), m2.group(2), m2.group(3)))
        for prefix, name, arrays in decls:
            cfg.fields[(tname, name)] = {
                "line": line,
                "type": None if anon else (prefix + arrays).strip(),
            }


def parse_stmt(cfg, line, s):
    if not s:
        return
    if s.startswith("typedef "):
        body = s[len("typedef "):]
        m = re.match(r"^(struct|union|enum)\s*(\w+)?\s*\{", body)
        if m:
            kind, tag = m.group(1), m.group(2)
            ob = body.index("{")
            cb = matching(body, ob)
            inner = body[ob + 1:cb]
            names = declarator_names(split_top(body[cb + 1:], ","))
            plain = [n for n, p in names if not p]
            for n, is_ptr in names:
                cfg.types[n] = {"line": line, "kind": "pointer" if is_ptr else kind,
                                "tag": tag, "base": plain[0] if (is_ptr and plain) else None,
                                "text": None, "tagkind": kind}
            for n in plain:
                if kind == "enum":
                    for e in split_top(inner, ","):
                        em = IDENT.match(e.strip())
                        if em:
                            cfg.consts[em.group(0)] = line
                else:
                    parse_members(cfg, n, inner, line)
            return
        if "(" in body:                       # function pointer typedef
            m = re.search(r"\*\s*(\w+)\s*\)", body)
            if m:
                cfg.types[m.group(1)] = {"line": line, "kind": "alias", "tag": None,
                                         "base": None, "text": s, "names": [m.group(1)]}
            return
        parts = split_top(body, ",")
        names = []
        m = re.search(r"(\w+)\s*$", parts[0])
        if m:
            names.append(m.group(1))
        for p in parts[1:]:
            m = re.match(r"^\s*\**\s*(\w+)\s*$", p)
            if m:
                names.append(m.group(1))
        for n in names:
            cfg.types[n] = {"line": line, "kind": "alias", "tag": None, "base": None,
                            "text": s, "names": names}
        return
    if s.endswith(")"):
        # function declaration: NAME ( params ) at the end
        depth, i = 0, len(s) - 1
        while i >= 0:
            if s[i] == ")":
                depth += 1
            elif s[i] == "(":
                depth -= 1
                if depth == 0:
                    break
            i -= 1
        m = re.search(r"(\w+)\s*$", s[:i])
        if m and not s.startswith("struct") and not s.startswith("enum"):
            cfg.funcs[m.group(1)] = {"line": line, "text": s}


# ---------------------------------------------------------------- value tables

def table_lines(cfg):
    """One asm statement per item; the item key per line."""
    items = []
    for n in sorted(cfg.consts):
        v = "(%s)" % n
        items.append((("C", n),
            '__asm__ volatile("\\n@@ABI C %s %%c0 %%c1 %%c2 %%c3 %%c4" :: '
            '"i"((unsigned)((unsigned long long)(long long)%s >> 32)), '
            '"i"((unsigned)(unsigned long long)(long long)%s), "i"(sizeof %s), '
            '"i"(__builtin_classify_type(%s)), '
            '"i"(__builtin_choose_expr(__builtin_classify_type(%s) == 5, 0, '
            '(__typeof__(%s))-1 < 0)));' % (n, v, v, v, v, v, v)))
    for n in sorted(cfg.types):
        items.append((("T", n),
            '__asm__ volatile("\\n@@ABI T %s %%c0 %%c1 %%c2 %%c3" :: "i"(sizeof(%s)), '
            '"i"(__alignof__(%s)), "i"(_Alignof(%s)), '
            '"i"(__builtin_classify_type(*(%s *)0)));' % (n, n, n, n, n)))
    for (t, f) in sorted(cfg.fields):
        items.append((("F", (t, f)),
            '__asm__ volatile("\\n@@ABI F %s.%s %%c0 %%c1 %%c2" :: "i"(offsetof(%s, %s)), '
            '"i"(sizeof(((%s *)0)->%s)), '
            '"i"(__builtin_classify_type(((%s *)0)->%s)));' % (t, f, t, f, t, f, t, f)))
    return items


def compile_items(cfg, head, items, tail, extra, tmpdir, tag):
    """Compile head + one line per item; drop items whose line errors.

    Returns (output text, {key: first error message}).
    """
    failed = {}
    live = list(items)
    for _ in range(6):
        src = head
        first = head.count("\n") + 1
        lines = {}
        for i, (key, text) in enumerate(live):
            src += text + "\n"
            lines[first + i] = key
        src += tail
        path = os.path.join(tmpdir, "%s_%s.c" % (tag, cfg.name))
        with open(path, "w") as fh:
            fh.write(src)
        rc, out, err = run(cc_cmd(cfg, extra + ["-w", "-fmax-errors=0",
                                                "-ftrack-macro-expansion=0", path]))
        bad = set()
        for m in re.finditer(re.escape(path) + r":(\d+):(?:\d+:)?\s*(.*)", err):
            key = lines.get(int(m.group(1)))
            if key is not None:
                bad.add(key)
                msg = m.group(2)
                if key not in failed or ("error" in msg and "error" not in failed[key]):
                    failed[key] = msg
        if rc == 0:
            for k in list(failed):
                if k not in bad and k in dict(live):
                    del failed[k]
            return out, failed
        if not bad:
            raise RuntimeError("%s: %s compile failed:\n%s" % (cfg.name, tag, err))
        live = [(k, t) for k, t in live if k not in bad]
    raise RuntimeError("%s: %s: too many compile rounds" % (cfg.name, tag))


def read_values(cfg, tmpdir):
    head = PRELUDE + "#include <winhttp.h>\n#include <stddef.h>\nvoid abi_table(void)\n{\n"
    out_s = os.path.join(tmpdir, "table_%s.s" % cfg.name)
    _, failed = compile_items(cfg, head, table_lines(cfg), "}\n",
                              ["-S", "-o", out_s], tmpdir, "table")
    with open(out_s) as fh:
        asm = fh.read()
    for m in re.finditer(r"@@ABI (\w) (\S+)((?: -?\d+)+)", asm):
        kind, name = m.group(1), m.group(2)
        nums = [int(x) for x in m.group(3).split()]
        if kind == "C":
            hi, lo = nums[0] & 0xffffffff, nums[1] & 0xffffffff
            val = (hi << 32) | lo
            if val >= 1 << 63:
                val -= 1 << 64
            cfg.values[("C", name)] = (val,) + tuple(nums[2:])
        elif kind == "T":
            cfg.values[("T", name)] = tuple(nums)
        else:
            t, f = name.split(".", 1)
            cfg.values[("F", (t, f))] = tuple(nums)
    for key in failed:
        if key[0] == "C":
            cfg.nonvalue.add(key[1])
    return failed


TYPE_CLASS = {0: "void", 1: "integer", 2: "char", 3: "enum", 4: "bool", 5: "pointer",
              6: "reference", 7: "offset", 8: "real", 9: "complex", 10: "function",
              11: "method", 12: "struct", 13: "union", 14: "array"}


def fmt_const(v):
    if v is None:
        return "missing"
    return "value %d (%#x), size %d, %s, %s" % (
        v[0], v[0] & 0xffffffffffffffff, v[1], TYPE_CLASS.get(v[2], v[2]),
        "signed" if v[3] else "unsigned/pointer")


def fmt_type(v):
    if v is None:
        return "missing"
    return "size %d, alignof %d, _Alignof %d, %s" % (v[0], v[1], v[2], TYPE_CLASS.get(v[3], v[3]))


def fmt_field(v):
    if v is None:
        return "missing"
    return "offset %d, size %d, %s" % (v[0], v[1], TYPE_CLASS.get(v[2], v[2]))


# ---------------------------------------------------------------- type identity

def rename(text, names, prefix):
    for n in names:
        text = re.sub(r"\b%s\b" % re.escape(n), prefix + n, text)
    return text


def compat_items(ref):
    """Checks compiled against OUR header, using the reference's text."""
    p = "abiref_%s_" % ref.name
    items = []

    def sa(key, cond):
        what = ".".join(key[1]) if isinstance(key[1], tuple) else key[1]
        items.append((key, '_Static_assert(%s, "%s %s");' % (cond, key[0], what)))

    done_alias = set()
    for n, t in sorted(ref.types.items()):
        if t["kind"] == "alias":
            stmt = t["text"]
            if stmt not in done_alias:
                done_alias.add(stmt)
                items.append((("typedecl", stmt), rename(stmt, t["names"], p) + ";"))
            sa(("typedef", n), "__builtin_types_compatible_p(%s%s, %s)" % (p, n, n))
        elif t["kind"] == "pointer":
            if t["base"]:
                sa(("typedef", n), "__builtin_types_compatible_p(%s, %s *)" % (n, t["base"]))
        elif t["tag"]:
            sa(("typedef", n), "__builtin_types_compatible_p(%s %s, %s)"
               % (t["tagkind"], t["tag"], n))
    for (tn, f), fd in sorted(ref.fields.items()):
        if fd["type"]:
            sa(("fieldtype", (tn, f)), "__builtin_types_compatible_p(__typeof__(((%s *)0)->%s), %s)"
               % (tn, f, fd["type"]))
    for n, fd in sorted(ref.funcs.items()):
        decl = rename(fd["text"], [n], p)
        items.append((("proto", n), decl + "; " + '_Static_assert(__builtin_types_compatible_p('
                      '__typeof__(%s%s), __typeof__(%s)), "prototype %s");' % (p, n, n, n)))
    return items


# ---------------------------------------------------------------- main checks

def loc(cfg, line):
    return "%s:%s" % (os.path.basename(cfg.header or "winhttp.h"), line)


def compare(rep, ours, ref, compat_failed):
    r = ref.name
    oloc = lambda key_line, ref_line: (loc(ours, key_line) if key_line else
                                       "%s(%s):%s" % (os.path.basename(ref.header), r, ref_line))
    # constants
    for n, line in sorted(ref.consts.items()):
        oline = ours.consts.get(n) or ours.fmacros.get(n)
        if n in ref.nonvalue:
            rep.ok(n in ours.macros, oloc(oline, line),
                   "[%s] macro %s (not an expression): %s" % (r, n, "defined" if n in ours.macros else "missing in ours"))
            continue
        rv = ref.values.get(("C", n))
        ov = ours.values.get(("C", n))
        rep.ok(rv == ov, oloc(oline, line),
               "[%s] constant %s: ours %s; reference %s" % (r, n, fmt_const(ov), fmt_const(rv)))
    for n, line in sorted(ref.fmacros.items()):
        rep.ok(n in ours.fmacros, oloc(ours.fmacros.get(n), line),
               "[%s] function-like macro %s present in ours" % (r, n))
    # types
    for n, t in sorted(ref.types.items()):
        ot = ours.types.get(n)
        rv, ov = ref.values.get(("T", n)), ours.values.get(("T", n))
        rep.ok(ot is not None and rv == ov, oloc(ot and ot["line"], t["line"]),
               "[%s] type %s: ours %s; reference %s" % (r, n, fmt_type(ov), fmt_type(rv)))
    for (tn, f), fd in sorted(ref.fields.items()):
        of = ours.fields.get((tn, f))
        rv, ov = ref.values.get(("F", (tn, f))), ours.values.get(("F", (tn, f)))
        rep.ok(of is not None and rv == ov, oloc(of and of["line"], fd["line"]),
               "[%s] field %s.%s: ours %s; reference %s" % (r, tn, f, fmt_field(ov), fmt_field(rv)))
    # type identity / prototypes (compat TU)
    for key, what, line_of in (
            [(("typedef", n), "typedef %s is the same type (same tag / pointee / definition)" % n,
              (ours.types.get(n) or {}).get("line")) for n, t in sorted(ref.types.items())
             if t["kind"] == "alias" or (t["kind"] == "pointer" and t["base"]) or t["tag"]] +
            [(("fieldtype", k), "field %s.%s has the reference's type %s" % (k[0], k[1], fd["type"]),
              (ours.fields.get(k) or {}).get("line")) for k, fd in sorted(ref.fields.items())
             if fd["type"]] +
            [(("proto", n), "prototype of %s compatible with the reference's" % n,
              (ours.funcs.get(n) or {}).get("line")) for n in sorted(ref.funcs)]):
        err = compat_failed.get(key)
        if err is None and key[0] == "typedef":
            err = compat_failed.get(("typedecl", ref.types[key[1]].get("text")))
        ref_line = {"typedef": lambda: ref.types[key[1]]["line"],
                    "fieldtype": lambda: ref.fields[key[1]]["line"],
                    "proto": lambda: ref.funcs[key[1]]["line"]}[key[0]]()
        rep.ok(err is None, oloc(line_of, ref_line),
               "[%s] %s%s" % (r, what, "" if err is None else ": " + err))


def only_in_ours(rep, ours, refs):
    def known(kind, key):
        for ref in refs:
            if kind == "const" and (key in ref.consts or key in ref.macros):
                return True
            if kind == "fmacro" and key in ref.fmacros:
                return True
            if kind == "type" and key in ref.types:
                return True
            if kind == "field" and key in ref.fields:
                return True
            if kind == "func" and key in ref.funcs:
                return True
        return False

    groups = [("const", ours.consts, "macro/enumerator %s"),
              ("fmacro", ours.fmacros, "function-like macro %s"),
              ("type", ours.types, "type %s"),
              ("field", ours.fields, "field %s.%s"),
              ("func", ours.funcs, "function %s")]
    extras = {}
    for kind, table, fmt in groups:
        for key, v in sorted(table.items()):
            line = v if isinstance(v, int) else v["line"]
            if known(kind, key):
                continue
            label = fmt % (key if isinstance(key, tuple) else (key,))
            in_extra = ours.marker_line is not None and line > ours.marker_line
            if kind in ("type", "field", "func") and in_extra:
                # extra documented exports and the types they need; functions
                # are validated against libwinhttp.a below
                extras.setdefault(kind, []).append(key)
                rep.ok(True, loc(ours, line), "%s is in the extra-exports section" % label)
                continue
            rep.ok(False, loc(ours, line),
                   "%s is only in ours (not in any reference header)%s" %
                   (label, "; the extra section may only add types and functions" if in_extra else ""))
    return extras


def check_symbols(rep, ours, refs, arch, prefix, tmpdir):
    """Our prototypes produce exactly the symbols of mingw's import library."""
    rc, libpath, _ = run([ours.cc, "-print-file-name=libwinhttp.a"])
    libpath = libpath.strip()
    if rc or not os.path.isabs(libpath):
        rep.skip(rep.name, "mingw-w64 libwinhttp.a not found")
        return
    rc, out, err = run([prefix + "nm", libpath])
    exported = {}
    for m in re.finditer(r"^[0-9a-fA-F]*\s+T\s+(\S+)$", out, re.M):
        sym = m.group(1)
        base = re.sub(r"@\d+$", "", sym[1:] if arch == "i686" else sym)
        exported[base] = sym
    names = sorted(ours.funcs)
    src = (PRELUDE + "#include <winhttp.h>\nvoid *abi_fn_refs[] = {\n" +
           "".join("    (void *)&%s,\n" % n for n in names) + "};\n")
    path = os.path.join(tmpdir, "symbols.c")
    obj = os.path.join(tmpdir, "symbols.o")
    with open(path, "w") as fh:
        fh.write(src)
    rc, _, err = run(cc_cmd(ours, ["-DWINHTTP_BUILDING_DLL", "-c", path, "-o", obj]))
    if not rep.ok(rc == 0, rep.name, "object referencing all %d functions compiles%s"
                  % (len(names), "" if rc == 0 else ":\n" + err)):
        return
    _, out, _ = run([prefix + "nm", obj])
    used = {}
    for m in re.finditer(r"^\s*U\s+(\S+)$", out, re.M):
        sym = m.group(1)
        base = re.sub(r"@\d+$", "", sym[1:] if arch == "i686" else sym)
        used[base] = sym
    in_ref = set()
    for ref in refs:
        in_ref |= set(ref.funcs)
    for n in names:
        line = loc(ours, ours.funcs[n]["line"])
        if n in exported:
            rep.ok(used.get(n) == exported[n], line,
                   "symbol of %s: ours %s, libwinhttp.a %s" % (n, used.get(n), exported[n]))
        else:
            rep.ok(n in in_ref, line,
                   "%s is not exported by mingw-w64's libwinhttp.a%s" %
                   (n, " (declared by the reference header too)" if n in in_ref
                    else " and not in any reference header"))


def check_warnings(rep, ours, tmpdir):
    """Our header compiles warning-free, alone and mixed with mingw's."""
    variants = [
        ("alone", "#include <winhttp.h>\n", []),
        ("alone, WINHTTP_BUILDING_DLL", "#include <winhttp.h>\n", ["-DWINHTTP_BUILDING_DLL"]),
        ("twice", "#include <winhttp.h>\n#include <winhttp.h>\n", []),
        ("after mingw's copy", '#include "%s"\n#include <winhttp.h>\n', []),
        ("before mingw's copy", '#include <winhttp.h>\n#include "%s"\n', []),
    ]
    # locate mingw's header through the compiler's own search path
    rc, out, _ = run([ours.cc, "-E", "-x", "c", "-"], PRELUDE + "#include <winhttp.h>\n")
    m = re.search(r'#\s+\d+\s+"([^"]*/winhttp\.h)"', out)
    mingw_h = m.group(1) if m else None
    for label, body, extra in variants:
        if "%s" in body:
            if not mingw_h:
                continue
            body = body % mingw_h
        src = PRELUDE + body + "int abi_dummy;\n"
        path = os.path.join(tmpdir, "warn.c")
        with open(path, "w") as fh:
            fh.write(src)
        rc, _, err = run(cc_cmd(ours, extra + ["-std=gnu17", "-Wall", "-Wextra", "-pedantic",
                                               "-Werror", "-fsyntax-only", path]))
        rep.ok(rc == 0, rep.name, "header compiles with -Wall -Wextra -pedantic -Werror (%s)%s"
               % (label, "" if rc == 0 else ":\n" + err))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", required=True, help="test name for the summary line")
    ap.add_argument("--arch", required=True, choices=["x86_64", "i686"])
    ap.add_argument("--cc", required=True)
    ap.add_argument("--prefix", required=True, help="binutils prefix, e.g. x86_64-w64-mingw32-")
    ap.add_argument("--include", required=True, help="directory holding OUR winhttp.h")
    ap.add_argument("--wine-include", default="", help="Wine's include/windows directory")
    ap.add_argument("--sdk-include", default="",
                    help="directory of tests/abi/sdk/winhttp.h: the Windows SDK's newer declarations")
    ap.add_argument("--workdir", default=None, help="keep generated files here")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    verbose = args.verbose or int(os.environ.get("WINETEST_DEBUG", "1") or 1) > 1
    rep = Report(args.name, verbose)

    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        tmpdir = args.workdir
    else:
        tmpdir = tempfile.mkdtemp(prefix="abi_")

    ours_h = os.path.abspath(os.path.join(args.include, "winhttp.h"))
    ours = Config("ours", args.cc, ["-I", os.path.abspath(args.include)])
    refs = [Config("mingw", args.cc, [])]
    if args.wine_include and os.path.exists(os.path.join(args.wine_include, "winhttp.h")):
        rc, gccinc, _ = run([args.cc, "-print-file-name=include"])
        flags = ["-nostdinc", "-isystem", gccinc.strip(), "-I", args.wine_include]
        msvcrt = os.path.join(os.path.dirname(os.path.abspath(args.wine_include)), "msvcrt")
        if os.path.isdir(msvcrt):
            flags += ["-I", msvcrt]
        refs.append(Config("wine", args.cc, flags))
    else:
        rep.skip(args.name, "Wine's winhttp.h not available (--wine-include '%s')" % args.wine_include)
    if args.sdk_include and os.path.exists(os.path.join(args.sdk_include, "winhttp.h")):
        refs.append(Config("sdk", args.cc, ["-I", os.path.abspath(args.sdk_include)]))

    try:
        for cfg in [ours] + refs:
            scan(cfg, preprocess(cfg))
        with open(ours_h) as fh:
            for i, l in enumerate(fh, 1):
                if MARKER in l:
                    ours.marker_line = i
                    break

        rep.ok(ours.header and os.path.abspath(ours.header) == ours_h, rep.name,
               "ours: -I%s selects our header (got %s)" % (args.include, ours.header))
        for ref in refs:
            rep.ok(ref.header and os.path.abspath(ref.header) != ours_h, rep.name,
                   "%s: reference header is %s" % (ref.name, ref.header))
        rep.trace("ours: %d constants/macros, %d types, %d fields, %d functions" %
                  (len(ours.consts) + len(ours.fmacros), len(ours.types), len(ours.fields),
                   len(ours.funcs)))

        for cfg in [ours] + refs:
            failed = read_values(cfg, tmpdir)
            for key, msg in failed.items():
                if key[0] != "C" and cfg is not ours:
                    rep.skip(loc(cfg, "?"), "[%s] cannot evaluate %s %s: %s" % (cfg.name, key[0], key[1], msg))

        for ref in refs:
            rep.trace("%s (%s): %d constants/macros (%d not expressions), %d types, "
                      "%d fields, %d functions" %
                      (ref.name, ref.header, len(ref.consts) + len(ref.fmacros), len(ref.nonvalue),
                       len(ref.types), len(ref.fields), len(ref.funcs)))
            head = PRELUDE + "#include <winhttp.h>\n"
            _, compat_failed = compile_items(ours, head, compat_items(ref), "",
                                             ["-fsyntax-only"], tmpdir, "compat_" + ref.name)
            compare(rep, ours, ref, compat_failed)

        only_in_ours(rep, ours, refs)
        check_symbols(rep, ours, refs, args.arch, args.prefix, tmpdir)
        check_warnings(rep, ours, tmpdir)
    except RuntimeError as e:
        rep.ok(False, args.name, str(e))

    rep.summary()
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
