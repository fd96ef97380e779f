/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Checkpoint/restart: system call flags and the image format.
 *
 * An image is a stream of records.  Every record starts with a
 * struct ckpt_hdr that gives its type and its length in bytes, header
 * included.  The next record starts at the length rounded up to a multiple
 * of 8, so every record is 8-byte aligned.  All fields are little-endian,
 * of the width their type gives, and laid out with explicit padding, so the
 * format does not depend on in-kernel structures.
 *
 * The first record is CKPT_REC_HEADER, the last one CKPT_REC_TAIL (or
 * CKPT_REC_ERROR when checkpoint failed).  CKPT_REC_TREE follows the
 * header and lists the tasks; each task that is not a zombie then has a
 * section of its own, in the order of the tree: the shared objects it is
 * the first to use (credentials, an fs_struct, open files and pipes, an fd
 * table, an mm with its mappings and pages, signal actions, the signal
 * state of its process), then CKPT_REC_TASK, its own records and
 * CKPT_REC_TASK_END.  A shared object is written once, before its first
 * user, and carries an object id ("objref", > 0) that later records refer
 * to.  Reserved fields and padding are zero.
 *
 * A record type with CKPT_TYPE_OPTIONAL set may be skipped by a reader that
 * does not know it; an unknown type without that bit makes the image
 * unreadable.  Readers refuse an image whose major version differs from
 * theirs; a higher minor version only adds optional records or uses
 * fields that were reserved (zero) before.
 *
 * See Documentation/checkpoint/image-format.rst.
 */
#ifndef _UAPI_LINUX_CHECKPOINT_H
#define _UAPI_LINUX_CHECKPOINT_H

#include <linux/types.h>

/* checkpoint(2) flags */
#define CHECKPOINT_KILL		0x1UL	/* SIGKILL the tasks after success */
#define CHECKPOINT_PIDFD	0x2UL	/* pid is a pidfd */
#define CHECKPOINT_FLAGS_ALL	(CHECKPOINT_KILL | CHECKPOINT_PIDFD)

/* restart(2) flags */
#define RESTART_PIDS		0x1UL	/* every task gets its saved pid */
#define RESTART_FLAGS_ALL	(RESTART_PIDS)

#define CKPT_MAGIC		"LINUXCR"	/* 8 bytes with the NUL */
#define CKPT_VERSION_MAJOR	2
#define CKPT_VERSION_MINOR	0

#define CKPT_ARCH_X86_64	1

#define CKPT_ALIGN		8
#define CKPT_REC_MAX_LEN	(16U << 20)	/* no record is larger */
#define CKPT_PATH_MAX		4096		/* including the NUL */

/* Record types */
#define CKPT_TYPE_OPTIONAL	0x8000

enum ckpt_rec_type {
	CKPT_REC_HEADER		= 1,	/* struct ckpt_rec_header */
	CKPT_REC_TAIL		= 2,	/* struct ckpt_rec_tail */
	CKPT_REC_ERROR		= 3,	/* struct ckpt_rec_error */
	CKPT_REC_TREE		= 4,	/* struct ckpt_rec_tree + entries */
	CKPT_REC_CREDS		= 5,	/* struct ckpt_rec_creds + groups */
	CKPT_REC_FS		= 6,	/* struct ckpt_rec_fs + paths */
	CKPT_REC_FILE		= 7,	/* struct ckpt_rec_file + path */
	CKPT_REC_PIPE		= 8,	/* struct ckpt_rec_pipe + data */
	CKPT_REC_FILES		= 9,	/* struct ckpt_rec_files + fds */
	CKPT_REC_MM		= 10,	/* struct ckpt_rec_mm */
	CKPT_REC_VMA		= 11,	/* struct ckpt_rec_vma + path */
	CKPT_REC_PAGES		= 12,	/* struct ckpt_rec_pages + addrs + data */
	CKPT_REC_SIGHAND	= 13,	/* struct ckpt_rec_sighand */
	CKPT_REC_SIGNAL		= 14,	/* struct ckpt_rec_signal */
	CKPT_REC_SIGPENDING	= 15,	/* struct ckpt_rec_sigpending + infos */
	CKPT_REC_TASK		= 16,	/* struct ckpt_rec_task */
	CKPT_REC_X86_REGS	= 17,	/* struct ckpt_rec_x86_regs */
	CKPT_REC_X86_XSTATE	= 18,	/* struct ckpt_rec_x86_xstate + xsave */
	CKPT_REC_SKIPPED	= 19,	/* struct ckpt_rec_skipped */
	CKPT_REC_TASK_END	= 20,	/* struct ckpt_hdr only */
	CKPT_REC_SHMEM		= 21,	/* struct ckpt_rec_shmem + name */
	CKPT_REC_EVENTFD	= 22,	/* struct ckpt_rec_eventfd */
	CKPT_REC_EPOLL		= 23,	/* struct ckpt_rec_epoll + watches */
	CKPT_REC_TIMERFD	= 24,	/* struct ckpt_rec_timerfd */
	CKPT_REC_SIGNALFD	= 25,	/* struct ckpt_rec_signalfd */
	CKPT_REC_IPC_NS		= 28,	/* struct ckpt_rec_ipc_ns */
	CKPT_REC_UTS_NS		= 29,	/* struct ckpt_rec_uts_ns */
	CKPT_REC_SYSV_SHM	= 30,	/* struct ckpt_rec_sysv_shm */
	CKPT_REC_SYSV_SEM	= 31,	/* struct ckpt_rec_sysv_sem + sems */
	CKPT_REC_SYSV_MSQ	= 32,	/* struct ckpt_rec_sysv_msq */
	CKPT_REC_IPC_MSG	= 33,	/* struct ckpt_rec_ipc_msg + text */
	CKPT_REC_SEM_UNDO	= 34,	/* struct ckpt_rec_sem_undo + entries */
	CKPT_REC_MQUEUE		= 35,	/* struct ckpt_rec_mqueue + name */
	CKPT_REC_SOCKET		= 36,	/* struct ckpt_rec_socket + addresses */
	CKPT_REC_SOCK_TCP	= 37,	/* struct ckpt_rec_sock_tcp */
	CKPT_REC_SOCK_QUEUE	= 38,	/* struct ckpt_rec_sock_queue + msgs */
	CKPT_REC_NETNS		= 39,	/* struct ckpt_rec_netns */
	CKPT_REC_NETDEV		= 40,	/* struct ckpt_rec_netdev */
	CKPT_REC_NETADDR	= 41,	/* struct ckpt_rec_netaddr */
	CKPT_REC_NETROUTE	= 42,	/* struct ckpt_rec_netroute */
	CKPT_REC_FILEDATA	= 46,	/* struct ckpt_rec_filedata + path */
	CKPT_REC_PTY		= 50,	/* struct ckpt_rec_pty */
	CKPT_REC_MAX		= CKPT_REC_PTY, /* highest of this version */

