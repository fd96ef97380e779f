// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the address space.
 *
 * The memory map is saved VMA by VMA, each followed by its populated
 * private pages.  Pages are found by walking the page tables, so pages that
 * were never touched cost nothing, and they go to the image in batches
 * straight from the target's page frames: the mmap lock is held to collect
 * a batch (with a reference on each page), never while writing it.
 */

#include <linux/bvec.h>
#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/kdev_t.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/pagewalk.h>
#include <linux/rmap.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/security.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/uio.h>
#include <linux/wait.h>

struct ckpt_pagebatch {
	unsigned int nr;
	unsigned long next;	/* where the walk stopped */
	unsigned long fault;	/* a page to fault in first, or 0 */
	struct page *pages[CKPT_PAGES_BATCH];
	struct bio_vec bv[CKPT_PAGES_BATCH];
	struct {
		struct ckpt_rec_pages h;
		__le64 addrs[CKPT_PAGES_BATCH];
	} rec;
};

/* the private copy of a page is what the image needs */
static bool ckpt_want_page(struct vm_area_struct *vma, struct page *page)
{
	if (!page || is_zero_page(page))
		return false;
	return !vma->vm_file || folio_test_anon(page_folio(page));
}

static void ckpt_batch_add(struct ckpt_pagebatch *b, struct page *page,
			   unsigned long addr)
{
	get_page(page);
	b->pages[b->nr] = page;
	b->rec.addrs[b->nr] = cpu_to_le64(addr);
	b->nr++;
}

#ifdef CONFIG_TRANSPARENT_HUGEPAGE
/* a huge page: its subpages go one by one; 0 if @pmd is not huge */
static int ckpt_pmd_huge(pmd_t *pmd, unsigned long addr, unsigned long end,
			 struct mm_walk *walk, bool *huge)
{
	struct ckpt_pagebatch *b = walk->private;
	struct vm_area_struct *vma = walk->vma;
	struct page *head;
	spinlock_t *ptl;	/* the page table lock */
	int ret = 0;

	ptl = pmd_trans_huge_lock(pmd, vma);
	*huge = ptl;
	if (!ptl)
		return 0;
	if (!pmd_present(*pmd)) {
		/* migrating: fault it in */
		spin_unlock(ptl);
		b->fault = addr;
		return 1;
	}
	head = vm_normal_page_pmd(vma, addr, *pmd);
	for (; head && addr < end; addr += PAGE_SIZE) {
		struct page *page;

		if (b->nr == CKPT_PAGES_BATCH) {
			ret = 1;
			b->next = addr;
			break;
		}
		page = head + ((addr & ~HPAGE_PMD_MASK) >> PAGE_SHIFT);
		if (ckpt_want_page(vma, page))
			ckpt_batch_add(b, page, addr);
	}
	spin_unlock(ptl);
	return ret;
}
#else
static int ckpt_pmd_huge(pmd_t *pmd, unsigned long addr, unsigned long end,
			 struct mm_walk *walk, bool *huge)
{
	*huge = false;
	return 0;
}
#endif

/* a full batch ends the walk; it goes on at b->next */
static int ckpt_pmd_entry(pmd_t *pmd, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	struct ckpt_pagebatch *b = walk->private;
	struct vm_area_struct *vma = walk->vma;
	pte_t *start_pte, *pte;
	spinlock_t *ptl;	/* the page table lock */
	bool huge;
	int ret;

	ret = ckpt_pmd_huge(pmd, addr, end, walk, &huge);
	if (huge)
		return ret;

	start_pte = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
	if (!start_pte) {
		walk->action = ACTION_AGAIN;
		return 0;
	}
	/* for sparse: the mapping is an RCU read-side section, see pte_unmap() */
	__acquire(RCU);
	for (pte = start_pte; addr < end; pte++, addr += PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);
		struct page *page;

		if (pte_none(ptent))
			continue;
		if (b->nr == CKPT_PAGES_BATCH) {
			ret = 1;
			break;
		}
		if (!pte_present(ptent)) {
			/* swapped out or migrating: fault it in */
			if (is_pte_marker(ptent))
				continue;
			b->fault = addr;
			ret = 1;
			break;
		}
		page = vm_normal_page(vma, addr, ptent);
		if (ckpt_want_page(vma, page))
			ckpt_batch_add(b, page, addr);
	}
	pte_unmap_unlock(start_pte, ptl);
	if (ret)
		b->next = addr;
	return ret;
}

static const struct mm_walk_ops ckpt_walk_ops = {
	.pmd_entry = ckpt_pmd_entry,
	.walk_lock = PGWALK_RDLOCK,
};

static int ckpt_fault_page(struct mm_struct *mm, struct ckpt_pagebatch *b)
{
	struct vm_area_struct *vma;
	struct page *page;
	long ret;

	ret = get_user_pages_remote(mm, b->fault, 1, FOLL_FORCE, &page, NULL);
	if (ret < 0)
		return ret;
	if (ret != 1)
		return -EFAULT;
	vma = vma_lookup(mm, b->fault);
	if (vma && ckpt_want_page(vma, page))
		ckpt_batch_add(b, page, b->fault);
	put_page(page);
	b->next = b->fault + PAGE_SIZE;
	return 0;
}

static int ckpt_write_batch(struct ckpt_ctx *ctx, struct ckpt_pagebatch *b)
{
	struct iov_iter iter;
	unsigned int i;
	int ret;

	for (i = 0; i < b->nr; i++)
		bvec_set_page(&b->bv[i], b->pages[i], PAGE_SIZE, 0);
	b->rec.h.nr_pages = cpu_to_le32(b->nr);
	iov_iter_bvec(&iter, ITER_SOURCE, b->bv, b->nr, b->nr * PAGE_SIZE);
	ret = ckpt_write_record_iter(ctx, CKPT_REC_PAGES, &b->rec,
				     sizeof(b->rec.h) + b->nr * sizeof(__le64),
				     &iter);
	for (i = 0; i < b->nr; i++)
		put_page(b->pages[i]);
	b->nr = 0;
	return ret;
}

