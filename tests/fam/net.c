/*
 * Sockets: see tests/fam/fam.h and tests/test_decode.c.
 *
 * strace and hstrace run this program at the same time, so every line must
 * come out the same in both runs: AF_UNIX sockets bind to a relative path
 * in a private temporary directory, inet sockets bind to port 0 and never
 * ask for the port they got, and connections over inet go to a closed
 * loopback port.  Lengths passed in/out are mostly preset to what the
 * kernel returns; test_inout() checks the "[110 => 0]" notation.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "fam.h"

#define SOCK_PATH "fam_net.sock"
#define EBADF_S "-1 EBADF (Bad file descriptor)"

static char ret_buf[8][32];
static unsigned ret_next;

static const char *ret(long v)
{
	char *s = ret_buf[ret_next++ % 8];
	snprintf(s, sizeof(ret_buf[0]), "%ld", v);
	return s;
}

static void test_socket(void)
{
	long fd;

	fd = syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	expect(ret(fd), "socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0)");
	close(fd);
	fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	expect(ret(fd), "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)");
	close(fd);
	syscall(SYS_socket, 12345, SOCK_STREAM, 0);
	expect("-1 EAFNOSUPPORT (Address family not supported by protocol)",
	       "socket(0x3039 /* AF_??? */, SOCK_STREAM, 0)");
	syscall(SYS_socket, AF_UNIX, 0x100 | SOCK_STREAM, 0);
	expect("-1 EINVAL (Invalid argument)", "socket(AF_UNIX, SOCK_STREAM|0x100 /* SOCK_??? */, 0)");
}

/* A listening AF_UNIX socket, a client, accept4, names, and shutdown. */
static void test_unix_stream(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = SOCK_PATH };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + sizeof(SOCK_PATH);
	struct sockaddr_un peer;
	socklen_t plen = sizeof(sa_family_t);
	long srv, cli, acc;

	srv = syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	expect(ret(srv), "socket(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0)");
	expect(ret(syscall(SYS_bind, srv, &sun, len)),
	       "bind(%ld, {sa_family=AF_UNIX, sun_path=\"" SOCK_PATH "\"}, %u)", srv, len);
	expect(ret(syscall(SYS_listen, srv, 4)), "listen(%ld, 4)", srv);
	cli = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	expect(ret(cli), "socket(AF_UNIX, SOCK_STREAM, 0)");
	expect(ret(syscall(SYS_connect, cli, &sun, len)),
	       "connect(%ld, {sa_family=AF_UNIX, sun_path=\"" SOCK_PATH "\"}, %u)", cli, len);
	acc = syscall(SYS_accept4, srv, &peer, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
	expect(ret(acc), "accept4(%ld, {sa_family=AF_UNIX}, [2], SOCK_CLOEXEC|SOCK_NONBLOCK)", srv);
	syscall(SYS_accept, srv, NULL, NULL);
	expect("-1 EAGAIN (Resource temporarily unavailable)", "accept(%ld, NULL, NULL)", srv);
	plen = len;
	expect(ret(syscall(SYS_getsockname, srv, &peer, &plen)),
	       "getsockname(%ld, {sa_family=AF_UNIX, sun_path=\"" SOCK_PATH "\"}, [%u])", srv, len);
	expect(ret(syscall(SYS_getpeername, cli, &peer, &plen)),
	       "getpeername(%ld, {sa_family=AF_UNIX, sun_path=\"" SOCK_PATH "\"}, [%u])", cli, len);
	syscall(SYS_getpeername, srv, &peer, &plen);
	expect("-1 ENOTCONN (Transport endpoint is not connected)", "getpeername(%ld, %p, [%u])",
	       srv, (void *)&peer, len);
	expect(ret(syscall(SYS_shutdown, cli, SHUT_WR)), "shutdown(%ld, SHUT_WR)", cli);
	syscall(SYS_shutdown, -1, SHUT_RDWR);
	expect(EBADF_S, "shutdown(-1, SHUT_RDWR)");
	close(acc);
	close(cli);
	close(srv);
	unlink(SOCK_PATH);
}

