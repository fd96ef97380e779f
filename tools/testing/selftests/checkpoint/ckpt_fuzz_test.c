// SPDX-License-Identifier: GPL-2.0
/*
 * An image fuzzer for restart(2).
 *
 * It checkpoints a workload of every kind the other suites use (one
 * process, threads, two processes sharing a pipe, a container in a pid
 * namespace, shared memory and memfd, file contents carried in the image,
 * state left out by cr.exclude) and restarts mutated copies of the images:
 * fields changed with the knowledge of what they are (counts, lengths,
 * objrefs, addresses, offsets, fds, pids, flags, record types, the
 * version), bits flipped, records truncated, dropped, duplicated, moved or
 * taken from another image, PAGES forged after records that take none.
 * Each attempt restarts in a child of the test, with a timeout, and must
 * end in a clean errno with nothing left behind (processes, open files,
 * SysV objects, the caller's mappings, files in the scratch directories,
 * kernel memory within a tolerance, no taint), or in a restored tree that
 * the child kills after it checked that it runs and can be checkpointed
 * again.  See Documentation/checkpoint/fuzzing.rst.
 *
 * Environment: CKPT_FUZZ_SEED (default 1), CKPT_FUZZ_ITERS (default
 * FZ_ITERS), CKPT_FUZZ_FIRST (first attempt, to replay one), CKPT_FUZZ_SECS
 * (a time limit, default FZ_SECS), CKPT_FUZZ_SAVE (a directory where the
 * image of a failed attempt is written), CKPT_FUZZ_VERBOSE=1.
 */
#define _GNU_SOURCE
#include <mqueue.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <termios.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_wl.h"
#include "ckpt_cg.h"

#define FZ_ITERS	1000
#define FZ_SECS		120
#define FZ_TIMEOUT_MS	30000	/* a restart that takes longer hangs */
#define FZ_MAX_SEEDS	16
#define FZ_MAX_RECS	8192
#define FZ_MAX_IDS	256
#define FZ_FILES_SLACK	128	/* /proc/sys/fs/file-nr is per-cpu approximate */
#define FZ_SLAB_SLACK	(16 << 20)
#define PAGE		4096

/* What a field of a record is, so that it can be changed to what hurts */
enum fz_kind {
	K_VAL,		/* any number */
	K_COUNT,	/* how many of something follow */
	K_LEN,		/* bytes of something that follows */
	K_ID,		/* the objref of this object */
	K_REF,		/* the objref of another record */
	K_ADDR,		/* a user address */
	K_OFF,		/* an offset, a position or a size in bytes */
	K_FD,		/* an fd number */
	K_PID,		/* a pid */
	K_FLAGS,	/* a set of bits */
	K_ENUM,		/* a type */
	K_SIG,		/* a signal number */
	K_UID,		/* a uid or gid */
	K_VER,		/* the version */
};

struct fz_field {
	unsigned short off;
	unsigned char size;	/* 1, 2, 4 or 8 */
	unsigned char kind;
};

/* an array of entries after the fixed part, counted by a field */
struct fz_array {
	unsigned short off;
	unsigned short elem;
	short count_off;	/* -1: as many as fit */
	unsigned char count_size;
	const struct fz_field *fields;
};

/* a NUL-terminated string at @data, its length (NUL included) at @len_off */
struct fz_path {
	unsigned short len_off;
	unsigned short data;
};

/*
 * The knowledge of the format: one entry per record type.  A new record
 * type gets its entry here in the change that adds it.
 */
struct fz_rec {
	__u32 type;
	const struct fz_field *fields;	/* ended by FEND */
	const struct fz_array *arr;
	const struct fz_path *path;
	bool takes_pages;	/* PAGES may follow it */
};

/* member @m of struct @st, of 1, 2, 4 or 8 bytes */
#define W1(st, m, k)	{ offsetof(struct st, m), 1, k }
#define W2(st, m, k)	{ offsetof(struct st, m), 2, k }
#define W4(st, m, k)	{ offsetof(struct st, m), 4, k }
#define W8(st, m, k)	{ offsetof(struct st, m), 8, k }
#define FEND		{ 0, 0, 0 }	/* ends a list of fields */
#define NR(a)		(sizeof(a) / sizeof((a)[0]))

static const struct fz_field f_header[] = {
	W2(ckpt_rec_header, major, K_VER), W2(ckpt_rec_header, minor, K_VER),
	W2(ckpt_rec_header, arch, K_ENUM), W4(ckpt_rec_header, page_size, K_OFF),
	W4(ckpt_rec_header, nr_tasks, K_COUNT), W8(ckpt_rec_header, flags, K_FLAGS),
	W8(ckpt_rec_header, exclude, K_FLAGS), W2(ckpt_rec_header, __pad, K_VAL),
	{ offsetof(struct ckpt_rec_header, magic), 4, K_VAL },
	FEND,
};

static const struct fz_field f_tail[] = {
	W8(ckpt_rec_tail, nr_records, K_COUNT), W8(ckpt_rec_tail, size, K_OFF),
	{ offsetof(struct ckpt_rec_tail, magic), 4, K_VAL },
	FEND,
};

static const struct fz_field f_error[] = {
	W4(ckpt_rec_error, error, K_VAL), W4(ckpt_rec_error, pid, K_PID),
	W4(ckpt_rec_error, kind, K_ENUM), W4(ckpt_rec_error, fd, K_FD),
	W8(ckpt_rec_error, addr, K_ADDR),
	FEND,
};

static const struct fz_field f_tree[] = {
	W4(ckpt_rec_tree, nr_tasks, K_COUNT), W4(ckpt_rec_tree, flags, K_FLAGS),
	FEND,
};

static const struct fz_field f_tree_entry[] = {
	W4(ckpt_tree_entry, pid, K_PID), W4(ckpt_tree_entry, tgid, K_PID),
	W4(ckpt_tree_entry, ppid, K_PID), W4(ckpt_tree_entry, pgid, K_PID),
	W4(ckpt_tree_entry, sid, K_PID), W4(ckpt_tree_entry, flags, K_FLAGS),
	W4(ckpt_tree_entry, exit_signal, K_SIG), W4(ckpt_tree_entry, exit_code, K_VAL),
	W4(ckpt_tree_entry, exclude, K_FLAGS), W4(ckpt_tree_entry, __pad, K_VAL),
	FEND,
};

static const struct fz_array a_tree = {
	offsetof(struct ckpt_rec_tree, tasks), sizeof(struct ckpt_tree_entry),
	offsetof(struct ckpt_rec_tree, nr_tasks), 4, f_tree_entry,
};

static const struct fz_field f_creds[] = {
	W4(ckpt_rec_creds, objref, K_ID),
	W4(ckpt_rec_creds, uid, K_UID), W4(ckpt_rec_creds, euid, K_UID),
	W4(ckpt_rec_creds, suid, K_UID), W4(ckpt_rec_creds, fsuid, K_UID),
	W4(ckpt_rec_creds, gid, K_UID), W4(ckpt_rec_creds, egid, K_UID),
	W4(ckpt_rec_creds, sgid, K_UID), W4(ckpt_rec_creds, fsgid, K_UID),
	W4(ckpt_rec_creds, securebits, K_FLAGS),
	W8(ckpt_rec_creds, cap_inheritable, K_FLAGS),
	W8(ckpt_rec_creds, cap_permitted, K_FLAGS),
	W8(ckpt_rec_creds, cap_effective, K_FLAGS),
	W8(ckpt_rec_creds, cap_bset, K_FLAGS), W8(ckpt_rec_creds, cap_ambient, K_FLAGS),
	W4(ckpt_rec_creds, ngroups, K_COUNT), W4(ckpt_rec_creds, __pad, K_VAL),
	FEND,
};

static const struct fz_field f_u32_uid[] = { { 0, 4, K_UID }, FEND };

static const struct fz_array a_groups = {
	offsetof(struct ckpt_rec_creds, groups), 4,
	offsetof(struct ckpt_rec_creds, ngroups), 4, f_u32_uid,
};

static const struct fz_field f_fs[] = {
	W4(ckpt_rec_fs, objref, K_ID), W4(ckpt_rec_fs, umask, K_FLAGS),
	W4(ckpt_rec_fs, cwd_len, K_LEN), W4(ckpt_rec_fs, root_len, K_LEN),
	FEND,
};

static const struct fz_field f_pipe[] = {
	W4(ckpt_rec_pipe, objref, K_ID), W8(ckpt_rec_pipe, size, K_OFF),
	W8(ckpt_rec_pipe, nr_bytes, K_LEN), W4(ckpt_rec_pipe, __pad, K_VAL),
	FEND,
};

static const struct fz_field f_file[] = {
	W4(ckpt_rec_file, objref, K_ID), W4(ckpt_rec_file, type, K_ENUM),
	W4(ckpt_rec_file, f_flags, K_FLAGS), W4(ckpt_rec_file, f_mode, K_FLAGS),
	W8(ckpt_rec_file, pos, K_OFF), W4(ckpt_rec_file, obj_ref, K_REF),
	W4(ckpt_rec_file, rdev, K_VAL), W8(ckpt_rec_file, dev, K_VAL),
	W8(ckpt_rec_file, ino, K_VAL), W8(ckpt_rec_file, size, K_OFF),
	W8(ckpt_rec_file, mtime_sec, K_VAL), W4(ckpt_rec_file, mtime_nsec, K_VAL),
	W4(ckpt_rec_file, path_len, K_LEN),
	FEND,
};

static const struct fz_path p_file = {
	offsetof(struct ckpt_rec_file, path_len), offsetof(struct ckpt_rec_file, path),
};

static const struct fz_field f_files[] = {
	W4(ckpt_rec_files, objref, K_ID), W4(ckpt_rec_files, nr_fds, K_COUNT),
	W4(ckpt_rec_files, max_fds, K_COUNT), W4(ckpt_rec_files, __pad, K_VAL),
	FEND,
};

static const struct fz_field f_fd_entry[] = {
	W4(ckpt_fd_entry, fd, K_FD), W4(ckpt_fd_entry, file_ref, K_REF),
	W4(ckpt_fd_entry, flags, K_FLAGS), W4(ckpt_fd_entry, __pad, K_VAL),
	FEND,
};

static const struct fz_array a_fds = {
	offsetof(struct ckpt_rec_files, fds), sizeof(struct ckpt_fd_entry),
	offsetof(struct ckpt_rec_files, nr_fds), 4, f_fd_entry,
};

static const struct fz_field f_mm[] = {
	W4(ckpt_rec_mm, objref, K_ID), W4(ckpt_rec_mm, nr_vmas, K_COUNT),
	W8(ckpt_rec_mm, start_code, K_ADDR), W8(ckpt_rec_mm, end_code, K_ADDR),
	W8(ckpt_rec_mm, start_data, K_ADDR), W8(ckpt_rec_mm, end_data, K_ADDR),
	W8(ckpt_rec_mm, start_brk, K_ADDR), W8(ckpt_rec_mm, brk, K_ADDR),
	W8(ckpt_rec_mm, start_stack, K_ADDR), W8(ckpt_rec_mm, arg_start, K_ADDR),
	W8(ckpt_rec_mm, arg_end, K_ADDR), W8(ckpt_rec_mm, env_start, K_ADDR),
	W8(ckpt_rec_mm, env_end, K_ADDR), W8(ckpt_rec_mm, mmap_base, K_ADDR),
	W8(ckpt_rec_mm, def_flags, K_FLAGS), W8(ckpt_rec_mm, flags, K_FLAGS),
	W4(ckpt_rec_mm, nr_auxv, K_COUNT), W4(ckpt_rec_mm, exe_len, K_LEN),
	{ offsetof(struct ckpt_rec_mm, auxv), 8, K_ENUM },
	{ offsetof(struct ckpt_rec_mm, auxv) + 8, 8, K_ADDR },
	{ offsetof(struct ckpt_rec_mm, auxv) + 16 * 8, 8, K_ENUM },
	{ offsetof(struct ckpt_rec_mm, auxv) + 17 * 8, 8, K_ADDR },
	FEND,
};

static const struct fz_path p_mm = {
	offsetof(struct ckpt_rec_mm, exe_len), offsetof(struct ckpt_rec_mm, exe),
};

static const struct fz_field f_vma[] = {
	W8(ckpt_rec_vma, start, K_ADDR), W8(ckpt_rec_vma, end, K_ADDR),
	W8(ckpt_rec_vma, pgoff, K_OFF), W4(ckpt_rec_vma, type, K_ENUM),
	W4(ckpt_rec_vma, prot, K_FLAGS), W4(ckpt_rec_vma, flags, K_FLAGS),
	W4(ckpt_rec_vma, path_len, K_LEN), W8(ckpt_rec_vma, dev, K_VAL),
	W8(ckpt_rec_vma, ino, K_VAL), W8(ckpt_rec_vma, size, K_OFF),
	W8(ckpt_rec_vma, mtime_sec, K_VAL), W4(ckpt_rec_vma, mtime_nsec, K_VAL),
	W4(ckpt_rec_vma, obj_ref, K_REF),
	FEND,
};

static const struct fz_path p_vma = {
	offsetof(struct ckpt_rec_vma, path_len), offsetof(struct ckpt_rec_vma, path),
};

static const struct fz_field f_pages[] = {
	W4(ckpt_rec_pages, nr_pages, K_COUNT), W4(ckpt_rec_pages, __pad, K_VAL),
	FEND,
};

static const struct fz_field f_u64_addr[] = { { 0, 8, K_ADDR }, FEND };

static const struct fz_array a_pages = {
	offsetof(struct ckpt_rec_pages, addrs), 8,
	offsetof(struct ckpt_rec_pages, nr_pages), 4, f_u64_addr,
};

static const struct fz_field f_sighand[] = {
	W4(ckpt_rec_sighand, objref, K_ID), W4(ckpt_rec_sighand, nr, K_COUNT),
	FEND,
};

static const struct fz_field f_sigaction[] = {
	W8(ckpt_sigaction, handler, K_ADDR), W8(ckpt_sigaction, flags, K_FLAGS),
	W8(ckpt_sigaction, restorer, K_ADDR), W8(ckpt_sigaction, mask, K_FLAGS),
	FEND,
};

static const struct fz_array a_sighand = {
	offsetof(struct ckpt_rec_sighand, action), sizeof(struct ckpt_sigaction),
	offsetof(struct ckpt_rec_sighand, nr), 4, f_sigaction,
};

static const struct fz_field f_signal[] = {
	W4(ckpt_rec_signal, objref, K_ID), W4(ckpt_rec_signal, flags, K_FLAGS),
	W4(ckpt_rec_signal, nr_rlim, K_COUNT), W4(ckpt_rec_signal, __pad, K_VAL),
	FEND,
};

static const struct fz_field f_rlim[] = {
	W8(ckpt_rlimit, cur, K_OFF), W8(ckpt_rlimit, max, K_OFF),
	FEND,
};

static const struct fz_array a_rlim = {
	offsetof(struct ckpt_rec_signal, rlim), sizeof(struct ckpt_rlimit),
	offsetof(struct ckpt_rec_signal, nr_rlim), 4, f_rlim,
};