	CKPT_REC_COMMENT	= CKPT_TYPE_OPTIONAL | 1, /* free text */
};

struct ckpt_hdr {
	__le32 type;		/* enum ckpt_rec_type */
	__le32 len;		/* bytes, this header included */
};

/*
 * CKPT_REC_HEADER: the first record.
 */
struct ckpt_rec_header {
	struct ckpt_hdr h;
	__u8 magic[8];		/* CKPT_MAGIC */
	__le16 major;		/* CKPT_VERSION_MAJOR */
	__le16 minor;		/* CKPT_VERSION_MINOR */
	__le16 arch;		/* CKPT_ARCH_* */
	__le16 __pad;
	__le32 page_size;
	__le32 nr_tasks;	/* tasks in the image */
	__le64 flags;		/* checkpoint(2) flags used */
	__le64 exclude;		/* CKPT_EXCLUDE_* applied to any task */
	__le64 time;		/* seconds since the epoch (CLOCK_REALTIME) */
	__le64 id;		/* value checkpoint(2) returned */
	__u8 release[72];	/* utsname()->release, NUL-terminated */
	__u8 machine[72];	/* utsname()->machine, NUL-terminated */
};

/*
 * CKPT_REC_TAIL: the last record of a complete image.
 */
struct ckpt_rec_tail {
	struct ckpt_hdr h;
	__u8 magic[8];		/* CKPT_MAGIC */
	__le64 nr_records;	/* records before this one */
	__le64 size;		/* bytes before this record */
};

/*
 * CKPT_REC_ERROR: written instead of the tail when checkpoint fails after
 * the header was written, so that the reader learns what was refused.
 */
enum ckpt_obj_kind {
	CKPT_OBJ_NONE		= 0,
	CKPT_OBJ_TASK		= 1,
	CKPT_OBJ_THREAD		= 2,
	CKPT_OBJ_MM		= 3,
	CKPT_OBJ_VMA		= 4,
	CKPT_OBJ_FILE		= 5,
	CKPT_OBJ_SIGNAL		= 6,
	CKPT_OBJ_CREDS		= 7,
	CKPT_OBJ_NAMESPACE	= 8,
	CKPT_OBJ_ARCH		= 9,
	CKPT_OBJ_FS		= 10,
	CKPT_OBJ_IPC		= 11,	/* SysV or POSIX IPC object */
	CKPT_OBJ_SOCKET		= 12,
};

struct ckpt_rec_error {
	struct ckpt_hdr h;
	__le32 error;		/* positive errno checkpoint(2) returns */
	__le32 pid;		/* task, as seen by the caller; 0 if none */
	__le32 kind;		/* enum ckpt_obj_kind */
	__le32 fd;		/* fd number for CKPT_OBJ_FILE, else -1 */
	__le64 addr;		/* start address for CKPT_OBJ_VMA, else 0 */
	__u8 msg[];		/* NUL-terminated reason */
};

/*
 * CKPT_REC_TREE: every task of the image, threads included, in the order
 * their sections follow: a parent before its children, a process's leader
 * before its other threads.  Pids are as seen in the image's pid namespace:
 * the container's with CKPT_TREE_PIDNS, else the caller's.
 */
#define CKPT_TREE_PIDNS		0x1	/* tasks[0] is the init of a pid
					 * namespace saved whole (a container)
					 */
#define CKPT_TREE_IPCNS		0x2	/* with CKPT_TREE_PIDNS: the container
					 * has an ipc namespace of its own
					 * (CKPT_REC_IPC_NS)
					 */
#define CKPT_TREE_UTSNS		0x4	/* with CKPT_TREE_PIDNS: a uts
					 * namespace of its own
					 * (CKPT_REC_UTS_NS)
					 */

/* ckpt_tree_entry.flags */
#define CKPT_TREE_ZOMBIE	0x1	/* exited, not reaped: no section */

struct ckpt_tree_entry {
	__le32 pid;
	__le32 tgid;		/* pid of the thread group leader */
	__le32 ppid;		/* the parent task; 0: outside the image */
	__le32 pgid;		/* 0: outside the image's pid namespace */
	__le32 sid;		/* 0: outside the image's pid namespace */
	__le32 flags;		/* CKPT_TREE_ZOMBIE */
	__le32 exit_signal;	/* sent to the parent at exit; 0 for threads */
	__le32 exit_code;	/* CKPT_TREE_ZOMBIE: the status wait(2) gives */
	__le32 exclude;		/* CKPT_EXCLUDE_* applied to its process */
	__le32 __pad;
};

struct ckpt_rec_tree {
	struct ckpt_hdr h;
	__le32 nr_tasks;
	__le32 flags;		/* CKPT_TREE_PIDNS */
	struct ckpt_tree_entry tasks[];
};

/*
 * CKPT_REC_CREDS (objref): credentials as seen from the caller's user
 * namespace.
 */
struct ckpt_rec_creds {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 uid, euid, suid, fsuid;
	__le32 gid, egid, sgid, fsgid;
	__le32 securebits;
	__le64 cap_inheritable;
	__le64 cap_permitted;
	__le64 cap_effective;
	__le64 cap_bset;
	__le64 cap_ambient;
	__le32 ngroups;
	__le32 __pad;
	__le32 groups[];	/* ngroups entries */
};

/*
 * CKPT_REC_FS (objref): cwd and root, paths as the caller sees them.
 */
struct ckpt_rec_fs {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 umask;
	__le32 cwd_len;		/* bytes of cwd, NUL included */
	__le32 root_len;	/* bytes of root, NUL included */
	__u8 paths[];		/* cwd, then root */
};