/* save the populated private pages of [start, end), one VMA */
static int ckpt_dump_pages(struct ckpt_ctx *ctx, struct mm_struct *mm,
			   unsigned long start, unsigned long end)
{
	struct ckpt_pagebatch *b = ctx->pages;
	unsigned long addr = start;
	int ret = 0;

	while (addr < end && !ret) {
		ret = mmap_read_lock_killable(mm);
		if (ret)
			return ret;
		b->nr = 0;
		b->fault = 0;
		b->next = end;
		ret = walk_page_range(mm, addr, end, &ckpt_walk_ops, b);
		if (ret > 0)
			ret = b->fault ? ckpt_fault_page(mm, b) : 0;
		mmap_read_unlock(mm);
		if (b->nr) {
			int err = ckpt_write_batch(ctx, b);

			ret = ret ?: err;
		}
		if (b->next <= addr)
			return -EAGAIN;
		addr = b->next;
		cond_resched();
	}
	return ret;
}

static u32 ckpt_vma_flags(struct vm_area_struct *vma)
{
	static const struct {
		vm_flags_t vm;
		u32 ckpt;
	} map[] = {
		{ VM_GROWSDOWN, CKPT_VMA_GROWSDOWN },
		{ VM_LOCKED, CKPT_VMA_LOCKED },
		{ VM_DONTDUMP, CKPT_VMA_DONTDUMP },
		{ VM_DONTCOPY, CKPT_VMA_DONTFORK },
		{ VM_NORESERVE, CKPT_VMA_NORESERVE },
		{ VM_MAYWRITE, CKPT_VMA_MAYWRITE },
		{ VM_MAYEXEC, CKPT_VMA_MAYEXEC },
		{ VM_WIPEONFORK, CKPT_VMA_WIPEONFORK },
		{ VM_MAYSHARE, CKPT_VMA_SHARED },
	};
	u32 flags = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (vma->vm_flags & map[i].vm)
			flags |= map[i].ckpt;
	if (vma_is_initial_heap(vma))
		flags |= CKPT_VMA_HEAP;
	if (vma_is_initial_stack(vma))
		flags |= CKPT_VMA_STACK;
	return flags;
}

/* what kind of mapping @vma is, or a negative errno if it is refused */
static int ckpt_vma_type(struct ckpt_ctx *ctx, struct vm_area_struct *vma)
{
	const char *name = NULL;

	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (name && !strcmp(name, "[vdso]"))
		return CKPT_VMA_VDSO;
	if (name && !strcmp(name, "[vvar]"))
		return CKPT_VMA_VVAR;
	if (name || (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP |
				      VM_HUGETLB)))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_VMA, -1,
				vma->vm_start, "special mapping %s at %#lx",
				name ?: "", vma->vm_start);
	/* shared and writable: the memory is shared with others */
	if ((vma->vm_flags & VM_MAYSHARE) &&
	    (!vma->vm_file || (vma->vm_flags & VM_MAYWRITE)))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_VMA, -1,
				vma->vm_start, "shared mapping at %#lx",
				vma->vm_start);
	return vma->vm_file ? CKPT_VMA_FILE : CKPT_VMA_ANON;
}

/* save the VMA at or above *addr, then its pages; 1 when none is left */
static int ckpt_dump_vma(struct ckpt_ctx *ctx, struct mm_struct *mm,
			 unsigned long *addr)
{
	struct ckpt_rec_vma r = {};
	struct vm_area_struct *vma;
	struct file *file = NULL;
	unsigned long start, end;
	u32 path_len = 0;
	char *path = NULL;
	int type, ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	vma = find_vma(mm, *addr);
	if (!vma) {
		mmap_read_unlock(mm);
		return 1;
	}
	type = ckpt_vma_type(ctx, vma);
	if (type < 0) {
		mmap_read_unlock(mm);
		return type;
	}
	start = vma->vm_start;
	end = vma->vm_end;
	r.start = cpu_to_le64(start);
	r.end = cpu_to_le64(end);
	r.pgoff = cpu_to_le64(vma->vm_pgoff);
	r.type = cpu_to_le32(type);
	r.prot = cpu_to_le32(((vma->vm_flags & VM_READ) ? CKPT_PROT_READ : 0) |
			     ((vma->vm_flags & VM_WRITE) ? CKPT_PROT_WRITE : 0) |
			     ((vma->vm_flags & VM_EXEC) ? CKPT_PROT_EXEC : 0));
	r.flags = cpu_to_le32(ckpt_vma_flags(vma));
	if (type == CKPT_VMA_FILE)
		file = get_file(vma->vm_file);
	mmap_read_unlock(mm);

	if (file) {
		path = ckpt_path(ctx, &file->f_path, &path_len);
		ret = PTR_ERR_OR_ZERO(path);
		if (!ret && (path[0] != '/' ||
			     d_unlinked(file->f_path.dentry) ||
			     (file->f_path.mnt->mnt_flags & MNT_INTERNAL)))
			ret = -EOPNOTSUPP;
		if (ret) {
			fput(file);
			return ckpt_err(ctx, ret, CKPT_OBJ_VMA, -1, start,
					"mapping of a deleted or internal file at %#lx",
					start);
		}
		ckpt_fill_identity(file, &r.dev, &r.ino, &r.size,
				   &r.mtime_sec, &r.mtime_nsec);
		fput(file);
	}
	r.path_len = cpu_to_le32(path_len);
	ret = ckpt_write_record(ctx, CKPT_REC_VMA, &r, sizeof(r), path,
				path_len);
	if (!ret && (type == CKPT_VMA_ANON || type == CKPT_VMA_FILE))
		ret = ckpt_dump_pages(ctx, mm, start, end);
	*addr = end;
	return ret;
}