static void test_abstract_and_netlink(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "\0no-such\1" };
	struct { uint16_t family, pad; uint32_t pid, groups; } nl = { AF_NETLINK, 0, 0, 0 };
	long fd = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);

	expect(ret(fd), "socket(AF_UNIX, SOCK_STREAM, 0)");
	syscall(SYS_connect, fd, &sun, offsetof(struct sockaddr_un, sun_path) + 9);
	expect("-1 ECONNREFUSED (Connection refused)",
	       "connect(%ld, {sa_family=AF_UNIX, sun_path=@\"no-such\\1\"}, 11)", fd);
	syscall(SYS_connect, fd, (void *)1, 16);
	expect("-1 EFAULT (Bad address)", "connect(%ld, 0x1, 16)", fd);
	close(fd);
	fd = syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	expect(ret(fd), "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)");
	expect(ret(syscall(SYS_bind, fd, &nl, sizeof(nl))),
	       "bind(%ld, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12)", fd);
	close(fd);
}

/* Inet: nothing that shows a port the kernel chose. */
static void test_inet(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(1),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(1),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct linger lg = { 1, 5 };
	int one = 1;
	long fd;

	fd = syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	expect(ret(fd), "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP)");
	expect(ret(syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))),
	       "setsockopt(%ld, SOL_SOCKET, SO_REUSEADDR, [1], 4)", fd);
	expect(ret(syscall(SYS_setsockopt, fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one))),
	       "setsockopt(%ld, SOL_TCP, TCP_NODELAY, [1], 4)", fd);
	expect(ret(syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))),
	       "setsockopt(%ld, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8)", fd);
	syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, &one, 2);
	expect("-1 EINVAL (Invalid argument)",
	       "setsockopt(%ld, SOL_SOCKET, SO_REUSEADDR, %p, 2)", fd, (void *)&one);
	syscall(SYS_connect, fd, &sin, sizeof(sin));
	expect("-1 ECONNREFUSED (Connection refused)",
	       "connect(%ld, {sa_family=AF_INET, sin_port=htons(1), "
	       "sin_addr=inet_addr(\"127.0.0.1\")}, 16)", fd);
	close(fd);

	fd = syscall(SYS_socket, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	expect(ret(fd), "socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)");
	sin.sin_port = 0;
	expect(ret(syscall(SYS_bind, fd, &sin, sizeof(sin))),
	       "bind(%ld, {sa_family=AF_INET, sin_port=htons(0), "
	       "sin_addr=inet_addr(\"127.0.0.1\")}, 16)", fd);
	expect(ret(syscall(SYS_setsockopt, fd, IPPROTO_IP, IP_TOS, &one, sizeof(one))),
	       "setsockopt(%ld, SOL_IP, IP_TOS, [1], 4)", fd);
	sin.sin_port = htons(9);
	expect(ret(syscall(SYS_sendto, fd, "ping", 4, MSG_DONTWAIT, &sin, sizeof(sin))),
	       "sendto(%ld, \"ping\", 4, MSG_DONTWAIT, {sa_family=AF_INET, sin_port=htons(9), "
	       "sin_addr=inet_addr(\"127.0.0.1\")}, 16)", fd);
	close(fd);

	fd = syscall(SYS_socket, AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		return;
	expect(ret(fd), "socket(AF_INET6, SOCK_STREAM, IPPROTO_IP)");
	expect(ret(syscall(SYS_setsockopt, fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))),
	       "setsockopt(%ld, SOL_IPV6, IPV6_V6ONLY, [1], 4)", fd);
	if (syscall(SYS_connect, fd, &sin6, sizeof(sin6)) < 0 && errno == ECONNREFUSED)
		expect("-1 ECONNREFUSED (Connection refused)",
		       "connect(%ld, {sa_family=AF_INET6, sin6_port=htons(1), sin6_flowinfo=htonl(0), "
		       "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28)", fd);
	close(fd);
}

static void test_sockopt(int fd)
{
	int v = -1;
	socklen_t len = sizeof(v);
	struct linger lg;
	long r = syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &v, &len);

	expect(ret(r), "getsockopt(%d, SOL_SOCKET, SO_TYPE, [%d], [4])", fd, v);
	expect(ret(syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_ERROR, &v, &len)),
	       "getsockopt(%d, SOL_SOCKET, SO_ERROR, [0], [4])", fd);
	len = sizeof(lg);
	expect(ret(syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_LINGER, &lg, &len)),
	       "getsockopt(%d, SOL_SOCKET, SO_LINGER, {l_onoff=0, l_linger=0}, [8])", fd);
	len = sizeof(v);
	syscall(SYS_getsockopt, fd, SOL_SOCKET, 12345, &v, &len);
	expect("-1 ENOPROTOOPT (Protocol not available)",
	       "getsockopt(%d, SOL_SOCKET, 0x3039 /* SO_??? */, %p, [4])", fd, (void *)&v);
}