/*
 * CKPT_REC_PIPE (objref): a pipe or FIFO buffer; both of its ends are in
 * the image.  The bytes that were buffered and not yet read follow.
 */
struct ckpt_rec_pipe {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 __pad;
	__le64 size;		/* pipe capacity in bytes (F_GETPIPE_SZ) */
	__le64 nr_bytes;	/* buffered bytes that follow */
	__u8 data[];
};

/*
 * CKPT_REC_FILE (objref): an open file description.
 */
enum ckpt_file_type {
	CKPT_FILE_REGULAR	= 1,	/* regular file or directory, by path */
	CKPT_FILE_PIPE		= 2,	/* pipe end, obj_ref names the buffer */
	CKPT_FILE_FIFO		= 3,	/* FIFO end, by path and obj_ref */
	CKPT_FILE_CHRDEV	= 4,	/* character device by rdev */
	CKPT_FILE_EXTERNAL	= 5,	/* other end outside the image */
	CKPT_FILE_SHMEM		= 6,	/* shared memory file, obj_ref names it */
	CKPT_FILE_EVENTFD	= 7,	/* eventfd, obj_ref names its state */
	CKPT_FILE_EPOLL		= 8,	/* epoll, obj_ref names its watches */
	CKPT_FILE_TIMERFD	= 9,	/* timerfd, obj_ref names its timer */
	CKPT_FILE_SIGNALFD	= 10,	/* signalfd, obj_ref names its mask */
	CKPT_FILE_MQUEUE	= 11,	/* POSIX message queue, obj_ref names
					 * its CKPT_REC_MQUEUE
					 */
	CKPT_FILE_SOCKET	= 12,	/* socket, obj_ref names its CKPT_REC_SOCKET */
	CKPT_FILE_NET_SKIPPED	= 13,	/* socket left out (cr.exclude net) */
	CKPT_FILE_PTY_MASTER	= 16,	/* pseudo-terminal master, obj_ref
					 * names its CKPT_REC_PTY
					 */
	CKPT_FILE_PTY_SLAVE	= 17,	/* its slave, obj_ref as for the master */
};

struct ckpt_rec_file {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 type;		/* enum ckpt_file_type */
	__le32 f_flags;		/* O_* flags (open flags and status) */
	__le32 f_mode;		/* S_IFMT and permission bits of the inode */
	__le64 pos;		/* file position */
	__le32 obj_ref;		/* PIPE, FIFO, SHMEM: objref of the object */
	__le32 rdev;		/* CKPT_FILE_CHRDEV: major << 20 | minor;
				 * CKPT_FILE_NET_SKIPPED: family << 16 | type
				 */
	__le64 dev;		/* identity: new_encode_dev() of the fs */
	__le64 ino;
	__le64 size;
	__le64 mtime_sec;
	__le32 mtime_nsec;
	__le32 path_len;	/* bytes of path, NUL included; 0 if none */
	__u8 path[];
};

/*
 * CKPT_REC_FILES (objref): an fd table.
 */
#define CKPT_FD_CLOEXEC		0x1

struct ckpt_fd_entry {
	__le32 fd;
	__le32 file_ref;	/* objref of a CKPT_REC_FILE */
	__le32 flags;		/* CKPT_FD_* */
	__le32 __pad;
};

struct ckpt_rec_files {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 nr_fds;
	__le32 max_fds;		/* size of the table */
	__le32 __pad;
	struct ckpt_fd_entry fds[];
};

/*
 * CKPT_REC_MM (objref): an address space.  Its nr_vmas CKPT_REC_VMA
 * records follow in ascending address order, each followed by the
 * CKPT_REC_PAGES records that hold its populated private pages.
 */
#define CKPT_AUXV_WORDS		(2 * 64)

/* ckpt_rec_mm.flags */
#define CKPT_MM_DUMPABLE	0x3	/* mask: the SUID_DUMP_* value */
#define CKPT_MM_MDWE		0x4	/* PR_SET_MDWE: refuse exec gain */
#define CKPT_MM_MDWE_NO_INHERIT	0x8	/* PR_MDWE_NO_INHERIT */
#define CKPT_MM_THP_DISABLE	0x10	/* PR_SET_THP_DISABLE */

struct ckpt_rec_mm {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 nr_vmas;
	__le64 start_code, end_code;
	__le64 start_data, end_data;
	__le64 start_brk, brk;
	__le64 start_stack;
	__le64 arg_start, arg_end;
	__le64 env_start, env_end;
	__le64 mmap_base;
	__le64 def_flags;	/* CKPT_VMA_* applied to new mappings */
	__le64 flags;		/* CKPT_MM_* */
	__le32 nr_auxv;		/* words used in auxv[] */
	__le32 exe_len;		/* bytes of exe path, NUL included */
	__le64 auxv[CKPT_AUXV_WORDS];
	__u8 exe[];		/* path of the executable */
};

enum ckpt_vma_type {
	CKPT_VMA_ANON		= 1,	/* private anonymous */
	CKPT_VMA_FILE		= 2,	/* private (or read-only shared) file */
	CKPT_VMA_VDSO		= 3,
	CKPT_VMA_VVAR		= 4,
	CKPT_VMA_SHMEM		= 5,	/* shared memory, obj_ref names it */
	CKPT_VMA_SYSV		= 6,	/* SysV shared memory attach, obj_ref
					 * names its CKPT_REC_SYSV_SHM
					 */
};

/* ckpt_rec_vma.prot */
#define CKPT_PROT_READ		0x1
#define CKPT_PROT_WRITE		0x2
#define CKPT_PROT_EXEC		0x4

/* ckpt_rec_vma.flags */
#define CKPT_VMA_GROWSDOWN	0x001
#define CKPT_VMA_LOCKED		0x002
#define CKPT_VMA_DONTDUMP	0x004
#define CKPT_VMA_DONTFORK	0x008
#define CKPT_VMA_NORESERVE	0x010
#define CKPT_VMA_HEAP		0x020	/* [heap]: inside start_brk..brk */
#define CKPT_VMA_STACK		0x040	/* [stack] */
#define CKPT_VMA_MAYWRITE	0x080
#define CKPT_VMA_MAYEXEC	0x100
#define CKPT_VMA_WIPEONFORK	0x200
#define CKPT_VMA_SKIPPED	0x400	/* contents left out (exclude mask)
					 * but for the pages that follow
					 */
