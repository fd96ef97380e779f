// SPDX-License-Identifier: GPL-2.0
/*
 * ckptdump - decode a checkpoint image
 *
 * Usage: ckptdump [-v] [--json] [--check] [FILE|-]
 *
 * Prints every record of an image written by checkpoint(2), one line per
 * record (text) or one JSON object, and validates the structure on the
 * way.  The image is read incrementally, so "checkpoint PID | ckptdump -"
 * works.  Exit status: 0 for a well-formed image (also one that ends with
 * an ERROR record), 1 for a structural error, 2 for a usage or I/O error.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ckpt_reader.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static int json;
static int verbose;

/*
 * A minimal emitter shared by the text and JSON output.  Text: members are
 * "key=value" separated by spaces, array elements by commas.  JSON: the
 * obvious; 64-bit addresses and masks are "0x..." strings.
 */
#define MAX_DEPTH 8

static char nest[MAX_DEPTH];	/* '{' or '[' */
static int depth;
static int first = 1;		/* nothing printed yet at this level */

static void sep(void)
{
	if (!first)
		putchar(json || (depth && nest[depth - 1] == '[') ? ',' : ' ');
	first = 0;
}

static void key(const char *k)
{
	sep();
	if (!k)
		return;
	if (json)
		printf("\"%s\":", k);
	else
		printf("%s=", k);
}

static void open_c(const char *k, char c)
{
	key(k);
	putchar(c);
	nest[depth++] = c;
	first = 1;
}

static void close_c(void)
{
	char c = nest[--depth];

	putchar(c == '[' ? ']' : '}');
	first = 0;
}