static int ckpt_dump_mm_struct(struct ckpt_ctx *ctx, struct mm_struct *mm,
			       u32 ref, u32 *nr_vmas)
{
	struct ckpt_rec_mm *r;
	struct file *exe;
	u32 exe_len = 0;
	char *path = NULL;
	int i, ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out;
	*nr_vmas = mm->map_count;
	r->objref = cpu_to_le32(ref);
	r->nr_vmas = cpu_to_le32(mm->map_count);
	r->start_code = cpu_to_le64(mm->start_code);
	r->end_code = cpu_to_le64(mm->end_code);
	r->start_data = cpu_to_le64(mm->start_data);
	r->end_data = cpu_to_le64(mm->end_data);
	r->start_brk = cpu_to_le64(mm->start_brk);
	r->brk = cpu_to_le64(mm->brk);
	r->start_stack = cpu_to_le64(mm->start_stack);
	r->mmap_base = cpu_to_le64(mm->mmap_base);
	r->def_flags = cpu_to_le64((mm->def_flags & VM_LOCKED) ?
				   CKPT_VMA_LOCKED : 0);
	spin_lock(&mm->arg_lock);
	r->arg_start = cpu_to_le64(mm->arg_start);
	r->arg_end = cpu_to_le64(mm->arg_end);
	r->env_start = cpu_to_le64(mm->env_start);
	r->env_end = cpu_to_le64(mm->env_end);
	spin_unlock(&mm->arg_lock);
	mmap_read_unlock(mm);

	BUILD_BUG_ON(AT_VECTOR_SIZE > CKPT_AUXV_WORDS);
	for (i = 0; i < AT_VECTOR_SIZE; i += 2) {
		r->auxv[i] = cpu_to_le64(mm->saved_auxv[i]);
		r->auxv[i + 1] = cpu_to_le64(mm->saved_auxv[i + 1]);
		if (mm->saved_auxv[i] == AT_NULL)
			break;
	}
	r->nr_auxv = cpu_to_le32(min(i + 2, AT_VECTOR_SIZE));

	exe = get_mm_exe_file(mm);
	if (exe) {
		path = ckpt_path(ctx, &exe->f_path, &exe_len);
		fput(exe);
		ret = PTR_ERR_OR_ZERO(path);
		if (ret)
			goto out;
	}
	r->exe_len = cpu_to_le32(exe_len);
	ret = ckpt_write_record(ctx, CKPT_REC_MM, r, sizeof(*r), path, exe_len);
out:
	kfree(r);
	return ret;
}

/**
 * ckpt_dump_mm - save the address space of @t
 * @ctx: checkpoint context
 * @t: the task
 * @ref: set to the object id of the mm
 */
int ckpt_dump_mm(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref)
{
	unsigned long addr = 0;
	struct mm_struct *mm;
	u32 nr_vmas, n = 0;
	int ret;

	mm = get_task_mm(t);
	if (!mm)
		return -ESRCH;
	ret = 0;
	*ref = ckpt_obj_lookup(ctx, mm);
	if (*ref)
		goto out;
	ret = -EOPNOTSUPP;
	if (atomic_read(&mm->mm_users) > 2) {
		ckpt_err(ctx, ret, CKPT_OBJ_MM, -1, 0,
			 "address space shared with another process");
		goto out;
	}
	ret = -ENOMEM;
	if (!ctx->pages)
		ctx->pages = kvmalloc(sizeof(*ctx->pages), GFP_KERNEL);
	if (!ctx->pages)
		goto out;
	ret = ckpt_obj_insert(ctx, mm, ref);
	if (!ret)
		ret = ckpt_dump_mm_struct(ctx, mm, *ref, &nr_vmas);
	while (!ret) {
		ret = ckpt_dump_vma(ctx, mm, &addr);
		if (!ret)
			n++;
	}
	if (ret == 1)
		ret = n == nr_vmas ? 0 :
		      ckpt_err(ctx, -EAGAIN, CKPT_OBJ_MM, -1, 0,
			       "the memory map changed during checkpoint");
out:
	mmput(mm);
	return ret;
}

void ckpt_mm_free(struct ckpt_ctx *ctx)
{
	kvfree(ctx->pages);
	ctx->pages = NULL;
	/* a batch the child could not wait for: the caller is done with it */
	while (ctx->ahead_nr)
		put_page(ctx->ahead->pages[--ctx->ahead_nr]);
	kvfree(ctx->ahead);
	ctx->ahead = NULL;
	kfree(ctx->helper);
	ctx->helper = NULL;
}

/* a file to map: a regular file, opened as the caller, without blocking */
static struct file *ckpt_open_mapped(const char *path)
{
	struct file *file = filp_open(path, O_RDONLY | O_NONBLOCK, 0);

	if (!IS_ERR(file) && !S_ISREG(file_inode(file)->i_mode)) {
		fput(file);
		return ERR_PTR(-EACCES);
	}
	return file;
}