#define CKPT_VMA_SHARED		0x800	/* MAP_SHARED (CKPT_VMA_SHMEM, or a
					 * read-only file)
					 */

struct ckpt_rec_vma {
	struct ckpt_hdr h;
	__le64 start;
	__le64 end;
	__le64 pgoff;		/* in pages, for CKPT_VMA_FILE */
	__le32 type;		/* enum ckpt_vma_type */
	__le32 prot;		/* CKPT_PROT_* */
	__le32 flags;		/* CKPT_VMA_* */
	__le32 path_len;	/* bytes of path, NUL included; 0 if none */
	__le64 dev;		/* identity of the mapped file */
	__le64 ino;
	__le64 size;
	__le64 mtime_sec;
	__le32 mtime_nsec;
	__le32 obj_ref;		/* CKPT_VMA_SHMEM, CKPT_VMA_SYSV: objref
				 * of the object
				 */
	__u8 path[];
};

/*
 * CKPT_REC_PAGES: nr_pages page addresses, ascending, inside the preceding
 * VMA, then nr_pages * page_size bytes of contents in the same order.
 * After a CKPT_REC_SHMEM the "addresses" are byte offsets in the object.
 * Pages never populated are not in the image.
 */
struct ckpt_rec_pages {
	struct ckpt_hdr h;
	__le32 nr_pages;
	__le32 __pad;
	__le64 addrs[];
};

#define CKPT_PAGES_BATCH	256	/* pages per record at most */

/*
 * CKPT_REC_SIGHAND (objref): the signal actions.  Entry i is for signal
 * i + 1.
 */
#define CKPT_NSIG		64

struct ckpt_sigaction {
	__le64 handler;		/* SIG_DFL (0), SIG_IGN (1) or an address */
	__le64 flags;		/* SA_* */
	__le64 restorer;
	__le64 mask;
};

struct ckpt_rec_sighand {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 nr;		/* CKPT_NSIG */
	struct ckpt_sigaction action[CKPT_NSIG];
};

/*
 * CKPT_REC_SIGNAL (objref): the state of a process that its threads share
 * (signal_struct), followed by its CKPT_REC_SIGPENDING with shared = 1.
 */
#define CKPT_RLIM_NLIMITS	16

/* ckpt_rec_signal.flags */
#define CKPT_SIGNAL_STOPPED	0x1	/* in group stop (SIGSTOP) */
#define CKPT_SIGNAL_SUBREAPER	0x2	/* PR_SET_CHILD_SUBREAPER */

struct ckpt_rlimit {
	__le64 cur;		/* ~0: RLIM_INFINITY */
	__le64 max;
};

struct ckpt_rec_signal {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 flags;		/* CKPT_SIGNAL_* */
	__le32 nr_rlim;		/* CKPT_RLIM_NLIMITS */
	__le32 __pad;
	struct ckpt_rlimit rlim[CKPT_RLIM_NLIMITS];
};

/*
 * CKPT_REC_SIGPENDING: a queue of pending signals: shared = 1 for the
 * process's queue (after its CKPT_REC_SIGNAL), 0 for the task's own (after
 * its CKPT_REC_TASK).  A signal of the set may have no siginfo (it was
 * sent when the queue was full).  Each siginfo is 128 bytes in the x86_64
 * user ABI layout (as rt_sigqueueinfo(2) takes it).
 */
struct ckpt_rec_sigpending {
	struct ckpt_hdr h;
	__le32 shared;
	__le32 nr_info;
	__le64 signal;		/* bit n-1 set: signal n is pending */
	__u8 info[][128];
};

/*
 * CKPT_REC_TASK: one task.  Its objects (creds, fs, files, mm, sighand,
 * signal) were written before it; after it come its own
 * CKPT_REC_SIGPENDING (shared = 0), the arch records (CKPT_REC_X86_REGS,
 * CKPT_REC_X86_XSTATE) and CKPT_REC_TASK_END.
 */
#define CKPT_TASK_NO_NEW_PRIVS	0x2
#define CKPT_TASK_SELF		0x4	/* the thread that called checkpoint */

struct ckpt_rec_task {
	struct ckpt_hdr h;
	__le32 pid;		/* as in its tree entry */
	__le32 tgid;
	__le32 creds_ref;
	__le32 fs_ref;
	__le32 files_ref;
	__le32 mm_ref;
	__le32 sighand_ref;
	__le32 flags;		/* CKPT_TASK_* */
	__le32 signal_ref;
	__le32 pdeath_signal;
	__le32 personality;
	__le32 rseq_len;
	__le32 rseq_sig;
	__le32 sas_ss_flags;
	__le64 rseq;		/* struct rseq address, 0 if none */
	__le64 robust_list;	/* robust_list_head address, 0 if none */
	__le64 robust_list_len;
	__le64 clear_child_tid;
	__le64 set_child_tid;
	__le64 sas_ss_sp;
	__le64 sas_ss_size;
	__le64 blocked;		/* bit n-1: signal n blocked */
	__u8 comm[16];
};

/*
 * CKPT_REC_X86_REGS: general registers, already adjusted so that an
 * interrupted system call is restarted (as after a signal with no
 * handler): ax holds what user space sees in rax when it resumes at ip.
 */
struct ckpt_rec_x86_regs {
	struct ckpt_hdr h;
	__le64 r15, r14, r13, r12, rbp, rbx, r11, r10;
	__le64 r9, r8, rax, rcx, rdx, rsi, rdi;
	__le64 orig_rax;	/* -1: not in a system call */
	__le64 rip, cs, eflags, rsp, ss;
	__le64 fs_base, gs_base;
	__le64 ds, es, fs, gs;
};

/*
 * CKPT_REC_X86_XSTATE: FPU/SSE/AVX... state as an XSAVE standard-format
 * buffer, as PTRACE_GETREGSET(NT_X86_XSTATE) returns it: the legacy area's
 * sw_reserved bytes 464..471 hold the XCR0 of the machine (as in core
 * dumps), xfeatures repeats it.
 */
struct ckpt_rec_x86_xstate {
	struct ckpt_hdr h;
	__le64 xfeatures;	/* XCR0: features the buffer may contain */
	__le32 size;		/* bytes of xsave[] */
	__le32 __pad;
	__u8 xsave[];
};

