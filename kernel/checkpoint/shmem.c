// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: shared memory and the contents of files
 * (CKPT_REC_SHMEM, CKPT_REC_FILEDATA).
 *
 * Some files cannot be found again by path, or would not be there on
 * another machine; their contents go in the image, saved once per inode
 * (one object, whoever maps it or holds it open) before the first task
 * that uses them, with the pages of their page cache in CKPT_REC_PAGES
 * records by offset:
 *
 * - shared memory (CKPT_REC_SHMEM): MAP_SHARED | MAP_ANONYMOUS memory
 *   inherited across fork(), a memfd (files of the kernel's internal shmem
 *   mount), and any unlinked file that is mapped shared.  Restart makes a
 *   new shmem file of the same size, name, mode and seals and maps it
 *   where each task had it: what one process writes, the others see.
 * - file contents (CKPT_REC_FILEDATA): a regular file that was unlinked,
 *   or one on tmpfs or ramfs (a scratch file on a ramdisk).  Restart
 *   creates a named file again at its path, as the caller, when the path is
 *   free, uses the file there if it is identical, and fails with EEXIST
 *   otherwise (it never overwrites one); an unlinked file comes back as an
 *   unlinked shmem file.  With cr.exclude's files bit, a named file is
 *   reopened by path instead and an unlinked one comes back empty.
 */

#include <linux/bvec.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/xarray.h>

#include "internal.h"

#define CKPT_SEALS_ALL	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | \
			 F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

/*
 * checkpoint: what is known of an inode whose contents go in the image
 * @file:	an open file of it to read from (and to name it by)
 * @mapped_shared: a task of the image maps it shared
 * @kind:	how its users refer to it, once it is dumped
 */
struct ckpt_content {
	struct file *file;
	bool mapped_shared;
	int kind;
};

/* memory of the kernel's own (MAP_SHARED | MAP_ANONYMOUS, memfd) */
static bool ckpt_internal(struct inode *inode)
{
	return inode->i_sb->s_flags & SB_KERNMOUNT;
}

/**
 * ckpt_content_wanted - whether the contents of a file go in the image
 * @file: an open or mapped file
 *
 * A regular file of the kernel's internal shmem mount (shared anonymous
 * memory, a memfd), one that was unlinked, or one on tmpfs or ramfs.  Not
 * a SysV segment, whose file wraps the shmem one.
 */
bool ckpt_content_wanted(struct file *file)
{
	struct inode *inode = file_inode(file);
	unsigned long magic = inode->i_sb->s_magic;

	if (!S_ISREG(inode->i_mode) || (file->f_mode & FMODE_PATH) ||
	    file->f_op != inode->i_fop)
		return false;
	if (shmem_file(file) && ckpt_internal(inode))
		return true;
	if (file->f_path.mnt->mnt_flags & MNT_INTERNAL)
		return false;
	return d_unlinked(file->f_path.dentry) || magic == TMPFS_MAGIC ||
	       magic == RAMFS_MAGIC;
}

/**
 * ckpt_content_collect - note a user of the contents of a file
 * @ctx: checkpoint context
 * @file: a file for which ckpt_content_wanted() is true
 * @mapped: for a mapping of it, not an open file
 * @shared: the mapping is shared
 *
 * The object counts the mappings of the image only: those are the users
 * that can be compared with the kernel's (see ckpt_content_users()).
 * Return: the object, NULL for the file the image goes to, or an ERR_PTR()
 */
struct ckpt_obj *ckpt_content_collect(struct ckpt_ctx *ctx, struct file *file,
				      bool mapped, bool shared)
{
	struct inode *inode = file_inode(file);
	struct ckpt_content *c;
	struct ckpt_obj *obj;

	/* the image itself, a self-checkpoint's: found by path */
	if (inode == file_inode(ctx->file))
		return NULL;
	ihold(inode);
	obj = ckpt_obj_collect(ctx, &ckpt_content_ops, inode);
	if (IS_ERR(obj))
		return obj;
	if (!mapped)
		obj->users--;
	c = (struct ckpt_content *)obj->priv;
	if (!c) {
		c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
		if (!c)
			return ERR_PTR(-ENOMEM);
		obj->priv = (unsigned long)c;
	}
	c->mapped_shared |= shared;
	/* one to read from: mapped files are readable */
	if (!c->file || (!(c->file->f_mode & FMODE_READ) &&
			 (file->f_mode & FMODE_READ))) {
		if (c->file)
			fput(c->file);
		c->file = get_file(file);
	}
	return obj;
}