static void put_escaped(const unsigned char *s, size_t len)
{
	size_t i;

	putchar('"');
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			printf("\\n");
		else if (c == '\t')
			printf("\\t");
		else if (c == '\r')
			printf("\\r");
		else if (c < 0x20 || c >= 0x7f)
			printf(json ? "\\u%04x" : "\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void v_str(const char *k, const char *s)
{
	key(k);
	if (s)
		put_escaped((const unsigned char *)s, strlen(s));
	else
		printf("null");
}

static void v_bytes(const char *k, const void *p, size_t len)
{
	key(k);
	put_escaped(p, len);
}

static void v_u(const char *k, unsigned long long v)
{
	key(k);
	printf("%llu", v);
}

static void v_i(const char *k, long long v)
{
	key(k);
	printf("%lld", v);
}

/* Printed as is: a JSON literal (true, null...) or a text word. */
static void v_raw(const char *k, const char *w)
{
	key(k);
	fputs(w, stdout);
}

/* A string that needs no escaping, quoted in JSON only. */
static void v_word(const char *k, const char *w)
{
	key(k);
	printf(json ? "\"%s\"" : "%s", w);
}

static void v_x(const char *k, unsigned long long v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%llx", v);
	v_word(k, b);
}

static void v_oct(const char *k, unsigned int v)
{
	char b[16];

	snprintf(b, sizeof(b), "0%o", v);
	v_word(k, b);
}

struct name {
	unsigned long long val;
	const char *name;
};

/* Flag names joined by '|', unknown bits in hex, "0" when none. */
static void v_flags(const char *k, unsigned long long v,
		    const struct name *t)
{
	char b[512];
	size_t n = 0;

	b[0] = '\0';
	for (; t->name; t++) {
		if ((v & t->val) != t->val || !t->val)
			continue;
		n += snprintf(b + n, sizeof(b) - n, "%s%s", n ? "|" : "",
			      t->name);
		v &= ~t->val;
		if (n >= sizeof(b))
			n = sizeof(b) - 1;
	}
	if (v || !n)
		snprintf(b + n, sizeof(b) - n, "%s0x%llx", n ? "|" : "", v);
	v_word(k, b);
}

/* An enum value by name, or its number. */
static void v_enum(const char *k, unsigned long long v, const struct name *t)
{
	for (; t->name; t++) {
		if (t->val == v) {
			v_word(k, t->name);
			return;
		}
	}
	v_u(k, v);
}

static const char * const signames[32] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
	"SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
	"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
	"SIGSYS",
};

static const char *signame(unsigned int sig, char *b, size_t len)
{
	if (sig > 0 && sig < 32)
		return signames[sig];
	snprintf(b, len, sig >= 32 && sig <= 64 ? "SIGRTMIN+%u" : "%u",
		 sig >= 32 && sig <= 64 ? sig - 32 : sig);
	return b;
}

static void v_sig(const char *k, unsigned int sig)
{
	char b[24];

	v_word(k, signame(sig, b, sizeof(b)));
}

/* A signal mask (bit n-1: signal n): hex, then the names. */
static void v_sigset(const char *k, unsigned long long mask)
{
	char b[24], nk[64];
	unsigned int i;

	v_x(k, mask);
	if (!mask)
		return;
	snprintf(nk, sizeof(nk), "%s_sigs", k);
	open_c(nk, '[');
	for (i = 0; i < 64; i++)
		if (mask & (1ULL << i))
			v_word(NULL, signame(i + 1, b, sizeof(b)));
	close_c();
}

static void v_dev(const char *k, unsigned long long dev)
{
	char b[32];

	/* new_encode_dev() */
	snprintf(b, sizeof(b), "%llu:%llu", (dev & 0xfff00) >> 8,
		 (dev & 0xff) | ((dev >> 12) & 0xfff00));
	v_word(k, b);
}

static void v_range(const char *k, unsigned long long s, unsigned long long e)
{
	char b[48];

	snprintf(b, sizeof(b), "%llx-%llx", s, e);
	v_word(k, b);
}

static void v_time(const char *k, long long sec, unsigned int nsec)
{
	char b[64], t[40];
	struct tm tm;
	time_t tt = sec;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(t, sizeof(t), "%lld", sec);
	if (nsec)
		snprintf(b, sizeof(b), "%s.%09uZ", t, nsec);
	else
		snprintf(b, sizeof(b), "%sZ", t);
	v_word(k, b);
}

/* Fixed-size char array that should hold a NUL-terminated string. */
static void v_cstr(const char *k, const __u8 *s, size_t max)
{
	const __u8 *nul = memchr(s, 0, max);

	v_bytes(k, s, nul ? (size_t)(nul - s) : max);
}

static const struct name ckpt_flag_names[] = {
	{ CHECKPOINT_KILL, "KILL" },
	{ 0, NULL }
};

static const struct name exclude_names[] = {
	{ CKPT_EXCLUDE_ANON, "ANON" },
	{ CKPT_EXCLUDE_NET, "NET" },
	{ CKPT_EXCLUDE_FILEDATA, "FILEDATA" },
	{ 0, NULL }
};

static const struct name arch_names[] = {
	{ CKPT_ARCH_X86_64, "x86_64" },
	{ 0, NULL }
};

static const struct name kind_names[] = {
	{ CKPT_OBJ_NONE, "NONE" },
	{ CKPT_OBJ_TASK, "TASK" },
	{ CKPT_OBJ_THREAD, "THREAD" },
	{ CKPT_OBJ_MM, "MM" },
	{ CKPT_OBJ_VMA, "VMA" },
	{ CKPT_OBJ_FILE, "FILE" },
	{ CKPT_OBJ_SIGNAL, "SIGNAL" },
	{ CKPT_OBJ_CREDS, "CREDS" },
	{ CKPT_OBJ_NAMESPACE, "NAMESPACE" },
	{ CKPT_OBJ_ARCH, "ARCH" },
	{ CKPT_OBJ_FS, "FS" },
	{ CKPT_OBJ_IPC, "IPC" },
	{ CKPT_OBJ_SOCKET, "SOCKET" },
	{ 0, NULL }
};

static const struct name file_type_names[] = {
	{ CKPT_FILE_REGULAR, "REGULAR" },
	{ CKPT_FILE_PIPE, "PIPE" },
	{ CKPT_FILE_FIFO, "FIFO" },
	{ CKPT_FILE_CHRDEV, "CHRDEV" },
	{ CKPT_FILE_EXTERNAL, "EXTERNAL" },
	{ CKPT_FILE_SHMEM, "SHMEM" },
	{ CKPT_FILE_EVENTFD, "EVENTFD" },
	{ CKPT_FILE_EPOLL, "EPOLL" },
	{ CKPT_FILE_TIMERFD, "TIMERFD" },
	{ CKPT_FILE_SIGNALFD, "SIGNALFD" },
	{ CKPT_FILE_MQUEUE, "MQUEUE" },
	{ CKPT_FILE_SOCKET, "SOCKET" },
	{ CKPT_FILE_NET_SKIPPED, "NET_SKIPPED" },
	{ CKPT_FILE_PTY_MASTER, "PTY_MASTER" },
	{ CKPT_FILE_PTY_SLAVE, "PTY_SLAVE" },
	{ 0, NULL }
};

/* x86_64 O_* values (the image stores the kernel's f_flags). */
static const struct name o_flag_names[] = {
	{ 00000100, "O_CREAT" },
	{ 00000200, "O_EXCL" },
	{ 00000400, "O_NOCTTY" },
	{ 00001000, "O_TRUNC" },
	{ 00002000, "O_APPEND" },
	{ 00004000, "O_NONBLOCK" },
	{ 04010000, "O_SYNC" },
	{ 00010000, "O_DSYNC" },
	{ 00020000, "FASYNC" },
	{ 00040000, "O_DIRECT" },
	{ 00100000, "O_LARGEFILE" },
	{ 00200000, "O_DIRECTORY" },
	{ 00400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" },
	{ 010000000, "O_PATH" },
	{ 0, NULL }
};

static const struct name vma_type_names[] = {
	{ CKPT_VMA_ANON, "ANON" },
	{ CKPT_VMA_FILE, "FILE" },
	{ CKPT_VMA_VDSO, "VDSO" },
	{ CKPT_VMA_VVAR, "VVAR" },
	{ CKPT_VMA_SHMEM, "SHMEM" },
	{ CKPT_VMA_SYSV, "SYSV" },
	{ 0, NULL }
};

static const struct name vma_flag_names[] = {
	{ CKPT_VMA_GROWSDOWN, "GROWSDOWN" },
	{ CKPT_VMA_LOCKED, "LOCKED" },
	{ CKPT_VMA_DONTDUMP, "DONTDUMP" },
	{ CKPT_VMA_DONTFORK, "DONTFORK" },
	{ CKPT_VMA_NORESERVE, "NORESERVE" },
	{ CKPT_VMA_HEAP, "HEAP" },
	{ CKPT_VMA_STACK, "STACK" },
	{ CKPT_VMA_MAYWRITE, "MAYWRITE" },
	{ CKPT_VMA_MAYEXEC, "MAYEXEC" },
	{ CKPT_VMA_WIPEONFORK, "WIPEONFORK" },
	{ CKPT_VMA_SKIPPED, "SKIPPED" },
	{ CKPT_VMA_SHARED, "SHARED" },
	{ 0, NULL }
};

static const struct name task_flag_names[] = {
	{ CKPT_TASK_NO_NEW_PRIVS, "NO_NEW_PRIVS" },
	{ CKPT_TASK_SELF, "SELF" },
	{ 0, NULL }
};

static const struct name tree_flag_names[] = {
	{ CKPT_TREE_PIDNS, "PIDNS" },
	{ CKPT_TREE_IPCNS, "IPCNS" },
	{ CKPT_TREE_UTSNS, "UTSNS" },
	{ 0, NULL }
};

static const struct name entry_flag_names[] = {
	{ CKPT_TREE_ZOMBIE, "ZOMBIE" },
	{ 0, NULL }
};

static const struct name signal_flag_names[] = {
	{ CKPT_SIGNAL_STOPPED, "STOPPED" },
	{ CKPT_SIGNAL_SUBREAPER, "SUBREAPER" },
	{ 0, NULL }
};

static const struct name mm_flag_names[] = {
	{ CKPT_MM_MDWE, "MDWE" },
	{ CKPT_MM_MDWE_NO_INHERIT, "MDWE_NO_INHERIT" },
	{ CKPT_MM_THP_DISABLE, "THP_DISABLE" },
	{ 0, NULL }
};

static const struct name fd_flag_names[] = {
	{ CKPT_FD_CLOEXEC, "CLOEXEC" },
	{ 0, NULL }
};

static const struct name sa_flag_names[] = {
	{ 0x00000001, "SA_NOCLDSTOP" },
	{ 0x00000002, "SA_NOCLDWAIT" },
	{ 0x00000004, "SA_SIGINFO" },
	{ 0x04000000, "SA_RESTORER" },
	{ 0x08000000, "SA_ONSTACK" },
	{ 0x10000000, "SA_RESTART" },
	{ 0x40000000, "SA_NODEFER" },
	{ 0x80000000, "SA_RESETHAND" },
	{ 0, NULL }
};

static const struct name xfeature_names[] = {
	{ 1ULL << 0, "FP" },
	{ 1ULL << 1, "SSE" },
	{ 1ULL << 2, "YMM" },
	{ 1ULL << 3, "BNDREGS" },
	{ 1ULL << 4, "BNDCSR" },
	{ 1ULL << 5, "OPMASK" },
	{ 1ULL << 6, "ZMM_Hi256" },
	{ 1ULL << 7, "Hi16_ZMM" },
	{ 1ULL << 8, "PT" },
	{ 1ULL << 9, "PKRU" },
	{ 1ULL << 10, "PASID" },
	{ 1ULL << 11, "CET_USER" },
	{ 1ULL << 12, "CET_KERNEL" },
	{ 1ULL << 15, "LBR" },
	{ 1ULL << 17, "XTILE_CFG" },
	{ 1ULL << 18, "XTILE_DATA" },
	{ 0, NULL }
};

static const char * const rlimit_names[CKPT_RLIM_NLIMITS] = {
	"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE",
	"MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO",
	"RTTIME",
};

static void dump_header(const struct ckpt_rec_header *h)
{
	char ver[16];

	v_cstr("magic", h->magic, sizeof(h->magic));
	snprintf(ver, sizeof(ver), "%u.%u", ckpt_le16(h->major),
		 ckpt_le16(h->minor));
	v_word("version", ver);
	v_enum("arch", ckpt_le16(h->arch), arch_names);
	v_u("page_size", ckpt_le32(h->page_size));
	v_u("nr_tasks", ckpt_le32(h->nr_tasks));
	v_flags("flags", ckpt_le64(h->flags), ckpt_flag_names);
	v_flags("exclude", ckpt_le64(h->exclude), exclude_names);
	v_u("time", ckpt_le64(h->time));
	v_time("date", ckpt_le64(h->time), 0);
	v_u("id", ckpt_le64(h->id));
	v_cstr("release", h->release, sizeof(h->release));
	v_cstr("machine", h->machine, sizeof(h->machine));
}

static void dump_error(const struct ckpt_rec_error *e)
{
	__u32 err = ckpt_le32(e->error);

	v_u("error", err);
	v_str("strerror", strerror(err));
	v_u("pid", ckpt_le32(e->pid));
	v_enum("kind", ckpt_le32(e->kind), kind_names);
	v_i("fd", (__s32)ckpt_le32(e->fd));
	v_x("addr", ckpt_le64(e->addr));
	v_str("msg", ckpt_error_msg(e));
}

static void dump_tree(const struct ckpt_rec_tree *t)
{
	__u32 i, n = ckpt_le32(t->nr_tasks);

	v_u("nr_tasks", n);
	v_flags("flags", ckpt_le32(t->flags), tree_flag_names);
	open_c("tasks", '[');
	for (i = 0; i < n; i++) {
		const struct ckpt_tree_entry *e = &t->tasks[i];

		open_c(NULL, '{');
		v_u("pid", ckpt_le32(e->pid));
		v_u("tgid", ckpt_le32(e->tgid));
		v_u("ppid", ckpt_le32(e->ppid));
		v_u("pgid", ckpt_le32(e->pgid));
		v_u("sid", ckpt_le32(e->sid));
		v_flags("flags", ckpt_le32(e->flags), entry_flag_names);
		v_sig("exit_signal", ckpt_le32(e->exit_signal));
		v_flags("exclude", ckpt_le32(e->exclude), exclude_names);
		if (ckpt_le32(e->flags) & CKPT_TREE_ZOMBIE)
			v_x("exit_code", ckpt_le32(e->exit_code));
		close_c();
	}
	close_c();
}

static void dump_creds(const struct ckpt_rec_creds *c)
{
	__u32 i, n = ckpt_le32(c->ngroups);

	v_u("objref", ckpt_le32(c->objref));
	v_u("uid", ckpt_le32(c->uid));
	v_u("euid", ckpt_le32(c->euid));
	v_u("suid", ckpt_le32(c->suid));
	v_u("fsuid", ckpt_le32(c->fsuid));
	v_u("gid", ckpt_le32(c->gid));
	v_u("egid", ckpt_le32(c->egid));
	v_u("sgid", ckpt_le32(c->sgid));
	v_u("fsgid", ckpt_le32(c->fsgid));
	v_x("securebits", ckpt_le32(c->securebits));
	v_x("cap_inheritable", ckpt_le64(c->cap_inheritable));
	v_x("cap_permitted", ckpt_le64(c->cap_permitted));
	v_x("cap_effective", ckpt_le64(c->cap_effective));
	v_x("cap_bset", ckpt_le64(c->cap_bset));
	v_x("cap_ambient", ckpt_le64(c->cap_ambient));
	v_u("ngroups", n);
	open_c("groups", '[');
	for (i = 0; i < n; i++)
		v_u(NULL, ckpt_le32(c->groups[i]));
	close_c();
}

static void dump_fs(const struct ckpt_rec_fs *f)
{
	v_u("objref", ckpt_le32(f->objref));
	v_oct("umask", ckpt_le32(f->umask));
	v_str("cwd", ckpt_fs_cwd(f));
	v_str("root", ckpt_fs_root(f));
}

static void dump_pipe(const struct ckpt_rec_pipe *p)
{
	__u64 n = ckpt_le64(p->nr_bytes);

	v_u("objref", ckpt_le32(p->objref));
	v_u("size", ckpt_le64(p->size));
	v_u("nr_bytes", n);
	if (n)
		v_bytes("data", ckpt_pipe_data(p),
			n > 32 && !verbose ? 32 : n);
}

static void v_mode(const char *k, unsigned int mode)
{
	static const char types[16] = "?pc?d?b?-?l?s???";
	char b[24];

	snprintf(b, sizeof(b), "%c%04o", types[(mode >> 12) & 15],
		 mode & 07777);
	v_word(k, b);
}

static void dump_file(const struct ckpt_rec_file *f)
{
	__u32 type = ckpt_le32(f->type), flags = ckpt_le32(f->f_flags);
	static const char * const acc[4] = {
		"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"
	};
	char b[24];

	v_u("objref", ckpt_le32(f->objref));
	v_enum("ftype", type, file_type_names);
	v_word("access", acc[flags & 3]);
	v_flags("f_flags", flags & ~3U, o_flag_names);
	if ((type >= CKPT_FILE_EVENTFD && type <= CKPT_FILE_SIGNALFD) ||
	    type == CKPT_FILE_PTY_MASTER || type == CKPT_FILE_PTY_SLAVE) {
		/* no path, no identity: the record before says it all */
		v_u("obj_ref", ckpt_le32(f->obj_ref));
		return;
	}
	v_mode("f_mode", ckpt_le32(f->f_mode));
	v_u("pos", ckpt_le64(f->pos));
	if (type == CKPT_FILE_PIPE || type == CKPT_FILE_FIFO ||
	    type == CKPT_FILE_SHMEM || f->obj_ref)
		v_u("obj_ref", ckpt_le32(f->obj_ref));
	if (type == CKPT_FILE_NET_SKIPPED) {
		v_u("family", ckpt_le32(f->rdev) >> 16);
		v_u("socktype", ckpt_le32(f->rdev) & 0xffff);
	}
	if (type == CKPT_FILE_CHRDEV) {
		snprintf(b, sizeof(b), "%u:%u", ckpt_le32(f->rdev) >> 20,
			 ckpt_le32(f->rdev) & 0xfffff);
		v_word("rdev", b);
	}
	v_dev("dev", ckpt_le64(f->dev));
	v_u("ino", ckpt_le64(f->ino));
	v_u("size", ckpt_le64(f->size));
	v_time("mtime", ckpt_le64(f->mtime_sec), ckpt_le32(f->mtime_nsec));
	v_str("path", ckpt_file_path(f));
}

static void dump_files(const struct ckpt_rec_files *f)
{
	__u32 i, n = ckpt_le32(f->nr_fds);

	v_u("objref", ckpt_le32(f->objref));
	v_u("nr_fds", n);
	v_u("max_fds", ckpt_le32(f->max_fds));
	open_c("fds", '[');
	for (i = 0; i < n; i++) {
		open_c(NULL, '{');
		v_u("fd", ckpt_le32(f->fds[i].fd));
		v_u("file_ref", ckpt_le32(f->fds[i].file_ref));
		v_flags("flags", ckpt_le32(f->fds[i].flags), fd_flag_names);
		close_c();
	}
	close_c();
}

static void dump_mm(const struct ckpt_rec_mm *m)
{
	__u32 i, n = ckpt_le32(m->nr_auxv);

	v_u("objref", ckpt_le32(m->objref));
	v_u("nr_vmas", ckpt_le32(m->nr_vmas));
	v_range("code", ckpt_le64(m->start_code), ckpt_le64(m->end_code));
	v_range("data", ckpt_le64(m->start_data), ckpt_le64(m->end_data));
	v_range("brk", ckpt_le64(m->start_brk), ckpt_le64(m->brk));
	v_x("start_stack", ckpt_le64(m->start_stack));
	v_range("arg", ckpt_le64(m->arg_start), ckpt_le64(m->arg_end));
	v_range("env", ckpt_le64(m->env_start), ckpt_le64(m->env_end));
	v_x("mmap_base", ckpt_le64(m->mmap_base));
	v_flags("def_flags", ckpt_le64(m->def_flags), vma_flag_names);
	v_u("dumpable", ckpt_le64(m->flags) & CKPT_MM_DUMPABLE);
	v_flags("flags", ckpt_le64(m->flags) & ~(__u64)CKPT_MM_DUMPABLE,
		mm_flag_names);
	v_u("nr_auxv", n);
	if (verbose) {
		open_c("auxv", '[');
		for (i = 0; i + 1 < n; i += 2) {
			open_c(NULL, '{');
			v_u("type", ckpt_le64(m->auxv[i]));
			v_x("val", ckpt_le64(m->auxv[i + 1]));
			close_c();
		}
		close_c();
	}
	v_str("exe", ckpt_mm_exe(m));
}

static void dump_vma(const struct ckpt_rec_vma *v, __u32 page_size)
{
	__u32 prot = ckpt_le32(v->prot);
	char perms[5];

	perms[0] = prot & CKPT_PROT_READ ? 'r' : '-';
	perms[1] = prot & CKPT_PROT_WRITE ? 'w' : '-';
	perms[2] = prot & CKPT_PROT_EXEC ? 'x' : '-';
	perms[3] = ckpt_le32(v->flags) & CKPT_VMA_SHARED ? 's' : 'p';
	perms[4] = '\0';
	v_range("range", ckpt_le64(v->start), ckpt_le64(v->end));
	v_word("perms", perms);
	v_x("offset", ckpt_le64(v->pgoff) * page_size);
	v_dev("dev", ckpt_le64(v->dev));
	v_u("ino", ckpt_le64(v->ino));
	v_enum("vtype", ckpt_le32(v->type), vma_type_names);
	v_flags("flags", ckpt_le32(v->flags), vma_flag_names);
	v_u("pages", (ckpt_le64(v->end) - ckpt_le64(v->start)) / page_size);
	if (v->obj_ref)
		v_u("obj_ref", ckpt_le32(v->obj_ref));
	if (ckpt_le32(v->type) == CKPT_VMA_SYSV)
		v_u("segsz", ckpt_le64(v->size));
	if (ckpt_le32(v->type) == CKPT_VMA_FILE) {
		v_u("size", ckpt_le64(v->size));
		v_time("mtime", ckpt_le64(v->mtime_sec),
		       ckpt_le32(v->mtime_nsec));
	}
	v_str("path", ckpt_vma_path(v));
}

static void dump_pages(const struct ckpt_rec_pages *p, __u32 ps)
{
	__u32 i, n = ckpt_le32(p->nr_pages);

	v_u("nr_pages", n);
	v_range("range", ckpt_le64(p->addrs[0]),
		ckpt_le64(p->addrs[n - 1]) + ps);
	if (!verbose)
		return;
	open_c("addrs", '[');
	for (i = 0; i < n; i++)
		v_x(NULL, ckpt_le64(p->addrs[i]));
	close_c();
}

static const struct name shmem_flag_names[] = {
	{ CKPT_SHMEM_ANON, "ANON" },
	{ 0, NULL }
};

static const struct name seal_names[] = {
	{ 0x0001, "SEAL" },
	{ 0x0002, "SHRINK" },
	{ 0x0004, "GROW" },
	{ 0x0008, "WRITE" },
	{ 0x0010, "FUTURE_WRITE" },
	{ 0x0020, "EXEC" },
	{ 0, NULL }
};

static const struct name eventfd_flag_names[] = {
	{ CKPT_EVENTFD_SEMAPHORE, "SEMAPHORE" },
	{ 0, NULL }
};

static void dump_eventfd(const struct ckpt_rec_eventfd *e)
{
	v_u("objref", ckpt_le32(e->objref));
	v_flags("flags", ckpt_le32(e->flags), eventfd_flag_names);
	v_u("count", ckpt_le64(e->count));
}

/* <sys/epoll.h> values, which are the same on every architecture */
static const struct name epoll_event_names[] = {
	{ 0x001, "IN" },
	{ 0x002, "PRI" },
	{ 0x004, "OUT" },
	{ 0x008, "ERR" },
	{ 0x010, "HUP" },
	{ 0x020, "NVAL" },
	{ 0x040, "RDNORM" },
	{ 0x080, "RDBAND" },
	{ 0x100, "WRNORM" },
	{ 0x200, "WRBAND" },
	{ 0x400, "MSG" },
	{ 0x2000, "RDHUP" },
	{ 1U << 28, "EXCLUSIVE" },
	{ 1U << 29, "WAKEUP" },
	{ 1U << 30, "ONESHOT" },
	{ 1U << 31, "ET" },
	{ 0, NULL }
};

static const struct name epoll_watch_flag_names[] = {
	{ CKPT_EPOLL_READY, "READY" },
	{ 0, NULL }
};

static void dump_epoll(const struct ckpt_rec_epoll *e)
{
	__u32 i, n = ckpt_le32(e->nr_watches);

	v_u("objref", ckpt_le32(e->objref));
	v_u("nr_watches", n);
	open_c("watches", '[');
	for (i = 0; i < n; i++) {
		const struct ckpt_epoll_watch *w = &e->watches[i];

		open_c(NULL, '{');
		v_u("fd", ckpt_le32(w->fd));
		v_u("file_ref", ckpt_le32(w->file_ref));
		v_flags("events", ckpt_le32(w->events), epoll_event_names);
		v_flags("flags", ckpt_le32(w->flags), epoll_watch_flag_names);
		v_x("data", ckpt_le64(w->data));
		close_c();
	}
	close_c();
}

static const struct name clock_names[] = {
	{ 0, "REALTIME" },
	{ 1, "MONOTONIC" },
	{ 7, "BOOTTIME" },
	{ 8, "REALTIME_ALARM" },
	{ 9, "BOOTTIME_ALARM" },
	{ 0, NULL }
};

static const struct name timerfd_flag_names[] = {
	{ CKPT_TIMERFD_ABSTIME, "ABSTIME" },
	{ CKPT_TIMERFD_CANCEL_ON_SET, "CANCEL_ON_SET" },
	{ CKPT_TIMERFD_CANCELED, "CANCELED" },
	{ 0, NULL }
};

/* a time in nanoseconds as seconds */
static void v_ns(const char *k, __u64 ns)
{
	char b[32];

	snprintf(b, sizeof(b), "%llu.%09llu", (unsigned long long)(ns / 1000000000),
		 (unsigned long long)(ns % 1000000000));
	v_raw(k, b);
}

static void dump_timerfd(const struct ckpt_rec_timerfd *t)
{
	__u64 exp = ckpt_le64(t->expires);

	v_u("objref", ckpt_le32(t->objref));
	v_enum("clock", ckpt_le32(t->clockid), clock_names);
	v_flags("flags", ckpt_le32(t->flags), timerfd_flag_names);
	v_u("ticks", ckpt_le64(t->ticks));
	v_ns("value", ckpt_le64(t->value));
	v_ns("interval", ckpt_le64(t->interval));
	if (exp)
		v_time("expires", exp / 1000000000, exp % 1000000000);
}

static void dump_signalfd(const struct ckpt_rec_signalfd *f)
{
	v_u("objref", ckpt_le32(f->objref));
	v_sigset("mask", ckpt_le64(f->mask));
}

static void dump_shmem(const struct ckpt_rec_shmem *s)
{
	char b[16];

	v_u("objref", ckpt_le32(s->objref));
	v_flags("flags", ckpt_le32(s->flags), shmem_flag_names);
	v_u("size", ckpt_le64(s->size));
	v_flags("seals", ckpt_le32(s->seals), seal_names);
	snprintf(b, sizeof(b), "%04o", ckpt_le32(s->mode) & 07777);
	v_word("mode", b);
	v_str("name", (const char *)s->name);
}

static void dump_ipc_ns(const struct ckpt_rec_ipc_ns *n)
{
	v_u("shmmax", ckpt_le64(n->shm_ctlmax));
	v_u("shmall", ckpt_le64(n->shm_ctlall));
	v_u("shmmni", ckpt_le32(n->shm_ctlmni));
	v_u("shm_rmid_forced", ckpt_le32(n->shm_rmid_forced));
	v_u("msgmax", ckpt_le32(n->msg_ctlmax));
	v_u("msgmnb", ckpt_le32(n->msg_ctlmnb));
	v_u("msgmni", ckpt_le32(n->msg_ctlmni));
	v_u("semmsl", ckpt_le32(n->sem_ctls[0]));
	v_u("semmns", ckpt_le32(n->sem_ctls[1]));
	v_u("semopm", ckpt_le32(n->sem_ctls[2]));
	v_u("semmni", ckpt_le32(n->sem_ctls[3]));
	v_u("mq_queues_max", ckpt_le32(n->mq_queues_max));
	v_u("mq_msg_max", ckpt_le32(n->mq_msg_max));
	v_u("mq_msgsize_max", ckpt_le32(n->mq_msgsize_max));
	v_u("mq_msg_default", ckpt_le32(n->mq_msg_default));
	v_u("mq_msgsize_default", ckpt_le32(n->mq_msgsize_default));
}

static void dump_uts_ns(const struct ckpt_rec_uts_ns *u)
{
	v_cstr("nodename", u->nodename, sizeof(u->nodename));
	v_cstr("domainname", u->domainname, sizeof(u->domainname));
}

static void dump_ipc_perm(const struct ckpt_ipc_perm *p)
{
	v_i("id", (__s32)ckpt_le32(p->id));
	v_x("key", ckpt_le32(p->key));
	v_u("uid", ckpt_le32(p->uid));
	v_u("gid", ckpt_le32(p->gid));
	v_u("cuid", ckpt_le32(p->cuid));
	v_u("cgid", ckpt_le32(p->cgid));
	v_oct("mode", ckpt_le32(p->mode));
}

static const struct name shm_flag_names[] = {
	{ CKPT_SHM_DEST, "DEST" },
	{ CKPT_SHM_LOCKED, "LOCKED" },
	{ CKPT_SHM_NORESERVE, "NORESERVE" },
	{ 0, NULL }
};

static void dump_sysv_shm(const struct ckpt_rec_sysv_shm *s)
{
	v_u("objref", ckpt_le32(s->objref));
	v_flags("flags", ckpt_le32(s->flags), shm_flag_names);
	dump_ipc_perm(&s->perm);
	v_u("size", ckpt_le64(s->size));
	v_time("atime", ckpt_le64(s->atime), 0);
	v_time("dtime", ckpt_le64(s->dtime), 0);
	v_time("ctime", ckpt_le64(s->ctime), 0);
	v_u("cpid", ckpt_le32(s->cpid));
	v_u("lpid", ckpt_le32(s->lpid));
}

static void dump_sysv_sem(const struct ckpt_rec_sysv_sem *s)
{
	__u32 i, n = ckpt_le32(s->nsems);

	v_u("objref", ckpt_le32(s->objref));
	dump_ipc_perm(&s->perm);
	v_u("nsems", n);
	v_time("otime", ckpt_le64(s->otime), 0);
	v_time("ctime", ckpt_le64(s->ctime), 0);
	open_c("sems", '[');
	for (i = 0; i < n && (verbose || i < 32); i++) {
		open_c(NULL, '{');
		v_u("semval", ckpt_le16(s->sems[i].semval));
		v_u("sempid", ckpt_le32(s->sems[i].sempid));
		close_c();
	}
	close_c();
}

static void dump_sysv_msq(const struct ckpt_rec_sysv_msq *q)
{
	v_u("objref", ckpt_le32(q->objref));
	dump_ipc_perm(&q->perm);
	v_u("nr_msgs", ckpt_le32(q->nr_msgs));
	v_u("qbytes", ckpt_le64(q->qbytes));
	v_u("cbytes", ckpt_le64(q->cbytes));
	v_time("stime", ckpt_le64(q->stime), 0);
	v_time("rtime", ckpt_le64(q->rtime), 0);
	v_time("ctime", ckpt_le64(q->ctime), 0);
	v_u("lspid", ckpt_le32(q->lspid));
	v_u("lrpid", ckpt_le32(q->lrpid));
}

static void dump_ipc_msg(const struct ckpt_rec_ipc_msg *m)
{
	__u64 n = ckpt_le64(m->len);

	v_u("type", ckpt_le64(m->type));
	v_u("len", n);
	if (n)
		v_bytes("text", m->text, n > 32 && !verbose ? 32 : n);
}

static void dump_sem_undo(const struct ckpt_rec_sem_undo *u)
{
	const unsigned char *pos = u->entries;
	__u32 i, j, n = ckpt_le32(u->nr);

	v_u("objref", ckpt_le32(u->objref));
	v_u("nr", n);
	open_c("entries", '[');
	for (i = 0; i < n; i++) {
		const struct ckpt_sem_undo *e = (const void *)pos;
		__u32 nsems = ckpt_le32(e->nsems);

		open_c(NULL, '{');
		v_u("sem_ref", ckpt_le32(e->sem_ref));
		v_u("nsems", nsems);
		open_c("semadj", '[');
		for (j = 0; j < nsems && (verbose || j < 32); j++)
			v_i(NULL, (__s16)ckpt_le16(e->semadj[j]));
		close_c();
		close_c();
		pos += (sizeof(*e) + nsems * 2 + 7) & ~7UL;
	}
	close_c();
}

static const struct name mq_flag_names[] = {
	{ CKPT_MQ_UNLINKED, "UNLINKED" },
	{ 0, NULL }
};

static void dump_mqueue(const struct ckpt_rec_mqueue *q)
{
	v_u("objref", ckpt_le32(q->objref));
	v_flags("flags", ckpt_le32(q->flags), mq_flag_names);
	v_u("uid", ckpt_le32(q->uid));
	v_u("gid", ckpt_le32(q->gid));
	v_oct("mode", ckpt_le32(q->mode));
	v_u("maxmsg", ckpt_le64(q->maxmsg));
	v_u("msgsize", ckpt_le64(q->msgsize));
	v_u("nr_msgs", ckpt_le64(q->nr_msgs));
	v_str("name", (const char *)q->name);
}

static const struct name filedata_flag_names[] = {
	{ CKPT_FILEDATA_UNLINKED, "UNLINKED" },
	{ CKPT_FILEDATA_SKIPPED, "SKIPPED" },
	{ 0, NULL }
};

static void dump_filedata(const struct ckpt_rec_filedata *d)
{
	char b[16];

	v_u("objref", ckpt_le32(d->objref));
	v_flags("flags", ckpt_le32(d->flags), filedata_flag_names);
	v_u("size", ckpt_le64(d->size));
	snprintf(b, sizeof(b), "%04o", ckpt_le32(d->mode) & 07777);
	v_word("mode", b);
	v_str("path", (const char *)d->path);
}

static const struct name pty_flag_names[] = {
	{ CKPT_PTY_LOCKED, "LOCKED" },
	{ 0, NULL }
};

static void dump_pty(const struct ckpt_rec_pty *p)
{
	v_u("objref", ckpt_le32(p->objref));
	v_flags("flags", ckpt_le32(p->flags), pty_flag_names);
	v_u("index", ckpt_le32(p->index));
	v_x("c_iflag", ckpt_le32(p->c_iflag));
	v_x("c_oflag", ckpt_le32(p->c_oflag));
	v_x("c_cflag", ckpt_le32(p->c_cflag));
	v_x("c_lflag", ckpt_le32(p->c_lflag));
	v_u("c_ispeed", ckpt_le32(p->c_ispeed));
	v_u("c_ospeed", ckpt_le32(p->c_ospeed));
	v_u("c_line", p->c_line);
	v_bytes("c_cc", p->c_cc, sizeof(p->c_cc));
	v_u("ws_row", ckpt_le16(p->ws_row));
	v_u("ws_col", ckpt_le16(p->ws_col));
	v_u("ws_xpixel", ckpt_le16(p->ws_xpixel));
	v_u("ws_ypixel", ckpt_le16(p->ws_ypixel));
}

static void v_handler(const char *k, __u64 h)
{
	if (h == 0)
		v_word(k, "SIG_DFL");
	else if (h == 1)
		v_word(k, "SIG_IGN");
	else
		v_x(k, h);
}

static void dump_sighand(const struct ckpt_rec_sighand *s)
{
	__u32 i;

	v_u("objref", ckpt_le32(s->objref));
	v_u("nr", ckpt_le32(s->nr));
	open_c("actions", '[');
	for (i = 0; i < CKPT_NSIG; i++) {
		const struct ckpt_sigaction *a = &s->action[i];

		if (!verbose && !a->handler && !a->flags && !a->mask)
			continue;
		open_c(NULL, '{');
		v_sig("sig", i + 1);
		v_handler("handler", ckpt_le64(a->handler));
		v_flags("flags", ckpt_le64(a->flags), sa_flag_names);
		v_x("restorer", ckpt_le64(a->restorer));
		v_sigset("mask", ckpt_le64(a->mask));
		close_c();
	}
	close_c();
}

static void v_rlim(char *b, size_t len, __u64 v)
{
	if (v == ~0ULL)
		snprintf(b, len, "inf");
	else
		snprintf(b, len, "%llu", (unsigned long long)v);
}

static void dump_signal(const struct ckpt_rec_signal *s)
{
	char cur[24], max[24], b[64];
	__u32 i;

	v_u("objref", ckpt_le32(s->objref));
	v_flags("flags", ckpt_le32(s->flags), signal_flag_names);
	v_u("nr_rlim", ckpt_le32(s->nr_rlim));
	open_c("rlim", '{');
	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		v_rlim(cur, sizeof(cur), ckpt_le64(s->rlim[i].cur));
		v_rlim(max, sizeof(max), ckpt_le64(s->rlim[i].max));
		snprintf(b, sizeof(b), "%s/%s", cur, max);
		v_word(rlimit_names[i], b);
	}
	close_c();
}

static void dump_sigpending(const struct ckpt_rec_sigpending *s)
{
	__u32 i, n = ckpt_le32(s->nr_info);

	v_u("shared", ckpt_le32(s->shared));
	v_u("nr_info", n);
	v_sigset("signal", ckpt_le64(s->signal));
	open_c("info", '[');
	for (i = 0; i < n; i++) {
		const __u8 *si = s->info[i];
		__s32 signo, err, code, pid;
		__u32 uid;

		memcpy(&signo, si, 4);
		memcpy(&err, si + 4, 4);
		memcpy(&code, si + 8, 4);
		memcpy(&pid, si + 16, 4);
		memcpy(&uid, si + 20, 4);
		open_c(NULL, '{');
		v_sig("signo", (__u32)ckpt_le32(signo));
		v_i("errno", (__s32)ckpt_le32(err));
		v_i("code", (__s32)ckpt_le32(code));
		v_i("pid", (__s32)ckpt_le32(pid));
		v_u("uid", ckpt_le32(uid));
		close_c();
	}
	close_c();
}

static void dump_task(const struct ckpt_rec_task *t)
{
	v_u("pid", ckpt_le32(t->pid));
	v_u("tgid", ckpt_le32(t->tgid));
	v_cstr("comm", t->comm, sizeof(t->comm));
	v_flags("flags", ckpt_le32(t->flags), task_flag_names);
	v_u("creds_ref", ckpt_le32(t->creds_ref));
	v_u("fs_ref", ckpt_le32(t->fs_ref));
	v_u("files_ref", ckpt_le32(t->files_ref));
	v_u("mm_ref", ckpt_le32(t->mm_ref));
	v_u("sighand_ref", ckpt_le32(t->sighand_ref));
	v_u("signal_ref", ckpt_le32(t->signal_ref));
	v_u("pdeath_signal", ckpt_le32(t->pdeath_signal));
	v_x("personality", ckpt_le32(t->personality));
	v_x("rseq", ckpt_le64(t->rseq));
	v_u("rseq_len", ckpt_le32(t->rseq_len));
	v_x("rseq_sig", ckpt_le32(t->rseq_sig));
	v_x("robust_list", ckpt_le64(t->robust_list));
	v_u("robust_list_len", ckpt_le64(t->robust_list_len));
	v_x("clear_child_tid", ckpt_le64(t->clear_child_tid));
	v_x("set_child_tid", ckpt_le64(t->set_child_tid));
	v_x("sas_ss_sp", ckpt_le64(t->sas_ss_sp));
	v_u("sas_ss_size", ckpt_le64(t->sas_ss_size));
	v_x("sas_ss_flags", ckpt_le32(t->sas_ss_flags));
	v_sigset("blocked", ckpt_le64(t->blocked));
}

static void dump_regs(const struct ckpt_rec_x86_regs *r)
{
	static const struct {
		const char *name;
		size_t off;
	} regs[] = {
		{ "rip", offsetof(struct ckpt_rec_x86_regs, rip) },
		{ "rsp", offsetof(struct ckpt_rec_x86_regs, rsp) },
		{ "rax", offsetof(struct ckpt_rec_x86_regs, rax) },
		{ "orig_rax", offsetof(struct ckpt_rec_x86_regs, orig_rax) },
		{ "eflags", offsetof(struct ckpt_rec_x86_regs, eflags) },
		{ "rbx", offsetof(struct ckpt_rec_x86_regs, rbx) },
		{ "rcx", offsetof(struct ckpt_rec_x86_regs, rcx) },
		{ "rdx", offsetof(struct ckpt_rec_x86_regs, rdx) },
		{ "rsi", offsetof(struct ckpt_rec_x86_regs, rsi) },
		{ "rdi", offsetof(struct ckpt_rec_x86_regs, rdi) },
		{ "rbp", offsetof(struct ckpt_rec_x86_regs, rbp) },
		{ "r8", offsetof(struct ckpt_rec_x86_regs, r8) },
		{ "r9", offsetof(struct ckpt_rec_x86_regs, r9) },
		{ "r10", offsetof(struct ckpt_rec_x86_regs, r10) },
		{ "r11", offsetof(struct ckpt_rec_x86_regs, r11) },
		{ "r12", offsetof(struct ckpt_rec_x86_regs, r12) },
		{ "r13", offsetof(struct ckpt_rec_x86_regs, r13) },
		{ "r14", offsetof(struct ckpt_rec_x86_regs, r14) },
		{ "r15", offsetof(struct ckpt_rec_x86_regs, r15) },
		{ "cs", offsetof(struct ckpt_rec_x86_regs, cs) },
		{ "ss", offsetof(struct ckpt_rec_x86_regs, ss) },
		{ "ds", offsetof(struct ckpt_rec_x86_regs, ds) },
		{ "es", offsetof(struct ckpt_rec_x86_regs, es) },
		{ "fs", offsetof(struct ckpt_rec_x86_regs, fs) },
		{ "gs", offsetof(struct ckpt_rec_x86_regs, gs) },
		{ "fs_base", offsetof(struct ckpt_rec_x86_regs, fs_base) },
		{ "gs_base", offsetof(struct ckpt_rec_x86_regs, gs_base) },
	};
	size_t i;
	__u64 v;

	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		memcpy(&v, (const char *)r + regs[i].off, sizeof(v));
		v = ckpt_le64(v);
		if (!strcmp(regs[i].name, "orig_rax"))
			v_i("orig_rax", (__s64)v);
		else
			v_x(regs[i].name, v);
	}
}

