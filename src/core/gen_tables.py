#!/usr/bin/env python3
"""Turn data/syscalls.tbl, data/errno.tbl and data/signals.tbl into C.

Run by meson at build time (see src/core/meson.build and
include/hstrace/meson.build):

    gen_tables.py --systable-h src/core/systable.h --syscalls data/syscalls.tbl
                  [--errno data/errno.tbl --signals data/signals.tbl]
                  [--out-c systable.c] [--out-h hstrace_syscalls.h]
                  [--out-nrlist systable_nrlist.h] [--depfile F]
                  -- CC [CC_ARGS...]

Everything after "--" is the C compiler command.  Its preprocessor
(`CC -dM -E -`) reads the kernel headers each data file names on its first
line ("# mirrors: <asm/unistd_64.h>"), so no header path is written here and
no number is typed by hand: syscall numbers come from <asm/unistd_64.h>, and
the errno and signal numbers of the data files are checked against their
headers.

The type, return, category and field-kind names are read from the enums of
src/core/systable.h, so the generated C names its constants (HST_A_FD) and a
type added to the enum but not taught to this script (TYPE_INFO) is an error.

Outputs:
  --out-c       systable.c: hst_syscalls[], hst_inner_layouts[], the name
                index and the errno/signal/category lookups of systable.h.
  --out-h       hstrace_syscalls.h: the public HSTRACE_SYS_* numbers, one
                struct hstrace_args_<name> per syscall, union hstrace_inner.
  --out-nrlist  systable_nrlist.h: every __NR_* macro of the header, for
                tests/test_systable.c (the compiler resolves the numbers).

Errors name the data file and line, and exit with status 1.  Standard
library only (Python 3.9+).
"""

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_ARGS = 6

# What each argument type becomes.  kind: the hst_field_kind of its public
# field; ctype: the type in the signature comment; output: captured at exit
# (exit_from is the first such argument); aux: the types another argument may
# have for this one to point at it (None: the type takes no aux).
TYPE_INFO = {
    "int":        dict(kind="INT",  ctype="int"),
    "long":       dict(kind="LONG", ctype="long"),
    "uint":       dict(kind="U64",  ctype="unsigned long"),
    "size":       dict(kind="U64",  ctype="size_t"),
    "hex":        dict(kind="U64",  ctype="unsigned long"),
    "oct":        dict(kind="U64",  ctype="mode_t"),
    "ptr":        dict(kind="U64",  ctype="void *"),
    "fd":         dict(kind="INT",  ctype="int"),
    "dirfd":      dict(kind="INT",  ctype="int"),
    "path":       dict(kind="STR",  ctype="const char *"),
    "str":        dict(kind="STR",  ctype="const char *"),
    "buf_in":     dict(kind="BUF",  ctype="const void *",
                       aux={"size", "uint", "int", "long"}),
    "buf_out":    dict(kind="BUF",  ctype="void *", output=True),
    "strv":       dict(kind="STRV", ctype="char *const *"),
    "envv":       dict(kind="STRV", ctype="char *const *"),
    "open_flags": dict(kind="INT",  ctype="int"),
    "open_mode":  dict(kind="U64",  ctype="mode_t", aux={"open_flags"}),
    "atflags":    dict(kind="INT",  ctype="int"),
    # A pointer described by a kind (src/core/kinds.h): aux = the kind's name,
    # aux2 = an optional length/count argument the kind may use.
    "in":         dict(kind="BLOB", ctype="const void *", aux="kind", aux2=True),
    "out":        dict(kind="BLOB", ctype="void *", aux="kind", aux2=True, output=True),
    # Read at entry and again at exit, shown at exit ("[128 => 16]").
    "inout":      dict(kind="BLOB", ctype="void *", aux="kind", aux2=True, output=True),
    # A number described by a kind's C code (no memory read): aux = the kind.
    "val":        dict(kind="U64",  ctype="unsigned long", aux="kind", aux2=True),
    # A number named from a constant table (data/consts/*.tbl): aux = table.
    "flags":      dict(kind="U64",  ctype="unsigned long", aux="table"),
    "enum":       dict(kind="U64",  ctype="unsigned long", aux="table"),
}

# C type of the public field for each hst_field_kind.
FIELD_CTYPE = {"INT": "int", "LONG": "long", "U64": "uint64_t", "STR": "const char *"}
NO_ARG = 255  # aux2 of an argument without one

# Field names that would not compile, in C or C++, or with common libc or
# compiler macros in scope: such an argument's field gets a leading '_'.
RESERVED = set("""
    auto break case char const continue default do double else enum extern
    float for goto if inline int long register restrict return short signed
    sizeof static struct switch typedef union unsigned void volatile while
    _Bool _Complex _Imaginary bool true false
    alignas alignof and and_eq asm bitand bitor catch char8_t char16_t
    char32_t class compl concept consteval constexpr constinit const_cast
    co_await co_return co_yield decltype delete dynamic_cast explicit export
    friend mutable namespace new noexcept not not_eq nullptr operator or
    or_eq private protected public reinterpret_cast requires static_assert
    static_cast template this thread_local throw try typeid typename using
    virtual wchar_t xor xor_eq
    linux unix i386 errno stdin stdout stderr major minor makedev assert
    offsetof NULL sa_handler sa_sigaction st_atime st_mtime st_ctime
""".split())


class GenError(Exception):
    pass


def display(path):
    """The path as the user knows it: relative to the repository."""
    full = os.path.abspath(path)
    if full.startswith(ROOT + os.sep):
        return os.path.relpath(full, ROOT)
    return path


def c_string(s):
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append("\\%03o" % ord(ch))
    out.append('"')
    return "".join(out)


# --- the enums of systable.h -------------------------------------------------

def parse_enum(text, enum_name, prefix, skip=()):
    m = re.search(r"enum\s+%s\s*\{(.*?)\};" % enum_name, text, re.S)
    if not m:
        raise GenError("enum %s not found in systable.h" % enum_name)
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    names = re.findall(r"\b%s(\w+)" % prefix, body)
    return [n for n in names if n not in skip]


