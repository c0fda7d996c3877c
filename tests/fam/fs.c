/*
 * Files and descriptors: see tests/fam/fam.h and tests/test_decode.c.
 *
 * Calls are made through syscall() so that libc adds or changes none.  The
 * program works in a new directory under /tmp with names relative to it, so
 * the hstrace and strace runs (compared line by line, possibly running at
 * the same time) print the same paths.  Results that depend on the machine
 * (fd numbers, errors) are taken from what the program got; nothing here
 * waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>

#include "fam.h"


static char *dir; /* shared with the setup child */

static const char *const leftovers[] = { "f", "g", "h", "h2", "l", "l2", "fifo", "sub/x", "sub" };

/*
 * Setup and cleanup run in a child: neither tracer follows it, so the
 * random directory name and what is removed never show in the trace.  The
 * program itself only uses names relative to that directory, so the two
 * traced runs print the same lines while running side by side.
 */
static void in_child(bool setup)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (setup) {
			strcpy(dir, "/tmp/hst_fam_fs.XXXXXX");
			_exit(mkdtemp(dir) ? 0 : 1);
		}
		for (size_t i = 0; i < sizeof(leftovers) / sizeof(leftovers[0]); i++) {
			unlink(leftovers[i]);
			rmdir(leftovers[i]);
		}
		rmdir(dir);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* Into a new directory under /tmp: the chdir is the only call with its name. */
static int enter_dir(void)
{
	dir = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (dir == MAP_FAILED)
		return -1;
	dir[0] = '\0';
	in_child(true);
	return dir[0] && chdir(dir) == 0 ? 0 : -1;
}

/* strace's date comment of a timestamp (local time, as the tracers run);
 * frac has digits digits (9: nanoseconds, 6: microseconds). */
static const char *date_of(time_t sec, long frac, int digits)
{
	static char buf[96];
	struct tm tm;
	size_t n;

	localtime_r(&sec, &tm);
	n = strftime(buf, sizeof(buf), "%FT%T", &tm);
	if (frac)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, ".%0*ld", digits, frac);
	strftime(buf + n, sizeof(buf) - n, "%z", &tm);
	return buf;
}

