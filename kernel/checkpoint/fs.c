// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: working and root directory, umask (CKPT_REC_FS).
 *
 * Paths are saved as the caller of checkpoint sees them.  On restart every
 * path of the image (directories, files, mapped files, the executable) is
 * looked up in the root directory of the caller of restart, whatever root
 * the restored task gets: ckpt_lookup().
 */

#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/slab.h>

#include "internal.h"

static void *ckpt_fs_get(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct fs_struct *fs;

	task_lock(t);
	fs = t->fs;
	if (fs) {
		spin_lock(&fs->lock);
		fs->users++;
		spin_unlock(&fs->lock);
	}
	task_unlock(t);
	return fs;
}

static void ckpt_fs_put(struct fs_struct *fs)
{
	bool kill;

	spin_lock(&fs->lock);
	kill = !--fs->users;
	spin_unlock(&fs->lock);
	if (kill)
		free_fs_struct(fs);
}

static void ckpt_fs_drop(void *ptr)
{
	ckpt_fs_put(ptr);
}

static long ckpt_fs_users(void *ptr)
{
	struct fs_struct *fs = ptr;

	return READ_ONCE(fs->users) - 1;
}

static int ckpt_dump_fs(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct fs_struct *fs = obj->ptr;
	struct ckpt_rec_fs r = { .objref = cpu_to_le32(obj->ref) };
	struct path pwd, root;
	u32 cwd_len, root_len;
	char *buf, *p;
	int ret;

	get_fs_pwd(fs, &pwd);
	get_fs_root(fs, &root);
	r.umask = cpu_to_le32(READ_ONCE(fs->umask));
	if (d_unlinked(pwd.dentry) || d_unlinked(root.dentry)) {
		ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FS, -1, 0,
			       "cwd or root directory was deleted");
		goto out_path;
	}
	ret = -ENOMEM;
	buf = kmalloc(2 * PATH_MAX, GFP_KERNEL);
	if (!buf)
		goto out_path;
	p = ckpt_path(ctx, &pwd, &cwd_len);
	ret = PTR_ERR_OR_ZERO(p);
	if (ret)
		goto out_buf;
	memcpy(buf, p, cwd_len);
	p = ckpt_path(ctx, &root, &root_len);
	ret = PTR_ERR_OR_ZERO(p);
	if (ret)
		goto out_buf;
	memcpy(buf + cwd_len, p, root_len);
	r.cwd_len = cpu_to_le32(cwd_len);
	r.root_len = cpu_to_le32(root_len);
	ret = ckpt_write_record(ctx, CKPT_REC_FS, &r, sizeof(r), buf,
				cwd_len + root_len);
out_buf:
	kfree(buf);
out_path:
	path_put(&pwd);
	path_put(&root);
	return ret;
}

/**
 * ckpt_lookup - look a path of the image up as the caller of restart
 * @ctx: restart context
 * @name: an absolute path
 * @flags: LOOKUP_* flags
 * @path: the result, to put with path_put()
 *
 * The path is resolved in the caller's root directory (never above it),
 * with the credentials of the task that calls this, which are the caller's
 * until restart installs the saved ones.
 */
int ckpt_lookup(struct ckpt_ctx *ctx, const char *name, unsigned int flags,
		struct path *path)
{
	if (name[0] != '/')
		return -EINVAL;
	return vfs_path_lookup(ctx->root.dentry, ctx->root.mnt, name, flags,
			       path);
}

static int ckpt_lookup_dir(struct ckpt_ctx *ctx, const char *name,
			   struct path *path)
{
	int ret = ckpt_lookup(ctx, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, path);

	if (ret)
		return ret;
	ret = path_permission(path, MAY_EXEC | MAY_CHDIR);
	if (ret)
		path_put(path);
	return ret;
}

