// SPDX-License-Identifier: GPL-2.0
/*
 * The "cr" cgroup v2 controller: what checkpoint(2) leaves out.
 *
 * cr.exclude holds a cgroup's own mask of CKPT_EXCLUDE_* bits, and
 * cr.exclude.effective the mask in force for its tasks: the union of its own
 * mask and those of all its ancestors, so that a cgroup cannot clear what an
 * ancestor asked to leave out.  The effective masks are kept up to date when
 * a mask is written (cr_mutex serialises that with css_online), and every
 * cr.exclude.effective whose content changes is notified.
 *
 * See Documentation/checkpoint/cgroup.rst.
 */

#include <linux/cgroup.h>
#include <linux/cgroup_checkpoint.h>
#include <linux/ctype.h>
#include <linux/hex.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/checkpoint.h>

#include "cgroup.h"

struct cr_cgroup {
	struct cgroup_subsys_state css;	/* first: cftype.file_offset */
	u32 exclude;			/* own mask, written by cr.exclude */
	u32 effective;			/* exclude | parent's effective */
	struct cgroup_file exclude_file;
	struct cgroup_file effective_file;
};

/* serialises mask writes and their propagation with css_online */
static DEFINE_MUTEX(cr_mutex);

static const struct {
	const char *name;
	u32 bit;
} ckpt_exclude_names[] = {
	{ "anon", CKPT_EXCLUDE_ANON },
	{ "net", CKPT_EXCLUDE_NET },
	{ "files", CKPT_EXCLUDE_FILEDATA },
};

static u32 ckpt_exclude_bit(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ckpt_exclude_names); i++) {
		if (strlen(ckpt_exclude_names[i].name) == len &&
		    !memcmp(ckpt_exclude_names[i].name, name, len))
			return ckpt_exclude_names[i].bit;
	}
	return 0;
}

static const char *ckpt_skip_spaces(const char *p, const char *end)
{
	while (p < end && isspace(*p))
		p++;
	return p;
}

/* a number: decimal, or hex after 0x; nothing but spaces may follow it */
static int ckpt_exclude_number(const char *p, const char *end, u32 *mask)
{
	unsigned int digits = 0;
	int base = 10, d;
	u32 val = 0;

	if (end - p >= 2 && p[0] == '0' && tolower(p[1]) == 'x') {
		base = 16;
		p += 2;
	}
	for (; p < end && !isspace(*p); p++, digits++) {
		d = hex_to_bin(*p);
		if (d < 0 || d >= base)
			return -EINVAL;
		val = val * base + d;
		/* digits only make it grow: this also stops any overflow */
		if (val > CKPT_EXCLUDE_ALL)
			return -EINVAL;
	}
	if (!digits || ckpt_skip_spaces(p, end) != end ||
	    val & ~CKPT_EXCLUDE_ALL)
		return -EINVAL;
	*mask = val;
	return 0;
}

/**
 * ckpt_exclude_parse - parse what is written to cr.exclude
 * @buf: the text written; need not be NUL-terminated
 * @len: its length in bytes
 * @cur: the current mask, that "+name" and "-name" change
 * @mask: where the new mask is stored on success
 *
 * Spaces (newlines included) around and between the words are ignored.  The
 * text is one of: nothing, which means 0; one number, in decimal or in hex
 * after "0x", made of CKPT_EXCLUDE_* bits; names of bits ("anon", "net",
 * "files") in any order, which make the new mask; or names each prefixed by
 * "+" or "-", applied from left to right to @cur to set or clear that bit.
 * Plain and prefixed names cannot be mixed.
 *
 * Return: 0, or -EINVAL for anything else (an unknown name or bit, a number
 * that does not fit, trailing garbage), and then @mask is left alone.
 */
int ckpt_exclude_parse(const char *buf, size_t len, u32 cur, u32 *mask)
{
	const char *end = buf + len;
	const char *p = ckpt_skip_spaces(buf, end);
	bool relative;
	u32 val;

	if (p < end && isdigit(*p))
		return ckpt_exclude_number(p, end, mask);

	relative = p < end && (*p == '+' || *p == '-');
	val = relative ? cur : 0;
	while (p < end) {
		const char *name;
		char op = 0;
		u32 bit;

		if (*p == '+' || *p == '-')
			op = *p++;
		if (!!op != relative)
			return -EINVAL;
		for (name = p; p < end && !isspace(*p); p++)
			;
		bit = ckpt_exclude_bit(name, p - name);
		if (!bit)
			return -EINVAL;
		if (op == '-')
			val &= ~bit;
		else
			val |= bit;
		p = ckpt_skip_spaces(p, end);
	}
	*mask = val;
	return 0;
}

static struct cr_cgroup *css_cr(struct cgroup_subsys_state *css)
{
	return container_of(css, struct cr_cgroup, css);
}

