// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the table of shared objects.
 *
 * An object that several tasks or files share (credentials, an mm, an fd
 * table, an open file, a pipe) is saved once, under an object id; its
 * other users refer to that id.
 *
 * On checkpoint, every object the tasks of the image use is collected
 * first, with a reference that keeps it alive (so that a freed and reused
 * address never aliases an earlier object) and a count of its users in the
 * image.  One pass then compares that count with the users the kernel
 * counts: an mm, fd table, fs_struct or signal handler table that a task
 * outside the image also uses is refused, with a reason that names it.
 * Objects are found by kernel address (an rhashtable) and by id (an
 * xarray, which also keeps them in the order they were met).
 *
 * On restart, the records of the image define objects under their ids;
 * the table holds a reference on each until restart ends.
 */

#include <linux/err.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "internal.h"

static const struct rhashtable_params ckpt_obj_params = {
	.key_len = sizeof(void *),
	.key_offset = offsetof(struct ckpt_obj, ptr),
	.head_offset = offsetof(struct ckpt_obj, node),
	.automatic_shrinking = false,
};

/**
 * ckpt_obj_init - set up the object table
 * @ctx: checkpoint or restart context
 * @restart: for restart, which needs no lookup by address
 *
 * Return: 0 or -ENOMEM
 */
int ckpt_obj_init(struct ckpt_ctx *ctx, bool restart)
{
	int ret;

	xa_init_flags(&ctx->objs, XA_FLAGS_ACCOUNT);
	if (restart)
		return 0;
	ctx->obj_ptrs = kzalloc(sizeof(*ctx->obj_ptrs), GFP_KERNEL_ACCOUNT);
	if (!ctx->obj_ptrs)
		return -ENOMEM;
	ret = rhashtable_init(ctx->obj_ptrs, &ckpt_obj_params);
	if (ret) {
		kfree(ctx->obj_ptrs);
		ctx->obj_ptrs = NULL;
	}
	return ret;
}

/**
 * ckpt_obj_free - drop every object and the table
 * @ctx: checkpoint or restart context
 */
void ckpt_obj_free(struct ckpt_ctx *ctx)
{
	bool restart = !ctx->obj_ptrs;
	struct ckpt_obj *obj;
	unsigned long ref;

	/*
	 * The table first: its resize worker may be walking the objects'
	 * chains, and rhashtable_destroy() waits for it.
	 */
	if (ctx->obj_ptrs) {
		rhashtable_destroy(ctx->obj_ptrs);
		kfree(ctx->obj_ptrs);
		ctx->obj_ptrs = NULL;
	}
	xa_for_each(&ctx->objs, ref, obj) {
		const struct ckpt_obj_ops *ops = obj->ops;

		if (restart) {
			if (ops->release)
				ops->release(obj);
		} else if (ops->forget) {
			ops->forget(obj);
		} else if (ops->drop) {
			ops->drop(obj->ptr);
		}
		kfree(obj);
	}
	xa_destroy(&ctx->objs);
}

/**
 * ckpt_obj_find - the object of the image at a kernel address
 * @ctx: checkpoint context
 * @ptr: the kernel object
 *
 * Return: the object, or NULL if it was not collected
 */
struct ckpt_obj *ckpt_obj_find(struct ckpt_ctx *ctx, const void *ptr)
{
	return rhashtable_lookup_fast(ctx->obj_ptrs, &ptr, ckpt_obj_params);
}

/**
 * ckpt_obj_collect - count one more user of an object of the image
 * @ctx: checkpoint context
 * @ops: its kind
 * @ptr: the kernel object, with a reference that the table takes over (it
 *	 drops it at once if it holds the object already, or on error)
 *
 * An object met for the first time gets the next object id and is asked to
 * collect the objects it refers to.
 * Return: the object, or an ERR_PTR()
 */