static void files(void)
{
	const char *f = "f", *g = "g";
	long fd, r;

	fd = syscall(SYS_open, f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	expect(res(fd), "open(\"%s\", O_WRONLY|O_CREAT|O_TRUNC, 0644)", f);
	r = syscall(SYS_write, fd, "hello world\n", 12);
	expect(res(r), "write(%ld, \"hello world\\n\", 12)", fd);
	r = syscall(SYS_pwrite64, fd, "abc", 3, 4);
	expect(res(r), "pwrite64(%ld, \"abc\", 3, 4)", fd);
	r = syscall(SYS_lseek, fd, 0, SEEK_END);
	expect(res(r), "lseek(%ld, 0, SEEK_END)", fd);
	r = syscall(SYS_lseek, fd, 0, 7);
	expect(res(r), "lseek(%ld, 0, 0x7 /* SEEK_??? */)", fd);
	r = syscall(SYS_fsync, fd);
	expect(res(r), "fsync(%ld)", fd);
	r = syscall(SYS_fdatasync, fd);
	expect(res(r), "fdatasync(%ld)", fd);
	r = syscall(SYS_fchmod, fd, 0640);
	expect(res(r), "fchmod(%ld, 0640)", fd);
	r = syscall(SYS_fchown, fd, -1, -1);
	expect(res(r), "fchown(%ld, -1, -1)", fd);
	r = syscall(SYS_close, fd);
	expect(res(r), "close(%ld)", fd);
	r = syscall(SYS_open, "/nonexistent/fam", O_RDONLY);
	expect(res(r), "open(\"/nonexistent/fam\", O_RDONLY)");

	fd = syscall(SYS_creat, g, 0600);
	expect(res(fd), "creat(\"%s\", 0600)", g);
	r = syscall(SYS_ftruncate, fd, 100);
	expect(res(r), "ftruncate(%ld, 100)", fd);
	r = syscall(SYS_close, fd);
	expect(res(r), "close(%ld)", fd);
	r = syscall(SYS_truncate, g, 10);
	expect(res(r), "truncate(\"%s\", 10)", g);
	r = syscall(SYS_chmod, g, 04755);
	expect(res(r), "chmod(\"%s\", 04755)", g);
	r = syscall(SYS_fchmodat, AT_FDCWD, g, 0600);
	expect(res(r), "fchmodat(AT_FDCWD, \"%s\", 0600)", g);
	r = syscall(SYS_chown, g, -1, -1);
	expect(res(r), "chown(\"%s\", -1, -1)", g);
	r = syscall(SYS_lchown, g, -1, -1);
	expect(res(r), "lchown(\"%s\", -1, -1)", g);
	r = syscall(SYS_fchownat, AT_FDCWD, g, -1, -1, AT_SYMLINK_NOFOLLOW);
	expect(res(r), "fchownat(AT_FDCWD, \"%s\", -1, -1, AT_SYMLINK_NOFOLLOW)", g);
	r = syscall(SYS_faccessat, AT_FDCWD, g, R_OK | W_OK);
	expect(res(r), "faccessat(AT_FDCWD, \"%s\", R_OK|W_OK)", g);
	r = syscall(SYS_faccessat2, AT_FDCWD, g, X_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW);
	expect(res(r), "faccessat2(AT_FDCWD, \"%s\", X_OK, AT_SYMLINK_NOFOLLOW|AT_EACCESS)", g);
}

static void reads(void)
{
	const char *f = "f";
	char a[8], b[8], big[40];
	struct iovec iov[3] = { { a, 3 }, { b, 5 }, { NULL, 0 } };
	long fd, fd2, r;

	memset(big, 'x', sizeof(big));
	fd = syscall(SYS_openat, AT_FDCWD, f, O_RDWR);
	expect(res(fd), "openat(AT_FDCWD, \"%s\", O_RDWR)", f);
	r = syscall(SYS_pread64, fd, a, 5, 2);
	expect(res(r), "pread64(%ld, \"llabc\", 5, 2)", fd);
	r = syscall(SYS_readv, fd, iov, 2);
	expect(res(r), "readv(%ld, [{iov_base=\"hel\", iov_len=3}, {iov_base=\"labco\", iov_len=5}], 2)", fd);
	r = syscall(SYS_readv, fd, iov, 2);
	expect(res(r), "readv(%ld, [{iov_base=\"rld\", iov_len=3}, {iov_base=\"\\n\", iov_len=5}], 2)", fd);
	iov[0].iov_base = big;
	iov[0].iov_len = sizeof(big);
	iov[1].iov_len = 0;
	r = syscall(SYS_writev, fd, iov, 3);
	expect(res(r), "writev(%ld, [{iov_base=\"%.32s\"..., iov_len=40}, {iov_base=\"\", iov_len=0}, "
	       "{iov_base=NULL, iov_len=0}], 3)", fd, big);
	fd2 = syscall(SYS_dup, fd);
	expect(res(fd2), "dup(%ld)", fd);
	r = syscall(SYS_dup2, fd, 40);
	expect(res(r), "dup2(%ld, 40)", fd);
	r = syscall(SYS_dup3, fd, 41, O_CLOEXEC);
	expect(res(r), "dup3(%ld, 41, O_CLOEXEC)", fd);
	r = syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
	expect(res(r), "fcntl(%ld, F_SETFD, FD_CLOEXEC)", fd);
	r = syscall(SYS_fcntl, fd, F_DUPFD, 50);
	expect(res(r), "fcntl(%ld, F_DUPFD, 50)", fd);
	r = syscall(SYS_fcntl, fd, F_SETFL, O_RDWR | O_NONBLOCK);
	expect(res(r), "fcntl(%ld, F_SETFL, O_RDWR|O_NONBLOCK)", fd);
	r = syscall(SYS_flock, fd, LOCK_EX | LOCK_NB);
	expect(res(r), "flock(%ld, LOCK_EX|LOCK_NB)", fd);
	r = syscall(SYS_flock, fd, LOCK_UN);
	expect(res(r), "flock(%ld, LOCK_UN)", fd);
	r = syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	expect(res(r), "fadvise64(%ld, 0, 0, POSIX_FADV_SEQUENTIAL)", fd);
	r = syscall(SYS_fallocate, fd, FALLOC_FL_KEEP_SIZE, 0, 4096);
	expect(res(r), "fallocate(%ld, FALLOC_FL_KEEP_SIZE, 0, 4096)", fd);
	r = syscall(SYS_close_range, 40, 41, 0);
	expect(res(r), "close_range(40, 41, 0)");
	r = syscall(SYS_close_range, 50, ~0U, CLOSE_RANGE_CLOEXEC);
	expect(res(r), "close_range(50, 4294967295, CLOSE_RANGE_CLOEXEC)");
	r = syscall(SYS_close, fd2);
	expect(res(r), "close(%ld)", fd2);
	r = syscall(SYS_close, fd);
	expect(res(r), "close(%ld)", fd);
}

/* What the filesystem filled in varies: the mask as strace names it. */
static const char *statx_mask_text(uint32_t m)
{
	static const struct { uint32_t bits; const char *name; } names[] = {
		{ STATX_ALL, "STATX_ALL" }, { STATX_BASIC_STATS, "STATX_BASIC_STATS" },
		{ STATX_TYPE, "STATX_TYPE" }, { STATX_MODE, "STATX_MODE" },
		{ STATX_NLINK, "STATX_NLINK" }, { STATX_UID, "STATX_UID" },
		{ STATX_GID, "STATX_GID" }, { STATX_ATIME, "STATX_ATIME" },
		{ STATX_MTIME, "STATX_MTIME" }, { STATX_CTIME, "STATX_CTIME" },
		{ STATX_INO, "STATX_INO" }, { STATX_SIZE, "STATX_SIZE" },
		{ STATX_BLOCKS, "STATX_BLOCKS" }, { STATX_BTIME, "STATX_BTIME" },
		{ STATX_MNT_ID, "STATX_MNT_ID" }, { 0x2000, "STATX_DIOALIGN" },
	};
	static char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((m & names[i].bits) == names[i].bits) {
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "|" : "", names[i].name);
			m &= ~names[i].bits;
		}
	}
	if (m)
		snprintf(buf + n, sizeof(buf) - n, "%s%#x", n ? "|" : "", m);
	return buf;
}

