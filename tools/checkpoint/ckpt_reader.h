/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Header-only reader for checkpoint images
 *
 * Reads an image as described by <linux/checkpoint.h>, one record at a
 * time, and validates it while doing so.  Works on a regular file (mapped),
 * on any other fd (pipe, socket: read incrementally, no seek needed) and on
 * a memory buffer.  All functions are static inline; include it and link
 * with nothing else.  <linux/checkpoint.h> must come from the installed
 * kernel headers (KHDR_INCLUDES).
 *
 * API summary
 *
 *   struct ckpt_image *ckpt_image_open(const char *path);
 *	Open a file ("-" is stdin).  Regular files are mapped, anything else
 *	is streamed.  NULL with errno set on failure.
 *   struct ckpt_image *ckpt_image_open_fd(int fd);
 *	Same for an fd the caller keeps (not closed by ckpt_image_close());
 *	mapped only if it is a regular file positioned at offset 0.
 *   struct ckpt_image *ckpt_image_open_stream(int fd);
 *	Read fd incrementally even if it is a regular file (never mapped);
 *	the caller keeps the fd.
 *   struct ckpt_image *ckpt_image_open_mem(const void *buf, size_t len);
 *	An image in memory (copied if buf is not 8-byte aligned).
 *   void ckpt_image_close(struct ckpt_image *img);
 *
 *   int ckpt_image_next(struct ckpt_image *img, struct ckpt_rec *rec);
 *	Read and validate the next record: 1 and *rec filled in, 0 at the
 *	clean end of the image (after TAIL or ERROR and nothing after it),
 *	-1 on a structural error (see ckpt_image_error()).  rec->hdr points
 *	to the whole record (header included); in stream mode it is valid
 *	only until the next call, in mapped/memory mode until close.  Unknown
 *	optional records are returned too, with rec->known == 0.
 *   int ckpt_image_rewind(struct ckpt_image *img);
 *	Start over (0; -1 for a stream that cannot seek back).  Before the
 *	first read it is a no-op, so check/find/count below work once on a
 *	fresh pipe.
 *   const char *ckpt_image_error(const struct ckpt_image *img);
 *   __u64 ckpt_image_error_offset(const struct ckpt_image *img);
 *	Last error message ("" if none) and the offset it refers to.
 *   const struct ckpt_rec_header *ckpt_image_header(const struct ckpt_image *);
 *	The HEADER record once read (NULL before).
 *   __u32 ckpt_image_end_type(const struct ckpt_image *img);
 *	CKPT_REC_TAIL or CKPT_REC_ERROR once the end was reached, else 0.
 *
 *   int ckpt_image_check(struct ckpt_image *img, char *err, size_t errlen);
 *	Rewind and validate the whole image: 0 if well formed (an image
 *	ending in an ERROR record is well formed), -1 and a message in err.
 *   int ckpt_image_find(struct ckpt_image *img, __u32 type,
 *			 struct ckpt_rec *rec);
 *	Rewind, then the first record of that type: 1 found, 0 not, -1 error.
 *   int ckpt_image_find_next(struct ckpt_image *img, __u32 type,
 *			      struct ckpt_rec *rec);
 *	Same from the current position (no rewind).
 *   long ckpt_image_count(struct ckpt_image *img, __u32 type);
 *	Rewind and count the records of that type (-1 on error).
 *   const void *ckpt_image_find_page(struct ckpt_image *img, __u64 addr);
 *	Rewind, then the contents of the page at addr from the PAGES
 *	records (NULL if the image does not hold it); valid as rec->hdr.
 *
 *   __u32 ckpt_pages_nr(const struct ckpt_rec *rec);
 *   int ckpt_pages_get(const struct ckpt_image *img, const struct ckpt_rec *rec,
 *		       __u32 i, __u64 *addr, const void **data);
 *	Page i of a PAGES record: its address and contents (0, or -1).
 *
 *   const char *ckpt_rec_type_name(__u32 type);  "VMA", ... or NULL
 *   CKPT_REC(rec, struct ckpt_rec_vma)  typed pointer to the record
 *   ckpt_le16(), ckpt_le32(), ckpt_le64()  little-endian field accessors
 *   Variable parts (validated, so in bounds and NUL-terminated; NULL when
 *   absent): ckpt_fs_cwd(), ckpt_fs_root(), ckpt_file_path(),
 *   ckpt_vma_path(), ckpt_mm_exe(), ckpt_error_msg(), ckpt_pipe_data().
 *
 * Checks done by ckpt_image_next(): HEADER first with magic, major version,
 * arch and a sane page size; every ckpt_hdr.len in 8..CKPT_REC_MAX_LEN;
 * zero padding to 8 bytes; each record large enough for its fixed part and
 * for the variable parts its counts announce; embedded strings terminated;
 * enum and flag values known; objrefs unique per type and referenced only
 * after they were written; TREE before the tasks and matching them;
 * SIGPENDING (shared = 0) and arch records only between TASK and TASK_END,
 * namespace and IPC object records (IPC_NS, UTS_NS, SYSV_*, MQUEUE) after
 * TREE and before the first task's section, IPC_NS and UTS_NS as TREE
 * announces them, each queue followed by its IPC_MSG records,
 * each SIGNAL followed by its SIGPENDING (shared = 1), neither with SIGKILL
 * or SIGSTOP pending; every __pad field, the auxv words after nr_auxv and
 * the bytes of a siginfo after the kernel's 48 zero; one TASK per TREE
 * entry that is not a zombie, in TREE order, with its pid; VMA count
 * as announced by MM, VMAs ascending and page aligned; PAGES addresses
 * ascending, inside the preceding VMA; an event fd's state record right
 * before its FILE, every epoll watch naming an earlier FILE; TAIL (or
 * ERROR) last with nothing after it; TAIL.nr_records, TAIL.size and task
 * counts matching; unknown mandatory record types refused.
 */
#ifndef _CKPT_READER_H
#define _CKPT_READER_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <linux/checkpoint.h>

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ckpt_le16(x)	((__u16)(x))
#define ckpt_le32(x)	((__u32)(x))
#define ckpt_le64(x)	((__u64)(x))
#else
#define ckpt_le16(x)	__builtin_bswap16(x)
#define ckpt_le32(x)	__builtin_bswap32(x)
#define ckpt_le64(x)	__builtin_bswap64(x)
#endif

#ifndef O_CLOEXEC
#define O_CLOEXEC	02000000	/* strict ISO C builds */
#endif

#define CKPT_REC(rec, type)	((const type *)(rec)->hdr)

#define CKPT_READER_ERRLEN	256

struct ckpt_rec {
	const struct ckpt_hdr *hdr;	/* the record, ckpt_hdr included */
	__u32 type;			/* ckpt_hdr.type */
	__u32 len;			/* ckpt_hdr.len */
	__u64 offset;			/* from the start of the image */
	__u64 index;			/* 0 for the HEADER */
	int known;			/* 0: unknown optional type */
};

struct ckpt_objref {
	__u32 type;
	__u32 objref;
};

enum {
	CKPT_ST_START,		/* nothing read yet */
	CKPT_ST_BODY,		/* after the HEADER */
	CKPT_ST_END,		/* after TAIL or ERROR */
	CKPT_ST_DONE,		/* end checked: nothing follows */
	CKPT_ST_BAD,		/* structural error */
};

struct ckpt_image {
	int fd;			/* -1 for memory */
	int own_fd;
	const unsigned char *map;	/* mapped or memory image */
	size_t map_len;
	int map_kind;		/* 0 stream, 1 mmap, 2 borrowed, 3 malloced */
	int consumed;		/* stream mode: bytes were read */
	unsigned char *buf;	/* stream mode: the current record */
	size_t buf_size;
	off_t start;		/* stream mode: fd offset of the image, -1 */
	__u64 pos;		/* offset of the next record */

	int state;
	__u64 nr_records;
	struct ckpt_rec_header header;
	__u32 page_size;
	__u32 end_type;

	/* tree and tasks */
	struct ckpt_tree_entry *tree;
	__u32 nr_tree;
	int tree_seen;
	__u32 nr_tasks;		/* TASK records */
	__u32 nr_live;		/* TREE entries that are not zombies */
	__u32 next_entry;	/* TREE entry of the next section */
	int in_task;
	int task_regs, task_xstate, task_sigpending;
	int want_shared;	/* SIGNAL: its SIGPENDING must follow */

	/* address space */
	int in_mm;		/* VMA/PAGES may follow */
	__u32 vmas_left;
	int have_vma;
	__u64 vma_start, vma_end, page_min;
	__u64 page_end;		/* pages of the VMA lie below */
	__u32 vma_flags;

	/* shared memory: its PAGES follow, by offset */
	int in_shmem;
	__u64 shmem_size;

	/* IPC: namespaces and objects before the first task's section */
	__u32 tree_flags;
	int sections;		/* a task's section has begun */
	int ipc_ns_seen, uts_ns_seen;
	__u64 msgs_left;	/* IPC_MSG records the last queue announced */
	__u64 msg_max;		/* their largest text */
	/* network namespace: its members follow */
	__u32 net_devs, net_addrs, net_routes;

	/* sockets */
	__u32 sock_pending;	/* a PAIRED socket: its peer comes next */
	__u16 sock_pending_type;
	int want_tcp;		/* an established TCP socket: its SOCK_TCP */
	__u32 *sock_fwd;	/* datagram peer_refs not defined yet */
	size_t nr_sock_fwd, sock_fwd_cap;

	struct ckpt_objref *refs;
	size_t nr_refs, refs_cap;

	char err[CKPT_READER_ERRLEN];
	__u64 err_offset;
};

static inline const char *ckpt_rec_type_name(__u32 type)
{
	switch (type) {
	case CKPT_REC_HEADER:		return "HEADER";
	case CKPT_REC_TAIL:		return "TAIL";
	case CKPT_REC_ERROR:		return "ERROR";
	case CKPT_REC_TREE:		return "TREE";
	case CKPT_REC_CREDS:		return "CREDS";
	case CKPT_REC_FS:		return "FS";
	case CKPT_REC_FILE:		return "FILE";
	case CKPT_REC_PIPE:		return "PIPE";
	case CKPT_REC_FILES:		return "FILES";
	case CKPT_REC_MM:		return "MM";
	case CKPT_REC_VMA:		return "VMA";
	case CKPT_REC_PAGES:		return "PAGES";
	case CKPT_REC_SIGHAND:		return "SIGHAND";
	case CKPT_REC_SIGNAL:		return "SIGNAL";
	case CKPT_REC_SIGPENDING:	return "SIGPENDING";
	case CKPT_REC_TASK:		return "TASK";
	case CKPT_REC_X86_REGS:		return "X86_REGS";
	case CKPT_REC_X86_XSTATE:	return "X86_XSTATE";
	case CKPT_REC_SKIPPED:		return "SKIPPED";
	case CKPT_REC_TASK_END:		return "TASK_END";
	case CKPT_REC_SHMEM:		return "SHMEM";
	case CKPT_REC_EVENTFD:		return "EVENTFD";
	case CKPT_REC_EPOLL:		return "EPOLL";
	case CKPT_REC_TIMERFD:		return "TIMERFD";
	case CKPT_REC_SIGNALFD:		return "SIGNALFD";
	case CKPT_REC_IPC_NS:		return "IPC_NS";
	case CKPT_REC_UTS_NS:		return "UTS_NS";
	case CKPT_REC_SYSV_SHM:		return "SYSV_SHM";
	case CKPT_REC_SYSV_SEM:		return "SYSV_SEM";
	case CKPT_REC_SYSV_MSQ:		return "SYSV_MSQ";
	case CKPT_REC_IPC_MSG:		return "IPC_MSG";
	case CKPT_REC_SEM_UNDO:		return "SEM_UNDO";
	case CKPT_REC_MQUEUE:		return "MQUEUE";
	case CKPT_REC_SOCKET:		return "SOCKET";
	case CKPT_REC_SOCK_TCP:		return "SOCK_TCP";
	case CKPT_REC_SOCK_QUEUE:	return "SOCK_QUEUE";
	case CKPT_REC_NETNS:		return "NETNS";
	case CKPT_REC_NETDEV:		return "NETDEV";
	case CKPT_REC_NETADDR:		return "NETADDR";
	case CKPT_REC_NETROUTE:		return "NETROUTE";
	case CKPT_REC_FILEDATA:		return "FILEDATA";
	case CKPT_REC_PTY:		return "PTY";
	case CKPT_REC_COMMENT:		return "COMMENT";
	}
	return NULL;
}

