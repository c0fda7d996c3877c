/*
 * Kinds of sockets: socket addresses, socket(2)'s type and protocol,
 * socket options, struct msghdr with its iovecs and control messages, and
 * the small in/out words (socklen_t, the socketpair pair).  See
 * src/core/kinds.h.
 *
 * strace reads a socklen_t both at entry and at exit and prints
 * "[128 => 16]" when they differ: the lengths are "inout:" kinds, whose
 * entry bytes the tracer keeps (pieces[0], flagged entry).  recvmsg's
 * msghdr is one too (msg_namelen=128 => 16), and a failed recvmsg shows
 * the entry's {msg_namelen=N}, as strace.  A returned address (accept,
 * recvfrom, getsockname) is shown in the length the kernel returned.
 *
 * Captures run on the ptrace thread; msghdr's (and each of an mmsghdr
 * vector's) follows its pointers (name, iovec array, each iovec's bytes up
 * to -s, the control buffer) in that order, and describe walks the pieces
 * in the same order, matching each by its address, so a piece that could
 * not be read, or did not fit the kind's bound, shows as an address.
 * Numbers a table does not name are printed as strace does: in hex with
 * "X_???" in a comment.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/consts.h"
#include "core/kinds.h"
#include "core/systable.h"

#define SOCK_TYPE_MASK 0xf
#define IOV_SHOWN 32         /* iovecs captured; strace shows -s of them */
#define CONTROL_MAX 512      /* control buffer bytes captured */
#define DATA_BOUND 8192      /* bytes of one buffer kept, whatever -s says */

/* Not every libc has it; the kernel's layout (linux/netlink.h). */
struct nl_addr {
	uint16_t family;
	uint16_t pad;
	uint32_t pid;
	uint32_t groups;
};

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* --- numbers named by a table ----------------------------------------- */

/* A name, or the number in hex with "AF_???" in a comment, as printxval. */
static void put_xval(struct hst_vw *w, const struct hst_ctab *t, uint64_t v, const char *unknown)
{
	const char *name = hst_ctab_name(t, v);

	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_rawf(w, "%#" PRIx64 " /* %s */", v, unknown);
}

/* strace's printflags into buf: A|B|0x40, or the number and "X_???" comment. */
static void flags_text(char *buf, size_t size, const struct hst_ctab *t, uint64_t v,
		       const char *unknown)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < t->n && n < size; i++) {
		uint64_t bits = t->c[i].value;
		if (bits && (v & bits) == bits) {
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "", t->c[i].name);
			v &= ~bits;
		}
	}
	if (n >= size)
		return;
	if (v && n)
		snprintf(buf + n, size - n, "|%#" PRIx64, v);
	else if (v)
		snprintf(buf, size, "%#" PRIx64 " /* %s */", v, unknown);
	else if (!n)
		snprintf(buf, size, "0");
}

static void describe_af(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			unsigned n)
{
	(void)p;
	(void)n;
	put_xval(w, &hst_ctab_addr_family, (unsigned)k->args[k->arg], "AF_???");
}

const struct hst_kind hst_kind_addr_family = {
	.name = "addr_family",
	.describe = describe_af,
};

/* Flag words printed as strace's printflags, the unknown bits commented. */
static void put_flags(struct hst_vw *w, const struct hst_ctab *t, uint64_t v, const char *unknown)
{
	char buf[512];

	flags_text(buf, sizeof(buf), t, v, unknown);
	hst_vw_raw(w, buf);
}

static void describe_msg_flags(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	put_flags(w, &hst_ctab_msg_flags, (unsigned)k->args[k->arg], "MSG_???");
}

const struct hst_kind hst_kind_msg_flags = {
	.name = "msg_flags",
	.describe = describe_msg_flags,
};

static void describe_sock_flags(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	put_flags(w, &hst_ctab_sock_flags, (unsigned)k->args[k->arg], "SOCK_???");
}

const struct hst_kind hst_kind_sock_flags = {
	.name = "sock_flags",
	.describe = describe_sock_flags,
};

static void describe_shutdown_how(struct hst_vw *w, const struct hst_kcall *k,
				  const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	put_xval(w, &hst_ctab_shutdown_how, (unsigned)k->args[k->arg], "SHUT_???");
}

const struct hst_kind hst_kind_shutdown_how = {
	.name = "shutdown_how",
	.describe = describe_shutdown_how,
};

/* SOCK_STREAM|SOCK_CLOEXEC: the type by name, then the flags. */
static void describe_socktype(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	unsigned v = (unsigned)k->args[k->arg];
	const char *type = hst_ctab_name(&hst_ctab_sock_type, v & SOCK_TYPE_MASK);
	char flags[160];

	(void)p;
	(void)n;
	if (type) {
		v &= ~SOCK_TYPE_MASK;
		if (!v) {
			hst_vw_raw(w, type);
			return;
		}
	}
	flags_text(flags, sizeof(flags), &hst_ctab_sock_flags, v, "SOCK_???");
	hst_vw_rawf(w, "%s%s%s", type ? type : "", type ? "|" : "", flags);
}

const struct hst_kind hst_kind_sock_type = {
	.name = "sock_type",
	.describe = describe_socktype,
};

