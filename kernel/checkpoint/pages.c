// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the contents of private memory (CKPT_REC_PAGES).
 *
 * Checkpoint finds the populated pages of a VMA by walking its page
 * tables, so pages never touched cost nothing, and writes them in batches
 * of up to CKPT_PAGES_BATCH straight from the task's page frames: the
 * mmap lock is held to collect a batch (with a reference on each page),
 * never while writing it.
 *
 * Restart reads each batch in one read straight into new folios charged to
 * the task, and maps them with install_new_anon_folios(), without a fault
 * or a zeroing per page.  When the image is a regular file, the read of a
 * batch runs on another CPU (ckpt_read_async()) while the next record is
 * parsed and the previous batch is mapped; two batches are in flight at
 * most.  A page whose entry is no longer empty (a locked mapping that was
 * populated, a huge page) is copied in through the fault path instead.
 */

#include <linux/bvec.h>
#include <linux/checkpoint.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/pagewalk.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/uio.h>

#include "internal.h"

/* checkpoint: one batch of pages going to the image */
struct ckpt_pagebuf {
	unsigned int nr;
	unsigned long next;	/* where the walk stopped */
	unsigned long fault;	/* a page to fault in first, or 0 */
	const struct ckpt_anon_keep *keep; /* only these and block headers */
	unsigned long block_end; /* the end of the last block header seen */
	struct page *pages[CKPT_PAGES_BATCH];
	struct bio_vec bv[CKPT_PAGES_BATCH];
	struct {
		struct ckpt_rec_pages h;
		__le64 addrs[CKPT_PAGES_BATCH];
	} rec;
};

/* restart: one batch of pages coming from the image */
struct ckpt_rbatch {
	unsigned int nr;
	bool async;		/* @ar is queued */
	int ret;		/* result of a read done in place */
	unsigned long addrs[CKPT_PAGES_BATCH];
	struct folio *folios[CKPT_PAGES_BATCH];
	struct bio_vec bv[CKPT_PAGES_BATCH];
	struct ckpt_aread ar;
};

/* the memory code's state in a context */
struct ckpt_pages {
	struct ckpt_pagebuf *w;
	struct ckpt_rbatch *r[2];
	int pending;		/* index in @r of the batch to map next, or -1 */
};

static struct ckpt_pages *ckpt_pages(struct ckpt_ctx *ctx)
{
	struct ckpt_pages *p = ctx->mm;

	if (!p) {
		p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
		if (p)
			p->pending = -1;
		ctx->mm = p;
	}
	return p;
}

/*
 * Whether the page at @addr starts with the header that glibc's malloc
 * writes at the start of a block it maps for itself: a zero prev_size,
 * then the block's size, a multiple of the page size that fits in the
 * mapping, with the IS_MMAPPED bit (0x2) alone.  cr.exclude's anon bit
 * keeps such a page so that free() and realloc() of the block still work
 * after restart (mappings merge, so a block may start anywhere in a VMA).
 * The pages inside a block found so are not read: the next block can only
 * start at its end, which *@end is set to.
 */
static bool ckpt_block_header(struct vm_area_struct *vma, struct page *page,
			      unsigned long addr, unsigned long *end)
{
	u64 *p = kmap_local_page(page);
	u64 prev_size = p[0], size = p[1];

	kunmap_local(p);
	if (prev_size || (size & ~PAGE_MASK) != 2 || size <= PAGE_SIZE ||
	    size - 2 > vma->vm_end - addr)
		return false;
	*end = addr + size - 2;
	return true;
}

/* the private copy of a page is what the image needs */
static bool ckpt_want_page(struct ckpt_pagebuf *b, struct vm_area_struct *vma,
			   struct page *page, unsigned long addr)
{
	unsigned int i;

	if (!page || is_zero_page(page))
		return false;
	if (vma->vm_file && !folio_test_anon(page_folio(page)))
		return false;
	if (!b->keep)
		return true;
	for (i = 0; i < b->keep->nr; i++)
		if (addr >= b->keep->r[i].start && addr < b->keep->r[i].end)
			return true;
	if (addr < b->block_end)
		return false;	/* inside a block: no header there */
	return ckpt_block_header(vma, page, addr, &b->block_end);
}