static const struct fz_field f_sigpending[] = {
	W4(ckpt_rec_sigpending, shared, K_FLAGS), W4(ckpt_rec_sigpending, nr_info, K_COUNT),
	W8(ckpt_rec_sigpending, signal, K_FLAGS),
	FEND,
};

static const struct fz_field f_siginfo[] = {
	{ 0, 4, K_SIG }, { 4, 4, K_VAL }, { 8, 4, K_VAL }, { 16, 4, K_PID },
	{ 20, 4, K_UID }, { 24, 8, K_ADDR }, { 60, 4, K_VAL },
	FEND,
};

static const struct fz_array a_siginfo = {
	offsetof(struct ckpt_rec_sigpending, info), 128,
	offsetof(struct ckpt_rec_sigpending, nr_info), 4, f_siginfo,
};

static const struct fz_field f_task[] = {
	W4(ckpt_rec_task, pid, K_PID), W4(ckpt_rec_task, tgid, K_PID),
	W4(ckpt_rec_task, creds_ref, K_REF), W4(ckpt_rec_task, fs_ref, K_REF),
	W4(ckpt_rec_task, files_ref, K_REF), W4(ckpt_rec_task, mm_ref, K_REF),
	W4(ckpt_rec_task, sighand_ref, K_REF), W4(ckpt_rec_task, flags, K_FLAGS),
	W4(ckpt_rec_task, signal_ref, K_REF), W4(ckpt_rec_task, pdeath_signal, K_SIG),
	W4(ckpt_rec_task, personality, K_FLAGS), W4(ckpt_rec_task, rseq_len, K_LEN),
	W4(ckpt_rec_task, rseq_sig, K_VAL), W4(ckpt_rec_task, sas_ss_flags, K_FLAGS),
	W8(ckpt_rec_task, rseq, K_ADDR), W8(ckpt_rec_task, robust_list, K_ADDR),
	W8(ckpt_rec_task, robust_list_len, K_LEN),
	W8(ckpt_rec_task, clear_child_tid, K_ADDR),
	W8(ckpt_rec_task, set_child_tid, K_ADDR), W8(ckpt_rec_task, sas_ss_sp, K_ADDR),
	W8(ckpt_rec_task, sas_ss_size, K_OFF), W8(ckpt_rec_task, blocked, K_FLAGS),
	{ offsetof(struct ckpt_rec_task, comm), 8, K_VAL },
	FEND,
};

static const struct fz_field f_regs[] = {
	W8(ckpt_rec_x86_regs, rax, K_VAL), W8(ckpt_rec_x86_regs, rdi, K_ADDR),
	W8(ckpt_rec_x86_regs, orig_rax, K_VAL), W8(ckpt_rec_x86_regs, rip, K_ADDR),
	W8(ckpt_rec_x86_regs, cs, K_ENUM), W8(ckpt_rec_x86_regs, eflags, K_FLAGS),
	W8(ckpt_rec_x86_regs, rsp, K_ADDR), W8(ckpt_rec_x86_regs, ss, K_ENUM),
	W8(ckpt_rec_x86_regs, fs_base, K_ADDR), W8(ckpt_rec_x86_regs, gs_base, K_ADDR),
	W8(ckpt_rec_x86_regs, ds, K_ENUM), W8(ckpt_rec_x86_regs, es, K_ENUM),
	W8(ckpt_rec_x86_regs, fs, K_ENUM), W8(ckpt_rec_x86_regs, gs, K_ENUM),
	FEND,
};

#define XS	offsetof(struct ckpt_rec_x86_xstate, xsave)
static const struct fz_field f_xstate[] = {
	W8(ckpt_rec_x86_xstate, xfeatures, K_FLAGS), W4(ckpt_rec_x86_xstate, size, K_LEN),
	W4(ckpt_rec_x86_xstate, __pad, K_VAL),
	{ XS + 24, 4, K_FLAGS },	/* mxcsr */
	{ XS + 28, 4, K_FLAGS },	/* mxcsr_mask */
	{ XS + 464, 8, K_FLAGS },	/* sw_reserved: xcr0 */
	{ XS + 512, 8, K_FLAGS },	/* xstate_bv */
	{ XS + 520, 8, K_FLAGS },	/* xcomp_bv */
	FEND,
};

static const struct fz_field f_skipped[] = {
	W4(ckpt_rec_skipped, what, K_FLAGS), W4(ckpt_rec_skipped, pid, K_PID),
	W8(ckpt_rec_skipped, start, K_ADDR), W8(ckpt_rec_skipped, end, K_ADDR),
	FEND,
};

static const struct fz_field f_shmem[] = {
	W4(ckpt_rec_shmem, objref, K_ID), W4(ckpt_rec_shmem, flags, K_FLAGS),
	W8(ckpt_rec_shmem, size, K_OFF), W4(ckpt_rec_shmem, seals, K_FLAGS),
	W4(ckpt_rec_shmem, mode, K_FLAGS), W4(ckpt_rec_shmem, name_len, K_LEN),
	W4(ckpt_rec_shmem, __pad, K_VAL),
	FEND,
};

static const struct fz_path p_shmem = {
	offsetof(struct ckpt_rec_shmem, name_len), offsetof(struct ckpt_rec_shmem, name),
};

static const struct fz_field f_filedata[] = {
	W4(ckpt_rec_filedata, objref, K_ID), W4(ckpt_rec_filedata, flags, K_FLAGS),
	W8(ckpt_rec_filedata, size, K_OFF), W4(ckpt_rec_filedata, mode, K_FLAGS),
	W4(ckpt_rec_filedata, path_len, K_LEN),
	FEND,
};

static const struct fz_path p_filedata = {
	offsetof(struct ckpt_rec_filedata, path_len),
	offsetof(struct ckpt_rec_filedata, path),
};

/* event fds: the state records written before their FILE */
static const struct fz_field f_eventfd[] = {
	W4(ckpt_rec_eventfd, objref, K_ID), W4(ckpt_rec_eventfd, flags, K_FLAGS),
	W8(ckpt_rec_eventfd, count, K_COUNT),
	FEND,
};

static const struct fz_field f_epoll[] = {
	W4(ckpt_rec_epoll, objref, K_ID), W4(ckpt_rec_epoll, nr_watches, K_COUNT),
	FEND,
};

static const struct fz_field f_epoll_watch[] = {
	W4(ckpt_epoll_watch, file_ref, K_REF), W4(ckpt_epoll_watch, fd, K_FD),
	W4(ckpt_epoll_watch, events, K_FLAGS), W4(ckpt_epoll_watch, flags, K_FLAGS),
	W8(ckpt_epoll_watch, data, K_VAL),
	FEND,
};

static const struct fz_array a_epoll = {
	offsetof(struct ckpt_rec_epoll, watches), sizeof(struct ckpt_epoll_watch),
	offsetof(struct ckpt_rec_epoll, nr_watches), 4, f_epoll_watch,
};

static const struct fz_field f_timerfd[] = {
	W4(ckpt_rec_timerfd, objref, K_ID), W4(ckpt_rec_timerfd, clockid, K_ENUM),
	W4(ckpt_rec_timerfd, flags, K_FLAGS), W4(ckpt_rec_timerfd, __pad, K_VAL),
	W8(ckpt_rec_timerfd, ticks, K_COUNT), W8(ckpt_rec_timerfd, value, K_OFF),
	W8(ckpt_rec_timerfd, interval, K_OFF), W8(ckpt_rec_timerfd, expires, K_OFF),
	FEND,
};

static const struct fz_field f_signalfd[] = {
	W4(ckpt_rec_signalfd, objref, K_ID), W4(ckpt_rec_signalfd, __pad, K_VAL),
	W8(ckpt_rec_signalfd, mask, K_FLAGS),
	FEND,
};

/* SysV and POSIX IPC, the ipc and uts namespaces */

static const struct fz_field f_ipc_ns[] = {
	W8(ckpt_rec_ipc_ns, shm_ctlmax, K_OFF), W8(ckpt_rec_ipc_ns, shm_ctlall, K_OFF),
	W4(ckpt_rec_ipc_ns, shm_ctlmni, K_COUNT),
	W4(ckpt_rec_ipc_ns, shm_rmid_forced, K_FLAGS),
	W4(ckpt_rec_ipc_ns, msg_ctlmax, K_LEN), W4(ckpt_rec_ipc_ns, msg_ctlmnb, K_LEN),
	W4(ckpt_rec_ipc_ns, msg_ctlmni, K_COUNT),
	W4(ckpt_rec_ipc_ns, sem_ctls[0], K_COUNT), W4(ckpt_rec_ipc_ns, sem_ctls[1], K_COUNT),
	W4(ckpt_rec_ipc_ns, sem_ctls[2], K_COUNT), W4(ckpt_rec_ipc_ns, sem_ctls[3], K_COUNT),
	W4(ckpt_rec_ipc_ns, mq_queues_max, K_COUNT), W4(ckpt_rec_ipc_ns, mq_msg_max, K_COUNT),
	W4(ckpt_rec_ipc_ns, mq_msgsize_max, K_LEN),
	W4(ckpt_rec_ipc_ns, mq_msg_default, K_COUNT),
	W4(ckpt_rec_ipc_ns, mq_msgsize_default, K_LEN),
	FEND,
};

/* the names: their first bytes, and the last ones where the NUL is */
static const struct fz_field f_uts_ns[] = {
	W8(ckpt_rec_uts_ns, nodename, K_VAL),
	{ offsetof(struct ckpt_rec_uts_ns, nodename) + CKPT_UTS_LEN - 8, 8, K_VAL },
	W8(ckpt_rec_uts_ns, domainname, K_VAL),
	{ offsetof(struct ckpt_rec_uts_ns, domainname) + CKPT_UTS_LEN - 8, 8, K_VAL },
	W4(ckpt_rec_uts_ns, __pad, K_VAL),
	FEND,
};

static const struct fz_field f_sysv_shm[] = {
	W4(ckpt_rec_sysv_shm, objref, K_ID), W4(ckpt_rec_sysv_shm, flags, K_FLAGS),
	W4(ckpt_rec_sysv_shm, perm.id, K_VAL), W4(ckpt_rec_sysv_shm, perm.key, K_VAL),
	W4(ckpt_rec_sysv_shm, perm.uid, K_UID), W4(ckpt_rec_sysv_shm, perm.gid, K_UID),
	W4(ckpt_rec_sysv_shm, perm.cuid, K_UID), W4(ckpt_rec_sysv_shm, perm.cgid, K_UID),
	W4(ckpt_rec_sysv_shm, perm.mode, K_FLAGS), W4(ckpt_rec_sysv_shm, perm.__pad, K_VAL),
	W8(ckpt_rec_sysv_shm, size, K_OFF), W8(ckpt_rec_sysv_shm, atime, K_VAL),
	W8(ckpt_rec_sysv_shm, dtime, K_VAL), W8(ckpt_rec_sysv_shm, ctime, K_VAL),
	W4(ckpt_rec_sysv_shm, cpid, K_PID), W4(ckpt_rec_sysv_shm, lpid, K_PID),
	FEND,
};

static const struct fz_field f_sysv_sem[] = {
	W4(ckpt_rec_sysv_sem, objref, K_ID), W4(ckpt_rec_sysv_sem, nsems, K_COUNT),
	W4(ckpt_rec_sysv_sem, perm.id, K_VAL), W4(ckpt_rec_sysv_sem, perm.key, K_VAL),
	W4(ckpt_rec_sysv_sem, perm.uid, K_UID), W4(ckpt_rec_sysv_sem, perm.gid, K_UID),
	W4(ckpt_rec_sysv_sem, perm.cuid, K_UID), W4(ckpt_rec_sysv_sem, perm.cgid, K_UID),
	W4(ckpt_rec_sysv_sem, perm.mode, K_FLAGS), W4(ckpt_rec_sysv_sem, perm.__pad, K_VAL),
	W8(ckpt_rec_sysv_sem, otime, K_VAL), W8(ckpt_rec_sysv_sem, ctime, K_VAL),
	FEND,
};

static const struct fz_field f_sem[] = {
	W2(ckpt_sem, semval, K_COUNT), W2(ckpt_sem, __pad, K_VAL),
	W4(ckpt_sem, sempid, K_PID),
	FEND,
};

static const struct fz_array a_sems = {
	offsetof(struct ckpt_rec_sysv_sem, sems), sizeof(struct ckpt_sem),
	offsetof(struct ckpt_rec_sysv_sem, nsems), 4, f_sem,
};

static const struct fz_field f_sysv_msq[] = {
	W4(ckpt_rec_sysv_msq, objref, K_ID), W4(ckpt_rec_sysv_msq, nr_msgs, K_COUNT),
	W4(ckpt_rec_sysv_msq, perm.id, K_VAL), W4(ckpt_rec_sysv_msq, perm.key, K_VAL),
	W4(ckpt_rec_sysv_msq, perm.uid, K_UID), W4(ckpt_rec_sysv_msq, perm.gid, K_UID),
	W4(ckpt_rec_sysv_msq, perm.cuid, K_UID), W4(ckpt_rec_sysv_msq, perm.cgid, K_UID),
	W4(ckpt_rec_sysv_msq, perm.mode, K_FLAGS), W4(ckpt_rec_sysv_msq, perm.__pad, K_VAL),
	W8(ckpt_rec_sysv_msq, qbytes, K_LEN), W8(ckpt_rec_sysv_msq, cbytes, K_LEN),
	W8(ckpt_rec_sysv_msq, stime, K_VAL), W8(ckpt_rec_sysv_msq, rtime, K_VAL),
	W8(ckpt_rec_sysv_msq, ctime, K_VAL),
	W4(ckpt_rec_sysv_msq, lspid, K_PID), W4(ckpt_rec_sysv_msq, lrpid, K_PID),
	FEND,
};

static const struct fz_field f_ipc_msg[] = {
	W8(ckpt_rec_ipc_msg, type, K_ENUM), W8(ckpt_rec_ipc_msg, len, K_LEN),
	FEND,
};

/* entries of variable size: the fields of the first one */
#define SU	offsetof(struct ckpt_rec_sem_undo, entries)
static const struct fz_field f_sem_undo[] = {
	W4(ckpt_rec_sem_undo, objref, K_ID), W4(ckpt_rec_sem_undo, nr, K_COUNT),
	{ SU + offsetof(struct ckpt_sem_undo, sem_ref), 4, K_REF },
	{ SU + offsetof(struct ckpt_sem_undo, nsems), 4, K_COUNT },
	{ SU + offsetof(struct ckpt_sem_undo, semadj), 2, K_VAL },
	{ SU + offsetof(struct ckpt_sem_undo, semadj) + 2, 2, K_VAL },
	FEND,
};

static const struct fz_field f_mqueue[] = {
	W4(ckpt_rec_mqueue, objref, K_ID), W4(ckpt_rec_mqueue, flags, K_FLAGS),
	W4(ckpt_rec_mqueue, uid, K_UID), W4(ckpt_rec_mqueue, gid, K_UID),
	W4(ckpt_rec_mqueue, mode, K_FLAGS), W4(ckpt_rec_mqueue, name_len, K_LEN),
	W8(ckpt_rec_mqueue, maxmsg, K_COUNT), W8(ckpt_rec_mqueue, msgsize, K_LEN),
	W8(ckpt_rec_mqueue, nr_msgs, K_COUNT),
	FEND,
};

