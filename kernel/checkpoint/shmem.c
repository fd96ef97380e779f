// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: shared memory (CKPT_REC_SHMEM).
 *
 * Memory that processes share through a shmem inode rather than through
 * a name restart could find again: MAP_SHARED | MAP_ANONYMOUS memory
 * inherited across fork(), a memfd, a tmpfs file (such as one in /dev/shm)
 * that is mapped shared or was unlinked.  It is saved once, with the pages
 * of its page cache (swapped-out ones read back first), before the first
 * task that maps it or holds it open.  Restart makes a new shmem file of
 * the same size, name, mode and seals, fills it, and maps it again where
 * each task had it: what one process writes, the others see.
 */

#include <linux/bvec.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/xarray.h>

#include "internal.h"

#define CKPT_SEALS_ALL	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | \
			 F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

/**
 * ckpt_shmem_wanted - whether a file is shared memory saved with the image
 * @file: an open or mapped file
 * @shared: it is mapped shared
 *
 * A shmem file mapped shared, or one that has no name to find it by.
 */
bool ckpt_shmem_wanted(struct file *file, bool shared)
{
	/* not a SysV segment either, whose file wraps the shmem one */
	if (!shmem_file(file) || file->f_op != file_inode(file)->i_fop)
		return false;
	return shared || d_unlinked(file->f_path.dentry) ||
	       (file->f_path.mnt->mnt_flags & MNT_INTERNAL);
}

/**
 * ckpt_shmem_collect - note the shared memory of a file
 * @ctx: checkpoint context
 * @file: a file for which ckpt_shmem_wanted() is true
 * @mapped: for a mapping of it, not an open file
 *
 * The object counts the mappings of the image only: those are the users
 * that can be compared with the kernel's (see ckpt_shmem_users()).
 * Return: the object, or an ERR_PTR()
 */
struct ckpt_obj *ckpt_shmem_collect(struct ckpt_ctx *ctx, struct file *file,
				    bool mapped)
{
	struct inode *inode = file_inode(file);
	struct ckpt_obj *obj;

	ihold(inode);
	obj = ckpt_obj_collect(ctx, &ckpt_shmem_ops, inode);
	if (!IS_ERR(obj) && !mapped)
		obj->users--;
	return obj;
}

/*
 * The mappings of the object, in every address space: more than the
 * image has means a process outside it maps the memory too, and a copy
 * restarted without it would silently stop being shared.  (An open file
 * of it held outside cannot be seen; that sharing is not kept.)
 */
static long ckpt_shmem_users(void *ptr)
{
	struct address_space *mapping = ((struct inode *)ptr)->i_mapping;
	struct vm_area_struct *vma;
	long n = 0;

	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, 0, ULONG_MAX)
		n++;
	i_mmap_unlock_read(mapping);
	return n;
}

static void ckpt_shmem_drop(void *ptr)
{
	iput(ptr);
}

/* the name of the file of @inode (its dentry's), in ctx->pathbuf */
static u32 ckpt_shmem_name(struct ckpt_ctx *ctx, struct inode *inode)
{
	struct dentry *d = d_find_any_alias(inode);
	u32 len = 1;

	ctx->pathbuf[0] = 0;
	if (d) {
		spin_lock(&d->d_lock);
		len = strscpy(ctx->pathbuf, d->d_name.name, NAME_MAX + 1) + 1;
		spin_unlock(&d->d_lock);
		dput(d);
	}
	return max(len, 1U);
}

/**
 * ckpt_shmem_dump_pages - write the present pages of a shmem inode
 * @ctx: checkpoint context
 * @inode: the inode (of shared memory, a memfd, a SysV segment)
 *
 * Only pages of its page cache (or swapped out) are written, a batch at a
 * time, by offset, straight from their frames.
 */