/* AF_PACKET's protocol: htons(ETH_P_ALL). */
static void put_htons_proto(struct hst_vw *w, unsigned v)
{
	unsigned host = ntohs((uint16_t)v);
	const char *name = hst_ctab_name(&hst_ctab_eth_proto, host);

	if (name)
		hst_vw_rawf(w, "htons(%s)", name);
	else
		hst_vw_rawf(w, "htons(%#x /* ETH_P_??? */)", host);
}

/* The protocol named in the domain's table (lenarg: the domain). */
static void describe_sockproto(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	unsigned v = (unsigned)k->args[k->arg];
	unsigned domain = k->lenarg >= 0 ? (unsigned)k->args[k->lenarg] : AF_UNSPEC;

	(void)p;
	(void)n;
	if (domain == AF_INET || domain == AF_INET6)
		put_xval(w, &hst_ctab_inet_proto, v, "IPPROTO_???");
	else if (domain == AF_NETLINK)
		put_xval(w, &hst_ctab_netlink_proto, v, "NETLINK_???");
	else if (domain == AF_PACKET)
		put_htons_proto(w, v);
	else
		hst_vw_uint(w, v);
}

const struct hst_kind hst_kind_sock_proto = {
	.name = "sock_proto",
	.describe = describe_sockproto,
};

static void describe_level(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			   unsigned n)
{
	(void)p;
	(void)n;
	put_xval(w, &hst_ctab_sock_level, (unsigned)k->args[k->arg], "SOL_??");
}

const struct hst_kind hst_kind_sock_level = {
	.name = "sock_level",
	.describe = describe_level,
};

/* The option named in its level's table (lenarg: the level). */
static void describe_optname(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	unsigned v = (unsigned)k->args[k->arg];
	unsigned level = k->lenarg >= 0 ? (unsigned)k->args[k->lenarg] : ~0u;

	(void)p;
	(void)n;
	switch (level) {
	case SOL_SOCKET:
		put_xval(w, &hst_ctab_sol_socket_opt, v, "SO_???");
		break;
	case IPPROTO_IP:
		put_xval(w, &hst_ctab_sol_ip_opt, v, "IP_???");
		break;
	case IPPROTO_IPV6:
		put_xval(w, &hst_ctab_sol_ipv6_opt, v, "IPV6_???");
		break;
	case IPPROTO_TCP:
		put_xval(w, &hst_ctab_sol_tcp_opt, v, "TCP_???");
		break;
	case IPPROTO_UDP:
		put_xval(w, &hst_ctab_sol_udp_opt, v, "UDP_???");
		break;
	default:
		hst_vw_uint(w, v);
		break;
	}
}

const struct hst_kind hst_kind_sock_optname = {
	.name = "sock_optname",
	.describe = describe_optname,
};

/* --- small words ------------------------------------------------------ */

static int piece_int(const struct hst_piece *p)
{
	int v;

	memcpy(&v, p->data, sizeof(v));
	return v;
}

static void put_int_array1(struct hst_vw *w, int v)
{
	hst_vw_array_begin(w);
	hst_vw_int(w, v);
	hst_vw_array_end(w);
}

/*
 * A socklen_t after its address: "[16]", or "[110 => 16]" when the kernel
 * changed it (inout: pieces[0] holds the entry value); the bare pointer
 * when the address is NULL, as strace (it reads neither).
 */
static void describe_socklen(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	const struct hst_piece *in = n && p[0].entry ? &p[0] : NULL;
	const struct hst_piece *out = in ? (n > 1 ? &p[1] : NULL) : p;

	if (k->arg > 0 && k->args[k->arg - 1] == 0) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	if (in && in->len >= sizeof(int) && (!out || out->len < sizeof(int))) {
		put_int_array1(w, piece_int(in)); /* failed: the kernel wrote nothing */
		return;
	}
	if (!out || out->len < sizeof(int)) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	if (in && in->len >= sizeof(int) && piece_int(in) != piece_int(out)) {
		hst_vw_array_begin(w);
		hst_vw_int(w, piece_int(in));
		hst_vw_prefix(w, " => ");
		hst_vw_int(w, piece_int(out));
		hst_vw_array_end(w);
		return;
	}
	put_int_array1(w, piece_int(out));
}

const struct hst_kind hst_kind_socklen = {
	.stash = sizeof(int),
	.name = "socklen",
	.size = sizeof(int),
	.describe = describe_socklen,
};

/*
 * getsockopt's optlen, whatever optval is: "[4]", "[8 => 4]" when the
 * kernel changed it, and the entry value when the call failed.
 */