/*
 * CKPT_REC_SHMEM (objref): shared memory that only the tasks hold, not a
 * name (MAP_SHARED | MAP_ANONYMOUS memory, a memfd, a tmpfs file mapped
 * shared or unlinked), saved with its contents: the CKPT_REC_PAGES records
 * that follow hold its populated pages by offset.
 */
#define CKPT_SHMEM_ANON		0x1	/* MAP_SHARED | MAP_ANONYMOUS memory */

struct ckpt_rec_shmem {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 flags;		/* CKPT_SHMEM_* */
	__le64 size;		/* bytes */
	__le32 seals;		/* F_SEAL_* in force */
	__le32 mode;		/* permission bits of the file */
	__le32 name_len;	/* bytes of name, NUL included */
	__le32 __pad;
	__u8 name[];		/* its name ("memfd:x", "sem.y") */
};

/*
 * SysV and POSIX IPC objects, and the ipc and uts namespaces of a
 * container.  They come after the tree, before the first task: in the
 * container's new ipc namespace (CKPT_TREE_IPCNS, after its
 * CKPT_REC_IPC_NS) or, without one, in the namespace of the caller of
 * restart(2).  User and group ids are as the caller's user namespace
 * sees them, pids as the image's pid namespace does (0: not a task of
 * the image).  Times are seconds since the epoch.
 */
#define CKPT_UTS_LEN		65	/* __NEW_UTS_LEN + 1 */

/* CKPT_REC_IPC_NS: the limits of the container's ipc namespace */
struct ckpt_rec_ipc_ns {
	struct ckpt_hdr h;
	__le64 shm_ctlmax;	/* kernel.shmmax */
	__le64 shm_ctlall;	/* kernel.shmall, pages */
	__le32 shm_ctlmni;	/* kernel.shmmni */
	__le32 shm_rmid_forced;	/* kernel.shm_rmid_forced */
	__le32 msg_ctlmax;	/* kernel.msgmax */
	__le32 msg_ctlmnb;	/* kernel.msgmnb */
	__le32 msg_ctlmni;	/* kernel.msgmni */
	__le32 sem_ctls[4];	/* kernel.sem: semmsl, semmns, semopm, semmni */
	__le32 mq_queues_max;	/* fs.mqueue.queues_max */
	__le32 mq_msg_max;	/* fs.mqueue.msg_max */
	__le32 mq_msgsize_max;	/* fs.mqueue.msgsize_max */
	__le32 mq_msg_default;	/* fs.mqueue.msg_default */
	__le32 mq_msgsize_default; /* fs.mqueue.msgsize_default */
};

/* CKPT_REC_UTS_NS: the names of the container's uts namespace */
struct ckpt_rec_uts_ns {
	struct ckpt_hdr h;
	__u8 nodename[CKPT_UTS_LEN];	/* hostname, NUL-terminated */
	__u8 domainname[CKPT_UTS_LEN];	/* NIS domain name, NUL-terminated */
	__u8 __pad[6];
};

/* what every SysV object has */
struct ckpt_ipc_perm {
	__le32 id;		/* as shmget(), semget(), msgget() returned */
	__le32 key;		/* IPC_PRIVATE (0) or the key */
	__le32 uid;		/* owner */
	__le32 gid;
	__le32 cuid;		/* creator */
	__le32 cgid;
	__le32 mode;		/* permission bits (0777) */
	__le32 __pad;
};

/*
 * CKPT_REC_SYSV_SHM (objref): a SysV shared memory segment, followed by
 * the CKPT_REC_PAGES records that hold its populated pages by offset.
 */
#define CKPT_SHM_DEST		0x1	/* IPC_RMID: goes with its last attach */
#define CKPT_SHM_LOCKED		0x2	/* SHM_LOCK */
#define CKPT_SHM_NORESERVE	0x4	/* SHM_NORESERVE */

struct ckpt_rec_sysv_shm {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 flags;		/* CKPT_SHM_* */
	struct ckpt_ipc_perm perm;
	__le64 size;		/* shm_segsz, bytes */
	__le64 atime;		/* last attach */
	__le64 dtime;		/* last detach */
	__le64 ctime;		/* last change */
	__le32 cpid;		/* creator */
	__le32 lpid;		/* last attach or detach */
};

/* CKPT_REC_SYSV_SEM (objref): a SysV semaphore set */
struct ckpt_sem {
	__le16 semval;		/* 0..SEMVMX (32767) */
	__le16 __pad;
	__le32 sempid;		/* last to change it */
};

struct ckpt_rec_sysv_sem {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 nsems;
	struct ckpt_ipc_perm perm;
	__le64 otime;		/* last semop() */
	__le64 ctime;		/* last change */
	struct ckpt_sem sems[];	/* nsems entries */
};

/*
 * CKPT_REC_SYSV_MSQ (objref): a SysV message queue, followed by its
 * nr_msgs messages (CKPT_REC_IPC_MSG), first to be received first.
 */
struct ckpt_rec_sysv_msq {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 nr_msgs;
	struct ckpt_ipc_perm perm;
	__le64 qbytes;		/* msg_qbytes: bytes the queue may hold */
	__le64 cbytes;		/* bytes of the messages that follow */
	__le64 stime;		/* last msgsnd() */
	__le64 rtime;		/* last msgrcv() */
	__le64 ctime;		/* last change */
	__le32 lspid;		/* last sender */
	__le32 lrpid;		/* last receiver */
};

/* CKPT_REC_IPC_MSG: one message of the queue before it */
struct ckpt_rec_ipc_msg {
	struct ckpt_hdr h;
	__le64 type;		/* SysV: mtype (> 0); POSIX: priority */
	__le64 len;		/* bytes of text */
	__u8 text[];
};

/*
 * CKPT_REC_SEM_UNDO (objref): the SEM_UNDO adjustments of a process (its
 * threads share them), in its section before CKPT_REC_TASK.  nr entries
 * follow, each a struct ckpt_sem_undo then nsems __le16 adjustments,
 * padded with zeroes to a multiple of 8 bytes.
 */
struct ckpt_sem_undo {
	__le32 sem_ref;		/* objref of the CKPT_REC_SYSV_SEM */
	__le32 nsems;		/* its nsems */
	__le16 semadj[];	/* added to each semaphore at exit */
};

