// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the address space (CKPT_REC_MM, CKPT_REC_VMA).
 *
 * The memory map is saved VMA by VMA, each followed by the populated
 * private pages it holds (pages.c).  Shared memory and SysV segments that
 * a VMA maps are objects saved before the mm (shmem.c, sysv.c).
 *
 * On restart the leader of each process gives itself a new, empty mm, as
 * execve() does, so nothing of the caller's address space (its mappings,
 * seals, protection keys, LAM or MDWE state) is inherited.  Each VMA is
 * mapped with mmap()'s checks where it was.  Pages are only ever filled in
 * while their mapping is writable, as a write by the process would fill
 * them: a mapping that was not writable is made writable (and not
 * executable) for that, then given its saved protection through
 * mprotect(), with its checks (MDWE, the security modules' execmod and
 * execmem rules).
 */

#include <linux/binfmts.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/pkeys.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <uapi/linux/prctl.h>

#include "internal.h"

static void *ckpt_mm_get(struct ckpt_ctx *ctx, struct task_struct *t)
{
	return get_task_mm(t);
}

static void ckpt_mm_drop(void *ptr)
{
	mmput(ptr);
}

static long ckpt_mm_users(void *ptr)
{
	struct mm_struct *mm = ptr;

	return atomic_read(&mm->mm_users) - 1;
}

/*
 * The objects of the files an mm maps whose contents go in the image
 * (shared memory, files restart could not find by path): saved before it.
 */
struct ckpt_mm_shmem {
	unsigned int nr;
	struct ckpt_obj *objs[];
};

/* the object of the file @vma maps, if its contents are in the image */
static struct ckpt_obj *ckpt_vma_content(struct ckpt_ctx *ctx,
					 struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;

	if (!file || !ckpt_content_wanted(file))
		return NULL;
	return ckpt_obj_find(ctx, file_inode(file));
}

static int ckpt_collect_mm(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct mm_struct *mm = obj->ptr;
	unsigned int i, n = 0, max = READ_ONCE(mm->map_count);
	struct vm_area_struct *vma;
	struct ckpt_mm_shmem *list;
	struct vma_iterator vmi;
	struct {
		struct file *file;
		unsigned long start;
		bool shared;
		bool sysv;
	} *files;
	int ret;

	/* the tasks that use @mm are held: its map does not change */
	files = kvcalloc(max, sizeof(*files), GFP_KERNEL);
	if (!files && max)
		return -ENOMEM;
	ret = mmap_read_lock_killable(mm);
	if (ret) {
		kvfree(files);
		return ret;
	}
	vma_iter_init(&vmi, mm, 0);
	for_each_vma(vmi, vma) {
		struct file *file = vma->vm_file;
		bool sysv = file && ckpt_sysv_vma(vma);

		if (!file || (!sysv && !ckpt_content_wanted(file)) || n >= max)
			continue;
		files[n].file = get_file(file);
		files[n].start = vma->vm_start;
		files[n].sysv = sysv;
		files[n++].shared = vma->vm_flags & VM_MAYSHARE;
	}
	mmap_read_unlock(mm);

	list = kvzalloc(struct_size(list, objs, n), GFP_KERNEL_ACCOUNT);
	ret = list ? 0 : -ENOMEM;
	for (i = 0; i < n; i++) {
		struct ckpt_obj *o = NULL;

		/* a SysV attach, or contents saved with the image */
		if (!ret && files[i].sysv)
			o = ckpt_sysv_collect_vma(ctx, files[i].file,
						  files[i].start);
		else if (!ret)
			o = ckpt_content_collect(ctx, files[i].file, true,
						 files[i].shared);
		if (IS_ERR(o))
			ret = PTR_ERR(o);
		else if (o)
			list->objs[list->nr++] = o;
		fput(files[i].file);
	}
	kvfree(files);
	obj->priv = (unsigned long)list;
	return ret;
}

static void ckpt_mm_forget(struct ckpt_obj *obj)
{
	kvfree((void *)obj->priv);
	mmput(obj->ptr);
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
#ifdef VM_SEALED
	if (vma->vm_flags & VM_SEALED)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_VMA, -1,
				vma->vm_start, "sealed mapping (mseal) at %#lx",
				vma->vm_start);