/**
 * ckpt_content_kind - how the users of a dumped object refer to it
 * @obj: an object of ckpt_content_ops, dumped
 *
 * Return: CKPT_REC_SHMEM, CKPT_REC_FILEDATA, or 0 for a file found again
 * by path (its contents were left out)
 */
int ckpt_content_kind(struct ckpt_obj *obj)
{
	return ((struct ckpt_content *)obj->priv)->kind;
}

/*
 * The mappings of the object, in every address space: more than the
 * image has means a process outside it maps the memory too, and a copy
 * restarted without it would silently stop being shared.  A file that has
 * a name is not concerned: restart uses it again where it is.  (An open
 * file held outside cannot be seen; that sharing is not kept.)
 */
static long ckpt_content_users(void *ptr)
{
	struct inode *inode = ptr;
	struct address_space *mapping = inode->i_mapping;
	struct vm_area_struct *vma;
	long n = 0;

	if (inode->i_nlink && !ckpt_internal(inode))
		return 0;
	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, 0, ULONG_MAX)
		n++;
	i_mmap_unlock_read(mapping);
	return n;
}

static void ckpt_content_drop(void *ptr)
{
	iput(ptr);
}

static void ckpt_content_forget(struct ckpt_obj *obj)
{
	struct ckpt_content *c = (struct ckpt_content *)obj->priv;

	if (c && c->file)
		fput(c->file);
	kfree(c);
	iput(obj->ptr);
}

/* the last component of @file's name, in ctx->pathbuf */
static u32 ckpt_content_name(struct ckpt_ctx *ctx, struct file *file)
{
	struct dentry *d = file->f_path.dentry;
	u32 len;

	spin_lock(&d->d_lock);
	len = strscpy(ctx->pathbuf, d->d_name.name, NAME_MAX + 1) + 1;
	spin_unlock(&d->d_lock);
	return max(len, 1U);
}

/**
 * ckpt_dump_shmem_pages - write the present pages of a shmem inode
 * @ctx: checkpoint context
 * @inode: the inode (of shared memory, a memfd, a SysV segment)
 *
 * Only pages of its page cache (or swapped out) are written, a batch at a
 * time, by offset, straight from their frames.
 */
int ckpt_dump_shmem_pages(struct ckpt_ctx *ctx, struct inode *inode)
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