static const struct fz_field f_pty[] = {
	W4(ckpt_rec_pty, objref, K_ID), W4(ckpt_rec_pty, flags, K_FLAGS),
	W4(ckpt_rec_pty, index, K_VAL), W4(ckpt_rec_pty, c_iflag, K_FLAGS),
	W4(ckpt_rec_pty, c_oflag, K_FLAGS), W4(ckpt_rec_pty, c_cflag, K_FLAGS),
	W4(ckpt_rec_pty, c_lflag, K_FLAGS), W4(ckpt_rec_pty, c_ispeed, K_VAL),
	W4(ckpt_rec_pty, c_ospeed, K_VAL), W1(ckpt_rec_pty, c_line, K_ENUM),
	W2(ckpt_rec_pty, ws_row, K_VAL), W2(ckpt_rec_pty, ws_col, K_VAL),
	FEND,
};

static const struct fz_path p_mqueue = {
	offsetof(struct ckpt_rec_mqueue, name_len), offsetof(struct ckpt_rec_mqueue, name),
};

/* sockets and the network namespace */
#define SD	offsetof(struct ckpt_rec_socket, data)
static const struct fz_field f_socket[] = {
	W4(ckpt_rec_socket, objref, K_ID), W4(ckpt_rec_socket, netns_ref, K_REF),
	W2(ckpt_rec_socket, family, K_ENUM), W2(ckpt_rec_socket, type, K_ENUM),
	W4(ckpt_rec_socket, protocol, K_ENUM), W4(ckpt_rec_socket, state, K_ENUM),
	W4(ckpt_rec_socket, flags, K_FLAGS), W4(ckpt_rec_socket, shutdown, K_FLAGS),
	W4(ckpt_rec_socket, error, K_VAL), W4(ckpt_rec_socket, sndbuf, K_LEN),
	W4(ckpt_rec_socket, rcvbuf, K_LEN), W4(ckpt_rec_socket, rcvlowat, K_LEN),
	W4(ckpt_rec_socket, backlog, K_COUNT), W4(ckpt_rec_socket, linger, K_VAL),
	W4(ckpt_rec_socket, peek_off, K_OFF), W8(ckpt_rec_socket, rcvtimeo, K_VAL),
	W8(ckpt_rec_socket, sndtimeo, K_VAL), W4(ckpt_rec_socket, peer_ref, K_REF),
	W4(ckpt_rec_socket, listener_ref, K_REF), W4(ckpt_rec_socket, peer_pid, K_PID),
	W4(ckpt_rec_socket, peer_uid, K_UID), W4(ckpt_rec_socket, peer_gid, K_UID),
	W4(ckpt_rec_socket, rcvq_msgs, K_COUNT), W8(ckpt_rec_socket, rcvq_bytes, K_LEN),
	W8(ckpt_rec_socket, sndq_bytes, K_LEN), W4(ckpt_rec_socket, addr_len, K_LEN),
	W4(ckpt_rec_socket, peer_addr_len, K_LEN), W4(ckpt_rec_socket, path_len, K_LEN),
	W4(ckpt_rec_socket, peer_path_len, K_LEN), W4(ckpt_rec_socket, mode, K_FLAGS),
	W4(ckpt_rec_socket, __pad, K_VAL), W8(ckpt_rec_socket, dev, K_VAL),
	W8(ckpt_rec_socket, ino, K_VAL),
	{ SD, 2, K_ENUM },		/* the local address: its family, */
	{ SD + 2, 2, K_VAL },		/* inet: the port, unix: the path */
	{ SD + 4, 4, K_VAL },		/* inet: the address */
	FEND,
};

static const struct fz_field f_sock_tcp[] = {
	W4(ckpt_rec_sock_tcp, flags, K_FLAGS), W4(ckpt_rec_sock_tcp, mss_clamp, K_LEN),
	W4(ckpt_rec_sock_tcp, snd_wscale, K_COUNT), W4(ckpt_rec_sock_tcp, rcv_wscale, K_COUNT),
	W4(ckpt_rec_sock_tcp, rcv_nxt, K_OFF), W4(ckpt_rec_sock_tcp, write_seq, K_OFF),
	W4(ckpt_rec_sock_tcp, snd_una, K_OFF), W4(ckpt_rec_sock_tcp, snd_nxt, K_OFF),
	W4(ckpt_rec_sock_tcp, tsval, K_VAL), W4(ckpt_rec_sock_tcp, snd_wl1, K_OFF),
	W4(ckpt_rec_sock_tcp, snd_wnd, K_LEN), W4(ckpt_rec_sock_tcp, max_window, K_LEN),
	W4(ckpt_rec_sock_tcp, rcv_wnd, K_LEN), W4(ckpt_rec_sock_tcp, rcv_wup, K_OFF),
	W4(ckpt_rec_sock_tcp, keepidle, K_VAL), W4(ckpt_rec_sock_tcp, keepintvl, K_VAL),
	W4(ckpt_rec_sock_tcp, keepcnt, K_COUNT), W4(ckpt_rec_sock_tcp, user_timeout, K_VAL),
	W4(ckpt_rec_sock_tcp, notsent_lowat, K_LEN), W4(ckpt_rec_sock_tcp, __pad, K_VAL),
	FEND,
};

/* messages of variable size: the fields of the first one, its first fd */
#define SQ	offsetof(struct ckpt_rec_sock_queue, msgs)
#define SQM(m)	(SQ + offsetof(struct ckpt_sock_msg, m))
static const struct fz_field f_sock_queue[] = {
	W4(ckpt_rec_sock_queue, sock_ref, K_REF), W4(ckpt_rec_sock_queue, queue, K_ENUM),
	W4(ckpt_rec_sock_queue, nr_msgs, K_COUNT), W4(ckpt_rec_sock_queue, __pad, K_VAL),
	{ SQM(len), 4, K_LEN }, { SQM(nr_fds), 4, K_COUNT }, { SQM(flags), 4, K_FLAGS },
	{ SQM(pid), 4, K_PID }, { SQM(uid), 4, K_UID }, { SQM(gid), 4, K_UID },
	{ SQM(name_len), 4, K_LEN }, { SQM(__pad), 4, K_VAL },
	{ SQ + sizeof(struct ckpt_sock_msg), 4, K_REF },
	FEND,
};

static const struct fz_field f_netns[] = {
	W4(ckpt_rec_netns, objref, K_ID), W4(ckpt_rec_netns, nr_devs, K_COUNT),
	W4(ckpt_rec_netns, nr_addrs, K_COUNT), W4(ckpt_rec_netns, nr_routes, K_COUNT),
	FEND,
};

static const struct fz_field f_netdev[] = {
	W4(ckpt_rec_netdev, index, K_ENUM), W4(ckpt_rec_netdev, kind, K_ENUM),
	W4(ckpt_rec_netdev, flags, K_FLAGS), W4(ckpt_rec_netdev, mtu, K_LEN),
	W4(ckpt_rec_netdev, addr_len, K_LEN), W4(ckpt_rec_netdev, __pad, K_VAL),
	W8(ckpt_rec_netdev, addr, K_VAL), W8(ckpt_rec_netdev, name, K_VAL),
	{ offsetof(struct ckpt_rec_netdev, name) + 8, 8, K_VAL },
	W8(ckpt_rec_netdev, peer_name, K_VAL),
	{ offsetof(struct ckpt_rec_netdev, peer_name) + 8, 8, K_VAL },
	FEND,
};

static const struct fz_field f_netaddr[] = {
	W4(ckpt_rec_netaddr, index, K_ENUM), W1(ckpt_rec_netaddr, family, K_ENUM),
	W1(ckpt_rec_netaddr, prefixlen, K_LEN), W1(ckpt_rec_netaddr, scope, K_ENUM),
	W1(ckpt_rec_netaddr, __pad, K_VAL), W4(ckpt_rec_netaddr, flags, K_FLAGS),
	W4(ckpt_rec_netaddr, __pad2, K_VAL), W4(ckpt_rec_netaddr, local, K_VAL),
	{ offsetof(struct ckpt_rec_netaddr, local) + 8, 8, K_VAL },
	W4(ckpt_rec_netaddr, address, K_VAL), W4(ckpt_rec_netaddr, broadcast, K_VAL),
	W8(ckpt_rec_netaddr, label, K_VAL),
	{ offsetof(struct ckpt_rec_netaddr, label) + 8, 8, K_VAL },
	FEND,
};

static const struct fz_field f_netroute[] = {
	W4(ckpt_rec_netroute, oif, K_ENUM), W1(ckpt_rec_netroute, family, K_ENUM),
	W1(ckpt_rec_netroute, dst_len, K_LEN), W1(ckpt_rec_netroute, protocol, K_ENUM),
	W1(ckpt_rec_netroute, scope, K_ENUM), W1(ckpt_rec_netroute, type, K_ENUM),
	W1(ckpt_rec_netroute, __pad, K_VAL), W4(ckpt_rec_netroute, priority, K_VAL),
	W4(ckpt_rec_netroute, dst, K_VAL),
	{ offsetof(struct ckpt_rec_netroute, dst) + 8, 8, K_VAL },
	W4(ckpt_rec_netroute, gateway, K_VAL), W4(ckpt_rec_netroute, prefsrc, K_VAL),
	FEND,
};

#define REC(t, f, ...)	{ .type = CKPT_REC_##t, .fields = f, __VA_ARGS__ }
static const struct fz_rec fz_recs[] = {
	REC(HEADER, f_header),
	REC(TAIL, f_tail),
	REC(ERROR, f_error),
	REC(TREE, f_tree, .arr = &a_tree),
	REC(CREDS, f_creds, .arr = &a_groups),
	REC(FS, f_fs),
	REC(FILE, f_file, .path = &p_file),
	REC(PIPE, f_pipe),
	REC(FILES, f_files, .arr = &a_fds),
	REC(MM, f_mm, .path = &p_mm),
	REC(VMA, f_vma, .path = &p_vma, .takes_pages = true),
	REC(PAGES, f_pages, .arr = &a_pages),
	REC(SIGHAND, f_sighand, .arr = &a_sighand),
	REC(SIGNAL, f_signal, .arr = &a_rlim),
	REC(SIGPENDING, f_sigpending, .arr = &a_siginfo),
	REC(TASK, f_task),
	REC(X86_REGS, f_regs),
	REC(X86_XSTATE, f_xstate),
	REC(SKIPPED, f_skipped),
	{ .type = CKPT_REC_TASK_END },
	REC(SHMEM, f_shmem, .path = &p_shmem, .takes_pages = true),
	REC(FILEDATA, f_filedata, .path = &p_filedata, .takes_pages = true),
	REC(EVENTFD, f_eventfd),
	REC(EPOLL, f_epoll, .arr = &a_epoll),
	REC(TIMERFD, f_timerfd),
	REC(SIGNALFD, f_signalfd),
	REC(IPC_NS, f_ipc_ns),
	REC(UTS_NS, f_uts_ns),
	REC(SYSV_SHM, f_sysv_shm, .takes_pages = true),
	REC(SYSV_SEM, f_sysv_sem, .arr = &a_sems),
	REC(SYSV_MSQ, f_sysv_msq),
	REC(IPC_MSG, f_ipc_msg),
	REC(SEM_UNDO, f_sem_undo),
	REC(MQUEUE, f_mqueue, .path = &p_mqueue),
	REC(PTY, f_pty),
	REC(SOCKET, f_socket),
	REC(SOCK_TCP, f_sock_tcp),
	REC(SOCK_QUEUE, f_sock_queue),
	REC(NETNS, f_netns),
	REC(NETDEV, f_netdev),
	REC(NETADDR, f_netaddr),
	REC(NETROUTE, f_netroute),
	{ .type = CKPT_REC_COMMENT },
};

static int nr_fields(const struct fz_field *f)
{
	int n = 0;

	while (f && f[n].size)
		n++;
	return n;
}

static const struct fz_rec *fz_rec_of(__u32 type)
{
	size_t i;

	for (i = 0; i < NR(fz_recs); i++)
		if (fz_recs[i].type == type)
			return &fz_recs[i];
	return NULL;
}

/* ---------------------------------------------------------------- random */

static __u64 rng_state;