static void dump_xstate(const struct ckpt_rec_x86_xstate *x)
{
	__u32 size = ckpt_le32(x->size);
	__u64 xcr0, bv;

	v_flags("xfeatures", ckpt_le64(x->xfeatures), xfeature_names);
	v_u("size", size);
	if (size < 512 + 64)
		return;
	/* XCR0 in the sw_reserved bytes at 464, xstate_bv at 512 */
	memcpy(&xcr0, x->xsave + 464, 8);
	memcpy(&bv, x->xsave + 512, 8);
	v_flags("xcr0", ckpt_le64(xcr0), xfeature_names);
	v_flags("xstate_bv", ckpt_le64(bv), xfeature_names);
}

static void dump_skipped(const struct ckpt_rec_skipped *s)
{
	v_flags("what", ckpt_le32(s->what), exclude_names);
	v_u("pid", ckpt_le32(s->pid));
	v_x("start", ckpt_le64(s->start));
	v_x("end", ckpt_le64(s->end));
}

static const struct name family_names[] = {
	{ AF_UNIX, "AF_UNIX" },
	{ AF_INET, "AF_INET" },
	{ AF_INET6, "AF_INET6" },
	{ 0, NULL }
};

static const struct name socktype_names[] = {
	{ SOCK_STREAM, "STREAM" },
	{ SOCK_DGRAM, "DGRAM" },
	{ SOCK_SEQPACKET, "SEQPACKET" },
	{ 0, NULL }
};