int ckpt_shmem_dump_pages(struct ckpt_ctx *ctx, struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;
	pgoff_t end = DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE);
	unsigned long index = 0;
	struct ckpt_pagebuf *b;
	int ret = 0;

	if (!end)
		return 0;
	b = ckpt_pagebuf(ctx);
	if (!b)
		return -ENOMEM;
	while (!ret && xa_find(&mapping->i_pages, &index, end - 1, XA_PRESENT)) {
		struct folio *folio;

		/* brings a swapped-out page back; a hole stays one */
		ret = shmem_get_folio(inode, index, 0, &folio, SGP_READ);
		if (ret)
			break;
		if (folio) {
			ckpt_pagebuf_add(b, folio_file_page(folio, index),
					 (u64)index << PAGE_SHIFT);
			folio_unlock(folio);
			folio_put(folio);
		}
		if (ckpt_pagebuf_full(b))
			ret = ckpt_pagebuf_write(ctx, b);
		if (fatal_signal_pending(current))
			ret = -EINTR;
		index++;
		cond_resched();
	}
	if (!ret)
		ret = ckpt_pagebuf_write(ctx, b);
	ckpt_pagebuf_drop(b);
	return ret;
}

static int ckpt_dump_shmem(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct inode *inode = obj->ptr;
	struct ckpt_rec_shmem r = { .objref = cpu_to_le32(obj->ref) };
	u32 name_len;
	int ret;

	name_len = ckpt_shmem_name(ctx, inode);
	if (!strcmp(ctx->pathbuf, "dev/zero"))
		r.flags = cpu_to_le32(CKPT_SHMEM_ANON);
	r.size = cpu_to_le64(i_size_read(inode));
	r.seals = cpu_to_le32(SHMEM_I(inode)->seals);
	r.mode = cpu_to_le32(inode->i_mode & 07777);
	r.name_len = cpu_to_le32(name_len);
	ret = ckpt_write_record(ctx, CKPT_REC_SHMEM, &r, sizeof(r),
				ctx->pathbuf, name_len);
	if (!ret)
		ret = ckpt_shmem_dump_pages(ctx, inode);
	return ret;
}

/* fill the pages of one PAGES record into the page cache of @inode */
static int ckpt_restore_shmem_pages(struct ckpt_ctx *ctx,
				    const struct ckpt_rhdr *h,
				    struct inode *inode, u64 *next)
{
	u64 size = i_size_read(inode);
	__le64 *offs;
	struct folio **folios;
	struct bio_vec *bv;
	struct iov_iter iter;
	struct ckpt_rec_pages rec;
	u32 i, nr;
	int ret;

	ret = ckpt_read(ctx, &rec.nr_pages, sizeof(rec) - sizeof(rec.h));
	if (ret)
		return ret;
	nr = le32_to_cpu(rec.nr_pages);
	if (!nr || nr > CKPT_PAGES_BATCH || rec.__pad ||
	    h->len != sizeof(rec) + nr * (sizeof(u64) + PAGE_SIZE))
		return -EINVAL;
	offs = kmalloc_array(nr, sizeof(*offs), GFP_KERNEL);
	folios = kcalloc(nr, sizeof(*folios), GFP_KERNEL);
	bv = kmalloc_array(nr, sizeof(*bv), GFP_KERNEL);
	ret = -ENOMEM;
	if (!offs || !folios || !bv)
		goto out;
	ret = ckpt_read(ctx, offs, nr * sizeof(*offs));
	for (i = 0; i < nr && !ret; i++) {
		u64 off = le64_to_cpu(offs[i]);

		ret = -EINVAL;
		if (!PAGE_ALIGNED(off) || off < *next || off >= size)
			break;
		*next = off + PAGE_SIZE;
		ret = shmem_get_folio(inode, off >> PAGE_SHIFT, 0, &folios[i],
				      SGP_CACHE);
		if (!ret)
			bvec_set_page(&bv[i], folio_file_page(folios[i],
							      off >> PAGE_SHIFT),
				      PAGE_SIZE, 0);
	}
	if (!ret) {
		iov_iter_bvec(&iter, ITER_DEST, bv, nr, nr * PAGE_SIZE);
		ret = ckpt_read_iter(ctx, &iter);
	}
out:
	for (i = 0; folios && i < nr; i++) {
		if (!folios[i])
			continue;
		if (!ret)
			folio_mark_dirty(folios[i]);
		folio_unlock(folios[i]);
		folio_put(folios[i]);
	}
	kfree(bv);
	kfree(folios);
	kfree(offs);
	return ret;
}

/**
 * ckpt_shmem_fill - fill a shmem inode from the PAGES records that follow
 * @ctx: restart context
 * @inode: the inode, of the saved size
 *
 * Return: 0 once the next record is no PAGES record, or an error
 */
