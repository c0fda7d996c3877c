/*
 * Kinds of files and descriptors: struct stat (stat, fstat, lstat,
 * newfstatat).  See src/core/kinds.h.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/consts.h"
#include "core/kinds.h"

/* "S_IFREG|0644", with S_ISUID/S_ISGID/S_ISVTX named as strace does. */
static void put_mode(struct hst_vw *w, unsigned mode)
{
	const char *type = hst_ctab_name(&hst_ctab_file_type, mode & S_IFMT);
	char buf[96];
	int n = 0;

	if (type)
		n = snprintf(buf, sizeof(buf), "%s|", type);
	else if (mode & S_IFMT)
		n = snprintf(buf, sizeof(buf), "%#o|", mode & S_IFMT);
	if (mode & S_ISUID)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "S_ISUID|");
	if (mode & S_ISGID)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "S_ISGID|");
	if (mode & S_ISVTX)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "S_ISVTX|");
	snprintf(buf + n, sizeof(buf) - (size_t)n, "%#03o", mode & 0777);
	hst_vw_raw(w, buf);
}

static void put_dev(struct hst_vw *w, unsigned long long dev)
{
	unsigned ma = major(dev), mi = minor(dev);

	if (ma || mi)
		hst_vw_rawf(w, "makedev(%#x, %#x)", ma, mi);
	else
		hst_vw_raw(w, "makedev(0, 0)");
}

static void put_time(struct hst_vw *w, const char *key, long long sec, long long nsec)
{
	char name[32];

	hst_vw_key(w, key);
	hst_vw_int(w, sec);
	snprintf(name, sizeof(name), "%s_nsec", key);
	hst_vw_key(w, name);
	hst_vw_int(w, nsec);
}

static void describe_stat(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			  unsigned n)
{
	struct stat st;

	(void)k;
	(void)n;
	if (p->len < sizeof(st)) {
		hst_vw_ptr(w, p->addr);
		return;
	}
	memcpy(&st, p->data, sizeof(st));
	hst_vw_struct_begin(w);
	if (hst_vw_verbose(w)) {
		hst_vw_key(w, "st_dev");
		put_dev(w, st.st_dev);
		hst_vw_key(w, "st_ino");
		hst_vw_uint(w, st.st_ino);
	}
	hst_vw_key(w, "st_mode");
	put_mode(w, st.st_mode);
	if (hst_vw_verbose(w)) {
		hst_vw_key(w, "st_nlink");
		hst_vw_uint(w, st.st_nlink);
		hst_vw_key(w, "st_uid");
		hst_vw_uint(w, st.st_uid);
		hst_vw_key(w, "st_gid");
		hst_vw_uint(w, st.st_gid);
		hst_vw_key(w, "st_blksize");
		hst_vw_int(w, st.st_blksize);
		hst_vw_key(w, "st_blocks");
		hst_vw_int(w, st.st_blocks);
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		hst_vw_key(w, "st_rdev");
		put_dev(w, st.st_rdev);
	} else {
		hst_vw_key(w, "st_size");
		hst_vw_int(w, st.st_size);
	}
	if (hst_vw_verbose(w)) {
		put_time(w, "st_atime", st.st_atim.tv_sec, st.st_atim.tv_nsec);
		put_time(w, "st_mtime", st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		put_time(w, "st_ctime", st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	} else {
		hst_vw_more(w);
	}
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_stat = {
	.name = "stat",
	.size = sizeof(struct stat),
	.describe = describe_stat,
};