static const struct name sockstate_names[] = {
	{ CKPT_SOCK_UNCONNECTED, "UNCONNECTED" },
	{ CKPT_SOCK_LISTEN, "LISTEN" },
	{ CKPT_SOCK_CONNECTED, "CONNECTED" },
	{ 0, NULL }
};

static const struct name sock_flag_names[] = {
	{ CKPT_SOCK_PAIRED, "PAIRED" },
	{ CKPT_SOCK_PEER_GONE, "PEER_GONE" },
	{ CKPT_SOCK_PEER_NAME, "PEER_NAME" },
	{ CKPT_SOCK_BOUND, "BOUND" },
	{ CKPT_SOCK_REUSEADDR, "REUSEADDR" },
	{ CKPT_SOCK_REUSEPORT, "REUSEPORT" },
	{ CKPT_SOCK_KEEPALIVE, "KEEPALIVE" },
	{ CKPT_SOCK_LINGER, "LINGER" },
	{ CKPT_SOCK_SNDBUF_LOCK, "SNDBUF_LOCK" },
	{ CKPT_SOCK_RCVBUF_LOCK, "RCVBUF_LOCK" },
	{ CKPT_SOCK_PASSCRED, "PASSCRED" },
	{ CKPT_SOCK_PASSSEC, "PASSSEC" },
	{ CKPT_SOCK_PASSPIDFD, "PASSPIDFD" },
	{ CKPT_SOCK_V6ONLY, "V6ONLY" },
	{ CKPT_SOCK_BROADCAST, "BROADCAST" },
	{ CKPT_SOCK_FREEBIND, "FREEBIND" },
	{ CKPT_SOCK_PEERCRED, "PEERCRED" },
	{ CKPT_SOCK_BINDADDR, "BINDADDR" },
	{ CKPT_SOCK_HANDSHAKE, "HANDSHAKE" },
	{ 0, NULL }
};