/**
 * ckpt_pagebuf_add - add a page to the batch that goes to the image next
 * @b: the batch, not full
 * @page: the page; the batch takes a reference
 * @addr: its address (or its offset in a CKPT_REC_SHMEM object)
 */
void ckpt_pagebuf_add(struct ckpt_pagebuf *b, struct page *page, u64 addr)
{
	get_page(page);
	b->pages[b->nr] = page;
	b->rec.addrs[b->nr] = cpu_to_le64(addr);
	b->nr++;
}

/**
 * ckpt_pagebuf_full - whether a batch takes no more page
 * @b: the batch
 */
bool ckpt_pagebuf_full(const struct ckpt_pagebuf *b)
{
	return b->nr == CKPT_PAGES_BATCH;
}

/**
 * ckpt_pagebuf - the batch of the context, empty
 * @ctx: checkpoint context
 *
 * Return: the batch, or NULL for lack of memory
 */
struct ckpt_pagebuf *ckpt_pagebuf(struct ckpt_ctx *ctx)
{
	struct ckpt_pages *p = ckpt_pages(ctx);

	if (p && !p->w)
		p->w = kvzalloc(sizeof(*p->w), GFP_KERNEL_ACCOUNT);
	if (!p || !p->w)
		return NULL;
	p->w->nr = 0;
	p->w->keep = NULL;
	return p->w;
}

/**
 * ckpt_pagebuf_drop - drop the pages of a batch without writing them
 * @b: the batch
 */
void ckpt_pagebuf_drop(struct ckpt_pagebuf *b)
{
	while (b->nr)
		put_page(b->pages[--b->nr]);
}

#ifdef CONFIG_TRANSPARENT_HUGEPAGE
/* a huge page: its subpages go one by one; 0 if @pmd is not huge */
static int ckpt_pmd_huge(pmd_t *pmd, unsigned long addr, unsigned long end,
			 struct mm_walk *walk, bool *huge)
{
	struct ckpt_pagebuf *b = walk->private;
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
		if (ckpt_want_page(b, vma, page, addr))
			ckpt_pagebuf_add(b, page, addr);
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

/* whether [@start, @end) holds a page of a range to keep */
static bool ckpt_keep_overlaps(const struct ckpt_anon_keep *keep,
			       unsigned long start, unsigned long end)
{
	unsigned int i;

	for (i = 0; i < keep->nr; i++)
		if (start < keep->r[i].end && keep->r[i].start < end)
			return true;
	return false;
}

/* a full batch ends the walk; it goes on at b->next */
static int ckpt_pmd_entry(pmd_t *pmd, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	struct ckpt_pagebuf *b = walk->private;
	struct vm_area_struct *vma = walk->vma;
	pte_t *start_pte, *pte;
	spinlock_t *ptl;	/* the page table lock */
	bool huge;
	int ret;

	/* inside a block malloc mapped, with nothing to keep: no page wanted */
	if (b->keep && end <= b->block_end &&
	    !ckpt_keep_overlaps(b->keep, addr, end))
		return 0;
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
		if (ckpt_want_page(b, vma, page, addr))
			ckpt_pagebuf_add(b, page, addr);
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

static int ckpt_fault_page(struct mm_struct *mm, struct ckpt_pagebuf *b)
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
	if (vma && ckpt_want_page(b, vma, page, b->fault))
		ckpt_pagebuf_add(b, page, b->fault);
	put_page(page);
	b->next = b->fault + PAGE_SIZE;
	return 0;
}

/**
 * ckpt_pagebuf_write - write a batch as a CKPT_REC_PAGES record, empty it
 * @ctx: checkpoint context
 * @b: the batch; nothing is written if it is empty
 *
 * The pages go to the image straight from their frames.
 */
int ckpt_pagebuf_write(struct ckpt_ctx *ctx, struct ckpt_pagebuf *b)
{
	struct iov_iter iter;
	unsigned int i;
	int ret;

	if (!b->nr)
		return 0;
	for (i = 0; i < b->nr; i++)
		bvec_set_page(&b->bv[i], b->pages[i], PAGE_SIZE, 0);
	b->rec.h.nr_pages = cpu_to_le32(b->nr);
	b->rec.h.__pad = 0;
	iov_iter_bvec(&iter, ITER_SOURCE, b->bv, b->nr, b->nr * PAGE_SIZE);
	ret = ckpt_write_record_iter(ctx, CKPT_REC_PAGES, &b->rec,
				     sizeof(b->rec.h) + b->nr * sizeof(__le64),
				     &iter);
	for (i = 0; i < b->nr; i++)
		put_page(b->pages[i]);
	b->nr = 0;
	return ret;
}

/**
 * ckpt_dump_pages - save the populated private pages of one VMA
 * @ctx: checkpoint context
 * @mm: its mm
 * @start: the VMA's start
 * @end: its end
 * @keep: NULL, or the VMA's contents are left out but for the pages in
 *	  these ranges and those that start a block malloc mapped
 */
int ckpt_dump_pages(struct ckpt_ctx *ctx, struct mm_struct *mm,
		    unsigned long start, unsigned long end,
		    const struct ckpt_anon_keep *keep)
{
	struct ckpt_pagebuf *b = ckpt_pagebuf(ctx);
	unsigned long addr = start;
	int ret = 0;

	if (!b)
		return -ENOMEM;
	b->keep = keep;
	b->block_end = 0;
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
			int err = ckpt_pagebuf_write(ctx, b);

			ret = ret ?: err;
		}
		if (b->next <= addr)
			return -EAGAIN;
		addr = b->next;
		cond_resched();
	}
	return ret;
}