#endif
	if (vma_pkey(vma))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_VMA, -1,
				vma->vm_start,
				"mapping with protection key %d at %#lx",
				vma_pkey(vma), vma->vm_start);
	if (ckpt_vma_content(ctx, vma) &&
	    ckpt_content_kind(ckpt_vma_content(ctx, vma)) == CKPT_REC_SHMEM)
		return CKPT_VMA_SHMEM;
	if (ckpt_sysv_vma(vma))
		return CKPT_VMA_SYSV;
	/* shared memory that is no shmem object (a SysV segment has a file) */
	if ((vma->vm_flags & VM_MAYSHARE) && !vma->vm_file)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_VMA, -1,
				vma->vm_start, "shared mapping at %#lx",
				vma->vm_start);
	/*
	 * A private mapping of a file that left it without vm_ops (/dev/zero)
	 * is anonymous memory: restart could not map the file again
	 */
	return vma->vm_file && !vma_is_anonymous(vma) ? CKPT_VMA_FILE :
							 CKPT_VMA_ANON;
}

/*
 * cr.exclude's anon bit leaves out the contents of the private anonymous
 * memory a program allocated dynamically, but keeps what it needs to run
 * the code that refills it (Documentation/checkpoint/exclude.rst):
 *
 * - whole mappings: the main stack, the brk heap (malloc's main arena
 *   keeps its chunks and lists there), an ELF object's .bss (anonymous
 *   memory right after a writable private file mapping), reservations made
 *   with MAP_NORESERVE and grown in place (malloc's per-thread arenas), and
 *   mappings smaller than CKPT_ANON_SMALL (the loader's and allocators'
 *   bookkeeping: malloc never maps a block below its 128 KiB threshold);
 * - ranges around each thread's stack pointer and thread pointer (TLS
 *   base), whatever the mapping they are in has merged with: glibc puts a
 *   thread's TCB and static TLS at the top of its stack mapping, so from
 *   the stack pointer up to the TCB; the main thread's TCB and TLS are in
 *   memory that ld.so mapped first, above anything the program mapped;
 * - pages that start a block malloc mapped for itself (pages.c), so that
 *   free() and realloc() still work.
 */
#define CKPT_ANON_SMALL		(128UL << 10)
#define CKPT_TLS_BELOW		(256UL << 10)	/* static TLS below the TCB */
#define CKPT_TCB_ABOVE		(4UL << 10)	/* glibc's struct pthread */

static void ckpt_keep_range(struct ckpt_anon_keep *keep,
			    struct vm_area_struct *vma, unsigned long start,
			    unsigned long end)
{
	start = max(start & PAGE_MASK, vma->vm_start);
	end = min(PAGE_ALIGN(end), vma->vm_end);
	if (start < end) {
		keep->r[keep->nr].start = start;
		keep->r[keep->nr].end = end;
		keep->nr++;
	}
}

/* the ranges kept around the stack and thread pointers of @obj's tasks */
static struct ckpt_anon_keep *ckpt_anon_keep(struct ckpt_ctx *ctx,
					     struct ckpt_obj *obj)
{
	struct mm_struct *mm = obj->ptr;
	struct ckpt_anon_keep *keep;
	unsigned int i, n = 0;

	for (i = 0; i < ctx->nr_tasks; i++)
		n += ctx->tasks[i].part[CKPT_PART_MM] == obj;
	keep = kvmalloc(struct_size(keep, r, 2 * n), GFP_KERNEL_ACCOUNT);
	if (!keep)
		return ERR_PTR(-ENOMEM);
	keep->nr = 0;
	if (mmap_read_lock_killable(mm)) {
		kvfree(keep);
		return ERR_PTR(-EINTR);
	}
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct task_struct *t = ctx->tasks[i].task;
		struct vm_area_struct *vs, *vt;
		unsigned long sp, tp;

		if (ctx->tasks[i].part[CKPT_PART_MM] != obj)
			continue;
		sp = user_stack_pointer(task_pt_regs(t)) - 128; /* red zone */
		tp = ckpt_arch_tls_base(t);
		vs = vma_lookup(mm, sp);
		vt = tp ? vma_lookup(mm, tp) : NULL;
		if (vs && vs == vt && sp < tp) {
			/* a thread's stack up to its TCB, in one mapping */
			ckpt_keep_range(keep, vs, sp, tp + CKPT_TCB_ABOVE);
			continue;
		}
		if (vs)
			ckpt_keep_range(keep, vs, sp, vs->vm_end);
		if (vt)
			ckpt_keep_range(keep, vt, tp - min(tp, CKPT_TLS_BELOW),
					vt->vm_end);
	}
	mmap_read_unlock(mm);
	return keep;
}

