// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the table of shared objects.
 *
 * An object that several tasks or files share (credentials, an mm, an fd
 * table, a pipe) is saved once, the first time it is met, under a new
 * object id; later users refer to that id.  Checkpoint looks objects up by
 * their kernel address, restart by their id.
 */

#include <linux/checkpoint.h>
#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/slab.h>

struct ckpt_obj {
	struct hlist_node node;
	const void *ptr;
	u32 ref;
	u32 kind;
	void (*release)(void *ptr);
};

/**
 * ckpt_obj_lookup - the id of an object already saved
 * @ctx: checkpoint context
 * @ptr: the kernel object
 *
 * Return: its id, or 0 if it was not saved yet
 */
u32 ckpt_obj_lookup(struct ckpt_ctx *ctx, const void *ptr)
{
	struct ckpt_obj *obj;

	hash_for_each_possible(ctx->objs, obj, node, (unsigned long)ptr)
		if (obj->ptr == ptr)
			return obj->ref;
	return 0;
}

/**
 * ckpt_obj_insert - give an object a new id
 * @ctx: checkpoint context
 * @ptr: the kernel object, not in the table yet
 * @ref: set to the new id
 *
 * The table holds no reference to @ptr: the caller keeps the object alive
 * for the duration of the checkpoint.
 */
int ckpt_obj_insert(struct ckpt_ctx *ctx, const void *ptr, u32 *ref)
{
	struct ckpt_obj *obj;

	if (WARN_ON_ONCE(ckpt_obj_lookup(ctx, ptr)))
		return -EEXIST;
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return -ENOMEM;
	obj->ptr = ptr;
	obj->ref = ++ctx->next_ref;
	hash_add(ctx->objs, &obj->node, (unsigned long)ptr);
	*ref = obj->ref;
	return 0;
}

static struct ckpt_obj *ckpt_obj_by_ref(struct ckpt_ctx *ctx, u32 ref)
{
	struct ckpt_obj *obj;

	hash_for_each_possible(ctx->objs, obj, node, ref)
		if (obj->ref == ref)
			return obj;
	return NULL;
}

/**
 * ckpt_obj_add - note an object restored from the image
 * @ctx: restart context
 * @ref: its id in the image
 * @kind: the record type that defined it
 * @ptr: the object; the table owns the reference
 * @release: drops that reference when restart ends, may be NULL
 *
 * Return: 0, or -EINVAL if the image used @ref before (@ptr is released)
 */
int ckpt_obj_add(struct ckpt_ctx *ctx, u32 ref, u32 kind, void *ptr,
		 void (*release)(void *ptr))
{
	struct ckpt_obj *obj = NULL;
	int ret = -EINVAL;

	if (ref && !ckpt_obj_by_ref(ctx, ref)) {
		obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
		ret = -ENOMEM;
	}
	if (!obj) {
		if (release)
			release(ptr);
		return ret;
	}
	obj->ptr = ptr;
	obj->ref = ref;
	obj->kind = kind;
	obj->release = release;
	hash_add(ctx->objs, &obj->node, ref);
	return 0;
}

/**
 * ckpt_obj_get - an object restored earlier
 * @ctx: restart context
 * @ref: its id
 * @kind: the record type it must have come from
 *
 * Return: the object (no new reference), or ERR_PTR(-EINVAL)
 */
void *ckpt_obj_get(struct ckpt_ctx *ctx, u32 ref, u32 kind)
{
	struct ckpt_obj *obj = ckpt_obj_by_ref(ctx, ref);

	if (!obj || obj->kind != kind)
		return ERR_PTR(-EINVAL);
	return (void *)obj->ptr;
}

void ckpt_obj_free(struct ckpt_ctx *ctx)
{
	struct hlist_node *tmp;
	struct ckpt_obj *obj;
	int bkt;

	hash_for_each_safe(ctx->objs, bkt, tmp, obj, node) {
		hash_del(&obj->node);
		if (obj->release)
			obj->release((void *)obj->ptr);
		kfree(obj);
	}
}
