// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: pseudo-terminals of the image (CKPT_REC_PTY).
 *
 * A job launcher (Open MPI's mpirun, a terminal multiplexer) opens a Unix98
 * pty, hands the slave to a child as its standard output and reads the
 * master.  When the master is open in the image, the pty is the image's
 * own: it is saved once, as an object keyed by its master tty, with the
 * slave's terminal settings, window size and lock; every open file of its
 * master or slave is a FILE record of type CKPT_FILE_PTY_MASTER or
 * CKPT_FILE_PTY_SLAVE that names it.  Restart opens a new pty in the
 * caller's /dev/ptmx (its number may differ) and reopens the slave from
 * it.  A slave whose master is not in the image stays an external file
 * (the caller's terminal).
 *
 * Refused: a pty with bytes that a reader has not read yet (they would be
 * lost), one in packet mode or stopped by flow control, one with another
 * line discipline than N_TTY, and one whose slave is also open outside the
 * image.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/devpts_fs.h>
#include <linux/major.h>
#include <linux/poll.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_ldisc.h>

#include "internal.h"

static const struct ckpt_obj_ops ckpt_pty_ops;

/* the master tty of @file if it is an end of a Unix98 pty, else NULL */
static struct tty_struct *ckpt_pty_master(struct file *file, bool *master)
{
	struct inode *inode = file_inode(file);
	struct tty_file_private *priv;
	struct tty_struct *tty;
	unsigned int major;
	bool is_master;

	if (!S_ISCHR(inode->i_mode) || (file->f_mode & FMODE_PATH) ||
	    tty_hung_up_p(file))
		return NULL;
	major = MAJOR(inode->i_rdev);
	if (inode->i_rdev == MKDEV(TTYAUX_MAJOR, 2))
		*master = true;
	else if (major >= UNIX98_PTY_SLAVE_MAJOR &&
		 major < UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT)
		*master = false;
	else
		return NULL;
	priv = file->private_data;
	tty = priv ? priv->tty : NULL;
	if (!tty || !tty->link || tty->driver->type != TTY_DRIVER_TYPE_PTY ||
	    !(tty->driver->flags & TTY_DRIVER_DEVPTS_MEM))
		return NULL;
	is_master = tty->driver->subtype == PTY_TYPE_MASTER;
	if (is_master != *master)
		return NULL;
	return *master ? tty : tty->link;
}

static void ckpt_pty_drop(void *ptr)
{
	tty_kref_put(ptr);
}

/**
 * ckpt_pty_collect_file - collect the pty an open file is an end of
 * @ctx: checkpoint context
 * @file: the file
 *
 * Return: the pty's object, NULL if @file is no end of a Unix98 pty, or an
 * ERR_PTR()
 */
struct ckpt_obj *ckpt_pty_collect_file(struct ckpt_ctx *ctx, struct file *file)
{
	struct tty_struct *tty;
	struct ckpt_obj *obj;
	bool master;

	tty = ckpt_pty_master(file, &master);
	if (!tty)
		return NULL;
	obj = ckpt_obj_collect(ctx, &ckpt_pty_ops, tty_kref_get(tty));
	/* the master file, if it is in the image */
	if (!IS_ERR(obj) && master)
		obj->priv = (unsigned long)file;
	return obj;
}

/**
 * ckpt_pty_file_type - how a file of the image that is an end of a pty is saved
 * @ctx: checkpoint context, whose objects are all collected
 * @file: the file
 * @obj_ref: set to the pty's object id
 *
 * Return: CKPT_FILE_PTY_MASTER or CKPT_FILE_PTY_SLAVE, 0 if @file is not an
 * end of a pty whose master is in the image, or a negative errno
 */
int ckpt_pty_file_type(struct ckpt_ctx *ctx, struct file *file, u32 *obj_ref)
{
	const u32 known = O_ACCMODE | O_NONBLOCK | O_APPEND | O_LARGEFILE;
	struct tty_struct *tty;
	struct ckpt_obj *obj;
	bool master;

	tty = ckpt_pty_master(file, &master);
	obj = tty ? ckpt_obj_find(ctx, tty) : NULL;
	if (!obj || obj->ops != &ckpt_pty_ops || !obj->priv)
		return 0;
	if ((file->f_flags & ~known) ||
	    (master && (file->f_flags & O_ACCMODE) != O_RDWR))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE,
				ckpt_file_fd(ctx, file), 0,
				"fd %d: flags %#o of a pseudo-terminal are not supported",
				ckpt_file_fd(ctx, file), file->f_flags);
	*obj_ref = obj->ref;
	return master ? CKPT_FILE_PTY_MASTER : CKPT_FILE_PTY_SLAVE;
}

/* whether @tty has bytes to read (or a packet status) */
static int ckpt_tty_unread(struct tty_struct *tty, struct file *file)
{
	struct tty_ldisc *ld = tty_ldisc_ref(tty);
	int ret = 0;

	if (!ld)
		return -EIO;
	if (ld->ops->num != N_TTY)
		ret = -EINVAL;
	else if (ld->ops->poll && (ld->ops->poll(tty, file, NULL) & EPOLLIN))
		ret = 1;
	tty_ldisc_deref(ld);
	return ret;
}

static int ckpt_pty_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_rec_pty r = { .objref = cpu_to_le32(obj->ref) };
	struct file *file = (struct file *)obj->priv;
	struct tty_struct *tty = obj->ptr, *slave = tty->link;
	int fd = ckpt_file_fd(ctx, file), ret, count;
	struct ktermios kt;
	struct winsize ws;
	bool packet;

	tty_lock(slave);
	count = slave->count;
	tty_unlock(slave);
	/*
	 * The slave counts its opens and one for the master; the image has
	 * the master and users - 1 slave files.
	 */
	if (count > obj->users)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: pseudo-terminal whose slave is also open outside the image",
				fd);
	spin_lock_irq(&tty->ctrl.lock);
	packet = tty->ctrl.packet;
	spin_unlock_irq(&tty->ctrl.lock);
	if (packet)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: pseudo-terminal in packet mode is not supported",
				fd);
	if (slave->flow.stopped || slave->flow.tco_stopped ||
	    tty->flow.stopped || tty->flow.tco_stopped)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: pseudo-terminal stopped by flow control",
				fd);
	ret = ckpt_tty_unread(tty, file);
	if (!ret)
		ret = ckpt_tty_unread(slave, file);
	if (ret == -EINVAL)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: pseudo-terminal with a line discipline other than N_TTY",
				fd);
	if (ret > 0)
		return ckpt_err(ctx, -EBUSY, CKPT_OBJ_FILE, fd, 0,
				"fd %d: pseudo-terminal with unread data", fd);
	if (ret)
		return ckpt_err(ctx, ret, CKPT_OBJ_FILE, fd, 0,
				"fd %d: pseudo-terminal without a line discipline",
				fd);

	down_read(&slave->termios_rwsem);
	kt = slave->termios;
	up_read(&slave->termios_rwsem);
	mutex_lock(&slave->winsize_mutex);
	ws = slave->winsize;
	mutex_unlock(&slave->winsize_mutex);

	if (test_bit(TTY_PTY_LOCK, &tty->flags))
		r.flags = cpu_to_le32(CKPT_PTY_LOCKED);
	r.index = cpu_to_le32(tty->index);
	r.c_iflag = cpu_to_le32(kt.c_iflag);
	r.c_oflag = cpu_to_le32(kt.c_oflag);
	r.c_cflag = cpu_to_le32(kt.c_cflag);
	r.c_lflag = cpu_to_le32(kt.c_lflag);
	r.c_ispeed = cpu_to_le32(kt.c_ispeed);
	r.c_ospeed = cpu_to_le32(kt.c_ospeed);
	r.c_line = kt.c_line;
	BUILD_BUG_ON(sizeof(r.c_cc) != sizeof(kt.c_cc));
	memcpy(r.c_cc, kt.c_cc, sizeof(r.c_cc));
	r.ws_row = cpu_to_le16(ws.ws_row);
	r.ws_col = cpu_to_le16(ws.ws_col);
	r.ws_xpixel = cpu_to_le16(ws.ws_xpixel);
	r.ws_ypixel = cpu_to_le16(ws.ws_ypixel);
	return ckpt_write_record(ctx, CKPT_REC_PTY, &r, sizeof(r), NULL, 0);
}