/* the address checks of prctl(PR_SET_MM_MAP) */
static int ckpt_check_mm_addrs(const struct ckpt_rec_mm *r)
{
	const __le64 *addrs[] = {
		&r->start_code, &r->end_code, &r->start_data, &r->end_data,
		&r->start_brk, &r->brk, &r->start_stack, &r->arg_start,
		&r->arg_end, &r->env_start, &r->env_end,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		u64 val = le64_to_cpu(*addrs[i]);

		if (val >= TASK_SIZE || val < mmap_min_addr)
			return -EINVAL;
	}
	if (le64_to_cpu(r->start_code) >= le64_to_cpu(r->end_code) ||
	    le64_to_cpu(r->start_data) > le64_to_cpu(r->end_data) ||
	    le64_to_cpu(r->start_brk) > le64_to_cpu(r->brk) ||
	    le64_to_cpu(r->arg_start) > le64_to_cpu(r->arg_end) ||
	    le64_to_cpu(r->env_start) > le64_to_cpu(r->env_end))
		return -EINVAL;
	if (check_data_rlimit(rlimit(RLIMIT_DATA), le64_to_cpu(r->brk),
			      le64_to_cpu(r->start_brk),
			      le64_to_cpu(r->end_data),
			      le64_to_cpu(r->start_data)))
		return -EINVAL;
	return 0;
}

static int ckpt_check_auxv(const struct ckpt_rec_mm *r)
{
	u32 nr = le32_to_cpu(r->nr_auxv);

	if (nr < 2 || nr > AT_VECTOR_SIZE || nr % 2 ||
	    le64_to_cpu(r->auxv[nr - 2]) != AT_NULL)
		return -EINVAL;
	return 0;
}

/**
 * ckpt_restore_mm - empty the address space and set what the mm record says
 * @ctx: restart context
 * @h: the CKPT_REC_MM header
 *
 * The new task starts with a copy of the caller's address space; all of it
 * is unmapped before the saved VMAs are mapped again.
 */
int ckpt_restore_mm(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct mm_struct *mm = current->mm;
	struct ckpt_rst *rst = ctx->rst;
	struct ckpt_rec_mm *r;
	u32 exe_len, nr, i;
	int ret = -EINVAL;

	r = ckpt_read_payload(ctx, h, sizeof(*r), sizeof(*r) + PATH_MAX);
	if (IS_ERR(r))
		return PTR_ERR(r);
	exe_len = le32_to_cpu(r->exe_len);
	nr = le32_to_cpu(r->nr_vmas);
	if (h->len != sizeof(*r) + exe_len || !nr ||
	    nr > READ_ONCE(sysctl_max_map_count) ||
	    (le64_to_cpu(r->def_flags) & ~(u64)CKPT_VMA_LOCKED) ||
	    ckpt_check_mm_addrs(r) || ckpt_check_auxv(r) ||
	    (exe_len && (!ckpt_valid_str(r->exe, exe_len, PATH_MAX) ||
			 r->exe[0] != '/')))
		goto out;
	if (exe_len) {
		rst->exe = ckpt_open_mapped(r->exe);
		if (IS_ERR(rst->exe)) {
			ret = PTR_ERR(rst->exe);
			rst->exe = NULL;
			goto out;
		}
		/* an executable, as execve() and PR_SET_MM_EXE_FILE want */
		ret = path_noexec(&rst->exe->f_path) ? -EACCES :
		      file_permission(rst->exe, MAY_EXEC);
		if (ret)
			goto out;
	}

	ret = vm_munmap(0, TASK_SIZE);
	if (ret)
		goto out;
	ret = mmap_write_lock_killable(mm);
	if (ret)
		goto out;
	mm->context.vdso = NULL;
	mm->context.vdso_image = NULL;
	mm->def_flags &= ~VM_LOCKED;
	rst->mlock_future = le64_to_cpu(r->def_flags) & CKPT_VMA_LOCKED;
	mm->start_code = le64_to_cpu(r->start_code);
	mm->end_code = le64_to_cpu(r->end_code);
	mm->start_data = le64_to_cpu(r->start_data);
	mm->end_data = le64_to_cpu(r->end_data);
	mm->start_brk = le64_to_cpu(r->start_brk);
	mm->brk = le64_to_cpu(r->brk);
	mm->start_stack = le64_to_cpu(r->start_stack);
	spin_lock(&mm->arg_lock);
	mm->arg_start = le64_to_cpu(r->arg_start);
	mm->arg_end = le64_to_cpu(r->arg_end);
	mm->env_start = le64_to_cpu(r->env_start);
	mm->env_end = le64_to_cpu(r->env_end);
	spin_unlock(&mm->arg_lock);
	memset(mm->saved_auxv, 0, sizeof(mm->saved_auxv));
	for (i = 0; i < le32_to_cpu(r->nr_auxv); i++)
		mm->saved_auxv[i] = le64_to_cpu(r->auxv[i]);
	mmap_write_unlock(mm);

	rst->nr_vmas = nr;
	ret = ckpt_obj_add(ctx, le32_to_cpu(r->objref), CKPT_REC_MM, mm, NULL);
out:
	kvfree(r);
	return ret;
}

/* the mapped file must be the one that was mapped */
static int ckpt_check_identity(struct file *file, const struct ckpt_rec_vma *r)
{
	__le64 dev, ino, size, sec;
	__le32 nsec;

	ckpt_fill_identity(file, &dev, &ino, &size, &sec, &nsec);
	if (dev != r->dev || ino != r->ino || size != r->size ||
	    sec != r->mtime_sec || nsec != r->mtime_nsec)
		return -ESTALE;
	return 0;
}