static const struct name shut_names[] = {
	{ CKPT_SHUT_RD, "RD" },
	{ CKPT_SHUT_WR, "WR" },
	{ 0, NULL }
};

static const struct name tcp_flag_names[] = {
	{ CKPT_TCP_TIMESTAMPS, "TIMESTAMPS" },
	{ CKPT_TCP_SACK, "SACK" },
	{ CKPT_TCP_WSCALE, "WSCALE" },
	{ CKPT_TCP_NODELAY, "NODELAY" },
	{ CKPT_TCP_CORK, "CORK" },
	{ 0, NULL }
};

static const struct name queue_names[] = {
	{ CKPT_QUEUE_RECV, "RECV" },
	{ CKPT_QUEUE_SEND, "SEND" },
	{ 0, NULL }
};

static const struct name msg_flag_names[] = {
	{ CKPT_MSG_CREDS, "CREDS" },
	{ 0, NULL }
};

/* a socket address as text: a unix name, or address and port */
static void v_sockaddr(const char *k, const unsigned char *a, __u32 len)
{
	char b[160], ip[INET6_ADDRSTRLEN];
	__u16 family, port;

	if (!len)
		return;
	memcpy(&family, a, 2);
	if (family == AF_UNIX && len > 2 && a[2]) {
		int n = strnlen((const char *)a + 2, len - 2);

		snprintf(b, sizeof(b), "%.*s", n, a + 2);
	} else if (family == AF_UNIX && len > 2) {
		snprintf(b, sizeof(b), "@%.*s", (int)(len - 3), a + 3);
	} else if (family == AF_INET && len >= 16) {
		memcpy(&port, a + 2, 2);
		inet_ntop(AF_INET, a + 4, ip, sizeof(ip));
		snprintf(b, sizeof(b), "%s:%u", ip, ntohs(port));
	} else if (family == AF_INET6 && len >= 28) {
		memcpy(&port, a + 2, 2);
		inet_ntop(AF_INET6, a + 8, ip, sizeof(ip));
		snprintf(b, sizeof(b), "[%s]:%u", ip, ntohs(port));
	} else {
		snprintf(b, sizeof(b), "family %u, %u bytes", family, len);
	}
	v_str(k, b);
}