/* The fixed part of each known record type. */
static inline size_t ckpt_rec_min_len(__u32 type)
{
	switch (type) {
	case CKPT_REC_HEADER:		return sizeof(struct ckpt_rec_header);
	case CKPT_REC_TAIL:		return sizeof(struct ckpt_rec_tail);
	case CKPT_REC_ERROR:		return sizeof(struct ckpt_rec_error);
	case CKPT_REC_TREE:		return sizeof(struct ckpt_rec_tree);
	case CKPT_REC_CREDS:		return sizeof(struct ckpt_rec_creds);
	case CKPT_REC_FS:		return sizeof(struct ckpt_rec_fs);
	case CKPT_REC_FILE:		return sizeof(struct ckpt_rec_file);
	case CKPT_REC_PIPE:		return sizeof(struct ckpt_rec_pipe);
	case CKPT_REC_FILES:		return sizeof(struct ckpt_rec_files);
	case CKPT_REC_MM:		return sizeof(struct ckpt_rec_mm);
	case CKPT_REC_VMA:		return sizeof(struct ckpt_rec_vma);
	case CKPT_REC_PAGES:		return sizeof(struct ckpt_rec_pages);
	case CKPT_REC_SIGHAND:		return sizeof(struct ckpt_rec_sighand);
	case CKPT_REC_SIGNAL:		return sizeof(struct ckpt_rec_signal);
	case CKPT_REC_SIGPENDING:	return sizeof(struct ckpt_rec_sigpending);
	case CKPT_REC_TASK:		return sizeof(struct ckpt_rec_task);
	case CKPT_REC_X86_REGS:		return sizeof(struct ckpt_rec_x86_regs);
	case CKPT_REC_X86_XSTATE:	return sizeof(struct ckpt_rec_x86_xstate);
	case CKPT_REC_SKIPPED:		return sizeof(struct ckpt_rec_skipped);
	case CKPT_REC_TASK_END:		return sizeof(struct ckpt_hdr);
	case CKPT_REC_SHMEM:		return sizeof(struct ckpt_rec_shmem);
	case CKPT_REC_EVENTFD:		return sizeof(struct ckpt_rec_eventfd);
	case CKPT_REC_EPOLL:		return sizeof(struct ckpt_rec_epoll);
	case CKPT_REC_TIMERFD:		return sizeof(struct ckpt_rec_timerfd);
	case CKPT_REC_SIGNALFD:		return sizeof(struct ckpt_rec_signalfd);
	case CKPT_REC_IPC_NS:		return sizeof(struct ckpt_rec_ipc_ns);
	case CKPT_REC_UTS_NS:		return sizeof(struct ckpt_rec_uts_ns);
	case CKPT_REC_SYSV_SHM:		return sizeof(struct ckpt_rec_sysv_shm);
	case CKPT_REC_SYSV_SEM:		return sizeof(struct ckpt_rec_sysv_sem);
	case CKPT_REC_SYSV_MSQ:		return sizeof(struct ckpt_rec_sysv_msq);
	case CKPT_REC_IPC_MSG:		return sizeof(struct ckpt_rec_ipc_msg);
	case CKPT_REC_SEM_UNDO:		return sizeof(struct ckpt_rec_sem_undo);
	case CKPT_REC_MQUEUE:		return sizeof(struct ckpt_rec_mqueue);
	case CKPT_REC_SOCKET:		return sizeof(struct ckpt_rec_socket);
	case CKPT_REC_SOCK_TCP:		return sizeof(struct ckpt_rec_sock_tcp);
	case CKPT_REC_SOCK_QUEUE:	return sizeof(struct ckpt_rec_sock_queue);
	case CKPT_REC_NETNS:		return sizeof(struct ckpt_rec_netns);
	case CKPT_REC_NETDEV:		return sizeof(struct ckpt_rec_netdev);
	case CKPT_REC_NETADDR:		return sizeof(struct ckpt_rec_netaddr);
	case CKPT_REC_NETROUTE:		return sizeof(struct ckpt_rec_netroute);
	case CKPT_REC_PTY:		return sizeof(struct ckpt_rec_pty);
	case CKPT_REC_FILEDATA:		return sizeof(struct ckpt_rec_filedata);
	case CKPT_REC_COMMENT:		return sizeof(struct ckpt_hdr);
	}
	return sizeof(struct ckpt_hdr);
}

static inline const char *ckpt_image_error(const struct ckpt_image *img)
{
	return img->err;
}

static inline __u64 ckpt_image_error_offset(const struct ckpt_image *img)
{
	return img->err_offset;
}

static inline const struct ckpt_rec_header *
ckpt_image_header(const struct ckpt_image *img)
{
	return img->state == CKPT_ST_START ? NULL : &img->header;
}

static inline __u32 ckpt_image_end_type(const struct ckpt_image *img)
{
	return img->end_type;
}

/* Record a structural error at offset off; always returns -1. */
static inline int ckpt_image_fail(struct ckpt_image *img, __u64 off,
				  const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(img->err, sizeof(img->err), "offset %llu: ",
		     (unsigned long long)off);
	if (n < 0 || (size_t)n >= sizeof(img->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(img->err + n, sizeof(img->err) - n, fmt, ap);
	va_end(ap);
	img->err_offset = off;
	img->state = CKPT_ST_BAD;
	return -1;
}

static inline void ckpt_image_reset(struct ckpt_image *img)
{
	img->pos = 0;
	img->state = CKPT_ST_START;
	img->nr_records = 0;
	memset(&img->header, 0, sizeof(img->header));
	img->page_size = 0;
	img->end_type = 0;
	free(img->tree);
	img->tree = NULL;
	img->nr_tree = 0;
	img->tree_seen = 0;
	img->nr_tasks = 0;
	img->nr_live = 0;
	img->next_entry = 0;
	img->want_shared = 0;
	img->in_task = 0;
	img->in_mm = 0;
	img->vmas_left = 0;
	img->have_vma = 0;
	img->in_shmem = 0;
	img->shmem_size = 0;
	img->tree_flags = 0;
	img->sections = 0;
	img->ipc_ns_seen = 0;
	img->uts_ns_seen = 0;
	img->msgs_left = 0;
	img->msg_max = 0;
	img->sock_pending = 0;
	img->want_tcp = 0;
	img->net_devs = 0;
	img->net_addrs = 0;
	img->net_routes = 0;
	img->nr_sock_fwd = 0;
	img->nr_refs = 0;
	img->err[0] = '\0';
	img->err_offset = 0;
}

static inline struct ckpt_image *ckpt_image_alloc(void)
{
	struct ckpt_image *img = calloc(1, sizeof(*img));

	if (!img)
		return NULL;
	img->fd = -1;
	img->start = -1;
	return img;
}

static inline struct ckpt_image *ckpt_image_open_mem(const void *buf,
						     size_t len)
{
	struct ckpt_image *img = ckpt_image_alloc();

	if (!img)
		return NULL;
	if ((unsigned long)buf % CKPT_ALIGN) {
		void *copy = malloc(len ? len : 1);

		if (!copy) {
			free(img);
			return NULL;
		}
		memcpy(copy, buf, len);
		buf = copy;
		img->map_kind = 3;
	} else {
		img->map_kind = 2;
	}
	img->map = buf;
	img->map_len = len;
	return img;
}

static inline struct ckpt_image *ckpt_image_open_fd(int fd)
{
	struct ckpt_image *img = ckpt_image_alloc();
	struct stat st;

	if (!img)
		return NULL;
	img->fd = fd;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    lseek(fd, 0, SEEK_CUR) == 0) {
		void *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			img->map = p;
			img->map_len = st.st_size;
			img->map_kind = 1;
			return img;
		}
	}
	img->start = lseek(fd, 0, SEEK_CUR);
	return img;
}

static inline struct ckpt_image *ckpt_image_open_stream(int fd)
{
	struct ckpt_image *img = ckpt_image_alloc();

	if (!img)
		return NULL;
	img->fd = fd;
	img->start = lseek(fd, 0, SEEK_CUR);
	return img;
}

static inline struct ckpt_image *ckpt_image_open(const char *path)
{
	struct ckpt_image *img;
	int fd;

	if (!strcmp(path, "-"))
		return ckpt_image_open_fd(STDIN_FILENO);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	img = ckpt_image_open_fd(fd);
	if (!img) {
		close(fd);
		return NULL;
	}
	img->own_fd = 1;
	return img;
}

static inline void ckpt_image_close(struct ckpt_image *img)
{
	if (!img)
		return;
	if (img->map_kind == 1)
		munmap((void *)img->map, img->map_len);
	else if (img->map_kind == 3)
		free((void *)img->map);
	if (img->own_fd)
		close(img->fd);
	free(img->buf);
	free(img->tree);
	free(img->refs);
	free(img->sock_fwd);
	free(img);
}

static inline int ckpt_image_rewind(struct ckpt_image *img)
{
	if (img->map_kind == 0 && img->consumed) {
		if (img->start < 0 ||
		    lseek(img->fd, img->start, SEEK_SET) != img->start) {
			snprintf(img->err, sizeof(img->err),
				 "cannot rewind a stream");
			return -1;
		}
		img->consumed = 0;
	}
	ckpt_image_reset(img);
	return 0;
}

/*
 * Stream mode: read exactly len bytes into img->buf at off.  Returns the
 * number of bytes read (short only at end of file) or -1 on a read error.
 */
