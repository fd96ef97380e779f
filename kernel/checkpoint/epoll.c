// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: epoll instances (CKPT_REC_EPOLL).
 *
 * An epoll is saved with every watch: the watched open file (an object of
 * the image, written first, so an epoll that watches another comes after
 * it), the fd number the watch was added with, its events and flags as
 * epoll_ctl() keeps them, its data, and whether it waited on the ready
 * list.  A watch is keyed by file and fd number, and the fd may have been
 * closed since while the file stays open at another fd: the watch is
 * rebuilt as it was, on that file, under its old number.  A file that no
 * fd table of the image holds is outside the image: such an epoll is
 * refused.  A terminal or a pipe to the outside is the caller's fd of the
 * same number at restart, so a watch on one must use an fd the file is
 * open at.
 *
 * Restart adds the watches as EPOLL_CTL_ADD does, with its checks (nesting
 * depth, loops, max_user_watches, EPOLLEXCLUSIVE, and CAP_BLOCK_SUSPEND for
 * EPOLLWAKEUP), but with the events exactly as saved.  What is on the
 * ready list afterwards: a level-triggered watch is there if its file is
 * ready now, as epoll would find on its next scan anyway.  An
 * edge-triggered or disarmed one-shot watch is there only if it was at
 * checkpoint and its file is still ready: an edge seen and collected
 * before checkpoint is not reported again, one not collected yet is.  On a
 * file from the caller (terminal, outside pipe), which may have changed
 * while the image was at rest, an edge-triggered watch reports what the
 * file has now.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/eventpoll.h>

#include "internal.h"

/* every event bit and flag epoll_ctl() knows */
#define CKPT_EPOLL_EVENTS	((__force u32)(EPOLLIN | EPOLLPRI | EPOLLOUT | \
				 EPOLLERR | EPOLLHUP | EPOLLNVAL | \
				 EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | \
				 EPOLLWRBAND | EPOLLMSG | EPOLLRDHUP | \
				 EPOLLEXCLUSIVE | EPOLLWAKEUP | \
				 EPOLLONESHOT | EPOLLET))
#define CKPT_EPOLL_PRIVATE	((__force u32)(EPOLLEXCLUSIVE | EPOLLWAKEUP | \
				 EPOLLONESHOT | EPOLLET))

/* the watches of an epoll, as the walk found them */
struct ckpt_epoll_snap {
	unsigned int nr, max;
	struct ckpt_epoll_item {
		struct file *file;
		int fd;
		u32 events;
		u64 data;
		bool ready;
	} *w;
};

static const struct ckpt_obj_ops ckpt_epoll_ops;

static int ckpt_epoll_note(void *arg, struct file *tfile, int fd,
			   const struct epoll_event *event, bool ready)
{
	struct ckpt_epoll_snap *s = arg;

	if (s->nr == s->max) {
		unsigned int max = max(2 * s->max, 16U);
		struct ckpt_epoll_item *w;

		w = kvrealloc(s->w, array_size(max, sizeof(*w)), GFP_KERNEL);
		if (!w) {
			fput(tfile);
			return -ENOMEM;
		}
		s->w = w;
		s->max = max;
	}
	s->w[s->nr++] = (struct ckpt_epoll_item){
		.file = tfile,
		.fd = fd,
		.events = (__force u32)event->events,
		.data = event->data,
		.ready = ready,
	};
	return 0;
}

static void ckpt_epoll_snap_free(struct ckpt_epoll_snap *s)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		fput(s->w[i].file);
	kvfree(s->w);
}

/* one watch as the image has it; its file is written first */
static int ckpt_epoll_entry(struct ckpt_ctx *ctx, int fd,
			    const struct ckpt_epoll_item *w,
			    struct ckpt_epoll_watch *e)
{
	struct ckpt_obj *tobj = ckpt_obj_find(ctx, w->file);
	int ret;

	if (!tobj || tobj->ops != &ckpt_file_ops)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: epoll watches fd %d, a file outside the image",
				fd, w->fd);
	if (w->events & ~CKPT_EPOLL_EVENTS)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: epoll watch of fd %d has unknown events %#x",
				fd, w->fd, w->events);
	if (ckpt_file_external(ctx, w->file) &&
	    !ckpt_file_at_fd(ctx, w->file, w->fd))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: epoll watches a terminal or outside pipe by fd %d, which no longer holds it",
				fd, w->fd);
	ret = ckpt_obj_dump(ctx, tobj);
	if (ret)
		return ret;
	e->file_ref = cpu_to_le32(tobj->ref);
	e->fd = cpu_to_le32(w->fd);
	e->events = cpu_to_le32(w->events);
	e->flags = cpu_to_le32(w->ready ? CKPT_EPOLL_READY : 0);
	e->data = cpu_to_le64(w->data);
	return 0;
}