/*
 * On restart the object is the new master file (ptr, with a reference) and
 * whether a FILE record took it already (priv).
 */
static void ckpt_pty_release(struct ckpt_obj *obj)
{
	if (obj->ptr)
		fput(obj->ptr);
}

/* CKPT_REC_PTY: a new pty in the caller's /dev/ptmx, set as it was */
static int ckpt_restore_pty(struct ckpt_ctx *ctx, struct ckpt_task *t,
			    const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_pty *r = rec;
	u32 flags = le32_to_cpu(r->flags);
	struct tty_struct *tty, *slave;
	struct ktermios kt;
	struct winsize ws;
	struct file *file;
	bool master;
	int ret;

	if ((flags & ~CKPT_PTY_LOCKED) || r->c_line != N_TTY)
		return -EINVAL;
	ret = ckpt_count_files(ctx, 1);
	if (ret)
		return ret;
	file = filp_open("/dev/ptmx", O_RDWR | O_NOCTTY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	tty = ckpt_pty_master(file, &master);
	if (!tty || !master) {
		fput(file);
		return -ENODEV;
	}
	slave = tty->link;

	down_read(&slave->termios_rwsem);
	kt = slave->termios;
	up_read(&slave->termios_rwsem);
	kt.c_iflag = le32_to_cpu(r->c_iflag);
	kt.c_oflag = le32_to_cpu(r->c_oflag);
	kt.c_cflag = le32_to_cpu(r->c_cflag);
	kt.c_lflag = le32_to_cpu(r->c_lflag);
	kt.c_ispeed = le32_to_cpu(r->c_ispeed);
	kt.c_ospeed = le32_to_cpu(r->c_ospeed);
	memcpy(kt.c_cc, r->c_cc, sizeof(kt.c_cc));
	/* as TCSETS on the master would (it sets the slave's) */
	tty_set_termios(slave, &kt);

	ws.ws_row = le16_to_cpu(r->ws_row);
	ws.ws_col = le16_to_cpu(r->ws_col);
	ws.ws_xpixel = le16_to_cpu(r->ws_xpixel);
	ws.ws_ypixel = le16_to_cpu(r->ws_ypixel);
	ret = slave->ops->resize ? slave->ops->resize(slave, &ws) :
				   tty_do_resize(slave, &ws);
	if (ret) {
		fput(file);
		return ret;
	}
	/* the slave files are opened unlocked; the lock is set at the end */
	clear_bit(TTY_PTY_LOCK, &tty->flags);
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					    &ckpt_pty_ops, file,
					    flags & CKPT_PTY_LOCKED ? 2 : 0));
}