static void vectors_and_xattrs(void)
{
	char a[8] = "abc", b[8] = "defgh", v[16];
	struct iovec iov[2] = { { a, 3 }, { b, 5 } };
	long fd, r;

	fd = syscall(SYS_open, "g", O_RDWR);
	expect(res(fd), "open(\"g\", O_RDWR)");
	r = syscall(SYS_pwritev, fd, iov, 2, 1, 0);
	expect(res(r), "pwritev(%ld, [{iov_base=\"abc\", iov_len=3}, {iov_base=\"defgh\", iov_len=5}], 2, 1)", fd);
	r = syscall(SYS_pwritev2, fd, iov, 1, 0, 0, RWF_DSYNC);
	expect(res(r), "pwritev2(%ld, [{iov_base=\"abc\", iov_len=3}], 1, 0, RWF_DSYNC)", fd);
	r = syscall(SYS_readahead, fd, 0, 4096);
	expect(res(r), "readahead(%ld, 0, 4096)", fd);
	r = syscall(SYS_sync_file_range, fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	expect(res(r), "sync_file_range(%ld, 0, 0, SYNC_FILE_RANGE_WRITE)", fd);
	r = syscall(SYS_vmsplice, fd, iov, 1, SPLICE_F_GIFT);
	expect(res(r), "vmsplice(%ld, [{iov_base=\"abc\", iov_len=3}], 1, SPLICE_F_GIFT)", fd);
	r = syscall(SYS_fsetxattr, fd, "user.fam", "va\0l", 4, XATTR_CREATE);
	expect(res(r), "fsetxattr(%ld, \"user.fam\", \"va\\0l\", 4, XATTR_CREATE)", fd);
	r = syscall(SYS_getxattr, "g", "user.fam", NULL, 0);
	expect(res(r), "getxattr(\"g\", \"user.fam\", NULL, 0)");
	r = syscall(SYS_fgetxattr, fd, "user.fam", v, sizeof(v));
	if (r == 4)
		expect(res(r), "fgetxattr(%ld, \"user.fam\", \"va\\0l\", %zu)", fd, sizeof(v));
	else
		expect(res(r), "fgetxattr(%ld, \"user.fam\", %p, %zu)", fd, (void *)v, sizeof(v));
	r = syscall(SYS_lremovexattr, "g", "user.none");
	expect(res(r), "lremovexattr(\"g\", \"user.none\")");
	r = syscall(SYS_chroot, "/nonexistent/fam");
	expect(res(r), "chroot(\"/nonexistent/fam\")");
	r = syscall(SYS_close, fd);
	expect(res(r), "close(%ld)", fd);
}

static void stats(void)
{
	const char *f = "f";
	struct statx sx;
	struct statfs sf;
	struct stat st;
	long r;

	r = syscall(SYS_access, "/nonexistent/fam", R_OK | W_OK);
	expect(res(r), "access(\"/nonexistent/fam\", R_OK|W_OK)");
	r = syscall(SYS_access, "/", F_OK);
	expect(res(r), "access(\"/\", F_OK)");
	r = syscall(SYS_newfstatat, AT_FDCWD, "/dev/null", &st, 0);
	expect(res(r), "newfstatat(AT_FDCWD, \"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, 0)");
	r = syscall(SYS_newfstatat, AT_FDCWD, "/nonexistent", &st, AT_SYMLINK_NOFOLLOW);
	expect(res(r), "newfstatat(AT_FDCWD, \"/nonexistent\", %p, AT_SYMLINK_NOFOLLOW)", (void *)&st);

	r = syscall(SYS_statx, AT_FDCWD, f, AT_STATX_SYNC_AS_STAT, STATX_TYPE | STATX_SIZE, &sx);
	expect(res(r), "statx(AT_FDCWD, \"%s\", AT_STATX_SYNC_AS_STAT, STATX_TYPE|STATX_SIZE, "
	       "{stx_mask=%s, stx_attributes=0, stx_mode=S_IFREG|0640, stx_size=52, ...})", f,
	       statx_mask_text(sx.stx_mask));
	r = syscall(SYS_statx, AT_FDCWD, "/nonexistent/fam", AT_SYMLINK_NOFOLLOW, STATX_ALL, &sx);
	expect(res(r), "statx(AT_FDCWD, \"/nonexistent/fam\", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, "
	       "STATX_ALL, %p)", (void *)&sx);
	r = syscall(SYS_statx, AT_FDCWD, f, AT_STATX_DONT_SYNC, 0x80000000u, &sx);
	expect(res(r), "statx(AT_FDCWD, \"%s\", AT_STATX_DONT_SYNC, 0x80000000 /* STATX_??? */, %p)",
	       f, (void *)&sx);
	r = syscall(SYS_statfs, "/nonexistent/fam", &sf);
	expect(res(r), "statfs(\"/nonexistent/fam\", %p)", (void *)&sf);
}

static void names(void)
{
	const char *f = "f", *g = "g", *h = "h", *h2 = "h2";
	const char *l = "l", *l2 = "l2", *sub = "sub", *x = "sub/x";
	const char *fifo = "fifo";
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 1700000000, 5 } };
	struct timeval tv[2] = { { 1700000000, 5 }, { 0, 0 } };
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY, .resolve = RESOLVE_NO_SYMLINKS };
	char buf[256];
	long r, fd, here, root;

	r = syscall(SYS_symlink, f, l);
	expect(res(r), "symlink(\"%s\", \"%s\")", f, l);
	r = syscall(SYS_readlink, l, buf, sizeof(buf));
	expect(res(r), "readlink(\"%s\", \"%s\", %zu)", l, f, sizeof(buf));
	r = syscall(SYS_readlinkat, AT_FDCWD, l, buf, 4);
	expect(res(r), "readlinkat(AT_FDCWD, \"%s\", \"%.4s\", 4)", l, f);
	r = syscall(SYS_symlinkat, f, AT_FDCWD, l2);
	expect(res(r), "symlinkat(\"%s\", AT_FDCWD, \"%s\")", f, l2);
	r = syscall(SYS_unlinkat, AT_FDCWD, l2, 0);
	expect(res(r), "unlinkat(AT_FDCWD, \"%s\", 0)", l2);
	r = syscall(SYS_link, g, h);
	expect(res(r), "link(\"%s\", \"%s\")", g, h);
	r = syscall(SYS_linkat, AT_FDCWD, g, AT_FDCWD, h2, AT_SYMLINK_FOLLOW);
	expect(res(r), "linkat(AT_FDCWD, \"%s\", AT_FDCWD, \"%s\", AT_SYMLINK_FOLLOW)", g, h2);
	r = syscall(SYS_unlink, h2);
	expect(res(r), "unlink(\"%s\")", h2);
	r = syscall(SYS_rename, h, h2);
	expect(res(r), "rename(\"%s\", \"%s\")", h, h2);
	r = syscall(SYS_renameat2, AT_FDCWD, h2, AT_FDCWD, g, RENAME_NOREPLACE);
	expect(res(r), "renameat2(AT_FDCWD, \"%s\", AT_FDCWD, \"%s\", RENAME_NOREPLACE)", h2, g);
	r = syscall(SYS_renameat, AT_FDCWD, h2, AT_FDCWD, h);
	expect(res(r), "renameat(AT_FDCWD, \"%s\", AT_FDCWD, \"%s\")", h2, h);
	r = syscall(SYS_mkdir, sub, 0755);
	expect(res(r), "mkdir(\"%s\", 0755)", sub);
	r = syscall(SYS_mkdirat, AT_FDCWD, x, 0700);
	expect(res(r), "mkdirat(AT_FDCWD, \"%s\", 0700)", x);
	r = syscall(SYS_rmdir, x);
	expect(res(r), "rmdir(\"%s\")", x);
	r = syscall(SYS_mknod, fifo, S_IFIFO | 0644, 0);
	expect(res(r), "mknod(\"%s\", S_IFIFO|0644)", fifo);
	r = syscall(SYS_mknodat, AT_FDCWD, "/nonexistent/fam", S_IFCHR | 0600, makedev(1, 3));
	expect(res(r), "mknodat(AT_FDCWD, \"/nonexistent/fam\", S_IFCHR|0600, makedev(0x1, 0x3))");
	r = syscall(SYS_utimensat, AT_FDCWD, f, ts, 0);
	expect(res(r), "utimensat(AT_FDCWD, \"%s\", [UTIME_NOW, {tv_sec=1700000000, tv_nsec=5} /* %s */], 0)",
	       f, date_of(1700000000, 5, 9));
	r = syscall(SYS_utimes, f, tv);
	expect(res(r), "utimes(\"%s\", [{tv_sec=1700000000, tv_usec=5} /* %s */, {tv_sec=0, tv_usec=0}])",
	       f, date_of(1700000000, 5, 6));
	r = syscall(SYS_openat2, AT_FDCWD, f, &how, sizeof(how));
	expect(res(r), "openat2(AT_FDCWD, \"%s\", {flags=O_RDONLY|O_DIRECTORY, resolve=RESOLVE_NO_SYMLINKS}, %zu)",
	       f, sizeof(how));
	r = syscall(SYS_utimensat, AT_FDCWD, f, NULL, AT_SYMLINK_NOFOLLOW);
	expect(res(r), "utimensat(AT_FDCWD, \"%s\", NULL, AT_SYMLINK_NOFOLLOW)", f);

	fd = syscall(SYS_open, sub, O_RDONLY);
	expect(res(fd), "open(\"%s\", O_RDONLY)", sub);
	r = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	expect(res(r), "getdents64(%ld, %p /* 2 entries */, %zu)", fd, (void *)buf, sizeof(buf));
	r = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	expect(res(r), "getdents64(%ld, %p /* 0 entries */, %zu)", fd, (void *)buf, sizeof(buf));
	here = syscall(SYS_open, ".", O_RDONLY);
	expect(res(here), "open(\".\", O_RDONLY)");
	r = syscall(SYS_fchdir, fd);
	expect(res(r), "fchdir(%ld)", fd);
	r = syscall(SYS_getcwd, buf, 2);
	expect(res(r), "getcwd(%p, 2)", (void *)buf);
	root = syscall(SYS_open, "/", O_RDONLY);
	expect(res(root), "open(\"/\", O_RDONLY)");
	r = syscall(SYS_fchdir, root);
	expect(res(r), "fchdir(%ld)", root);
	r = syscall(SYS_getcwd, buf, sizeof(buf));
	expect(res(r), "getcwd(\"/\", %zu)", sizeof(buf));
	r = syscall(SYS_fchdir, here);
	expect(res(r), "fchdir(%ld)", here);
	r = syscall(SYS_close_range, root, root, 0);
	expect(res(r), "close_range(%ld, %ld, 0)", root, root);
	r = syscall(SYS_close, here);
	expect(res(r), "close(%ld)", here);
	r = syscall(SYS_close, fd);
	expect(res(r), "close(%ld)", fd);
	r = syscall(SYS_unlinkat, AT_FDCWD, sub, AT_REMOVEDIR);
	expect(res(r), "unlinkat(AT_FDCWD, \"%s\", AT_REMOVEDIR)", sub);
}