static void dump_socket(const struct ckpt_rec_socket *k)
{
	__u32 alen = ckpt_le32(k->addr_len), plen = ckpt_le32(k->peer_addr_len);
	__u32 path = ckpt_le32(k->path_len), ppath = ckpt_le32(k->peer_path_len);
	__u32 flags = ckpt_le32(k->flags);

	v_u("objref", ckpt_le32(k->objref));
	if (k->netns_ref)
		v_u("netns_ref", ckpt_le32(k->netns_ref));
	v_enum("family", ckpt_le16(k->family), family_names);
	v_enum("stype", ckpt_le16(k->type), socktype_names);
	if (k->protocol)
		v_u("protocol", ckpt_le32(k->protocol));
	v_enum("state", ckpt_le32(k->state), sockstate_names);
	v_flags("flags", flags, sock_flag_names);
	if (k->shutdown)
		v_flags("shutdown", ckpt_le32(k->shutdown), shut_names);
	if (k->error)
		v_u("error", ckpt_le32(k->error));
	v_u("sndbuf", ckpt_le32(k->sndbuf));
	v_u("rcvbuf", ckpt_le32(k->rcvbuf));
	if (ckpt_le32(k->rcvlowat) != 1)
		v_u("rcvlowat", ckpt_le32(k->rcvlowat));
	if (k->backlog)
		v_u("backlog", ckpt_le32(k->backlog));
	if (flags & CKPT_SOCK_LINGER)
		v_u("linger", ckpt_le32(k->linger));
	if ((__s32)ckpt_le32(k->peek_off) >= 0)
		v_u("peek_off", ckpt_le32(k->peek_off));
	if (k->rcvtimeo)
		v_u("rcvtimeo_us", ckpt_le64(k->rcvtimeo));
	if (k->sndtimeo)
		v_u("sndtimeo_us", ckpt_le64(k->sndtimeo));
	if (k->peer_ref)
		v_u("peer_ref", ckpt_le32(k->peer_ref));
	if (k->listener_ref)
		v_u("listener_ref", ckpt_le32(k->listener_ref));
	if (flags & CKPT_SOCK_PEERCRED) {
		v_u("peer_pid", ckpt_le32(k->peer_pid));
		v_i("peer_uid", (__s32)ckpt_le32(k->peer_uid));
		v_i("peer_gid", (__s32)ckpt_le32(k->peer_gid));
	}
	if (k->rcvq_msgs || k->rcvq_bytes) {
		v_u("rcvq_msgs", ckpt_le32(k->rcvq_msgs));
		v_u("rcvq_bytes", ckpt_le64(k->rcvq_bytes));
	}
	if (k->sndq_bytes)
		v_u("sndq_bytes", ckpt_le64(k->sndq_bytes));
	v_sockaddr("addr", k->data, alen);
	v_sockaddr("peer_addr", k->data + alen, plen);
	if (path) {
		v_str("path", (const char *)k->data + alen + plen);
		v_oct("mode", ckpt_le32(k->mode));
		v_dev("dev", ckpt_le64(k->dev));
		v_u("ino", ckpt_le64(k->ino));
	}
	if (ppath)
		v_str("peer_path", (const char *)k->data + alen + plen + path);
}