struct ckpt_rec_sem_undo {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 nr;		/* entries */
	__u8 entries[];
};

/*
 * CKPT_REC_MQUEUE (objref): a POSIX message queue, followed by its
 * nr_msgs messages (CKPT_REC_IPC_MSG), in the order they are received.
 */
#define CKPT_MQ_UNLINKED	0x1	/* mq_unlink()ed, still open */

struct ckpt_rec_mqueue {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 flags;		/* CKPT_MQ_* */
	__le32 uid;		/* owner */
	__le32 gid;
	__le32 mode;		/* permission bits (0777) */
	__le32 name_len;	/* bytes of name, NUL included */
	__le64 maxmsg;		/* mq_maxmsg */
	__le64 msgsize;		/* mq_msgsize */
	__le64 nr_msgs;		/* mq_curmsgs */
	__u8 name[];		/* without the leading '/' */
};

/*
 * Event file descriptors: each of these records (objref) holds the state
 * of one open file, written just before the CKPT_REC_FILE of that type
 * whose obj_ref names it; that FILE record has no path and no identity
 * (their fields are zero).
 *
 * CKPT_REC_EVENTFD: an eventfd(2) and its counter.
 */
#define CKPT_EVENTFD_SEMAPHORE	0x1	/* EFD_SEMAPHORE */

struct ckpt_rec_eventfd {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 flags;		/* CKPT_EVENTFD_* */
	__le64 count;		/* below 2^64 - 1, as write(2) leaves it */
};

/*
 * CKPT_REC_EPOLL: an epoll instance and what it watches, in the order of
 * the kernel's tree of watches.  Every watched file is in the image and
 * was written before this record; a watch is keyed by that file and the
 * fd number it was added with, which may have been closed since.
 */
#define CKPT_EPOLL_READY	0x1	/* on the ready list, not collected */

struct ckpt_epoll_watch {
	__le32 file_ref;	/* objref of the watched CKPT_REC_FILE */
	__le32 fd;		/* fd number of the watch */
	__le32 events;		/* EPOLL* mask and flags, as kept */
	__le32 flags;		/* CKPT_EPOLL_* */
	__le64 data;		/* epoll_event.data */
};

struct ckpt_rec_epoll {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 nr_watches;
	struct ckpt_epoll_watch watches[];
};

/*
 * CKPT_REC_TIMERFD: a timerfd(2) and its timer.  Times are nanoseconds.
 * The next expiry is kept relative (value): the time the image spends at
 * rest does not count.  A CLOCK_REALTIME(_ALARM) timer set with
 * TFD_TIMER_ABSTIME keeps its date (expires) instead: after restart it
 * fires then, or at once if that date passed, with the periods missed
 * meanwhile counted in its ticks as after a clock change.
 */
#define CKPT_TIMERFD_ABSTIME	0x1	/* last set with TFD_TIMER_ABSTIME */
#define CKPT_TIMERFD_CANCEL_ON_SET 0x2	/* ... and TFD_TIMER_CANCEL_ON_SET */
#define CKPT_TIMERFD_CANCELED	0x4	/* the clock was set: read(2) fails
					 * with ECANCELED once
					 */

struct ckpt_rec_timerfd {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 clockid;		/* CLOCK_REALTIME, _MONOTONIC, _BOOTTIME,
				 * _REALTIME_ALARM or _BOOTTIME_ALARM
				 */
	__le32 flags;		/* CKPT_TIMERFD_* */
	__le32 __pad;
	__le64 ticks;		/* expirations not read yet */
	__le64 value;		/* to the next expiry; 0: disarmed */
	__le64 interval;	/* period; 0: one shot */
	__le64 expires;		/* realtime date of the next expiry (ns
				 * since the epoch) of an armed
				 * CLOCK_REALTIME* timer with
				 * CKPT_TIMERFD_ABSTIME, else 0
				 */
};

/*
 * CKPT_REC_SIGNALFD: a signalfd(2) and the signals it reads (of whichever
 * task reads it, as always).
 */
struct ckpt_rec_signalfd {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 __pad;
	__le64 mask;		/* bit n-1: signal n; never SIGKILL, SIGSTOP */
};

/*
 * CKPT_REC_SOCKET (objref): a socket of the image: one that a file holds,
 * or a connection that waits in a listening socket's queue to be accepted
 * (an "embryo": it has no file, listener_ref names the listening socket).
 * The variable part holds the local address (addr_len bytes), the peer's
 * address (peer_addr_len bytes) and, for a unix socket bound to a path, the
 * path of its socket file (path_len bytes, NUL included) and that of its
 * peer outside the image (peer_path_len), as the caller of checkpoint sees
 * them.  Addresses are struct sockaddr_un, sockaddr_in or
 * sockaddr_in6 as getsockname(2) gives them.
 *
 * Connected stream and seqpacket sockets whose two ends are in the image
 * are written as a pair of consecutive records: the first has
 * CKPT_SOCK_PAIRED, the second names it in peer_ref.  An established TCP
 * socket is followed by its CKPT_REC_SOCK_TCP record; the data a socket
 * holds follows in CKPT_REC_SOCK_QUEUE records, after the records of the
 * files that are in flight in it.
 */
enum ckpt_sock_state {
	CKPT_SOCK_UNCONNECTED	= 1,
	CKPT_SOCK_LISTEN	= 2,
	CKPT_SOCK_CONNECTED	= 3,	/* or a datagram socket with a peer */
};

/* ckpt_rec_socket.flags */
#define CKPT_SOCK_PAIRED	0x00001	/* the next SOCKET is the other end */
#define CKPT_SOCK_PEER_GONE	0x00002	/* the other end was closed */
#define CKPT_SOCK_PEER_NAME	0x00004	/* datagram: peer outside the image,
					 * found again by peer_addr
					 */
#define CKPT_SOCK_BOUND		0x00008	/* addr is its own binding (inet:
					 * its port was bound)
					 */