/* whether the contents of @vma, private anonymous memory, are left out */
static bool ckpt_anon_skipped(const struct ckpt_anon_keep *keep,
			      struct vm_area_struct *vma,
			      struct vm_area_struct *prev)
{
	if (!keep || vma->vm_end - vma->vm_start < CKPT_ANON_SMALL ||
	    (vma->vm_flags & VM_NORESERVE) || vma_is_initial_heap(vma) ||
	    vma_is_initial_stack(vma))
		return false;
	return !(prev && prev->vm_end == vma->vm_start && prev->vm_file &&
		 (prev->vm_flags & (VM_WRITE | VM_MAYSHARE)) == VM_WRITE);
}

/* a file that restart can find again by path */
static bool ckpt_file_findable(struct file *file, const char *path)
{
	return path[0] == '/' && !d_unlinked(file->f_path.dentry) &&
	       !(file->f_path.mnt->mnt_flags & MNT_INTERNAL);
}

/*
 * save the VMA at or above *addr, then its pages; 1 when none is left.
 * @keep: with cr.exclude's anon bit, what of the anonymous memory is kept
 */
static int ckpt_dump_vma(struct ckpt_ctx *ctx, struct mm_struct *mm,
			 unsigned long *addr,
			 const struct ckpt_anon_keep *keep)
{
	struct ckpt_rec_vma r = {};
	struct vm_area_struct *vma, *prev;
	struct file *file = NULL;
	unsigned long start, end;
	u32 path_len = 0;
	char *path = NULL;
	int type, ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	vma = find_vma_prev(mm, *addr, &prev);
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
	if (type == CKPT_VMA_ANON && ckpt_anon_skipped(keep, vma, prev))
		r.flags |= cpu_to_le32(CKPT_VMA_SKIPPED);
	if (type == CKPT_VMA_FILE)
		file = get_file(vma->vm_file);
	/* shared memory, or a file with its contents in the image */
	if (type == CKPT_VMA_FILE || type == CKPT_VMA_SHMEM) {
		struct ckpt_obj *o = ckpt_vma_content(ctx, vma);

		if (o && ckpt_content_kind(o))
			r.obj_ref = cpu_to_le32(o->ref);
	}
	if (type == CKPT_VMA_SYSV) {
		ret = ckpt_sysv_vma_ref(ctx, vma, &r);
		if (ret) {
			mmap_read_unlock(mm);
			return ret;
		}
	}
	mmap_read_unlock(mm);

	if (file) {
		path = ckpt_path(ctx, &file->f_path, &path_len);
		ret = PTR_ERR_OR_ZERO(path);
		if (!ret && !r.obj_ref && !ckpt_file_findable(file, path))
			ret = -EOPNOTSUPP;
		if (ret) {
			fput(file);
			return ckpt_err(ctx, ret, CKPT_OBJ_VMA, -1, start,
					"mapping of a deleted or internal file at %#lx",
					start);
		}
		/* a shared file mapping: the file holds what was written */
		if (le32_to_cpu(r.flags) & CKPT_VMA_SHARED) {
			loff_t pos = (loff_t)le64_to_cpu(r.pgoff) << PAGE_SHIFT;

			ret = filemap_write_and_wait_range(file->f_mapping, pos,
							   pos + end - start - 1);
			if (ret) {
				fput(file);
				return ckpt_err(ctx, ret, CKPT_OBJ_VMA, -1, start,
						"writing back the shared mapping at %#lx",
						start);
			}
		}
		ckpt_fill_identity(file, &r.dev, &r.ino, &r.size,
				   &r.mtime_sec, &r.mtime_nsec);
		fput(file);
	}
	r.path_len = cpu_to_le32(path_len);
	ret = ckpt_write_record(ctx, CKPT_REC_VMA, &r, sizeof(r), path,
				path_len);
	/* the private pages: of a shared mapping, the object has them */
	if (!ret && type != CKPT_VMA_VDSO && type != CKPT_VMA_VVAR &&
	    !(le32_to_cpu(r.flags) & CKPT_VMA_SHARED))
		ret = ckpt_dump_pages(ctx, mm, start, end,
				      (le32_to_cpu(r.flags) & CKPT_VMA_SKIPPED) ?
				      keep : NULL);
	*addr = end;
	return ret;
}

static u64 ckpt_mm_flags(struct mm_struct *mm)
{
	u64 flags = get_dumpable(mm) & CKPT_MM_DUMPABLE;

	if (test_bit(MMF_HAS_MDWE, &mm->flags))
		flags |= CKPT_MM_MDWE;
	if (test_bit(MMF_HAS_MDWE_NO_INHERIT, &mm->flags))
		flags |= CKPT_MM_MDWE_NO_INHERIT;
	if (test_bit(MMF_DISABLE_THP, &mm->flags))
		flags |= CKPT_MM_THP_DISABLE;
	return flags;
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
	r->flags = cpu_to_le64(ckpt_mm_flags(mm));
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
		ret = PTR_ERR_OR_ZERO(path);
		if (!ret && !ckpt_file_findable(exe, path))
			ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_MM, -1, 0,
				       "the executable was deleted");
		fput(exe);
		if (ret)
			goto out;
	}
	r->exe_len = cpu_to_le32(exe_len);
	ret = ckpt_write_record(ctx, CKPT_REC_MM, r, sizeof(*r), path, exe_len);