static unsigned long ckpt_map_vma(const struct ckpt_rec_vma *r,
				  const char *path)
{
	u64 start = le64_to_cpu(r->start), end = le64_to_cpu(r->end);
	u32 prot = le32_to_cpu(r->prot), flags = le32_to_cpu(r->flags);
	unsigned long mflags = MAP_FIXED_NOREPLACE;
	struct file *file = NULL;
	unsigned long addr;
	int ret;

	mflags |= (flags & CKPT_VMA_SHARED) ? MAP_SHARED : MAP_PRIVATE;
	if (flags & CKPT_VMA_GROWSDOWN)
		mflags |= MAP_GROWSDOWN;
	/* mlock(2)'s checks (RLIMIT_MEMLOCK, CAP_IPC_LOCK) as the caller */
	if (flags & CKPT_VMA_LOCKED)
		mflags |= MAP_LOCKED;
	if (flags & CKPT_VMA_NORESERVE)
		mflags |= MAP_NORESERVE;
	if (le32_to_cpu(r->type) == CKPT_VMA_ANON) {
		mflags |= MAP_ANONYMOUS;
	} else {
		file = ckpt_open_mapped(path);
		if (IS_ERR(file))
			return PTR_ERR(file);
		ret = ckpt_check_identity(file, r);
		if (ret) {
			fput(file);
			return ret;
		}
	}
	addr = vm_mmap(file, start, end - start,
		       ((prot & CKPT_PROT_READ) ? PROT_READ : 0) |
		       ((prot & CKPT_PROT_WRITE) ? PROT_WRITE : 0) |
		       ((prot & CKPT_PROT_EXEC) ? PROT_EXEC : 0),
		       mflags, le64_to_cpu(r->pgoff) << PAGE_SHIFT);
	if (file)
		fput(file);
	if (!IS_ERR_VALUE(addr) && addr != start)
		return -EINVAL;
	return addr;
}

static int ckpt_vma_advice(const struct ckpt_rec_vma *r)
{
	static const struct {
		u32 flag;
		int advice;
	} map[] = {
		{ CKPT_VMA_DONTDUMP, MADV_DONTDUMP },
		{ CKPT_VMA_DONTFORK, MADV_DONTFORK },
		{ CKPT_VMA_WIPEONFORK, MADV_WIPEONFORK },
	};
	u64 start = le64_to_cpu(r->start), end = le64_to_cpu(r->end);
	u32 flags = le32_to_cpu(r->flags);
	int i, ret = 0;

	for (i = 0; i < ARRAY_SIZE(map) && !ret; i++)
		if (flags & map[i].flag)
			ret = do_madvise(current->mm, start, end - start,
					 map[i].advice);
	return ret;
}

/**
 * ckpt_restore_vma - map one VMA again where it was
 * @ctx: restart context
 * @h: the CKPT_REC_VMA header
 *
 * A private file mapping reopens its file by path as the caller; the file
 * must still be the one that was mapped (device, inode, size, mtime).
 */
int ckpt_restore_vma(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	const u32 known = CKPT_VMA_GROWSDOWN | CKPT_VMA_LOCKED |
			  CKPT_VMA_DONTDUMP | CKPT_VMA_DONTFORK |
			  CKPT_VMA_NORESERVE | CKPT_VMA_HEAP | CKPT_VMA_STACK |
			  CKPT_VMA_MAYWRITE | CKPT_VMA_MAYEXEC |
			  CKPT_VMA_WIPEONFORK | CKPT_VMA_SHARED;
	struct ckpt_rst *rst = ctx->rst;
	struct ckpt_rec_vma *r;
	u32 type, path_len;
	u64 start, end;
	long ret = -EINVAL;

	r = ckpt_read_payload(ctx, h, sizeof(*r), sizeof(*r) + PATH_MAX);
	if (IS_ERR(r))
		return PTR_ERR(r);
	start = le64_to_cpu(r->start);
	end = le64_to_cpu(r->end);
	type = le32_to_cpu(r->type);
	path_len = le32_to_cpu(r->path_len);
	if (!rst->nr_vmas || h->len != sizeof(*r) + path_len ||
	    !PAGE_ALIGNED(start) || !PAGE_ALIGNED(end) || start >= end ||
	    end > TASK_SIZE || start < rst->vma_end ||
	    (le32_to_cpu(r->prot) & ~(CKPT_PROT_READ | CKPT_PROT_WRITE |
				      CKPT_PROT_EXEC)) ||
	    (le32_to_cpu(r->flags) & ~known) ||
	    le64_to_cpu(r->pgoff) > (ULONG_MAX >> PAGE_SHIFT) ||
	    (type == CKPT_VMA_FILE ? !path_len : path_len) ||
	    ((le32_to_cpu(r->flags) & CKPT_VMA_SHARED) &&
	     (type != CKPT_VMA_FILE ||
	      (le32_to_cpu(r->prot) & CKPT_PROT_WRITE))) ||
	    (path_len && (!ckpt_valid_str(r->path, path_len, PATH_MAX) ||
			  r->path[0] != '/')))
		goto out;
	rst->nr_vmas--;

	switch (type) {
	case CKPT_VMA_ANON:
	case CKPT_VMA_FILE:
		ret = ckpt_map_vma(r, r->path);
		if (!IS_ERR_VALUE(ret))
			ret = ckpt_vma_advice(r);
		break;
	case CKPT_VMA_VVAR:
		ret = rst->vvar_start ? -EINVAL : 0;
		rst->vvar_start = start;
		rst->vvar_end = end;
		break;
	case CKPT_VMA_VDSO:
		ret = -EINVAL;
		if (rst->vvar_start)
			ret = ckpt_arch_map_vdso(rst->vvar_start, rst->vvar_end,
						 start, end);
		break;
	}
	/* the PAGES records that follow go into [vma_start, vma_end) */
	rst->vma_start = start;
	rst->page_next = start;
	rst->vma_end = end;
	rst->vma_pages = (type == CKPT_VMA_ANON || type == CKPT_VMA_FILE) &&
			 !(le32_to_cpu(r->flags) & CKPT_VMA_SHARED);
out:
	kvfree(r);
	return ret < 0 ? ret : 0;
}