static __u64 rnd64(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd(unsigned int n)
{
	return n ? rnd64() % n : 0;
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

/* ---------------------------------------------------------------- images */

struct frec {
	unsigned char *buf;	/* the record, header included */
	__u32 len;		/* bytes of buf (the header's len may differ) */
};

struct seed {
	char name[32];
	struct frec *r;
	int n;
	size_t size;
	unsigned long rflags;	/* restart(2) flags it needs */
};

/* a mutant being built */
struct mutant {
	struct frec r[FZ_MAX_RECS];
	int n;
	bool keep_tail;		/* do not fix TAIL's counts */
	/* byte-level changes applied to the serialized image */
	long trunc;		/* -1: none */
	int len_rec;		/* -1: none */
	__u32 len_val;
	unsigned long rflags;
	pid_t rpid;
	char what[256];
};

static struct seed seeds[FZ_MAX_SEEDS];
static int nr_seeds;
static __u32 ids[FZ_MAX_IDS];	/* objrefs, pids and addresses of the seeds */
static int nr_ids;
static __u32 pids[FZ_MAX_IDS];
static int nr_pids;
static __u64 addrs[FZ_MAX_IDS];
static int nr_addrs;

static void note(struct mutant *m, const char *fmt, ...)
{
	size_t l = strlen(m->what);
	va_list ap;

	if (l + 2 >= sizeof(m->what))
		return;
	if (l)
		m->what[l++] = ';';
	va_start(ap, fmt);
	vsnprintf(m->what + l, sizeof(m->what) - l, fmt, ap);
	va_end(ap);
}

static __u32 rec_type(const struct frec *r)
{
	return ((const struct ckpt_hdr *)r->buf)->type;
}

static const char *type_name(__u32 type)
{
	static char buf[16];
	const char *n = ckpt_rec_type_name(type);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "%#x", type);
	return buf;
}

static void add_id(__u32 v)
{
	int i;

	for (i = 0; i < nr_ids; i++)
		if (ids[i] == v)
			return;
	if (nr_ids < FZ_MAX_IDS)
		ids[nr_ids++] = v;
}

static void add_pid(__u32 v)
{
	int i;

	for (i = 0; i < nr_pids; i++)
		if (pids[i] == v)
			return;
	if (nr_pids < FZ_MAX_IDS)
		pids[nr_pids++] = v;
}

static void add_addr(__u64 v)
{
	if (nr_addrs < FZ_MAX_IDS)
		addrs[nr_addrs++] = v;
}

static __u64 get_field(const unsigned char *p, int size)
{
	__u64 v = 0;

	memcpy(&v, p, size);
	return v;
}

static void set_field(unsigned char *p, int size, __u64 v)
{
	memcpy(p, &v, size);
}

/* the values of a seed the mutations reuse: objrefs, pids, addresses */
static void harvest(const struct frec *r)
{
	const struct fz_rec *d = fz_rec_of(rec_type(r));
	int i;

	if (!d)
		return;
	for (i = 0; i < nr_fields(d->fields); i++) {
		const struct fz_field *f = &d->fields[i];

		if (f->off + f->size > r->len)
			continue;
		if (f->kind == K_ID)
			add_id(get_field(r->buf + f->off, f->size));
		else if (f->kind == K_PID)
			add_pid(get_field(r->buf + f->off, f->size));
		else if (f->kind == K_ADDR && rec_type(r) == CKPT_REC_VMA)
			add_addr(get_field(r->buf + f->off, f->size));
	}
	if (rec_type(r) == CKPT_REC_TREE) {
		const struct ckpt_rec_tree *t = (const void *)r->buf;
		__u32 k;

		for (k = 0; k < t->nr_tasks; k++)
			add_pid(t->tasks[k].pid);
	}
}

/* split an image into records; false if the reader refuses it */
static bool seed_load(struct seed *s, const char *name, const void *buf,
		      size_t size, char *why, size_t whylen)
{
	struct ckpt_image *img = ckpt_image_open_mem(buf, size);
	struct ckpt_rec rec;
	int ret;

	if (!img) {
		snprintf(why, whylen, "ckpt_image_open_mem: %s", strerror(errno));
		return false;
	}
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->size = size;
	s->r = calloc(FZ_MAX_RECS, sizeof(*s->r));
	while (s->r && (ret = ckpt_image_next(img, &rec)) == 1 && s->n < FZ_MAX_RECS) {
		struct frec *r = &s->r[s->n++];

		r->len = rec.len;
		r->buf = malloc(CKPT_ALIGN_UP(rec.len));
		if (!r->buf)
			break;
		memset(r->buf, 0, CKPT_ALIGN_UP(rec.len));
		memcpy(r->buf, rec.hdr, rec.len);
		harvest(r);
	}
	if (!s->r || ret != 0) {
		snprintf(why, whylen, "%.40s: %.180s at %llu", name,
			 s->r ? ckpt_image_error(img) : "no memory",
			 (unsigned long long)ckpt_image_error_offset(img));
		ckpt_image_close(img);
		return false;
	}
	ckpt_image_close(img);
	return true;
}

static bool seed_add_file(const char *name, const char *path, unsigned long rflags,
			  char *why, size_t whylen)
{
	struct img im = {};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0 || img_load_fd(fd, &im) || !im.size) {
		snprintf(why, whylen, "%s: cannot read %s", name, path);
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	ok = seed_load(&seeds[nr_seeds], name, im.buf, im.size, why, whylen);
	img_free(&im);
	if (ok)
		seeds[nr_seeds++].rflags = rflags;
	return ok;
}

/* ---------------------------------------------------------------- values */

static const __u32 interesting32[] = {
	0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128,
	255, 256, 1023, 1024, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff,
	0x10000, 0x100000, 0x1000000, 0x7fffffff, 0x80000000, 0xfffffff8,
	0xfffffffe, 0xffffffff,
};

static const __u64 interesting_addr[] = {
	0, 1, 0x1000, 0x10000, 0x400000, 0x7ffffffde000ULL, 0x7fffffffe000ULL,
	0x7ffffffff000ULL, 0x800000000000ULL, 0xffff800000000000ULL,
	0xffff888000000000ULL, 0xffffffff81000000ULL, 0xffffffffff600000ULL,
	0xfffffffffffff000ULL, ~0ULL,
};

static __u64 mutate_value(int kind, int size, __u64 v)
{
	__u64 mask = size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
	__u64 n;

	switch (rnd(6) ? kind : K_VAL) {
	case K_COUNT:
	case K_LEN:
		switch (rnd(7)) {
		case 0:
			n = 0;
			break;
		case 1:
			n = v + 1;
			break;
		case 2:
			n = v - 1;
			break;
		case 3:
			n = v * 2 + 1;
			break;
		case 4:
			n = v + 1 + rnd(64);
			break;
		case 5:
			n = v ? v / 2 : 1;
			break;
		default:
			n = ~0ULL;
			break;
		}
		break;
	case K_ID:
	case K_REF:
		switch (rnd(6)) {
		case 0:
			n = 0;
			break;
		case 1:
			n = v + 1;
			break;
		case 2:
			n = v - 1;
			break;
		case 3:
			n = ~0U;
			break;
		default:
			n = nr_ids ? ids[rnd(nr_ids)] : 1;
			break;
		}
		break;
	case K_ADDR:
		switch (rnd(8)) {
		case 0:
			n = v + 1;
			break;
		case 1:
			n = v + PAGE;
			break;
		case 2:
			n = v - PAGE;
			break;
		case 3:
			n = v ^ (1ULL << rnd(64));
			break;
		case 4:
		case 5:
			n = nr_addrs ? addrs[rnd(nr_addrs)] + PAGE * (rnd(3) - 1) : 0;
			break;
		default:
			n = interesting_addr[rnd(NR(interesting_addr))];
			break;
		}
		break;
	case K_OFF:
		switch (rnd(6)) {
		case 0:
			n = v + 1;
			break;
		case 1:
			n = v + PAGE;
			break;
		case 2:
			n = -v;
			break;
		case 3:
			n = 1ULL << rnd(64);
			break;
		case 4:
			n = (1ULL << 63) - PAGE + rnd(2 * PAGE);
			break;
		default:
			n = interesting32[rnd(NR(interesting32))];
			break;
		}
		break;
	case K_FD:
		switch (rnd(5)) {
		case 0:
			n = rnd(8);
			break;
		case 1:
			n = 1023 + rnd(3);
			break;
		case 2:
			n = 1024 * 1024 + rnd(2);
			break;
		case 3:
			n = 0x7fffffff - rnd(2);
			break;
		default:
			n = ~0ULL;
			break;
		}
		break;
	case K_PID:
		switch (rnd(6)) {
		case 0:
			n = 0;
			break;
		case 1:
			n = 1;
			break;
		case 2:
			n = v + 1;
			break;
		case 3:
			n = 4194304 + rnd(2);
			break;
		case 4:
			n = ~0ULL;
			break;
		default:
			n = nr_pids ? pids[rnd(nr_pids)] : 2;
			break;
		}
		break;
	case K_FLAGS:
		switch (rnd(4)) {
		case 0:
			n = v ^ (1ULL << rnd(size * 8));
			break;
		case 1:
			n = v | (1ULL << rnd(size * 8));
			break;
		case 2:
			n = ~0ULL;
			break;
		default:
			n = v ^ (1ULL << rnd(12));
			break;
		}
		break;
	case K_ENUM:
		switch (rnd(4)) {
		case 0:
			n = rnd(16);
			break;
		case 1:
			n = v + 1;
			break;
		case 2:
			n = v - 1;
			break;
		default:
			n = interesting32[rnd(NR(interesting32))];
			break;
		}
		break;
	case K_SIG:
		n = rnd(4) ? rnd(70) : interesting32[rnd(NR(interesting32))];
		break;
	case K_UID:
		switch (rnd(5)) {
		case 0:
			n = 0;
			break;
		case 1:
			n = 65534;
			break;
		case 2:
			n = ~0U;
			break;
		case 3:
			n = 1000 + rnd(3);
			break;
		default:
			n = ~0U - 1;
			break;
		}
		break;
	case K_VER:
		n = rnd(2) ? v + 1 : v - 1;
		if (!rnd(4))
			n = rnd(2) ? 0 : 0xffff;
		break;
	default:
		switch (rnd(4)) {
		case 0:
			n = v ^ (1ULL << rnd(size * 8));
			break;
		case 1:
			n = interesting32[rnd(NR(interesting32))];
			break;
		case 2:
			n = -(__s64)interesting32[rnd(NR(interesting32))];
			break;
		default:
			n = rnd64();
			break;
		}
		break;
	}
	return n & mask;
}

/* ---------------------------------------------------------------- mutations */

static struct frec frec_copy(const struct frec *r)
{
	struct frec c = { .len = r->len };

	c.buf = malloc(CKPT_ALIGN_UP(r->len) ?: CKPT_ALIGN);
	memset(c.buf, 0, CKPT_ALIGN_UP(r->len));
	memcpy(c.buf, r->buf, r->len);
	return c;
}

static void mutant_free(struct mutant *m)
{
	int i;

	for (i = 0; i < m->n; i++)
		free(m->r[i].buf);
	m->n = 0;
}

static void mutant_from(struct mutant *m, const struct seed *s)
{
	int i;

	memset(m, 0, offsetof(struct mutant, n));
	m->n = s->n;
	for (i = 0; i < s->n; i++)
		m->r[i] = frec_copy(&s->r[i]);
	m->keep_tail = false;
	m->trunc = -1;
	m->len_rec = -1;
	m->rflags = s->rflags;
	m->rpid = 0;
	m->what[0] = 0;
}

static void insert_rec(struct mutant *m, int at, struct frec r)
{
	if (m->n >= FZ_MAX_RECS) {
		free(r.buf);
		return;
	}
	memmove(&m->r[at + 1], &m->r[at], (m->n - at) * sizeof(m->r[0]));
	m->r[at] = r;
	m->n++;
}

static void remove_rec(struct mutant *m, int at)
{
	free(m->r[at].buf);
	memmove(&m->r[at], &m->r[at + 1], (m->n - at - 1) * sizeof(m->r[0]));
	m->n--;
}

/* a record, preferring those the table describes (not HEADER/TAIL often) */
static int pick_rec(struct mutant *m)
{
	int i, tries;

	for (tries = 0; tries < 8; tries++) {
		const struct fz_rec *d;

		i = rnd(m->n);
		d = fz_rec_of(rec_type(&m->r[i]));
		if (d && (d->fields || d->arr))
			return i;
	}
	return rnd(m->n);
}

/* change one field the table describes */
static void mut_field(struct mutant *m)
{
	int i = pick_rec(m);
	struct frec *r = &m->r[i];
	const struct fz_rec *d = fz_rec_of(rec_type(r));
	const struct fz_field *f;
	unsigned int base = 0;
	__u64 old, new;

	if (!d || (!d->fields && !d->arr))
		return;
	if (d->arr && (!d->fields || chance(40))) {
		const struct fz_array *a = d->arr;
		unsigned long cnt = a->count_off >= 0 &&
			a->count_off + a->count_size <= r->len ?
			get_field(r->buf + a->count_off, a->count_size) : ~0UL;
		unsigned long fit = r->len > a->off ? (r->len - a->off) / a->elem : 0;

		if (cnt > fit)
			cnt = fit;
		if (!cnt)
			return;
		base = a->off + rnd(cnt) * a->elem;
		f = &a->fields[rnd(nr_fields(a->fields))];
	} else {
		f = &d->fields[rnd(nr_fields(d->fields))];
	}
	if (base + f->off + f->size > r->len)
		return;
	old = get_field(r->buf + base + f->off, f->size);
	new = mutate_value(f->kind, f->size, old);
	set_field(r->buf + base + f->off, f->size, new);
	note(m, "%s[%d]+%u=%#llx", type_name(rec_type(r)), i, base + f->off,
	     (unsigned long long)new);
}

static void mut_bits(struct mutant *m)
{
	int i = pick_rec(m), k, nr = 1 + rnd(3);
	struct frec *r = &m->r[i];

	if (r->len <= sizeof(struct ckpt_hdr))
		return;
	for (k = 0; k < nr; k++) {
		unsigned int off = sizeof(struct ckpt_hdr) +
				   rnd(r->len - sizeof(struct ckpt_hdr));

		r->buf[off] ^= 1 << rnd(8);
		note(m, "flip %s[%d]+%u", type_name(rec_type(r)), i, off);
	}
}

static void mut_word(struct mutant *m)
{
	int i = pick_rec(m);
	struct frec *r = &m->r[i];
	unsigned int off;
	__u32 v = interesting32[rnd(NR(interesting32))];

	if (r->len < 16)
		return;
	off = 8 + rnd((r->len - 8) / 4) * 4;
	if (off + 4 > r->len)
		return;
	memcpy(r->buf + off, &v, 4);
	note(m, "word %s[%d]+%u=%#x", type_name(rec_type(r)), i, off, v);
}

static const __u32 some_types[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
	20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
	37, 38, 39, 40, 41, 42, 43, 45, 46, 47, 63, 64, 65, CKPT_TYPE_OPTIONAL,
	CKPT_REC_COMMENT, CKPT_TYPE_OPTIONAL | 2, CKPT_TYPE_OPTIONAL | 46,
	0x7fff, 0xffff, 0x10000, 0xffffffff,
};

static void mut_type(struct mutant *m)
{
	int i = rnd(m->n);
	struct ckpt_hdr *h = (void *)m->r[i].buf;
	__u32 old = h->type;

	h->type = some_types[rnd(NR(some_types))];
	note(m, "type [%d] %s->%s", i, type_name(old), type_name(h->type));
}

static void mut_len(struct mutant *m)
{
	int i = rnd(m->n);
	__u32 len = m->r[i].len;
	static const int deltas[] = { -8, -4, -1, 1, 4, 8, 16, 4096 };

	m->len_rec = i;
	switch (rnd(4)) {
	case 0:
		m->len_val = interesting32[rnd(NR(interesting32))];
		break;
	case 1:
		m->len_val = CKPT_REC_MAX_LEN + rnd(2);
		break;
	default:
		m->len_val = len + deltas[rnd(NR(deltas))];
		break;
	}
	note(m, "len [%d] %s %u->%u", i, type_name(rec_type(&m->r[i])), len, m->len_val);
}

/* cut the variable part of a record or add to it, with the header's len */
static void mut_resize(struct mutant *m)
{
	int i = pick_rec(m);
	struct frec *r = &m->r[i];
	__u32 len = r->len, nl;

	if (chance(50) && len > 16)
		nl = sizeof(struct ckpt_hdr) + rnd(len - sizeof(struct ckpt_hdr));
	else
		nl = len + 1 + rnd(chance(20) ? 5 * PAGE : 64);
	if (nl > len) {
		unsigned char *b = realloc(r->buf, CKPT_ALIGN_UP(nl));

		if (!b)
			return;
		memset(b + len, chance(50) ? 0 : 0x41, CKPT_ALIGN_UP(nl) - len);
		r->buf = b;
	} else {
		memset(r->buf + nl, 0, CKPT_ALIGN_UP(len) - nl);
	}
	r->len = nl;
	((struct ckpt_hdr *)r->buf)->len = nl;
	note(m, "resize [%d] %s %u->%u", i, type_name(rec_type(r)), len, nl);
}

static void mut_header(struct mutant *m)
{
	struct ckpt_rec_header *h = (void *)m->r[0].buf;

	if (rec_type(&m->r[0]) != CKPT_REC_HEADER)
		return;
	switch (rnd(7)) {
	case 0:
		h->major += rnd(2) ? 1 : -1;
		break;
	case 1:
		h->minor += 1 + rnd(3);
		break;
	case 2:
		h->arch = rnd(4);
		break;
	case 3:
		h->page_size = interesting32[rnd(NR(interesting32))];
		break;
	case 4:
		h->magic[rnd(8)] ^= 1 << rnd(8);
		break;
	case 5:
		h->nr_tasks = mutate_value(K_COUNT, 4, h->nr_tasks);
		break;
	default:
		h->release[rnd(72)] = rnd(256);
		break;
	}
	note(m, "header");
}

static void mut_truncate(struct mutant *m, size_t size)
{
	if (chance(50) && m->n > 1) {
		int i = 1 + rnd(m->n - 1), k;

		m->trunc = 0;
		for (k = 0; k < i; k++)
			m->trunc += CKPT_ALIGN_UP(m->r[k].len);
		if (chance(50))
			m->trunc += rnd(m->r[i].len);
	} else {
		m->trunc = rnd(size);
	}
	note(m, "truncate %ld", m->trunc);
}

static void mut_drop(struct mutant *m)
{
	int i;

	if (m->n < 3)
		return;
	i = 1 + rnd(m->n - 2);
	note(m, "drop [%d] %s", i, type_name(rec_type(&m->r[i])));
	remove_rec(m, i);
}

static void mut_dup(struct mutant *m)
{
	int i = rnd(m->n), at = chance(70) ? i + 1 : 1 + rnd(m->n);

	note(m, "dup [%d] %s at %d", i, type_name(rec_type(&m->r[i])), at);
	insert_rec(m, at, frec_copy(&m->r[i]));
}

static void mut_swap(struct mutant *m)
{
	int i = 1 + rnd(m->n - 2), j = chance(70) ? i + 1 : 1 + rnd(m->n - 2);
	struct frec t;

	if (m->n < 4 || j >= m->n)
		return;
	t = m->r[i];
	m->r[i] = m->r[j];
	m->r[j] = t;
	note(m, "swap [%d] [%d]", i, j);
}

static void mut_move(struct mutant *m)
{
	int i, at;
	struct frec t;

	if (m->n < 4)
		return;
	i = 1 + rnd(m->n - 2);
	t = m->r[i];
	memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(m->r[0]));
	m->n--;
	at = 1 + rnd(m->n - 1);
	memmove(&m->r[at + 1], &m->r[at], (m->n - at) * sizeof(m->r[0]));
	m->r[at] = t;
	m->n++;
	note(m, "move [%d] to %d", i, at);
}