/* make @fs current's, as unshare(CLONE_FS) does; it takes a user of @fs */
static void ckpt_install_fs(struct fs_struct *fs)
{
	struct fs_struct *old;
	bool kill;

	task_lock(current);
	old = current->fs;
	spin_lock(&old->lock);
	current->fs = fs;
	kill = !--old->users;
	spin_unlock(&old->lock);
	task_unlock(current);
	if (kill)
		free_fs_struct(old);
}

/**
 * ckpt_attach_fs - share the fs_struct restored for another process
 * @ptr: the fs_struct
 *
 * Return: 0
 */
int ckpt_attach_fs(void *ptr)
{
	struct fs_struct *fs = ptr;

	if (current->fs == fs)
		return 0;
	spin_lock(&fs->lock);
	fs->users++;
	spin_unlock(&fs->lock);
	ckpt_install_fs(fs);
	return 0;
}

static void ckpt_fs_release(struct ckpt_obj *obj)
{
	ckpt_fs_put(obj->ptr);
}

/*
 * CKPT_REC_FS: a new fs_struct with the saved directories, looked up as
 * the caller with search permission; a root other than the caller's needs
 * CAP_SYS_CHROOT, as chroot() does.
 */
static int ckpt_restore_fs(struct ckpt_ctx *ctx, struct ckpt_task *t,
			   const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_fs *r = rec;
	u32 cwd_len = le32_to_cpu(r->cwd_len), root_len = le32_to_cpu(r->root_len);
	struct path cwd, root;
	struct fs_struct *fs;
	bool same_root;
	int ret;

	if (h->len != sizeof(*r) + (u64)cwd_len + root_len ||
	    !ckpt_valid_str(r->paths, cwd_len, PATH_MAX) ||
	    !ckpt_valid_str(r->paths + cwd_len, root_len, PATH_MAX) ||
	    (le32_to_cpu(r->umask) & ~0777))
		return -EINVAL;
	ret = ckpt_lookup_dir(ctx, r->paths, &cwd);
	if (ret)
		return ret;
	ret = ckpt_lookup_dir(ctx, r->paths + cwd_len, &root);
	if (ret)
		goto out_cwd;
	same_root = path_equal(&root, &ctx->root);
	ret = -EPERM;
	if (!same_root && !ns_capable(current_user_ns(), CAP_SYS_CHROOT))
		goto out_root;
	if (!same_root) {
		ret = security_path_chroot(&root);
		if (ret)
			goto out_root;
	}
	ret = -ENOMEM;
	fs = copy_fs_struct(current->fs);
	if (!fs)
		goto out_root;
	set_fs_pwd(fs, &cwd);
	set_fs_root(fs, same_root ? &ctx->root : &root);
	fs->umask = le32_to_cpu(r->umask);
	/* one user for current, one for the table */
	fs->users++;
	ckpt_install_fs(fs);
	ret = PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					   &ckpt_fs_ops, fs, 0));
out_root:
	path_put(&root);
out_cwd:
	path_put(&cwd);
	return ret;
}

const struct ckpt_obj_ops ckpt_fs_ops = {
	.type = CKPT_REC_FS,
	.err_kind = CKPT_OBJ_FS,
	.shared_msg = "fs_struct shared with a task outside the image",
	.get = ckpt_fs_get,
	.drop = ckpt_fs_drop,
	.users = ckpt_fs_users,
	.dump = ckpt_dump_fs,
	.release = ckpt_fs_release,
};

static const struct ckpt_rec_ops ckpt_fs_records[] = {
	{
		.type = CKPT_REC_FS,
		.name = "FS",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_fs),
		.max_len = sizeof(struct ckpt_rec_fs) + 2 * PATH_MAX,
		.restore = ckpt_restore_fs,
	},
};

static int __init ckpt_fs_init(void)
{
	return ckpt_register_records(ckpt_fs_records,
				     ARRAY_SIZE(ckpt_fs_records));
}
core_initcall(ckpt_fs_init);