/* fcntl's struct arguments and its results with notes, as strace prints them. */
static void fcntls(void)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	struct f_owner_ex own = { 0 };
	long fd, r;

	fd = syscall(SYS_open, "f", O_RDWR);
	expect(res(fd), "open(\"f\", O_RDWR)");
	r = syscall(SYS_fcntl, fd, F_GETFD);
	expect(res(r), "fcntl(%ld, F_GETFD)", fd);
	r = syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
	expect(res(r), "fcntl(%ld, F_SETFD, FD_CLOEXEC)", fd);
	r = syscall(SYS_fcntl, fd, F_GETFD);
	expect(r == 1 ? "0x1 (flags FD_CLOEXEC)" : res(r), "fcntl(%ld, F_GETFD)", fd);
	r = syscall(SYS_fcntl, fd, F_GETFL);
	expect(r == 0x8002 ? "0x8002 (flags O_RDWR|O_LARGEFILE)" : res(r), "fcntl(%ld, F_GETFL)", fd);
	r = syscall(SYS_fcntl, fd, F_SETFL, O_NONBLOCK);
	expect(res(r), "fcntl(%ld, F_SETFL, O_RDONLY|O_NONBLOCK)", fd);
	r = syscall(SYS_fcntl, fd, F_GETFL);
	expect(r == 0x8802 ? "0x8802 (flags O_RDWR|O_NONBLOCK|O_LARGEFILE)" : res(r),
	       "fcntl(%ld, F_GETFL)", fd);
	r = syscall(SYS_fcntl, fd, F_SETLK, &fl);
	expect(res(r), "fcntl(%ld, F_SETLK, {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=0})", fd);
	fl.l_type = F_WRLCK;
	fl.l_start = 2;
	r = syscall(SYS_fcntl, fd, F_GETLK, &fl);
	expect(res(r), "fcntl(%ld, F_GETLK, {l_type=%s, l_whence=SEEK_SET, l_start=%lld, l_len=%lld, "
	       "l_pid=%d})", fd, fl.l_type == F_UNLCK ? "F_UNLCK" : "?", (long long)fl.l_start,
	       (long long)fl.l_len, fl.l_pid);
	fl.l_type = 7;
	r = syscall(SYS_fcntl, fd, F_SETLKW, &fl);
	expect(res(r), "fcntl(%ld, F_SETLKW, {l_type=0x7 /* F_??? */, l_whence=SEEK_SET, l_start=2, "
	       "l_len=0})", fd);
	fl.l_type = F_UNLCK;
	fl.l_pid = 0;
	r = syscall(SYS_fcntl, fd, F_OFD_SETLK, &fl);
	expect(res(r), "fcntl(%ld, F_OFD_SETLK, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=2, l_len=0})", fd);
	r = syscall(SYS_fcntl, fd, F_GETLK, 8);
	expect(res(r), "fcntl(%ld, F_GETLK, 0x8)", fd);
	r = syscall(SYS_fcntl, fd, F_GETOWN_EX, &own);
	expect(res(r), "fcntl(%ld, F_GETOWN_EX, {type=%s, pid=%d})", fd,
	       own.type == F_OWNER_TID ? "F_OWNER_TID" : "F_OWNER_PID", own.pid);
	r = syscall(SYS_fcntl, fd, F_GETOWN);
	expect(res(r), "fcntl(%ld, F_GETOWN)", fd);
	r = syscall(SYS_fcntl, fd, F_SETSIG, SIGIO);
	expect(res(r), "fcntl(%ld, F_SETSIG, SIGIO)", fd);
	r = syscall(SYS_fcntl, fd, F_GETSIG);
	expect(r == SIGIO ? "29 (SIGIO)" : res(r), "fcntl(%ld, F_GETSIG)", fd);
	r = syscall(SYS_fcntl, fd, F_SETSIG, 0);
	expect(res(r), "fcntl(%ld, F_SETSIG, 0)", fd);
	r = syscall(SYS_fcntl, fd, F_GETLEASE);
	expect(r == F_UNLCK ? "0x2 (F_UNLCK)" : res(r), "fcntl(%ld, F_GETLEASE)", fd);
	r = syscall(SYS_fcntl, fd, F_GET_SEALS);
	expect(res(r), "fcntl(%ld, F_GET_SEALS)", fd);
	r = syscall(SYS_fcntl, fd, F_GETPIPE_SZ);
	expect(res(r), "fcntl(%ld, F_GETPIPE_SZ)", fd);
	r = syscall(SYS_close, fd);
	expect(res(r), "close(%ld)", fd);
}