/**
 * ckpt_pty_open - an end of a pty that restart made
 * @ctx: restart context
 * @ref: the object id of its CKPT_REC_PTY
 * @master: the master (which only one FILE record may take) or a slave
 * @f_flags: the open flags of the file
 *
 * Return: the file, with a reference, or an ERR_PTR()
 */
struct file *ckpt_pty_open(struct ckpt_ctx *ctx, u32 ref, bool master,
			   u32 f_flags)
{
	struct ckpt_obj *obj = ckpt_obj_lookup(ctx, ref, &ckpt_pty_ops);
	struct tty_struct *tty;
	struct file *file;
	struct path path;
	bool m;
	int ret;

	if (!obj || !obj->ptr || (f_flags & O_ACCMODE) == O_ACCMODE)
		return ERR_PTR(-EINVAL);
	if (master) {
		/* the master's open file description is one, read-write */
		if ((obj->priv & 1) || (f_flags & O_ACCMODE) != O_RDWR)
			return ERR_PTR(-EINVAL);
		obj->priv |= 1;
		return get_file(obj->ptr);
	}
	ret = ckpt_count_files(ctx, 1);
	if (ret)
		return ERR_PTR(ret);
	tty = ckpt_pty_master(obj->ptr, &m);
	/* as TIOCGPTPEER: the slave of the devpts instance of the master */
	path.mnt = devpts_mntget(obj->ptr, tty->driver_data);
	if (IS_ERR(path.mnt))
		return ERR_CAST(path.mnt);
	path.dentry = tty->link->driver_data;
	file = dentry_open(&path, (f_flags & (O_ACCMODE | O_LARGEFILE)) |
			   O_NOCTTY, current_cred());
	mntput(path.mnt);
	return file;
}

/* restart is complete: the lock that was saved */
static int ckpt_pty_finish(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	bool m;

	if (obj->ptr && (obj->priv & 2))
		set_bit(TTY_PTY_LOCK, &ckpt_pty_master(obj->ptr, &m)->flags);
	return 0;
}

static const struct ckpt_obj_ops ckpt_pty_ops = {
	.type = CKPT_REC_PTY,
	.err_kind = CKPT_OBJ_FILE,
	.drop = ckpt_pty_drop,
	.dump = ckpt_pty_dump,
	.release = ckpt_pty_release,
	.finish = ckpt_pty_finish,
};

static const struct ckpt_rec_ops ckpt_pty_records[] = {
	{
		.type = CKPT_REC_PTY,
		.name = "PTY",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_pty),
		.max_len = sizeof(struct ckpt_rec_pty),
		.restore = ckpt_restore_pty,
	},
};

static int __init ckpt_pty_init(void)
{
	return ckpt_register_records(ckpt_pty_records,
				     ARRAY_SIZE(ckpt_pty_records));
}
core_initcall(ckpt_pty_init);