static void dump_sock_tcp(const struct ckpt_rec_sock_tcp *t)
{
	v_flags("flags", ckpt_le32(t->flags), tcp_flag_names);
	v_u("mss_clamp", ckpt_le32(t->mss_clamp));
	v_u("snd_wscale", ckpt_le32(t->snd_wscale));
	v_u("rcv_wscale", ckpt_le32(t->rcv_wscale));
	v_u("rcv_nxt", ckpt_le32(t->rcv_nxt));
	v_u("write_seq", ckpt_le32(t->write_seq));
	v_u("snd_una", ckpt_le32(t->snd_una));
	v_u("snd_nxt", ckpt_le32(t->snd_nxt));
	v_u("tsval", ckpt_le32(t->tsval));
	v_u("snd_wl1", ckpt_le32(t->snd_wl1));
	v_u("snd_wnd", ckpt_le32(t->snd_wnd));
	v_u("max_window", ckpt_le32(t->max_window));
	v_u("rcv_wnd", ckpt_le32(t->rcv_wnd));
	v_u("rcv_wup", ckpt_le32(t->rcv_wup));
	if (t->keepidle)
		v_u("keepidle", ckpt_le32(t->keepidle));
	if (t->keepintvl)
		v_u("keepintvl", ckpt_le32(t->keepintvl));
	if (t->keepcnt)
		v_u("keepcnt", ckpt_le32(t->keepcnt));
	if (t->user_timeout)
		v_u("user_timeout", ckpt_le32(t->user_timeout));
	if (t->notsent_lowat)
		v_u("notsent_lowat", ckpt_le32(t->notsent_lowat));
}

static void dump_sock_queue(const struct ckpt_rec_sock_queue *q, __u32 len)
{
	const unsigned char *p = q->msgs, *end = (const unsigned char *)q + len;
	__u32 i, n = ckpt_le32(q->nr_msgs);

	v_u("sock_ref", ckpt_le32(q->sock_ref));
	v_enum("queue", ckpt_le32(q->queue), queue_names);
	v_u("nr_msgs", n);
	open_c("msgs", '[');
	for (i = 0; i < n && end - p >= (long)sizeof(struct ckpt_sock_msg); i++) {
		struct ckpt_sock_msg m;
		__u32 k, nfd, nlen, dlen;
		__u64 used;

		memcpy(&m, p, sizeof(m));
		nfd = ckpt_le32(m.nr_fds);
		nlen = ckpt_le32(m.name_len);
		dlen = ckpt_le32(m.len);
		used = sizeof(m) + (__u64)nfd * 4 + nlen + dlen;
		if (used > (__u64)(end - p))
			break;
		if (!verbose && i >= 8) {
			p += (used + CKPT_ALIGN - 1) & ~(__u64)(CKPT_ALIGN - 1);
			continue;
		}
		open_c(NULL, '{');
		v_u("len", dlen);
		if (m.flags) {
			v_flags("flags", ckpt_le32(m.flags), msg_flag_names);
			v_u("pid", ckpt_le32(m.pid));
			v_i("uid", (__s32)ckpt_le32(m.uid));
			v_i("gid", (__s32)ckpt_le32(m.gid));
		}
		if (nfd) {
			open_c("fds", '[');
			for (k = 0; k < nfd; k++) {
				__u32 ref;

				memcpy(&ref, p + sizeof(m) + 4 * k, 4);
				v_u(NULL, ckpt_le32(ref));
			}
			close_c();
		}
		v_sockaddr("from", p + sizeof(m) + 4 * nfd, nlen);
		if (dlen)
			v_bytes("data", p + sizeof(m) + 4 * nfd + nlen,
				dlen > 32 && !verbose ? 32 : dlen);
		close_c();
		p += (used + CKPT_ALIGN - 1) & ~(__u64)(CKPT_ALIGN - 1);
	}
	close_c();
}

static const struct name netdev_kind_names[] = {
	{ CKPT_NETDEV_LOOPBACK, "LOOPBACK" },
	{ CKPT_NETDEV_VETH, "VETH" },
	{ 0, NULL }
};

static void v_ip(const char *k, __u8 family, const __u8 *a)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(family == AF_INET ? AF_INET : AF_INET6, a, ip, sizeof(ip));
	v_str(k, ip);
}

static void dump_netns(const struct ckpt_rec_netns *n)
{
	v_u("objref", ckpt_le32(n->objref));
	v_u("nr_devs", ckpt_le32(n->nr_devs));
	v_u("nr_addrs", ckpt_le32(n->nr_addrs));
	v_u("nr_routes", ckpt_le32(n->nr_routes));
}

static void dump_netdev(const struct ckpt_rec_netdev *d)
{
	char mac[3 * 32 + 1] = "";
	__u32 i, n = ckpt_le32(d->addr_len);

	for (i = 0; i < n && i < sizeof(d->addr); i++)
		snprintf(mac + 3 * i, sizeof(mac) - 3 * i, "%s%02x", i ? ":" : "",
			 d->addr[i]);
	v_u("index", ckpt_le32(d->index));
	v_enum("kind", ckpt_le32(d->kind), netdev_kind_names);
	v_word("flags", ckpt_le32(d->flags) & CKPT_NETDEV_UP ? "UP" : "0x0");
	v_u("mtu", ckpt_le32(d->mtu));
	if (n)
		v_str("hwaddr", mac + (mac[0] == ':'));
	v_cstr("name", d->name, sizeof(d->name));
	if (d->peer_name[0])
		v_cstr("peer_name", d->peer_name, sizeof(d->peer_name));
}

static void dump_netaddr(const struct ckpt_rec_netaddr *a)
{
	v_u("index", ckpt_le32(a->index));
	v_ip("local", a->family, a->local);
	v_u("prefixlen", a->prefixlen);
	v_u("scope", a->scope);
	v_x("flags", ckpt_le32(a->flags));
	if (a->label[0])
		v_cstr("label", a->label, sizeof(a->label));
}

static void dump_netroute(const struct ckpt_rec_netroute *r)
{
	v_ip("dst", r->family, r->dst);
	v_u("dst_len", r->dst_len);
	if (r->oif)
		v_u("oif", ckpt_le32(r->oif));
	v_ip("gateway", r->family, r->gateway);
	v_u("protocol", r->protocol);
	v_u("scope", r->scope);
	v_u("type", r->type);
	if (r->priority)
		v_u("priority", ckpt_le32(r->priority));
}