/* A result with a note, formatted ("1 (in [3])"). */
static const char *fmt_res(const char *f, int fd)
{
	static char buf[4][64];
	static unsigned next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), f, fd);
	return b;
}

/* Vectors on failure, ioctl's NULL and numbers, poll's timeout and results. */
static void failures(void)
{
	char a[8], b[8];
	struct iovec iov[2] = { { a, 3 }, { b, 5 } };
	struct timeval tv = { 0, 0 };
	struct timespec ts = { 0, 0 };
	uint64_t mask = 1u << (SIGUSR1 - 1);
	struct { void *set; size_t size; } sm = { &mask, 8 };
	struct pollfd pf;
	fd_set rd;
	int p[2], avail = -1;
	long fd, r;

	fd = syscall(SYS_open, "f", O_WRONLY);
	expect(res(fd), "open(\"f\", O_WRONLY)");
	r = syscall(SYS_readv, fd, iov, 2);
	expect(res(r), "readv(%ld, [{iov_base=%p, iov_len=3}, {iov_base=%p, iov_len=5}], 2)", fd,
	       (void *)a, (void *)b);
	r = syscall(SYS_preadv, fd, iov, 1, 0, 0);
	expect(res(r), "preadv(%ld, [{iov_base=%p, iov_len=3}], 1, 0)", fd, (void *)a);
	r = syscall(SYS_preadv2, fd, iov, 1, 0, 0, 0x100);
	expect(res(r), "preadv2(%ld, [{iov_base=%p, iov_len=3}], 1, 0, 0x100 /* RWF_??? */)", fd, (void *)a);
	r = syscall(SYS_ioctl, fd, TCGETS, NULL);
	expect(res(r), "ioctl(%ld, TCGETS, NULL)", fd);
	r = syscall(SYS_ioctl, fd, TCGETS, a);
	expect(res(r), "ioctl(%ld, TCGETS, %p)", fd, (void *)a);
	r = syscall(SYS_ioctl, fd, _IO('x', 1), 0);
	expect(res(r), "ioctl(%ld, _IOC(_IOC_NONE, 0x78, 0x1, 0), 0)", fd);
	r = syscall(SYS_close, fd);
	expect(res(r), "close(%ld)", fd);

	fd = syscall(SYS_open, "f", O_RDONLY);
	expect(res(fd), "open(\"f\", O_RDONLY)");
	r = syscall(SYS_preadv, fd, iov, 1, 1, 0);
	expect(res(r), "preadv(%ld, [{iov_base=\"ell\", iov_len=3}], 1, 1)", fd);
	r = syscall(SYS_ioctl, fd, FIONREAD, &avail);
	expect(res(r), "ioctl(%ld, FIONREAD, [%d])", fd, avail);
	r = syscall(SYS_close, fd);
	expect(res(r), "close(%ld)", fd);

	r = syscall(SYS_pipe2, p, 0);
	expect(res(r), "pipe2([%d, %d], 0)", p[0], p[1]);
	pf.fd = p[0];
	pf.events = POLLIN;
	r = syscall(SYS_poll, &pf, 1, 0);
	expect(r == 0 ? "0 (Timeout)" : res(r), "poll([{fd=%d, events=POLLIN}], 1, 0)", p[0]);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	r = syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv);
	expect(r == 0 ? "0 (Timeout)" : res(r), "select(%d, [%d], NULL, NULL, {tv_sec=0, tv_usec=0})",
	       p[0] + 1, p[0]);
	FD_SET(p[0], &rd);
	r = syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &ts, &sm);
	expect(r == 0 ? "0 (Timeout)" : res(r), "pselect6(%d, [%d], NULL, NULL, {tv_sec=0, tv_nsec=0}, "
	       "{sigmask=[USR1], sigsetsize=8})", p[0] + 1, p[0]);
	r = syscall(SYS_ppoll, &pf, 1, &ts, &mask, 8);
	expect(r == 0 ? "0 (Timeout)" : res(r), "ppoll([{fd=%d, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, "
	       "[USR1], 8)", p[0]);
	/* Ready descriptors: what the kernel wrote back follows the result. */
	r = syscall(SYS_write, p[1], "x", 1);
	expect(res(r), "write(%d, \"x\", 1)", p[1]);
	r = syscall(SYS_poll, &pf, 1, 0);
	expect(r == 1 ? fmt_res("1 ([{fd=%d, revents=POLLIN}])", p[0]) : res(r),
	       "poll([{fd=%d, events=POLLIN}], 1, 0)", p[0]);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	r = syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, NULL);
	expect(r == 1 ? fmt_res("1 (in [%d])", p[0]) : res(r), "select(%d, [%d], NULL, NULL, NULL)",
	       p[0] + 1, p[0]);
	r = syscall(SYS_ppoll, &pf, 1, NULL, NULL, 8);
	expect(r == 1 ? fmt_res("1 ([{fd=%d, revents=POLLIN}])", p[0]) : res(r),
	       "ppoll([{fd=%d, events=POLLIN}], 1, NULL, NULL, 8)", p[0]);
	r = syscall(SYS_close_range, p[0], p[1], 0);
	expect(res(r), "close_range(%d, %d, 0)", p[0], p[1]);
}