static inline ssize_t ckpt_stream_read(struct ckpt_image *img, size_t off,
				       size_t len)
{
	size_t done = 0;

	if (off + len > img->buf_size) {
		size_t size = img->buf_size ? img->buf_size : 4096;
		unsigned char *p;

		while (size < off + len)
			size *= 2;
		p = realloc(img->buf, size);
		if (!p)
			return -1;
		img->buf = p;
		img->buf_size = size;
	}
	while (done < len) {
		ssize_t n = read(img->fd, img->buf + off + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		img->consumed = 1;
		done += n;
	}
	return done;
}

/*
 * Make bytes [pos, pos + len) of the image available and return a pointer
 * to them; *got is set to the number of bytes available (< len at EOF).
 * In stream mode, off is where in img->buf they go.
 */
static inline const unsigned char *ckpt_image_get(struct ckpt_image *img,
						  size_t off, size_t len,
						  size_t *got)
{
	ssize_t n;

	if (img->map_kind) {
		__u64 pos = img->pos + off;
		size_t avail = pos < img->map_len ? img->map_len - pos : 0;

		*got = avail < len ? avail : len;
		return img->map + pos;
	}
	n = ckpt_stream_read(img, off, len);
	if (n < 0)
		return NULL;
	*got = n;
	return img->buf + off;
}

static inline struct ckpt_objref *ckpt_ref_find(struct ckpt_image *img,
						__u32 type, __u32 objref)
{
	size_t i;

	for (i = 0; i < img->nr_refs; i++)
		if (img->refs[i].type == type && img->refs[i].objref == objref)
			return &img->refs[i];
	return NULL;
}

/* Returns 0, or -1 (error set) if objref is 0 or a duplicate. */
static inline int ckpt_ref_add(struct ckpt_image *img, const struct ckpt_rec *rec,
			       __u32 objref)
{
	if (!objref)
		return ckpt_image_fail(img, rec->offset, "%s: objref 0",
				       ckpt_rec_type_name(rec->type));
	if (ckpt_ref_find(img, rec->type, objref))
		return ckpt_image_fail(img, rec->offset,
				       "%s: duplicate objref %u",
				       ckpt_rec_type_name(rec->type), objref);
	if (img->nr_refs == img->refs_cap) {
		size_t cap = img->refs_cap ? 2 * img->refs_cap : 64;
		struct ckpt_objref *p = realloc(img->refs, cap * sizeof(*p));

		if (!p)
			return ckpt_image_fail(img, rec->offset,
					       "out of memory");
		img->refs = p;
		img->refs_cap = cap;
	}
	img->refs[img->nr_refs].type = rec->type;
	img->refs[img->nr_refs].objref = objref;
	img->nr_refs++;
	return 0;
}

/* Returns 0, or -1 (error set) if objref does not name a known object. */
static inline int ckpt_ref_use(struct ckpt_image *img,
			       const struct ckpt_rec *rec, const char *field,
			       __u32 type, __u32 objref)
{
	if (ckpt_ref_find(img, type, objref))
		return 0;
	return ckpt_image_fail(img, rec->offset,
			       "%s: %s %u does not name an earlier %s record",
			       ckpt_rec_type_name(rec->type), field, objref,
			       ckpt_rec_type_name(type));
}

/*
 * Check a string of len bytes (NUL included) at byte off of the record:
 * in bounds, at most CKPT_PATH_MAX, NUL-terminated with no NUL before.
 * len 0 means absent and is accepted unless required.
 */
static inline int ckpt_check_str(struct ckpt_image *img,
				 const struct ckpt_rec *rec, const char *what,
				 __u64 off, __u32 len, int required)
{
	const char *s = (const char *)rec->hdr + off;
	const char *name = ckpt_rec_type_name(rec->type);

	if (!len) {
		if (required)
			return ckpt_image_fail(img, rec->offset,
					       "%s: no %s", name, what);
		return 0;
	}
	if (len > CKPT_PATH_MAX)
		return ckpt_image_fail(img, rec->offset,
				       "%s: %s length %u > %u", name, what,
				       len, CKPT_PATH_MAX);
	if (off + len > rec->len)
		return ckpt_image_fail(img, rec->offset,
				       "%s: %s (%u bytes at %llu) beyond len %u",
				       name, what, len,
				       (unsigned long long)off, rec->len);
	if (s[len - 1] != '\0' || strlen(s) != len - 1)
		return ckpt_image_fail(img, rec->offset,
				       "%s: %s is not a NUL-terminated string of %u bytes",
				       name, what, len);
	return 0;
}

/* Check that rec->len covers need bytes. */
static inline int ckpt_check_len(struct ckpt_image *img,
				 const struct ckpt_rec *rec, __u64 need,
				 const char *what)
{
	if (rec->len >= need)
		return 0;
	return ckpt_image_fail(img, rec->offset,
			       "%s: len %u too small for %s (%llu bytes)",
			       ckpt_rec_type_name(rec->type), rec->len, what,
			       (unsigned long long)need);
}

/* Reserved bytes and padding fields must be zero: fail if any is not. */
static inline int ckpt_check_zero(struct ckpt_image *img,
				  const struct ckpt_rec *rec, const char *what,
				  const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return ckpt_image_fail(img, rec->offset,
					       "%s: %s is not zero (byte %zu is 0x%02x)",
					       ckpt_rec_type_name(rec->type),
					       what, i, b[i]);
	return 0;
}

#define ckpt_check_pad(img, rec, field) \
	ckpt_check_zero(img, rec, #field, &(field), sizeof(field))

static inline int ckpt_check_header(struct ckpt_image *img,
				    const struct ckpt_rec *rec)
{
	const struct ckpt_rec_header *h = CKPT_REC(rec, struct ckpt_rec_header);
	__u32 ps = ckpt_le32(h->page_size);

	if (memcmp(h->magic, CKPT_MAGIC, sizeof(h->magic)))
		return ckpt_image_fail(img, rec->offset, "HEADER: bad magic");
	if (ckpt_le16(h->major) != CKPT_VERSION_MAJOR)
		return ckpt_image_fail(img, rec->offset,
				       "HEADER: unsupported version %u.%u (reader: %u.%u)",
				       ckpt_le16(h->major), ckpt_le16(h->minor),
				       CKPT_VERSION_MAJOR, CKPT_VERSION_MINOR);
	if (ckpt_le16(h->arch) != CKPT_ARCH_X86_64)
		return ckpt_image_fail(img, rec->offset,
				       "HEADER: unsupported arch %u",
				       ckpt_le16(h->arch));
	if (ps < 4096 || ps > (1U << 20) || (ps & (ps - 1)))
		return ckpt_image_fail(img, rec->offset,
				       "HEADER: bad page_size %u", ps);
	if (ckpt_check_pad(img, rec, h->__pad))
		return -1;
	if (ckpt_le64(h->flags) & ~(__u64)CHECKPOINT_FLAGS_ALL)
		return ckpt_image_fail(img, rec->offset,
				       "HEADER: unknown flags 0x%llx",
				       (unsigned long long)ckpt_le64(h->flags));
	if (ckpt_le64(h->exclude) & ~(__u64)CKPT_EXCLUDE_ALL)
		return ckpt_image_fail(img, rec->offset,
				       "HEADER: unknown exclude bits 0x%llx",
				       (unsigned long long)ckpt_le64(h->exclude));
	if (!memchr(h->release, 0, sizeof(h->release)) ||
	    !memchr(h->machine, 0, sizeof(h->machine)))
		return ckpt_image_fail(img, rec->offset,
				       "HEADER: release/machine not NUL-terminated");
	memcpy(&img->header, h, sizeof(img->header));
	img->page_size = ps;
	return 0;
}

static inline int ckpt_check_tail(struct ckpt_image *img,
				  const struct ckpt_rec *rec)
{
	const struct ckpt_rec_tail *t = CKPT_REC(rec, struct ckpt_rec_tail);
	__u32 nr_tasks = ckpt_le32(img->header.nr_tasks);
	size_t i;

	if (memcmp(t->magic, CKPT_MAGIC, sizeof(t->magic)))
		return ckpt_image_fail(img, rec->offset, "TAIL: bad magic");
	if (ckpt_le64(t->nr_records) != rec->index)
		return ckpt_image_fail(img, rec->offset,
				       "TAIL: nr_records %llu, but %llu records precede it",
				       (unsigned long long)ckpt_le64(t->nr_records),
				       (unsigned long long)rec->index);
	if (ckpt_le64(t->size) != rec->offset)
		return ckpt_image_fail(img, rec->offset,
				       "TAIL: size %llu, but %llu bytes precede it",
				       (unsigned long long)ckpt_le64(t->size),
				       (unsigned long long)rec->offset);
	if (img->in_task)
		return ckpt_image_fail(img, rec->offset,
				       "TAIL: inside a TASK (no TASK_END)");
	if (img->in_mm && img->vmas_left)
		return ckpt_image_fail(img, rec->offset,
				       "TAIL: %u VMA records missing", img->vmas_left);
	if (!img->tree_seen)
		return ckpt_image_fail(img, rec->offset, "TAIL: no TREE record");
	if (img->nr_tree != nr_tasks)
		return ckpt_image_fail(img, rec->offset,
				       "TAIL: TREE has %u tasks, HEADER says %u",
				       img->nr_tree, nr_tasks);
	if (img->nr_tasks != img->nr_live)
		return ckpt_image_fail(img, rec->offset,
				       "TAIL: %u TASK records for %u tasks that are not zombies",
				       img->nr_tasks, img->nr_live);
	if (!!(img->tree_flags & CKPT_TREE_IPCNS) != img->ipc_ns_seen ||
	    !!(img->tree_flags & CKPT_TREE_UTSNS) != img->uts_ns_seen)
		return ckpt_image_fail(img, rec->offset,
				       "TAIL: IPC_NS or UTS_NS record not as TREE announces");
	for (i = 0; i < img->nr_sock_fwd; i++)
		if (!ckpt_ref_find(img, CKPT_REC_SOCKET, img->sock_fwd[i]))
			return ckpt_image_fail(img, rec->offset,
					       "TAIL: a datagram socket's peer_ref %u names no SOCKET",
					       img->sock_fwd[i]);
	return 0;
}

static inline int ckpt_check_error(struct ckpt_image *img,
				   const struct ckpt_rec *rec)
{
	const struct ckpt_rec_error *e = CKPT_REC(rec, struct ckpt_rec_error);
	size_t n = rec->len - sizeof(*e);

	if (n && !memchr(e->msg, 0, n))
		return ckpt_image_fail(img, rec->offset,
				       "ERROR: message not NUL-terminated");
	if (ckpt_le32(e->kind) > CKPT_OBJ_SOCKET)
		return ckpt_image_fail(img, rec->offset,
				       "ERROR: unknown kind %u",
				       ckpt_le32(e->kind));
	return 0;
}

static inline int ckpt_check_tree(struct ckpt_image *img,
				  const struct ckpt_rec *rec)
{
	const struct ckpt_rec_tree *t = CKPT_REC(rec, struct ckpt_rec_tree);
	__u32 i, nr = ckpt_le32(t->nr_tasks), exclude = 0;

	if (img->tree_seen)
		return ckpt_image_fail(img, rec->offset, "TREE: duplicate");
	if (img->nr_tasks)
		return ckpt_image_fail(img, rec->offset, "TREE: after a TASK");
	if (ckpt_check_len(img, rec, sizeof(*t) +
			   (__u64)nr * sizeof(t->tasks[0]), "the entries"))
		return -1;
	if (nr != ckpt_le32(img->header.nr_tasks))
		return ckpt_image_fail(img, rec->offset,
				       "TREE: %u tasks, HEADER says %u", nr,
				       ckpt_le32(img->header.nr_tasks));
	img->tree = malloc((nr ? nr : 1) * sizeof(t->tasks[0]));
	if (!img->tree)
		return ckpt_image_fail(img, rec->offset, "out of memory");
	memcpy(img->tree, t->tasks, nr * sizeof(t->tasks[0]));
	img->nr_tree = nr;
	img->tree_seen = 1;
	if (ckpt_le32(t->flags) & ~(__u32)(CKPT_TREE_PIDNS | CKPT_TREE_IPCNS |
					   CKPT_TREE_UTSNS))
		return ckpt_image_fail(img, rec->offset,
				       "TREE: unknown flags 0x%x",
				       ckpt_le32(t->flags));
	img->tree_flags = ckpt_le32(t->flags);
	if ((img->tree_flags & (CKPT_TREE_IPCNS | CKPT_TREE_UTSNS)) &&
	    !(img->tree_flags & CKPT_TREE_PIDNS))
		return ckpt_image_fail(img, rec->offset,
				       "TREE: IPCNS or UTSNS without PIDNS");
	for (i = 0; i < nr; i++) {
		const struct ckpt_tree_entry *e = &t->tasks[i];

		if (ckpt_le32(e->flags) & ~(__u32)CKPT_TREE_ZOMBIE)
			return ckpt_image_fail(img, rec->offset,
					       "TREE: entry %u: unknown flags 0x%x",
					       i, ckpt_le32(e->flags));
		if (ckpt_le32(e->exclude) & ~(__u32)CKPT_EXCLUDE_ALL ||
		    e->__pad)
			return ckpt_image_fail(img, rec->offset,
					       "TREE: entry %u: exclude 0x%x, __pad 0x%x",
					       i, ckpt_le32(e->exclude),
					       ckpt_le32(e->__pad));
		exclude |= ckpt_le32(e->exclude);
		if (!ckpt_le32(e->pid) || !ckpt_le32(e->tgid))
			return ckpt_image_fail(img, rec->offset,
					       "TREE: entry %u: pid 0", i);
		if (!(ckpt_le32(e->flags) & CKPT_TREE_ZOMBIE))
			img->nr_live++;
	}
	if (exclude != ckpt_le64(img->header.exclude))
		return ckpt_image_fail(img, rec->offset,
				       "TREE: the tasks' exclude masks make 0x%x, HEADER says 0x%llx",
				       exclude,
				       (unsigned long long)ckpt_le64(img->header.exclude));
	return 0;
}

static inline int ckpt_check_creds(struct ckpt_image *img,
				   const struct ckpt_rec *rec)
{
	const struct ckpt_rec_creds *c = CKPT_REC(rec, struct ckpt_rec_creds);
	__u32 n = ckpt_le32(c->ngroups);

	if (n > 65536)
		return ckpt_image_fail(img, rec->offset,
				       "CREDS: ngroups %u > 65536", n);
	if (ckpt_check_len(img, rec, sizeof(*c) + (__u64)n * 4, "the groups") ||
	    ckpt_check_pad(img, rec, c->__pad))
		return -1;
	return ckpt_ref_add(img, rec, ckpt_le32(c->objref));
}

static inline int ckpt_check_fs(struct ckpt_image *img,
				const struct ckpt_rec *rec)
{
	const struct ckpt_rec_fs *f = CKPT_REC(rec, struct ckpt_rec_fs);
	__u32 cwd = ckpt_le32(f->cwd_len), root = ckpt_le32(f->root_len);

	if (ckpt_check_len(img, rec, sizeof(*f) + (__u64)cwd + root,
			   "the paths") ||
	    ckpt_check_str(img, rec, "cwd", sizeof(*f), cwd, 1) ||
	    ckpt_check_str(img, rec, "root", sizeof(*f) + cwd, root, 1))
		return -1;
	return ckpt_ref_add(img, rec, ckpt_le32(f->objref));
}

static inline int ckpt_check_pipe(struct ckpt_image *img,
				  const struct ckpt_rec *rec)
{
	const struct ckpt_rec_pipe *p = CKPT_REC(rec, struct ckpt_rec_pipe);
	__u64 n = ckpt_le64(p->nr_bytes);

	if (ckpt_check_len(img, rec, sizeof(*p) + n, "the data") ||
	    ckpt_check_pad(img, rec, p->__pad))
		return -1;
	if (n > ckpt_le64(p->size))
		return ckpt_image_fail(img, rec->offset,
				       "PIPE: nr_bytes %llu > size %llu",
				       (unsigned long long)n,
				       (unsigned long long)ckpt_le64(p->size));
	return ckpt_ref_add(img, rec, ckpt_le32(p->objref));
}

/* The record that holds the state of a FILE of an event fd type, or 0. */
static inline __u32 ckpt_file_state_type(__u32 file_type)
{
	switch (file_type) {
	case CKPT_FILE_EVENTFD:		return CKPT_REC_EVENTFD;
	case CKPT_FILE_EPOLL:		return CKPT_REC_EPOLL;
	case CKPT_FILE_TIMERFD:		return CKPT_REC_TIMERFD;
	case CKPT_FILE_SIGNALFD:	return CKPT_REC_SIGNALFD;
	}
	return 0;
}

/* FILE of an event fd type: right after its state, no path, no identity */
static inline int ckpt_check_evfd_file(struct ckpt_image *img,
				       const struct ckpt_rec *rec,
				       const struct ckpt_rec_file *f)
{
	__u32 st = ckpt_file_state_type(ckpt_le32(f->type));
	__u32 flags = ckpt_le32(f->f_flags);

	if (f->path_len || f->f_mode || f->pos || f->rdev || f->dev ||
	    f->ino || f->size || f->mtime_sec || f->mtime_nsec)
		return ckpt_image_fail(img, rec->offset,
				       "FILE: %s has a path or identity",
				       ckpt_rec_type_name(st));
	if ((flags & 3) != 2 || (flags & ~(__u32)(3 | 04000 | 02000 | 0100000)))
		return ckpt_image_fail(img, rec->offset,
				       "FILE: %s with f_flags 0%o",
				       ckpt_rec_type_name(st), flags);
	if (ckpt_ref_use(img, rec, "obj_ref", st, ckpt_le32(f->obj_ref)))
		return -1;
	if (img->nr_refs < 1 || img->refs[img->nr_refs - 1].type != st ||
	    img->refs[img->nr_refs - 1].objref != ckpt_le32(f->obj_ref))
		return ckpt_image_fail(img, rec->offset,
				       "FILE: obj_ref %u is not the %s record just before it",
				       ckpt_le32(f->obj_ref),
				       ckpt_rec_type_name(st));
	return ckpt_ref_add(img, rec, ckpt_le32(f->objref));
}

static inline int ckpt_check_file(struct ckpt_image *img,
				  const struct ckpt_rec *rec)
{
	const struct ckpt_rec_file *f = CKPT_REC(rec, struct ckpt_rec_file);
	__u32 type = ckpt_le32(f->type);
	__u32 plen = ckpt_le32(f->path_len);

	if ((type < CKPT_FILE_REGULAR || type > CKPT_FILE_SIGNALFD) &&
	    type != CKPT_FILE_MQUEUE && type != CKPT_FILE_SOCKET &&
	    type != CKPT_FILE_NET_SKIPPED && type != CKPT_FILE_PTY_MASTER &&
	    type != CKPT_FILE_PTY_SLAVE)
		return ckpt_image_fail(img, rec->offset,
				       "FILE: unknown type %u", type);
	if (type == CKPT_FILE_PTY_MASTER || type == CKPT_FILE_PTY_SLAVE) {
		__u32 flags = ckpt_le32(f->f_flags);

		if (plen || f->f_mode || f->pos || f->rdev || f->dev ||
		    f->ino || f->size || f->mtime_sec || f->mtime_nsec ||
		    (flags & 3) == 3 ||
		    (flags & ~(__u32)(3 | 04000 | 02000 | 0100000)) ||
		    (type == CKPT_FILE_PTY_MASTER && (flags & 3) != 2))
			return ckpt_image_fail(img, rec->offset,
					       "FILE: pty end with f_flags 0%o, a path or an identity",
					       flags);
		if (ckpt_ref_use(img, rec, "obj_ref", CKPT_REC_PTY,
				 ckpt_le32(f->obj_ref)))
			return -1;
		return ckpt_ref_add(img, rec, ckpt_le32(f->objref));
	}
	if (ckpt_file_state_type(type))
		return ckpt_check_evfd_file(img, rec, f);
	if (type == CKPT_FILE_SOCKET) {
		if (plen)
			return ckpt_image_fail(img, rec->offset,
					       "FILE: a socket with a path");
		if (ckpt_ref_use(img, rec, "obj_ref", CKPT_REC_SOCKET,
				 ckpt_le32(f->obj_ref)))
			return -1;
		return ckpt_ref_add(img, rec, ckpt_le32(f->objref));
	}
	if (type == CKPT_FILE_NET_SKIPPED &&
	    ((ckpt_le32(f->f_mode) & 0170000) != 0140000 ||
	     !(ckpt_le32(f->rdev) >> 16) || f->pos))
		return ckpt_image_fail(img, rec->offset,
				       "FILE: a socket left out with f_mode 0%o, rdev 0x%x, pos %llu",
				       ckpt_le32(f->f_mode), ckpt_le32(f->rdev),
				       (unsigned long long)ckpt_le64(f->pos));
	if (ckpt_check_str(img, rec, "path", sizeof(*f), plen,
			   type == CKPT_FILE_REGULAR || type == CKPT_FILE_FIFO))
		return -1;
	if ((type == CKPT_FILE_PIPE || type == CKPT_FILE_FIFO) &&
	    ckpt_ref_use(img, rec, "obj_ref", CKPT_REC_PIPE,
			 ckpt_le32(f->obj_ref)))
		return -1;
	if (type == CKPT_FILE_SHMEM &&
	    ckpt_ref_use(img, rec, "obj_ref", CKPT_REC_SHMEM,
			 ckpt_le32(f->obj_ref)))
		return -1;
	if (type == CKPT_FILE_MQUEUE &&
	    ckpt_ref_use(img, rec, "obj_ref", CKPT_REC_MQUEUE,
			 ckpt_le32(f->obj_ref)))
		return -1;
	/* a regular file may have its contents in the image */
	if (type == CKPT_FILE_REGULAR && f->obj_ref &&
	    ckpt_ref_use(img, rec, "obj_ref", CKPT_REC_FILEDATA,
			 ckpt_le32(f->obj_ref)))
		return -1;
	if (type != CKPT_FILE_PIPE && type != CKPT_FILE_FIFO &&
	    type != CKPT_FILE_SHMEM && type != CKPT_FILE_REGULAR &&
	    type != CKPT_FILE_MQUEUE && f->obj_ref)
		return ckpt_image_fail(img, rec->offset,
				       "FILE: obj_ref %u for type %u",
				       ckpt_le32(f->obj_ref), type);
	return ckpt_ref_add(img, rec, ckpt_le32(f->objref));
}

static inline int ckpt_check_files(struct ckpt_image *img,
				   const struct ckpt_rec *rec)
{
	const struct ckpt_rec_files *f = CKPT_REC(rec, struct ckpt_rec_files);
	__u32 i, n = ckpt_le32(f->nr_fds), max = ckpt_le32(f->max_fds);

	if (ckpt_check_len(img, rec, sizeof(*f) +
			   (__u64)n * sizeof(f->fds[0]), "the fds") ||
	    ckpt_check_pad(img, rec, f->__pad))
		return -1;
	for (i = 0; i < n; i++) {
		const struct ckpt_fd_entry *e = &f->fds[i];

		if (ckpt_check_pad(img, rec, e->__pad))
			return -1;

		if (ckpt_le32(e->fd) >= max)
			return ckpt_image_fail(img, rec->offset,
					       "FILES: fd %u >= max_fds %u",
					       ckpt_le32(e->fd), max);
		if (i && ckpt_le32(e->fd) <= ckpt_le32(f->fds[i - 1].fd))
			return ckpt_image_fail(img, rec->offset,
					       "FILES: fd %u not ascending",
					       ckpt_le32(e->fd));
		if (ckpt_le32(e->flags) & ~CKPT_FD_CLOEXEC)
			return ckpt_image_fail(img, rec->offset,
					       "FILES: fd %u: unknown flags 0x%x",
					       ckpt_le32(e->fd),
					       ckpt_le32(e->flags));
		if (ckpt_ref_use(img, rec, "file_ref", CKPT_REC_FILE,
				 ckpt_le32(e->file_ref)))
			return -1;
	}
	return ckpt_ref_add(img, rec, ckpt_le32(f->objref));
}

static inline int ckpt_check_mm(struct ckpt_image *img,
				const struct ckpt_rec *rec)
{
	const struct ckpt_rec_mm *m = CKPT_REC(rec, struct ckpt_rec_mm);

	if (ckpt_le32(m->nr_auxv) > CKPT_AUXV_WORDS)
		return ckpt_image_fail(img, rec->offset,
				       "MM: nr_auxv %u > %u",
				       ckpt_le32(m->nr_auxv), CKPT_AUXV_WORDS);
	if (ckpt_le64(m->flags) & ~(__u64)(CKPT_MM_DUMPABLE | CKPT_MM_MDWE |
					   CKPT_MM_MDWE_NO_INHERIT |
					   CKPT_MM_THP_DISABLE))
		return ckpt_image_fail(img, rec->offset,
				       "MM: unknown flags 0x%llx",
				       (unsigned long long)ckpt_le64(m->flags));
	/* the words of auxv[] after the nr_auxv used are reserved */
	if (ckpt_check_zero(img, rec, "auxv[] after nr_auxv",
			    &m->auxv[ckpt_le32(m->nr_auxv)],
			    (CKPT_AUXV_WORDS - ckpt_le32(m->nr_auxv)) *
			    sizeof(m->auxv[0])))
		return -1;
	if (ckpt_check_str(img, rec, "exe", sizeof(*m),
			   ckpt_le32(m->exe_len), 0))
		return -1;
	if (ckpt_ref_add(img, rec, ckpt_le32(m->objref)))
		return -1;
	img->in_mm = 1;
	img->vmas_left = ckpt_le32(m->nr_vmas);
	img->have_vma = 0;
	img->vma_end = 0;
	return 0;
}

static inline int ckpt_check_vma(struct ckpt_image *img,
				 const struct ckpt_rec *rec)
{
	const struct ckpt_rec_vma *v = CKPT_REC(rec, struct ckpt_rec_vma);
	__u64 start = ckpt_le64(v->start), end = ckpt_le64(v->end);
	__u32 type = ckpt_le32(v->type);
	__u64 mask = img->page_size - 1;

	if (!img->in_mm)
		return ckpt_image_fail(img, rec->offset,
				       "VMA: not after an MM record");
	if (!img->vmas_left)
		return ckpt_image_fail(img, rec->offset,
				       "VMA: more VMAs than MM.nr_vmas");
	if (start >= end || (start & mask) || (end & mask))
		return ckpt_image_fail(img, rec->offset,
				       "VMA: bad range 0x%llx-0x%llx",
				       (unsigned long long)start,
				       (unsigned long long)end);
	if (img->have_vma && start < img->vma_end)
		return ckpt_image_fail(img, rec->offset,
				       "VMA: 0x%llx-0x%llx overlaps or precedes the previous VMA",
				       (unsigned long long)start,
				       (unsigned long long)end);
	if (type < CKPT_VMA_ANON || type > CKPT_VMA_SYSV)
		return ckpt_image_fail(img, rec->offset,
				       "VMA: unknown type %u", type);
	if (type == CKPT_VMA_SYSV &&
	    !(ckpt_le32(v->flags) & CKPT_VMA_SHARED))
		return ckpt_image_fail(img, rec->offset,
				       "VMA: a SysV attach that is not shared");
	if (type == CKPT_VMA_SHMEM || type == CKPT_VMA_SYSV ?
	    ckpt_ref_use(img, rec, "obj_ref", type == CKPT_VMA_SHMEM ?
			 CKPT_REC_SHMEM : CKPT_REC_SYSV_SHM,
			 ckpt_le32(v->obj_ref)) :
	    type == CKPT_VMA_FILE ?
	    v->obj_ref && ckpt_ref_use(img, rec, "obj_ref", CKPT_REC_FILEDATA,
				       ckpt_le32(v->obj_ref)) :
	    !!v->obj_ref)
		return ckpt_image_fail(img, rec->offset,
				       "VMA: obj_ref %u for type %u",
				       ckpt_le32(v->obj_ref), type);
	if (ckpt_le32(v->prot) & ~(CKPT_PROT_READ | CKPT_PROT_WRITE |
				   CKPT_PROT_EXEC))
		return ckpt_image_fail(img, rec->offset,
				       "VMA: unknown prot 0x%x",
				       ckpt_le32(v->prot));
	if (ckpt_le32(v->flags) & ~0xfffU)
		return ckpt_image_fail(img, rec->offset,
				       "VMA: unknown flags 0x%x",
				       ckpt_le32(v->flags));
	if (ckpt_check_str(img, rec, "path", sizeof(*v),
			   ckpt_le32(v->path_len), type == CKPT_VMA_FILE))
		return -1;
	if ((ckpt_le32(v->flags) & CKPT_VMA_SKIPPED) && type != CKPT_VMA_ANON)
		return ckpt_image_fail(img, rec->offset,
				       "VMA: SKIPPED for type %u", type);
	img->vmas_left--;
	img->have_vma = 1;
	img->vma_start = start;
	img->vma_end = end;
	img->page_min = start;
	img->page_end = end;
	img->vma_flags = ckpt_le32(v->flags);
	return 0;
}

static inline int ckpt_check_pages(struct ckpt_image *img,
				   const struct ckpt_rec *rec)
{
	const struct ckpt_rec_pages *p = CKPT_REC(rec, struct ckpt_rec_pages);
	__u32 i, n = ckpt_le32(p->nr_pages);

	if (!img->in_shmem && (!img->in_mm || !img->have_vma))
		return ckpt_image_fail(img, rec->offset,
				       "PAGES: not after a VMA or SHMEM record");

	if (!n || n > CKPT_PAGES_BATCH)
		return ckpt_image_fail(img, rec->offset,
				       "PAGES: nr_pages %u not in 1..%u", n,
				       CKPT_PAGES_BATCH);
	if (ckpt_check_len(img, rec, sizeof(*p) + (__u64)n * 8 +
			   (__u64)n * img->page_size, "the pages") ||
	    ckpt_check_pad(img, rec, p->__pad))
		return -1;
	for (i = 0; i < n && img->in_shmem; i++) {
		__u64 a = ckpt_le64(p->addrs[i]);

		if ((a & (img->page_size - 1)) || a < img->page_min ||
		    a >= img->shmem_size)
			return ckpt_image_fail(img, rec->offset,
					       "PAGES: offset 0x%llx not aligned, ascending and below size 0x%llx",
					       (unsigned long long)a,
					       (unsigned long long)img->shmem_size);
		img->page_min = a + img->page_size;
	}
	for (i = 0; i < n && !img->in_shmem; i++) {
		__u64 a = ckpt_le64(p->addrs[i]);

		if (a & (img->page_size - 1))
			return ckpt_image_fail(img, rec->offset,
					       "PAGES: address 0x%llx not page aligned",
					       (unsigned long long)a);
		if (a < img->page_min)
			return ckpt_image_fail(img, rec->offset,
					       "PAGES: address 0x%llx %s",
					       (unsigned long long)a,
					       a < img->vma_start ?
					       "below its VMA" : "not ascending");
		if (a >= img->page_end)
			return ckpt_image_fail(img, rec->offset,
					       "PAGES: address 0x%llx beyond its VMA 0x%llx-0x%llx",
					       (unsigned long long)a,
					       (unsigned long long)img->vma_start,
					       (unsigned long long)img->vma_end);
		img->page_min = a + img->page_size;
	}
	return 0;
}

static inline int ckpt_check_shmem(struct ckpt_image *img,
				   const struct ckpt_rec *rec)
{
	const struct ckpt_rec_shmem *s = CKPT_REC(rec, struct ckpt_rec_shmem);
	__u32 len = ckpt_le32(s->name_len);

	if (ckpt_check_str(img, rec, "name", sizeof(*s), len, 1))
		return -1;
	if (rec->len != sizeof(*s) + len)
		return ckpt_image_fail(img, rec->offset,
				       "SHMEM: len %u, name_len %u", rec->len,
				       len);
	if (ckpt_le32(s->flags) & ~(__u32)CKPT_SHMEM_ANON)
		return ckpt_image_fail(img, rec->offset,
				       "SHMEM: unknown flags 0x%x",
				       ckpt_le32(s->flags));
	if (ckpt_le32(s->mode) & ~07777U)
		return ckpt_image_fail(img, rec->offset,
				       "SHMEM: mode 0%o", ckpt_le32(s->mode));
	if (ckpt_check_pad(img, rec, s->__pad))
		return -1;
	if (ckpt_ref_add(img, rec, ckpt_le32(s->objref)))
		return -1;
	img->in_shmem = 1;
	img->shmem_size = ckpt_le64(s->size);
	img->page_min = 0;
	return 0;
}

/* IPC_NS, UTS_NS, SYSV_*, MQUEUE: after TREE, before any task's section */
static inline int ckpt_check_global(struct ckpt_image *img,
				    const struct ckpt_rec *rec)
{
	if (!img->tree_seen || img->sections)
		return ckpt_image_fail(img, rec->offset,
				       "%s: not between TREE and the first task",
				       ckpt_rec_type_name(rec->type));
	return 0;
}

static inline int ckpt_check_ipc_perm(struct ckpt_image *img,
				      const struct ckpt_rec *rec,
				      const struct ckpt_ipc_perm *p)
{
	if (ckpt_le32(p->id) > 0x7fffffffU)
		return ckpt_image_fail(img, rec->offset, "%s: id %u",
				       ckpt_rec_type_name(rec->type),
				       ckpt_le32(p->id));
	if (ckpt_le32(p->mode) & ~0777U)
		return ckpt_image_fail(img, rec->offset, "%s: mode 0%o",
				       ckpt_rec_type_name(rec->type),
				       ckpt_le32(p->mode));
	if (p->__pad)
		return ckpt_image_fail(img, rec->offset, "%s: nonzero __pad",
				       ckpt_rec_type_name(rec->type));
	return 0;
}

static inline int ckpt_check_ipc_ns(struct ckpt_image *img,
				    const struct ckpt_rec *rec)
{
	const struct ckpt_rec_ipc_ns *n = CKPT_REC(rec, struct ckpt_rec_ipc_ns);

	if (ckpt_check_global(img, rec))
		return -1;
	if (!(img->tree_flags & CKPT_TREE_IPCNS) || img->ipc_ns_seen)
		return ckpt_image_fail(img, rec->offset,
				       "IPC_NS: not announced by TREE, or twice");
	if (img->nr_refs)
		return ckpt_image_fail(img, rec->offset,
				       "IPC_NS: after an object of the namespace");
	if (ckpt_le32(n->shm_rmid_forced) > 1)
		return ckpt_image_fail(img, rec->offset,
				       "IPC_NS: shm_rmid_forced %u",
				       ckpt_le32(n->shm_rmid_forced));
	img->ipc_ns_seen = 1;
	return 0;
}

static inline int ckpt_check_uts_ns(struct ckpt_image *img,
				    const struct ckpt_rec *rec)
{
	const struct ckpt_rec_uts_ns *u = CKPT_REC(rec, struct ckpt_rec_uts_ns);
	size_t i;

	if (ckpt_check_global(img, rec))
		return -1;
	if (!(img->tree_flags & CKPT_TREE_UTSNS) || img->uts_ns_seen)
		return ckpt_image_fail(img, rec->offset,
				       "UTS_NS: not announced by TREE, or twice");
	if (!memchr(u->nodename, 0, sizeof(u->nodename)) ||
	    !memchr(u->domainname, 0, sizeof(u->domainname)))
		return ckpt_image_fail(img, rec->offset,
				       "UTS_NS: name not NUL-terminated");
	for (i = 0; i < sizeof(u->__pad); i++)
		if (u->__pad[i])
			return ckpt_image_fail(img, rec->offset,
					       "UTS_NS: nonzero __pad");
	img->uts_ns_seen = 1;
	return 0;
}

/* a SysV object or a POSIX queue in a namespace of its own: after IPC_NS */
static inline int ckpt_check_ipc_obj(struct ckpt_image *img,
				     const struct ckpt_rec *rec)
{
	if (ckpt_check_global(img, rec))
		return -1;
	if ((img->tree_flags & CKPT_TREE_IPCNS) && !img->ipc_ns_seen)
		return ckpt_image_fail(img, rec->offset,
				       "%s: before the IPC_NS record",
				       ckpt_rec_type_name(rec->type));
	return 0;
}

static inline int ckpt_check_sysv_shm(struct ckpt_image *img,
				      const struct ckpt_rec *rec)
{
	const struct ckpt_rec_sysv_shm *s =
		CKPT_REC(rec, struct ckpt_rec_sysv_shm);
	const __u32 known = CKPT_SHM_DEST | CKPT_SHM_LOCKED |
			    CKPT_SHM_NORESERVE;

	if (ckpt_check_ipc_obj(img, rec) ||
	    ckpt_check_ipc_perm(img, rec, &s->perm))
		return -1;
	if (ckpt_le32(s->flags) & ~known)
		return ckpt_image_fail(img, rec->offset,
				       "SYSV_SHM: unknown flags 0x%x",
				       ckpt_le32(s->flags));
	if (!ckpt_le64(s->size))
		return ckpt_image_fail(img, rec->offset, "SYSV_SHM: size 0");
	if (ckpt_ref_add(img, rec, ckpt_le32(s->objref)))
		return -1;
	/* its PAGES follow, by offset */
	img->in_shmem = 1;
	img->shmem_size = ckpt_le64(s->size);
	img->page_min = 0;
	return 0;
}

static inline int ckpt_check_eventfd(struct ckpt_image *img,
				     const struct ckpt_rec *rec)
{
	const struct ckpt_rec_eventfd *e = CKPT_REC(rec, struct ckpt_rec_eventfd);

	if (rec->len != sizeof(*e))
		return ckpt_image_fail(img, rec->offset, "EVENTFD: len %u",
				       rec->len);
	if (ckpt_le32(e->flags) & ~(__u32)CKPT_EVENTFD_SEMAPHORE)
		return ckpt_image_fail(img, rec->offset,
				       "EVENTFD: unknown flags 0x%x",
				       ckpt_le32(e->flags));
	if (ckpt_le64(e->count) == ~0ULL)
		return ckpt_image_fail(img, rec->offset,
				       "EVENTFD: counter 2^64 - 1");
	return ckpt_ref_add(img, rec, ckpt_le32(e->objref));
}

static inline int ckpt_check_pty(struct ckpt_image *img,
				 const struct ckpt_rec *rec)
{
	const struct ckpt_rec_pty *p = CKPT_REC(rec, struct ckpt_rec_pty);

	if (rec->len != sizeof(*p))
		return ckpt_image_fail(img, rec->offset, "PTY: len %u",
				       rec->len);
	if (ckpt_le32(p->flags) & ~(__u32)CKPT_PTY_LOCKED)
		return ckpt_image_fail(img, rec->offset,
				       "PTY: unknown flags 0x%x",
				       ckpt_le32(p->flags));
	if (p->c_line)
		return ckpt_image_fail(img, rec->offset,
				       "PTY: line discipline %u", p->c_line);
	return ckpt_ref_add(img, rec, ckpt_le32(p->objref));
}

/* every EPOLL* event bit and flag epoll_ctl() knows */
#define CKPT_READER_EPOLL_EVENTS	0xf0002fffU

static inline int ckpt_check_epoll(struct ckpt_image *img,
				   const struct ckpt_rec *rec)
{
	const struct ckpt_rec_epoll *e = CKPT_REC(rec, struct ckpt_rec_epoll);
	__u32 i, n = ckpt_le32(e->nr_watches);

	if (rec->len != sizeof(*e) + (__u64)n * sizeof(e->watches[0]))
		return ckpt_image_fail(img, rec->offset,
				       "EPOLL: len %u for %u watches", rec->len,
				       n);
	for (i = 0; i < n; i++) {
		const struct ckpt_epoll_watch *w = &e->watches[i];

		if (ckpt_le32(w->fd) > 0x7fffffffU)
			return ckpt_image_fail(img, rec->offset,
					       "EPOLL: watch %u: fd %u", i,
					       ckpt_le32(w->fd));
		if (ckpt_le32(w->events) & ~CKPT_READER_EPOLL_EVENTS)
			return ckpt_image_fail(img, rec->offset,
					       "EPOLL: watch %u: unknown events 0x%x",
					       i, ckpt_le32(w->events));
		if (ckpt_le32(w->flags) & ~(__u32)CKPT_EPOLL_READY)
			return ckpt_image_fail(img, rec->offset,
					       "EPOLL: watch %u: unknown flags 0x%x",
					       i, ckpt_le32(w->flags));
		if (ckpt_ref_use(img, rec, "file_ref", CKPT_REC_FILE,
				 ckpt_le32(w->file_ref)))
			return -1;
	}
	return ckpt_ref_add(img, rec, ckpt_le32(e->objref));
}

static inline int ckpt_check_timerfd(struct ckpt_image *img,
				     const struct ckpt_rec *rec)
{
	const struct ckpt_rec_timerfd *t = CKPT_REC(rec, struct ckpt_rec_timerfd);
	__u32 clk = ckpt_le32(t->clockid), flags = ckpt_le32(t->flags);
	int realtime = clk == 0 || clk == 8;	/* CLOCK_REALTIME(_ALARM) */
	int dated = t->value && realtime && (flags & CKPT_TIMERFD_ABSTIME);

	if (rec->len != sizeof(*t))
		return ckpt_image_fail(img, rec->offset, "TIMERFD: len %u",
				       rec->len);
	/* CLOCK_REALTIME, _MONOTONIC, _BOOTTIME, _REALTIME_ALARM, _BOOTTIME_ALARM */
	if (clk != 0 && clk != 1 && clk != 7 && clk != 8 && clk != 9)
		return ckpt_image_fail(img, rec->offset,
				       "TIMERFD: clockid %u", clk);
	if (flags & ~(__u32)(CKPT_TIMERFD_ABSTIME | CKPT_TIMERFD_CANCEL_ON_SET |
			     CKPT_TIMERFD_CANCELED))
		return ckpt_image_fail(img, rec->offset,
				       "TIMERFD: unknown flags 0x%x", flags);
	if (t->__pad)
		return ckpt_image_fail(img, rec->offset,
				       "TIMERFD: nonzero __pad");
	if ((ckpt_le64(t->value) | ckpt_le64(t->interval) |
	     ckpt_le64(t->expires)) >> 63)
		return ckpt_image_fail(img, rec->offset,
				       "TIMERFD: time beyond 2^63 - 1 ns");
	if (dated ? !t->expires : !!t->expires)
		return ckpt_image_fail(img, rec->offset,
				       "TIMERFD: expires %s",
				       dated ? "missing" : "without a dated timer");
	if ((flags & CKPT_TIMERFD_CANCELED) &&
	    (!realtime || !t->ticks ||
	     (~flags & (CKPT_TIMERFD_ABSTIME | CKPT_TIMERFD_CANCEL_ON_SET))))
		return ckpt_image_fail(img, rec->offset,
				       "TIMERFD: CANCELED on a timer that cannot be");
	return ckpt_ref_add(img, rec, ckpt_le32(t->objref));
}

static inline int ckpt_check_signalfd(struct ckpt_image *img,
				      const struct ckpt_rec *rec)
{
	const struct ckpt_rec_signalfd *f = CKPT_REC(rec, struct ckpt_rec_signalfd);
	__u64 mask = ckpt_le64(f->mask);

	if (rec->len != sizeof(*f))
		return ckpt_image_fail(img, rec->offset, "SIGNALFD: len %u",
				       rec->len);
	if (f->__pad)
		return ckpt_image_fail(img, rec->offset,
				       "SIGNALFD: nonzero __pad");
	/* SIGKILL (9) and SIGSTOP (19) */
	if (mask & ((1ULL << 8) | (1ULL << 18)))
		return ckpt_image_fail(img, rec->offset,
				       "SIGNALFD: mask has SIGKILL or SIGSTOP");
	return ckpt_ref_add(img, rec, ckpt_le32(f->objref));
}

/* the network namespace and its devices, addresses and routes, in order */
static inline int ckpt_check_net(struct ckpt_image *img,
				 const struct ckpt_rec *rec)
{
	const char *name = ckpt_rec_type_name(rec->type);

	switch (rec->type) {
	case CKPT_REC_NETNS: {
		const struct ckpt_rec_netns *n = CKPT_REC(rec, struct ckpt_rec_netns);

		if (img->nr_tasks)
			return ckpt_image_fail(img, rec->offset,
					       "NETNS: not in the first task's section");
		if (!ckpt_le32(n->nr_devs))
			return ckpt_image_fail(img, rec->offset,
					       "NETNS: no device");
		img->net_devs = ckpt_le32(n->nr_devs);
		img->net_addrs = ckpt_le32(n->nr_addrs);
		img->net_routes = ckpt_le32(n->nr_routes);
		return ckpt_ref_add(img, rec, ckpt_le32(n->objref));
	}
	case CKPT_REC_NETDEV: {
		const struct ckpt_rec_netdev *d = CKPT_REC(rec, struct ckpt_rec_netdev);
		__u32 kind = ckpt_le32(d->kind);

		if (!img->net_devs)
			return ckpt_image_fail(img, rec->offset,
					       "NETDEV: more than NETNS announced");
		img->net_devs--;
		if ((kind != CKPT_NETDEV_LOOPBACK && kind != CKPT_NETDEV_VETH) ||
		    ckpt_le32(d->flags) & ~(__u32)CKPT_NETDEV_UP ||
		    ckpt_le32(d->addr_len) > sizeof(d->addr) || d->__pad ||
		    !memchr(d->name, 0, sizeof(d->name)) ||
		    !memchr(d->peer_name, 0, sizeof(d->peer_name)) ||
		    (kind == CKPT_NETDEV_VETH && !d->peer_name[0]))
			return ckpt_image_fail(img, rec->offset,
					       "NETDEV: malformed (kind %u)", kind);
		return 0;
	}
	case CKPT_REC_NETADDR: {
		const struct ckpt_rec_netaddr *a = CKPT_REC(rec, struct ckpt_rec_netaddr);

		if (img->net_devs || !img->net_addrs)
			return ckpt_image_fail(img, rec->offset,
					       "NETADDR: out of place");
		img->net_addrs--;
		if ((a->family != AF_INET && a->family != AF_INET6) ||
		    a->prefixlen > (a->family == AF_INET ? 32 : 128) ||
		    a->__pad || a->__pad2 || !memchr(a->label, 0, sizeof(a->label)))
			return ckpt_image_fail(img, rec->offset,
					       "NETADDR: malformed");
		return 0;
	}
	case CKPT_REC_NETROUTE: {
		const struct ckpt_rec_netroute *r = CKPT_REC(rec, struct ckpt_rec_netroute);

		if (img->net_devs || img->net_addrs || !img->net_routes)
			return ckpt_image_fail(img, rec->offset,
					       "NETROUTE: out of place");
		img->net_routes--;
		if ((r->family != AF_INET && r->family != AF_INET6) ||
		    r->dst_len > (r->family == AF_INET ? 32 : 128) ||
		    r->__pad[0] || r->__pad[1] || r->__pad[2])
			return ckpt_image_fail(img, rec->offset,
					       "NETROUTE: malformed");
		return 0;
	}
	}
	return ckpt_image_fail(img, rec->offset, "%s: unexpected", name);
}

/* a SOCKET record's address: empty, or of the socket's family */
static inline int ckpt_sock_addr_ok(__u16 family, const unsigned char *a,
				    __u32 len)
{
	__u16 f;

	if (!len)
		return 1;
	if (len < 2)
		return 0;
	memcpy(&f, a, 2);
	if (f != family)
		return 0;
	switch (family) {
	case AF_UNIX:
		return len > 2 && len <= 110;
	case AF_INET:
		return len == 16;
	case AF_INET6:
		return len == 28;
	}
	return 0;
}

static inline int ckpt_sock_fwd_add(struct ckpt_image *img,
				    const struct ckpt_rec *rec, __u32 ref)
{
	if (img->nr_sock_fwd == img->sock_fwd_cap) {
		size_t cap = img->sock_fwd_cap ? 2 * img->sock_fwd_cap : 16;
		__u32 *p = realloc(img->sock_fwd, cap * sizeof(*p));

		if (!p)
			return ckpt_image_fail(img, rec->offset, "out of memory");
		img->sock_fwd = p;
		img->sock_fwd_cap = cap;
	}
	img->sock_fwd[img->nr_sock_fwd++] = ref;
	return 0;
}

static inline int ckpt_check_socket(struct ckpt_image *img,
				    const struct ckpt_rec *rec)
{
	const struct ckpt_rec_socket *k = CKPT_REC(rec, struct ckpt_rec_socket);
	const __u32 known = CKPT_SOCK_PAIRED | CKPT_SOCK_PEER_GONE |
			    CKPT_SOCK_PEER_NAME | CKPT_SOCK_BOUND |
			    CKPT_SOCK_REUSEADDR | CKPT_SOCK_REUSEPORT |
			    CKPT_SOCK_KEEPALIVE | CKPT_SOCK_LINGER |
			    CKPT_SOCK_SNDBUF_LOCK | CKPT_SOCK_RCVBUF_LOCK |
			    CKPT_SOCK_PASSCRED | CKPT_SOCK_PASSSEC |
			    CKPT_SOCK_PASSPIDFD | CKPT_SOCK_V6ONLY |
			    CKPT_SOCK_BROADCAST | CKPT_SOCK_FREEBIND |
			    CKPT_SOCK_PEERCRED | CKPT_SOCK_BINDADDR |
			    CKPT_SOCK_HANDSHAKE;
	__u16 family = ckpt_le16(k->family), type = ckpt_le16(k->type);
	__u32 flags = ckpt_le32(k->flags), state = ckpt_le32(k->state);
	__u32 alen = ckpt_le32(k->addr_len), plen = ckpt_le32(k->peer_addr_len);
	__u32 path = ckpt_le32(k->path_len), ppath = ckpt_le32(k->peer_path_len);
	__u32 peer = ckpt_le32(k->peer_ref), proto = ckpt_le32(k->protocol);
	__u64 off = sizeof(*k);
	const unsigned char *d = k->data;

	if (rec->len != sizeof(*k) + (__u64)alen + plen + path + ppath)
		return ckpt_image_fail(img, rec->offset,
				       "SOCKET: len %u, but its parts make %llu",
				       rec->len, (unsigned long long)sizeof(*k) +
				       alen + plen + path + ppath);
	if (family != AF_UNIX && family != AF_INET && family != AF_INET6)
		return ckpt_image_fail(img, rec->offset,
				       "SOCKET: unknown family %u", family);
	if (family == AF_UNIX ?
	    proto != 0 || (type != SOCK_STREAM && type != SOCK_DGRAM &&
			   type != SOCK_SEQPACKET) :
	    !((type == SOCK_STREAM && proto == IPPROTO_TCP) ||
	      (type == SOCK_DGRAM && proto == IPPROTO_UDP)))
		return ckpt_image_fail(img, rec->offset,
				       "SOCKET: type %u protocol %u in family %u",
				       type, proto, family);
	if (state < CKPT_SOCK_UNCONNECTED || state > CKPT_SOCK_CONNECTED)
		return ckpt_image_fail(img, rec->offset,
				       "SOCKET: unknown state %u", state);
	if (flags & ~known)
		return ckpt_image_fail(img, rec->offset,
				       "SOCKET: unknown flags 0x%x", flags & ~known);
	if (ckpt_le32(k->shutdown) & ~(__u32)(CKPT_SHUT_RD | CKPT_SHUT_WR) ||
	    k->__pad)
		return ckpt_image_fail(img, rec->offset,
				       "SOCKET: bad shutdown or nonzero __pad");
	if (!ckpt_sock_addr_ok(family, d, alen) ||
	    !ckpt_sock_addr_ok(family, d + alen, plen))
		return ckpt_image_fail(img, rec->offset,
				       "SOCKET: an address is not of family %u",
				       family);
	off += alen + plen;
	if (ckpt_check_str(img, rec, "path", off, path, 0) ||
	    ckpt_check_str(img, rec, "peer_path", off + path, ppath, 0))
		return -1;
	if (ckpt_le32(k->netns_ref) &&
	    ckpt_ref_use(img, rec, "netns_ref", CKPT_REC_NETNS,
			 ckpt_le32(k->netns_ref)))
		return -1;
	if (ckpt_le32(k->listener_ref) &&
	    ckpt_ref_use(img, rec, "listener_ref", CKPT_REC_SOCKET,
			 ckpt_le32(k->listener_ref)))
		return -1;
	if (img->sock_pending) {
		if (peer != img->sock_pending || (flags & CKPT_SOCK_PAIRED) ||
		    type != img->sock_pending_type)
			return ckpt_image_fail(img, rec->offset,
					       "SOCKET: does not complete the pair of SOCKET %u",
					       img->sock_pending);
		img->sock_pending = 0;
	} else if (peer && type != SOCK_DGRAM) {
		return ckpt_image_fail(img, rec->offset,
				       "SOCKET: peer_ref %u of a connected socket not right after its pair",
				       peer);
	} else if (peer && !ckpt_ref_find(img, CKPT_REC_SOCKET, peer) &&
		   ckpt_sock_fwd_add(img, rec, peer)) {
		return -1;
	}
	if (flags & CKPT_SOCK_PAIRED) {
		if (type == SOCK_DGRAM || state != CKPT_SOCK_CONNECTED)
			return ckpt_image_fail(img, rec->offset,
					       "SOCKET: PAIRED, but not a connected stream");
		img->sock_pending = ckpt_le32(k->objref);
		img->sock_pending_type = type;
	}
	/* every TCP socket but an embryo has its SOCK_TCP */
	img->want_tcp = family != AF_UNIX && type == SOCK_STREAM &&
			!k->listener_ref;
	return ckpt_ref_add(img, rec, ckpt_le32(k->objref));
}

static inline int ckpt_check_sock_tcp(struct ckpt_image *img,
				      const struct ckpt_rec *rec)
{
	const struct ckpt_rec_sock_tcp *t = CKPT_REC(rec, struct ckpt_rec_sock_tcp);
	const __u32 known = CKPT_TCP_TIMESTAMPS | CKPT_TCP_SACK |
			    CKPT_TCP_WSCALE | CKPT_TCP_NODELAY | CKPT_TCP_CORK;

	if (!img->want_tcp)
		return ckpt_image_fail(img, rec->offset,
				       "SOCK_TCP: not after a TCP SOCKET");
	img->want_tcp = 0;
	if (ckpt_le32(t->flags) & ~known || t->__pad)
		return ckpt_image_fail(img, rec->offset,
				       "SOCK_TCP: unknown flags 0x%x or nonzero __pad",
				       ckpt_le32(t->flags));
	if (ckpt_le32(t->snd_wscale) > 14 || ckpt_le32(t->rcv_wscale) > 14)
		return ckpt_image_fail(img, rec->offset,
				       "SOCK_TCP: window scale above 14");
	/* snd_una <= snd_nxt <= write_seq, modulo 2^32 */
	if (ckpt_le32(t->snd_nxt) - ckpt_le32(t->snd_una) >
	    ckpt_le32(t->write_seq) - ckpt_le32(t->snd_una))
		return ckpt_image_fail(img, rec->offset,
				       "SOCK_TCP: snd_una, snd_nxt and write_seq out of order");
	return 0;
}

static inline int ckpt_check_sock_queue(struct ckpt_image *img,
					const struct ckpt_rec *rec)
{
	const struct ckpt_rec_sock_queue *q = CKPT_REC(rec, struct ckpt_rec_sock_queue);
	const unsigned char *p = q->msgs, *end = (const unsigned char *)q + rec->len;
	__u32 i, n = ckpt_le32(q->nr_msgs), kind = ckpt_le32(q->queue);

	if (ckpt_ref_use(img, rec, "sock_ref", CKPT_REC_SOCKET,
			 ckpt_le32(q->sock_ref)))
		return -1;
	if ((kind != CKPT_QUEUE_RECV && kind != CKPT_QUEUE_SEND) || !n ||
	    q->__pad)
		return ckpt_image_fail(img, rec->offset,
				       "SOCK_QUEUE: queue %u, %u messages", kind, n);
	for (i = 0; i < n; i++) {
		struct ckpt_sock_msg m;
		__u64 used, need;
		__u32 k;

		if (end - p < (long)sizeof(m))
			return ckpt_image_fail(img, rec->offset,
					       "SOCK_QUEUE: message %u beyond len", i);
		memcpy(&m, p, sizeof(m));
		used = sizeof(m) + (__u64)ckpt_le32(m.nr_fds) * 4 +
		       ckpt_le32(m.name_len) + ckpt_le32(m.len);
		need = (used + CKPT_ALIGN - 1) & ~(__u64)(CKPT_ALIGN - 1);
		if (need > (__u64)(end - p) || ckpt_le32(m.nr_fds) > 253 ||
		    ckpt_le32(m.name_len) > 128 || m.__pad ||
		    ckpt_le32(m.flags) & ~(__u32)CKPT_MSG_CREDS)
			return ckpt_image_fail(img, rec->offset,
					       "SOCK_QUEUE: message %u malformed", i);
		for (k = 0; k < ckpt_le32(m.nr_fds); k++) {
			__u32 ref;

			memcpy(&ref, p + sizeof(m) + 4 * k, 4);
			if (ckpt_ref_use(img, rec, "file in flight",
					 CKPT_REC_FILE, ckpt_le32(ref)))
				return -1;
		}
		p += need;
	}
	if (p != end)
		return ckpt_image_fail(img, rec->offset,
				       "SOCK_QUEUE: %ld bytes after the messages",
				       (long)(end - p));
	return 0;
}

static inline int ckpt_check_filedata(struct ckpt_image *img,
				      const struct ckpt_rec *rec)
{
	const struct ckpt_rec_filedata *d =
		CKPT_REC(rec, struct ckpt_rec_filedata);
	__u32 len = ckpt_le32(d->path_len), flags = ckpt_le32(d->flags);

	if (ckpt_check_str(img, rec, "path", sizeof(*d), len, 1))
		return -1;
	if (rec->len != sizeof(*d) + len)
		return ckpt_image_fail(img, rec->offset,
				       "FILEDATA: len %u, path_len %u", rec->len,
				       len);
	if (flags & ~(__u32)(CKPT_FILEDATA_UNLINKED | CKPT_FILEDATA_SKIPPED))
		return ckpt_image_fail(img, rec->offset,
				       "FILEDATA: unknown flags 0x%x", flags);
	if (!(flags & CKPT_FILEDATA_UNLINKED) &&
	    ((flags & CKPT_FILEDATA_SKIPPED) || d->path[0] != '/'))
		return ckpt_image_fail(img, rec->offset,
				       "FILEDATA: a named file left out, or not by an absolute path");
	if (ckpt_le32(d->mode) & ~07777U)
		return ckpt_image_fail(img, rec->offset,
				       "FILEDATA: mode 0%o", ckpt_le32(d->mode));
	if (ckpt_ref_add(img, rec, ckpt_le32(d->objref)))
		return -1;
	/* its pages follow, like a SHMEM object's; none if left out */
	img->in_shmem = 1;
	img->shmem_size = (flags & CKPT_FILEDATA_SKIPPED) ? 0 :
			  ckpt_le64(d->size);
	img->page_min = 0;
	return 0;
}

static inline int ckpt_check_sysv_sem(struct ckpt_image *img,
				      const struct ckpt_rec *rec)
{
	const struct ckpt_rec_sysv_sem *s =
		CKPT_REC(rec, struct ckpt_rec_sysv_sem);
	__u32 i, n = ckpt_le32(s->nsems);

	if (ckpt_check_ipc_obj(img, rec) ||
	    ckpt_check_ipc_perm(img, rec, &s->perm))
		return -1;
	if (!n || rec->len != sizeof(*s) + (__u64)n * sizeof(s->sems[0]))
		return ckpt_image_fail(img, rec->offset,
				       "SYSV_SEM: len %u for nsems %u",
				       rec->len, n);
	for (i = 0; i < n; i++)
		if (ckpt_le16(s->sems[i].semval) > 32767 || s->sems[i].__pad)
			return ckpt_image_fail(img, rec->offset,
					       "SYSV_SEM: semaphore %u: value %u",
					       i, ckpt_le16(s->sems[i].semval));
	return ckpt_ref_add(img, rec, ckpt_le32(s->objref));
}

static inline int ckpt_check_sysv_msq(struct ckpt_image *img,
				      const struct ckpt_rec *rec)
{
	const struct ckpt_rec_sysv_msq *q =
		CKPT_REC(rec, struct ckpt_rec_sysv_msq);

	if (ckpt_check_ipc_obj(img, rec) ||
	    ckpt_check_ipc_perm(img, rec, &q->perm))
		return -1;
	if (ckpt_ref_add(img, rec, ckpt_le32(q->objref)))
		return -1;
	img->msgs_left = ckpt_le32(q->nr_msgs);
	img->msg_max = ~0ULL;
	return 0;
}

static inline int ckpt_check_mqueue(struct ckpt_image *img,
				    const struct ckpt_rec *rec)
{
	const struct ckpt_rec_mqueue *q = CKPT_REC(rec, struct ckpt_rec_mqueue);
	__u32 len = ckpt_le32(q->name_len);

	if (ckpt_check_ipc_obj(img, rec) ||
	    ckpt_check_str(img, rec, "name", sizeof(*q), len, 1))
		return -1;
	if (rec->len != sizeof(*q) + len || len == 1 ||
	    strchr((const char *)q->name, '/'))
		return ckpt_image_fail(img, rec->offset,
				       "MQUEUE: bad name (len %u)", len);
	if (ckpt_le32(q->flags) & ~(__u32)CKPT_MQ_UNLINKED)
		return ckpt_image_fail(img, rec->offset,
				       "MQUEUE: unknown flags 0x%x",
				       ckpt_le32(q->flags));
	if (ckpt_le32(q->mode) & ~0777U)
		return ckpt_image_fail(img, rec->offset, "MQUEUE: mode 0%o",
				       ckpt_le32(q->mode));
	if (!ckpt_le64(q->maxmsg) || !ckpt_le64(q->msgsize) ||
	    ckpt_le64(q->nr_msgs) > ckpt_le64(q->maxmsg))
		return ckpt_image_fail(img, rec->offset,
				       "MQUEUE: %llu messages, maxmsg %llu, msgsize %llu",
				       (unsigned long long)ckpt_le64(q->nr_msgs),
				       (unsigned long long)ckpt_le64(q->maxmsg),
				       (unsigned long long)ckpt_le64(q->msgsize));
	if (ckpt_ref_add(img, rec, ckpt_le32(q->objref)))
		return -1;
	img->msgs_left = ckpt_le64(q->nr_msgs);
	img->msg_max = ckpt_le64(q->msgsize);
	return 0;
}

static inline int ckpt_check_ipc_msg(struct ckpt_image *img,
				     const struct ckpt_rec *rec)
{
	const struct ckpt_rec_ipc_msg *m = CKPT_REC(rec, struct ckpt_rec_ipc_msg);

	if (!img->msgs_left)
		return ckpt_image_fail(img, rec->offset,
				       "IPC_MSG: more messages than the queue announced");
	if (ckpt_le64(m->len) != rec->len - sizeof(*m) ||
	    ckpt_le64(m->len) > img->msg_max)
		return ckpt_image_fail(img, rec->offset,
				       "IPC_MSG: len %llu in a record of %u bytes",
				       (unsigned long long)ckpt_le64(m->len),
				       rec->len);
	img->msgs_left--;
	return 0;
}

static inline int ckpt_check_sem_undo(struct ckpt_image *img,
				      const struct ckpt_rec *rec)
{
	const struct ckpt_rec_sem_undo *u =
		CKPT_REC(rec, struct ckpt_rec_sem_undo);
	__u64 off = sizeof(*u);
	__u32 i, n = ckpt_le32(u->nr);

	for (i = 0; i < n; i++) {
		const struct ckpt_sem_undo *e =
			(const void *)((const char *)rec->hdr + off);
		__u64 each;

		if (off + sizeof(*e) > rec->len)
			return ckpt_image_fail(img, rec->offset,
					       "SEM_UNDO: entry %u beyond len %u",
					       i, rec->len);
		each = (sizeof(*e) + (__u64)ckpt_le32(e->nsems) * 2 + 7) &
		       ~7ULL;
		if (!ckpt_le32(e->nsems) || off + each > rec->len)
			return ckpt_image_fail(img, rec->offset,
					       "SEM_UNDO: entry %u of %u semaphores beyond len %u",
					       i, ckpt_le32(e->nsems), rec->len);
		if (ckpt_ref_use(img, rec, "sem_ref", CKPT_REC_SYSV_SEM,
				 ckpt_le32(e->sem_ref)))
			return -1;
		off += each;
	}
	if (off != rec->len)
		return ckpt_image_fail(img, rec->offset,
				       "SEM_UNDO: %llu bytes after the entries",
				       (unsigned long long)(rec->len - off));
	return ckpt_ref_add(img, rec, ckpt_le32(u->objref));
}

static inline int ckpt_check_sighand(struct ckpt_image *img,
				     const struct ckpt_rec *rec)
{
	const struct ckpt_rec_sighand *s = CKPT_REC(rec, struct ckpt_rec_sighand);

	if (ckpt_le32(s->nr) != CKPT_NSIG)
		return ckpt_image_fail(img, rec->offset,
				       "SIGHAND: nr %u != %u",
				       ckpt_le32(s->nr), CKPT_NSIG);
	return ckpt_ref_add(img, rec, ckpt_le32(s->objref));
}

static inline int ckpt_check_task(struct ckpt_image *img,
				  const struct ckpt_rec *rec)
{
	const struct ckpt_rec_task *t = CKPT_REC(rec, struct ckpt_rec_task);
	__u32 pid = ckpt_le32(t->pid);

	if (img->in_task)
		return ckpt_image_fail(img, rec->offset,
				       "TASK: previous TASK has no TASK_END");
	if (!img->tree_seen)
		return ckpt_image_fail(img, rec->offset, "TASK: before TREE");
	while (img->next_entry < img->nr_tree &&
	       (ckpt_le32(img->tree[img->next_entry].flags) & CKPT_TREE_ZOMBIE))
		img->next_entry++;
	if (img->next_entry >= img->nr_tree)
		return ckpt_image_fail(img, rec->offset,
				       "TASK: more tasks than TREE lists");
	if (pid != ckpt_le32(img->tree[img->next_entry].pid))
		return ckpt_image_fail(img, rec->offset,
				       "TASK: pid %u, TREE entry %u says %u",
				       pid, img->next_entry,
				       ckpt_le32(img->tree[img->next_entry].pid));
	if (ckpt_le32(t->flags) & ~(__u32)(CKPT_TASK_NO_NEW_PRIVS |
					   CKPT_TASK_SELF))
		return ckpt_image_fail(img, rec->offset,
				       "TASK: unknown flags 0x%x",
				       ckpt_le32(t->flags));
	if (!memchr(t->comm, 0, sizeof(t->comm)))
		return ckpt_image_fail(img, rec->offset,
				       "TASK: comm not NUL-terminated");
	if (ckpt_ref_use(img, rec, "creds_ref", CKPT_REC_CREDS,
			 ckpt_le32(t->creds_ref)) ||
	    ckpt_ref_use(img, rec, "fs_ref", CKPT_REC_FS,
			 ckpt_le32(t->fs_ref)) ||
	    ckpt_ref_use(img, rec, "files_ref", CKPT_REC_FILES,
			 ckpt_le32(t->files_ref)) ||
	    ckpt_ref_use(img, rec, "mm_ref", CKPT_REC_MM,
			 ckpt_le32(t->mm_ref)) ||
	    ckpt_ref_use(img, rec, "sighand_ref", CKPT_REC_SIGHAND,
			 ckpt_le32(t->sighand_ref)) ||
	    ckpt_ref_use(img, rec, "signal_ref", CKPT_REC_SIGNAL,
			 ckpt_le32(t->signal_ref)))
		return -1;
	img->in_task = 1;
	img->nr_tasks++;
	img->next_entry++;
	img->task_regs = 0;
	img->task_xstate = 0;
	img->task_sigpending = 0;
	return 0;
}

static inline int ckpt_check_signal(struct ckpt_image *img,
				    const struct ckpt_rec *rec)
{
	const struct ckpt_rec_signal *s = CKPT_REC(rec, struct ckpt_rec_signal);

	if (ckpt_le32(s->nr_rlim) != CKPT_RLIM_NLIMITS)
		return ckpt_image_fail(img, rec->offset,
				       "SIGNAL: nr_rlim %u != %u",
				       ckpt_le32(s->nr_rlim), CKPT_RLIM_NLIMITS);
	if (ckpt_le32(s->flags) & ~(__u32)(CKPT_SIGNAL_STOPPED |
					   CKPT_SIGNAL_SUBREAPER))
		return ckpt_image_fail(img, rec->offset,
				       "SIGNAL: unknown flags 0x%x",
				       ckpt_le32(s->flags));
	if (ckpt_check_pad(img, rec, s->__pad))
		return -1;
	if (ckpt_ref_add(img, rec, ckpt_le32(s->objref)))
		return -1;
	img->want_shared = 1;
	return 0;
}

/* SIGPENDING, X86_REGS, X86_XSTATE and TASK_END: inside a task. */
static inline int ckpt_check_task_part(struct ckpt_image *img,
				       const struct ckpt_rec *rec)
{
	const char *name = ckpt_rec_type_name(rec->type);

	if (rec->type == CKPT_REC_SIGPENDING) {
		const struct ckpt_rec_sigpending *s =
			CKPT_REC(rec, struct ckpt_rec_sigpending);
		__u32 i, n = ckpt_le32(s->nr_info);
		__u32 want = img->want_shared ? 1 : 0;

		if (ckpt_check_len(img, rec, sizeof(*s) + (__u64)n * 128,
				   "the siginfos"))
			return -1;
		/* SIGKILL (9) and SIGSTOP (19) are never saved as pending */
		if (ckpt_le64(s->signal) & (1ULL << (9 - 1) | 1ULL << (19 - 1)))
			return ckpt_image_fail(img, rec->offset,
					       "SIGPENDING: SIGKILL or SIGSTOP pending");
		/* a siginfo is the kernel's 48 bytes, the rest reserved */
		for (i = 0; i < n; i++)
			if (ckpt_check_zero(img, rec, "siginfo after byte 48",
					    s->info[i] + 48, 128 - 48))
				return -1;
		if (ckpt_le32(s->shared) != want)
			return ckpt_image_fail(img, rec->offset,
					       "SIGPENDING: shared=%u, want %u here",
					       ckpt_le32(s->shared), want);
		if (want) {
			img->want_shared = 0;
			return 0;
		}
	}
	if (!img->in_task)
		return ckpt_image_fail(img, rec->offset,
				       "%s: not inside a TASK", name);
	switch (rec->type) {
	case CKPT_REC_SIGPENDING:
		if (img->task_sigpending++)
			return ckpt_image_fail(img, rec->offset,
					       "SIGPENDING: duplicate");
		break;
	case CKPT_REC_X86_REGS:
		if (img->task_regs++)
			return ckpt_image_fail(img, rec->offset,
					       "X86_REGS: duplicate");
		break;
	case CKPT_REC_X86_XSTATE: {
		const struct ckpt_rec_x86_xstate *x =
			CKPT_REC(rec, struct ckpt_rec_x86_xstate);

		if (ckpt_check_len(img, rec, sizeof(*x) + (__u64)ckpt_le32(x->size),
				   "the xsave area") ||
		    ckpt_check_pad(img, rec, x->__pad))
			return -1;
		if (img->task_xstate++)
			return ckpt_image_fail(img, rec->offset,
					       "X86_XSTATE: duplicate");
		break;
	}
	case CKPT_REC_TASK_END:
		if (!img->task_regs || !img->task_xstate ||
		    !img->task_sigpending)
			return ckpt_image_fail(img, rec->offset,
					       "TASK_END: task lacks %s",
					       !img->task_regs ? "X86_REGS" :
					       !img->task_xstate ? "X86_XSTATE" :
					       "its SIGPENDING record");
		img->in_task = 0;
		break;
	}
	return 0;
}

/* Record-specific checks and stream-order bookkeeping for a known record. */
static inline int ckpt_check_rec(struct ckpt_image *img,
				 const struct ckpt_rec *rec)
{
	__u32 t = rec->type;

	if (rec->len < ckpt_rec_min_len(t))
		return ckpt_image_fail(img, rec->offset,
				       "%s: len %u < %zu (fixed part)",
				       ckpt_rec_type_name(t), rec->len,
				       ckpt_rec_min_len(t));
	if (t & CKPT_TYPE_OPTIONAL)
		return 0;
	if (img->want_shared && t != CKPT_REC_SIGPENDING && t != CKPT_REC_ERROR)
		return ckpt_image_fail(img, rec->offset,
				       "%s: SIGNAL is not followed by its SIGPENDING",
				       ckpt_rec_type_name(t));
	/* The VMA/PAGES run after an MM ends at the next other record. */
	if (img->in_mm && t != CKPT_REC_VMA && t != CKPT_REC_PAGES &&
	    t != CKPT_REC_SKIPPED && t != CKPT_REC_ERROR) {
		if (img->vmas_left)
			return ckpt_image_fail(img, rec->offset,
					       "%s: %u VMA records announced by MM are missing",
					       ckpt_rec_type_name(t),
					       img->vmas_left);
		img->in_mm = 0;
	}
	/* so does the PAGES run after a SHMEM */
	if (img->in_shmem && t != CKPT_REC_PAGES && t != CKPT_REC_ERROR)
		img->in_shmem = 0;
	/* and a queue is followed by all its messages */
	if (img->msgs_left && t != CKPT_REC_IPC_MSG && t != CKPT_REC_ERROR)
		return ckpt_image_fail(img, rec->offset,
				       "%s: %llu messages of the queue before are missing",
				       ckpt_rec_type_name(t),
				       (unsigned long long)img->msgs_left);
	/* a NETNS's devices, addresses and routes come right after it */
	if ((img->net_devs || img->net_addrs || img->net_routes) &&
	    t != CKPT_REC_NETDEV && t != CKPT_REC_NETADDR &&
	    t != CKPT_REC_NETROUTE && t != CKPT_REC_ERROR)
		return ckpt_image_fail(img, rec->offset,
				       "%s: NETNS members missing",
				       ckpt_rec_type_name(t));
	/* a SOCK_TCP, then the second SOCKET of a pair, come right after */
	if (img->want_tcp && t != CKPT_REC_SOCK_TCP && t != CKPT_REC_ERROR)
		return ckpt_image_fail(img, rec->offset,
				       "%s: a TCP SOCKET lacks its SOCK_TCP",
				       ckpt_rec_type_name(t));
	if (img->sock_pending && t != CKPT_REC_SOCKET &&
	    t != CKPT_REC_SOCK_TCP && t != CKPT_REC_ERROR)
		return ckpt_image_fail(img, rec->offset,
				       "%s: the peer of SOCKET %u should come first",
				       ckpt_rec_type_name(t), img->sock_pending);
	/* any other record after the tree starts the tasks' sections */
	switch (t) {
	case CKPT_REC_TREE:
	case CKPT_REC_IPC_NS:
	case CKPT_REC_UTS_NS:
	case CKPT_REC_SYSV_SHM:
	case CKPT_REC_SYSV_SEM:
	case CKPT_REC_SYSV_MSQ:
	case CKPT_REC_MQUEUE:
	case CKPT_REC_IPC_MSG:
	case CKPT_REC_PAGES:
	case CKPT_REC_ERROR:
	case CKPT_REC_TAIL:
		break;
	default:
		if (img->tree_seen)
			img->sections = 1;
		break;
	}
	switch (t) {
	case CKPT_REC_TREE:
	case CKPT_REC_CREDS:
	case CKPT_REC_FS:
	case CKPT_REC_PIPE:
	case CKPT_REC_FILE:
	case CKPT_REC_FILES:
	case CKPT_REC_MM:
	case CKPT_REC_VMA:
	case CKPT_REC_PAGES:
	case CKPT_REC_SIGHAND:
	case CKPT_REC_SIGNAL:
	case CKPT_REC_SHMEM:
	case CKPT_REC_EVENTFD:
	case CKPT_REC_EPOLL:
	case CKPT_REC_TIMERFD:
	case CKPT_REC_SIGNALFD:
	case CKPT_REC_SEM_UNDO:
	case CKPT_REC_SOCKET:
	case CKPT_REC_SOCK_TCP:
	case CKPT_REC_SOCK_QUEUE:
	case CKPT_REC_NETNS:
	case CKPT_REC_NETDEV:
	case CKPT_REC_NETADDR:
	case CKPT_REC_NETROUTE:
	case CKPT_REC_FILEDATA:
	case CKPT_REC_PTY:
		if (img->in_task)
			return ckpt_image_fail(img, rec->offset,
					       "%s: inside a TASK",
					       ckpt_rec_type_name(t));
		break;
	}
	switch (t) {
	case CKPT_REC_HEADER:
		return ckpt_image_fail(img, rec->offset, "HEADER: duplicate");
	case CKPT_REC_TAIL:
		return ckpt_check_tail(img, rec);
	case CKPT_REC_ERROR:
		return ckpt_check_error(img, rec);
	case CKPT_REC_TREE:
		return ckpt_check_tree(img, rec);
	case CKPT_REC_CREDS:
		return ckpt_check_creds(img, rec);
	case CKPT_REC_FS:
		return ckpt_check_fs(img, rec);
	case CKPT_REC_PIPE:
		return ckpt_check_pipe(img, rec);
	case CKPT_REC_FILE:
		return ckpt_check_file(img, rec);
	case CKPT_REC_FILES:
		return ckpt_check_files(img, rec);
	case CKPT_REC_MM:
		return ckpt_check_mm(img, rec);
	case CKPT_REC_VMA:
		return ckpt_check_vma(img, rec);
	case CKPT_REC_PAGES:
		return ckpt_check_pages(img, rec);
	case CKPT_REC_SIGHAND:
		return ckpt_check_sighand(img, rec);
	case CKPT_REC_TASK:
		return ckpt_check_task(img, rec);
	case CKPT_REC_SIGNAL:
		return ckpt_check_signal(img, rec);
	case CKPT_REC_SHMEM:
		return ckpt_check_shmem(img, rec);
	case CKPT_REC_EVENTFD:
		return ckpt_check_eventfd(img, rec);
	case CKPT_REC_EPOLL:
		return ckpt_check_epoll(img, rec);
	case CKPT_REC_TIMERFD:
		return ckpt_check_timerfd(img, rec);
	case CKPT_REC_SIGNALFD:
		return ckpt_check_signalfd(img, rec);
	case CKPT_REC_IPC_NS:
		return ckpt_check_ipc_ns(img, rec);
	case CKPT_REC_UTS_NS:
		return ckpt_check_uts_ns(img, rec);
	case CKPT_REC_SYSV_SHM:
		return ckpt_check_sysv_shm(img, rec);
	case CKPT_REC_SYSV_SEM:
		return ckpt_check_sysv_sem(img, rec);
	case CKPT_REC_SYSV_MSQ:
		return ckpt_check_sysv_msq(img, rec);
	case CKPT_REC_IPC_MSG:
		return ckpt_check_ipc_msg(img, rec);
	case CKPT_REC_SEM_UNDO:
		return ckpt_check_sem_undo(img, rec);
	case CKPT_REC_MQUEUE:
		return ckpt_check_mqueue(img, rec);
	case CKPT_REC_SOCKET:
		return ckpt_check_socket(img, rec);
	case CKPT_REC_SOCK_TCP:
		return ckpt_check_sock_tcp(img, rec);
	case CKPT_REC_SOCK_QUEUE:
		return ckpt_check_sock_queue(img, rec);
	case CKPT_REC_NETNS:
	case CKPT_REC_NETDEV:
	case CKPT_REC_NETADDR:
	case CKPT_REC_NETROUTE:
		return ckpt_check_net(img, rec);
	case CKPT_REC_FILEDATA:
		return ckpt_check_filedata(img, rec);
	case CKPT_REC_PTY:
		return ckpt_check_pty(img, rec);
	case CKPT_REC_SIGPENDING:
	case CKPT_REC_X86_REGS:
	case CKPT_REC_X86_XSTATE:
	case CKPT_REC_TASK_END:
		return ckpt_check_task_part(img, rec);
	case CKPT_REC_SKIPPED: {
		const struct ckpt_rec_skipped *s =
			CKPT_REC(rec, struct ckpt_rec_skipped);
		__u32 what = ckpt_le32(s->what);

		if (!what || (what & (what - 1)) || (what & ~CKPT_EXCLUDE_ALL))
			return ckpt_image_fail(img, rec->offset,
					       "SKIPPED: bad what 0x%x", what);
		return 0;
	}
	}
	return 0;
}

/* At the end: nothing may follow the TAIL or ERROR record. */
static inline int ckpt_image_check_end(struct ckpt_image *img)
{
	const unsigned char *p;
	size_t got;

	p = ckpt_image_get(img, 0, 1, &got);
	if (!p)
		return ckpt_image_fail(img, img->pos, "read error: %s",
				       strerror(errno));
	if (got)
		return ckpt_image_fail(img, img->pos, "data after the %s record",
				       ckpt_rec_type_name(img->end_type));
	img->state = CKPT_ST_DONE;
	return 0;
}

static inline int ckpt_image_next(struct ckpt_image *img, struct ckpt_rec *rec)
{
	const struct ckpt_hdr *h;
	const unsigned char *p;
	__u64 off = img->pos;
	__u32 len, padded, i;
	size_t got;

	memset(rec, 0, sizeof(*rec));
	switch (img->state) {
	case CKPT_ST_BAD:
		return -1;
	case CKPT_ST_DONE:
		return 0;
	case CKPT_ST_END:
		return ckpt_image_check_end(img) ? -1 : 0;
	}

	p = ckpt_image_get(img, 0, sizeof(*h), &got);
	if (!p)
		return ckpt_image_fail(img, off, "read error: %s",
				       strerror(errno));
	if (!got)
		return ckpt_image_fail(img, off, img->state == CKPT_ST_START ?
				       "empty image (no HEADER record)" :
				       "truncated image: no TAIL or ERROR record at the end");
	if (got < sizeof(*h))
		return ckpt_image_fail(img, off,
				       "truncated record header (%zu of %zu bytes)",
				       got, sizeof(*h));
	h = (const struct ckpt_hdr *)p;
	len = ckpt_le32(h->len);
	rec->type = ckpt_le32(h->type);
	if (len < sizeof(*h) || len > CKPT_REC_MAX_LEN)
		return ckpt_image_fail(img, off, "record type %u: bad len %u",
				       rec->type, len);
	padded = (len + CKPT_ALIGN - 1) & ~(CKPT_ALIGN - 1);
	p = ckpt_image_get(img, sizeof(*h), padded - sizeof(*h), &got);
	if (!p)
		return ckpt_image_fail(img, off, "read error: %s",
				       strerror(errno));
	if (got < padded - sizeof(*h))
		return ckpt_image_fail(img, off,
				       "truncated record (type %u, len %u): only %zu bytes left",
				       rec->type, len, got + sizeof(*h));
	p -= sizeof(*h);	/* the whole record */
	for (i = len; i < padded; i++)
		if (p[i])
			return ckpt_image_fail(img, off,
					       "record type %u: non-zero padding",
					       rec->type);

	rec->hdr = (const struct ckpt_hdr *)p;
	rec->len = len;
	rec->offset = off;
	rec->index = img->nr_records;
	rec->known = !!ckpt_rec_type_name(rec->type);

	if (img->state == CKPT_ST_START) {
		if (rec->type != CKPT_REC_HEADER)
			return ckpt_image_fail(img, off,
					       "first record is type %u, not HEADER",
					       rec->type);
		if (len < sizeof(struct ckpt_rec_header))
			return ckpt_image_fail(img, off,
					       "HEADER: len %u < %zu", len,
					       sizeof(struct ckpt_rec_header));
		if (ckpt_check_header(img, rec))
			return -1;
		img->state = CKPT_ST_BODY;
	} else if (!rec->known) {
		if (!(rec->type & CKPT_TYPE_OPTIONAL))
			return ckpt_image_fail(img, off,
					       "unknown mandatory record type %u (0x%x)",
					       rec->type, rec->type);
	} else if (ckpt_check_rec(img, rec)) {
		return -1;
	}

	if (rec->type == CKPT_REC_TAIL || rec->type == CKPT_REC_ERROR) {
		img->end_type = rec->type;
		img->state = CKPT_ST_END;
	}
	img->nr_records++;
	img->pos += padded;
	return 1;
}

static inline int ckpt_image_check(struct ckpt_image *img, char *err,
				   size_t errlen)
{
	struct ckpt_rec rec;
	int ret;

	if (ckpt_image_rewind(img) == 0) {
		do
			ret = ckpt_image_next(img, &rec);
		while (ret > 0);
	} else {
		ret = -1;
	}
	if (err && errlen)
		snprintf(err, errlen, "%s", ret ? img->err : "");
	return ret ? -1 : 0;
}

static inline int ckpt_image_find_next(struct ckpt_image *img, __u32 type,
				       struct ckpt_rec *rec)
{
	int ret;

	while ((ret = ckpt_image_next(img, rec)) > 0)
		if (rec->type == type)
			return 1;
	return ret;
}

static inline int ckpt_image_find(struct ckpt_image *img, __u32 type,
				  struct ckpt_rec *rec)
{
	if (ckpt_image_rewind(img))
		return -1;
	return ckpt_image_find_next(img, type, rec);
}

static inline long ckpt_image_count(struct ckpt_image *img, __u32 type)
{
	struct ckpt_rec rec;
	long n = 0;
	int ret;

	if (ckpt_image_rewind(img))
		return -1;
	while ((ret = ckpt_image_next(img, &rec)) > 0)
		if (rec.type == type)
			n++;
	return ret ? -1 : n;
}

static inline __u32 ckpt_pages_nr(const struct ckpt_rec *rec)
{
	if (rec->type != CKPT_REC_PAGES)
		return 0;
	return ckpt_le32(CKPT_REC(rec, struct ckpt_rec_pages)->nr_pages);
}

static inline int ckpt_pages_get(const struct ckpt_image *img,
				 const struct ckpt_rec *rec, __u32 i,
				 __u64 *addr, const void **data)
{
	const struct ckpt_rec_pages *p = CKPT_REC(rec, struct ckpt_rec_pages);
	__u32 n = ckpt_pages_nr(rec);

	if (i >= n)
		return -1;
	if (addr)
		*addr = ckpt_le64(p->addrs[i]);
	if (data)
		*data = (const unsigned char *)&p->addrs[n] +
			(size_t)i * img->page_size;
	return 0;
}

static inline const void *ckpt_image_find_page(struct ckpt_image *img,
					       __u64 addr)
{
	struct ckpt_rec rec;
	const void *data;
	__u64 a;
	__u32 i;

	if (ckpt_image_rewind(img))
		return NULL;
	while (ckpt_image_find_next(img, CKPT_REC_PAGES, &rec) > 0) {
		if (img->in_shmem)	/* offsets in shared memory */
			continue;
		for (i = 0; i < ckpt_pages_nr(&rec); i++) {
			ckpt_pages_get(img, &rec, i, &a, &data);
			if (a == addr)
				return data;
		}
	}
	return NULL;
}

/* Variable parts of validated records; NULL when absent. */
static inline const char *ckpt_fs_cwd(const struct ckpt_rec_fs *f)
{
	return (const char *)f->paths;
}

static inline const char *ckpt_fs_root(const struct ckpt_rec_fs *f)
{
	return (const char *)f->paths + ckpt_le32(f->cwd_len);
}

static inline const char *ckpt_file_path(const struct ckpt_rec_file *f)
{
	return f->path_len ? (const char *)f->path : NULL;
}

static inline const char *ckpt_vma_path(const struct ckpt_rec_vma *v)
{
	return v->path_len ? (const char *)v->path : NULL;
}

static inline const char *ckpt_mm_exe(const struct ckpt_rec_mm *m)
{
	return m->exe_len ? (const char *)m->exe : NULL;
}

static inline const char *ckpt_error_msg(const struct ckpt_rec_error *e)
{
	return ckpt_le32(e->h.len) > sizeof(*e) ? (const char *)e->msg : "";
}

static inline const void *ckpt_pipe_data(const struct ckpt_rec_pipe *p)
{
	return p->data;
}

#endif /* _CKPT_READER_H */