def read_enums(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    enums = {
        "types": [t.lower() for t in parse_enum(text, "hst_argtype", "HST_A_", ("TYPE_MAX",))],
        "rets": [r.lower() for r in parse_enum(text, "hst_rettype", "HST_R_", ("TYPE_MAX",))],
        "cats": [c.lower() for c in parse_enum(text, "hst_category", "HST_CAT_", ("MAX",))],
        "kinds": parse_enum(text, "hst_field_kind", "HST_F_"),
    }
    unknown = [t for t in enums["types"] if t not in TYPE_INFO]
    if unknown:
        raise GenError("%s: argument type(s) %s have no entry in TYPE_INFO of "
                       "gen_tables.py (field kind, C type)"
                       % (display(path), ", ".join("HST_A_" + t.upper() for t in unknown)))
    stale = [t for t in TYPE_INFO if t not in enums["types"]]
    if stale:
        raise GenError("gen_tables.py knows type(s) %s that enum hst_argtype "
                       "lacks" % ", ".join(stale))
    for t in enums["types"]:
        if TYPE_INFO[t]["kind"] not in enums["kinds"]:
            raise GenError("TYPE_INFO[%s]: HST_F_%s is not in enum hst_field_kind"
                           % (t, TYPE_INFO[t]["kind"]))
    return enums


# --- the C preprocessor ------------------------------------------------------

def preprocess_macros(cc, headers):
    """#define NAME VALUE of the headers (object-like macros only), or None
    if the preprocessor cannot read them."""
    src = "".join("#include %s\n" % h for h in headers)
    try:
        res = subprocess.run(cc + ["-dM", "-E", "-"], input=src,
                             capture_output=True, text=True)
    except OSError as e:
        raise GenError("cannot run the C compiler %r: %s" % (" ".join(cc), e))
    if res.returncode != 0:
        return None
    macros = {}
    for line in res.stdout.splitlines():
        m = re.match(r"#define\s+([A-Za-z_]\w*)\s+(.*?)\s*$", line)
        if m:
            macros[m.group(1)] = m.group(2)
    return macros


def header_deps(cc, headers):
    """The files the preprocessor reads for the headers (for a depfile)."""
    src = "".join("#include %s\n" % h for h in headers)
    res = subprocess.run(cc + ["-M", "-E", "-"], input=src,
                         capture_output=True, text=True)
    if res.returncode != 0:
        return []
    text = res.stdout.replace("\\\n", " ")
    deps = text.split(":", 1)[1].split() if ":" in text else []
    return [d for d in deps if d not in ("-", "<stdin>") and os.path.isabs(d)]


def macro_int(macros, name, depth=0):
    """The integer value of a macro: a literal, or another macro, in
    parentheses or not.  None for anything else (a function call)."""
    value = macros.get(name)
    if value is None or depth > 16:
        return None
    value = value.strip()
    while value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    try:
        return int(value, 0)
    except ValueError:
        pass
    if re.fullmatch(r"[A-Za-z_]\w*", value):
        return macro_int(macros, value, depth + 1)
    return None


# --- data files --------------------------------------------------------------

def read_table(path):
    """(mirrored headers, [(lineno, line)] of the rows) of a .tbl file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if not lines or not lines[0].startswith("# mirrors:"):
        raise GenError("%s:1: the first line must be '# mirrors: <header.h> ...'"
                       % display(path))
    headers = re.findall(r"<[^<>\s]+>", lines[0])
    if not headers:
        raise GenError("%s:1: '# mirrors:' names no <header>" % display(path))
    rows = []
    for lineno, line in enumerate(lines, 1):
        if line.lstrip().startswith("#") or not line.strip():
            continue
        rows.append((lineno, line))
    return headers, rows


class Arg:
    def __init__(self, name, type_, aux_ref, field):
        self.name, self.type, self.aux_ref, self.field = name, type_, aux_ref, field
        self.aux = 0
        self.aux2 = NO_ARG
        self.aux2_ref = None


class Syscall:
    def __init__(self, name, lineno):
        self.name, self.lineno = name, lineno
        self.decoded = self.optional = False
        self.category = self.ret = None
        self.args = []
        self.nr = None

    @property
    def exit_from(self):
        for i, a in enumerate(self.args):
            if TYPE_INFO[a.type].get("output"):
                return i
        return len(self.args)


IDENT = re.compile(r"[a-z_][a-z0-9_]*\Z")


def parse_arg(where, tok):
    parts = tok.split(":")
    if len(parts) not in (2, 3, 4) or not all(parts):
        raise GenError("%s: argument %r is not name:type[:aux[:aux2]]" % (where, tok))
    name, type_ = parts[0], parts[1]
    if not IDENT.match(name):
        raise GenError("%s: argument name %r is not a lowercase C identifier" % (where, name))
    if type_ not in TYPE_INFO:
        raise GenError("%s: unknown argument type %r (known: %s)"
                       % (where, type_, " ".join(TYPE_INFO)))
    field = "_" + name if name in RESERVED else name
    arg = Arg(name, type_, parts[2] if len(parts) >= 3 else None, field)
    arg.aux2_ref = parts[3] if len(parts) == 4 else None
    if arg.aux2_ref and not TYPE_INFO[type_].get("aux2"):
        raise GenError("%s: type %s of %s takes no second aux" % (where, type_, name))
    return arg


def arg_index(where, sc, a, ref, i):
    if ref.isdigit():
        idx = int(ref)
    else:
        idx = next((j for j, b in enumerate(sc.args) if b.name == ref), None)
        if idx is None:
            raise GenError("%s: %s: aux %r names no argument of %s" % (where, a.name, ref, sc.name))
    if idx >= len(sc.args) or idx == i:
        raise GenError("%s: %s: aux index %s is not another argument (0..%d)"
                       % (where, a.name, ref, len(sc.args) - 1))
    return idx


def resolve_aux(where, sc, names):
    for i, a in enumerate(sc.args):
        wants = TYPE_INFO[a.type].get("aux")
        if wants in ("kind", "table"):
            if a.aux_ref is None or not IDENT.match(a.aux_ref):
                raise GenError("%s: %s:%s needs :NAME, the %s it is described by"
                               % (where, a.name, a.type, wants))
            a.aux = a.aux_ref  # resolved to an index once every row is read
            names[wants].setdefault(a.aux_ref, where)
            if a.aux2_ref is not None:
                a.aux2 = arg_index(where, sc, a, a.aux2_ref, i)
            continue
        if a.aux_ref is None:
            if wants:
                raise GenError("%s: %s:%s needs :aux, the argument of type %s it refers to"
                               % (where, a.name, a.type, "/".join(sorted(wants))))
            continue
        if not wants:
            raise GenError("%s: type %s of %s takes no aux" % (where, a.type, a.name))
        ref = a.aux_ref
        idx = arg_index(where, sc, a, ref, i)
        if sc.args[idx].type not in wants:
            raise GenError("%s: %s: aux %s is of type %s, expected %s"
                           % (where, a.name, ref, sc.args[idx].type, "/".join(sorted(wants))))
        a.aux = idx


def check_fields(where, sc):
    seen = set()
    for a in sc.args:
        kind = TYPE_INFO[a.type]["kind"]
        names = [a.field]
        if kind in ("BUF", "BLOB"):
            names.append(a.field + "_len")
        elif kind == "STRV":
            names.append(a.field + "_count")
        for n in names:
            if n in seen or n == "_unused":
                raise GenError("%s: field %s of struct hstrace_args_%s is defined twice; "
                               "rename an argument" % (where, n, sc.name))
            seen.add(n)


def parse_syscalls(paths, enums):
    """Rows of every syscalls file; each call has exactly one row in all."""
    headers, syscalls, by_name = [], [], {}
    names = {"kind": {}, "table": {}}
    for path in paths:
        h, rows = read_table(path)
        headers += [x for x in h if x not in headers]
        parse_syscall_rows(path, rows, enums, syscalls, by_name, names)
    return headers, syscalls, names


def parse_syscall_rows(path, rows, enums, syscalls, by_name, names):
    for lineno, line in rows:
        where = "%s:%d" % (display(path), lineno)
        toks = line.split("#", 1)[0].split()
        if len(toks) < 3:
            raise GenError("%s: expected 'name category return arg...'" % where)
        name = toks[0]
        sc = Syscall(name, lineno)
        while name[:1] in ("*", "?"):
            if name[0] == "*":
                sc.decoded = True
            else:
                sc.optional = True
            name = name[1:]
        sc.name = name
        if not IDENT.match(name):
            raise GenError("%s: %r is not a syscall name" % (where, toks[0]))
        if name in by_name:
            raise GenError("%s: %s already has a row (%s:%d)"
                           % (where, name, by_name[name].path, by_name[name].lineno))
        sc.path = display(path)
        sc.category, sc.ret = toks[1], toks[2]
        sc.ret_kind = None
        if sc.ret.startswith("val:"):
            # A return value described by a kind (F_GETFL's flags, umask's octal).
            sc.ret_kind = sc.ret[4:]
            if not IDENT.match(sc.ret_kind):
                raise GenError("%s: return val:%r is not a kind name" % (where, sc.ret_kind))
            names["kind"].setdefault(sc.ret_kind, where)
            sc.ret = "kind"
        if sc.category not in enums["cats"]:
            raise GenError("%s: unknown category %r (known: %s)"
                           % (where, sc.category, " ".join(enums["cats"])))
        if sc.ret == "kind" and sc.ret_kind is None:
            raise GenError("%s: write a described return as val:KIND" % where)
        if sc.ret not in enums["rets"]:
            raise GenError("%s: unknown return type %r (known: %s)"
                           % (where, sc.ret, " ".join(enums["rets"])))
        if len(toks) - 3 > MAX_ARGS:
            raise GenError("%s: %d arguments, at most %d" % (where, len(toks) - 3, MAX_ARGS))
        sc.args = [parse_arg(where, t) for t in toks[3:]]
        if len({a.name for a in sc.args}) != len(sc.args):
            raise GenError("%s: two arguments of %s have the same name" % (where, name))
        resolve_aux(where, sc, names)
        check_fields(where, sc)
        syscalls.append(sc)
        by_name[name] = sc


def number_syscalls(paths, headers, syscalls, cc):
    macros = preprocess_macros(cc, headers)
    if macros is None:
        raise GenError("%s: the C compiler cannot preprocess %s"
                       % (display(paths[0]), " ".join(headers)))
    numbers = {}
    for macro in macros:
        if macro.startswith("__NR_"):
            nr = macro_int(macros, macro)
            if nr is not None:
                numbers[macro[5:]] = nr
    if not numbers:
        raise GenError("%s defines no __NR_* number" % " ".join(headers))
    errors = []
    present = []
    for sc in syscalls:
        if sc.name in numbers:
            sc.nr = numbers[sc.name]
            present.append(sc)
        elif not sc.optional:
            errors.append("%s:%d: syscall %s is not in %s (prefix the row with '?' if it "
                          "is newer than some supported headers)"
                          % (sc.path, sc.lineno, sc.name, " ".join(headers)))
    rows = {sc.name for sc in syscalls}
    for name in sorted(numbers, key=numbers.get):
        if name not in rows:
            errors.append("syscall %s in %s has no row in %s"
                          % (name, " ".join(headers), " ".join(display(p) for p in paths)))
    by_nr = {}
    for sc in present:
        if sc.nr in by_nr:
            errors.append("%s and %s share number %d" % (by_nr[sc.nr].name, sc.name, sc.nr))
        by_nr[sc.nr] = sc
    if errors:
        raise GenError("\n".join(errors))
    return numbers, present


# The other ABIs a 64-bit x86 process can call through: names only (their
# calls are marked and left undecoded, see hst_abi_name in systable.h).
OTHER_ABIS = [("i386", "<asm/unistd_32.h>"), ("x32", "<asm/unistd_x32.h>")]


def abi_names(cc, header):
    """{number: name} of a header's __NR_* macros; x32's are written
    (__X32_SYSCALL_BIT + N) and keyed by N."""
    macros = preprocess_macros(cc, [header])
    if macros is None:
        raise GenError("the C compiler cannot preprocess %s" % header)
    names = {}
    for macro, value in macros.items():
        if not macro.startswith("__NR_"):
            continue
        nr = macro_int(macros, macro)
        if nr is None:
            m = re.fullmatch(r"\(\s*__X32_SYSCALL_BIT\s*\+\s*(\d+)\s*\)", value.strip())
            nr = int(m.group(1)) if m else None
        if nr is None or nr < 0:
            continue
        if nr in names:
            raise GenError("%s: %s and %s share number %d" % (header, names[nr], macro[5:], nr))
        names[nr] = macro[5:]
    if not names:
        raise GenError("%s defines no __NR_* number" % header)
    return names


def gen_abi_names(abis):
    """The name tables of the other ABIs and hst_abi_name."""
    out = []
    w = out.append
    for abi, header, names in abis:
        n = max(names) + 1
        w("/* %s syscall names by number, from %s. */" % (abi, header))
        w("static const char *const %s_names[%d] = {" % (abi, n))
        for nr in sorted(names):
            w("	[%d] = %s," % (nr, c_string(names[nr])))
        w("};")
        w("")
    w("const char *hst_abi_name(long nr, unsigned raw_flags)")
    w("{")
    for abi, header, names in abis:
        flag = "HST_RAWF_I386" if abi == "i386" else "HST_RAWF_X32"
        w("	if (raw_flags & %s) {" % flag)
        if abi == "x32":
            w("		nr &= ~0x40000000L; /* __X32_SYSCALL_BIT */")
        w("		return nr >= 0 && nr < (long)(sizeof(%s_names) / sizeof(%s_names[0])) ? %s_names[nr] : NULL;"
          % (abi, abi, abi))
        w("	}")
    w("	return NULL;")
    w("}")
    return "\n".join(out) + "\n"


def parse_named_numbers(path, with_message):
    """Rows 'NAME NUMBER ["message"]' of errno.tbl and signals.tbl."""
    headers, rows = read_table(path)
    entries, names, numbers = [], {}, {}
    pattern = (r'([A-Z][A-Z0-9_]*)\s+(\d+)\s+"((?:[^"\\]|\\.)*)"\s*(#.*)?' if with_message
               else r"([A-Z][A-Z0-9_]*)\s+(\d+)\s*(#.*)?")
    for lineno, line in rows:
        where = "%s:%d" % (display(path), lineno)
        m = re.fullmatch(pattern, line.strip())
        if not m:
            raise GenError("%s: expected %s" % (where, 'NAME NUMBER "message"' if with_message
                                                else "NAME NUMBER"))
        name, nr = m.group(1), int(m.group(2))
        if name in names:
            raise GenError("%s: %s already has a row (line %d)" % (where, name, names[name]))
        if nr in numbers:
            raise GenError("%s: number %d already has a row (line %d)" % (where, nr, numbers[nr]))
        if nr == 0 or nr > 4095:
            raise GenError("%s: number %d is out of range 1..4095" % (where, nr))
        names[name], numbers[nr] = lineno, lineno
        message = re.sub(r"\\(.)", r"\1", m.group(3)) if with_message else None
        entries.append((lineno, name, nr, message))
    return headers, entries


def header_macros_each(cc, headers):
    """Macros of the headers that the preprocessor can read; a missing one
    is skipped (the checks it would make are skipped with it)."""
    macros = preprocess_macros(cc, headers)
    if macros is not None:
        return macros, headers
    macros, found = {}, []
    for h in headers:
        m = preprocess_macros(cc, [h])
        if m is not None:
            macros.update(m)
            found.append(h)
    return macros, found


def check_errno(path, headers, entries, cc):
    macros, found = header_macros_each(cc, headers)
    if not found:
        raise GenError("%s: the C compiler can read none of %s" % (display(path), " ".join(headers)))
    errors = []
    rows = {nr for _, _, nr, _ in entries}
    for lineno, name, nr, _ in entries:
        value = macro_int(macros, name)
        if value is None:
            if nr < 512:  # kernel-internal codes are absent from installed headers
                errors.append("%s:%d: %s is not defined by %s"
                              % (display(path), lineno, name, " ".join(found)))
        elif value != nr:
            errors.append("%s:%d: %s is %d in the row but %d in %s"
                          % (display(path), lineno, name, nr, value, " ".join(found)))
    for macro in sorted(macros):
        if re.fullmatch(r"E[A-Z0-9_]+", macro):
            value = macro_int(macros, macro)
            if value is not None and 0 < value < 4096 and value not in rows:
                errors.append("%s = %d in %s has no row in %s"
                              % (macro, value, " ".join(found), display(path)))
    if errors:
        raise GenError("\n".join(errors))


def check_signals(path, headers, entries, cc):
    macros, found = header_macros_each(cc, headers)
    rtmin, rtmax = macro_int(macros, "SIGRTMIN"), macro_int(macros, "SIGRTMAX")
    if rtmax is None:
        # x86's <asm/signal.h> defines SIGRTMAX as _NSIG but leaves _NSIG to
        # the kernel; the C library's <signal.h> keeps the kernel's limit as
        # __SIGRTMAX (glibc, 64).  Its own SIGRTMIN/SIGRTMAX are functions.
        libc = preprocess_macros(cc, ["<signal.h>"]) or {}
        rtmax = macro_int(libc, "__SIGRTMAX")
    if rtmin is None or rtmax is None:
        raise GenError("%s: %s define no numeric SIGRTMIN/SIGRTMAX"
                       % (display(path), " ".join(headers)))
    errors = []
    for lineno, name, nr, _ in entries:
        where = "%s:%d" % (display(path), lineno)
        m = re.fullmatch(r"SIGRT_(\d+)", name)
        if m:
            if nr != rtmin + int(m.group(1)):
                errors.append("%s: %s must be SIGRTMIN+%s = %d"
                              % (where, name, m.group(1), rtmin + int(m.group(1))))
        elif macro_int(macros, name) is None:
            errors.append("%s: %s is not defined by %s" % (where, name, " ".join(found)))
        elif macro_int(macros, name) != nr:
            errors.append("%s: %s is %d in the row but %d in %s"
                          % (where, name, nr, macro_int(macros, name), " ".join(found)))
        if nr > rtmax:
            errors.append("%s: %d is above SIGRTMAX (%d)" % (where, nr, rtmax))
    rows = {nr for _, _, nr, _ in entries}
    for nr in range(1, rtmax + 1):
        if nr not in rows:
            errors.append("signal %d (1..SIGRTMAX of %s) has no row in %s"
                          % (nr, " ".join(found), display(path)))
    if errors:
        raise GenError("\n".join(errors))


# --- output: the public header -----------------------------------------------

def field_decls(a):
    kind = TYPE_INFO[a.type]["kind"]
    if kind == "BUF":
        return ["const void *%s;" % a.field, "size_t %s_len;" % a.field]
    if kind == "BLOB":
        return ["const void *%s; /* struct %s as the kernel wrote it */" % (a.field, a.aux_ref),
                "size_t %s_len;" % a.field]
    if kind == "STRV":
        return ["const char *const *%s;" % a.field, "size_t %s_count;" % a.field]
    ctype = FIELD_CTYPE[kind]
    sep = "" if ctype.endswith("*") else " "
    return ["%s%s%s;" % (ctype, sep, a.field)]


def signature(sc):
    ret = "void" if sc.ret == "noreturn" else "long"
    params = []
    for a in sc.args:
        ctype = TYPE_INFO[a.type]["ctype"]
        params.append(ctype + ("" if ctype.endswith("*") else " ") + a.name)
    return "%s %s(%s)" % (ret, sc.name, ", ".join(params) or "void")


def gen_header(syscalls, sources):
    out = []
    w = out.append
    w("/*")
    w(" * <hstrace/hstrace_syscalls.h>: syscall numbers and typed arguments.")
    w(" *")
    w(" * GENERATED by src/core/gen_tables.py; do not edit.  From:")
    for src in sources:
        w(" *   " + src)
    w(" *")
    w(" * Included by <hstrace/hstrace.h>: hstrace_call_t.syscall is one of")
    w(" * HSTRACE_SYS_*, and hstrace_call_t.inner.<name> holds the arguments of")
    w(" * that call.  Strings and buffers point into the event and live as long")
    w(" * as it does; a string is NULL when the pointer was NULL or unreadable,")
    w(" * a buffer's _len is the number of bytes actually captured, and a string")
    w(" * array is NULL-terminated with its _count beside it.")
    w(" */")
    w("#ifndef HSTRACE_SYSCALLS_H")
    w("#define HSTRACE_SYSCALLS_H")
    w("")
    w("#include <stddef.h>")
    w("#include <stdint.h>")
    w("")
    w("/* x86_64 syscall numbers, from <asm/unistd_64.h>. */")
    w("enum hstrace_syscall {")
    for sc in sorted(syscalls, key=lambda s: s.nr):
        w("\tHSTRACE_SYS_%s = %d," % (sc.name, sc.nr))
    w("};")
    for sc in sorted(syscalls, key=lambda s: s.nr):
        w("")
        w("/* %s */" % signature(sc))
        w("struct hstrace_args_%s {" % sc.name)
        for a in sc.args:
            for d in field_decls(a):
                w("\t" + d)
        if not sc.args:
            w("\tchar _unused;")
        w("};")
    w("")
    w("/* The arguments of hstrace_call_t.syscall; raw is the argument registers. */")
    w("union hstrace_inner {")
    for sc in sorted(syscalls, key=lambda s: s.nr):
        w("\tstruct hstrace_args_%s %s;" % (sc.name, sc.name))
    w("\tuint64_t raw[6];")
    w("};")
    w("")
    w("#endif")
    return "\n".join(out) + "\n"


# --- output: systable.c ------------------------------------------------------

def gen_sig(sc, index):
    n = len(sc.args)
    types = ", ".join("HST_A_" + a.type.upper() for a in sc.args) or "0"
    aux = ", ".join(str(index[TYPE_INFO[a.type]["aux"]][a.aux])
                    if TYPE_INFO[a.type].get("aux") in ("kind", "table") else str(a.aux)
                    for a in sc.args) or "0"
    aux2 = ", ".join(str(a.aux2) for a in sc.args) or "0"
    names = ", ".join(c_string(a.name) for a in sc.args) or "NULL"
    ret_aux = index["kind"][sc.ret_kind] if sc.ret_kind else 0
    return ("\t[__NR_%s] = { %s, %d, HST_CAT_%s, HST_R_%s, %d, %d,\n"
            "\t\t{ %s }, { %s }, { %s },\n\t\t{ %s }, %d },"
            % (sc.name, c_string(sc.name), n, sc.category.upper(), sc.ret.upper(),
               sc.exit_from, int(sc.decoded), types, aux, aux2, names, ret_aux))


def gen_layout(sc):
    s = "struct hstrace_args_" + sc.name
    fields = []
    for i, a in enumerate(sc.args):
        kind = TYPE_INFO[a.type]["kind"]
        aux_off = "0"
        if kind in ("BUF", "BLOB"):
            aux_off = "offsetof(%s, %s_len)" % (s, a.field)
        elif kind == "STRV":
            aux_off = "offsetof(%s, %s_count)" % (s, a.field)
        fields.append("\t\t{ HST_F_%s, %d, offsetof(%s, %s), %s },"
                      % (kind, i, s, a.field, aux_off))
    if not fields:
        return "\t[__NR_%s] = { 0, { { 0, 0, 0, 0 } } }," % sc.name
    return "\t[__NR_%s] = { %d, {\n%s\n\t} }," % (sc.name, len(fields), "\n".join(fields))


def gen_c(syscalls, nsyscalls, enums, errnos, signals, sources, names):
    out = []
    w = out.append
    w("/*")
    w(" * GENERATED by src/core/gen_tables.py; do not edit.  From:")
    for src in sources:
        w(" *   " + src)
    w(" *")
    w(" * The tables and lookups declared in src/core/systable.h.  Read-only data:")
    w(" * any thread.  Entries are indexed with the header's __NR_* macros, so each")
    w(" * sits where the headers this file is compiled against put it, and one")
    w(" * beyond the generator's count fails the build.")
    w(" */")
    w('#include "core/systable.h"')
    w('#include "core/kinds.h"')
    w('#include "core/record.h"')
    w("")
    w("#include <stddef.h>")
    w("#include <string.h>")
    w("")
    w("#include <asm/unistd_64.h>")
    w("#include <hstrace/hstrace.h>")
    w("")
    w("/* The public category enum mirrors the internal one. */")
    for c in enums["cats"]:
        w('_Static_assert((int)HST_CAT_%s == (int)HSTRACE_CAT_%s, "HSTRACE_CAT_%s");'
          % (c.upper(), c.upper(), c.upper()))
    w("")
    index = {what: {n: i for i, n in enumerate(sorted(names[what]))} for what in names}
    w("/* Kinds (src/decode/kinds/) and constant tables the rows name. */")
    for n in sorted(names["kind"]):
        w("extern const struct hst_kind hst_kind_%s;" % n)
    for n in sorted(names["table"]):
        w("extern const struct hst_ctab hst_ctab_%s;" % n)
    w("")
    w("const struct hst_kind *const hst_kinds[] = {")
    for n in sorted(names["kind"]):
        w("\t&hst_kind_%s," % n)
    w("\tNULL,")
    w("};")
    w("const unsigned hst_nkinds = %d;" % len(names["kind"]))
    w("")
    w("const struct hst_ctab *const hst_ctabs[] = {")
    for n in sorted(names["table"]):
        w("\t&hst_ctab_%s," % n)
    w("\tNULL,")
    w("};")
    w("const unsigned hst_nctabs = %d;" % len(names["table"]))
    w("")
    w("const unsigned hst_nsyscalls = %d;" % nsyscalls)
    w("")
    w("const struct hst_syscall_sig hst_syscalls[%d] = {" % nsyscalls)
    for sc in sorted(syscalls, key=lambda s: s.nr):
        w(gen_sig(sc, index))
    w("};")
    w("")
    w("const struct hst_inner_layout hst_inner_layouts[%d] = {" % nsyscalls)
    for sc in sorted(syscalls, key=lambda s: s.nr):
        w(gen_layout(sc))
    w("};")
    w("")
    w("/* Syscall numbers sorted by name, for hst_syscall_lookup(). */")
    w("static const uint16_t syscalls_by_name[%d] = {" % len(syscalls))
    for sc in sorted(syscalls, key=lambda s: s.name):
        w("\t__NR_%s," % sc.name)
    w("};")
    w("")
    w("const struct hst_syscall_sig *hst_syscall_sig(long nr)")
    w("{")
    w("\tif (nr < 0 || nr >= (long)hst_nsyscalls || hst_syscalls[nr].name == NULL)")
    w("\t\treturn NULL;")
    w("\treturn &hst_syscalls[nr];")
    w("}")
    w("")
    w("long hst_syscall_lookup(const char *name)")
    w("{")
    w("\tsize_t lo = 0, hi = sizeof(syscalls_by_name) / sizeof(syscalls_by_name[0]);")
    w("")
    w("\tif (name == NULL)")
    w("\t\treturn -1;")
    w("\twhile (lo < hi) {")
    w("\t\tsize_t mid = lo + (hi - lo) / 2;")
    w("\t\tint cmp = strcmp(name, hst_syscalls[syscalls_by_name[mid]].name);")
    w("")
    w("\t\tif (cmp == 0)")
    w("\t\t\treturn syscalls_by_name[mid];")
    w("\t\tif (cmp < 0)")
    w("\t\t\thi = mid;")
    w("\t\telse")
    w("\t\t\tlo = mid + 1;")
    w("\t}")
    w("\treturn -1;")
    w("}")
    w("")
    nerr = max(nr for _, _, nr, _ in errnos) + 1
    w("struct errno_text {")
    w("\tconst char *name;")
    w("\tconst char *message;")
    w("};")
    w("")
    w("static const struct errno_text errno_texts[%d] = {" % nerr)
    for _, name, nr, msg in sorted(errnos, key=lambda e: e[2]):
        w("\t[%d] = { %s, %s }," % (nr, c_string(name), c_string(msg)))
    w("};")
    w("")
    w("const char *hst_errno_name(int err)")
    w("{")
    w("\tif (err <= 0 || err >= %d)" % nerr)
    w("\t\treturn NULL;")
    w("\treturn errno_texts[err].name;")
    w("}")
    w("")
    w("const char *hst_errno_message(int err)")
    w("{")
    w("\tif (err <= 0 || err >= %d)" % nerr)
    w("\t\treturn NULL;")
    w("\treturn errno_texts[err].message;")
    w("}")
    w("")
    nsig = max(nr for _, _, nr, _ in signals) + 1
    w("static const char *const signal_names[%d] = {" % nsig)
    for _, name, nr, _ in sorted(signals, key=lambda e: e[2]):
        w("\t[%d] = %s," % (nr, c_string(name)))
    w("};")
    w("")
    w("const char *hst_signal_name(int sig)")
    w("{")
    w("\tif (sig <= 0 || sig >= %d)" % nsig)
    w("\t\treturn NULL;")
    w("\treturn signal_names[sig];")
    w("}")
    w("")
    w("static const char *const category_names[HST_CAT_MAX] = {")
    for c in enums["cats"]:
        w("\t[HST_CAT_%s] = %s," % (c.upper(), c_string(c)))
    w("};")
    w("")
    w("const char *hst_category_name(unsigned cat)")
    w("{")
    w("\tif (cat >= HST_CAT_MAX)")
    w("\t\treturn NULL;")
    w("\treturn category_names[cat];")
    w("}")
    return "\n".join(out) + "\n"


def gen_nrlist(numbers, headers):
    out = ["/*",
           " * GENERATED by src/core/gen_tables.py: every __NR_* macro of %s," % " ".join(headers),
           " * for tests/test_systable.c.  The numbers are the header's macros, resolved",
           " * by the compiler that builds the test, not by the generator.",
           " */",
           "#ifndef HST_SYSTABLE_NRLIST_H",
           "#define HST_SYSTABLE_NRLIST_H",
           ""]
    out += ["#include %s" % h for h in headers]
    out += ["",
            "struct hst_nrlist_entry {",
            "\tconst char *name;",
            "\tlong nr;",
            "};",
            "",
            "static const struct hst_nrlist_entry hst_nrlist[] = {"]
    for name in sorted(numbers, key=numbers.get):
        out.append("\t{ %s, __NR_%s }," % (c_string(name), name))
    out += ["};", "", "#endif"]
    return "\n".join(out) + "\n"


# --- syscall groups ----------------------------------------------------------

def parse_groups(path, numbers):
    """[(group, [syscall names present in the header])] of data/groups.tbl."""
    headers, rows = read_table(path)
    lines = []
    for lineno, line in rows:
        text = line.split("#", 1)[0]
        if line[:1] in (" ", "\t"):
            if not lines:
                raise GenError("%s:%d: a continuation before the first group"
                               % (display(path), lineno))
            lines[-1][1].extend(text.split())
        else:
            toks = text.split()
            lines.append((lineno, toks))
    groups, seen = [], set()
    for lineno, toks in lines:
        where = "%s:%d" % (display(path), lineno)
        name, members = toks[0], toks[1:]
        if not re.fullmatch(r"%?[a-z]+", name) or name in seen:
            raise GenError("%s: %r is not a new group name" % (where, name))
        seen.add(name)
        present = []
        for m in members:
            optional = m.startswith("?")
            m = m.lstrip("?")
            if m in numbers:
                present.append(m)
            elif not optional:
                raise GenError("%s: group %s: %s is not a syscall of <asm/unistd_64.h>"
                               % (where, name, m))
        groups.append((name, present))
    if len(groups) > 32:
        raise GenError("%s: more than 32 groups" % display(path))
    return groups


def gen_groups_c(groups, nsyscalls):
    out = ["/* Syscall groups (data/groups.tbl): bit i of hst_syscall_groups[nr] = group i. */",
           "const char *const hst_group_names[] = {"]
    out += ["\t%s," % c_string(g) for g, _ in groups]
    out += ["\tNULL,", "};", "const unsigned hst_ngroups = %d;" % len(groups), "",
            "const uint32_t hst_syscall_groups[%d] = {" % nsyscalls]
    bits = {}
    for i, (_, members) in enumerate(groups):
        for m in members:
            bits.setdefault(m, []).append(i)
    for m in sorted(bits):
        out.append("\t[__NR_%s] = %s," % (m, " | ".join("1u << %d" % i for i in bits[m])))
    out += ["};", ""]
    return "\n".join(out)


# --- constant tables ---------------------------------------------------------

class Table:
    def __init__(self, name, type_, where):
        self.name, self.type, self.where = name, type_, where
        self.hex, self.zero, self.unknown = False, None, None
        self.entries = []  # (name, value string or None)


def parse_consts(path):
    """Tables of one data/consts/*.tbl file.

        table NAME flags|enum [hex] [zero=CONST] [unknown=X_???]
        CONST            the value is the header's

    unknown=: a value not in an enum table, or flag bits none of which has
    a name, print as strace does: "0x40 /* X_??? */".
        CONST VALUE      for a constant some headers lack; checked where defined
    """
    headers, rows = read_table(path)
    tables, cur = [], None
    for lineno, line in rows:
        where = "%s:%d" % (display(path), lineno)
        toks = line.split("#", 1)[0].split()
        if toks[0] == "table":
            if len(toks) < 3 or not IDENT.match(toks[1]) or toks[2] not in ("flags", "enum"):
                raise GenError("%s: expected 'table NAME flags|enum [hex] [zero=CONST] [unknown=X_???]'"
                           % where)
            cur = Table(toks[1], toks[2], where)
            for opt in toks[3:]:
                if opt == "hex":
                    cur.hex = True
                elif opt.startswith("zero=") and re.fullmatch(r"[A-Z_][A-Z0-9_]*", opt[5:]):
                    cur.zero = opt[5:]
                elif opt.startswith("unknown=") and re.fullmatch(r"[A-Za-z0-9_?]+", opt[8:]):
                    cur.unknown = opt[8:]
                else:
                    raise GenError("%s: unknown table option %r" % (where, opt))
            tables.append(cur)
            continue
        if cur is None:
            raise GenError("%s: a constant before the first 'table' line" % where)
        if len(toks) > 2 or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", toks[0]):
            raise GenError("%s: expected 'CONST [VALUE]'" % where)
        if len(toks) == 2 and not re.fullmatch(r"-?(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", toks[1]):
            raise GenError("%s: %r is not a number" % (where, toks[1]))
        if any(e[0] == toks[0] for e in cur.entries):
            raise GenError("%s: %s is already in table %s" % (where, toks[0], cur.name))
        cur.entries.append((toks[0], toks[1] if len(toks) == 2 else None))
    return headers, tables


def gen_consts_c(path, headers, tables):
    out = ["/* GENERATED by src/core/gen_tables.py from %s; do not edit. */" % display(path),
           '#include "core/kinds.h"', ""]
    out += ["#include %s" % h for h in headers]
    out.append("")
    for t in tables:
        out.append("static const struct hst_const %s_entries[] = {" % t.name)
        for name, value in t.entries:
            out.append("\t{ (uint64_t)(%s), %s }," % (value or name, c_string(name)))
        out.append("};")
        for name, value in t.entries:
            if value:
                out.append("#ifdef %s" % name)
                out.append('_Static_assert((%s) == (%s), "%s: %s differs from %s");'
                           % (name, value, display(path), name, " ".join(headers)))
                out.append("#endif")
        out.append("const struct hst_ctab hst_ctab_%s = { %s, HST_CT_%s, %d, %s, %s, %d, %s_entries };"
                   % (t.name, c_string(t.name), t.type.upper(), int(t.hex),
                      c_string(t.zero) if t.zero else "NULL",
                      c_string(t.unknown) if t.unknown else "NULL", len(t.entries), t.name))
        out.append("")
    return "\n".join(out)


def gen_consts_h(all_tables):
    out = ["/* GENERATED by src/core/gen_tables.py from the data/consts files; do not edit. */",
           "#ifndef HST_CONSTS_H", "#define HST_CONSTS_H", "", '#include "core/kinds.h"', ""]
    for path, t in all_tables:
        out.append("extern const struct hst_ctab hst_ctab_%s; /* %s */" % (t.name, display(path)))
    out += ["", "#endif", ""]
    return "\n".join(out)


def consts_main(args):
    all_tables, seen = [], {}
    if len(args.out_consts_c) != len(args.consts):
        raise GenError("give one --out-consts-c per --consts file")
    for path, out_c in zip(args.consts, args.out_consts_c):
        headers, tables = parse_consts(path)
        for t in tables:
            if t.name in seen:
                raise GenError("%s: table %s is already defined at %s" % (t.where, t.name, seen[t.name]))
            seen[t.name] = t.where
            all_tables.append((path, t))
        write(out_c, gen_consts_c(path, headers, tables))
    write(args.out_consts_h, gen_consts_h(all_tables))
    return 0


# --- main --------------------------------------------------------------------

def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def parse_args(argv):
    split = argv.index("--") if "--" in argv else len(argv)
    cc = argv[split + 1:]
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                usage="%(prog)s [options] -- CC [CC_ARGS...]")
    p.add_argument("--systable-h", help="src/core/systable.h (the enums)")
    p.add_argument("--consts", action="append", default=[],
                   help="a data/consts/*.tbl file (repeat; with --out-consts-*)")
    p.add_argument("--out-consts-c", action="append", default=[],
                   help="the C file of each --consts file, in the same order")
    p.add_argument("--out-consts-h", help="write consts.h, declaring every table")
    p.add_argument("--syscalls", action="append",
                   help="a data/syscalls/*.tbl file (repeat for each)")
    p.add_argument("--errno", help="data/errno.tbl (needed by --out-c)")
    p.add_argument("--signals", help="data/signals.tbl (needed by --out-c)")
    p.add_argument("--groups", help="data/groups.tbl (needed by --out-c)")
    p.add_argument("--out-c", help="write systable.c")
    p.add_argument("--out-h", help="write hstrace_syscalls.h")
    p.add_argument("--out-nrlist", help="write systable_nrlist.h")
    p.add_argument("--depfile", help="write the headers read, for the build system")
    args = p.parse_args(argv[:split])
    if args.out_consts_h:
        return args, cc
    if not (args.systable_h and args.syscalls):
        raise GenError("--systable-h and --syscalls are required")
    if not cc:
        raise GenError("no C compiler command: end the options with '-- CC [CC_ARGS...]'")
    if args.out_c and not (args.errno and args.signals and args.groups):
        raise GenError("--out-c needs --errno, --signals and --groups")
    if not (args.out_c or args.out_h or args.out_nrlist):
        raise GenError("nothing to do: give --out-c, --out-h or --out-nrlist")
    return args, cc


def main(argv):
    args, cc = parse_args(argv)
    if args.out_consts_h:
        return consts_main(args)
    enums = read_enums(args.systable_h)
    sys_headers, syscalls, names = parse_syscalls(args.syscalls, enums)
    numbers, present = number_syscalls(args.syscalls, sys_headers, syscalls, cc)
    nsyscalls = max(numbers.values()) + 1
    headers_read = list(sys_headers)
    sources = [display(p) for p in args.syscalls] + [" ".join(sys_headers)]

    if args.out_c:
        err_headers, errnos = parse_named_numbers(args.errno, True)
        check_errno(args.errno, err_headers, errnos, cc)
        sig_headers, signals = parse_named_numbers(args.signals, False)
        check_signals(args.signals, sig_headers, signals, cc)
        headers_read += err_headers + sig_headers
        c_sources = ([display(p) for p in args.syscalls] +
                     [display(args.errno), display(args.signals), " ".join(sys_headers)])
        groups = parse_groups(args.groups, numbers)
        c_sources.append(display(args.groups))
        abis = [(abi, header, abi_names(cc, header)) for abi, header in OTHER_ABIS]
        headers_read += [header for abi, header in OTHER_ABIS]
        c_sources += [header for abi, header in OTHER_ABIS]
        write(args.out_c, gen_c(present, nsyscalls, enums, errnos, signals, c_sources, names) +
              "\n" + gen_groups_c(groups, nsyscalls) + "\n" + gen_abi_names(abis))
    if args.out_h:
        write(args.out_h, gen_header(present, sources))
    if args.out_nrlist:
        write(args.out_nrlist, gen_nrlist(numbers, sys_headers))
    if args.depfile:
        target = args.out_c or args.out_h or args.out_nrlist
        deps = header_deps(cc, headers_read)
        with open(args.depfile, "w", encoding="utf-8") as f:
            f.write("%s: %s\n" % (target.replace(" ", "\\ "),
                                  " ".join(d.replace(" ", "\\ ") for d in deps)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except GenError as e:
        for line in str(e).splitlines():
            print("gen_tables.py: error: " + line, file=sys.stderr)
        sys.exit(1)