/* any other file: read it, a page at a time; pages of zeros are holes */
static int ckpt_dump_read_pages(struct ckpt_ctx *ctx, struct file *file)
{
	loff_t size = i_size_read(file_inode(file)), pos;
	struct ckpt_pagebuf *b;
	int ret = 0;

	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	b = ckpt_pagebuf(ctx);
	if (!b)
		return -ENOMEM;
	for (pos = 0; pos < size && !ret; pos += PAGE_SIZE) {
		struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		loff_t off = pos;
		ssize_t n;

		if (!page) {
			ret = -ENOMEM;
			break;
		}
		n = kernel_read(file, page_address(page),
				min_t(loff_t, PAGE_SIZE, size - pos), &off);
		if (n < 0)
			ret = n;
		else if (memchr_inv(page_address(page), 0, n))
			ckpt_pagebuf_add(b, page, pos);
		put_page(page);
		if (!ret && ckpt_pagebuf_full(b))
			ret = ckpt_pagebuf_write(ctx, b);
		if (fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	if (!ret)
		ret = ckpt_pagebuf_write(ctx, b);
	ckpt_pagebuf_drop(b);
	return ret;
}

static int ckpt_dump_content_pages(struct ckpt_ctx *ctx, struct file *file)
{
	if (shmem_mapping(file->f_mapping))
		return ckpt_dump_shmem_pages(ctx, file_inode(file));
	return ckpt_dump_read_pages(ctx, file);
}

static int ckpt_dump_shmem(struct ckpt_ctx *ctx, struct ckpt_content *c,
			   u32 ref)
{
	struct inode *inode = file_inode(c->file);
	struct ckpt_rec_shmem r = { .objref = cpu_to_le32(ref) };
	u32 name_len;
	int ret;

	name_len = ckpt_content_name(ctx, c->file);
	if (!strcmp(ctx->pathbuf, "dev/zero"))
		r.flags = cpu_to_le32(CKPT_SHMEM_ANON);
	r.size = cpu_to_le64(i_size_read(inode));
	if (shmem_mapping(inode->i_mapping))
		r.seals = cpu_to_le32(SHMEM_I(inode)->seals);
	r.mode = cpu_to_le32(inode->i_mode & 07777);
	r.name_len = cpu_to_le32(name_len);
	ret = ckpt_write_record(ctx, CKPT_REC_SHMEM, &r, sizeof(r),
				ctx->pathbuf, name_len);
	if (!ret)
		ret = ckpt_dump_content_pages(ctx, c->file);
	return ret;
}

static int ckpt_dump_filedata(struct ckpt_ctx *ctx, struct ckpt_content *c,
			      u32 ref, bool skipped)
{
	struct inode *inode = file_inode(c->file);
	struct ckpt_rec_filedata r = { .objref = cpu_to_le32(ref) };
	u32 path_len;
	char *path;
	int ret;

	path = ckpt_path(ctx, &c->file->f_path, &path_len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	if (d_unlinked(c->file->f_path.dentry))
		r.flags |= cpu_to_le32(CKPT_FILEDATA_UNLINKED);
	else if (path[0] != '/')
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, -1, 0,
				"%s is not below the root", path);
	if (skipped)
		r.flags |= cpu_to_le32(CKPT_FILEDATA_SKIPPED);
	r.size = cpu_to_le64(i_size_read(inode));
	r.mode = cpu_to_le32(inode->i_mode & 07777);
	r.path_len = cpu_to_le32(path_len);
	ret = ckpt_write_record(ctx, CKPT_REC_FILEDATA, &r, sizeof(r), path,
				path_len);
	if (!ret && !skipped)
		ret = ckpt_dump_content_pages(ctx, c->file);
	if (ret == -EBADF)
		ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, -1, 0,
			       "contents of a write-only file");
	return ret;
}

/*
 * Shared memory of the kernel's, or an unlinked file mapped shared: the
 * memory object.  Else the file's contents, unless cr.exclude's files bit
 * leaves them out (of the first task that uses them): a file with a name
 * is then found again by path, an unlinked one comes back empty.
 */
static int ckpt_dump_content(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_content *c = (struct ckpt_content *)obj->priv;
	bool unlinked = d_unlinked(c->file->f_path.dentry);
	bool skipped = ctx->cur && (ctx->cur->exclude & CKPT_EXCLUDE_FILEDATA);

	if (ckpt_internal(obj->ptr) || (unlinked && c->mapped_shared)) {
		c->kind = CKPT_REC_SHMEM;
		return ckpt_dump_shmem(ctx, c, obj->ref);
	}
	if (skipped && !unlinked) {
		c->kind = 0;
		return 0;
	}
	c->kind = CKPT_REC_FILEDATA;
	return ckpt_dump_filedata(ctx, c, obj->ref, skipped);
}

/*
 * restart
 */

/* fill the pages of one PAGES record into the page cache of a shmem inode */
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
 * ckpt_fill_shmem - fill a new shmem file from the PAGES records that follow
 * @ctx: restart context
 * @file: the file (of shared memory, a memfd, a SysV segment), of the
 *	saved size
 *
 * Return: 0 once the next record is no PAGES record, or an error
 */
int ckpt_fill_shmem(struct ckpt_ctx *ctx, struct file *file)
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
		ret = ckpt_restore_shmem_pages(ctx, &ph, file_inode(file),
					       &next);
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

/* a new shmem file, writable, of @size bytes */
static struct file *ckpt_new_shmem(struct ckpt_ctx *ctx, const char *name,
				   u64 size)
{
	struct file *file;
	int ret = ckpt_count_files(ctx, 1);

	if (ret)
		return ERR_PTR(ret);
	file = shmem_file_setup(name, size, VM_NORESERVE);
	if (IS_ERR(file))
		return file;
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	file->f_flags |= O_LARGEFILE;
	return file;
}

/* mode, and seals: on a new file nobody maps yet, any seal may be set */
static void ckpt_shmem_set(struct file *file, u32 mode, u32 seals)
{
	struct inode *inode = file_inode(file);

	inode_lock(inode);
	inode->i_mode = (inode->i_mode & S_IFMT) | mode;
	SHMEM_I(inode)->seals = seals;
	inode_unlock(inode);
}

/*
 * CKPT_REC_SHMEM: a new shmem file, filled from the PAGES records that
 * follow, with the saved mode and seals.
 */
static int ckpt_restore_shmem(struct ckpt_ctx *ctx, struct ckpt_task *t,
			      const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_shmem *r = rec;
	struct file *file;
	int ret;

	ret = ckpt_shmem_rec_valid(h, r);
	if (ret)
		return ret;
	file = ckpt_new_shmem(ctx, r->name, le64_to_cpu(r->size));
	if (IS_ERR(file))
		return PTR_ERR(file);
	ret = PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					   &ckpt_shmem_ops, file, 0));
	if (!ret)
		ret = ckpt_fill_shmem(ctx, file);
	if (!ret)
		ckpt_shmem_set(file, le32_to_cpu(r->mode),
			       le32_to_cpu(r->seals));
	return ret;
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