/**
 * ckpt_cgroup_exclude - the exclude mask in force for a task
 * @t: the task, on which the caller holds a reference
 *
 * Reads the cr.exclude.effective mask of the cgroup that @t is in at the time
 * of the call: the union of the CKPT_EXCLUDE_* masks of that cgroup and of
 * all its ancestors.  Where the controller is not enabled for @t's cgroup,
 * the nearest ancestor that has it decides, and the root cgroup's mask is 0.
 * @t may move to another cgroup and the masks may be written at any time:
 * the answer is the mask in force at one moment during the call.
 *
 * Context: Any context.  Takes and releases rcu_read_lock(), which keeps
 * @t's css_set and the cr state it points to alive while it is read.
 * Return: the effective mask of @t's cgroup.
 */
u32 ckpt_cgroup_exclude(struct task_struct *t)
{
	u32 mask;

	rcu_read_lock();
	mask = READ_ONCE(css_cr(task_css(t, cr_cgrp_id))->effective);
	rcu_read_unlock();
	return mask;
}

static struct cgroup_subsys_state *
cr_css_alloc(struct cgroup_subsys_state *parent)
{
	struct cr_cgroup *cr = kzalloc(sizeof(*cr), GFP_KERNEL);

	return cr ? &cr->css : ERR_PTR(-ENOMEM);
}

/* a new css inherits its parent's effective mask (its own is 0) */
static int cr_css_online(struct cgroup_subsys_state *css)
{
	struct cr_cgroup *cr = css_cr(css);

	mutex_lock(&cr_mutex);
	if (css->parent)
		WRITE_ONCE(cr->effective, cr->exclude |
			   css_cr(css->parent)->effective);
	mutex_unlock(&cr_mutex);
	return 0;
}

static void cr_css_free(struct cgroup_subsys_state *css)
{
	kfree(css_cr(css));
}

/*
 * Recompute the effective masks of @cr and its descendants after @cr's own
 * mask changed, and notify each one that changes.  A subtree whose root keeps
 * its effective mask keeps all of them.  A css that is being created may be
 * visited before it is online: its css_online, after us, sets it right.
 */
static void cr_propagate(struct cr_cgroup *cr)
{
	struct cgroup_subsys_state *pos;

	lockdep_assert_held(&cr_mutex);

	rcu_read_lock();
	css_for_each_descendant_pre(pos, &cr->css) {
		struct cr_cgroup *c = css_cr(pos);
		u32 eff = c->exclude | css_cr(pos->parent)->effective;

		if (eff == c->effective) {
			pos = css_rightmost_descendant(pos);
			continue;
		}
		WRITE_ONCE(c->effective, eff);
		cgroup_file_notify(&c->effective_file);
	}
	rcu_read_unlock();
}

static ssize_t cr_exclude_write(struct kernfs_open_file *of, char *buf,
				size_t nbytes, loff_t off)
{
	struct cr_cgroup *cr = css_cr(of_css(of));
	u32 mask;
	int ret;

	mutex_lock(&cr_mutex);
	ret = ckpt_exclude_parse(buf, nbytes, cr->exclude, &mask);
	if (!ret && mask != cr->exclude) {
		WRITE_ONCE(cr->exclude, mask);
		cgroup_file_notify(&cr->exclude_file);
		cr_propagate(cr);
	}
	mutex_unlock(&cr_mutex);
	return ret ?: nbytes;
}

/* the names of the bits of @mask, in bit order, on one line */
static int cr_show_mask(struct seq_file *sf, u32 mask)
{
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ckpt_exclude_names); i++) {
		if (mask & ckpt_exclude_names[i].bit) {
			seq_printf(sf, "%s%s", sep, ckpt_exclude_names[i].name);
			sep = " ";
		}
	}
	seq_putc(sf, '\n');
	return 0;
}

static int cr_exclude_show(struct seq_file *sf, void *v)
{
	return cr_show_mask(sf, READ_ONCE(css_cr(seq_css(sf))->exclude));
}

static int cr_effective_show(struct seq_file *sf, void *v)
{
	return cr_show_mask(sf, READ_ONCE(css_cr(seq_css(sf))->effective));
}

static struct cftype cr_files[] = {
	{
		.name = "exclude",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = cr_exclude_show,
		.write = cr_exclude_write,
		.file_offset = offsetof(struct cr_cgroup, exclude_file),
	},
	{
		.name = "exclude.effective",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = cr_effective_show,
		.file_offset = offsetof(struct cr_cgroup, effective_file),
	},
	{ }	/* terminate */
};

struct cgroup_subsys cr_cgrp_subsys = {
	.css_alloc	= cr_css_alloc,
	.css_online	= cr_css_online,
	.css_free	= cr_css_free,
	.dfl_cftypes	= cr_files,
};
