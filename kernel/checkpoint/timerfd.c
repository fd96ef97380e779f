// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: timerfds (CKPT_REC_TIMERFD).
 *
 * A timerfd is saved with its clock, its period, the time to its next
 * expiry and the expirations not read yet (a periodic timer that expired
 * is forwarded first, its overruns counted, as timerfd_gettime() does).
 * The time the image spends at rest does not count: the timer expires as
 * long after restart as it had to go at checkpoint.  The exception is a
 * CLOCK_REALTIME(_ALARM) timer set with TFD_TIMER_ABSTIME, which asked for
 * a date: it keeps it, and fires at once if the date passed, the periods
 * missed meanwhile added to its ticks, as when the clock is set forward.
 * TFD_TIMER_CANCEL_ON_SET is registered again, and a cancel not read yet
 * still makes the next read() fail with ECANCELED; restart itself is not
 * a change of the clock.
 *
 * Restart makes the timerfd, with its ticks, where the record is (an alarm
 * clock needs CAP_WAKE_ALARM there, as for timerfd_create()), and arms it
 * last, when every task is restored: no expiry is lost while the epolls
 * that watch it are rebuilt, and restart's own time does not count.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/time.h>
#include <linux/timerfd.h>

#include "internal.h"

#define CKPT_TIMERFD_FLAGS	(CKPT_TIMERFD_ABSTIME | \
				 CKPT_TIMERFD_CANCEL_ON_SET | \
				 CKPT_TIMERFD_CANCELED)

/* a restored timerfd until it is armed */
struct ckpt_rst_timerfd {
	struct file *file;
	struct timerfd_ckpt st;
};

static const struct ckpt_obj_ops ckpt_timerfd_ops;

static bool ckpt_realtime(int clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_REALTIME_ALARM;
}

static int ckpt_dump_timerfd(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_rec_timerfd r = { .objref = cpu_to_le32(obj->ref) };
	struct timerfd_ckpt st;
	u32 flags = 0;
	int ret;

	ret = timerfd_ckpt_state((struct file *)obj->priv, &st);
	if (ret)
		return ret;
	if (st.flags & TFD_TIMER_ABSTIME)
		flags |= CKPT_TIMERFD_ABSTIME;
	if (st.flags & TFD_TIMER_CANCEL_ON_SET)
		flags |= CKPT_TIMERFD_CANCEL_ON_SET;
	if (st.canceled)
		flags |= CKPT_TIMERFD_CANCELED;
	r.clockid = cpu_to_le32(st.clockid);
	r.flags = cpu_to_le32(flags);
	r.ticks = cpu_to_le64(st.ticks);
	r.value = cpu_to_le64(st.value);
	r.interval = cpu_to_le64(st.interval);
	if (st.value && ckpt_realtime(st.clockid) &&
	    (st.flags & TFD_TIMER_ABSTIME))
		r.expires = cpu_to_le64(max_t(ktime_t, st.expires, 1));
	return ckpt_write_record(ctx, CKPT_REC_TIMERFD, &r, sizeof(r), NULL, 0);
}

static void ckpt_timerfd_release(struct ckpt_obj *obj)
{
	struct ckpt_rst_timerfd *rt = (struct ckpt_rst_timerfd *)obj->priv;

	if (obj->ptr)
		fput(obj->ptr);
	if (rt) {
		fput(rt->file);
		kfree(rt);
	}
}