static void ckpt_rbatch_drop(struct ckpt_rbatch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		if (b->folios[i])
			folio_put(b->folios[i]);
	b->nr = 0;
}

/* new folios for a batch, charged to the task; not zeroed */
static int ckpt_rbatch_alloc(struct ckpt_rbatch *b, unsigned int nr)
{
	unsigned int i;

	for (b->nr = 0; b->nr < nr; b->nr++) {
		struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);

		if (!folio) {
			ckpt_rbatch_drop(b);
			return -ENOMEM;
		}
		if (mem_cgroup_charge(folio, current->mm, GFP_KERNEL)) {
			folio_put(folio);
			ckpt_rbatch_drop(b);
			return -ENOMEM;
		}
		b->folios[b->nr] = folio;
	}
	for (i = 0; i < nr; i++)
		bvec_set_folio(&b->bv[i], b->folios[i], PAGE_SIZE, 0);
	return 0;
}

/* what install_new_anon_folios() left: copied in through the fault path */
static int ckpt_copy_pages(struct ckpt_rbatch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++) {
		struct page *page;
		long got;

		if (!b->folios[i])
			continue;
		got = get_user_pages_unlocked(b->addrs[i], 1, &page, FOLL_WRITE);
		if (got != 1)
			return got < 0 ? got : -EFAULT;
		copy_highpage(page, folio_page(b->folios[i], 0));
		set_page_dirty_lock(page);
		put_page(page);
	}
	return 0;
}

/* wait for a batch's contents, then map it */
static int ckpt_rbatch_place(struct ckpt_rbatch *b)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int ret = b->async ? ckpt_read_async_wait(&b->ar) : b->ret;

	b->async = false;
	if (!ret && fatal_signal_pending(current))
		ret = -EINTR;
	if (!ret) {
		mmap_read_lock(mm);
		vma = vma_lookup(mm, b->addrs[0]);
		ret = vma ? install_new_anon_folios(vma, b->addrs, b->folios,
						    b->nr) : -EFAULT;
		mmap_read_unlock(mm);
	}
	if (!ret)
		ret = ckpt_copy_pages(b);
	ckpt_rbatch_drop(b);
	return ret;
}

/**
 * ckpt_pages_flush - map the batch that is still being read, if any
 * @ctx: restart context
 *
 * Return: 0 or the error of reading or mapping it
 */