/* a record of another image: inserted, or in place of one of its type */
static void mut_splice(struct mutant *m)
{
	const struct seed *o = &seeds[rnd(nr_seeds)];
	const struct frec *src = &o->r[rnd(o->n)];
	int i, cands[64], nc = 0;

	for (i = 0; i < m->n && nc < 64; i++)
		if (rec_type(&m->r[i]) == rec_type(src))
			cands[nc++] = i;
	if (nc && chance(60)) {
		i = cands[rnd(nc)];
		free(m->r[i].buf);
		m->r[i] = frec_copy(src);
		note(m, "splice %s:%s over [%d]", o->name, type_name(rec_type(src)), i);
	} else {
		i = 1 + rnd(m->n - 1);
		insert_rec(m, i, frec_copy(src));
		note(m, "splice %s:%s at %d", o->name, type_name(rec_type(src)), i);
	}
}

/*
 * PAGES where they do not belong: after a VMA that takes none (vdso,
 * vvar, a shared or file mapping), after SHMEM, FILEDATA or SYSV_SHM
 * beyond its size, after any other record, or twice for one address.
 */
static void mut_pages(struct mutant *m)
{
	int i, cands[256], nc = 0, at;
	unsigned int nr = 1 + rnd(3), k;
	struct ckpt_rec_pages *p;
	struct frec r;
	__u64 base = 0;

	for (i = 1; i < m->n && nc < 256; i++) {
		__u32 t = rec_type(&m->r[i]);

		if ((fz_rec_of(t) && fz_rec_of(t)->takes_pages) || chance(5))
			cands[nc++] = i;
	}
	if (!nc)
		return;
	at = cands[rnd(nc)];
	switch (rec_type(&m->r[at])) {
	case CKPT_REC_VMA: {
		const struct ckpt_rec_vma *v = (const void *)m->r[at].buf;

		base = v->start;
		if (chance(20))
			base = v->end - PAGE;
		if (chance(10))
			base = v->end;
		break;
	}
	case CKPT_REC_SHMEM:
		base = ((const struct ckpt_rec_shmem *)m->r[at].buf)->size;
		base = chance(50) ? base & ~(__u64)(PAGE - 1) : 0;
		break;
	case CKPT_REC_FILEDATA:
		base = ((const struct ckpt_rec_filedata *)m->r[at].buf)->size;
		base = chance(50) ? (base + PAGE - 1) & ~(__u64)(PAGE - 1) : 0;
		break;
	case CKPT_REC_SYSV_SHM:
		base = ((const struct ckpt_rec_sysv_shm *)m->r[at].buf)->size;
		base = chance(50) ? (base + PAGE - 1) & ~(__u64)(PAGE - 1) : 0;
		break;
	default:
		base = nr_addrs ? addrs[rnd(nr_addrs)] : 0x400000;
		break;
	}
	/* skip the PAGES that follow it, so that ours come after them */
	at++;
	while (at < m->n && rec_type(&m->r[at]) == CKPT_REC_PAGES && chance(50))
		at++;
	r.len = sizeof(*p) + nr * 8 + nr * PAGE;
	r.buf = calloc(1, CKPT_ALIGN_UP(r.len));
	if (!r.buf)
		return;
	p = (void *)r.buf;
	p->h.type = CKPT_REC_PAGES;
	p->h.len = r.len;
	p->nr_pages = nr;
	for (k = 0; k < nr; k++) {
		p->addrs[k] = base + k * PAGE;
		if (chance(5))
			p->addrs[k] = base;	/* not ascending */
		memset(r.buf + sizeof(*p) + nr * 8 + k * PAGE, 0xcc, PAGE);
	}
	insert_rec(m, at, r);
	note(m, "pages %u at %d base %#llx", nr, at, (unsigned long long)base);
}

static const char *const fz_paths[] = {
	"", "/", "/etc/shadow", "/proc/self/mem", "/dev/mem", "/dev/kmsg",
	"/sys/kernel/debug", "/proc/1/root", "../../../../etc/passwd",
	"/tmp", "/tmp/ckpt-fuzz-new", "/dev/shm/ckpt-fuzz-new", "/dev/null",
	"/dev/zero", "/proc/sys/kernel/tainted", "/usr/bin/true", "//",
	"memfd:x", "/nonexistent/file",
};

/* another path, or the same bytes without their NUL */
static void mut_path(struct mutant *m)
{
	int i, cands[256], nc = 0;
	const struct fz_rec *d;
	const struct fz_path *pp;
	struct frec *r;
	const char *p;
	__u32 plen, nl;
	unsigned char *b;

	for (i = 0; i < m->n && nc < 256; i++) {
		d = fz_rec_of(rec_type(&m->r[i]));
		if (d && d->path)
			cands[nc++] = i;
	}
	if (!nc)
		return;
	i = cands[rnd(nc)];
	r = &m->r[i];
	pp = fz_rec_of(rec_type(r))->path;
	if (pp->data > r->len)
		return;
	plen = get_field(r->buf + pp->len_off, 4);
	if (chance(15) && plen && pp->data + plen <= r->len) {
		r->buf[pp->data + plen - 1] = 'x';
		note(m, "path [%d] unterminated", i);
		return;
	}
	p = fz_paths[rnd(NR(fz_paths))];
	nl = pp->data + strlen(p) + 1;
	b = calloc(1, CKPT_ALIGN_UP(nl));
	if (!b)
		return;
	memcpy(b, r->buf, pp->data);
	memcpy(b + pp->data, p, strlen(p) + 1);
	set_field(b + pp->len_off, 4, chance(90) ? strlen(p) + 1 : strlen(p) + 2);
	((struct ckpt_hdr *)b)->len = nl;
	free(r->buf);
	r->buf = b;
	r->len = nl;
	note(m, "path [%d] %s %s", i, type_name(rec_type(r)), p);
}

static void mutate(struct mutant *m, const struct seed *s)
{
	int k, nr = 1 + (chance(40) ? rnd(4) : 0);

	for (k = 0; k < nr && m->n > 2; k++) {
		unsigned int w = rnd(100);

		if (w < 32)
			mut_field(m);
		else if (w < 40)
			mut_bits(m);
		else if (w < 44)
			mut_word(m);
		else if (w < 48)
			mut_type(m);
		else if (w < 52)
			mut_len(m);
		else if (w < 56)
			mut_resize(m);
		else if (w < 59)
			mut_header(m);
		else if (w < 62)
			mut_truncate(m, s->size);
		else if (w < 68)
			mut_drop(m);
		else if (w < 73)
			mut_dup(m);
		else if (w < 77)
			mut_swap(m);
		else if (w < 80)
			mut_move(m);
		else if (w < 87)
			mut_splice(m);
		else if (w < 94)
			mut_pages(m);
		else
			mut_path(m);
	}
	/* the tail's counts follow the records, mostly: to reach the end */
	m->keep_tail = chance(10);
	if (chance(8)) {
		m->rflags |= RESTART_PIDS;
		note(m, "RESTART_PIDS");
	}
	if (chance(3)) {
		m->rpid = nr_pids ? pids[rnd(nr_pids)] : 0;
		note(m, "pid %d", m->rpid);
	}
}

/* the image as bytes; its size */
static size_t serialize(struct mutant *m, unsigned char **out)
{
	size_t size = 0, off = 0;
	unsigned char *b;
	int i;

	for (i = 0; i < m->n; i++)
		size += CKPT_ALIGN_UP(m->r[i].len);
	if (!m->keep_tail && m->n && rec_type(&m->r[m->n - 1]) == CKPT_REC_TAIL &&
	    m->r[m->n - 1].len >= sizeof(struct ckpt_rec_tail)) {
		struct ckpt_rec_tail *t = (void *)m->r[m->n - 1].buf;

		t->nr_records = m->n - 1;
		t->size = size - CKPT_ALIGN_UP(m->r[m->n - 1].len);
	}
	b = malloc(size ?: 1);
	for (i = 0; i < m->n; i++) {
		memcpy(b + off, m->r[i].buf, CKPT_ALIGN_UP(m->r[i].len));
		if (i == m->len_rec)
			((struct ckpt_hdr *)(b + off))->len = m->len_val;
		off += CKPT_ALIGN_UP(m->r[i].len);
	}
	if (m->trunc >= 0 && (size_t)m->trunc < size)
		size = m->trunc;
	*out = b;
	return size;
}

/* ---------------------------------------------------------------- counts */

struct counts {
	int procs;		/* user processes, zombies included */
	long files;		/* /proc/sys/fs/file-nr */
	int ipc;		/* lines of /proc/sysvipc/{shm,msg,sem} */
	int entries;		/* of the scratch dir and /dev/shm */
	long tainted;
};

static long read_long_file(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static int count_lines(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t r, i;

	if (fd < 0)
		return 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < r; i++)
			n += buf[i] == '\n';
	close(fd);
	return n;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* processes that are not kernel threads (kthreadd is 2) */
static int count_procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[64], buf[512], *p;
		int pid = atoi(e->d_name), fd, ppid;
		ssize_t r;

		if (pid <= 2)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = 0;
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1)
			continue;
		n += ppid != 2;
	}
	closedir(d);
	return n;
}

/* ---------------------------------------------------------------- ipc */

/*
 * The SysV objects and POSIX queues of the caller's ipc namespace that
 * were there before the seeds: a restored tree's objects outlive it, and
 * are removed after each attempt that restored one.
 */
#define FZ_MQ_DIR	"/dev/mqueue"
#define FZ_MAX_IPC	64

static int ipc_base[3][FZ_MAX_IPC], ipc_nbase[3];
static char mq_base[16][NAME_MAX + 1];
static int mq_nbase;
static bool mq_mounted, ipc_based;

static const char *const ipc_files[3] = {
	"/proc/sysvipc/shm", "/proc/sysvipc/sem", "/proc/sysvipc/msg",
};

/* the ids of /proc/sysvipc/@kind */
static int ipc_ids(int kind, int *ids, int max)
{
	FILE *f = fopen(ipc_files[kind], "r");
	char line[512];
	int n = 0, id;

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	while (n < max && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*d %d", &id) == 1)
			ids[n++] = id;
	fclose(f);
	return n;
}

static void ipc_mount(void)
{
	mkdir(FZ_MQ_DIR, 0755);
	if (!mount("mqueue", FZ_MQ_DIR, "mqueue", 0, NULL))
		mq_mounted = true;
}

static void ipc_umount(void)
{
	if (mq_mounted)
		umount2(FZ_MQ_DIR, MNT_DETACH);
	mq_mounted = false;
}

static void ipc_baseline(void)
{
	DIR *d = opendir(FZ_MQ_DIR);
	struct dirent *e;
	int k;

	ipc_based = true;
	for (k = 0; k < 3; k++)
		ipc_nbase[k] = ipc_ids(k, ipc_base[k], FZ_MAX_IPC);
	mq_nbase = 0;
	while (d && (e = readdir(d)) && mq_nbase < 16)
		if (e->d_name[0] != '.')
			snprintf(mq_base[mq_nbase++], NAME_MAX + 1, "%s", e->d_name);
	if (d)
		closedir(d);
}

static int ipc_count(void)
{
	return count_lines("/proc/sysvipc/shm") + count_lines("/proc/sysvipc/msg") +
	       count_lines("/proc/sysvipc/sem") + count_entries(FZ_MQ_DIR);
}

/* remove what was not there at ipc_baseline() */
static void ipc_purge(void)
{
	DIR *d = opendir(FZ_MQ_DIR);
	int ids[FZ_MAX_IPC], n, k, i, j;
	struct dirent *e;
	char name[NAME_MAX + 2];

	if (!ipc_based) {
		if (d)
			closedir(d);
		return;
	}
	for (k = 0; k < 3; k++) {
		n = ipc_ids(k, ids, FZ_MAX_IPC);
		for (i = 0; i < n; i++) {
			for (j = 0; j < ipc_nbase[k] && ipc_base[k][j] != ids[i]; j++)
				;
			if (j < ipc_nbase[k])
				continue;
			if (k == 0)
				shmctl(ids[i], IPC_RMID, NULL);
			else if (k == 1)
				semctl(ids[i], 0, IPC_RMID);
			else
				msgctl(ids[i], IPC_RMID, NULL);
		}
	}
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		for (j = 0; j < mq_nbase && strcmp(mq_base[j], e->d_name); j++)
			;
		if (j < mq_nbase)
			continue;
		snprintf(name, sizeof(name), "/%s", e->d_name);
		mq_unlink(name);
	}
	if (d)
		closedir(d);
}

static const char *scratch_dir;

static void get_counts(struct counts *c)
{
	c->procs = count_procs();
	c->files = read_long_file("/proc/sys/fs/file-nr");
	c->ipc = ipc_count();
	c->entries = count_entries(scratch_dir) + count_entries("/dev/shm") +
		     count_entries("/sys/class/net");
	c->tainted = read_long_file("/proc/sys/kernel/tainted");
}

static long mem_field(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = strtol(line + kl + 1, NULL, 10) * 1024;
	fclose(f);
	return v;
}

static long kernel_mem(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			;
		close(fd);
	}
	return mem_field("SUnreclaim") + mem_field("KernelStack") + mem_field("PageTables");
}

/* ---------------------------------------------------------------- attempts */

enum outcome {
	O_ERRNO,	/* restart failed cleanly */
	O_RUNS,		/* restored, ran, checkpointed again */
	O_DIED,		/* restored, then died of a signal or exited */
	O_NORECKPT,	/* restored and running, checkpoint refused */
	O_BAD,		/* a failure of the test */
};

