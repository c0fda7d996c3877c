/*
 * Memory, clocks and timers, IPC: see tests/fam/fam.h and tests/test_decode.c.
 *
 * Calls are made through syscall() so that libc adds or changes none.  Where
 * a result depends on the machine (mlock under RLIMIT_MEMLOCK), the expected
 * line is built from what the program got.  The clocks' values are left
 * out: test_decode compares a second run under strace line by line, so
 * only failing clock_gettime and gettimeofday calls are here.  System V IPC and
 * message queues run in a new IPC namespace, so that their ids start at 0
 * in the strace run too; without the privilege to make one they are left
 * out.  Nothing here waits longer than a microsecond, so no sleep is
 * interrupted (the time left differs between two runs): nanosleep's
 * remaining time is checked by hand (scripts/strace_compare.py).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <linux/mempolicy.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <time.h>

#include "fam.h"


static const char *hexres(long r)
{
	static char buf[64];

	if (r == -1)
		return res(r);
	snprintf(buf, sizeof(buf), "%#lx", r);
	return buf;
}

#define EINVAL_S "-1 EINVAL (Invalid argument)"

static void mapping(void)
{
	unsigned char vec[4];
	char *p;
	long r;

	p = (char *)syscall(SYS_mmap, NULL, 12288, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect(hexres((long)p), "mmap(NULL, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
	syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0x1000);
	expect(EINVAL_S, "mmap(NULL, 0, PROT_READ, MAP_SHARED_VALIDATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0x1000)");
	syscall(SYS_mmap, NULL, 0, PROT_EXEC, MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
	expect(EINVAL_S, "mmap(NULL, 0, PROT_EXEC, MAP_FILE|MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT, -1, 0)");
	p[0] = 1;
	r = syscall(SYS_mincore, p, 12288, vec);
	expect(res(r), "mincore(%p, 12288, [%u, %u, %u])", (void *)p, vec[0] & 1, vec[1] & 1, vec[2] & 1);
	syscall(SYS_mincore, (void *)1, 4096, vec);
	expect(EINVAL_S, "mincore(0x1, 4096, %p)", (void *)vec);
	syscall(SYS_madvise, p + 8192, 4096, MADV_DONTNEED);
	expect("0", "madvise(%p, 4096, MADV_DONTNEED)", (void *)(p + 8192));
	syscall(SYS_madvise, p, 4096, 12345);
	expect(EINVAL_S, "madvise(%p, 4096, 0x3039 /* MADV_??? */)", (void *)p);
	syscall(SYS_madvise, p, 4096, -1);
	expect(EINVAL_S, "madvise(%p, 4096, 0xffffffff /* MADV_??? */)", (void *)p);
	syscall(SYS_msync, p, 4096, MS_SYNC | MS_INVALIDATE);
	expect("0", "msync(%p, 4096, MS_SYNC|MS_INVALIDATE)", (void *)p);
	syscall(SYS_msync, p, 4096, MS_ASYNC | MS_SYNC);
	expect(EINVAL_S, "msync(%p, 4096, MS_SYNC|MS_ASYNC)", (void *)p);
	r = syscall(SYS_mlock, p, 4096);
	expect(res(r), "mlock(%p, 4096)", (void *)p);
	r = syscall(SYS_munlock, p, 4096);
	expect(res(r), "munlock(%p, 4096)", (void *)p);
	r = syscall(SYS_mlock2, p, 4096, MLOCK_ONFAULT);
	expect(res(r), "mlock2(%p, 4096, MLOCK_ONFAULT)", (void *)p);
	syscall(SYS_mlockall, 0);
	expect(EINVAL_S, "mlockall(0)");
	r = syscall(SYS_munlockall);
	expect(res(r), "munlockall()");
	syscall(SYS_mprotect, p, 4096, PROT_READ);
	expect("0", "mprotect(%p, 4096, PROT_READ)", (void *)p);
	syscall(SYS_mprotect, p + 1, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
	expect(EINVAL_S, "mprotect(%p, 4096, PROT_READ|PROT_WRITE|PROT_EXEC)", (void *)(p + 1));
	syscall(SYS_pkey_mprotect, p, 4096, PROT_NONE, -1);
	expect("0", "pkey_mprotect(%p, 4096, PROT_NONE, -1)", (void *)p);

	syscall(SYS_munmap, p, 12288);
	expect("0", "munmap(%p, 12288)", (void *)p);
	syscall(SYS_munmap, (void *)1, 4096);
	expect(EINVAL_S, "munmap(0x1, 4096)");

	p = (char *)syscall(SYS_mmap, NULL, 8192, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	expect(hexres((long)p), "mmap(NULL, 8192, PROT_READ, MAP_SHARED|MAP_ANONYMOUS, -1, 0)");
	r = syscall(SYS_remap_file_pages, p, 4096, 0, 1, 0);
	expect(res(r), "remap_file_pages(%p, 4096, PROT_NONE, 1, MAP_FILE)", (void *)p);
	syscall(SYS_munmap, p, 8192);
	expect("0", "munmap(%p, 8192)", (void *)p);
	r = syscall(SYS_brk, 0);
	expect(hexres(r), "brk(NULL)");
}

/* mremap on a mapping of its own: the one above is split by mprotect and mlock. */
static void remapping(void)
{
	char *p, *q;

	p = (char *)syscall(SYS_mmap, NULL, 12288, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect(hexres((long)p), "mmap(NULL, 12288, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
	q = (char *)syscall(SYS_mremap, p, 12288, 16384, MREMAP_MAYMOVE);
	expect(hexres((long)q), "mremap(%p, 12288, 16384, MREMAP_MAYMOVE)", (void *)p);
	syscall(SYS_mremap, q, 4096, 4096, MREMAP_FIXED, q + 8192);
	expect(EINVAL_S, "mremap(%p, 4096, 4096, MREMAP_FIXED)", (void *)q);
	syscall(SYS_mremap, q, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, q + 1);
	expect(EINVAL_S, "mremap(%p, 4096, 4096, MREMAP_MAYMOVE|MREMAP_FIXED, %p)", (void *)q, (void *)(q + 1));
	syscall(SYS_munmap, q, 16384);
	expect("0", "munmap(%p, 16384)", (void *)q);
}

static void sleeping(void)
{
	struct timespec req = { 0, 1000 }, rem, ts;
	struct timezone tz;
	struct timex tx;
	long r;

	syscall(SYS_nanosleep, &req, NULL);
	expect("0", "nanosleep({tv_sec=0, tv_nsec=1000}, NULL)");
	syscall(SYS_nanosleep, &req, &rem);
	expect("0", "nanosleep({tv_sec=0, tv_nsec=1000}, %p)", (void *)&rem);
	syscall(SYS_nanosleep, (void *)1, NULL);
	expect("-1 EFAULT (Bad address)", "nanosleep(0x1, NULL)");
	syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL);
	expect("0", "clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=1000}, NULL)");
	req.tv_nsec = 0;
	syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &req, &rem);
	expect("0", "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, {tv_sec=0, tv_nsec=0}, %p)", (void *)&rem);

	syscall(SYS_clock_gettime, 1234, &ts);
	expect(EINVAL_S, "clock_gettime(0x4d2 /* CLOCK_??? */, %p)", (void *)&ts);
	syscall(SYS_clock_gettime, CLOCK_BOOTTIME, NULL);
	expect("-1 EFAULT (Bad address)", "clock_gettime(CLOCK_BOOTTIME, NULL)");
	syscall(SYS_clock_getres, CLOCK_REALTIME, &ts);
	expect("0", "clock_getres(CLOCK_REALTIME, {tv_sec=%lld, tv_nsec=%ld})", (long long)ts.tv_sec,
	       ts.tv_nsec);
	ts.tv_sec = 1, ts.tv_nsec = 2;
	syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts);
	expect(EINVAL_S, "clock_settime(CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=2})");
	syscall(SYS_gettimeofday, NULL, &tz);
	expect("0", "gettimeofday(NULL, {tz_minuteswest=%d, tz_dsttime=%d})", tz.tz_minuteswest,
	       tz.tz_dsttime);
	syscall(SYS_gettimeofday, (void *)1, NULL);
	expect("-1 EFAULT (Bad address)", "gettimeofday(0x1, NULL)");
	r = syscall(SYS_settimeofday, NULL, NULL);
	expect(res(r), "settimeofday(NULL, NULL)");
	syscall(SYS_time, (void *)1);
	expect("-1 EFAULT (Bad address)", "time(0x1)");
	syscall(SYS_adjtimex, (void *)1);
	expect("-1 EFAULT (Bad address)", "adjtimex(0x1)");
	syscall(SYS_clock_adjtime, 99, &tx);
	expect(EINVAL_S, "clock_adjtime(0x63 /* CLOCK_??? */, %p)", (void *)&tx);
}

