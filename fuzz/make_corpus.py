#!/usr/bin/env python3
"""Make the seed corpus of the fuzz targets from real traces.

    python3 fuzz/make_corpus.py BUILD_DIR [OUT_DIR]

BUILD_DIR is a normal build (its hstrace, tests/helper and tests/fam_*);
OUT_DIR defaults to fuzz/corpus.  It records small logs of the test
programs with `hstrace --out` (some with -y or -P, one attached with -p)
into OUT_DIR/log/, keeping
those under 64 KiB, and cuts single raw records out of them into
OUT_DIR/decode/: one per (syscall, stop) for a spread of syscalls, plus
signal, group-stop, exit and kill records, each file being exactly the
record's bytes (struct hst_raw and its captures, src/core/record.h).

The regression inputs (OUT_DIR/*/regress-*) are kept as they are.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

MAX_LOG = 64 * 1024
RAW_HDR = struct.Struct('<IHHQQiiiHH6Qq')   # struct hst_raw, 96 bytes
BLOCK_HDR = struct.Struct('<IIII')          # sync, type, len, crc
SYNC = 0x4b4c4248
BLK_RECORDS = 2
KINDS = {1: 'entry', 2: 'exit', 3: 'signal', 4: 'groupstop', 5: 'exited',
         6: 'killed', 7: 'newtracee', 8: 'detached'}

# Syscalls whose entry and exit records seed fuzz_decode.
WANTED = """openat open read write pread64 pwrite64 readv writev close execve
    connect bind accept4 socket sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg
    getsockopt setsockopt getsockname socketpair newfstatat fstat stat lstat statx
    mmap mprotect munmap madvise brk rt_sigaction rt_sigprocmask kill tgkill clone
    clone3 wait4 poll ppoll select pselect6 futex nanosleep clock_nanosleep
    clock_gettime prlimit64 uname getrandom ioctl fcntl getdents64 pipe2 dup3
    epoll_ctl epoll_wait access faccessat2 readlink readlinkat lseek
    set_robust_list rseq arch_prctl capget getcwd chdir mkdirat unlinkat renameat2
    setitimer timer_create msgsnd mq_open exit_group restart_syscall""".split()


def syscall_names():
    """Number -> name, from the kernel header the build uses too."""
    names = {}
    for path in ('/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
                 '/usr/include/asm/unistd_64.h'):
        if os.path.exists(path):
            with open(path) as f:
                for m in re.finditer(r'#define __NR_(\w+)\s+(\d+)', f.read()):
                    names[int(m.group(2))] = m.group(1)
            break
    return names


def records(log):
    """The raw records of every RECORDS block of a log image."""
    off = 16
    while off + BLOCK_HDR.size <= len(log):
        sync, btype, blen, _ = BLOCK_HDR.unpack_from(log, off)
        if sync != SYNC:
            raise ValueError('bad block at %d' % off)
        payload = log[off + BLOCK_HDR.size:off + BLOCK_HDR.size + blen]
        if btype == BLK_RECORDS:
            count = struct.unpack_from('<I', payload)[0]
            at = 8
            for _ in range(count):
                size = struct.unpack_from('<I', payload, at)[0]
                yield payload[at:at + size]
                at += size
        off += BLOCK_HDR.size + ((blen + 7) & ~7)


def record_logs(build, tmp):
    """Run the test programs under hstrace --out into tmp; return the logs."""
    hstrace = os.path.join(build, 'hstrace')
    helper = os.path.join(build, 'tests', 'helper')
    work = os.path.join(tmp, 'work')
    runs = [
        ('files', [], [helper, 'files', work]),
        ('files-y', ['-y'], [helper, 'files', work]),
        ('signal', [], [helper, 'signal']),
        ('kill-self', [], [helper, 'kill-self', '11']),
        ('fork', [], [helper, 'fork']),
        ('vfork', [], [helper, 'vfork']),
        ('threads', [], [helper, 'threads', '2']),
        ('unfinished', [], [helper, 'unfinished', '2']),
        ('true-y', ['-y'], ['/bin/true']),
        ('files-P', ['-P', os.path.join(work, 'a')], [helper, 'files', work]),
    ]
    for fam in ('fs', 'net', 'proc', 'mem'):
        runs.append(('fam-' + fam, ['-y'], [os.path.join(build, 'tests', 'fam_' + fam)]))
    logs = []
    for name, opts, argv in runs:
        path = os.path.join(tmp, name + '.bin')
        os.makedirs(work, exist_ok=True)
        subprocess.run([hstrace, '-q', '--out', path] + opts + ['--'] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.path.exists(path):
            logs.append(path)
    attached = record_attach(hstrace, os.path.join(build, 'tests', 'hard', 'hard_helper'), tmp)
    if attached:
        logs.append(attached)
    return logs


def record_attach(hstrace, hard, tmp):
    """-p on a sleeping program: NEW_TRACEE with its comm, restart_syscall naming the sleep."""
    if not os.path.exists(hard):
        return None
    path = os.path.join(tmp, 'attach.bin')
    sleeper = subprocess.Popen([hard, 'restart-stop'], stdout=subprocess.PIPE)
    sleeper.stdout.readline()   # "pid P": it sleeps 5 s from now
    time.sleep(0.3)
    subprocess.run([hstrace, '-q', '--out', path, '-p', str(sleeper.pid)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sleeper.wait()
    return path if os.path.exists(path) else None


def keep_logs(logs, out):
    """Copy the logs under MAX_LOG bytes into out/log."""
    kept = 0
    for path in logs:
        with open(path, 'rb') as f:
            log = f.read()
        name = os.path.basename(path)
        if len(log) > MAX_LOG:
            print('%s: %d bytes, over %d: only its records are used' % (name, len(log), MAX_LOG))
            continue
        with open(os.path.join(out, 'log', name), 'wb') as f:
            f.write(log)
        kept += 1
    return kept


def cut_records(logs, out):
    """One record per (syscall, stop) of WANTED, and every kind of other stop."""
    names = syscall_names()
    seen = set()
    os.makedirs(os.path.join(out, 'decode'), exist_ok=True)
    for path in logs:
        with open(path, 'rb') as f:
            log = f.read()
        for rec in records(log):
            _, kind, flags, _, _, _, _, nr, _, _, *_ = RAW_HDR.unpack_from(rec)
            if kind in (1, 2):
                name = names.get(nr, 'syscall_%d' % nr)
                if name not in WANTED:
                    continue
                key = '%s-%s%s' % (name, KINDS[kind], '-fail' if flags & 1 else '')
            elif kind in KINDS:
                ncaps = struct.unpack_from('<H', rec, 36)[0]
                key = KINDS[kind] + ('-comm' if kind == 7 and ncaps else '')
            else:
                continue
            if key in seen:
                continue
            seen.add(key)
            with open(os.path.join(out, 'decode', key + '.raw'), 'wb') as f:
                f.write(rec)
            if kind == 3:
                seen |= synthesize(rec, out)
    return len(seen)


def synthesize(signal, out):
    """Stops the test programs do not make: a group-stop and a detach, from a signal's header."""
    made = set()
    for key, kind, nr in (('groupstop', 4, 19), ('detached', 8, 0)):
        hdr = bytearray(signal[:RAW_HDR.size])
        struct.pack_into('<IHH', hdr, 0, RAW_HDR.size, kind, 0)
        struct.pack_into('<iHH', hdr, 32, nr, 0, RAW_HDR.size)
        with open(os.path.join(out, 'decode', key + '.raw'), 'wb') as f:
            f.write(hdr)
        made.add(key)
    return made


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    build = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.join(os.path.dirname(__file__), 'corpus')
    for sub in ('log', 'decode'):
        d = os.path.join(out, sub)
        if os.path.isdir(d):
            for name in os.listdir(d):
                if not name.startswith('regress-'):
                    os.unlink(os.path.join(d, name))
    os.makedirs(os.path.join(out, 'log'), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        logs = record_logs(build, tmp)
        kept = keep_logs(logs, out)
        n = cut_records(logs, out)
    print('%d logs, %d records' % (kept, n))


if __name__ == '__main__':
    main()