int ckpt_shmem_fill(struct ckpt_ctx *ctx, struct inode *inode)
{
	struct ckpt_rhdr ph;
	u64 next = 0;
	int ret;

	for (;;) {
		ret = ckpt_read_hdr(ctx, &ph);
		if (ret)
			return ret;
		if (ph.type != CKPT_REC_PAGES) {
			ckpt_push_hdr(ctx, &ph);
			return 0;
		}
		ret = ckpt_restore_shmem_pages(ctx, &ph, inode, &next);
		if (ret)
			return ret;
	}
}

static void ckpt_shmem_release(struct ckpt_obj *obj)
{
	fput(obj->ptr);
}

static int ckpt_shmem_rec_valid(const struct ckpt_rhdr *h,
				const struct ckpt_rec_shmem *r)
{
	u32 name_len = le32_to_cpu(r->name_len);

	if (h->len != sizeof(*r) + name_len || r->__pad)
		return -EINVAL;
	if (le32_to_cpu(r->flags) & ~CKPT_SHMEM_ANON)
		return -EINVAL;
	if (le32_to_cpu(r->seals) & ~CKPT_SEALS_ALL ||
	    le32_to_cpu(r->mode) & ~07777)
		return -EINVAL;
	if (le64_to_cpu(r->size) > MAX_LFS_FILESIZE)
		return -EINVAL;
	if (!ckpt_valid_str(r->name, name_len, NAME_MAX + 1) ||
	    (strchr(r->name, '/') && strcmp(r->name, "dev/zero")))
		return -EINVAL;
	return 0;
}

/*
 * CKPT_REC_SHMEM: a new shmem file, filled from the PAGES records that
 * follow, with the saved mode and seals (on a new file nobody maps yet,
 * every seal may be set).
 */
static int ckpt_restore_shmem(struct ckpt_ctx *ctx, struct ckpt_task *t,
			      const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_shmem *r = rec;
	struct inode *inode;
	struct file *file;
	int ret;

	ret = ckpt_shmem_rec_valid(h, r);
	if (!ret)
		ret = ckpt_count_files(ctx, 1);
	if (ret)
		return ret;
	file = shmem_file_setup(r->name, le64_to_cpu(r->size), VM_NORESERVE);
	if (IS_ERR(file))
		return PTR_ERR(file);
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	file->f_flags |= O_LARGEFILE;
	inode = file_inode(file);
	ret = PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					   &ckpt_shmem_ops, file, 0));
	if (!ret)
		ret = ckpt_shmem_fill(ctx, inode);
	if (ret)
		return ret;
	inode_lock(inode);
	inode->i_mode = (inode->i_mode & S_IFMT) | le32_to_cpu(r->mode);
	SHMEM_I(inode)->seals = le32_to_cpu(r->seals);
	inode_unlock(inode);
	return 0;
}

/**
 * ckpt_shmem_file - the shmem file restored under an object id
 * @ctx: restart context
 * @ref: the id
 *
 * Return: the file (no new reference), or ERR_PTR(-EINVAL)
 */
struct file *ckpt_shmem_file(struct ckpt_ctx *ctx, u32 ref)
{
	return ckpt_obj_get(ctx, ref, &ckpt_shmem_ops);
}

const struct ckpt_obj_ops ckpt_shmem_ops = {
	.type = CKPT_REC_SHMEM,
	.err_kind = CKPT_OBJ_VMA,
	.shared_msg = "shared memory also mapped by a process outside the image",
	.drop = ckpt_shmem_drop,
	.users = ckpt_shmem_users,
	.dump = ckpt_dump_shmem,
	.release = ckpt_shmem_release,
};

static const struct ckpt_rec_ops ckpt_shmem_records[] = {
	{
		.type = CKPT_REC_SHMEM,
		.name = "SHMEM",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_shmem),
		.max_len = sizeof(struct ckpt_rec_shmem) + NAME_MAX + 1,
		.restore = ckpt_restore_shmem,
	},
};

static int __init ckpt_shmem_init(void)
{
	return ckpt_register_records(ckpt_shmem_records,
				     ARRAY_SIZE(ckpt_shmem_records));
}
core_initcall(ckpt_shmem_init);