/* the page tables down to the PTE table for @addr, allocated as needed */
static pmd_t *ckpt_pmd_alloc(struct mm_struct *mm, unsigned long addr)
{
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	p4d = p4d_alloc(mm, pgd_offset(mm, addr), addr);
	if (!p4d)
		return NULL;
	pud = pud_alloc(mm, p4d, addr);
	if (!pud)
		return NULL;
	pmd = pmd_alloc(mm, pud, addr);
	if (!pmd || pte_alloc(mm, pmd))
		return NULL;
	return pmd;
}

/* a VMA that takes private anonymous pages, as a write fault would add */
static bool ckpt_vma_takes_anon(struct vm_area_struct *vma)
{
	return !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE | VM_PFNMAP |
				  VM_MIXEDMAP | VM_IO | VM_HUGETLB));
}

/* @folio, new and filled, becomes the exclusive anonymous page at @addr */
static void ckpt_set_anon_pte(struct vm_area_struct *vma, unsigned long addr,
			      pte_t *pte, struct folio *folio)
{
	pte_t entry = pte_mkdirty(mk_pte(&folio->page, vma->vm_page_prot));

	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(entry, vma);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
	inc_mm_counter(vma->vm_mm, MM_ANONPAGES);
	set_pte_at(vma->vm_mm, addr, pte, entry);
	update_mmu_cache(vma, addr, pte);
}

/*
 * Map pages @i to @n - 1 of @b, which all fall into @vma and into the page
 * table of @pmd.  An entry that is not empty (someone touched the memory
 * meanwhile) or a page table that is not a plain one leaves its page in @b
 * for ckpt_copy_pages().
 */
static void ckpt_install_table(struct vm_area_struct *vma, pmd_t *pmd,
			       struct ckpt_pagebatch *b,
			       unsigned int i, unsigned int n)
{
	unsigned long start = le64_to_cpu(b->rec.addrs[i]);
	pte_t *start_pte;
	spinlock_t *ptl;	/* the page table lock */

	start_pte = pte_offset_map_lock(vma->vm_mm, pmd, start, &ptl);
	if (!start_pte)
		return;		/* a huge page now: copy */
	/* for sparse: the mapping is an RCU read-side section, see pte_unmap() */
	__acquire(RCU);
	for (; i < n; i++) {
		unsigned long addr = le64_to_cpu(b->rec.addrs[i]);
		pte_t *pte = start_pte + ((addr - start) >> PAGE_SHIFT);

		if (!pte_none(ptep_get(pte)))
			continue;
		ckpt_set_anon_pte(vma, addr, pte, page_folio(b->pages[i]));
		b->pages[i] = NULL;	/* the page table's now */
	}
	pte_unmap_unlock(start_pte, ptl);
}

/* a private file mapping has no page past the end of its file (SIGBUS) */
static bool ckpt_beyond_eof(struct vm_area_struct *vma, unsigned long addr)
{
	if (!vma->vm_file)
		return false;
	return linear_page_index(vma, addr) >=
	       DIV_ROUND_UP(i_size_read(file_inode(vma->vm_file)), PAGE_SIZE);
}

/*
 * Map the filled pages of @b at their addresses as the task's exclusive
 * anonymous pages, the way a write fault (or UFFDIO_COPY) adds one but
 * without a fault per page.  Each page that goes in is taken out of @b;
 * those of a mapping that cannot take them stay for ckpt_copy_pages().
 */
static int ckpt_install_pages(struct ckpt_pagebatch *b, unsigned int nr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma = NULL;
	unsigned int i, n;
	int ret = 0;

	mmap_read_lock(mm);
	/* what a fault checks: the OOM reaper may be tearing it down */
	if (test_bit(MMF_UNSTABLE, &mm->flags))
		ret = -EINTR;
	for (i = 0; i < nr && !ret; i = n) {
		unsigned long addr = le64_to_cpu(b->rec.addrs[i]), end;
		pmd_t *pmd;

		if (!vma || addr >= vma->vm_end) {
			vma = vma_lookup(mm, addr);
			if (!vma) {
				ret = -EFAULT;
				break;
			}
			if (ckpt_vma_takes_anon(vma))
				ret = anon_vma_prepare(vma);
		}
		/* the pages that share the page table (addresses ascend) */
		end = pmd_addr_end(addr, vma->vm_end);
		for (n = i + 1; n < nr; n++)
			if (le64_to_cpu(b->rec.addrs[n]) >= end)
				break;
		if (ret || !ckpt_vma_takes_anon(vma))
			continue;
		if (ckpt_beyond_eof(vma, le64_to_cpu(b->rec.addrs[n - 1]))) {
			ret = -EFAULT;
			break;
		}
		pmd = ckpt_pmd_alloc(mm, addr);
		if (!pmd) {
			ret = -ENOMEM;
			break;
		}
		ckpt_install_table(vma, pmd, b, i, n);
	}
	mmap_read_unlock(mm);
	return ret;
}

/* what ckpt_install_pages() left: copied into the task's own pages */
static int ckpt_copy_pages(struct ckpt_pagebatch *b, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		struct page *page;
		long got;

		if (!b->pages[i])
			continue;
		got = get_user_pages_unlocked(le64_to_cpu(b->rec.addrs[i]), 1,
					      &page, FOLL_WRITE | FOLL_FORCE);
		if (got != 1)
			return got < 0 ? got : -EFAULT;
		copy_highpage(page, b->pages[i]);
		set_page_dirty_lock(page);
		put_page(page);
	}
	return 0;
}

/* new pages for a batch of @nr, charged to the task; not zeroed */
static int ckpt_alloc_pages(struct ckpt_pagebatch *b, unsigned int nr)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);

		if (!folio) {
			ret = -ENOMEM;
			break;
		}
		ret = mem_cgroup_charge(folio, current->mm, GFP_KERNEL);
		if (ret) {
			folio_put(folio);
			break;
		}
		b->pages[i] = &folio->page;
		bvec_set_page(&b->bv[i], &folio->page, PAGE_SIZE, 0);
	}
	if (ret)
		while (i--)
			put_page(b->pages[i]);
	return ret;
}