static void dump_record(struct ckpt_image *img, const struct ckpt_rec *rec)
{
	const char *name = ckpt_rec_type_name(rec->type);
	__u32 ps = ckpt_le32(ckpt_image_header(img)->page_size);
	char tb[16];

	if (!name) {
		snprintf(tb, sizeof(tb), "0x%x", rec->type);
		name = tb;
	}
	if (json) {
		open_c(NULL, '{');
		v_word("type", name);
		v_u("index", rec->index);
		v_u("offset", rec->offset);
		v_u("len", rec->len);
	} else {
		printf("%5llu %10llu %-10s len=%u",
		       (unsigned long long)rec->index,
		       (unsigned long long)rec->offset, name, rec->len);
		first = 0;
	}

	switch (rec->type) {
	case CKPT_REC_HEADER:
		dump_header(CKPT_REC(rec, struct ckpt_rec_header));
		break;
	case CKPT_REC_TAIL: {
		const struct ckpt_rec_tail *t = CKPT_REC(rec, struct ckpt_rec_tail);

		v_u("nr_records", ckpt_le64(t->nr_records));
		v_u("size", ckpt_le64(t->size));
		break;
	}
	case CKPT_REC_ERROR:
		dump_error(CKPT_REC(rec, struct ckpt_rec_error));
		break;
	case CKPT_REC_TREE:
		dump_tree(CKPT_REC(rec, struct ckpt_rec_tree));
		break;
	case CKPT_REC_CREDS:
		dump_creds(CKPT_REC(rec, struct ckpt_rec_creds));
		break;
	case CKPT_REC_FS:
		dump_fs(CKPT_REC(rec, struct ckpt_rec_fs));
		break;
	case CKPT_REC_FILE:
		dump_file(CKPT_REC(rec, struct ckpt_rec_file));
		break;
	case CKPT_REC_PIPE:
		dump_pipe(CKPT_REC(rec, struct ckpt_rec_pipe));
		break;
	case CKPT_REC_FILES:
		dump_files(CKPT_REC(rec, struct ckpt_rec_files));
		break;
	case CKPT_REC_MM:
		dump_mm(CKPT_REC(rec, struct ckpt_rec_mm));
		break;
	case CKPT_REC_VMA:
		dump_vma(CKPT_REC(rec, struct ckpt_rec_vma), ps);
		break;
	case CKPT_REC_PAGES:
		dump_pages(CKPT_REC(rec, struct ckpt_rec_pages), ps);
		break;
	case CKPT_REC_SHMEM:
		dump_shmem(CKPT_REC(rec, struct ckpt_rec_shmem));
		break;
	case CKPT_REC_EVENTFD:
		dump_eventfd(CKPT_REC(rec, struct ckpt_rec_eventfd));
		break;
	case CKPT_REC_EPOLL:
		dump_epoll(CKPT_REC(rec, struct ckpt_rec_epoll));
		break;
	case CKPT_REC_TIMERFD:
		dump_timerfd(CKPT_REC(rec, struct ckpt_rec_timerfd));
		break;
	case CKPT_REC_SIGNALFD:
		dump_signalfd(CKPT_REC(rec, struct ckpt_rec_signalfd));
		break;
	case CKPT_REC_IPC_NS:
		dump_ipc_ns(CKPT_REC(rec, struct ckpt_rec_ipc_ns));
		break;
	case CKPT_REC_UTS_NS:
		dump_uts_ns(CKPT_REC(rec, struct ckpt_rec_uts_ns));
		break;
	case CKPT_REC_SYSV_SHM:
		dump_sysv_shm(CKPT_REC(rec, struct ckpt_rec_sysv_shm));
		break;
	case CKPT_REC_SYSV_SEM:
		dump_sysv_sem(CKPT_REC(rec, struct ckpt_rec_sysv_sem));
		break;
	case CKPT_REC_SYSV_MSQ:
		dump_sysv_msq(CKPT_REC(rec, struct ckpt_rec_sysv_msq));
		break;
	case CKPT_REC_IPC_MSG:
		dump_ipc_msg(CKPT_REC(rec, struct ckpt_rec_ipc_msg));
		break;
	case CKPT_REC_SEM_UNDO:
		dump_sem_undo(CKPT_REC(rec, struct ckpt_rec_sem_undo));
		break;
	case CKPT_REC_MQUEUE:
		dump_mqueue(CKPT_REC(rec, struct ckpt_rec_mqueue));
		break;
	case CKPT_REC_FILEDATA:
		dump_filedata(CKPT_REC(rec, struct ckpt_rec_filedata));
		break;
	case CKPT_REC_PTY:
		dump_pty(CKPT_REC(rec, struct ckpt_rec_pty));
		break;
	case CKPT_REC_SIGHAND:
		dump_sighand(CKPT_REC(rec, struct ckpt_rec_sighand));
		break;
	case CKPT_REC_SIGNAL:
		dump_signal(CKPT_REC(rec, struct ckpt_rec_signal));
		break;
	case CKPT_REC_SIGPENDING:
		dump_sigpending(CKPT_REC(rec, struct ckpt_rec_sigpending));
		break;
	case CKPT_REC_TASK:
		dump_task(CKPT_REC(rec, struct ckpt_rec_task));
		break;
	case CKPT_REC_X86_REGS:
		dump_regs(CKPT_REC(rec, struct ckpt_rec_x86_regs));
		break;
	case CKPT_REC_X86_XSTATE:
		dump_xstate(CKPT_REC(rec, struct ckpt_rec_x86_xstate));
		break;
	case CKPT_REC_SKIPPED:
		dump_skipped(CKPT_REC(rec, struct ckpt_rec_skipped));
		break;
	case CKPT_REC_SOCKET:
		dump_socket(CKPT_REC(rec, struct ckpt_rec_socket));
		break;
	case CKPT_REC_SOCK_TCP:
		dump_sock_tcp(CKPT_REC(rec, struct ckpt_rec_sock_tcp));
		break;
	case CKPT_REC_SOCK_QUEUE:
		dump_sock_queue(CKPT_REC(rec, struct ckpt_rec_sock_queue), rec->len);
		break;
	case CKPT_REC_NETNS:
		dump_netns(CKPT_REC(rec, struct ckpt_rec_netns));
		break;
	case CKPT_REC_NETDEV:
		dump_netdev(CKPT_REC(rec, struct ckpt_rec_netdev));
		break;
	case CKPT_REC_NETADDR:
		dump_netaddr(CKPT_REC(rec, struct ckpt_rec_netaddr));
		break;
	case CKPT_REC_NETROUTE:
		dump_netroute(CKPT_REC(rec, struct ckpt_rec_netroute));
		break;
	case CKPT_REC_TASK_END:
		break;
	case CKPT_REC_COMMENT:
		v_bytes("text", rec->hdr + 1, strnlen((const char *)(rec->hdr + 1),
						      rec->len - sizeof(*rec->hdr)));
		break;
	default:
		v_word("skipped", "unknown-optional");
		break;
	}
	if (json)
		close_c();
	else
		putchar('\n');
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: ckptdump [-v] [--json] [--check] [FILE|-]\n"
		"  decode a checkpoint(2) image (default: stdin)\n"
		"  -j, --json   one JSON object instead of text\n"
		"  -c, --check  only validate: print OK or the problem\n"
		"  -v           more detail (page addresses, all signal actions,\n"
		"               auxv, all pipe data)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = "-";
	struct ckpt_image *img;
	struct ckpt_rec rec;
	int check = 0, c, ret, fd;
	int header_done = 0;

	while ((c = getopt_long(argc, argv, "jcvh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'c':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 < argc) {
		print_usage(stderr);
		return 2;
	}
	if (optind < argc)
		path = argv[optind];

	/* Always streamed: works on pipes, bounded memory use. */
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	img = fd < 0 ? NULL : ckpt_image_open_stream(fd);
	if (!img) {
		fprintf(stderr, "ckptdump: %s: %s\n", path, strerror(errno));
		return 2;
	}

	if (check) {
		while ((ret = ckpt_image_next(img, &rec)) > 0)
			;
	} else {
		if (json) {
			open_c(NULL, '{');
			key("header");
			first = 1;	/* the value follows, no separator */
		}
		while ((ret = ckpt_image_next(img, &rec)) > 0) {
			if (json && !header_done) {
				open_c(NULL, '{');
				dump_header(ckpt_image_header(img));
				close_c();
				open_c("records", '[');
				header_done = 1;
			}
			dump_record(img, &rec);
		}
		if (json) {
			if (!header_done) {
				fputs("null", stdout);
				first = 0;
				open_c("records", '[');
			}
			close_c();
			v_raw("ok", ret ? "false" : "true");
			if (ckpt_image_end_type(img))
				v_word("end", ckpt_rec_type_name(ckpt_image_end_type(img)));
			else
				v_raw("end", "null");
			v_u("nr_records", img->nr_records);
			if (ret) {
				v_str("error", ckpt_image_error(img));
				v_u("error_offset", ckpt_image_error_offset(img));
			}
			close_c();
			putchar('\n');
		}
	}

	if (ret && check) {
		printf("FAIL: %s\n", ckpt_image_error(img));
	} else if (ret) {
		fprintf(stderr, "ckptdump: %s: %s\n", path,
			ckpt_image_error(img));
	} else if (check || !json) {
		printf("%s%llu records, %llu bytes, ends with %s\n",
		       check ? "OK: " : "# ",
		       (unsigned long long)img->nr_records,
		       (unsigned long long)img->pos,
		       ckpt_rec_type_name(ckpt_image_end_type(img)));
	}
	ckpt_image_close(img);
	if (fd != STDIN_FILENO)
		close(fd);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ckptdump: write error\n");
		return 2;
	}
	return ret ? 1 : 0;
}