/* Data over a datagram socketpair: send/recv, msghdr, SCM_RIGHTS. */
static void test_data(void)
{
	int sv[2] = { -1, -1 };
	char buf[64];
	struct sockaddr_un from;
	socklen_t flen = 0;
	char ab[] = "ab", cd[] = "cd\n";
	struct iovec iov[2] = { { ab, 2 }, { cd, 3 } };
	struct iovec riov[2] = { { buf, 3 }, { buf + 8, 16 } };
	union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	struct cmsghdr *cm;
	int passed;
	long r;

	r = syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv);
	expect(ret(r), "socketpair(AF_UNIX, SOCK_DGRAM, 0, [%d, %d])", sv[0], sv[1]);
	syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, NULL);
	expect("-1 EFAULT (Bad address)", "socketpair(AF_UNIX, SOCK_DGRAM, 0, NULL)");
	test_sockopt(sv[0]);

	expect(ret(syscall(SYS_sendto, sv[0], "hello\0world", 11, 0, NULL, 0)),
	       "sendto(%d, \"hello\\0world\", 11, 0, NULL, 0)", sv[0]);
	expect(ret(syscall(SYS_recvfrom, sv[1], buf, sizeof(buf), MSG_PEEK, &from, &flen)),
	       "recvfrom(%d, \"hello\\0world\", 64, MSG_PEEK, %p, [0])", sv[1], (void *)&from);
	expect(ret(syscall(SYS_recvfrom, sv[1], buf, 5, 0, NULL, NULL)),
	       "recvfrom(%d, \"hello\", 5, 0, NULL, NULL)", sv[1]);
	syscall(SYS_recvfrom, sv[1], buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
	expect("-1 EAGAIN (Resource temporarily unavailable)",
	       "recvfrom(%d, %p, 64, MSG_DONTWAIT, NULL, NULL)", sv[1], (void *)buf);

	expect(ret(syscall(SYS_sendmsg, sv[0], &msg, 0)),
	       "sendmsg(%d, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ab\", iov_len=2}, "
	       "{iov_base=\"cd\\n\", iov_len=3}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, 0)",
	       sv[0]);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = riov;
	msg.msg_iovlen = 2;
	expect(ret(syscall(SYS_recvmsg, sv[1], &msg, 0)),
	       "recvmsg(%d, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"abc\", iov_len=3}, "
	       "{iov_base=\"d\\n\", iov_len=16}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, 0)",
	       sv[1]);

	/* Pass a descriptor. */
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.b;
	msg.msg_controllen = sizeof(ctl.b);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), &sv[0], sizeof(int));
	expect(ret(syscall(SYS_sendmsg, sv[0], &msg, MSG_NOSIGNAL)),
	       "sendmsg(%d, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ab\", iov_len=2}], "
	       "msg_iovlen=1, msg_control=[{cmsg_len=%zu, cmsg_level=SOL_SOCKET, "
	       "cmsg_type=SCM_RIGHTS, cmsg_data=[%d]}], msg_controllen=%zu, msg_flags=0}, "
	       "MSG_NOSIGNAL)", sv[0], (size_t)CMSG_LEN(sizeof(int)), sv[0], sizeof(ctl.b));
	memset(&ctl, 0, sizeof(ctl));
	msg.msg_iov = riov;
	r = syscall(SYS_recvmsg, sv[1], &msg, 0);
	memcpy(&passed, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	expect(ret(r), "recvmsg(%d, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ab\", iov_len=3}], "
	       "msg_iovlen=1, msg_control=[{cmsg_len=%zu, cmsg_level=SOL_SOCKET, "
	       "cmsg_type=SCM_RIGHTS, cmsg_data=[%d]}], msg_controllen=%zu, msg_flags=0}, 0)",
	       sv[1], (size_t)CMSG_LEN(sizeof(int)), passed, (size_t)msg.msg_controllen);
	close(passed);
	close(sv[0]);
	close(sv[1]);
}