out:
	kfree(r);
	return ret;
}

static int ckpt_dump_mm(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_mm_shmem *list = (struct ckpt_mm_shmem *)obj->priv;
	struct ckpt_anon_keep *keep = NULL;
	struct mm_struct *mm = obj->ptr;
	unsigned long addr = 0;
	u32 nr_vmas, n = 0, i;
	int ret = 0;

	/* by the cgroup of the first process that uses it */
	if (ctx->cur->exclude & CKPT_EXCLUDE_ANON) {
		keep = ckpt_anon_keep(ctx, obj);
		if (IS_ERR(keep))
			return PTR_ERR(keep);
	}
	/* the shared memory first: each VMA record may name it */
	for (i = 0; i < list->nr && !ret; i++)
		ret = ckpt_obj_dump(ctx, list->objs[i]);
	if (!ret)
		ret = ckpt_dump_mm_struct(ctx, mm, obj->ref, &nr_vmas);
	while (!ret) {
		ret = ckpt_dump_vma(ctx, mm, &addr, keep);
		if (!ret)
			n++;
	}
	kvfree(keep);
	if (ret == 1)
		ret = n == nr_vmas ? 0 :
		      ckpt_err(ctx, -EAGAIN, CKPT_OBJ_MM, -1, 0,
			       "the memory map changed during checkpoint");
	return ret;
}

/*
 * A file restart opened for mappings: every task of a tree maps the same
 * libraries, and they are all restored with the caller's credentials, so
 * each path is looked up and opened once per restart.
 */
struct ckpt_mapped {
	struct list_head list;
	int flags;
	struct file *file;
	char path[];
};

/**
 * ckpt_open_mapped - open a mapped file of the image
 * @ctx: restart context
 * @path: its path
 * @flags: O_RDONLY, or O_RDWR for a shared mapping that may write
 *
 * Return: the file, with a reference, or an ERR_PTR(); -EACCES if it is not
 * a regular file
 */