static int ckpt_dump_epoll(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct file *file = (struct file *)obj->priv;
	struct ckpt_rec_epoll r = { .objref = cpu_to_le32(obj->ref) };
	struct ckpt_epoll_snap s = {};
	struct ckpt_epoll_watch *ents = NULL;
	int fd = ckpt_file_fd(ctx, file);
	unsigned int i;
	int ret;

	ret = epoll_ckpt_watches(file, ckpt_epoll_note, &s);
	if (ret == -EOPNOTSUPP)
		ret = ckpt_err(ctx, ret, CKPT_OBJ_FILE, fd, 0,
			       "fd %d: epoll busy poll parameters are not supported",
			       fd);
	if (!ret && s.nr > (CKPT_REC_MAX_LEN - sizeof(r)) / sizeof(*ents))
		ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
			       "fd %d: epoll has too many watches", fd);
	if (!ret && s.nr) {
		ents = kvcalloc(s.nr, sizeof(*ents), GFP_KERNEL);
		if (!ents)
			ret = -ENOMEM;
	}
	for (i = 0; i < s.nr && !ret; i++)
		ret = ckpt_epoll_entry(ctx, fd, &s.w[i], &ents[i]);
	if (!ret) {
		r.nr_watches = cpu_to_le32(s.nr);
		ret = ckpt_write_record(ctx, CKPT_REC_EPOLL, &r, sizeof(r),
					ents, s.nr * sizeof(*ents));
	}
	kvfree(ents);
	ckpt_epoll_snap_free(&s);
	return ret;
}

static void ckpt_epoll_release(struct ckpt_obj *obj)
{
	if (obj->ptr)
		fput(obj->ptr);
}

/* one watch of the record, added to the new epoll @ep */
static int ckpt_epoll_add(struct ckpt_ctx *ctx, struct file *ep,
			  const struct ckpt_epoll_watch *e)
{
	u32 events = le32_to_cpu(e->events), flags = le32_to_cpu(e->flags);
	struct epoll_event ev = {
		.events = (__force __poll_t)events,
		.data = le64_to_cpu(e->data),
	};
	bool armed = events & ~CKPT_EPOLL_PRIVATE, external, ready;
	struct ckpt_obj *tobj;
	struct file *tfile;
	int ret;

	if (le32_to_cpu(e->fd) > INT_MAX || (flags & ~CKPT_EPOLL_READY) ||
	    (events & ~CKPT_EPOLL_EVENTS))
		return -EINVAL;
	/* an open file restored before, not this epoll's own */
	tobj = ckpt_obj_lookup(ctx, le32_to_cpu(e->file_ref), &ckpt_file_ops);
	if (!tobj)
		return -EINVAL;
	external = !tobj->ptr;
	tfile = external ? ckpt_external(ctx, le32_to_cpu(e->fd)) :
			   get_file(tobj->ptr);
	if (IS_ERR(tfile))
		return PTR_ERR(tfile);
	ret = -EINVAL;
	if (!file_can_poll(tfile))
		goto out;
	/*
	 * Level-triggered: ready if its file is.  Edge-triggered: if it was
	 * too, or if its file came from outside.  Disarmed: never.
	 */
	if (!(events & (__force u32)EPOLLET))
		ready = armed;
	else
		ready = armed && ((flags & CKPT_EPOLL_READY) || external);
	ret = epoll_ckpt_add(ep, tfile, le32_to_cpu(e->fd), &ev, ready);
	/* a loop, a nest too deep, a watch twice: no checkpoint writes them */
	if (ret == -ELOOP || ret == -EEXIST)
		ret = -EINVAL;
out:
	fput(tfile);
	return ret;
}

/* CKPT_REC_EPOLL: a new epoll with the saved watches */
static int ckpt_restore_epoll(struct ckpt_ctx *ctx, struct ckpt_task *t,
			      const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_epoll *r = rec;
	u32 i, nr = le32_to_cpu(r->nr_watches);
	struct file *file;
	int ret;

	if (h->len != sizeof(*r) + (u64)nr * sizeof(r->watches[0]))
		return -EINVAL;
	ret = ckpt_count_files(ctx, 1);
	if (ret)
		return ret;
	file = epoll_ckpt_file();
	if (IS_ERR(file))
		return PTR_ERR(file);
	for (i = 0; i < nr && !ret; i++) {
		ret = ckpt_epoll_add(ctx, file, &r->watches[i]);
		if (fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	if (ret) {
		fput(file);
		return ret;
	}
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					    &ckpt_epoll_ops, file, 0));
}

static bool ckpt_epoll_match(struct file *file)
{
	return !epoll_ckpt_watches(file, NULL, NULL);
}

static const struct ckpt_obj_ops ckpt_epoll_ops = {
	.type = CKPT_REC_EPOLL,
	.err_kind = CKPT_OBJ_FILE,
	.dump = ckpt_dump_epoll,
	.release = ckpt_epoll_release,
};

static const struct ckpt_file_kind ckpt_epoll_kind = {
	.type = CKPT_FILE_EPOLL,
	.obj = &ckpt_epoll_ops,
	.match = ckpt_epoll_match,
};

static const struct ckpt_rec_ops ckpt_epoll_records[] = {
	{
		.type = CKPT_REC_EPOLL,
		.name = "EPOLL",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_epoll),
		.max_len = CKPT_REC_MAX_LEN,
		.restore = ckpt_restore_epoll,
	},
};

static int __init ckpt_epoll_init(void)
{
	int ret = ckpt_register_file_kind(&ckpt_epoll_kind);

	return ret ?: ckpt_register_records(ckpt_epoll_records,
					    ARRAY_SIZE(ckpt_epoll_records));
}
core_initcall(ckpt_epoll_init);