struct report {
	long ret;
	int err;
	int maps0, maps1;
	int alive;
	int status;
	long cret;
	int cerr;
};

static int count_maps(void)
{
	return count_lines("/proc/self/maps");
}

/* kill what restart made: the top and any orphan we adopted as subreaper */
static void kill_restored(pid_t top)
{
	int rounds;

	kill(top, SIGKILL);
	for (rounds = 0; rounds < 100; rounds++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		char ppid[16];
		int n = 0;

		while (d && (e = readdir(d))) {
			pid_t pid = atoi(e->d_name);

			if (pid > 0 && proc_status(pid, "PPid", ppid, sizeof(ppid)) &&
			    atoi(ppid) == getpid()) {
				kill(pid, SIGKILL);
				n++;
			}
		}
		if (d)
			closedir(d);
		while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
			;
		if (!n)
			break;
		sleep_ms(5);
	}
}

/* the child that restarts: reports through @wfd */
static void restarter(int imgfd, int wfd, unsigned long rflags, pid_t rpid)
{
	struct report rep = { 0 };
	int status;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rep.maps0 = count_maps();
	errno = 0;
	rep.ret = sys_restart(rpid, imgfd, rflags);
	rep.err = rep.ret < 0 ? errno : 0;
	rep.maps1 = count_maps();
	if (rep.ret > 0) {
		pid_t top = rep.ret;
		int i;

		/* it runs for a while (a TCG guest is slow) */
		for (i = 0; i < 10; i++) {
			pid_t w = waitpid(top, &status, WNOHANG | __WALL);

			if (w == top) {
				rep.status = status;
				break;
			}
			sleep_ms(5);
		}
		rep.alive = i == 10;
		if (rep.alive) {
			int cfd = memfd_create("ckpt-fuzz-again", MFD_CLOEXEC);

			/*
			 * CHECKPOINT_KILL: its TCP connections leave no
			 * TIME_WAIT, so the next restart of the image finds
			 * their ports free
			 */
			errno = 0;
			rep.cret = sys_checkpoint(top, cfd, CHECKPOINT_KILL);
			rep.cerr = rep.cret < 0 ? errno : 0;
			close(cfd);
		}
		kill_restored(top);
	}
	if (write(wfd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(2);
	_exit(0);
}

/* errnos restart may give a hostile image (documented in fuzzing.rst) */
static bool clean_errno(int e)
{
	switch (e) {
	case EINVAL: case ENOENT: case ENOTDIR: case EISDIR: case ELOOP:
	case ENAMETOOLONG: case EACCES: case EPERM: case ENOMEM: case E2BIG:
	case EOVERFLOW: case ERANGE: case EFBIG: case ENOSPC: case EMFILE:
	case ENFILE: case EBADF: case EEXIST: case ESTALE: case EBUSY:
	case ETXTBSY: case EOPNOTSUPP: case ENXIO: case ENODEV: case EXDEV:
	case EROFS: case EAGAIN: case ESRCH: case EADDRINUSE: case EADDRNOTAVAIL:
	case ENETUNREACH: case EHOSTUNREACH:
		return true;
	}
	return false;
}

/* errnos checkpoint may give for a restored process: as above */
static bool clean_ckpt_errno(int e)
{
	return clean_errno(e) && e != EEXIST;
}

#define HIST_MAX	140

struct stats {
	long tried, restarted, runs, died, noreckpt, bad;
	long hist[HIST_MAX];	/* restart errnos; [0]: success */
	long ckpt_hist[HIST_MAX];
	long sig[65];
};

static int run_one(struct __test_metadata *_metadata, int imgfd, struct mutant *m,
		   struct stats *st, struct counts *base, char *why, size_t wl)
{
	struct pollfd pfd;
	struct report rep = { 0 };
	struct counts after;
	int rp[2], pidfd, status, i;
	pid_t pid;
	long long t0;

	if (pipe2(rp, O_CLOEXEC))
		return snprintf(why, wl, "pipe: %s", strerror(errno)), O_BAD;
	pid = fork();
	if (pid < 0)
		return snprintf(why, wl, "fork: %s", strerror(errno)), O_BAD;
	if (!pid) {
		close(rp[0]);
		restarter(imgfd, rp[1], m->rflags, m->rpid);
	}
	close(rp[1]);
	pidfd = syscall(__NR_pidfd_open, pid, 0);
	pfd.fd = pidfd;
	pfd.events = POLLIN;
	t0 = now_ms();
	if (pidfd < 0 || poll(&pfd, 1, FZ_TIMEOUT_MS) != 1) {
		kill(pid, SIGKILL);
		snprintf(why, wl, "restart did not end in %d ms", FZ_TIMEOUT_MS);
		/* a hang the kill does not end either? */
		pfd.revents = 0;
		if (pidfd < 0 || poll(&pfd, 1, 20000) != 1)
			snprintf(why, wl, "restart hangs, unkillable, after %d ms",
				 FZ_TIMEOUT_MS);
		else
			waitpid(pid, NULL, 0);
		close(rp[0]);
		if (pidfd >= 0)
			close(pidfd);
		return O_BAD;
	}
	close(pidfd);
	waitpid(pid, &status, 0);
	i = read(rp[0], &rep, sizeof(rep));
	close(rp[0]);
	if (i != sizeof(rep) || !WIFEXITED(status) || WEXITSTATUS(status))
		return snprintf(why, wl, "restarter died: status %#x after %lld ms",
				status, now_ms() - t0), O_BAD;
	st->tried++;
	st->hist[rep.ret > 0 ? 0 : rep.err < HIST_MAX ? rep.err : HIST_MAX - 1]++;
	/* the IPC objects a restored tree made in our namespace outlive it */
	if (rep.ret > 0)
		ipc_purge();

	/* nothing left behind; the tasks of a failed restart are reaped */
	for (i = 0; i < 200; i++) {
		get_counts(&after);
		if (after.procs <= base->procs && after.ipc <= base->ipc &&
		    after.entries <= base->entries)
			break;
		sleep_ms(10);
	}
	/* what ended since (a reaped orphan of the seeds) is the new base */
	if (after.procs < base->procs)
		base->procs = after.procs;
	if (after.ipc < base->ipc)
		base->ipc = after.ipc;
	if (after.tainted != base->tainted)
		return snprintf(why, wl, "kernel tainted: %ld -> %ld", base->tainted,
				after.tainted), O_BAD;
	if (after.procs > base->procs)
		return snprintf(why, wl, "processes: %d -> %d", base->procs,
				after.procs), O_BAD;
	if (after.ipc > base->ipc)
		return snprintf(why, wl, "SysV IPC objects: %d -> %d", base->ipc,
				after.ipc), O_BAD;
	if (after.files > base->files + FZ_FILES_SLACK)
		return snprintf(why, wl, "open files: %ld -> %ld", base->files,
				after.files), O_BAD;
	if (rep.ret <= 0 && after.entries > base->entries)
		return snprintf(why, wl, "files in %s or /dev/shm: %d -> %d",
				scratch_dir, base->entries, after.entries), O_BAD;
	if (rep.maps1 != rep.maps0)
		return snprintf(why, wl, "caller's mappings: %d -> %d", rep.maps0,
				rep.maps1), O_BAD;
	if (rep.ret == 0 || (rep.ret < 0 && !clean_errno(rep.err)))
		return snprintf(why, wl, "restart: %ld, %s", rep.ret,
				strerrorname_np(rep.err) ?: "?"), O_BAD;
	if (rep.ret < 0)
		return O_ERRNO;
	st->restarted++;
	if (!rep.alive) {
		if (WIFSIGNALED(rep.status))
			st->sig[WTERMSIG(rep.status) & 63]++;
		st->died++;
		return O_DIED;
	}
	st->ckpt_hist[rep.cret > 0 ? 0 : rep.cerr < HIST_MAX ? rep.cerr : HIST_MAX - 1]++;
	if (rep.cret == 0 || (rep.cret < 0 && !clean_ckpt_errno(rep.cerr)))
		return snprintf(why, wl, "checkpoint of the restored process: %ld, %s",
				rep.cret, strerrorname_np(rep.cerr) ?: "?"), O_BAD;
	if (rep.cret < 0) {
		st->noreckpt++;
		return O_NORECKPT;
	}
	st->runs++;
	return O_RUNS;
}

/* ---------------------------------------------------------------- seeds */

/* what the workloads do: set up, say ready, wait to be killed */
static void wl_ready_file(const char *dir)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/ready.%d", dir, getpid());
	put_long(path, 1);
	for (;;)
		pause();
}

static void *wl_sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static void wl_plain_fn(const char *dir)
{
	char *heap = malloc(3 * PAGE);
	char *anon = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	for (i = 0; i < 3 * PAGE; i += 64)
		heap[i] = i;
	for (i = 0; i < 8; i += 2)
		anon[i * PAGE] = i + 1;
	signal(SIGUSR1, SIG_IGN);
	wl_ready_file(dir);
}

static void wl_threads_fn(const char *dir)
{
	pthread_t t[2];

	if (pthread_create(&t[0], NULL, wl_sleeper, NULL) ||
	    pthread_create(&t[1], NULL, wl_sleeper, NULL))
		_exit(50);
	wl_ready_file(dir);
}

static void wl_pipe_fn(const char *dir)
{
	int p[2];
	char buf[100];
	pid_t c;

	memset(buf, 'p', sizeof(buf));
	if (pipe(p) || write(p[1], buf, sizeof(buf)) != sizeof(buf))
		_exit(51);
	c = fork();
	if (c < 0)
		_exit(52);
	if (!c) {
		for (;;)
			pause();
	}
	wl_ready_file(dir);
}

static void wl_shm_fn(const char *dir)
{
	char *a, *b, *c;
	int mfd = memfd_create("ckpt-fuzz", MFD_ALLOW_SEALING);
	int sfd = open("/dev/shm/ckpt-fuzz-seed", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (mfd < 0 || sfd < 0 || ftruncate(mfd, 4 * PAGE) || ftruncate(sfd, 2 * PAGE))
		_exit(53);
	a = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	c = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	if (a == MAP_FAILED || b == MAP_FAILED || c == MAP_FAILED)
		_exit(54);
	a[0] = 1;
	a[2 * PAGE] = 2;
	b[PAGE] = 3;
	c[0] = 4;
	fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK);
	unlink("/dev/shm/ckpt-fuzz-seed");
	wl_ready_file(dir);
}

static void wl_files_fn(const char *dir)
{
	char path[160], buf[PAGE];
	int data, gone;
	char *map;

	memset(buf, 'f', sizeof(buf));
	snprintf(path, sizeof(path), "%s/data", dir);
	data = open(path, O_RDWR | O_CREAT | O_TRUNC, 0640);
	snprintf(path, sizeof(path), "%s/gone", dir);
	gone = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (data < 0 || gone < 0 || unlink(path) ||
	    pwrite(data, buf, sizeof(buf), 2 * PAGE) != sizeof(buf) ||
	    pwrite(gone, buf, 100, PAGE) != 100 || lseek(data, 77, SEEK_SET) != 77)
		_exit(55);
	map = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, data, 0);
	if (map == MAP_FAILED)
		_exit(56);
	map[2 * PAGE] = 'm';
	wl_ready_file(dir);
}

static void wl_exclude_fn(const char *dir)
{
	char path[160];
	int fd;

	char *big = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	snprintf(path, sizeof(path), "%s/xdata", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "xdata", 5) != 5 || big == MAP_FAILED)
		_exit(57);
	/* left out, but for the pages the runtime names: none here */
	big[0] = 1;
	big[40 * PAGE] = 2;
	wl_plain_fn(dir);
}

static void rich_handler(int sig)
{
}

/*
 * Signal and process state: a handler on an alternate stack, blocked
 * signals pending with and without siginfo (for the thread and the
 * process), a session of its own, a FIFO with bytes in it, a zombie and a
 * stopped child, a locked page, madvise flags, umask, cwd and rlimits.
 */
static void wl_rich_fn(const char *dir)
{
	struct sigaction sa = { .sa_handler = rich_handler,
				.sa_flags = SA_ONSTACK | SA_RESTART };
	stack_t ss = { .ss_size = 4 * SIGSTKSZ };
	struct rlimit rl = { 512, 1024 };
	union sigval v = { .sival_int = 42 };
	char path[160], *p;
	sigset_t set;
	pid_t c;
	int fd;

	ss.ss_sp = malloc(ss.ss_size);
	if (!ss.ss_sp || sigaltstack(&ss, NULL) || sigaction(SIGUSR2, &sa, NULL) ||
	    sigaction(SIGRTMIN + 1, &sa, NULL))
		_exit(60);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN + 1);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigqueue(getpid(), SIGRTMIN + 1, v);
	sigqueue(getpid(), SIGRTMIN + 1, v);
	kill(getpid(), SIGHUP);
	syscall(__NR_tgkill, getpid(), getpid(), SIGUSR2);
	setsid();
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) && errno != EEXIST)
		_exit(61);
	fd = open(path, O_RDWR);
	if (fd < 0 || write(fd, "fifo", 4) != 4)
		_exit(62);
	c = fork();
	if (!c)
		_exit(3);
	c = fork();
	if (!c) {
		for (;;)
			pause();
	}
	kill(c, SIGSTOP);
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(63);
	p[0] = 1;
	mlock(p, PAGE);
	madvise(p + PAGE, PAGE, MADV_DONTDUMP);
	madvise(p + 2 * PAGE, PAGE, MADV_WIPEONFORK);
	madvise(p + 3 * PAGE, PAGE, MADV_DONTFORK);
	umask(027);
	if (chdir(dir))
		_exit(64);
	setrlimit(RLIMIT_NOFILE, &rl);
	prctl(PR_SET_PDEATHSIG, SIGUSR1);
	wl_ready_file(dir);
}

/*
 * Event fds: an eventfd (semaphore, a count), an armed timerfd, a
 * signalfd with its signal pending, an epoll watching them and a pipe,
 * and an epoll watching that epoll (nested) with edge and one-shot
 * watches.
 */
/* a pty pair, both ends open, its slave's settings and size changed */
static void wl_pty_fn(const char *dir)
{
	struct winsize ws = { .ws_row = 31, .ws_col = 91 };
	struct termios tio;
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;

	if (m < 0 || grantpt(m) || unlockpt(m))
		_exit(60);
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (s < 0 || tcgetattr(s, &tio))
		_exit(61);
	tio.c_lflag &= ~(ECHO | ICANON);
	tio.c_cc[VMIN] = 1;
	if (tcsetattr(s, TCSANOW, &tio) || ioctl(m, TIOCSWINSZ, &ws))
		_exit(62);
	wl_ready_file(dir);
}