static struct file *ckpt_open_mapped(struct ckpt_ctx *ctx, const char *path,
				     int flags)
{
	struct ckpt_mapped *m;
	struct path pinned;
	struct file *file;
	size_t len;
	int ret;

	list_for_each_entry(m, &ctx->mapped, list)
		if (m->flags == flags && !strcmp(m->path, path))
			return get_file(m->file);
	ret = ckpt_lookup(ctx, path, LOOKUP_FOLLOW, &pinned);
	if (ret)
		return ERR_PTR(ret);
	file = ERR_PTR(-EACCES);
	if (d_is_reg(pinned.dentry))
		file = ckpt_open_pinned(&pinned, flags | O_NONBLOCK);
	path_put(&pinned);
	if (IS_ERR(file))
		return file;
	len = strlen(path) + 1;
	m = kmalloc(struct_size(m, path, len), GFP_KERNEL_ACCOUNT);
	if (m) {
		m->flags = flags;
		m->file = get_file(file);
		memcpy(m->path, path, len);
		list_add(&m->list, &ctx->mapped);
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
	u64 base = le64_to_cpu(r->mmap_base);
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
	if (!PAGE_ALIGNED(base) || base > TASK_SIZE || base < mmap_min_addr)
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
	return ckpt_zero(&r->auxv[nr], (CKPT_AUXV_WORDS - nr) *
			 sizeof(r->auxv[0])) ? 0 : -EINVAL;
}

static int ckpt_mm_rec_valid(const struct ckpt_rhdr *h,
			     const struct ckpt_rec_mm *r)
{
	const u64 known = CKPT_MM_DUMPABLE | CKPT_MM_MDWE |
			  CKPT_MM_MDWE_NO_INHERIT | CKPT_MM_THP_DISABLE;
	u32 exe_len = le32_to_cpu(r->exe_len), nr = le32_to_cpu(r->nr_vmas);
	u64 flags = le64_to_cpu(r->flags);

	if (h->len != sizeof(*r) + exe_len)
		return -EINVAL;
	if (!nr || nr > READ_ONCE(sysctl_max_map_count))
		return -EINVAL;
	if ((le64_to_cpu(r->def_flags) & ~(u64)CKPT_VMA_LOCKED) ||
	    (flags & ~known) || (flags & CKPT_MM_DUMPABLE) > SUID_DUMP_ROOT)
		return -EINVAL;
	if (exe_len && (!ckpt_valid_str(r->exe, exe_len, PATH_MAX) ||
			r->exe[0] != '/'))
		return -EINVAL;
	return ckpt_check_mm_addrs(r) ?: ckpt_check_auxv(r);
}

/* what execve() would run with the owner's ids: S_ISUID, S_ISGID|S_IXGRP */
static bool is_setuid_exec(umode_t mode)
{
	return mode & S_ISUID;
}

static bool is_setgid_exec(umode_t mode)
{
	return (mode & (S_ISGID | 0010)) == (S_ISGID | 0010);
}

/*
 * /proc/PID/exe: what prctl(PR_SET_MM_MAP) allows.  A caller with
 * CAP_CHECKPOINT_RESTORE may name any executable; another only one it
 * could execute without gaining privileges (no set-user-ID or
 * set-group-ID bit in force, no file capabilities), else the mm gets no
 * executable.
 */
static struct file *ckpt_open_exe(struct ckpt_ctx *ctx, const char *path)
{
	struct file *exe = ckpt_open_mapped(ctx, path, O_RDONLY);
	struct inode *inode;
	int ret;

	if (IS_ERR(exe))
		return exe;
	/* an executable, as execve() and PR_SET_MM_EXE_FILE want */
	ret = path_noexec(&exe->f_path) ? -EACCES :
	      file_permission(exe, MAY_EXEC);
	if (ret) {
		fput(exe);
		return ERR_PTR(ret);
	}
	if (checkpoint_restore_ns_capable(current_user_ns()))
		return exe;
	inode = file_inode(exe);
	if ((!(exe->f_path.mnt->mnt_flags & MNT_NOSUID) &&
	     (is_setuid_exec(inode->i_mode) || is_setgid_exec(inode->i_mode))) ||
	    security_inode_need_killpriv(exe->f_path.dentry) > 0) {
		fput(exe);
		return NULL;
	}
	return exe;
}

/* a new, empty address space for current, as execve() makes one */
static struct mm_struct *ckpt_new_mm(const struct ckpt_rec_mm *r,
				     struct file *exe)
{
	struct mm_struct *mm = mm_alloc();
	int ret;

	if (!mm)
		return ERR_PTR(-ENOMEM);
	/* nobody may look at it while it is built */
	set_dumpable(mm, SUID_DUMP_DISABLE);
	/*
	 * mm_alloc() copied some of the caller's flags: THP disabled and KSM
	 * merging come from the image (KSM is not saved); MDWE stays, a
	 * restriction the caller chose.
	 */
	clear_bit(MMF_DISABLE_THP, &mm->flags);
	clear_bit(MMF_VM_MERGE_ANY, &mm->flags);
	mm->def_flags = 0;
	arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
	mm->mmap_base = le64_to_cpu(r->mmap_base);
	ckpt_arch_init_mm(mm);
	if (exe) {
		ret = set_mm_exe_file(mm, exe);
		if (ret) {
			mmput(mm);
			return ERR_PTR(ret);
		}
	}
	return mm;
}

static void ckpt_set_mm_fields(struct mm_struct *mm,
			       const struct ckpt_rec_mm *r)
{
	u32 i;

	mmap_write_lock(mm);
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
	for (i = 0; i < le32_to_cpu(r->nr_auxv); i++)
		mm->saved_auxv[i] = le64_to_cpu(r->auxv[i]);
	mmap_write_unlock(mm);
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

static unsigned long ckpt_prot(u32 prot)
{
	return ((prot & CKPT_PROT_READ) ? PROT_READ : 0) |
	       ((prot & CKPT_PROT_WRITE) ? PROT_WRITE : 0) |
	       ((prot & CKPT_PROT_EXEC) ? PROT_EXEC : 0);
}

/*
 * The file of a CKPT_REC_FILEDATA to map: reopened through its name (with
 * open(2)'s checks, for writing if a shared mapping may write), or the
 * unlinked file restart made.
 */
static struct file *ckpt_map_filedata(struct ckpt_ctx *ctx,
				      const struct ckpt_rec_vma *r)
{
	u32 flags = le32_to_cpu(r->flags);
	bool rw = (flags & CKPT_VMA_SHARED) && (flags & CKPT_VMA_MAYWRITE);
	bool named;
	struct file *file = ckpt_filedata_file(ctx, le32_to_cpu(r->obj_ref),
					       &named);

	if (IS_ERR(file))
		return file;
	if (named)
		return ckpt_open_pinned(&file->f_path, (rw ? O_RDWR : O_RDONLY) |
					O_LARGEFILE);
	return get_file(file);
}

static int ckpt_map_vma(struct ckpt_ctx *ctx, const struct ckpt_rec_vma *r)
{
	u64 start = le64_to_cpu(r->start), end = le64_to_cpu(r->end);
	u32 flags = le32_to_cpu(r->flags);
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
	} else if (le32_to_cpu(r->type) == CKPT_VMA_SHMEM) {
		file = ckpt_shmem_file(ctx, le32_to_cpu(r->obj_ref));
		if (IS_ERR(file))
			return PTR_ERR(file);
		get_file(file);
	} else if (le32_to_cpu(r->type) == CKPT_VMA_SYSV) {
		file = ckpt_sysv_attach_file(ctx, r);
		if (IS_ERR(file))
			return PTR_ERR(file);
	} else if (r->obj_ref) {
		file = ckpt_map_filedata(ctx, r);
		if (IS_ERR(file))
			return PTR_ERR(file);
	} else {
		bool rw = (flags & CKPT_VMA_SHARED) &&
			  (flags & CKPT_VMA_MAYWRITE);

		file = ckpt_open_mapped(ctx, r->path, rw ? O_RDWR : O_RDONLY);
		if (IS_ERR(file))
			return PTR_ERR(file);
		ret = ckpt_check_identity(file, r);
		if (ret) {
			fput(file);
			return ret;
		}
	}
	addr = vm_mmap(file, start, end - start, ckpt_prot(le32_to_cpu(r->prot)),
		       mflags, le64_to_cpu(r->pgoff) << PAGE_SHIFT);
	if (file)
		fput(file);
	if (IS_ERR_VALUE(addr))
		return addr;
	return addr == start ? 0 : -EINVAL;
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

/* one rule per errno: a VMA record, after the VMA that ended at @prev */
static int ckpt_vma_rec_valid(size_t len, const struct ckpt_rec_vma *r,
			      unsigned long prev)
{
	const u32 known = CKPT_VMA_GROWSDOWN | CKPT_VMA_LOCKED |
			  CKPT_VMA_DONTDUMP | CKPT_VMA_DONTFORK |
			  CKPT_VMA_NORESERVE | CKPT_VMA_HEAP | CKPT_VMA_STACK |
			  CKPT_VMA_MAYWRITE | CKPT_VMA_MAYEXEC |
			  CKPT_VMA_WIPEONFORK | CKPT_VMA_SHARED |
			  CKPT_VMA_SKIPPED;
	u64 start = le64_to_cpu(r->start), end = le64_to_cpu(r->end);
	u32 type = le32_to_cpu(r->type), flags = le32_to_cpu(r->flags);
	u32 path_len = le32_to_cpu(r->path_len);

	/* an object: shared memory always, file contents for a file */
	if (len != sizeof(*r) + path_len ||
	    ((type == CKPT_VMA_SHMEM || type == CKPT_VMA_SYSV) && !r->obj_ref) ||
	    (type != CKPT_VMA_SHMEM && type != CKPT_VMA_SYSV &&
	     type != CKPT_VMA_FILE && r->obj_ref))
		return -EINVAL;
	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(end) || start >= end ||
	    end > TASK_SIZE || start < prev)
		return -EINVAL;
	if ((le32_to_cpu(r->prot) & ~(CKPT_PROT_READ | CKPT_PROT_WRITE |
				      CKPT_PROT_EXEC)) || (flags & ~known))
		return -EINVAL;
	if (type < CKPT_VMA_ANON || type > CKPT_VMA_SYSV ||
	    le64_to_cpu(r->pgoff) > (ULONG_MAX >> PAGE_SHIFT))
		return -EINVAL;
	if (type == CKPT_VMA_FILE ? !path_len : path_len)
		return -EINVAL;
	if (path_len && (!ckpt_valid_str(r->path, path_len, PATH_MAX) ||
			 (r->path[0] != '/' && !r->obj_ref)))
		return -EINVAL;
	/* left out: private anonymous memory only */
	if ((flags & CKPT_VMA_SKIPPED) && type != CKPT_VMA_ANON)
		return -EINVAL;
	/* shared: shared memory or a file, writable if it may write */
	if ((flags & CKPT_VMA_SHARED) && type != CKPT_VMA_SHMEM &&
	    ((type != CKPT_VMA_FILE && type != CKPT_VMA_SYSV) ||
	     ((le32_to_cpu(r->prot) & CKPT_PROT_WRITE) &&
	      !(flags & CKPT_VMA_MAYWRITE))))
		return -EINVAL;
	/* a SysV attach is shared */
	if (type == CKPT_VMA_SYSV && !(flags & CKPT_VMA_SHARED))
		return -EINVAL;
	return 0;
}

/*
 * The pages of a VMA: it is made writable (not executable) while they go
 * in, as if the process wrote them, then it gets its saved protection
 * through mprotect().
 */
/*
 * Where the pages of the private mapping at @start may lie: a page of a
 * file mapping is inside the file (a page beyond its end cannot have been
 * written: touching it is SIGBUS), anywhere for anonymous memory.
 */
static unsigned long ckpt_pages_end(unsigned long start, unsigned long end)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long limit = end;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, start);
	if (vma && vma->vm_file) {
		loff_t size = i_size_read(file_inode(vma->vm_file));
		pgoff_t npages = DIV_ROUND_UP(size, PAGE_SIZE);

		if (vma->vm_pgoff >= npages)
			limit = start;
		else if (npages - vma->vm_pgoff < (end - start) >> PAGE_SHIFT)
			limit = start + ((npages - vma->vm_pgoff) << PAGE_SHIFT);
	}
	mmap_read_unlock(mm);
	return limit;
}