static void itimers(void)
{
	struct itimerval it = { { 0, 0 }, { 100, 500 } }, old;

	syscall(SYS_setitimer, ITIMER_REAL, &it, &old);
	expect("0", "setitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=100, "
		    "tv_usec=500}}, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=0}})");
	it.it_value.tv_sec = 0, it.it_value.tv_usec = 0;
	syscall(SYS_setitimer, ITIMER_REAL, &it, NULL);
	expect("0", "setitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, "
		    "tv_usec=0}}, NULL)");
	syscall(SYS_getitimer, ITIMER_PROF, &old);
	expect("0", "getitimer(ITIMER_PROF, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, "
		    "tv_usec=0}})");
	syscall(SYS_getitimer, 5, &old);
	expect(EINVAL_S, "getitimer(0x5 /* ITIMER_??? */, %p)", (void *)&old);
	syscall(SYS_getitimer, -1, NULL);
	expect(EINVAL_S, "getitimer(0xffffffff /* ITIMER_??? */, NULL)");
	syscall(SYS_alarm, 0);
	expect("0", "alarm(0)");
}

static void posix_timers(void)
{
	struct itimerspec its = { { 0, 0 }, { 100, 3 } }, old;
	struct sigevent sev;
	int id, fd;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_NONE;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id);
	expect("0", "timer_create(CLOCK_MONOTONIC, {sigev_signo=0, sigev_notify=SIGEV_NONE}, [%d])", id);
	/* Before arming: the kernel reports a disarmed SIGEV_NONE timer's old expiry. */
	syscall(SYS_timer_gettime, id, &old);
	expect("0", "timer_gettime(%d, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}})",
	       id);
	syscall(SYS_timer_settime, id, 0, &its, &old);
	expect("0", "timer_settime(%d, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=100, "
		    "tv_nsec=3}}, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}})", id);
	memset(&its, 0, sizeof(its));
	syscall(SYS_timer_settime, id, TIMER_ABSTIME, &its, NULL);
	expect("0", "timer_settime(%d, TIMER_ABSTIME, {it_interval={tv_sec=0, tv_nsec=0}, "
		    "it_value={tv_sec=0, tv_nsec=0}}, NULL)", id);
	syscall(SYS_timer_getoverrun, id);
	expect("0", "timer_getoverrun(%d)", id);
	syscall(SYS_timer_delete, id);
	expect("0", "timer_delete(%d)", id);
	syscall(SYS_timer_delete, id);
	expect(EINVAL_S, "timer_delete(%d)", id);

	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 5;
	syscall(SYS_timer_create, CLOCK_REALTIME, &sev, &id);
	expect("0", "timer_create(CLOCK_REALTIME, {sigev_value={sival_int=5, sival_ptr=0x5}, "
		    "sigev_signo=SIGUSR1, sigev_notify=SIGEV_SIGNAL}, [%d])", id);
	syscall(SYS_timer_delete, id);
	expect("0", "timer_delete(%d)", id);

	fd = (int)syscall(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	expect(res(fd), "timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK)");
	syscall(SYS_timerfd_settime, fd, TFD_TIMER_ABSTIME, &its, &old);
	expect("0", "timerfd_settime(%d, TFD_TIMER_ABSTIME, {it_interval={tv_sec=0, tv_nsec=0}, "
		    "it_value={tv_sec=0, tv_nsec=0}}, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, "
		    "tv_nsec=0}})", fd);
	syscall(SYS_timerfd_gettime, fd, &old);
	expect("0", "timerfd_gettime(%d, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}})",
	       fd);
	close(fd);
}