static void wl_evfd_fn(const char *dir)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 30, 0 } };
	struct itimerspec abs = { .it_value = { 2000000000, 0 } };
	struct epoll_event ev = { .events = EPOLLIN };
	int efd, tfd, tabs, sfd, in, out, p[2];
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN + 2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR1);
	efd = eventfd(5, EFD_SEMAPHORE | EFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	tabs = timerfd_create(CLOCK_REALTIME, 0);
	sfd = signalfd(-1, &set, SFD_NONBLOCK);
	in = epoll_create1(0);
	out = epoll_create1(EPOLL_CLOEXEC);
	if (efd < 0 || tfd < 0 || tabs < 0 || sfd < 0 || in < 0 || out < 0 ||
	    pipe(p) || write(p[1], "ev", 2) != 2 ||
	    timerfd_settime(tfd, 0, &its, NULL) ||
	    timerfd_settime(tabs, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &abs, NULL))
		_exit(70);
	ev.data.u64 = 0x1111;
	if (epoll_ctl(in, EPOLL_CTL_ADD, efd, &ev))
		_exit(71);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 0x2222;
	if (epoll_ctl(in, EPOLL_CTL_ADD, tfd, &ev))
		_exit(72);
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.fd = p[0];
	if (epoll_ctl(in, EPOLL_CTL_ADD, p[0], &ev))
		_exit(73);
	ev.events = EPOLLIN;
	ev.data.u64 = 0x3333;
	if (epoll_ctl(out, EPOLL_CTL_ADD, in, &ev) ||
	    epoll_ctl(out, EPOLL_CTL_ADD, sfd, &ev))
		_exit(74);
	wl_ready_file(dir);
}

struct fz_msg {
	long type;
	char text[16];
};

/*
 * SysV and POSIX IPC in the caller's ipc namespace: a segment attached
 * (and one removed while attached), a semaphore set changed with
 * SEM_UNDO, a message queue and a POSIX queue with messages.
 */
static void wl_sysv_fn(const char *dir)
{
	struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 32 };
	struct fz_msg m = { .type = 7, .text = "sysv" };
	struct sembuf op = { .sem_num = 1, .sem_op = 3, .sem_flg = SEM_UNDO };
	int shm = shmget(IPC_PRIVATE, 3 * PAGE, IPC_CREAT | 0600);
	int gone = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0640);
	int sem = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	int msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	char *p, *g;
	mqd_t q;

	mq_unlink("/ckpt-fuzz-mq");
	q = mq_open("/ckpt-fuzz-mq", O_CREAT | O_RDWR | O_NONBLOCK, 0600, &a);
	p = shmat(shm, NULL, 0);
	g = shmat(gone, NULL, SHM_RDONLY);
	if (shm < 0 || gone < 0 || sem < 0 || msq < 0 || q == (mqd_t)-1 ||
	    p == (void *)-1 || g == (void *)-1)
		_exit(75);
	p[0] = 1;
	p[2 * PAGE] = 2;
	if (shmctl(gone, IPC_RMID, NULL) || semctl(sem, 0, SETVAL, 9) ||
	    semop(sem, &op, 1) || msgsnd(msq, &m, 5, 0) ||
	    msgsnd(msq, &m, 1, 0) || mq_send(q, "first", 6, 2) ||
	    mq_send(q, "second", 7, 5))
		_exit(76);
	wl_ready_file(dir);
}

/* the init of a container with its own ipc and uts namespaces */
static void wl_ipcbox_fn(const char *dir)
{
	struct fz_msg m = { .type = 3, .text = "box" };
	struct sembuf op = { .sem_num = 0, .sem_op = 1, .sem_flg = SEM_UNDO };
	struct mq_attr a = { .mq_maxmsg = 2, .mq_msgsize = 16 };
	int shm = shmget(0x0c4bf001, PAGE, IPC_CREAT | 0600);
	int sem = semget(0x0c4bf002, 1, IPC_CREAT | 0600);
	int msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	mqd_t q = mq_open("/box-q", O_CREAT | O_RDWR | O_NONBLOCK, 0600, &a);
	char *p = shmat(shm, NULL, 0);

	if (shm < 0 || sem < 0 || msq < 0 || q == (mqd_t)-1 || p == (void *)-1 ||
	    semop(sem, &op, 1) || msgsnd(msq, &m, 4, 0) || mq_send(q, "mq", 3, 1))
		_exit(77);
	mq_unlink("/box-q");
	p[100] = 'b';
	wl_ready_file(dir);
}

/* a connected loopback TCP pair with bytes queued both ways, and a listener */
static void fz_tcp(int family)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr *a = family == AF_INET ? (void *)&a4 : (void *)&a6;
	socklen_t len = family == AF_INET ? sizeof(a4) : sizeof(a6);
	int l = socket(family, SOCK_STREAM, 0), c = socket(family, SOCK_STREAM, 0);
	int e = socket(family, SOCK_STREAM, 0), one = 1, s;

	if (l < 0 || c < 0 || e < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, a, len) || listen(l, 8) || getsockname(l, a, &len) ||
	    connect(c, a, len))
		_exit(78);
	s = accept(l, NULL, NULL);
	if (s < 0 || setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    write(c, "to-server", 9) != 9 || write(s, "to-client", 9) != 9)
		_exit(79);
	/* one more that waits in the listener's queue */
	if (connect(e, a, len) || write(e, "embryo", 6) != 6)
		_exit(80);
}

static void fz_udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int u = socket(AF_INET, SOCK_DGRAM, 0), v = socket(AF_INET, SOCK_DGRAM, 0);

	if (u < 0 || v < 0 || bind(u, (void *)&a, len) ||
	    getsockname(u, (void *)&a, &len) ||
	    sendto(v, "dgram", 5, 0, (void *)&a, len) != 5 ||
	    connect(v, (void *)&a, len))
		_exit(81);
}

/*
 * Unix sockets: a stream pair with bytes and a file in flight
 * (SCM_RIGHTS), a datagram pair, a listener bound to a path and an
 * abstract one with a connection accepted and one waiting; and loopback
 * TCP (v4, v6) and UDP.
 */
static void wl_sockets_fn(const char *dir)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sockaddr_un ab = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "fd", .iov_len = 2 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int sp[2], dp[2], p[2], l, la, c, ca, s;
	socklen_t alen;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, dp) || pipe(p) ||
	    write(p[1], "in-flight", 9) != 9 || write(sp[0], "stream", 6) != 6 ||
	    write(dp[1], "dgram", 5) != 5)
		_exit(82);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
	if (sendmsg(sp[1], &mh, 0) != 2)
		_exit(83);
	close(p[0]);
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/fz.sock", dir);
	unlink(un.sun_path);
	memcpy(ab.sun_path, "\0ckpt-fuzz", 10);
	alen = offsetof(struct sockaddr_un, sun_path) + 10;
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	la = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	ca = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (l < 0 || la < 0 || c < 0 || ca < 0 ||
	    bind(l, (void *)&un, sizeof(un)) || listen(l, 4) ||
	    bind(la, (void *)&ab, alen) || listen(la, 4) ||
	    connect(c, (void *)&un, sizeof(un)) || connect(ca, (void *)&ab, alen) ||
	    write(c, "waiting", 7) != 7 || write(ca, "packet", 6) != 6)
		_exit(84);
	s = accept(la, NULL, NULL);
	if (s < 0 || write(s, "accepted", 8) != 8)
		_exit(85);
	fz_tcp(AF_INET);
	fz_tcp(AF_INET6);
	fz_udp();
	wl_ready_file(dir);
}

/* the init of a container with its own network namespace */
static void wl_netns_fn(const char *dir)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char go[160];

	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		_exit(86);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		_exit(87);
	close(s);
	/* the test adds the veth */
	snprintf(go, sizeof(go), "%s/netgo", dir);
	while (access(go, F_OK))
		usleep(10000);
	fz_tcp(AF_INET);
	fz_udp();
	wl_ready_file(dir);
}

/* sockets left out by cr.exclude net */
static void wl_exnet_fn(const char *dir)
{
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) || write(sp[0], "x", 1) != 1)
		_exit(88);
	fz_tcp(AF_INET);
	fz_udp();
	wl_ready_file(dir);
}

typedef void (*seed_fn)(const char *dir);

/* fork @fn as a workload (in @cg if given), checkpoint it, kill it */
static void make_seed(struct __test_metadata *_metadata, const char *name, seed_fn fn,
		      const char *cg)
{
	char img[160], ready[160];
	int err, status;
	long ret;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		wl_task_setup();
		fn(scratch_dir);
		_exit(0);
	}
	if (cg)
		ASSERT_EQ(0, cg_enter(cg, pid));
	snprintf(ready, sizeof(ready), "%s/ready.%d", scratch_dir, pid);
	ASSERT_TRUE(wait_file(ready, CKPT_WAIT_MS));
	unlink(ready);
	snprintf(img, sizeof(img), "%s/seed-%s", scratch_dir, name);
	ret = take(img, pid, CHECKPOINT_KILL, &err);
	if (ret < 0) {
		show_error_record(img);
		unlink(img);
		kill(pid, SIGKILL);
		tree_tasks(SIGKILL, false);
	}
	EXPECT_LT(0, ret) {
		TH_LOG("checkpoint of the %s workload: %s", name, strerror(err));
	}
	waitpid(pid, &status, 0);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
}

/* load the images: after all workloads ran, so none carries the others */
static void load_seeds(struct __test_metadata *_metadata)
{
	static const char *const names[] = {
		"plain", "threads", "pipe-tree", "shm-memfd", "filedata",
		"rich", "container", "exclude", "evfd", "sysv", "ipc-box",
		"sockets", "netns", "exclude-net", "pty",
	};
	char img[160], why[256];
	size_t i;

	for (i = 0; i < NR(names); i++) {
		snprintf(img, sizeof(img), "%s/seed-%s", scratch_dir, names[i]);
		if (access(img, F_OK))
			continue;
		ASSERT_TRUE(seed_add_file(names[i], img, 0, why, sizeof(why))) {
			TH_LOG("%s", why);
		}
		unlink(img);
	}
}

/* init of a pid namespace with two children: sh and two sleeps */
static void make_container_seed(struct __test_metadata *_metadata)
{
	char img[160];
	pid_t u, init;
	int err, i, n = 0;

	if (!have("/usr/bin/unshare") || !have("/bin/sh") || !have("/bin/sleep")) {
		TH_LOG("no unshare, sh or sleep: no container seed");
		return;
	}
	init = run_container_cmd(_metadata, "sleep 1000 & sleep 1000 & wait", &u);
	ASSERT_LT(0, init);
	for (i = 0; i < 1000 && n < 2; i++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		char ppid[16];

		n = 0;
		while (d && (e = readdir(d))) {
			pid_t pid = atoi(e->d_name);

			n += pid > 0 && proc_status(pid, "PPid", ppid, sizeof(ppid)) &&
			     atoi(ppid) == init;
		}
		if (d)
			closedir(d);
		sleep_ms(20);
	}
	ASSERT_EQ(2, n);
	snprintf(img, sizeof(img), "%s/seed-container", scratch_dir);
	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint of the container: %s", strerror(err));
		show_error_record(img);
	}
	waitpid(u, NULL, 0);
}

#define FZ_VETH_HOST	"ckfzh0"
#define FZ_VETH_CONT	"ckfzc0"

static int fz_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static bool link_gone(const char *name, int ms)
{
	long long deadline = now_ms() + ms;
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	while (!access(path, F_OK)) {
		if (now_ms() > deadline)
			return false;
		sleep_ms(20);
	}
	return true;
}

/* a veth pair to the container of @init, configured as a manager would */
static void add_veth(struct __test_metadata *_metadata, pid_t init)
{
	if (!have("/usr/sbin/ip") || !have("/usr/bin/nsenter")) {
		TH_LOG("no ip(8) or nsenter(1): the netns seed has no veth");
		return;
	}
	fz_sh("ip link del " FZ_VETH_HOST " 2>/dev/null");
	ASSERT_EQ(0, fz_sh("ip link add " FZ_VETH_HOST " type veth peer name "
			   FZ_VETH_CONT " netns %d", init));
	ASSERT_EQ(0, fz_sh("nsenter -t %d -n sh -c '%s && %s && %s'", init,
			   "ip addr add 10.198.0.2/24 dev " FZ_VETH_CONT,
			   "ip link set " FZ_VETH_CONT " up",
			   "ip route add 10.201.0.0/16 via 10.198.0.1"));
	ASSERT_EQ(0, fz_sh("ip addr add 10.198.0.1/24 dev " FZ_VETH_HOST
			   " && ip link set " FZ_VETH_HOST " up"));
}

/*
 * A container: @fn is the init of new pid and @nsflags namespaces (its
 * host named if it has a uts namespace; with a network namespace, the
 * test gives it a veth before it goes on).  Checkpoint it, kill it.
 */
static void make_ns_seed(struct __test_metadata *_metadata, const char *name,
			 seed_fn fn, int nsflags)
{
	char img[160], ready[160], initf[160], go[160];
	long init = 0;
	int err, status;
	long ret;
	pid_t h;

	snprintf(initf, sizeof(initf), "%s/init.%s", scratch_dir, name);
	snprintf(ready, sizeof(ready), "%s/ready.1", scratch_dir);
	snprintf(go, sizeof(go), "%s/netgo", scratch_dir);
	h = fork();
	ASSERT_LE(0, h);
	if (!h) {
		pid_t c;

		if (unshare(CLONE_NEWPID | nsflags))
			_exit(90);
		if ((nsflags & CLONE_NEWUTS) &&
		    (sethostname("ckpt-fuzz", 9) || setdomainname("fuzz", 4)))
			_exit(91);
		c = fork();
		if (c < 0)
			_exit(92);
		if (!c) {
			wl_task_setup();
			fn(scratch_dir);
			_exit(0);
		}
		put_long(initf, c);
		waitpid(c, NULL, 0);
		_exit(0);
	}
	if (!wait_long(initf, 1, &init, CKPT_WAIT_MS)) {
		kill(h, SIGKILL);
		waitpid(h, NULL, 0);
		ASSERT_TRUE(false) {
			TH_LOG("%s: no init", name);
		}
	}
	unlink(initf);
	if (nsflags & CLONE_NEWNET) {
		add_veth(_metadata, init);
		put_long(go, 1);
	}
	EXPECT_TRUE(wait_file(ready, CKPT_WAIT_MS)) {
		TH_LOG("%s: not ready", name);
	}
	unlink(ready);
	unlink(go);
	snprintf(img, sizeof(img), "%s/seed-%s", scratch_dir, name);
	ret = take(img, init, CHECKPOINT_KILL, &err);
	if (ret < 0) {
		show_error_record(img);
		unlink(img);
		kill(init, SIGKILL);
	}
	EXPECT_LT(0, ret) {
		TH_LOG("checkpoint of the %s container: %s", name, strerror(err));
	}
	waitpid(h, &status, 0);
	/* the veth goes with the namespace: the seed restarts as it is */
	if (nsflags & CLONE_NEWNET)
		EXPECT_TRUE(link_gone(FZ_VETH_HOST, CKPT_WAIT_MS));
}

FIXTURE(fuzz) {
	struct scratch s;
	char top[PATH_MAX];
	char masked[PATH_MAX];
	char leaf[PATH_MAX];
	char masked_net[PATH_MAX];
	char leaf_net[PATH_MAX];
	bool root_enabled;
};

FIXTURE_SETUP(fuzz)
{
	scratch_init(&self->s);
	scratch_dir = self->s.dir;
	self->top[0] = 0;
	self->root_enabled = false;
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented");
}