static int ckpt_restore_vma_pages(struct ckpt_ctx *ctx,
				  const struct ckpt_rec_vma *r)
{
	unsigned long start = le64_to_cpu(r->start), end = le64_to_cpu(r->end);
	unsigned long prot = ckpt_prot(le32_to_cpu(r->prot)), next = start;
	unsigned long pages_end = ckpt_pages_end(start, end);
	bool changed = false;
	struct ckpt_rhdr h;
	int ret;

	for (;;) {
		ret = ckpt_read_hdr(ctx, &h);
		if (ret)
			return ret;
		if (h.type != CKPT_REC_PAGES) {
			ckpt_push_hdr(ctx, &h);
			break;
		}
		if (!changed && !(prot & PROT_WRITE)) {
			ret = do_mprotect_pkey(start, end - start,
					       (prot | PROT_READ | PROT_WRITE) &
					       ~PROT_EXEC, -1);
			if (ret)
				return ret;
			changed = true;
		}
		ret = ckpt_restore_pages(ctx, &h, start, pages_end, &next);
		if (ret)
			return ret;
	}
	ret = ckpt_pages_flush(ctx);
	if (!ret && changed)
		ret = do_mprotect_pkey(start, end - start, prot, -1);
	return ret;
}

/* vDSO and [vvar]: mapped as this kernel maps them */
static int ckpt_restore_vdso(struct ckpt_ctx *ctx, const struct ckpt_rec_vma *r,
			     unsigned long *vvar, unsigned long *vvar_end)
{
	u64 start = le64_to_cpu(r->start), end = le64_to_cpu(r->end);

	if (le32_to_cpu(r->type) == CKPT_VMA_VVAR) {
		if (*vvar)
			return -EINVAL;
		*vvar = start;
		*vvar_end = end;
		return 0;
	}
	if (!*vvar)
		return -EINVAL;
	return ckpt_arch_map_vdso(*vvar, *vvar_end, start, end);
}