/* Two datagrams at once each way. */
static void test_mmsg(void)
{
	int sv[2];
	char b1[8], b2[8];
	struct iovec out[2] = { { "one", 3 }, { "two!", 4 } };
	struct iovec in[2] = { { b1, sizeof(b1) }, { b2, sizeof(b2) } };
	struct mmsghdr mm[2];
	long r;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return;
	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr.msg_iov = &out[0];
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = &out[1];
	mm[1].msg_hdr.msg_iovlen = 1;
	r = syscall(SYS_sendmmsg, sv[0], mm, 2, MSG_DONTWAIT);
	expect(ret(r), "sendmmsg(%d, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"one\", "
	       "iov_len=3}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}, "
	       "{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"two!\", iov_len=4}], "
	       "msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=4}], 2, MSG_DONTWAIT)", sv[0]);
	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr.msg_iov = &in[0];
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = &in[1];
	mm[1].msg_hdr.msg_iovlen = 1;
	r = syscall(SYS_recvmmsg, sv[1], mm, 2, 0, NULL);
	expect(ret(r), "recvmmsg(%d, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"one\", "
	       "iov_len=8}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}, "
	       "{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"two!\", iov_len=8}], "
	       "msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=4}], 2, 0, NULL)", sv[1]);
	close(sv[0]);
	close(sv[1]);
}

/* Lengths the kernel changes: "[8 => 4]", msg_namelen=110 => 0. */
static void test_inout(void)
{
	int sv[2], v = -1;
	char buf[16];
	struct sockaddr_un from;
	socklen_t fl = sizeof(from), l = 8;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			    .msg_iovlen = 1 };
	long r;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return;
	r = syscall(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, &v, &l);
	expect(ret(r), "getsockopt(%d, SOL_SOCKET, SO_TYPE, [%d], [8 => 4])", sv[0], v);
	syscall(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, &v, NULL);
	expect("-1 EFAULT (Bad address)", "getsockopt(%d, SOL_SOCKET, SO_TYPE, %p, NULL)", sv[0],
	       (void *)&v);
	expect(ret(syscall(SYS_sendto, sv[0], "hi", 2, 0, NULL, 0)),
	       "sendto(%d, \"hi\", 2, 0, NULL, 0)", sv[0]);
	expect(ret(syscall(SYS_recvmsg, sv[1], &m, 0)),
	       "recvmsg(%d, {msg_name=%p, msg_namelen=%zu => 0, msg_iov=[{iov_base=\"hi\", "
	       "iov_len=16}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0)", sv[1],
	       (void *)&from, sizeof(from));
	syscall(SYS_recvmsg, sv[1], &m, MSG_DONTWAIT);
	expect("-1 EAGAIN (Resource temporarily unavailable)",
	       "recvmsg(%d, {msg_namelen=0}, MSG_DONTWAIT)", sv[1]);
	expect(ret(syscall(SYS_sendto, sv[0], "hi", 2, 0, NULL, 0)),
	       "sendto(%d, \"hi\", 2, 0, NULL, 0)", sv[0]);
	expect(ret(syscall(SYS_recvfrom, sv[1], buf, sizeof(buf), 0, &from, &fl)),
	       "recvfrom(%d, \"hi\", 16, 0, %p, [%zu => 0])", sv[1], (void *)&from, sizeof(from));
	syscall(SYS_recvmsg, -1, NULL, 0);
	expect(EBADF_S, "recvmsg(-1, NULL, 0)");
	syscall(SYS_socket, AF_INET, SOCK_STREAM, 12345);
	expect("-1 EINVAL (Invalid argument)", "socket(AF_INET, SOCK_STREAM, 0x3039 /* IPPROTO_??? */)");
	syscall(SYS_shutdown, sv[0], 99);
	expect("-1 EINVAL (Invalid argument)", "shutdown(%d, 0x63 /* SHUT_??? */)", sv[0]);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	char dir[] = "/tmp/fam_net_XXXXXX";

	if (!mkdtemp(dir) || chdir(dir) < 0)
		return 1;
	test_socket();
	test_unix_stream();
	test_abstract_and_netlink();
	test_inet();
	test_data();
	test_mmsg();
	test_inout();
	if (chdir("/") < 0 || rmdir(dir) < 0)
		return 1;
	return fam_done();
}