struct ckpt_obj *ckpt_obj_collect(struct ckpt_ctx *ctx,
				  const struct ckpt_obj_ops *ops, void *ptr)
{
	struct ckpt_obj *obj = ckpt_obj_find(ctx, ptr);
	int ret;

	if (obj) {
		if (ops->drop)
			ops->drop(ptr);
		if (WARN_ON_ONCE(obj->ops != ops))
			return ERR_PTR(-EINVAL);
		obj->users++;
		return obj;
	}
	ret = -ENOMEM;
	obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	if (!obj)
		goto out_drop;
	obj->ptr = ptr;
	obj->ops = ops;
	obj->users = 1;
	obj->ref = ++ctx->next_ref;
	ret = xa_insert(&ctx->objs, obj->ref, obj, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_free;
	ret = rhashtable_insert_fast(ctx->obj_ptrs, &obj->node,
				     ckpt_obj_params);
	if (ret) {
		xa_erase(&ctx->objs, obj->ref);
		goto out_free;
	}
	if (ops->collect) {
		/* the table owns the object and its reference from here on */
		ret = ops->collect(ctx, obj);
		if (ret)
			return ERR_PTR(ret);
	}
	return obj;

out_free:
	kfree(obj);
out_drop:
	if (ops->drop)
		ops->drop(ptr);
	return ERR_PTR(ret);
}

/**
 * ckpt_obj_check_users - refuse objects shared with tasks outside the image
 * @ctx: checkpoint context
 *
 * Return: 0, or -EOPNOTSUPP with the reason in the error record
 */
int ckpt_obj_check_users(struct ckpt_ctx *ctx)
{
	struct ckpt_obj *obj;
	unsigned long ref;

	xa_for_each(&ctx->objs, ref, obj) {
		const struct ckpt_obj_ops *ops = obj->ops;
		int ret;

		if (ops->check) {
			ret = ops->check(ctx, obj);
			if (ret)
				return ret;
		}
		if (!ops->shared_msg || !ops->users)
			continue;
		if (ops->users(obj->ptr) > obj->users)
			return ckpt_err(ctx, -EOPNOTSUPP, ops->err_kind, -1, 0,
					"%s", ops->shared_msg);
	}
	return 0;
}

/**
 * ckpt_dump_globals - write the objects whose records precede every task
 * @ctx: checkpoint context, right after the tree was written
 *
 * They go in the order they were collected (by object id).
 */
int ckpt_dump_globals(struct ckpt_ctx *ctx)
{
	struct ckpt_obj *obj;
	unsigned long ref;
	int ret;

	xa_for_each(&ctx->objs, ref, obj) {
		if (!obj->ops->global)
			continue;
		ret = ckpt_obj_dump(ctx, obj);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * ckpt_obj_dump - write an object's records the first time it is used
 * @ctx: checkpoint context
 * @obj: the object
 */
int ckpt_obj_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	if (obj->dumped)
		return 0;
	obj->dumped = true;
	return obj->ops->dump(ctx, obj);
}

/**
 * ckpt_obj_add - note an object restored from the image
 * @ctx: restart context
 * @ref: its id in the image
 * @ops: its kind
 * @ptr: the object; the table owns the reference, dropped with
 *	 @ops->release when restart ends
 * @priv: what the kind keeps with it, also released by @ops->release
 *
 * The process whose turn it is becomes its owner.
 * Return: the object, or ERR_PTR(-EINVAL) if the image used @ref before
 * (@ptr and @priv are released)
 */
struct ckpt_obj *ckpt_obj_add(struct ckpt_ctx *ctx, u32 ref,
			      const struct ckpt_obj_ops *ops, void *ptr,
			      unsigned long priv)
{
	struct ckpt_obj tmp = { .ptr = ptr, .ops = ops, .priv = priv };
	struct ckpt_obj *obj;
	int ret = -EINVAL;

	if (!ref)
		goto out_release;
	ret = -ENOMEM;
	obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	if (!obj)
		goto out_release;
	*obj = tmp;
	obj->ref = ref;
	obj->owner = ctx->cur ? ctx->cur->tgid : 0;
	ret = xa_insert(&ctx->objs, ref, obj, GFP_KERNEL_ACCOUNT);
	if (!ret)
		return obj;
	kfree(obj);
	if (ret == -EBUSY)
		ret = -EINVAL;
out_release:
	if (ops->release)
		ops->release(&tmp);
	return ERR_PTR(ret);
}

/**
 * ckpt_obj_lookup - an object restored earlier
 * @ctx: restart context
 * @ref: its id
 * @ops: the kind it must have
 *
 * Return: the object, or NULL if there is no object of that kind and id
 */
struct ckpt_obj *ckpt_obj_lookup(struct ckpt_ctx *ctx, u32 ref,
				 const struct ckpt_obj_ops *ops)
{
	struct ckpt_obj *obj = ref ? xa_load(&ctx->objs, ref) : NULL;

	return obj && obj->ops == ops ? obj : NULL;
}

/**
 * ckpt_obj_get - the kernel object restored under an id
 * @ctx: restart context
 * @ref: its id
 * @ops: the kind it must have
 *
 * Return: the object (no new reference; it may be NULL for some kinds), or
 * ERR_PTR(-EINVAL)
 */
void *ckpt_obj_get(struct ckpt_ctx *ctx, u32 ref,
		   const struct ckpt_obj_ops *ops)
{
	struct ckpt_obj *obj = ckpt_obj_lookup(ctx, ref, ops);

	return obj ? obj->ptr : ERR_PTR(-EINVAL);
}

/**
 * ckpt_restart_objs_done - the last step of each restored object
 * @ctx: restart context, whose tasks are all restored
 *
 * Return: 0 or the first error
 */
int ckpt_restart_objs_done(struct ckpt_ctx *ctx)
{
	struct ckpt_obj *obj;
	unsigned long ref;
	int ret;

	xa_for_each(&ctx->objs, ref, obj) {
		if (!obj->ops->finish)
			continue;
		ret = obj->ops->finish(ctx, obj);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * ckpt_restart_objs_commit - restart succeeded: keep what the objects made
 * @ctx: restart context, whose objects all finished
 *
 * Until then, a file that restart created is removed again when its
 * object is released: a later failure, even in another object's @finish,
 * leaves nothing behind.
 */
void ckpt_restart_objs_commit(struct ckpt_ctx *ctx)
{
	struct ckpt_obj *obj;
	unsigned long ref;

	xa_for_each(&ctx->objs, ref, obj)
		if (obj->ops->commit)
			obj->ops->commit(obj);
}