#define CKPT_SOCK_REUSEADDR	0x00010
#define CKPT_SOCK_REUSEPORT	0x00020
#define CKPT_SOCK_KEEPALIVE	0x00040
#define CKPT_SOCK_LINGER	0x00080
#define CKPT_SOCK_SNDBUF_LOCK	0x00100	/* SO_SNDBUF was set */
#define CKPT_SOCK_RCVBUF_LOCK	0x00200	/* SO_RCVBUF was set */
#define CKPT_SOCK_PASSCRED	0x00400
#define CKPT_SOCK_PASSSEC	0x00800
#define CKPT_SOCK_PASSPIDFD	0x01000
#define CKPT_SOCK_V6ONLY	0x02000
#define CKPT_SOCK_BROADCAST	0x04000
#define CKPT_SOCK_FREEBIND	0x08000
#define CKPT_SOCK_PEERCRED	0x10000	/* peer_pid/uid/gid are valid */
#define CKPT_SOCK_BINDADDR	0x20000	/* inet: bound to its address */
#define CKPT_SOCK_HANDSHAKE	0x40000	/* TCP: connects again, for real, to
					 * the listening socket its peer
					 * waits in (the next SOCKET)
					 */

/* ckpt_rec_socket.shutdown */
#define CKPT_SHUT_RD		0x1
#define CKPT_SHUT_WR		0x2

struct ckpt_rec_socket {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 netns_ref;	/* CKPT_REC_NETNS; 0: the caller's namespace */
	__le16 family;		/* AF_UNIX, AF_INET, AF_INET6 */
	__le16 type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__le32 protocol;	/* IPPROTO_TCP, IPPROTO_UDP; 0 for unix */
	__le32 state;		/* enum ckpt_sock_state */
	__le32 flags;		/* CKPT_SOCK_* */
	__le32 shutdown;	/* CKPT_SHUT_* */
	__le32 error;		/* pending error (positive errno), 0 */
	__le32 sndbuf;		/* bytes, as SO_SNDBUF reports them */
	__le32 rcvbuf;
	__le32 rcvlowat;	/* SO_RCVLOWAT */
	__le32 backlog;		/* CKPT_SOCK_LISTEN: listen(2)'s backlog */
	__le32 linger;		/* seconds, with CKPT_SOCK_LINGER */
	__le32 peek_off;	/* SO_PEEK_OFF; -1: off */
	__le64 rcvtimeo;	/* SO_RCVTIMEO in microseconds; 0: none */
	__le64 sndtimeo;	/* SO_SNDTIMEO in microseconds; 0: none */
	__le32 peer_ref;	/* CKPT_SOCKET at the other end, 0: none */
	__le32 listener_ref;	/* an embryo: the listening CKPT_SOCKET */
	__le32 peer_pid;	/* SO_PEERCRED: pid in the image, 0: none */
	__le32 peer_uid;	/* SO_PEERCRED, as the caller sees them */
	__le32 peer_gid;
	__le32 rcvq_msgs;	/* messages of its receive queue */
	__le64 rcvq_bytes;	/* bytes of its receive queue */
	__le64 sndq_bytes;	/* TCP: bytes of its send queue */
	__le32 addr_len;	/* bytes of the local address */
	__le32 peer_addr_len;	/* bytes of the peer's address */
	__le32 path_len;	/* unix, bound to a path: bytes of its path */
	__le32 peer_path_len;	/* CKPT_SOCK_PEER_NAME: bytes of the peer's */
	__le32 mode;		/* unix, bound to a path: permission bits */
	__le32 __pad;
	__le64 dev;		/* unix, bound to a path: identity of the */
	__le64 ino;		/* socket file (new_encode_dev(), inode) */
	__u8 data[];		/* addr, peer_addr, path, peer_path */
};

/*
 * CKPT_REC_SOCK_TCP: after the CKPT_REC_SOCKET of every TCP socket but an
 * embryo: its TCP options and, if it is established, the state of its
 * connection (sequence numbers as TCP_REPAIR's TCP_QUEUE_SEQ, windows as
 * TCP_REPAIR_WINDOW, tsval as TCP_TIMESTAMP).
 */
#define CKPT_TCP_TIMESTAMPS	0x1	/* options negotiated ... */
#define CKPT_TCP_SACK		0x2
#define CKPT_TCP_WSCALE		0x4
#define CKPT_TCP_NODELAY	0x8	/* TCP_NODELAY */
#define CKPT_TCP_CORK		0x10	/* TCP_CORK */

struct ckpt_rec_sock_tcp {
	struct ckpt_hdr h;
	__le32 flags;		/* CKPT_TCP_* */
	__le32 mss_clamp;	/* the peer's MSS */
	__le32 snd_wscale;
	__le32 rcv_wscale;
	__le32 rcv_nxt;		/* next byte expected from the peer */
	__le32 write_seq;	/* next byte the application writes */
	__le32 snd_una;		/* first byte not acknowledged */
	__le32 snd_nxt;		/* next byte to send */
	__le32 tsval;		/* TCP_TIMESTAMP */
	__le32 snd_wl1;		/* TCP_REPAIR_WINDOW */
	__le32 snd_wnd;
	__le32 max_window;
	__le32 rcv_wnd;
	__le32 rcv_wup;
	__le32 keepidle;	/* seconds (TCP_KEEPIDLE) */
	__le32 keepintvl;	/* seconds */
	__le32 keepcnt;
	__le32 user_timeout;	/* milliseconds (TCP_USER_TIMEOUT) */
	__le32 notsent_lowat;	/* TCP_NOTSENT_LOWAT */
	__le32 __pad;
};

/*
 * CKPT_REC_SOCK_QUEUE: data a socket holds: nr_msgs struct ckpt_sock_msg,
 * each followed by nr_fds file objrefs (__le32), the sender's address
 * (name_len bytes) and len bytes of data, then padded to 8 bytes.  A unix
 * socket's receive queue has one message per buffer, with the files and
 * credentials that came with it; a UDP socket's one per datagram, with its
 * source; a TCP socket's queues are byte streams cut in messages of any
 * size.
 */
enum ckpt_sock_queue_kind {
	CKPT_QUEUE_RECV		= 1,	/* received, not read yet */
	CKPT_QUEUE_SEND		= 2,	/* TCP: written, not acknowledged */
};

#define CKPT_MSG_CREDS		0x1	/* pid, uid and gid are valid */

struct ckpt_sock_msg {
	__le32 len;		/* bytes of data */
	__le32 nr_fds;		/* SCM_RIGHTS: files in flight */
	__le32 flags;		/* CKPT_MSG_* */
	__le32 pid;		/* sender's process, in the image; 0: none */
	__le32 uid;		/* SCM_CREDENTIALS, as the caller sees them */
	__le32 gid;
	__le32 name_len;	/* bytes of the sender's address */
	__le32 __pad;
};