/* Values no name covers: strace's X_??? comments; ioctl requests by name. */
static void unknowns(void)
{
	struct pollfd pf;
	long fd, r;

	fd = syscall(SYS_open, "f", O_RDONLY);
	expect(res(fd), "open(\"f\", O_RDONLY)");
	r = syscall(SYS_flock, fd, LOCK_SH | 0x40);
	expect(res(r), "flock(%ld, LOCK_SH|LOCK_READ)", fd);
	r = syscall(SYS_faccessat, AT_FDCWD, "f", 0x40);
	expect(res(r), "faccessat(AT_FDCWD, \"f\", 0x40 /* ?_OK */)");
	r = syscall(SYS_unlinkat, AT_FDCWD, "none", 0x4);
	expect(res(r), "unlinkat(AT_FDCWD, \"none\", 0x4 /* AT_??? */)");
	r = syscall(SYS_dup3, fd, 40, 0x4);
	expect(res(r), "dup3(%ld, 40, 0x4 /* O_??? */)", fd);
	r = syscall(SYS_close_range, 100, 101, 0x40);
	expect(res(r), "close_range(100, 101, 0x40 /* CLOSE_RANGE_??? */)");
	r = syscall(SYS_renameat2, AT_FDCWD, "none", AT_FDCWD, "none2", 0x40);
	expect(res(r), "renameat2(AT_FDCWD, \"none\", AT_FDCWD, \"none2\", 0x40 /* RENAME_?? */)");
	r = syscall(SYS_fcntl, fd, F_SETLEASE, 7);
	expect(res(r), "fcntl(%ld, F_SETLEASE, 0x7 /* F_??? */)", fd);
	r = syscall(SYS_fadvise64, fd, 0, 0, 77);
	expect(res(r), "fadvise64(%ld, 0, 0, 0x4d /* POSIX_FADV_??? */)", fd);
	r = syscall(SYS_tee, 100, 101, 1, 0x40);
	expect(res(r), "tee(100, 101, 1, 0x40 /* SPLICE_F_??? */)");
	pf.fd = (int)fd;
	pf.events = 0x4000;
	r = syscall(SYS_poll, &pf, 1, 0);
	expect(r == 0 ? "0 (Timeout)" : res(r), "poll([{fd=%ld, events=0x4000 /* POLL??? */}], 1, 0)", fd);
	r = syscall(SYS_epoll_ctl, 100, 77, 5, NULL);
	expect(res(r), "epoll_ctl(100, 0x4d /* EPOLL_CTL_??? */, 5, NULL)");
	r = syscall(SYS_eventfd2, 0, 0x4);
	expect(res(r), "eventfd2(0, 0x4 /* EFD_??? */)");
	r = syscall(SYS_inotify_add_watch, 100, "f", 0x10000);
	expect(res(r), "inotify_add_watch(100, \"f\", 0x10000 /* IN_??? */)");
	r = syscall(SYS_sync_file_range, fd, 0, 0, 0x40);
	expect(res(r), "sync_file_range(%ld, 0, 0, 0x40 /* SYNC_FILE_RANGE_??? */)", fd);
	r = syscall(SYS_fsetxattr, fd, "user.fam", "v", 1, 0x40);
	expect(res(r), "fsetxattr(%ld, \"user.fam\", \"v\", 1, 0x40 /* XATTR_??? */)", fd);
	r = syscall(SYS_ioctl, fd, TCSETS, NULL);
	expect(res(r), "ioctl(%ld, SNDCTL_TMR_START or TCSETS, NULL)", fd);
	r = syscall(SYS_ioctl, fd, TCFLSH, TCIOFLUSH);
	expect(res(r), "ioctl(%ld, TCFLSH, TCIOFLUSH)", fd);
	r = syscall(SYS_ioctl, fd, TCXONC, TCOON);
	expect(res(r), "ioctl(%ld, TCXONC, TCOON)", fd);
	r = syscall(SYS_ioctl, fd, TIOCEXCL, 0);
	expect(res(r), "ioctl(%ld, TIOCEXCL)", fd);
	r = syscall(SYS_ioctl, fd, FICLONE, 100);
	expect(res(r), "ioctl(%ld, BTRFS_IOC_CLONE or FICLONE, 100)", fd);
	r = syscall(SYS_close, fd);
	expect(res(r), "close(%ld)", fd);
}