/* one rule per errno; the clock is checked when the timerfd is made */
static int ckpt_timerfd_rec_valid(const struct ckpt_rec_timerfd *r)
{
	u32 flags = le32_to_cpu(r->flags);
	u64 value = le64_to_cpu(r->value), expires = le64_to_cpu(r->expires);
	bool abs_date = value && ckpt_realtime(le32_to_cpu(r->clockid)) &&
			(flags & CKPT_TIMERFD_ABSTIME);

	if (r->__pad || (flags & ~CKPT_TIMERFD_FLAGS))
		return -EINVAL;
	if (value > KTIME_MAX || le64_to_cpu(r->interval) > KTIME_MAX ||
	    expires > KTIME_MAX)
		return -EINVAL;
	/* a date only where the timer asked for one */
	if (abs_date ? !expires : expires)
		return -EINVAL;
	/* a cancel is only ever pending on such a timer, as a tick */
	if ((flags & CKPT_TIMERFD_CANCELED) &&
	    (!ckpt_realtime(le32_to_cpu(r->clockid)) ||
	     !(flags & CKPT_TIMERFD_ABSTIME) ||
	     !(flags & CKPT_TIMERFD_CANCEL_ON_SET) || !r->ticks))
		return -EINVAL;
	return 0;
}

/* CKPT_REC_TIMERFD: a new timerfd with the saved ticks, armed at the end */
static int ckpt_restore_timerfd(struct ckpt_ctx *ctx, struct ckpt_task *t,
				const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_timerfd *r = rec;
	u32 flags = le32_to_cpu(r->flags);
	struct ckpt_rst_timerfd *rt;
	struct file *file;
	int ret;

	ret = ckpt_timerfd_rec_valid(r);
	if (!ret)
		ret = ckpt_count_files(ctx, 1);
	if (ret)
		return ret;
	rt = kzalloc(sizeof(*rt), GFP_KERNEL_ACCOUNT);
	if (!rt)
		return -ENOMEM;
	rt->st.clockid = le32_to_cpu(r->clockid);
	if (flags & CKPT_TIMERFD_ABSTIME)
		rt->st.flags |= TFD_TIMER_ABSTIME;
	if (flags & CKPT_TIMERFD_CANCEL_ON_SET)
		rt->st.flags |= TFD_TIMER_CANCEL_ON_SET;
	rt->st.canceled = flags & CKPT_TIMERFD_CANCELED;
	rt->st.ticks = le64_to_cpu(r->ticks);
	rt->st.value = le64_to_cpu(r->value);
	rt->st.interval = le64_to_cpu(r->interval);
	rt->st.expires = le64_to_cpu(r->expires);
	file = timerfd_ckpt_file(&rt->st, 0);
	if (IS_ERR(file)) {
		kfree(rt);
		return PTR_ERR(file);
	}
	rt->file = get_file(file);
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					    &ckpt_timerfd_ops, file,
					    (unsigned long)rt));
}

/* every task is restored: start the clock */
static int ckpt_timerfd_finish(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_rst_timerfd *rt = (struct ckpt_rst_timerfd *)obj->priv;

	return timerfd_ckpt_arm(rt->file, &rt->st);
}

static bool ckpt_timerfd_match(struct file *file)
{
	struct timerfd_ckpt st;

	return !timerfd_ckpt_state(file, &st);
}

static const struct ckpt_obj_ops ckpt_timerfd_ops = {
	.type = CKPT_REC_TIMERFD,
	.err_kind = CKPT_OBJ_FILE,
	.dump = ckpt_dump_timerfd,
	.release = ckpt_timerfd_release,
	.finish = ckpt_timerfd_finish,
};

static const struct ckpt_file_kind ckpt_timerfd_kind = {
	.type = CKPT_FILE_TIMERFD,
	.obj = &ckpt_timerfd_ops,
	.match = ckpt_timerfd_match,
};

static const struct ckpt_rec_ops ckpt_timerfd_records[] = {
	{
		.type = CKPT_REC_TIMERFD,
		.name = "TIMERFD",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_timerfd),
		.max_len = sizeof(struct ckpt_rec_timerfd),
		.restore = ckpt_restore_timerfd,
	},
};

static int __init ckpt_timerfd_init(void)
{
	int ret = ckpt_register_file_kind(&ckpt_timerfd_kind);

	return ret ?: ckpt_register_records(ckpt_timerfd_records,
					    ARRAY_SIZE(ckpt_timerfd_records));
}
core_initcall(ckpt_timerfd_init);