FIXTURE_TEARDOWN(fuzz)
{
	tree_tasks(SIGKILL, false);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	if (*self->top)
		remove_cgroup(self->top);
	if (self->root_enabled)
		cg_write(CG_ROOT, "cgroup.subtree_control", "-cr");
	ipc_purge();
	ipc_umount();
	scratch_clean(&self->s);
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

static void save_image(const void *buf, size_t size, long iter)
{
	const char *dir = getenv("CKPT_FUZZ_SAVE");
	char path[PATH_MAX];
	int fd;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/fuzz-%ld.img", dir, iter);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, buf, size) != (ssize_t)size)
		;
	close(fd);
	fprintf(stderr, "# image saved in %s\n", path);
}

static void print_hist(const char *what, const long *hist)
{
	char line[1024];
	size_t l = 0;
	int e;

	for (e = 0; e < HIST_MAX; e++) {
		if (!hist[e])
			continue;
		l += snprintf(line + l, sizeof(line) - l, " %s=%ld",
			      e ? strerrorname_np(e) ?: "?" : "ok", hist[e]);
		if (l >= sizeof(line))
			break;
	}
	printf("# %s:%s\n", what, l ? line : " none");
}

TEST_F_TIMEOUT(fuzz, restart_mutated_images, 3600)
{
	long seed = env_long("CKPT_FUZZ_SEED", 1);
	long iters = env_long("CKPT_FUZZ_ITERS", FZ_ITERS);
	long first = env_long("CKPT_FUZZ_FIRST", 0);
	long secs = env_long("CKPT_FUZZ_SECS", FZ_SECS);
	bool verbose = env_long("CKPT_FUZZ_VERBOSE", 0);
	static struct mutant m;
	struct stats st = { 0 };
	struct counts base, now;
	const char *why_cg = cg_cr_missing();
	long mem0, mem1, it, failures = 0;
	long long t0, t1;
	char why[512], sock_path[160];
	int imgfd, i;

	/* the seeds: a workload of every kind */
	ipc_mount();
	ipc_baseline();
	make_seed(_metadata, "plain", wl_plain_fn, NULL);
	make_seed(_metadata, "threads", wl_threads_fn, NULL);
	make_seed(_metadata, "pipe-tree", wl_pipe_fn, NULL);
	make_seed(_metadata, "shm-memfd", wl_shm_fn, NULL);
	make_seed(_metadata, "filedata", wl_files_fn, NULL);
	make_seed(_metadata, "rich", wl_rich_fn, NULL);
	make_seed(_metadata, "evfd", wl_evfd_fn, NULL);
	make_seed(_metadata, "sysv", wl_sysv_fn, NULL);
	make_seed(_metadata, "sockets", wl_sockets_fn, NULL);
	if (!access("/dev/ptmx", R_OK | W_OK))
		make_seed(_metadata, "pty", wl_pty_fn, NULL);
	make_container_seed(_metadata);
	make_ns_seed(_metadata, "ipc-box", wl_ipcbox_fn, CLONE_NEWIPC | CLONE_NEWUTS);
	make_ns_seed(_metadata, "netns", wl_netns_fn, CLONE_NEWNET);
	if (!why_cg) {
		ASSERT_EQ(0, cg_make_top(self->top, "ckpt_fuzz_test", &self->root_enabled));
		new_cgroup(_metadata, self->masked, self->top, "ex", true);
		new_cgroup(_metadata, self->leaf, self->masked, "leaf", false);
		ASSERT_EQ(0, cg_write(self->masked, "cr.exclude", "anon files"));
		make_seed(_metadata, "exclude", wl_exclude_fn, self->leaf);
		new_cgroup(_metadata, self->masked_net, self->top, "exnet", true);
		new_cgroup(_metadata, self->leaf_net, self->masked_net, "leaf", false);
		ASSERT_EQ(0, cg_write(self->masked_net, "cr.exclude", "net"));
		make_seed(_metadata, "exclude-net", wl_exnet_fn, self->leaf_net);
	} else {
		printf("# no exclude seeds: %s\n", why_cg);
	}
	load_seeds(_metadata);
	/* the seeds' IPC objects are gone with them: their images restart */
	ipc_purge();
	for (i = 0; i < nr_seeds; i++)
		printf("# seed %s: %d records, %zu bytes\n", seeds[i].name, seeds[i].n,
		       seeds[i].size);

	imgfd = memfd_create("ckpt-fuzz-image", 0);
	ASSERT_LE(0, imgfd);
	signal(SIGPIPE, SIG_IGN);
	snprintf(sock_path, sizeof(sock_path), "%s/fz.sock", scratch_dir);

	/* every seed restarts as it is: the baseline of the counts */
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	get_counts(&base);
	mem0 = kernel_mem();
	for (i = 0; i < nr_seeds; i++) {
		unsigned char *buf;
		size_t size;
		int o;

		mutant_from(&m, &seeds[i]);
		size = serialize(&m, &buf);
		ASSERT_EQ(0, ftruncate(imgfd, 0));
		ASSERT_EQ((ssize_t)size, pwrite(imgfd, buf, size, 0));
		lseek(imgfd, 0, SEEK_SET);
		why[0] = 0;
		o = run_one(_metadata, imgfd, &m, &st, &base, why, sizeof(why));
		free(buf);
		mutant_free(&m);
		/* a dead socket is not saved again, but by cr.exclude net */
		if (!strcmp(seeds[i].name, "exclude-net") && o == O_NORECKPT)
			continue;
		EXPECT_EQ(O_RUNS, o) {
			TH_LOG("seed %s as it is: outcome %d %s", seeds[i].name, o, why);
		}
	}

	printf("# CKPT_FUZZ_SEED=%ld CKPT_FUZZ_FIRST=%ld CKPT_FUZZ_ITERS=%ld CKPT_FUZZ_SECS=%ld\n",
	       seed, first, iters, secs);
	t0 = now_ms();
	for (it = first; it < first + iters; it++) {
		const struct seed *s;
		unsigned char *buf;
		size_t size;
		int o;

		if (now_ms() - t0 > secs * 1000) {
			printf("# time limit: stopped before attempt %ld\n", it);
			break;
		}
		rng_state = (__u64)seed * 0x100000001b3ULL ^ (__u64)it * 0x9e3779b97f4a7c15ULL;
		rnd64();
		s = &seeds[rnd(nr_seeds)];
		mutant_from(&m, s);
		mutate(&m, s);
		size = serialize(&m, &buf);
		if (ftruncate(imgfd, 0) || pwrite(imgfd, buf, size, 0) != (ssize_t)size) {
			free(buf);
			mutant_free(&m);
			ASSERT_TRUE(false);
		}
		lseek(imgfd, 0, SEEK_SET);
		why[0] = 0;
		/* a restored socket's file is not the image's: the next one is EADDRINUSE */
		unlink(sock_path);
		o = run_one(_metadata, imgfd, &m, &st, &base, why, sizeof(why));
		if (verbose)
			printf("# %ld %s: %d %s\n", it, s->name, o, m.what);
		if (o == O_BAD) {
			st.bad++;
			failures++;
			printf("# FAIL attempt %ld (seed %s: %s): %s\n", it, s->name, m.what, why);
			save_image(buf, size, it);
			/* later attempts compare with what is there now */
			get_counts(&base);
		}
		if (o == O_RUNS || o == O_DIED || o == O_NORECKPT) {
			/* files a restored process made are its business */
			get_counts(&now);
			base.entries = now.entries;
		}
		free(buf);
		mutant_free(&m);
		if (failures >= 5)
			break;
	}
	t1 = now_ms();
	mem1 = kernel_mem();
	close(imgfd);

	printf("# images tried %ld, restarted %ld (ran and checkpointed again %ld, ",
	       st.tried, st.restarted, st.runs);
	printf("checkpoint refused %ld, died %ld), failures %ld\n",
	       st.noreckpt, st.died, st.bad);
	printf("# %.1f attempts/s\n", st.tried * 1000.0 / (t1 - t0 + 1));
	print_hist("restart errno histogram", st.hist);
	print_hist("checkpoint-again errno histogram", st.ckpt_hist);
	for (i = 1; i < 65; i++)
		if (st.sig[i])
			printf("# restored and killed by signal %d (%s): %ld\n", i,
			       strsignal(i), st.sig[i]);
	printf("# kernel memory (SUnreclaim + KernelStack + PageTables): %ld -> %ld KiB\n",
	       mem0 / 1024, mem1 / 1024);
	EXPECT_EQ(0, failures);
	EXPECT_LT(mem1, mem0 + FZ_SLAB_SLACK) {
		TH_LOG("kernel memory grew by %ld KiB", (mem1 - mem0) / 1024);
	}
	EXPECT_LT(0, st.tried);
}

/* restart @m (one attempt as the fuzzer makes them): its outcome */
static int restart_mutant(struct __test_metadata *_metadata, struct mutant *m,
			  struct stats *st, char *why, size_t wl)
{
	struct counts base;
	unsigned char *buf;
	size_t size;
	int fd, o;

	fd = memfd_create("ckpt-fuzz-image", 0);
	if (fd < 0)
		return O_BAD;
	size = serialize(m, &buf);
	if (pwrite(fd, buf, size, 0) != (ssize_t)size) {
		free(buf);
		close(fd);
		return O_BAD;
	}
	free(buf);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	get_counts(&base);
	o = run_one(_metadata, fd, m, st, &base, why, wl);
	close(fd);
	return o;
}

/*
 * Regression (found by the fuzzer): the private pages of a file mapping
 * whose pgoff puts them beyond the end of the file.  The kernel could not
 * place them (a fault there is SIGBUS) and restart returned EFAULT; they
 * are refused with EINVAL now.
 */
TEST_F_TIMEOUT(fuzz, file_pages_beyond_eof, 300)
{
	struct stats st = { 0 };
	static struct mutant m;
	char why[512] = "";
	int i, o, done = 0;

	make_seed(_metadata, "plain", wl_plain_fn, NULL);
	load_seeds(_metadata);
	ASSERT_EQ(1, nr_seeds);
	mutant_from(&m, &seeds[0]);
	for (i = 0; i + 1 < m.n && !done; i++) {
		struct ckpt_rec_vma *v = (void *)m.r[i].buf;

		if (rec_type(&m.r[i]) != CKPT_REC_VMA || v->type != CKPT_VMA_FILE ||
		    (v->flags & CKPT_VMA_SHARED) || rec_type(&m.r[i + 1]) != CKPT_REC_PAGES)
			continue;
		v->pgoff = (v->size + PAGE - 1) / PAGE + 16;
		done = 1;
	}
	ASSERT_TRUE(done) {
		TH_LOG("no private file mapping with pages in the image");
	}
	o = restart_mutant(_metadata, &m, &st, why, sizeof(why));
	mutant_free(&m);
	EXPECT_EQ(O_ERRNO, o) {
		TH_LOG("outcome %d: %s", o, why);
	}
	EXPECT_EQ(1, st.hist[EINVAL]);
}

/*
 * Regression (found by the fuzzer): a named file that restart creates for
 * a FILEDATA record and removes again when a later check fails (here a
 * page offset beyond the file).  The removal made the dentry of the open
 * file negative, and the file's last fput oopsed in fsnotify_close().
 */
TEST_F_TIMEOUT(fuzz, created_file_removed, 300)
{
	struct stats st = { 0 };
	static struct mutant m;
	char why[512] = "", newpath[160];
	int i, o, done = 0;

	make_seed(_metadata, "filedata", wl_files_fn, NULL);
	load_seeds(_metadata);
	ASSERT_EQ(1, nr_seeds);
	mutant_from(&m, &seeds[0]);
	for (i = 0; i + 1 < m.n && !done; i++) {
		struct ckpt_rec_filedata *f = (void *)m.r[i].buf;
		struct ckpt_rec_pages *p = (void *)m.r[i + 1].buf;
		size_t l;

		if (rec_type(&m.r[i]) != CKPT_REC_FILEDATA ||
		    (f->flags & CKPT_FILEDATA_UNLINKED) ||
		    rec_type(&m.r[i + 1]) != CKPT_REC_PAGES)
			continue;
		/* .../data becomes .../newf, not there: restart creates it */
		l = strlen((char *)f->path);
		ASSERT_LT(4, l);
		memcpy(f->path + l - 4, "newf", 4);
		snprintf(newpath, sizeof(newpath), "%s", (char *)f->path);
		p->addrs[0] = 0xfffffffffff00000ULL;
		done = 1;
	}
	ASSERT_TRUE(done) {
		TH_LOG("no named FILEDATA with pages in the image");
	}
	o = restart_mutant(_metadata, &m, &st, why, sizeof(why));
	mutant_free(&m);
	EXPECT_EQ(O_ERRNO, o) {
		TH_LOG("outcome %d: %s", o, why);
	}
	EXPECT_EQ(1, st.hist[EINVAL]);
	EXPECT_NE(0, access(newpath, F_OK)) {
		TH_LOG("%s left behind", newpath);
	}
}

/*
 * Regression (found by the fuzzer): a unix socket that restart binds to
 * its path again, then fails: its new socket file stayed.  @later: the
 * failure is another socket's, whose last check comes after the bound
 * socket's succeeded (the data of a socket with a higher objref dropped);
 * else the bound socket's own (its receive queue forged longer than what
 * follows).
 */
static void bound_socket_fails(struct __test_metadata *_metadata, bool later)
{
	struct stats st = { 0 };
	static struct mutant m;
	char why[512] = "", path[160] = "";
	__u32 ref = 0;
	int i, o, done = 0;

	make_seed(_metadata, "sockets", wl_sockets_fn, NULL);
	load_seeds(_metadata);
	ASSERT_EQ(1, nr_seeds);
	mutant_from(&m, &seeds[0]);
	for (i = 0; i < m.n && !ref; i++) {
		struct ckpt_rec_socket *r = (void *)m.r[i].buf;

		if (rec_type(&m.r[i]) != CKPT_REC_SOCKET ||
		    r->family != AF_UNIX || !r->path_len ||
		    r->state != CKPT_SOCK_LISTEN)
			continue;
		snprintf(path, sizeof(path), "%s",
			 (char *)r->data + r->addr_len + r->peer_addr_len);
		ref = r->objref;
		if (!later) {
			r->rcvq_bytes += 1000;
			done = 1;
		}
	}
	for (i = 0; i < m.n && later && !done; i++) {
		struct ckpt_rec_sock_queue *q = (void *)m.r[i].buf;

		if (rec_type(&m.r[i]) == CKPT_REC_SOCK_QUEUE && q->sock_ref > ref) {
			remove_rec(&m, i);
			done = 1;
		}
	}
	ASSERT_TRUE(done) {
		TH_LOG("no listening unix socket bound to a path in the image");
	}
	/* restart makes the file again (the stale one is not there) */
	unlink(path);
	o = restart_mutant(_metadata, &m, &st, why, sizeof(why));
	mutant_free(&m);
	EXPECT_EQ(O_ERRNO, o) {
		TH_LOG("outcome %d: %s", o, why);
	}
	EXPECT_EQ(1, st.hist[EINVAL]);
	EXPECT_NE(0, access(path, F_OK)) {
		TH_LOG("%s left behind", path);
	}
}

TEST_F_TIMEOUT(fuzz, bound_socket_removed, 300)
{
	bound_socket_fails(_metadata, false);
}

TEST_F_TIMEOUT(fuzz, bound_socket_removed_later_failure, 300)
{
	bound_socket_fails(_metadata, true);
}

TEST_HARNESS_MAIN
