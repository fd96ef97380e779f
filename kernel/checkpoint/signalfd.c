// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: signalfds (CKPT_REC_SIGNALFD).
 *
 * A signalfd holds only the mask of the signals it reads: the signals
 * themselves are the pending signals of whichever task reads it, which
 * are saved with that task.  Restart makes a new signalfd with the mask.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/signal.h>
#include <linux/signalfd.h>

#include "internal.h"

static const struct ckpt_obj_ops ckpt_signalfd_ops;

static int ckpt_dump_signalfd(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_rec_signalfd r = { .objref = cpu_to_le32(obj->ref) };
	sigset_t mask;
	int ret;

	ret = signalfd_ckpt_mask((struct file *)obj->priv, &mask);
	if (ret)
		return ret;
	r.mask = cpu_to_le64(mask.sig[0]);
	return ckpt_write_record(ctx, CKPT_REC_SIGNALFD, &r, sizeof(r), NULL,
				 0);
}

static void ckpt_signalfd_release(struct ckpt_obj *obj)
{
	if (obj->ptr)
		fput(obj->ptr);
}

/* CKPT_REC_SIGNALFD: a new signalfd with the saved mask */
static int ckpt_restore_signalfd(struct ckpt_ctx *ctx, struct ckpt_task *t,
				 const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_signalfd *r = rec;
	sigset_t mask = { .sig = { le64_to_cpu(r->mask) } };
	struct file *file;
	int ret;

	/* signalfd(2) drops them: no image from checkpoint has them */
	if (r->__pad || sigismember(&mask, SIGKILL) ||
	    sigismember(&mask, SIGSTOP))
		return -EINVAL;
	ret = ckpt_count_files(ctx, 1);
	if (ret)
		return ret;
	file = signalfd_ckpt_file(&mask, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					    &ckpt_signalfd_ops, file, 0));
}

static bool ckpt_signalfd_match(struct file *file)
{
	sigset_t mask;

	return !signalfd_ckpt_mask(file, &mask);
}

static const struct ckpt_obj_ops ckpt_signalfd_ops = {
	.type = CKPT_REC_SIGNALFD,
	.err_kind = CKPT_OBJ_FILE,
	.dump = ckpt_dump_signalfd,
	.release = ckpt_signalfd_release,
};

static const struct ckpt_file_kind ckpt_signalfd_kind = {
	.type = CKPT_FILE_SIGNALFD,
	.obj = &ckpt_signalfd_ops,
	.match = ckpt_signalfd_match,
};

static const struct ckpt_rec_ops ckpt_signalfd_records[] = {
	{
		.type = CKPT_REC_SIGNALFD,
		.name = "SIGNALFD",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_signalfd),
		.max_len = sizeof(struct ckpt_rec_signalfd),
		.restore = ckpt_restore_signalfd,
	},
};

static int __init ckpt_signalfd_init(void)
{
	int ret = ckpt_register_file_kind(&ckpt_signalfd_kind);

	return ret ?: ckpt_register_records(ckpt_signalfd_records,
					    ARRAY_SIZE(ckpt_signalfd_records));
}
core_initcall(ckpt_signalfd_init);