/*
 * Give the pages of @b, filled by a read that returned @ret, to the task's
 * page tables; they are mapped only once the read has filled them.  Drop
 * what is left.
 */
static int ckpt_place_pages(struct ckpt_pagebatch *b, unsigned int nr,
			    int ret)
{
	unsigned int i;

	if (!ret && fatal_signal_pending(current))
		ret = -EINTR;
	if (!ret) {
		for (i = 0; i < nr; i++)
			__folio_mark_uptodate(page_folio(b->pages[i]));
		ret = ckpt_install_pages(b, nr);
	}
	if (!ret)
		ret = ckpt_copy_pages(b, nr);
	for (i = 0; i < nr; i++)
		if (b->pages[i])
			put_page(b->pages[i]);
	return ret;
}

/*
 * The caller of restart() waits while its child restores.  When the image
 * is a regular file, it reads every other batch of pages meanwhile, at the
 * batch's position, so that two CPUs copy.  The child hands it one batch
 * at a time (ctx->ahead), reads the next itself, and maps both.  A batch
 * the caller has not taken yet, the child takes back.
 */
enum ckpt_help_state {
	CKPT_HELP_IDLE,		/* no batch handed over */
	CKPT_HELP_QUEUED,	/* handed over, not taken yet */
	CKPT_HELP_TAKEN,	/* the caller is reading it */
	CKPT_HELP_DONE,		/* read, with result @ret */
};

struct ckpt_helper {
	spinlock_t lock;	/* @state, @closed, @finished */
	wait_queue_head_t wait;	/* the caller waits here */
	struct completion done;	/* a taken batch was read */
	enum ckpt_help_state state;
	bool closed;		/* the caller stopped helping */
	bool finished;		/* the child needs no more help */
	struct bio_vec *bv;	/* the batch: its pages, */
	unsigned int nr;	/* how many, */
	loff_t pos;		/* where in the image */
	int ret;		/* and how reading it went */
};

/**
 * ckpt_restore_helper_init - let the caller of restart() read pages too
 * @ctx: restart context
 *
 * Only for an image that can be read at two positions at once.
 */
int ckpt_restore_helper_init(struct ckpt_ctx *ctx)
{
	struct ckpt_helper *h;

	if (!ctx->ppos || !S_ISREG(file_inode(ctx->file)->i_mode))
		return 0;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	spin_lock_init(&h->lock);
	init_waitqueue_head(&h->wait);
	init_completion(&h->done);
	ctx->helper = h;
	return 0;
}

/* the caller takes a batch handed over, if any */
static bool ckpt_helper_take(struct ckpt_helper *h, bool *finished)
{
	bool taken;

	spin_lock(&h->lock);
	taken = h->state == CKPT_HELP_QUEUED;
	if (taken)
		h->state = CKPT_HELP_TAKEN;
	*finished = h->finished;
	spin_unlock(&h->lock);
	return taken;
}

/**
 * ckpt_restore_help - in the caller of restart(): read what the child hands
 * @ctx: restart context
 *
 * Return: 0 once the child needs no more help, -EINTR for a fatal signal
 */
int ckpt_restore_help(struct ckpt_ctx *ctx)
{
	struct ckpt_helper *h = ctx->helper;
	struct iov_iter iter;
	bool finished;
	loff_t pos;

	if (!h)
		return 0;
	for (;;) {
		if (wait_event_killable(h->wait,
					READ_ONCE(h->state) == CKPT_HELP_QUEUED ||
					READ_ONCE(h->finished))) {
			spin_lock(&h->lock);
			h->closed = true;
			spin_unlock(&h->lock);
			return -EINTR;
		}
		if (!ckpt_helper_take(h, &finished)) {
			if (finished)
				return 0;
			continue;
		}
		pos = h->pos;
		iov_iter_bvec(&iter, ITER_DEST, h->bv, h->nr, h->nr * PAGE_SIZE);
		h->ret = ckpt_read_at(ctx->file, &iter, &pos);
		spin_lock(&h->lock);
		h->state = CKPT_HELP_DONE;
		spin_unlock(&h->lock);
		complete(&h->done);
	}
}

/* in the child: hand the @nr pages of @b to the caller, if it helps */
static bool ckpt_helper_give(struct ckpt_ctx *ctx, struct ckpt_pagebatch *b,
			     unsigned int nr)
{
	struct ckpt_helper *h = ctx->helper;
	bool given;

	spin_lock(&h->lock);
	given = h->state == CKPT_HELP_IDLE && !h->closed && !h->finished;
	if (given) {
		h->state = CKPT_HELP_QUEUED;
		h->bv = b->bv;
		h->nr = nr;
		h->pos = *ctx->ppos;
		h->ret = 0;
		reinit_completion(&h->done);
	}
	spin_unlock(&h->lock);
	if (given)
		wake_up(&h->wait);
	return given;
}

/*
 * In the child: the result of the batch handed over; read it ourselves if
 * the caller has not taken it (or drop it: @discard).  While the caller
 * reads into its pages, they stay: if a fatal signal ends the wait, *@busy
 * says so and ckpt_mm_free() drops them once the caller is done.
 */