/* read and map the @nr VMAs of an mm, each with its pages */
static int ckpt_restore_vmas(struct ckpt_ctx *ctx, u32 nr)
{
	unsigned long prev = 0, vvar = 0, vvar_end = 0;
	struct ckpt_rec_vma *r;
	size_t len;
	int ret = 0;

	while (nr-- && !ret) {
		u32 type;

		r = ckpt_read_record(ctx, CKPT_REC_VMA, sizeof(*r),
				     sizeof(*r) + PATH_MAX, &len);
		if (IS_ERR(r))
			return PTR_ERR(r);
		ret = ckpt_vma_rec_valid(len, r, prev);
		if (ret)
			goto next;
		prev = le64_to_cpu(r->end);
		type = le32_to_cpu(r->type);
		if (type == CKPT_VMA_VDSO || type == CKPT_VMA_VVAR) {
			ret = ckpt_restore_vdso(ctx, r, &vvar, &vvar_end);
			goto next;
		}
		ret = ckpt_map_vma(ctx, r);
		if (!ret && !(le32_to_cpu(r->flags) & CKPT_VMA_SHARED))
			ret = ckpt_restore_vma_pages(ctx, r);
		if (!ret)
			ret = ckpt_vma_advice(r);
next:
		kvfree(r);
	}
	return ret;
}

