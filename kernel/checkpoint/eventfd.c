// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: eventfds (CKPT_REC_EVENTFD).
 *
 * An eventfd is one open file description: its counter and its
 * EFD_SEMAPHORE mode are saved once, in the record that goes just before
 * its CKPT_REC_FILE, however many fds and processes share it.  Restart
 * makes a new eventfd with the same counter; O_NONBLOCK is the file's.
 * An eventfd the kernel also uses (aio, io_uring, KVM, vhost hold its
 * context to signal it) is refused: the copy would not be signalled.
 */

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>

#include "internal.h"

static const struct ckpt_obj_ops ckpt_eventfd_ops;

static int ckpt_dump_eventfd(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct file *file = (struct file *)obj->priv;
	struct ckpt_rec_eventfd r = { .objref = cpu_to_le32(obj->ref) };
	int fd = ckpt_file_fd(ctx, file), users;
	unsigned int flags;
	u64 count;

	users = eventfd_ckpt_state(file, &count, &flags);
	if (users < 0)
		return users;
	if (users)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: eventfd also used inside the kernel (aio, io_uring, KVM...)",
				fd);
	if (count == ULLONG_MAX)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: eventfd counter overflowed", fd);
	if (flags & EFD_SEMAPHORE)
		r.flags = cpu_to_le32(CKPT_EVENTFD_SEMAPHORE);
	r.count = cpu_to_le64(count);
	return ckpt_write_record(ctx, CKPT_REC_EVENTFD, &r, sizeof(r), NULL, 0);
}

static void ckpt_eventfd_release(struct ckpt_obj *obj)
{
	if (obj->ptr)
		fput(obj->ptr);
}

/* CKPT_REC_EVENTFD: a new eventfd with the saved counter */
static int ckpt_restore_eventfd(struct ckpt_ctx *ctx, struct ckpt_task *t,
				const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_eventfd *r = rec;
	u32 flags = le32_to_cpu(r->flags);
	struct file *file;
	int ret;

	if (flags & ~CKPT_EVENTFD_SEMAPHORE || le64_to_cpu(r->count) == ULLONG_MAX)
		return -EINVAL;
	ret = ckpt_count_files(ctx, 1);
	if (ret)
		return ret;
	file = eventfd_ckpt_file(le64_to_cpu(r->count),
				 flags & CKPT_EVENTFD_SEMAPHORE ? EFD_SEMAPHORE : 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					    &ckpt_eventfd_ops, file, 0));
}

static bool ckpt_eventfd_match(struct file *file)
{
	unsigned int flags;
	u64 count;

	return eventfd_ckpt_state(file, &count, &flags) >= 0;
}

static const struct ckpt_obj_ops ckpt_eventfd_ops = {
	.type = CKPT_REC_EVENTFD,
	.err_kind = CKPT_OBJ_FILE,
	.dump = ckpt_dump_eventfd,
	.release = ckpt_eventfd_release,
};

static const struct ckpt_file_kind ckpt_eventfd_kind = {
	.type = CKPT_FILE_EVENTFD,
	.obj = &ckpt_eventfd_ops,
	.match = ckpt_eventfd_match,
};

static const struct ckpt_rec_ops ckpt_eventfd_records[] = {
	{
		.type = CKPT_REC_EVENTFD,
		.name = "EVENTFD",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_eventfd),
		.max_len = sizeof(struct ckpt_rec_eventfd),
		.restore = ckpt_restore_eventfd,
	},
};

static int __init ckpt_eventfd_init(void)
{
	int ret = ckpt_register_file_kind(&ckpt_eventfd_kind);

	return ret ?: ckpt_register_records(ckpt_eventfd_records,
					    ARRAY_SIZE(ckpt_eventfd_records));
}
core_initcall(ckpt_eventfd_init);