struct ckpt_rec_sock_queue {
	struct ckpt_hdr h;
	__le32 sock_ref;	/* the CKPT_REC_SOCKET */
	__le32 queue;		/* enum ckpt_sock_queue_kind */
	__le32 nr_msgs;
	__le32 __pad;
	__u8 msgs[];
};

/*
 * CKPT_REC_NETNS (objref): the network namespace of a container, at the
 * start of the section of its init: nr_devs CKPT_REC_NETDEV, nr_addrs
 * CKPT_REC_NETADDR and nr_routes CKPT_REC_NETROUTE records follow it.
 */
struct ckpt_rec_netns {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 nr_devs;
	__le32 nr_addrs;
	__le32 nr_routes;
};

/* ckpt_rec_netdev.kind */
enum ckpt_netdev_kind {
	CKPT_NETDEV_LOOPBACK	= 1,
	CKPT_NETDEV_VETH	= 2,	/* its peer is in the caller's namespace */
};

/* ckpt_rec_netdev.flags */
#define CKPT_NETDEV_UP		0x1	/* IFF_UP */

#define CKPT_IFNAMSIZ		16

struct ckpt_rec_netdev {
	struct ckpt_hdr h;
	__le32 index;		/* ifindex in the saved namespace */
	__le32 kind;		/* enum ckpt_netdev_kind */
	__le32 flags;		/* CKPT_NETDEV_* */
	__le32 mtu;
	__le32 addr_len;	/* bytes of the hardware address */
	__le32 __pad;
	__u8 addr[32];		/* hardware address */
	__u8 name[CKPT_IFNAMSIZ];	/* NUL-terminated */
	__u8 peer_name[CKPT_IFNAMSIZ];	/* veth: the caller's end */
};

struct ckpt_rec_netaddr {
	struct ckpt_hdr h;
	__le32 index;		/* the device's saved ifindex */
	__u8 family;		/* AF_INET, AF_INET6 */
	__u8 prefixlen;
	__u8 scope;		/* RT_SCOPE_* */
	__u8 __pad;
	__le32 flags;		/* IFA_F_* */
	__le32 __pad2;
	__u8 local[16];		/* IFA_LOCAL (IPv4: first 4 bytes) */
	__u8 address[16];	/* IFA_ADDRESS */
	__u8 broadcast[16];	/* IPv4: IFA_BROADCAST, 0 if none */
	__u8 label[CKPT_IFNAMSIZ];	/* IPv4: IFA_LABEL, NUL-terminated */
};

struct ckpt_rec_netroute {
	struct ckpt_hdr h;
	__le32 oif;		/* the device's saved ifindex, 0: none */
	__u8 family;		/* AF_INET, AF_INET6 */
	__u8 dst_len;
	__u8 protocol;		/* RTPROT_* */
	__u8 scope;		/* RT_SCOPE_* */
	__u8 type;		/* RTN_UNICAST, RTN_BLACKHOLE, ... */
	__u8 __pad[3];
	__le32 priority;	/* RTA_PRIORITY (metric) */
	__u8 dst[16];
	__u8 gateway[16];	/* 0: none */
	__u8 prefsrc[16];	/* 0: none */
};

/*
 * CKPT_REC_FILEDATA (objref): the contents of a regular file that restart
 * could not find again by path, or that would not be there on another
 * machine: one that was unlinked, or one on tmpfs or ramfs.  The
 * CKPT_REC_PAGES records that follow hold its pages by offset (none with
 * CKPT_FILEDATA_SKIPPED).  FILE and VMA records of the file name it in
 * their obj_ref.
 */
#define CKPT_FILEDATA_UNLINKED	0x1	/* it had no name */
#define CKPT_FILEDATA_SKIPPED	0x2	/* contents left out (cr.exclude files),
					 * with CKPT_FILEDATA_UNLINKED only
					 */

struct ckpt_rec_filedata {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 flags;		/* CKPT_FILEDATA_* */
	__le64 size;		/* bytes */
	__le32 mode;		/* permission bits of the file */
	__le32 path_len;	/* bytes of path, NUL included */
	__u8 path[];		/* where it is (or was, if unlinked) */
};

/*
 * CKPT_REC_PTY (objref): a Unix98 pseudo-terminal whose master is open in
 * the image (a job launcher's pty for the output of its children).  Its
 * FILE records of type CKPT_FILE_PTY_MASTER and CKPT_FILE_PTY_SLAVE name
 * it in their obj_ref.  Restart opens a new pty in the caller's
 * /dev/ptmx, with the slave's terminal settings and window size.  No data
 * is buffered in it (checkpoint refuses a pty with unread input).
 */
#define CKPT_PTY_LOCKED		0x1	/* the slave may not be opened */

struct ckpt_rec_pty {
	struct ckpt_hdr h;
	__le32 objref;
	__le32 flags;		/* CKPT_PTY_* */
	__le32 index;		/* its number in /dev/pts at checkpoint */
	__le32 c_iflag;		/* the slave's termios */
	__le32 c_oflag;
	__le32 c_cflag;
	__le32 c_lflag;
	__le32 c_ispeed;
	__le32 c_ospeed;
	__u8 c_line;		/* line discipline: 0 (N_TTY) */
	__u8 c_cc[19];		/* NCCS control characters */
	__le16 ws_row;		/* window size */
	__le16 ws_col;
	__le16 ws_xpixel;
	__le16 ws_ypixel;
};

/*
 * CKPT_REC_SKIPPED: a resource left out on purpose (exclude mask).
 */
#define CKPT_EXCLUDE_ANON	0x1	/* private anonymous memory */
#define CKPT_EXCLUDE_NET	0x2	/* network state */
#define CKPT_EXCLUDE_FILEDATA	0x4	/* contents of open files */
#define CKPT_EXCLUDE_ALL	0x7

struct ckpt_rec_skipped {
	struct ckpt_hdr h;
	__le32 what;		/* a CKPT_EXCLUDE_* bit */
	__le32 pid;
	__le64 start;		/* the range or fd that was skipped */
	__le64 end;
};

#endif /* _UAPI_LINUX_CHECKPOINT_H */