static int ckpt_helper_collect(struct ckpt_ctx *ctx, bool discard,
			       bool *busy)
{
	struct ckpt_helper *h = ctx->helper;
	enum ckpt_help_state state;
	struct iov_iter iter;
	loff_t pos;
	int ret;

	spin_lock(&h->lock);
	state = h->state;
	if (state == CKPT_HELP_QUEUED)
		h->state = CKPT_HELP_IDLE;
	spin_unlock(&h->lock);
	if (state == CKPT_HELP_QUEUED) {
		if (discard)
			return -ECANCELED;
		pos = h->pos;
		iov_iter_bvec(&iter, ITER_DEST, h->bv, h->nr, h->nr * PAGE_SIZE);
		return ckpt_read_at(ctx->file, &iter, &pos);
	}
	if (wait_for_completion_killable(&h->done)) {
		*busy = true;
		return -EINTR;
	}
	ret = h->ret;
	spin_lock(&h->lock);
	h->state = CKPT_HELP_IDLE;
	spin_unlock(&h->lock);
	return ret;
}

/* map the batch the caller read, or drop it if restart failed (@err) */
static int ckpt_pages_flush(struct ckpt_ctx *ctx, int err)
{
	unsigned int nr = ctx->ahead_nr;
	bool busy = false;
	int ret;

	if (!nr)
		return 0;
	ret = ckpt_helper_collect(ctx, err != 0, &busy);
	if (busy)
		return ret;
	ctx->ahead_nr = 0;
	return ckpt_place_pages(ctx->ahead, nr, err ?: ret);
}

/**
 * ckpt_restore_pages_flush - map the batch the caller of restart() read
 * @ctx: restart context
 *
 * Called before any record other than PAGES.
 */
int ckpt_restore_pages_flush(struct ckpt_ctx *ctx)
{
	return ckpt_pages_flush(ctx, 0);
}

/**
 * ckpt_restore_pages_done - the child needs no more help with pages
 * @ctx: restart context
 * @err: how restoring the records went; if it failed, a batch read
 *	meanwhile is dropped, not mapped
 *
 * Return: the result of the last batch the caller read
 */
int ckpt_restore_pages_done(struct ckpt_ctx *ctx, int err)
{
	struct ckpt_helper *h = ctx->helper;
	int ret = ckpt_pages_flush(ctx, err);

	if (h) {
		spin_lock(&h->lock);
		h->finished = true;
		spin_unlock(&h->lock);
		wake_up(&h->wait);
	}
	return ret;
}

/*
 * Read the @nr pages of @b from the image into new pages charged to the
 * task, then map them: the caller of restart() reads every other batch.
 */
static int ckpt_fill_pages(struct ckpt_ctx *ctx, struct ckpt_pagebatch *b,
			   unsigned int nr)
{
	struct iov_iter iter;
	int ret;

	ret = ckpt_alloc_pages(b, nr);
	if (ret)
		return ret;
	if (ctx->helper && !ctx->ahead_nr && ckpt_helper_give(ctx, b, nr)) {
		/* the next batch goes into the other buffer */
		ctx->pages = ctx->ahead;
		ctx->ahead = b;
		ctx->ahead_nr = nr;
		*ctx->ppos += nr * PAGE_SIZE;
		ctx->bytes += nr * PAGE_SIZE;
		return 0;
	}
	iov_iter_bvec(&iter, ITER_DEST, b->bv, nr, nr * PAGE_SIZE);
	ret = ckpt_place_pages(b, nr, ckpt_read_iter(ctx, &iter));
	return ckpt_restore_pages_flush(ctx) ?: ret;
}

/**
 * ckpt_restore_pages - put saved pages back into the VMA they came from
 * @ctx: restart context
 * @h: the CKPT_REC_PAGES header
 *
 * A batch takes one read, straight from the image into the pages that the
 * task gets.
 */
int ckpt_restore_pages(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct ckpt_rst *rst = ctx->rst;
	struct ckpt_pagebatch *b;
	u32 nr, i;
	int ret;

	if (!rst->vma_pages || h->len < sizeof(b->rec.h) + sizeof(u64))
		return -EINVAL;
	if (!ctx->pages)
		ctx->pages = kvmalloc(sizeof(*ctx->pages), GFP_KERNEL);
	if (ctx->helper && !ctx->ahead)
		ctx->ahead = kvmalloc(sizeof(*ctx->ahead), GFP_KERNEL);
	b = ctx->pages;
	if (!b || (ctx->helper && !ctx->ahead))
		return -ENOMEM;
	ret = ckpt_read(ctx, &b->rec.h.nr_pages, sizeof(b->rec.h) - sizeof(*h));
	if (ret)
		return ret;
	nr = le32_to_cpu(b->rec.h.nr_pages);
	if (!nr || nr > CKPT_PAGES_BATCH ||
	    h->len != sizeof(b->rec.h) + nr * (sizeof(u64) + PAGE_SIZE))
		return -EINVAL;
	ret = ckpt_read(ctx, b->rec.addrs, nr * sizeof(u64));
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		u64 addr = le64_to_cpu(b->rec.addrs[i]);

		if (!PAGE_ALIGNED(addr) || addr < rst->page_next ||
		    addr >= rst->vma_end)
			return -EINVAL;
		rst->page_next = addr + PAGE_SIZE;
	}
	return ckpt_fill_pages(ctx, b, nr);
}

/* the address space is complete: name its executable */
int ckpt_restore_mm_done(struct ckpt_ctx *ctx)
{
	struct ckpt_rst *rst = ctx->rst;
	struct mm_struct *mm = current->mm;
	int ret = 0;

	/* mlockall(MCL_FUTURE), with its check, from now on */
	if (rst->mlock_future) {
		if (!can_do_mlock())
			return -EPERM;
		ret = mmap_write_lock_killable(mm);
		if (ret)
			return ret;
		mm->def_flags |= VM_LOCKED;
		mmap_write_unlock(mm);
	}
	if (!rst->exe)
		return 0;
	ret = set_mm_exe_file(mm, rst->exe);
	fput(rst->exe);
	rst->exe = NULL;
	return ret;
}