int ckpt_pages_flush(struct ckpt_ctx *ctx)
{
	struct ckpt_pages *p = ctx->mm;
	int i;

	if (!p || p->pending < 0)
		return 0;
	i = p->pending;
	p->pending = -1;
	return ckpt_rbatch_place(p->r[i]);
}

/* the addresses of a batch: ascending pages of [start, end) from *next */
static int ckpt_rbatch_addrs(struct ckpt_rbatch *b, const __le64 *addrs,
			     unsigned int nr, unsigned long end,
			     unsigned long *next)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		u64 addr = le64_to_cpu(addrs[i]);

		if (!PAGE_ALIGNED(addr) || addr < *next || addr >= end)
			return -EINVAL;
		b->addrs[i] = addr;
		*next = addr + PAGE_SIZE;
	}
	return 0;
}

/**
 * ckpt_restore_pages - put one batch of saved pages back
 * @ctx: restart context
 * @h: the CKPT_REC_PAGES header, whose payload follows
 * @start: the VMA's start, for the checks
 * @end: its end
 * @next: lowest address the batch may hold; advanced past it
 *
 * The batch is read (on another CPU when possible) and mapped once the
 * next batch has been started, or by ckpt_pages_flush().
 */
int ckpt_restore_pages(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h,
		       unsigned long start, unsigned long end,
		       unsigned long *next)
{
	struct ckpt_pages *p = ckpt_pages(ctx);
	struct ckpt_rec_pages rec;
	__le64 *addrs = NULL;
	struct ckpt_rbatch *b;
	unsigned int nr;
	int i, ret;

	if (!p)
		return -ENOMEM;
	i = p->pending == 0 ? 1 : 0;
	if (!p->r[i])
		p->r[i] = kvzalloc(sizeof(*p->r[i]), GFP_KERNEL_ACCOUNT);
	b = p->r[i];
	if (!b)
		return -ENOMEM;
	ret = ckpt_read(ctx, &rec.nr_pages, sizeof(rec) - sizeof(rec.h));
	if (ret)
		return ret;
	nr = le32_to_cpu(rec.nr_pages);
	if (!nr || nr > CKPT_PAGES_BATCH || rec.__pad ||
	    h->len != sizeof(rec) + nr * (sizeof(u64) + PAGE_SIZE))
		return -EINVAL;
	addrs = kmalloc_array(nr, sizeof(*addrs), GFP_KERNEL);
	if (!addrs)
		return -ENOMEM;
	ret = ckpt_read(ctx, addrs, nr * sizeof(*addrs));
	if (!ret)
		ret = ckpt_rbatch_addrs(b, addrs, nr, end, next);
	kfree(addrs);
	if (!ret)
		ret = ckpt_rbatch_alloc(b, nr);
	if (ret)
		return ret;
	b->async = ckpt_read_async(ctx, &b->ar, b->bv, nr, nr * PAGE_SIZE);
	if (!b->async) {
		struct iov_iter iter;

		iov_iter_bvec(&iter, ITER_DEST, b->bv, nr, nr * PAGE_SIZE);
		b->ret = ckpt_read_iter(ctx, &iter);
	}
	/* map the batch before this one while this one is read */
	ret = ckpt_pages_flush(ctx);
	p->pending = i;
	return ret;
}

/**
 * ckpt_pages_free - drop the batches of the context
 * @ctx: checkpoint or restart context
 *
 * A batch still being read is waited for first.
 */
void ckpt_pages_free(struct ckpt_ctx *ctx)
{
	struct ckpt_pages *p = ctx->mm;
	int i;

	if (!p)
		return;
	for (i = 0; i < ARRAY_SIZE(p->r); i++) {
		if (!p->r[i])
			continue;
		if (p->r[i]->async)
			ckpt_read_async_wait(&p->r[i]->ar);
		ckpt_rbatch_drop(p->r[i]);
		kvfree(p->r[i]);
	}
	kvfree(p->w);
	kfree(p);
	ctx->mm = NULL;
}