static void pipes_and_events(void)
{
	const char *f = "f";
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 0x100000001ULL }, evs[4];
	int p[2], q[2];
	long r, fd, ep, efd, in, wd, mfd;
	long long off = 2;
	struct timespec ts = { 0, 0 };
	uint64_t mask = 1u << (SIGUSR1 - 1);

	r = syscall(SYS_pipe, p);
	expect(res(r), "pipe([%d, %d])", p[0], p[1]);
	r = syscall(SYS_pipe2, q, O_CLOEXEC | O_NONBLOCK);
	expect(res(r), "pipe2([%d, %d], O_NONBLOCK|O_CLOEXEC)", q[0], q[1]);
	fd = syscall(SYS_open, f, O_RDONLY);
	expect(res(fd), "open(\"%s\", O_RDONLY)", f);
	r = syscall(SYS_sendfile, p[1], fd, NULL, 4);
	expect(res(r), "sendfile(%d, %ld, NULL, 4)", p[1], fd);
	r = syscall(SYS_sendfile, p[1], fd, &off, 4);
	expect(res(r), "sendfile(%d, %ld, [2] => [6], 4)", p[1], fd);
	r = syscall(SYS_sendfile, p[1], fd, &off, 0);
	expect(res(r), "sendfile(%d, %ld, [6], 0)", p[1], fd);
	off = 2;
	r = syscall(SYS_splice, p[0], NULL, q[1], NULL, 4, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	expect(res(r), "splice(%d, NULL, %d, NULL, 4, SPLICE_F_MOVE|SPLICE_F_NONBLOCK)", p[0], q[1]);
	r = syscall(SYS_tee, q[0], p[1], 4, SPLICE_F_NONBLOCK);
	expect(res(r), "tee(%d, %d, 4, SPLICE_F_NONBLOCK)", q[0], p[1]);
	r = syscall(SYS_copy_file_range, fd, &off, p[1], NULL, 3, 0);
	expect(res(r), "copy_file_range(%ld, [2], %d, NULL, 3, 0)", fd, p[1]);

	ep = syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
	expect(res(ep), "epoll_create1(EPOLL_CLOEXEC)");
	r = syscall(SYS_epoll_wait, ep, evs, 4, 0);
	expect(res(r), "epoll_wait(%ld, [], 4, 0)", ep);
	r = syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev);
	expect(res(r), "epoll_ctl(%ld, EPOLL_CTL_ADD, %d, {events=EPOLLIN|EPOLLET, data={u32=1, u64=4294967297}})",
	       ep, p[0]);
	r = syscall(SYS_epoll_wait, ep, evs, 4, 0);
	expect(res(r), "epoll_wait(%ld, [{events=EPOLLIN, data={u32=1, u64=4294967297}}], 4, 0)", ep);
	r = syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL);
	expect(res(r), "epoll_ctl(%ld, EPOLL_CTL_DEL, %d, NULL)", ep, p[0]);
	r = syscall(SYS_epoll_pwait, ep, evs, 4, 0, NULL, 8);
	expect(res(r), "epoll_pwait(%ld, [], 4, 0, NULL, 8)", ep);
	r = syscall(SYS_epoll_pwait2, ep, evs, 4, &ts, &mask, 8);
	expect(res(r), "epoll_pwait2(%ld, [], 4, {tv_sec=0, tv_nsec=0}, [USR1], 8)", ep);
	r = syscall(SYS_epoll_pwait, -1, evs, 4, 0, &mask, 8);
	expect(res(r), "epoll_pwait(-1, %p, 4, 0, %p, 8)", (void *)evs, (void *)&mask);
	efd = syscall(SYS_eventfd2, 5, EFD_CLOEXEC | EFD_NONBLOCK);
	expect(res(efd), "eventfd2(5, EFD_CLOEXEC|EFD_NONBLOCK)");
	in = syscall(SYS_inotify_init1, IN_CLOEXEC | IN_NONBLOCK);
	expect(res(in), "inotify_init1(IN_NONBLOCK|IN_CLOEXEC)");
	wd = syscall(SYS_inotify_add_watch, in, ".", IN_MODIFY | IN_CREATE | IN_DELETE);
	expect(res(wd), "inotify_add_watch(%ld, \".\", IN_MODIFY|IN_CREATE|IN_DELETE)", in);
	r = syscall(SYS_inotify_rm_watch, in, wd);
	expect(res(r), "inotify_rm_watch(%ld, %ld)", in, wd);
	mfd = syscall(SYS_memfd_create, "fam", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	expect(res(mfd), "memfd_create(\"fam\", MFD_CLOEXEC|MFD_ALLOW_SEALING)");
	r = syscall(SYS_close_range, p[0], mfd, 0);
	expect(res(r), "close_range(%d, %ld, 0)", p[0], mfd);
}

int main(void)
{
	if (enter_dir() < 0) {
		fprintf(stderr, "fam_fs: cannot make a directory under /tmp\n");
		return 1;
	}
	files();
	reads();
	vectors_and_xattrs();
	stats();
	names();
	fcntls();
	failures();
	unknowns();
	pipes_and_events();
	in_child(false);
	return fam_done();
}