/*
 * restart of CKPT_REC_FILEDATA: the file, and whether restart created it
 * (it is unlinked again if restart fails)
 */
struct ckpt_filedata {
	struct file *file;
	bool created;
	bool committed;
};

static int ckpt_write_data(struct file *file, u64 off, const void *data,
			   size_t len)
{
	loff_t pos = off;
	ssize_t n = kernel_write(file, data, len, &pos);

	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

/* whether @file holds @len bytes of @data at @off; @mine: a page */
static int ckpt_same_data(struct file *file, u64 off, const void *data,
			  size_t len, void *mine)
{
	loff_t pos = off;
	ssize_t n = kernel_read(file, mine, len, &pos);

	if (n < 0)
		return n;
	return n == len && !memcmp(mine, data, len) ? 0 : -EEXIST;
}

/* whether @file reads zeros from @from to @to */
static int ckpt_same_zeros(struct file *file, u64 from, u64 to, void *mine)
{
	while (from < to) {
		size_t len = min_t(u64, PAGE_SIZE, to - from);
		loff_t pos = from;
		ssize_t n = kernel_read(file, mine, len, &pos);

		if (n < 0)
			return n;
		if (n != len || memchr_inv(mine, 0, len))
			return -EEXIST;
		from += len;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * The PAGES records that follow: written to @file, or compared with it
 * (@cmp).  Offsets ascend and stay below @size; between them, and up to
 * @size, a file compared must read zeros.  -EEXIST when it differs.
 */
static int ckpt_filedata_pages(struct ckpt_ctx *ctx, struct file *file,
			       u64 size, bool cmp)
{
	void *buf, *mine = NULL;
	struct ckpt_rhdr ph;
	struct ckpt_rec_pages rec;
	u64 next = 0;
	int ret;

	buf = kvmalloc(CKPT_PAGES_BATCH * (PAGE_SIZE + sizeof(__le64)),
		       GFP_KERNEL_ACCOUNT);
	if (cmp)
		mine = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!buf || (cmp && !mine))
		goto out;
	for (;;) {
		__le64 *offs = buf;
		u8 *data = buf + CKPT_PAGES_BATCH * sizeof(__le64);
		u32 i, nr;

		ret = ckpt_read_hdr(ctx, &ph);
		if (ret)
			break;
		if (ph.type != CKPT_REC_PAGES) {
			ckpt_push_hdr(ctx, &ph);
			break;
		}
		ret = ckpt_read(ctx, &rec.nr_pages, sizeof(rec) - sizeof(rec.h));
		if (ret)
			break;
		nr = le32_to_cpu(rec.nr_pages);
		ret = -EINVAL;
		if (!nr || nr > CKPT_PAGES_BATCH || rec.__pad ||
		    ph.len != sizeof(rec) + nr * (sizeof(u64) + PAGE_SIZE))
			break;
		ret = ckpt_read(ctx, offs, nr * sizeof(*offs));
		if (!ret)
			ret = ckpt_read(ctx, data, nr * PAGE_SIZE);
		for (i = 0; i < nr && !ret; i++) {
			u64 off = le64_to_cpu(offs[i]);
			size_t len = min_t(u64, PAGE_SIZE, size - off);

			ret = -EINVAL;
			if (!PAGE_ALIGNED(off) || off < next || off >= size)
				break;
			ret = cmp ? ckpt_same_zeros(file, next, off, mine) : 0;
			next = off + PAGE_SIZE;
			if (!ret)
				ret = cmp ? ckpt_same_data(file, off, data +
							   i * PAGE_SIZE,
							   len, mine) :
				      ckpt_write_data(file, off, data +
						      i * PAGE_SIZE, len);
		}
		if (ret)
			break;
		cond_resched();
	}
	if (!ret && cmp && next < size)
		ret = ckpt_same_zeros(file, next, size, mine);
out:
	kfree(mine);
	kvfree(buf);
	return ret;
}

static int ckpt_filedata_rec_valid(const struct ckpt_rhdr *h,
				   const struct ckpt_rec_filedata *r)
{
	u32 path_len = le32_to_cpu(r->path_len), flags = le32_to_cpu(r->flags);

	if (h->len != sizeof(*r) + path_len ||
	    (flags & ~(CKPT_FILEDATA_UNLINKED | CKPT_FILEDATA_SKIPPED)) ||
	    le32_to_cpu(r->mode) & ~07777 ||
	    le64_to_cpu(r->size) > MAX_LFS_FILESIZE ||
	    !ckpt_valid_str(r->path, path_len, PATH_MAX))
		return -EINVAL;
	/* a file with a name is left out by not being in the image at all */
	if (!(flags & CKPT_FILEDATA_UNLINKED) &&
	    ((flags & CKPT_FILEDATA_SKIPPED) || r->path[0] != '/'))
		return -EINVAL;
	return 0;
}

/*
 * A named file: the one at its path if it is identical (same size, same
 * contents), else -EEXIST; or a new one, created there as the caller.
 */
static struct file *ckpt_filedata_named(struct ckpt_ctx *ctx,
					const struct ckpt_rec_filedata *r,
					struct ckpt_filedata *fd)
{
	u64 size = le64_to_cpu(r->size);
	struct path path;
	struct file *file;
	int ret;

	ret = ckpt_count_files(ctx, 1);
	if (ret)
		return ERR_PTR(ret);
	ret = ckpt_lookup(ctx, r->path, 0, &path);
	if (!ret) {
		/* not followed, never written: only compared */
		file = ERR_PTR(-EEXIST);
		if (d_is_reg(path.dentry) &&
		    i_size_read(d_inode(path.dentry)) == size)
			file = ckpt_open_pinned(&path, O_RDONLY | O_LARGEFILE);
		path_put(&path);
		if (IS_ERR(file))
			return file;
		ret = ckpt_filedata_pages(ctx, file, size, true);
		if (ret) {
			fput(file);
			return ERR_PTR(ret);
		}
		return file;
	}
	if (ret != -ENOENT)
		return ERR_PTR(ret);
	file = file_open_root(&ctx->root, r->path, O_CREAT | O_EXCL | O_RDWR |
			      O_LARGEFILE | O_NOFOLLOW, 0600);
	if (IS_ERR(file))
		return file;
	fd->created = true;
	fd->file = file;
	ret = vfs_truncate(&file->f_path, size);
	if (!ret)
		ret = ckpt_filedata_pages(ctx, file, size, false);
	if (!ret)
		ret = vfs_fchmod(file, le32_to_cpu(r->mode));
	return ret ? ERR_PTR(ret) : file;
}

/* unlink the file restart created, if it is still the one at its path */
static void ckpt_filedata_unlink(struct file *file)
{
	struct dentry *dentry = file->f_path.dentry;
	struct vfsmount *mnt = file->f_path.mnt;
	struct dentry *parent;

	if (mnt_want_write(mnt))
		return;
	parent = dget_parent(dentry);
	/*
	 * A reference of our own, as unlink(2) has from its lookup: with the
	 * file's only, d_delete() would make the file's dentry negative.
	 */
	dget(dentry);
	inode_lock_nested(d_inode(parent), I_MUTEX_PARENT);
	if (dentry->d_parent == parent && !d_unlinked(dentry) &&
	    d_inode(dentry) == file_inode(file))
		vfs_unlink(mnt_idmap(mnt), d_inode(parent), dentry, NULL);
	inode_unlock(d_inode(parent));
	dput(dentry);
	dput(parent);
	mnt_drop_write(mnt);
}

static void ckpt_filedata_release(struct ckpt_obj *obj)
{
	struct ckpt_filedata *fd = obj->ptr;

	if (!fd)
		return;
	if (fd->file) {
		if (fd->created && !fd->committed)
			ckpt_filedata_unlink(fd->file);
		fput(fd->file);
	}
	kfree(fd);
}

/* restart succeeded: what it created stays */
static void ckpt_filedata_commit(struct ckpt_obj *obj)
{
	struct ckpt_filedata *fd = obj->ptr;

	if (fd)
		fd->committed = true;
}

/*
 * CKPT_REC_FILEDATA: the contents of a file.  Named: the identical file at
 * its path, or a new one created there (with the saved mode; its owner is
 * the caller).  Unlinked: a new unlinked shmem file, empty if the contents
 * were left out.
 */
static int ckpt_restore_filedata(struct ckpt_ctx *ctx, struct ckpt_task *t,
				 const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_filedata *r = rec;
	u32 flags = le32_to_cpu(r->flags);
	struct ckpt_filedata *fd;
	struct file *file;
	int ret;

	ret = ckpt_filedata_rec_valid(h, r);
	if (ret)
		return ret;
	fd = kzalloc(sizeof(*fd), GFP_KERNEL_ACCOUNT);
	if (!fd)
		return -ENOMEM;
	/* released with the object, also if what follows fails */
	ret = PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					   &ckpt_filedata_ops, fd, 0));
	if (ret)
		return ret;
	if (!(flags & CKPT_FILEDATA_UNLINKED)) {
		file = ckpt_filedata_named(ctx, r, fd);
		if (IS_ERR(file))
			return PTR_ERR(file);
		fd->file = file;
		return 0;
	}
	file = ckpt_new_shmem(ctx, kbasename(r->path), le64_to_cpu(r->size));
	if (IS_ERR(file))
		return PTR_ERR(file);
	fd->file = file;
	if (!(flags & CKPT_FILEDATA_SKIPPED))
		ret = ckpt_fill_shmem(ctx, file);
	if (!ret)
		ckpt_shmem_set(file, le32_to_cpu(r->mode), F_SEAL_SEAL);
	return ret;
}