static void futexes(void)
{
	struct timespec ts = { 0, 1000 };
	int word = 0, word2 = 0;
	long r;

	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	expect("0", "futex(%p, FUTEX_WAKE_PRIVATE, 1)", (void *)&word);
	syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
	expect("-1 EAGAIN (Resource temporarily unavailable)", "futex(%p, FUTEX_WAIT_PRIVATE, 1, NULL)",
	       (void *)&word);
	syscall(SYS_futex, &word, FUTEX_WAIT, 0, &ts, NULL, 0);
	expect("-1 ETIMEDOUT (Connection timed out)", "futex(%p, FUTEX_WAIT, 0, {tv_sec=0, tv_nsec=1000})",
	       (void *)&word);
	ts.tv_nsec = 0;
	syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &ts, NULL,
		FUTEX_BITSET_MATCH_ANY);
	expect("-1 ETIMEDOUT (Connection timed out)", "futex(%p, FUTEX_WAIT_BITSET_PRIVATE|"
	       "FUTEX_CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=0}, FUTEX_BITSET_MATCH_ANY)", (void *)&word);
	syscall(SYS_futex, &word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 3);
	expect("0", "futex(%p, FUTEX_WAKE_BITSET, 1, 0x3)", (void *)&word);
	syscall(SYS_futex, &word, FUTEX_REQUEUE_PRIVATE, 1, 2, &word2, 0);
	expect("0", "futex(%p, FUTEX_REQUEUE_PRIVATE, 1, 2, %p)", (void *)&word, (void *)&word2);
	syscall(SYS_futex, &word, FUTEX_REQUEUE_PRIVATE, 1, 0, &word2, 0);
	expect("0", "futex(%p, FUTEX_REQUEUE_PRIVATE, 1, 0, %p)", (void *)&word, (void *)&word2);
	syscall(SYS_futex, &word, FUTEX_WAKE_OP, 1, 0, &word2, 0);
	expect("0", "futex(%p, FUTEX_WAKE_OP, 1, 0, %p, FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_EQ<<24|0)",
	       (void *)&word, (void *)&word2);
	syscall(SYS_futex, &word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &word2, 0);
	expect("0", "futex(%p, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, %p, 0)", (void *)&word, (void *)&word2);
	syscall(SYS_futex, &word, FUTEX_WAKE_OP_PRIVATE, 1, 2, &word2,
		FUTEX_OP(FUTEX_OP_ADD, 0x10, FUTEX_OP_CMP_GT, 1));
	expect("0", "futex(%p, FUTEX_WAKE_OP_PRIVATE, 1, 2, %p, FUTEX_OP_ADD<<28|0x10<<12|"
	       "FUTEX_OP_CMP_GT<<24|0x1)", (void *)&word, (void *)&word2);
	r = syscall(SYS_futex, &word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	expect(res(r), "futex(%p, FUTEX_LOCK_PI_PRIVATE, NULL)", (void *)&word);
	r = syscall(SYS_futex, &word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	expect(res(r), "futex(%p, FUTEX_UNLOCK_PI_PRIVATE)", (void *)&word);
	syscall(SYS_futex, &word, 99, 0, NULL, NULL, 0);
	expect("-1 ENOSYS (Function not implemented)", "futex(%p, 0x63 /* FUTEX_??? */, 0, NULL, NULL, 0)",
	       (void *)&word);
}

static void shared_memory(void)
{
	struct shminfo info;
	struct shmid_ds ds;
	long id, r;
	void *a;

	id = syscall(SYS_shmget, IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	expect(res(id), "shmget(IPC_PRIVATE, 4096, IPC_CREAT|0600)");
	a = (void *)syscall(SYS_shmat, id, NULL, SHM_RDONLY);
	expect(hexres((long)a), "shmat(%ld, NULL, SHM_RDONLY)", id);
	syscall(SYS_shmdt, a);
	expect("0", "shmdt(%p)", a);
	syscall(SYS_shmdt, a);
	expect(EINVAL_S, "shmdt(%p)", a);
	r = syscall(SYS_shmctl, id, IPC_INFO, &info);
	expect(res(r), "shmctl(%ld, IPC_INFO, {shmmax=%lu, shmmin=%lu, shmmni=%lu, shmseg=%lu, shmall=%lu})",
	       id, info.shmmax, info.shmmin, info.shmmni, info.shmseg, info.shmall);
	syscall(SYS_shmctl, id, IPC_RMID, NULL);
	expect("0", "shmctl(%ld, IPC_RMID, NULL)", id);
	memset(&ds, 0, sizeof(ds));
	ds.shm_perm.mode = 0600;
	syscall(SYS_shmctl, 12345, IPC_SET, &ds);
	expect(EINVAL_S, "shmctl(12345, IPC_SET, {shm_perm={uid=0, gid=0, mode=0600}})");
	syscall(SYS_shmctl, 12345, IPC_STAT, &ds);
	expect(EINVAL_S, "shmctl(12345, IPC_STAT, %p)", (void *)&ds);
	syscall(SYS_shmget, 0x1234, 4096, 0);
	expect("-1 ENOENT (No such file or directory)", "shmget(0x1234, 4096, 000)");
}

static void semaphores(void)
{
	struct sembuf sb[2] = { { 0, 1, 0 }, { 1, 0, IPC_NOWAIT | SEM_UNDO } };
	struct timespec ts = { 0, 1000 };
	struct semid_ds ds;
	struct seminfo si;
	long id, r;

	id = syscall(SYS_semget, IPC_PRIVATE, 2, IPC_CREAT | IPC_EXCL | 0600);
	expect(res(id), "semget(IPC_PRIVATE, 2, IPC_CREAT|IPC_EXCL|0600)");
	syscall(SYS_semop, id, sb, 2);
	expect("0", "semop(%ld, [{sem_num=0, sem_op=1, sem_flg=0}, {sem_num=1, sem_op=0, "
		    "sem_flg=SEM_UNDO|IPC_NOWAIT}], 2)", id);
	sb[0].sem_op = -5;
	syscall(SYS_semtimedop, id, sb, 1, &ts);
	expect("-1 EAGAIN (Resource temporarily unavailable)", "semtimedop(%ld, [{sem_num=0, sem_op=-5, "
	       "sem_flg=0}], 1, {tv_sec=0, tv_nsec=1000})", id);
	syscall(SYS_semctl, id, 0, GETVAL, NULL);
	expect("1", "semctl(%ld, 0, GETVAL, NULL)", id);
	syscall(SYS_semctl, id, 0, SETVAL, 5);
	expect("0", "semctl(%ld, 0, SETVAL, 0x5)", id);
	r = syscall(SYS_semctl, id, 0, IPC_INFO, &si);
	expect(res(r), "semctl(%ld, 0, IPC_INFO, {semmap=%d, semmni=%d, semmns=%d, semmnu=%d, semmsl=%d, "
	       "semopm=%d, semume=%d, semusz=%d, semvmx=%d, semaem=%d})", id, si.semmap, si.semmni,
	       si.semmns, si.semmnu, si.semmsl, si.semopm, si.semume, si.semusz, si.semvmx, si.semaem);
	syscall(SYS_semctl, id, 0, IPC_RMID, NULL);
	expect("0", "semctl(%ld, 0, IPC_RMID, NULL)", id);
	memset(&ds, 0, sizeof(ds));
	syscall(SYS_semctl, id, 0, IPC_SET, &ds);
	expect(EINVAL_S, "semctl(%ld, 0, IPC_SET, {sem_perm={uid=0, gid=0, mode=000}})", id);
}

static void messages(void)
{
	struct {
		long type;
		char text[8];
	} m = { 1, "hello" }, in;
	struct msqid_ds ds;
	struct msginfo mi;
	long id, r;

	id = syscall(SYS_msgget, IPC_PRIVATE, IPC_CREAT | 0600);
	expect(res(id), "msgget(IPC_PRIVATE, IPC_CREAT|0600)");
	syscall(SYS_msgsnd, id, &m, 5, 0);
	expect("0", "msgsnd(%ld, {mtype=1, mtext=\"hello\"}, 5, 0)", id);
	memset(&in, 0, sizeof(in));
	syscall(SYS_msgrcv, id, &in, 8, 0, IPC_NOWAIT);
	expect("5", "msgrcv(%ld, {mtype=1, mtext=\"hello\\0\\0\\0\"}, 8, 0, IPC_NOWAIT)", id);
	syscall(SYS_msgrcv, id, &in, 8, 0, IPC_NOWAIT | MSG_NOERROR);
	expect("-1 ENOMSG (No message of desired type)", "msgrcv(%ld, %p, 8, 0, MSG_NOERROR|IPC_NOWAIT)", id,
	       (void *)&in);
	r = syscall(SYS_msgctl, id, IPC_INFO, &mi);
	expect(res(r), "msgctl(%ld, IPC_INFO, {msgpool=%d, msgmap=%d, msgmax=%d, msgmnb=%d, msgmni=%d, "
	       "msgssz=%d, msgtql=%d, msgseg=%u})", id, mi.msgpool, mi.msgmap, mi.msgmax, mi.msgmnb,
	       mi.msgmni, mi.msgssz, mi.msgtql, (unsigned)mi.msgseg);
	syscall(SYS_msgctl, id, IPC_RMID, NULL);
	expect("0", "msgctl(%ld, IPC_RMID, NULL)", id);
	memset(&ds, 0, sizeof(ds));
	ds.msg_qbytes = 100;
	syscall(SYS_msgctl, id, IPC_SET, &ds);
	expect(EINVAL_S, "msgctl(%ld, IPC_SET, {msg_perm={uid=0, gid=0, mode=000}, msg_qbytes=100})", id);
}

static void queues(void)
{
	struct mq_attr attr = { 0, 4, 16, 0 };
	struct timespec ts = { 0, 0 };
	struct sigevent sev;
	unsigned prio;
	char buf[16];
	long fd, r;

	fd = syscall(SYS_mq_open, "fam_mem", O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	expect(res(fd), "mq_open(\"fam_mem\", O_RDWR|O_CREAT|O_EXCL, 0600, {mq_flags=0, mq_maxmsg=4, "
	       "mq_msgsize=16, mq_curmsgs=0})");
	syscall(SYS_mq_timedsend, fd, "hi", 2, 3, NULL);
	expect("0", "mq_timedsend(%ld, \"hi\", 2, 3, NULL)", fd);
	syscall(SYS_mq_timedreceive, fd, buf, 16, &prio, NULL);
	expect("2", "mq_timedreceive(%ld, \"hi\", 16, [3], NULL)", fd);
	syscall(SYS_mq_timedreceive, fd, buf, 16, &prio, &ts);
	expect("-1 ETIMEDOUT (Connection timed out)", "mq_timedreceive(%ld, %p, 16, %p, {tv_sec=0, "
	       "tv_nsec=0})", fd, (void *)buf, (void *)&prio);
	syscall(SYS_mq_getsetattr, fd, NULL, &attr);
	expect("0", "mq_getsetattr(%ld, NULL, {mq_flags=0, mq_maxmsg=4, mq_msgsize=16, mq_curmsgs=0})", fd);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_NONE;
	r = syscall(SYS_mq_notify, fd, &sev);
	expect(res(r), "mq_notify(%ld, {sigev_signo=0, sigev_notify=SIGEV_NONE})", fd);
	close((int)fd);
	syscall(SYS_mq_unlink, "fam_mem");
	expect("0", "mq_unlink(\"fam_mem\")");
	syscall(SYS_mq_unlink, "fam_mem");
	expect("-1 ENOENT (No such file or directory)", "mq_unlink(\"fam_mem\")");
	syscall(SYS_mq_open, "fam_none", O_RDONLY, 0, NULL);
	expect("-1 ENOENT (No such file or directory)", "mq_open(\"fam_none\", O_RDONLY)");
}

/* The NUMA policy calls, node 0 only (every machine has it); set back to the default. */
static void numa(void)
{
	unsigned long nm[2] = { 1, 0 }, got[2] = { 9, 9 };
	void *pages[2] = { (void *)nm, (void *)0x1000 };
	int mode = -1, status[2] = { 9, 9 }, nodes[2] = { 0, 0 };
	char st[2][32];
	long r;

	r = syscall(SYS_set_mempolicy, MPOL_BIND, nm, 2);
	expect(res(r), "set_mempolicy(MPOL_BIND, [0x00000000000001], 2)");
	syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0);
	expect("0", "set_mempolicy(MPOL_DEFAULT, NULL, 0)");
	syscall(SYS_set_mempolicy, 77, nm, 1);
	expect(EINVAL_S, "set_mempolicy(0x4d /* MPOL_??? */, %p, 1)", (void *)nm);
	syscall(SYS_set_mempolicy, MPOL_DEFAULT, nm, 0);
	expect(EINVAL_S, "set_mempolicy(MPOL_DEFAULT, [], 0)");
	syscall(SYS_set_mempolicy, MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, nm, 66);
	expect(EINVAL_S, "set_mempolicy(MPOL_BIND|MPOL_F_STATIC_NODES|MPOL_F_RELATIVE_NODES, "
	       "[0x00000000000001, 0000000000000000], 66)");
	syscall(SYS_set_mempolicy, 7 | MPOL_F_STATIC_NODES, nm, 2);
	expect(EINVAL_S, "set_mempolicy(MPOL_F_STATIC_NODES|0x7, [0x00000000000001], 2)");
	syscall(SYS_get_mempolicy, &mode, got, 65, NULL, 0);
	expect("0", "get_mempolicy([MPOL_DEFAULT], [0000000000000000], 65, NULL, 0)");
	syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 8);
	expect(EINVAL_S, "get_mempolicy(%p, NULL, 0, NULL, 0x8 /* MPOL_??? */)", (void *)&mode);
	syscall(SYS_mbind, 0, 0, MPOL_DEFAULT, NULL, 0, 0);
	expect("0", "mbind(NULL, 0, MPOL_DEFAULT, NULL, 0, 0)");
	syscall(SYS_mbind, 0, 0, 99, nm, 3, 64);
	expect(EINVAL_S, "mbind(NULL, 0, 0x63 /* MPOL_??? */, [0x00000000000001], 3, 0x40 /* MPOL_??? */)");
	r = syscall(SYS_migrate_pages, 0, 2, nm, nm);
	expect(res(r), "migrate_pages(0, 2, [0x00000000000001], [0x00000000000001])");
	r = syscall(SYS_move_pages, 0, 2, pages, NULL, status, 0);
	for (int i = 0; i < 2; i++)
		if (status[i] < 0)
			snprintf(st[i], sizeof(st[i]), "-%s", strerrorname_np(-status[i]));
		else
			snprintf(st[i], sizeof(st[i]), "%d", status[i]);
	expect(res(r), "move_pages(0, 2, [%p, 0x1000], NULL, [%s, %s], 0)", (void *)nm, st[0], st[1]);
	syscall(SYS_move_pages, 0, 2, pages, nodes, status, 8);
	expect(EINVAL_S, "move_pages(0, 2, [%p, 0x1000], [0, 0], %p, 0x8 /* MPOL_??? */)", (void *)nm,
	       (void *)status);
}

/* Protection keys, membarrier, and copying between address spaces (our own). */
static void memory_misc(void)
{
	static const char *const cmds[] = { "GLOBAL", "GLOBAL_EXPEDITED", "REGISTER_GLOBAL_EXPEDITED",
		"PRIVATE_EXPEDITED", "REGISTER_PRIVATE_EXPEDITED", "PRIVATE_EXPEDITED_SYNC_CORE",
		"REGISTER_PRIVATE_EXPEDITED_SYNC_CORE", "PRIVATE_EXPEDITED_RSEQ",
		"REGISTER_PRIVATE_EXPEDITED_RSEQ" };
	char src[16] = "hello world", dst[16], names[1024] = "", ret[1100];
	struct iovec l[2] = { { dst, 5 }, { dst + 5, 3 } }, rm[1] = { { src, 8 } };
	long r, q;
	size_t len = 0;

	r = syscall(SYS_pkey_alloc, 0, PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE);
	expect(res(r), "pkey_alloc(0, PKEY_DISABLE_ACCESS|PKEY_DISABLE_WRITE)");
	if (r >= 0) {
		syscall(SYS_pkey_free, r);
		expect("0", "pkey_free(%ld)", r);
	}
	syscall(SYS_pkey_alloc, 1, 8);
	expect(EINVAL_S, "pkey_alloc(0x1, 0x8 /* PKEY_??? */)");
	syscall(SYS_pkey_free, -1);
	expect(EINVAL_S, "pkey_free(-1)");

	q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	for (unsigned i = 0; q > 0 && i < 9; i++)
		if (q & (1L << i))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%sMEMBARRIER_CMD_%s",
						len ? "|" : "", cmds[i]);
	if (q > 0 && (q & ~0x1ffL))
		snprintf(names + len, sizeof(names) - len, "%s%#lx", len ? "|" : "", q & ~0x1ffL);
	if (q > 0)
		snprintf(ret, sizeof(ret), "%#lx (%s)", q, names);
	expect(q > 0 ? ret : res(q), "membarrier(MEMBARRIER_CMD_QUERY, 0)");
	syscall(SYS_membarrier, 1 << 20, 8, 5);
	expect(EINVAL_S, "membarrier(0x100000 /* MEMBARRIER_CMD_??? */, 0x8 /* MEMBARRIER_CMD_FLAG_??? */)");
	r = syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, MEMBARRIER_CMD_FLAG_CPU, 0);
	expect(res(r), "membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, MEMBARRIER_CMD_FLAG_CPU, 0)");

	r = syscall(SYS_process_madvise, -1, l, 2, 999, 1);
	expect(res(r), "process_madvise(-1, [{iov_base=%p, iov_len=5}, {iov_base=%p, iov_len=3}], 2, "
	       "0x3e7 /* MADV_??? */, 0x1)", (void *)dst, (void *)(dst + 5));
	r = syscall(SYS_process_madvise, -1, NULL, 0, MADV_PAGEOUT, 0);
	expect(res(r), "process_madvise(-1, NULL, 0, MADV_PAGEOUT, 0)");
	r = syscall(SYS_process_mrelease, -1, 5);
	expect(res(r), "process_mrelease(-1, 0x5)");
	r = syscall(SYS_memfd_secret, 1);
	expect(res(r), "memfd_secret(0x1)");
	r = syscall(SYS_memfd_secret, O_CLOEXEC);
	expect(res(r), "memfd_secret(O_CLOEXEC)");
	if (r >= 0)
		close((int)r);
	r = syscall(SYS_set_mempolicy_home_node, NULL, 0, 3, 7);
	expect(res(r), "set_mempolicy_home_node(NULL, 0, 3, 0x7)");

	/* No pid of ours: it differs in the strace run (copying to ourselves was checked by hand). */
	r = syscall(SYS_process_vm_readv, -1, l, 2, rm, 1, 0);
	expect(res(r), "process_vm_readv(-1, [{iov_base=%p, iov_len=5}, {iov_base=%p, iov_len=3}], 2, "
	       "[{iov_base=%p, iov_len=8}], 1, 0)", (void *)dst, (void *)(dst + 5), (void *)src);
	syscall(SYS_process_vm_readv, -1, l, 2, rm, 1, 1);
	expect(EINVAL_S, "process_vm_readv(-1, [{iov_base=%p, iov_len=5}, {iov_base=%p, iov_len=3}], 2, "
	       "[{iov_base=%p, iov_len=8}], 1, 1)", (void *)dst, (void *)(dst + 5), (void *)src);
	r = syscall(SYS_process_vm_writev, -1, rm, 1, l, 2, 0);
	expect(res(r), "process_vm_writev(-1, [{iov_base=\"hello wo\", iov_len=8}], 1, [{iov_base=%p, "
	       "iov_len=5}, {iov_base=%p, iov_len=3}], 2, 0)", (void *)dst, (void *)(dst + 5));
	syscall(SYS_process_vm_readv, -1, NULL, 0, NULL, 0, 0);
	expect("0", "process_vm_readv(-1, NULL, 0, NULL, 0, 0)");
}

int main(void)
{
	mapping();
	remapping();
	numa();
	memory_misc();
	sleeping();
	itimers();
	posix_timers();
	futexes();
	if (unshare(CLONE_NEWIPC) == 0) {
		shared_memory();
		semaphores();
		messages();
		queues();
	}
	return fam_done();
}
