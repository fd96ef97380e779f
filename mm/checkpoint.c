// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: filling an address space from an image.
 *
 * restart(2) reads the saved contents of a task's private memory straight
 * into new folios and maps them where they were, as the write faults that
 * first populated them did (and as UFFDIO_COPY maps a page), but without a
 * fault and without zeroing each page first.
 */

#include <linux/checkpoint.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/oom.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/swap.h>

#include "internal.h"

/* a VMA that takes private anonymous pages where a write fault would */
static bool ckpt_vma_takes_anon(struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) &&
	       !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE | VM_PFNMAP |
				  VM_MIXEDMAP | VM_IO | VM_HUGETLB));
}

/* a private file mapping has no page past the end of its file (SIGBUS) */
static bool ckpt_beyond_eof(struct vm_area_struct *vma, unsigned long addr)
{
	if (!vma->vm_file)
		return false;
	return linear_page_index(vma, addr) >=
	       DIV_ROUND_UP(i_size_read(file_inode(vma->vm_file)), PAGE_SIZE);
}

/* the page table for @addr, allocated as a fault would */
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

/* map @folios[0..n) into the one page table of @pmd */
static int ckpt_install_table(struct vm_area_struct *vma, pmd_t *pmd,
			      const unsigned long *addrs,
			      struct folio **folios, unsigned int n)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *start_pte;
	spinlock_t *ptl;	/* the page table lock */
	unsigned int i;
	int ret = 0;

	start_pte = pte_offset_map_lock(mm, pmd, addrs[0], &ptl);
	if (!start_pte)
		return 0;	/* a huge page now: the caller copies */
	/* for sparse: the mapping is an RCU read-side section, see pte_unmap() */
	__acquire(RCU);
	/* what a fault checks: the OOM reaper may be tearing it down */
	if (check_stable_address_space(mm)) {
		ret = -EINTR;
		goto out;
	}
	for (i = 0; i < n; i++) {
		pte_t *pte = start_pte + ((addrs[i] - addrs[0]) >> PAGE_SHIFT);
		struct folio *folio = folios[i];
		pte_t entry;

		if (!folio || !pte_none(ptep_get(pte)))
			continue;
		flush_dcache_folio(folio);
		__folio_mark_uptodate(folio);
		entry = mk_pte(&folio->page, vma->vm_page_prot);
		entry = pte_sw_mkyoung(entry);
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
		folio_add_new_anon_rmap(folio, vma, addrs[i], RMAP_EXCLUSIVE);
		folio_add_lru_vma(folio, vma);
		inc_mm_counter(mm, MM_ANONPAGES);
		set_pte_at(mm, addrs[i], pte, entry);
		update_mmu_cache(vma, addrs[i], pte);
		folios[i] = NULL;	/* the page table's now */
	}
out:
	pte_unmap_unlock(start_pte, ptl);
	return ret;
}

/**
 * install_new_anon_folios - map new folios as private anonymous memory
 * @vma: a writable private VMA of an mm whose mmap_lock is held
 * @addrs: page addresses in @vma, ascending
 * @folios: order-0 folios, new and filled, charged to the mm's memory
 *	    cgroup; each one mapped is taken (its slot becomes NULL)
 * @nr: how many
 *
 * Each folio becomes the exclusive anonymous page at its address, as a
 * write fault on a missing page adds one.  Addresses whose page table
 * entry is not empty (the memory was touched meanwhile, or is a huge page)
 * keep their folio, for the caller to copy through the fault path.
 *
 * Return: 0; -EFAULT if @vma cannot take anonymous pages or an address is
 * past the end of the file of a private file mapping (a fault would give
 * SIGBUS); -ENOMEM; -EINTR if the OOM reaper is tearing the mm down
 */
int install_new_anon_folios(struct vm_area_struct *vma,
			    const unsigned long *addrs, struct folio **folios,
			    unsigned int nr)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned int i, n;
	int ret;

	mmap_assert_locked(mm);
	if (!nr)
		return 0;
	if (!ckpt_vma_takes_anon(vma) || addrs[0] < vma->vm_start ||
	    addrs[nr - 1] >= vma->vm_end || ckpt_beyond_eof(vma, addrs[nr - 1]))
		return -EFAULT;
	ret = anon_vma_prepare(vma);
	if (ret)
		return ret;
	for (i = 0; i < nr; i = n) {
		unsigned long end = pmd_addr_end(addrs[i], vma->vm_end);
		pmd_t *pmd;

		/* the pages that share the page table */
		for (n = i + 1; n < nr; n++)
			if (addrs[n] >= end)
				break;
		pmd = ckpt_pmd_alloc(mm, addrs[i]);
		if (!pmd)
			return -ENOMEM;
		ret = ckpt_install_table(vma, pmd, addrs + i, folios + i, n - i);
		if (ret)
			return ret;
	}
	return 0;
}