static void describe_optlen(struct hst_vw *w, const struct hst_kcall *k,
			    const struct hst_piece *p, unsigned n)
{
	const struct hst_piece *in = n && p[0].entry ? &p[0] : NULL;
	const struct hst_piece *out = in ? (n > 1 ? &p[1] : NULL) : p;
	bool has_in = in && in->len >= sizeof(int);

	if (k->failed || !out || out->len < sizeof(int)) {
		if (has_in)
			put_int_array1(w, piece_int(in));
		else
			hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	if (has_in && piece_int(in) != piece_int(out)) {
		hst_vw_array_begin(w);
		hst_vw_int(w, piece_int(in));
		hst_vw_prefix(w, " => ");
		hst_vw_int(w, piece_int(out));
		hst_vw_array_end(w);
		return;
	}
	put_int_array1(w, piece_int(out));
}

const struct hst_kind hst_kind_sockoptlen = {
	.name = "sockoptlen",
	.size = sizeof(int),
	.stash = sizeof(int),
	.on_error = true,
	.describe = describe_optlen,
};

/* socketpair's sv: "[3, 4]". */
static void describe_fd_pair(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	int fd[2];

	(void)n;
	if (p->len < sizeof(fd)) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	memcpy(fd, p->data, sizeof(fd));
	hst_vw_array_begin(w);
	hst_vw_fd(w, k, fd[0]);
	hst_vw_fd(w, k, fd[1]);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_fd_pair = {
	.name = "fd_pair",
	.size = 2 * sizeof(int),
	.describe = describe_fd_pair,
};

/* --- received bytes --------------------------------------------------- */

/* recvfrom's buffer: the return value's bytes, cut at -s ("" for 0). */
static void capture_recvbuf(struct hst_capctx *c, const struct hst_kcall *k)
{
	size_t len = k->rval > 0 ? (size_t)k->rval : 0;
	const void *unused;

	if (len > hst_capctx_strsize(c))
		len = hst_capctx_strsize(c);
	hst_capctx_read(c, k->args[k->arg], len, &unused);
}

static void describe_recvbuf(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	size_t len = p->len < hst_vw_strsize(w) ? p->len : hst_vw_strsize(w);

	(void)n;
	hst_vw_str(w, p->data, len, (uint64_t)k->rval > len);
}

const struct hst_kind hst_kind_recvbuf = {
	.name = "recvbuf",
	.capture = capture_recvbuf,
	.bound = 16 + DATA_BOUND,
	.describe = describe_recvbuf,
};

/* --- socket addresses ------------------------------------------------- */

/* strace's quoting (as sink/quote.c) into buf, for a string that follows
 * other text within one value: the abstract socket's @"name". */
static void quote_into(char *buf, size_t size, const unsigned char *s, size_t n)
{
	static const char esc_in[] = "\"\\\f\n\r\t\v", esc_out[] = "\"\\fnrtv";
	size_t o = 0;

	buf[o++] = '"';
	for (size_t i = 0; i < n && o + 6 < size; i++) {
		unsigned char c = s[i];
		const char *e = c ? strchr(esc_in, c) : NULL;
		if (e) {
			buf[o++] = '\\';
			buf[o++] = esc_out[e - esc_in];
		} else if (c >= ' ' && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			bool full = i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7';
			buf[o++] = '\\';
			if (full || c >> 6)
				buf[o++] = (char)('0' + (c >> 6));
			if (full || c >> 3)
				buf[o++] = (char)('0' + ((c >> 3) & 7));
			buf[o++] = (char)('0' + (c & 7));
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

static void put_sun(struct hst_vw *w, const char *a, size_t len)
{
	const char *path = a + offsetof(struct sockaddr_un, sun_path);
	size_t plen = len - offsetof(struct sockaddr_un, sun_path);
	char buf[4 * sizeof(struct sockaddr_un) + 8];

	hst_vw_key(w, "sun_path");
	if (path[0]) {
		hst_vw_str(w, path, strnlen(path, plen), false);
		return;
	}
	buf[0] = '@';
	quote_into(buf + 1, sizeof(buf) - 1, (const unsigned char *)path + 1, plen - 1);
	hst_vw_raw(w, buf);
}

static void put_sin(struct hst_vw *w, const struct sockaddr_in *sin)
{
	char buf[INET_ADDRSTRLEN];

	hst_vw_key(w, "sin_port");
	hst_vw_rawf(w, "htons(%u)", ntohs(sin->sin_port));
	hst_vw_key(w, "sin_addr");
	inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
	hst_vw_rawf(w, "inet_addr(\"%s\")", buf);
}

static void put_sin6(struct hst_vw *w, const struct sockaddr_in6 *sin6, size_t len)
{
	char buf[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];

	hst_vw_key(w, "sin6_port");
	hst_vw_rawf(w, "htons(%u)", ntohs(sin6->sin6_port));
	hst_vw_key(w, "sin6_flowinfo");
	hst_vw_rawf(w, "htonl(%u)", ntohl(sin6->sin6_flowinfo));
	inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf));
	hst_vw_json_key(w, "sin6_addr");
	hst_vw_rawf(w, "inet_pton(AF_INET6, \"%s\", &sin6_addr)", buf);
	if (len <= offsetof(struct sockaddr_in6, sin6_scope_id))
		return;
	hst_vw_key(w, "sin6_scope_id");
	if ((IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&sin6->sin6_addr)) &&
	    if_indextoname(sin6->sin6_scope_id, ifname))
		hst_vw_rawf(w, "if_nametoindex(\"%s\")", ifname);
	else
		hst_vw_uint(w, sin6->sin6_scope_id);
}

static void put_nl(struct hst_vw *w, const struct nl_addr *nl)
{
	if (nl->pad) {
		hst_vw_key(w, "nl_pad");
		hst_vw_hex(w, nl->pad);
	}
	hst_vw_key(w, "nl_pid");
	hst_vw_uint(w, nl->pid);
	hst_vw_key(w, "nl_groups");
	hst_vw_rawf(w, "%#08x", nl->groups);
}

/* The family's fields when len holds them, else sa_data's raw bytes. */
static void put_sockaddr(struct hst_vw *w, const void *data, size_t len)
{
	union {
		struct sockaddr_storage ss;
		struct sockaddr_un un;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct nl_addr nl;
		char c[sizeof(struct sockaddr_storage) + 1];
	} a;
	unsigned family;

	memset(&a, 0, sizeof(a));
	if (len > sizeof(a.ss))
		len = sizeof(a.ss);
	memcpy(&a, data, len);
	family = a.ss.ss_family;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "sa_family");
	put_xval(w, &hst_ctab_addr_family, family, "AF_???");
	if (len > sizeof(sa_family_t)) {
		if (family == AF_UNIX)
			put_sun(w, a.c, len);
		else if (family == AF_INET && len >= sizeof(a.in))
			put_sin(w, &a.in);
		else if (family == AF_INET6 && len >= offsetof(struct sockaddr_in6, sin6_scope_id))
			put_sin6(w, &a.in6, len);
		else if (family == AF_NETLINK && len >= sizeof(a.nl))
			put_nl(w, &a.nl);
		else {
			hst_vw_key(w, "sa_data");
			hst_vw_str(w, a.c + sizeof(sa_family_t), len - sizeof(sa_family_t), false);
		}
	}
	hst_vw_struct_end(w);
}

/* An address given in: its length is the argument lenarg. */
static size_t sockaddr_size(const struct hst_kcall *k)
{
	int len = k->lenarg >= 0 ? (int)k->args[k->lenarg] : 0;

	if (len < (int)sizeof(sa_family_t))
		return 0;
	return (size_t)len < sizeof(struct sockaddr_storage) ? (size_t)len
							     : sizeof(struct sockaddr_storage);
}

static void describe_sockaddr(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	(void)n;
	if (p->fault || p->len < sizeof(sa_family_t)) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	put_sockaddr(w, p->data, p->len);
}

const struct hst_kind hst_kind_sockaddr = {
	.name = "sockaddr",
	.size_fn = sockaddr_size,
	.describe = describe_sockaddr,
};

/* An address returned: its length is at the pointer lenarg, read first. */
static void capture_sockaddr_ret(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *lenp;
	int len;

	if (k->lenarg < 0 || !k->args[k->lenarg])
		return;
	if (hst_capctx_read(c, k->args[k->lenarg], sizeof(len), &lenp) < sizeof(len))
		return;
	memcpy(&len, lenp, sizeof(len));
	if (len < (int)sizeof(sa_family_t))
		return;
	if ((size_t)len > sizeof(struct sockaddr_storage))
		len = sizeof(struct sockaddr_storage);
	hst_capctx_read(c, k->args[k->arg], (size_t)len, &lenp);
}

static void describe_sockaddr_ret(struct hst_vw *w, const struct hst_kcall *k,
				  const struct hst_piece *p, unsigned n)
{
	if (n < 2 || p[1].fault || p[1].len < sizeof(sa_family_t)) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	put_sockaddr(w, p[1].data, p[1].len);
}

const struct hst_kind hst_kind_sockaddr_ret = {
	.name = "sockaddr_ret",
	.capture = capture_sockaddr_ret,
	.bound = 16 + 8 + 16 + sizeof(struct sockaddr_storage),
	.describe = describe_sockaddr_ret,
};

/* --- socket options --------------------------------------------------- */

/* strace's QUOTE_FORCE_HEX: "\x01\x00", cut at -s. */
static void put_hexstr(struct hst_vw *w, const unsigned char *s, size_t len, size_t max)
{
	char buf[4 * 512 + 8];
	size_t n = len < max ? len : max, o = 0;

	if (n > 512)
		n = 512;
	buf[o++] = '"';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\x%02x", s[i]);
	buf[o++] = '"';
	buf[o] = '\0';
	hst_vw_raw(w, buf);
	if (len > n)
		hst_vw_more(w);
}

static void put_linger(struct hst_vw *w, const struct hst_piece *p, size_t len)
{
	struct linger l;

	memcpy(&l, p->data, min_size(len, sizeof(l)));
	hst_vw_struct_begin(w);
	hst_vw_key(w, "l_onoff");
	hst_vw_int(w, l.l_onoff);
	if (len >= sizeof(l)) {
		hst_vw_key(w, "l_linger");
		hst_vw_int(w, l.l_linger);
	}
	hst_vw_struct_end(w);
}

static void put_ucred(struct hst_vw *w, const struct hst_piece *p)
{
	struct ucred u;

	memcpy(&u, p->data, sizeof(u));
	hst_vw_struct_begin(w);
	hst_vw_key(w, "pid");
	hst_vw_int(w, u.pid);
	hst_vw_key(w, "uid");
	hst_vw_uint(w, u.uid);
	hst_vw_key(w, "gid");
	hst_vw_uint(w, u.gid);
	hst_vw_struct_end(w);
}

/* SO_ERROR's value: [ECONNREFUSED], or [0]. */
static void put_so_error(struct hst_vw *w, int err)
{
	const char *name = err ? hst_errno_name(err) : NULL;

	hst_vw_array_begin(w);
	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_int(w, err);
	hst_vw_array_end(w);
}

/* Options whose value is a string, not an int. */
static bool opt_is_string(unsigned level, unsigned name)
{
	return (level == SOL_SOCKET && name == SO_BINDTODEVICE) ||
	       (level == IPPROTO_TCP && (name == TCP_CONGESTION || name == TCP_ULP));
}

static void put_bytes(struct hst_vw *w, const struct hst_piece *p, size_t len)
{
	size_t shown = min_size(len, hst_vw_strsize(w));

	hst_vw_str(w, p->data, shown, len > shown);
}

/* setsockopt's value of len bytes, as strace 6.1: linger by fields, a
 * string option as a string, else the first int as [1] when len holds
 * one, or the address. */
static void put_optval_set(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			   size_t len)
{
	unsigned level = (unsigned)k->args[1], name = (unsigned)k->args[2];

	if (len > p->len)
		len = p->len;
	if (level == SOL_SOCKET && name == SO_LINGER && len >= sizeof(struct linger))
		put_linger(w, p, sizeof(struct linger));
	else if (level == SOL_SOCKET && name == SO_LINGER)
		hst_vw_ptr(w, p->addr);
	else if (opt_is_string(level, name))
		put_bytes(w, p, len);
	else if (len >= sizeof(int))
		put_int_array1(w, piece_int(p));
	else
		hst_vw_ptr(w, p->addr);
}

/* getsockopt's value of the len bytes returned. */
static void put_optval_get(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			   size_t len)
{
	unsigned level = (unsigned)k->args[1], name = (unsigned)k->args[2];

	if (len > p->len)
		len = p->len;
	if (level == SOL_SOCKET && name == SO_LINGER && len >= sizeof(int))
		put_linger(w, p, len);
	else if (level == SOL_SOCKET && name == SO_PEERCRED && len >= sizeof(struct ucred))
		put_ucred(w, p);
	else if (level == SOL_SOCKET && name == SO_ERROR && len >= sizeof(int))
		put_so_error(w, piece_int(p));
	else if (len == sizeof(int))
		put_int_array1(w, piece_int(p));
	else if (level == SOL_SOCKET)
		put_hexstr(w, p->data, len, hst_vw_strsize(w));
	else
		put_bytes(w, p, len);
}

static size_t optval_size(const struct hst_kcall *k)
{
	int len = k->lenarg >= 0 ? (int)k->args[k->lenarg] : 0;

	if (len <= 0)
		return 0;
	return len < 512 ? (size_t)len : 512;
}

static void describe_optval(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	(void)n;
	if (p->fault) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	put_optval_set(w, k, p, (size_t)(int)k->args[k->lenarg]);
}

/* setsockopt's optval: optlen bytes at entry. */
const struct hst_kind hst_kind_sockopt_in = {
	.name = "sockopt_in",
	.size_fn = optval_size,
	.describe = describe_optval,
};

/* getsockopt's optval: as many bytes as *optlen says at exit. */
static void capture_optval_ret(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *lenp;
	int len;

	if (k->lenarg < 0 || !k->args[k->lenarg])
		return;
	if (hst_capctx_read(c, k->args[k->lenarg], sizeof(len), &lenp) < sizeof(len))
		return;
	memcpy(&len, lenp, sizeof(len));
	if (len < 0)
		return;
	hst_capctx_read(c, k->args[k->arg], len < 512 ? (size_t)len : 512, &lenp);
}

static void describe_optval_ret(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	if (n < 2 || p[1].fault) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	if (piece_int(&p[0]) <= 0) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	put_optval_get(w, k, &p[1], (size_t)piece_int(&p[0]));
}

const struct hst_kind hst_kind_sockopt_ret = {
	.name = "sockopt_ret",
	.capture = capture_optval_ret,
	.bound = 16 + 8 + 16 + 512,
	.describe = describe_optval_ret,
};

/* --- struct msghdr ---------------------------------------------------- */

/* The next piece when it was read at addr, else NULL (not captured). */
static const struct hst_piece *next_piece(const struct hst_piece *p, unsigned n, unsigned *i,
					  uint64_t addr)
{
	if (*i >= n || p[*i].addr != addr)
		return NULL;
	return &p[(*i)++];
}

/* How many iovecs a capture reads and a description shows. */
static size_t iov_shown(size_t iovlen, size_t max, unsigned strsize)
{
	return min_size(min_size(iovlen, max), strsize);
}

/* Sent data is shown whole (up to -s), received data up to the return value. */
static uint64_t msg_data_size(const struct hst_kcall *k)
{
	return k->at_exit ? (uint64_t)(k->rval > 0 ? k->rval : 0) : UINT64_MAX;
}

static void capture_iovs(struct hst_capctx *c, const struct msghdr *m, uint64_t left,
			 size_t max_iovs)
{
	unsigned strsize = hst_capctx_strsize(c);
	struct iovec iov[IOV_SHOWN];
	const void *d;
	size_t got;

	got = hst_capctx_read(c, (uintptr_t)m->msg_iov,
			      iov_shown(m->msg_iovlen, max_iovs, strsize) * sizeof(iov[0]), &d);
	got /= sizeof(iov[0]);
	if (got)
		memcpy(iov, d, got * sizeof(iov[0]));
	for (size_t i = 0; i < got; i++) {
		size_t len = (size_t)min_size(iov[i].iov_len, left);
		left -= len;
		if (iov[i].iov_base)
			hst_capctx_read(c, (uintptr_t)iov[i].iov_base, min_size(len, strsize), &d);
	}
}

/* What a msghdr points to: name, iovecs and their bytes, control. */
static void capture_msg_body(struct hst_capctx *c, const struct msghdr *mp, uint64_t size,
			     size_t max_iovs)
{
	struct msghdr m = *mp;
	const void *d;

	if (m.msg_name && (int)m.msg_namelen >= (int)sizeof(sa_family_t))
		hst_capctx_read(c, (uintptr_t)m.msg_name,
				min_size(m.msg_namelen, sizeof(struct sockaddr_storage)), &d);
	if (m.msg_iov && m.msg_iovlen)
		capture_iovs(c, &m, size, max_iovs);
	if (m.msg_control && m.msg_controllen >= sizeof(struct cmsghdr))
		hst_capctx_read(c, (uintptr_t)m.msg_control, min_size(m.msg_controllen, CONTROL_MAX),
				&d);
}

static void capture_msghdr(struct hst_capctx *c, const struct hst_kcall *k)
{
	struct msghdr m;
	const void *d;

	if (hst_capctx_read(c, k->args[k->arg], sizeof(m), &d) < sizeof(m))
		return;
	memcpy(&m, d, sizeof(m));
	capture_msg_body(c, &m, msg_data_size(k), IOV_SHOWN);
}

static void put_iov_base(struct hst_vw *w, const struct hst_piece *d, uint64_t base, size_t len)
{
	size_t shown;

	if (!base || !d || d->fault) {
		hst_vw_ptr(w, base);
		return;
	}
	shown = min_size(min_size(d->len, len), hst_vw_strsize(w));
	hst_vw_str(w, d->data, shown, len > shown);
}

/* msg_iov=[{iov_base="ab", iov_len=2}, ...]; *i walks the pieces. */
static void put_iovs(struct hst_vw *w, const struct msghdr *m, uint64_t left,
		     const struct hst_piece *p, unsigned n, unsigned *i)
{
	const struct hst_piece *arr;
	struct iovec iov;
	size_t count;

	if (!m->msg_iov || !m->msg_iovlen) {
		if (m->msg_iov)
			hst_vw_raw(w, "[]");
		else
			hst_vw_ptr(w, 0);
		return;
	}
	arr = next_piece(p, n, i, (uintptr_t)m->msg_iov);
	if (!arr || arr->fault || arr->len < sizeof(iov)) {
		hst_vw_ptr(w, (uintptr_t)m->msg_iov);
		return;
	}
	count = arr->len / sizeof(iov);
	hst_vw_array_begin(w);
	for (size_t j = 0; j < count; j++) {
		memcpy(&iov, (const char *)arr->data + j * sizeof(iov), sizeof(iov));
		size_t len = (size_t)min_size(iov.iov_len, left);
		left -= len;
		hst_vw_struct_begin(w);
		hst_vw_key(w, "iov_base");
		put_iov_base(w, iov.iov_base ? next_piece(p, n, i, (uintptr_t)iov.iov_base) : NULL,
			     (uintptr_t)iov.iov_base, len);
		hst_vw_key(w, "iov_len");
		hst_vw_uint(w, iov.iov_len);
		hst_vw_struct_end(w);
	}
	if (count < m->msg_iovlen)
		hst_vw_more(w);
	hst_vw_array_end(w);
}

/* One control message's type and data, as strace's print_cmsg_type_data. */
static void put_cmsg_data(struct hst_vw *w, const struct cmsghdr *cm, const char *data,
			  size_t len)
{
	struct ucred u;

	if (cm->cmsg_level != SOL_SOCKET) {
		if (cm->cmsg_level == IPPROTO_IP)
			put_xval(w, &hst_ctab_sol_ip_opt, (unsigned)cm->cmsg_type, "IP_???");
		else
			hst_vw_hex(w, (unsigned)cm->cmsg_type);
		return;
	}
	put_xval(w, &hst_ctab_scm_type, (unsigned)cm->cmsg_type, "SCM_???");
	if (cm->cmsg_type == SCM_RIGHTS && len >= sizeof(int)) {
		hst_vw_key(w, "cmsg_data");
		hst_vw_array_begin(w);
		for (size_t o = 0; o + sizeof(int) <= len; o += sizeof(int)) {
			int fd;
			memcpy(&fd, data + o, sizeof(fd));
			hst_vw_int(w, fd);
		}
		hst_vw_array_end(w);
	} else if (cm->cmsg_type == SCM_CREDENTIALS && len >= sizeof(u)) {
		memcpy(&u, data, sizeof(u));
		hst_vw_key(w, "cmsg_data");
		hst_vw_struct_begin(w);
		hst_vw_key(w, "pid");
		hst_vw_int(w, u.pid);
		hst_vw_key(w, "uid");
		hst_vw_uint(w, u.uid);
		hst_vw_key(w, "gid");
		hst_vw_uint(w, u.gid);
		hst_vw_struct_end(w);
	}
}

/* msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, ...}] */
static void put_control(struct hst_vw *w, const struct msghdr *m, const struct hst_piece *c)
{
	const size_t hdr = sizeof(struct cmsghdr);
	size_t left, off = 0;

	if (!c || c->fault || c->len < hdr) {
		hst_vw_ptr(w, (uintptr_t)m->msg_control);
		return;
	}
	left = c->len;
	hst_vw_array_begin(w);
	while (left >= hdr) {
		struct cmsghdr cm;
		memcpy(&cm, (const char *)c->data + off, hdr);
		size_t len = min_size(cm.cmsg_len, left);
		hst_vw_struct_begin(w);
		hst_vw_key(w, "cmsg_len");
		hst_vw_uint(w, cm.cmsg_len);
		hst_vw_key(w, "cmsg_level");
		put_xval(w, &hst_ctab_sock_level, (unsigned)cm.cmsg_level, "SOL_???");
		hst_vw_key(w, "cmsg_type");
		put_cmsg_data(w, &cm, (const char *)c->data + off + hdr, len > hdr ? len - hdr : 0);
		hst_vw_struct_end(w);
		if (len < hdr) {
			left -= hdr;
			break;
		}
		len = (cm.cmsg_len + sizeof(long) - 1) & ~(sizeof(long) - 1);
		if (len >= left) {
			left = 0;
			break;
		}
		off += len;
		left -= len;
	}
	if (left) {
		hst_vw_more(w);
		hst_vw_rawf(w, "/* %#" PRIx64 " */", (uint64_t)(uintptr_t)m->msg_control + off);
	} else if (c->len < m->msg_controllen) {
		hst_vw_more(w);
	}
	hst_vw_array_end(w);
}

/*
 * A msghdr; user_namelen is recvmsg's msg_namelen at entry (or -1): the
 * name is shown in the smaller of the two lengths, and "128 => 16" when
 * the kernel changed it.
 */
static void put_msghdr(struct hst_vw *w, const struct msghdr *m, uint64_t size,
		       const struct hst_piece *p, unsigned n, unsigned *i, int user_namelen)
{
	const struct hst_piece *name = NULL;
	size_t namelen = 0;

	hst_vw_key(w, "msg_name");
	if (m->msg_name && (int)m->msg_namelen >= (int)sizeof(sa_family_t))
		name = next_piece(p, n, i, (uintptr_t)m->msg_name);
	if (name)
		namelen = user_namelen >= 0 && (size_t)user_namelen < name->len
				  ? (size_t)user_namelen : name->len;
	if (name && !name->fault && namelen >= sizeof(sa_family_t))
		put_sockaddr(w, name->data, namelen);
	else
		hst_vw_ptr(w, (uintptr_t)m->msg_name);
	hst_vw_key(w, "msg_namelen");
	if (user_namelen >= 0 && user_namelen != (int)m->msg_namelen) {
		hst_vw_int(w, user_namelen);
		hst_vw_prefix(w, " => ");
	}
	hst_vw_int(w, (int)m->msg_namelen);
	hst_vw_key(w, "msg_iov");
	put_iovs(w, m, size, p, n, i);
	hst_vw_key(w, "msg_iovlen");
	hst_vw_uint(w, m->msg_iovlen);
	if (m->msg_controllen) {
		hst_vw_key(w, "msg_control");
		put_control(w, m, m->msg_controllen >= sizeof(struct cmsghdr) && m->msg_control
					  ? next_piece(p, n, i, (uintptr_t)m->msg_control) : NULL);
	}
	hst_vw_key(w, "msg_controllen");
	hst_vw_uint(w, m->msg_controllen);
	hst_vw_key(w, "msg_flags");
	put_flags(w, &hst_ctab_msg_flags, (unsigned)m->msg_flags, "MSG_???");
}

static void describe_msghdr(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	struct msghdr m;
	unsigned i = 1;

	if (p->fault || p->len < sizeof(m)) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	memcpy(&m, p->data, sizeof(m));
	hst_vw_struct_begin(w);
	put_msghdr(w, &m, msg_data_size(k), p, n, &i, -1);
	hst_vw_struct_end(w);
}

#define MSGHDR_BOUND (16 + sizeof(struct msghdr) + 16 + sizeof(struct sockaddr_storage) + \
		      16 + IOV_SHOWN * sizeof(struct iovec) + IOV_SHOWN * (16 + 64) + \
		      16 + CONTROL_MAX + DATA_BOUND)