/* what applies once the mappings are there: mlockall(MCL_FUTURE), MDWE */
static int ckpt_restore_mm_flags(struct mm_struct *mm,
				 const struct ckpt_rec_mm *r)
{
	u64 flags = le64_to_cpu(r->flags);
	int ret;

	if (le64_to_cpu(r->def_flags) & CKPT_VMA_LOCKED) {
		if (!can_do_mlock())
			return -EPERM;
		ret = mmap_write_lock_killable(mm);
		if (ret)
			return ret;
		mm->def_flags |= VM_LOCKED;
		mmap_write_unlock(mm);
	}
	/* restrictions any process may put on itself */
	if (flags & CKPT_MM_MDWE)
		set_bit(MMF_HAS_MDWE, &mm->flags);
	if (flags & CKPT_MM_MDWE_NO_INHERIT)
		set_bit(MMF_HAS_MDWE_NO_INHERIT, &mm->flags);
	if (flags & CKPT_MM_THP_DISABLE)
		set_bit(MMF_DISABLE_THP, &mm->flags);
	return 0;
}

/*
 * CKPT_REC_MM: a new address space for the process, then its VMAs and
 * their pages, which follow the record.
 */
static int ckpt_restore_mm(struct ckpt_ctx *ctx, struct ckpt_task *t,
			   const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_mm *r = rec;
	struct file *exe = NULL;
	struct mm_struct *mm;
	struct ckpt_obj *obj;
	int ret;

	ret = ckpt_mm_rec_valid(h, r);
	if (ret || ckpt_is_thread(t))
		return ret ?: -EINVAL;
	if (le32_to_cpu(r->exe_len)) {
		exe = ckpt_open_exe(ctx, r->exe);
		if (IS_ERR(exe))
			return PTR_ERR(exe);
	}
	mm = ckpt_new_mm(r, exe);
	if (exe)
		fput(exe);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = exec_replace_mm(mm);
	if (ret) {
		mmput(mm);
		return ret;
	}
	ckpt_set_mm_fields(mm, r);
	/* the table's reference; the dumpable value is set at the end */
	mmget(mm);
	obj = ckpt_obj_add(ctx, le32_to_cpu(r->objref), &ckpt_mm_ops, mm,
			   le64_to_cpu(r->flags) & CKPT_MM_DUMPABLE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = ckpt_restore_vmas(ctx, le32_to_cpu(r->nr_vmas));
	if (!ret)
		ret = ckpt_restore_mm_flags(mm, r);
	return ret;
}

/* once every task is restored: dumpable as saved */
static int ckpt_mm_finish(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	set_dumpable(obj->ptr, obj->priv);
	return 0;
}

static void ckpt_mm_release(struct ckpt_obj *obj)
{
	mmput(obj->ptr);
}

/**
 * ckpt_mm_free - drop what the memory code keeps in the context
 * @ctx: checkpoint or restart context
 */
void ckpt_mm_free(struct ckpt_ctx *ctx)
{
	struct ckpt_mapped *m, *tmp;

	list_for_each_entry_safe(m, tmp, &ctx->mapped, list) {
		fput(m->file);
		kfree(m);
	}
	INIT_LIST_HEAD(&ctx->mapped);
	ckpt_pages_free(ctx);
}

const struct ckpt_obj_ops ckpt_mm_ops = {
	.type = CKPT_REC_MM,
	.err_kind = CKPT_OBJ_MM,
	.shared_msg = "address space shared with a task outside the image",
	.get = ckpt_mm_get,
	.drop = ckpt_mm_drop,
	.users = ckpt_mm_users,
	.collect = ckpt_collect_mm,
	.forget = ckpt_mm_forget,
	.dump = ckpt_dump_mm,
	.release = ckpt_mm_release,
	.finish = ckpt_mm_finish,
};

static const struct ckpt_rec_ops ckpt_mm_records[] = {
	{
		.type = CKPT_REC_MM,
		.name = "MM",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_mm),
		.max_len = sizeof(struct ckpt_rec_mm) + PATH_MAX,
		.restore = ckpt_restore_mm,
	},
	{
		.type = CKPT_REC_VMA,
		.name = "VMA",
		.place = CKPT_PLACE_MEMBER,
		.min_len = sizeof(struct ckpt_rec_vma),
		.max_len = sizeof(struct ckpt_rec_vma) + PATH_MAX,
	},
	{
		.type = CKPT_REC_PAGES,
		.name = "PAGES",
		.place = CKPT_PLACE_MEMBER,
		.min_len = sizeof(struct ckpt_rec_pages),
		.max_len = CKPT_REC_MAX_LEN,
	},
};

static int __init ckpt_mm_init(void)
{
	return ckpt_register_records(ckpt_mm_records,
				     ARRAY_SIZE(ckpt_mm_records));
}
core_initcall(ckpt_mm_init);