/**
 * ckpt_filedata_file - the file restored under an object id
 * @ctx: restart context
 * @ref: the id
 * @named: set if it has a name (it is opened again through it)
 *
 * Return: the file (no new reference), or ERR_PTR(-EINVAL)
 */
struct file *ckpt_filedata_file(struct ckpt_ctx *ctx, u32 ref, bool *named)
{
	struct ckpt_filedata *fd = ckpt_obj_get(ctx, ref, &ckpt_filedata_ops);

	if (IS_ERR(fd))
		return ERR_CAST(fd);
	/* an unlinked one is restored on the kernel's internal shmem mount */
	*named = !(fd->file->f_path.mnt->mnt_flags & MNT_INTERNAL);
	return fd->file;
}

/* checkpoint: one object per inode, whatever its record */
const struct ckpt_obj_ops ckpt_content_ops = {
	.type = CKPT_REC_FILEDATA,
	.err_kind = CKPT_OBJ_VMA,
	.shared_msg = "shared memory also mapped by a process outside the image",
	.drop = ckpt_content_drop,
	.users = ckpt_content_users,
	.forget = ckpt_content_forget,
	.dump = ckpt_dump_content,
};

/* restart: the two records */
const struct ckpt_obj_ops ckpt_shmem_ops = {
	.type = CKPT_REC_SHMEM,
	.release = ckpt_shmem_release,
};

const struct ckpt_obj_ops ckpt_filedata_ops = {
	.type = CKPT_REC_FILEDATA,
	.release = ckpt_filedata_release,
	.commit = ckpt_filedata_commit,
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
	{
		.type = CKPT_REC_FILEDATA,
		.name = "FILEDATA",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_filedata),
		.max_len = sizeof(struct ckpt_rec_filedata) + PATH_MAX,
		.restore = ckpt_restore_filedata,
	},
};

static int __init ckpt_shmem_init(void)
{
	return ckpt_register_records(ckpt_shmem_records,
				     ARRAY_SIZE(ckpt_shmem_records));
}
core_initcall(ckpt_shmem_init);