/* sendmsg's (at entry) and recvmsg's (at exit) message. */
const struct hst_kind hst_kind_msghdr = {
	.name = "msghdr",
	.capture = capture_msghdr,
	.bound = MSGHDR_BOUND,
	.describe = describe_msghdr,
};

/*
 * recvmsg's message: the msghdr as it was at entry (pieces[0], for
 * msg_namelen's "128 => 16"), then what capture_msghdr read at exit.  A
 * failed call shows the entry's msg_namelen alone: "{msg_namelen=128}".
 */
static void capture_msghdr_recv(struct hst_capctx *c, const struct hst_kcall *k)
{
	if (!k->failed)
		capture_msghdr(c, k);
}

static void describe_msghdr_recv(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	struct msghdr in, m;
	unsigned i = 1;

	if (!n || !p[0].entry || p[0].len < sizeof(in)) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	memcpy(&in, p[0].data, sizeof(in));
	if (k->failed) {
		hst_vw_struct_begin(w);
		hst_vw_key(w, "msg_namelen");
		hst_vw_int(w, (int)in.msg_namelen);
		hst_vw_struct_end(w);
		return;
	}
	if (n < 2 || p[1].fault || p[1].len < sizeof(m)) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	memcpy(&m, p[1].data, sizeof(m));
	hst_vw_struct_begin(w);
	put_msghdr(w, &m, msg_data_size(k), p + 1, n - 1, &i, (int)in.msg_namelen);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_msghdr_recv = {
	.name = "msghdr_recv",
	.capture = capture_msghdr_recv,
	.bound = MSGHDR_BOUND,
	.describe = describe_msghdr_recv,
	.stash = sizeof(struct msghdr),
	.on_error = true,
};

/* --- struct mmsghdr vectors ------------------------------------------- */

/*
 * sendmmsg shows its vlen messages, recvmmsg the ones received; both at
 * exit, with msg_len for each message the call handled.  At most
 * MMSG_SHOWN messages of MMSG_IOVS iovecs each are captured, so that all
 * pieces fit what a description is handed (64).
 */
#define MMSG_SHOWN 8
#define MMSG_IOVS 4

static size_t mmsg_count(const struct hst_kcall *k, bool recv)
{
	uint64_t n = recv ? (uint64_t)(k->rval > 0 ? k->rval : 0) : (unsigned)k->args[2];

	return (size_t)(n < MMSG_SHOWN ? n : MMSG_SHOWN);
}

static void capture_mmsg(struct hst_capctx *c, const struct hst_kcall *k, bool recv)
{
	size_t count = min_size(mmsg_count(k, recv), hst_capctx_strsize(c));
	struct mmsghdr v[MMSG_SHOWN];
	const void *d;
	size_t got;

	got = hst_capctx_read(c, k->args[k->arg], count * sizeof(v[0]), &d) / sizeof(v[0]);
	if (got)
		memcpy(v, d, got * sizeof(v[0]));
	for (size_t j = 0; j < got; j++)
		capture_msg_body(c, &v[j].msg_hdr, recv ? v[j].msg_len : UINT64_MAX, MMSG_IOVS);
}

static void capture_mmsg_send(struct hst_capctx *c, const struct hst_kcall *k)
{
	capture_mmsg(c, k, false);
}

static void capture_mmsg_recv(struct hst_capctx *c, const struct hst_kcall *k)
{
	capture_mmsg(c, k, true);
}

static void describe_mmsg(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			  unsigned n, bool recv)
{
	uint64_t total = recv ? (uint64_t)k->rval : (unsigned)k->args[2];
	uint64_t done = k->rval > 0 ? (uint64_t)k->rval : 0;
	size_t count = p->len / sizeof(struct mmsghdr);
	unsigned i = 1;

	if (p->fault) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	hst_vw_array_begin(w);
	for (size_t j = 0; j < count; j++) {
		struct mmsghdr mm;
		memcpy(&mm, (const char *)p->data + j * sizeof(mm), sizeof(mm));
		hst_vw_struct_begin(w);
		hst_vw_key(w, "msg_hdr");
		hst_vw_struct_begin(w);
		put_msghdr(w, &mm.msg_hdr, recv ? mm.msg_len : UINT64_MAX, p, n, &i, -1);
		hst_vw_struct_end(w);
		if (j < done) {
			hst_vw_key(w, "msg_len");
			hst_vw_uint(w, mm.msg_len);
		}
		hst_vw_struct_end(w);
	}
	if (count < total)
		hst_vw_more(w);
	hst_vw_array_end(w);
}

static void describe_mmsg_send(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	describe_mmsg(w, k, p, n, false);
}

static void describe_mmsg_recv(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	describe_mmsg(w, k, p, n, true);
}

#define MMSG_BOUND (16 + MMSG_SHOWN * (sizeof(struct mmsghdr) + 16 + \
		    sizeof(struct sockaddr_storage) + 16 + MMSG_IOVS * (sizeof(struct iovec) + 16 + 64) + \
		    16 + CONTROL_MAX) + DATA_BOUND)

const struct hst_kind hst_kind_mmsghdr_send = {
	.name = "mmsghdr_send",
	.capture = capture_mmsg_send,
	.bound = MMSG_BOUND,
	.describe = describe_mmsg_send,
};

const struct hst_kind hst_kind_mmsghdr_recv = {
	.name = "mmsghdr_recv",
	.capture = capture_mmsg_recv,
	.bound = MMSG_BOUND,
	.describe = describe_mmsg_recv,
};
