// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: unix sockets.
 *
 * Saved: stream, datagram and seqpacket sockets, unnamed, bound to an
 * abstract name or to a path; listening sockets with the connections that
 * wait to be accepted ("embryos"); connected pairs whose two ends are in
 * the image, or whose other end was closed; datagram sockets connected to
 * a socket of the image, or to a named socket outside it; every buffer of
 * a receive queue with its files in flight (SCM_RIGHTS) and credentials
 * (SCM_CREDENTIALS); SO_PASSCRED, SO_PASSSEC, SO_PASSPIDFD, SO_PEERCRED,
 * SO_PEEK_OFF, shutdown state and the pending error.
 *
 * Refused: a stream or seqpacket socket connected to a socket outside the
 * image (restart could not join it again), a connection from outside the
 * image waiting to be accepted, a datagram socket connected to an unnamed
 * socket outside the image, a socket whose path was removed, out-of-band
 * data.
 *
 * Restart, as the caller:
 * - a socket bound to a path is bound again at that path, looked up in the
 *   caller's root (whatever root the task gets), with the saved permission
 *   bits.  If a file exists there, it is removed first only if it is the
 *   very socket file the image's socket was bound to (same device and
 *   inode) and no socket is bound to it any more (a connect(2) to it is
 *   refused): the stale file a killed process leaves.  Anything else there
 *   gives EADDRINUSE;
 * - the two ends of a pair are joined as socketpair(2) joins them; a
 *   connection waiting in a listening socket is made again by connecting
 *   its client to the restored listening socket;
 * - the data of a receive queue is sent again from the other end (for a
 *   datagram socket, from a stand-in with the sender's address), buffer by
 *   buffer, with its files in flight and its credentials (which must be
 *   ones the caller could send: SCM_CREDENTIALS' rule).  The sender's pid
 *   becomes that of the restored process at the end.
 */

#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/kdev_t.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/un.h>
#include <net/af_unix.h>
#include <net/scm.h>
#include <net/sock.h>

#include "internal.h"
#include "socket.h"

#define CKPT_UN_ADDR_MIN	offsetof(struct sockaddr_un, sun_path)

static struct ckpt_sksave *ckpt_sks(struct ckpt_obj *obj)
{
	return (struct ckpt_sksave *)obj->priv;
}

/* the address of @sk, set up fully before it was published */
static struct unix_address *ckpt_unix_addr(struct sock *sk)
{
	/* pairs with the smp_store_release() of unix_bind() and connect() */
	return smp_load_acquire(&unix_sk(sk)->addr);
}

static bool ckpt_unix_connected_type(struct sock *sk)
{
	return sk->sk_type == SOCK_STREAM || sk->sk_type == SOCK_SEQPACKET;
}

/* the bytes of a queued buffer not read yet */
static unsigned int ckpt_unix_len(struct sock *sk, struct sk_buff *skb)
{
	if (sk->sk_type == SOCK_STREAM)
		return skb->len - UNIXCB(skb).consumed;
	return skb->len;
}

/**
 * ckpt_unix_collect - the objects a unix socket refers to
 * @ctx: checkpoint context
 * @obj: the socket
 *
 * A listening socket's embryos; another socket's files in flight.
 */
int ckpt_unix_collect(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_sksave *s = ckpt_sks(obj);
	struct sock *sk = obj->ptr;
	unsigned int i;
	int ret, k;

	ret = ckpt_sock_snap_queue(&sk->sk_receive_queue, s);
	if (ret)
		return ret;
	for (i = 0; i < s->nr_skbs; i++) {
		struct sk_buff *skb = s->skbs[i];
		struct scm_fp_list *fp;
		struct ckpt_obj *o;

		if (READ_ONCE(sk->sk_state) == TCP_LISTEN) {
			o = ckpt_sock_collect_sk(ctx, skb->sk);
			if (IS_ERR(o))
				return PTR_ERR(o);
			continue;
		}
		fp = UNIXCB(skb).fp;
		for (k = 0; fp && k < fp->count; k++) {
			o = ckpt_obj_collect(ctx, &ckpt_file_ops,
					     get_file(fp->fp[k]));
			if (IS_ERR(o))
				return PTR_ERR(o);
		}
	}
	return 0;
}

/* the socket is bound itself (not an address inherited from a listener) */
static bool ckpt_unix_owns_addr(struct sock *sk)
{
	struct unix_address *addr = ckpt_unix_addr(sk);

	if (!addr)
		return false;
	if (addr->name->sun_path[0])
		return !hlist_unhashed(&sk->sk_bind_node);
	return sk->sk_hash > UNIX_HASH_MOD;
}

/* the path of the socket file @sk is bound to, a copy; NULL if none */
static char *ckpt_unix_path(struct ckpt_ctx *ctx, struct sock *sk, int *err)
{
	struct unix_sock *u = unix_sk(sk);
	u32 len;
	char *p;

	*err = 0;
	if (!ckpt_unix_addr(sk) || !u->path.dentry)
		return NULL;
	if (d_unlinked(u->path.dentry)) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	p = ckpt_path(ctx, &u->path, &len);
	if (IS_ERR(p)) {
		*err = PTR_ERR(p);
		return NULL;
	}
	p = kstrdup(p, GFP_KERNEL);
	if (!p)
		*err = -ENOMEM;
	return p;
}

/*
 * Write the SOCKET record of @obj.  @ext is a datagram peer outside the
 * image, found again by its name.
 */
static int ckpt_unix_write(struct ckpt_ctx *ctx, struct ckpt_obj *obj,
			   u32 state, u32 flags, u32 peer_ref,
			   u32 listener_ref, struct sock *ext)
{
	struct ckpt_sksave *s = ckpt_sks(obj);
	struct sock *sk = obj->ptr;
	struct unix_sock *u = unix_sk(sk);
	struct unix_address *addr = ckpt_unix_addr(sk), *paddr = NULL;
	struct ckpt_rec_socket r = {};
	char *path = NULL, *peer_path = NULL;
	u64 bytes = 0;
	unsigned int i;
	int ret;

#if IS_ENABLED(CONFIG_AF_UNIX_OOB)
	if (READ_ONCE(u->oob_skb))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "out-of-band data (MSG_OOB) is not supported");
#endif
	ckpt_sock_fill(ctx, sk, &r);
	if (ckpt_unix_owns_addr(sk)) {
		flags |= CKPT_SOCK_BOUND;
		path = ckpt_unix_path(ctx, sk, &ret);
		if (ret == -EOPNOTSUPP)
			return ckpt_sock_err(ctx, obj, ret,
					     "unix socket whose path was removed");
		if (ret)
			return ckpt_sock_err(ctx, obj, ret,
					     "unix socket bound outside the root");
		if (path) {
			struct inode *inode = d_inode(u->path.dentry);

			r.mode = cpu_to_le32(inode->i_mode & 07777);
			r.dev = cpu_to_le64(new_encode_dev(inode->i_sb->s_dev));
			r.ino = cpu_to_le64(inode->i_ino);
		}
	}
	if (ext) {
		paddr = ckpt_unix_addr(ext);
		peer_path = ckpt_unix_path(ctx, ext, &ret);
		if (ret) {
			ret = ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
					    "datagram peer's path cannot be found again");
			goto out;
		}
	}
	r.state = cpu_to_le32(state);
	r.flags |= cpu_to_le32(flags);
	r.peer_ref = cpu_to_le32(peer_ref);
	r.listener_ref = cpu_to_le32(listener_ref);
	if (state == CKPT_SOCK_LISTEN) {
		r.backlog = cpu_to_le32(READ_ONCE(sk->sk_max_ack_backlog));
	} else {
		for (i = 0; i < s->nr_skbs; i++)
			bytes += ckpt_unix_len(sk, s->skbs[i]);
		r.rcvq_msgs = cpu_to_le32(s->nr_skbs);
		r.rcvq_bytes = cpu_to_le64(bytes);
	}
	r.addr_len = cpu_to_le32(addr ? addr->len : 0);
	r.peer_addr_len = cpu_to_le32(paddr ? paddr->len : 0);
	ret = ckpt_sock_write(ctx, obj, &r, addr ? addr->name : NULL,
			      paddr ? paddr->name : NULL, path, peer_path);
out:
	kfree(path);
	kfree(peer_path);
	return ret;
}

/*
 * A listening socket and, in the order accept(2) would return them, the
 * connections waiting in it: each client first (unless it was closed),
 * then the embryo as its peer.
 */
static int ckpt_unix_dump_listener(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_sksave *s = ckpt_sks(obj);
	unsigned int i;
	int ret;

	ret = ckpt_unix_write(ctx, obj, CKPT_SOCK_LISTEN, 0, 0, 0, NULL);
	for (i = 0; i < s->nr_skbs && !ret; i++) {
		struct sock *esk = s->skbs[i]->sk;
		struct ckpt_obj *eobj = ckpt_sock_find(ctx, esk);
		struct ckpt_obj *cobj = NULL;
		struct sock *client;

		if (WARN_ON_ONCE(!eobj))
			return -EINVAL;
		client = unix_peer_get(esk);
		if (client && !sock_flag(client, SOCK_DEAD)) {
			cobj = ckpt_sock_in_image(ctx, client) ?
			       ckpt_sock_find(ctx, client) : NULL;
			if (!cobj || (ckpt_sks(cobj)->flags & CKPT_SKS_WRITTEN)) {
				sock_put(client);
				return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
						     "a connection from outside the image waits to be accepted");
			}
		}
		if (client)
			sock_put(client);
		if (cobj)
			ret = ckpt_unix_write(ctx, cobj, CKPT_SOCK_CONNECTED,
					      CKPT_SOCK_PAIRED, 0, 0, NULL);
		if (!ret)
			ret = ckpt_unix_write(ctx, eobj, CKPT_SOCK_CONNECTED,
					      cobj ? 0 : CKPT_SOCK_PEER_GONE,
					      cobj ? cobj->ref : 0, obj->ref,
					      NULL);
	}
	return ret;
}

/* a connected stream or seqpacket socket */
static int ckpt_unix_dump_stream(struct ckpt_ctx *ctx, struct ckpt_obj *obj,
				 struct sock *peer)
{
	struct unix_sock *pu = unix_sk(peer);
	struct ckpt_obj *pobj;
	struct sock *l;

	if (sock_flag(peer, SOCK_DEAD))
		return ckpt_unix_write(ctx, obj, CKPT_SOCK_CONNECTED,
				       CKPT_SOCK_PEER_GONE, 0, 0, NULL);
	l = READ_ONCE(pu->listener);
	if (l) {
		/* not accepted yet: its listening socket writes the pair */
		pobj = ckpt_sock_find(ctx, l);
		if (pobj && ckpt_sock_in_image(ctx, l)) {
			int ret = ckpt_obj_dump(ctx, pobj);

			if (ret || (ckpt_sks(obj)->flags & CKPT_SKS_WRITTEN))
				return ret;
		}
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "connected to a listening socket outside the image");
	}
	pobj = ckpt_sock_in_image(ctx, peer) ? ckpt_sock_find(ctx, peer) : NULL;
	if (!pobj)
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "unix socket connected to a socket outside the image");
	if (ckpt_sks(pobj)->flags & CKPT_SKS_WRITTEN)
		return -EINVAL;
	return ckpt_unix_write(ctx, obj, CKPT_SOCK_CONNECTED, CKPT_SOCK_PAIRED,
			       0, 0, NULL) ?:
	       ckpt_unix_write(ctx, pobj, CKPT_SOCK_CONNECTED, 0, obj->ref, 0,
			       NULL);
}

/* a datagram socket with a peer */
static int ckpt_unix_dump_dgram(struct ckpt_ctx *ctx, struct ckpt_obj *obj,
				struct sock *peer)
{
	struct ckpt_obj *pobj;

	if (sock_flag(peer, SOCK_DEAD))
		return ckpt_unix_write(ctx, obj, CKPT_SOCK_CONNECTED,
				       CKPT_SOCK_PEER_GONE, 0, 0, NULL);
	pobj = ckpt_sock_in_image(ctx, peer) ? ckpt_sock_find(ctx, peer) : NULL;
	if (pobj)
		return ckpt_unix_write(ctx, obj, CKPT_SOCK_CONNECTED, 0,
				       pobj->ref, 0, NULL);
	if (!ckpt_unix_addr(peer))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "datagram socket connected to an unnamed socket outside the image");
	return ckpt_unix_write(ctx, obj, CKPT_SOCK_CONNECTED,
			       CKPT_SOCK_PEER_NAME, 0, 0, peer);
}

/**
 * ckpt_unix_dump - write the records of a unix socket
 * @ctx: checkpoint context
 * @obj: the socket, and its peer if they are written as a pair
 */
int ckpt_unix_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct sock *sk = obj->ptr, *peer, *l;
	int ret;

	if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
		return ckpt_unix_dump_listener(ctx, obj);
	l = READ_ONCE(unix_sk(sk)->listener);
	if (l) {
		/* an embryo is written by its listening socket */
		struct ckpt_obj *lobj = ckpt_sock_find(ctx, l);

		if (!lobj)
			return -EINVAL;
		ret = ckpt_obj_dump(ctx, lobj);
		if (!ret && !(ckpt_sks(obj)->flags & CKPT_SKS_WRITTEN))
			ret = -EINVAL;
		return ret;
	}
	peer = unix_peer_get(sk);
	if (!peer)
		return ckpt_unix_write(ctx, obj, CKPT_SOCK_UNCONNECTED, 0, 0, 0,
				       NULL);
	if (ckpt_unix_connected_type(sk))
		ret = ckpt_unix_dump_stream(ctx, obj, peer);
	else
		ret = ckpt_unix_dump_dgram(ctx, obj, peer);
	sock_put(peer);
	return ret;
}

/**
 * ckpt_unix_dump_queue - write the receive queue of a unix socket
 * @ctx: checkpoint context
 * @obj: the socket, whose SOCKET record is written
 *
 * The files in flight are written first (their records, and those of the
 * sockets they hold), then the buffers.
 */
int ckpt_unix_dump_queue(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_sksave *s = ckpt_sks(obj);
	struct user_namespace *ns = current_user_ns();
	struct sock *sk = obj->ptr;
	struct ckpt_qwriter w;
	__le32 *fds = NULL;
	unsigned int i;
	int ret, k;

	if (READ_ONCE(sk->sk_state) == TCP_LISTEN || !s->nr_skbs)
		return 0;
	ret = ckpt_qw_init(&w, ctx, obj->ref, CKPT_QUEUE_RECV);
	if (!ret) {
		fds = kmalloc_array(SCM_MAX_FD, sizeof(*fds), GFP_KERNEL);
		if (!fds)
			ret = -ENOMEM;
	}
	for (i = 0; i < s->nr_skbs && !ret; i++) {
		struct sk_buff *skb = s->skbs[i];
		struct scm_fp_list *fp = UNIXCB(skb).fp;
		struct unix_address *addr = NULL;
		struct ckpt_sock_msg m = {};

		for (k = 0; fp && k < fp->count && !ret; k++) {
			struct ckpt_obj *fobj = ckpt_obj_find(ctx, fp->fp[k]);

			if (WARN_ON_ONCE(!fobj))
				ret = -EINVAL;
			else
				ret = ckpt_obj_dump(ctx, fobj);
			if (!ret)
				fds[k] = cpu_to_le32(fobj->ref);
		}
		if (ret)
			break;
		if (!ckpt_unix_connected_type(sk) && skb->sk)
			addr = ckpt_unix_addr(skb->sk);
		m.len = cpu_to_le32(ckpt_unix_len(sk, skb));
		m.nr_fds = cpu_to_le32(fp ? fp->count : 0);
		m.name_len = cpu_to_le32(addr ? addr->len : 0);
		if (UNIXCB(skb).pid || uid_valid(UNIXCB(skb).uid)) {
			m.flags = cpu_to_le32(CKPT_MSG_CREDS);
			m.pid = cpu_to_le32(ckpt_sock_pid(ctx, UNIXCB(skb).pid));
			m.uid = cpu_to_le32(from_kuid_munged(ns, UNIXCB(skb).uid));
			m.gid = cpu_to_le32(from_kgid_munged(ns, UNIXCB(skb).gid));
		}
		ret = ckpt_qw_add(&w, &m, fds, addr ? addr->name : NULL, skb,
				  skb->len - le32_to_cpu(m.len), NULL);
		if (ret == -E2BIG)
			ret = ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
					    "a queued buffer is too large");
	}
	if (!ret)
		ret = ckpt_qw_flush(&w);
	kfree(fds);
	ckpt_qw_free(&w);
	return ret;
}

/* restart */

/* run @fn with a private fs_struct whose working directory is @dir */
static int ckpt_unix_in_dir(struct ckpt_ctx *ctx, const struct path *dir,
			    int umask, int (*fn)(void *), void *arg)
{
	struct fs_struct *fs, *old;
	int ret;

	fs = copy_fs_struct(current->fs);
	if (!fs)
		return -ENOMEM;
	set_fs_root(fs, &ctx->root);
	set_fs_pwd(fs, dir);
	fs->umask = umask;
	task_lock(current);
	old = current->fs;
	current->fs = fs;
	task_unlock(current);
	ret = fn(arg);
	task_lock(current);
	current->fs = old;
	task_unlock(current);
	free_fs_struct(fs);
	return ret;
}

struct ckpt_unix_call {
	struct socket *sock;
	struct sockaddr_un sun;
	int len;
	int flags;
};

static int ckpt_unix_do_bind(void *arg)
{
	struct ckpt_unix_call *c = arg;

	return kernel_bind(c->sock, (struct sockaddr *)&c->sun, c->len);
}

static int ckpt_unix_do_connect(void *arg)
{
	struct ckpt_unix_call *c = arg;

	return kernel_connect(c->sock, (struct sockaddr *)&c->sun, c->len,
			      c->flags);
}

/* a unix address of the image: AF_UNIX, a name, within sockaddr_un */
static bool ckpt_unix_addr_ok(const u8 *a, u32 len)
{
	const struct sockaddr_un *sun = (const void *)a;
	sa_family_t family;

	if (!len)
		return true;
	if (len <= CKPT_UN_ADDR_MIN || len > sizeof(*sun))
		return false;
	memcpy(&family, a, sizeof(family));
	if (family != AF_UNIX)
		return false;
	/* a path is a NUL-free string, at most NUL-terminated */
	if (sun->sun_path[0])
		return !memchr(sun->sun_path, 0, len - CKPT_UN_ADDR_MIN - 1);
	return true;
}

/* @c for the file @name in a directory (relative: see ckpt_unix_in_dir) */
static int ckpt_unix_call_name(struct ckpt_unix_call *c, const char *name)
{
	size_t n = strlen(name);

	memset(&c->sun, 0, sizeof(c->sun));
	if (!n || n >= sizeof(c->sun.sun_path))
		return -EINVAL;
	c->sun.sun_family = AF_UNIX;
	memcpy(c->sun.sun_path, name, n);
	c->len = CKPT_UN_ADDR_MIN + n + 1;
	return 0;
}

/* split the absolute @path into its directory (looked up) and its name */
static int ckpt_unix_lookup_parent(struct ckpt_ctx *ctx, const char *path,
				   struct path *parent, char **name)
{
	const char *last = strrchr(path, '/');
	char *dir;
	int ret;

	if (!last || !last[1] || !strcmp(last, "/.") || !strcmp(last, "/.."))
		return -EINVAL;
	dir = kstrndup(path, max_t(size_t, last - path, 1), GFP_KERNEL);
	*name = kstrdup(last + 1, GFP_KERNEL);
	ret = dir && *name ? 0 : -ENOMEM;
	if (!ret)
		ret = ckpt_lookup(ctx, dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
				  parent);
	kfree(dir);
	return ret;
}

/* whether a socket is bound to the socket file @name in @dir */
static int ckpt_unix_file_live(struct ckpt_ctx *ctx, const struct path *dir,
			       const char *name)
{
	struct ckpt_unix_call c = {};
	int ret;

	ret = sock_create(AF_UNIX, SOCK_DGRAM, 0, &c.sock);
	if (ret)
		return ret;
	ret = ckpt_unix_call_name(&c, name);
	if (!ret)
		ret = ckpt_unix_in_dir(ctx, dir, 0, ckpt_unix_do_connect, &c);
	sock_release(c.sock);
	/* connect(2) to a file no socket is bound to is refused */
	return ret == -ECONNREFUSED ? 0 : -EADDRINUSE;
}

/*
 * The socket file at @name in @dir, if any, is the one the image's socket
 * was bound to and no socket is bound to it any more: remove it, with the
 * caller's permission to do so.
 */
static int ckpt_unix_clear_stale(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	struct inode *dir = d_inode(rs->parent.dentry);
	struct dentry *d;
	int ret;

	d = lookup_one_len_unlocked(rs->name, rs->parent.dentry,
				    strlen(rs->name));
	if (IS_ERR(d))
		return PTR_ERR(d);
	ret = 0;
	if (d_is_positive(d)) {
		struct inode *inode = d_inode(d);

		if (!S_ISSOCK(inode->i_mode) ||
		    new_encode_dev(inode->i_sb->s_dev) != le64_to_cpu(rs->rec.dev) ||
		    inode->i_ino != le64_to_cpu(rs->rec.ino))
			ret = -EADDRINUSE;
		else
			ret = 1;
	}
	dput(d);
	if (ret <= 0)
		return ret;
	ret = ckpt_unix_file_live(ctx, &rs->parent, rs->name);
	if (ret)
		return ret;

	ret = mnt_want_write(rs->parent.mnt);
	if (ret)
		return ret;
	inode_lock_nested(dir, I_MUTEX_PARENT);
	d = lookup_one_len(rs->name, rs->parent.dentry, strlen(rs->name));
	ret = PTR_ERR_OR_ZERO(d);
	if (!ret) {
		if (d_is_negative(d)) {
			ret = 0;
		} else if (d_inode(d)->i_ino != le64_to_cpu(rs->rec.ino) ||
			   !S_ISSOCK(d_inode(d)->i_mode)) {
			ret = -EADDRINUSE;
		} else {
			ret = security_path_unlink(&rs->parent, d);
			if (!ret)
				ret = vfs_unlink(mnt_idmap(rs->parent.mnt), dir,
						 d, NULL);
		}
		dput(d);
	}
	inode_unlock(dir);
	mnt_drop_write(rs->parent.mnt);
	return ret;
}

/* give @sk the address @a (its own name, or one inherited) */
static int ckpt_unix_set_addr(struct sock *sk, const void *a, u32 len)
{
	struct unix_sock *u = unix_sk(sk);
	struct unix_address *addr, *old;

	addr = kmalloc(sizeof(*addr) + len, GFP_KERNEL_ACCOUNT);
	if (!addr)
		return -ENOMEM;
	refcount_set(&addr->refcnt, 1);
	addr->len = len;
	memcpy(addr->name, a, len);
	unix_state_lock(sk);
	old = u->addr;
	/* @addr is complete before readers see it, as unix_bind() does */
	smp_store_release(&u->addr, addr);
	unix_state_unlock(sk);
	if (old && refcount_dec_and_test(&old->refcnt))
		kfree(old);
	return 0;
}

/* bind @rs again to its path, see the rules at the top */
static int ckpt_unix_bind_path(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
			       const u8 *addr, const char *path)
{
	u32 len = le32_to_cpu(rs->rec.addr_len);
	struct ckpt_unix_call c = { .sock = rs->sock };
	int ret;

	if (le32_to_cpu(rs->rec.mode) & ~0777U)
		return -EINVAL;
	ret = ckpt_unix_lookup_parent(ctx, path, &rs->parent, &rs->name);
	if (!ret)
		ret = ckpt_unix_call_name(&c, rs->name);
	if (!ret)
		ret = ckpt_unix_clear_stale(ctx, rs);
	if (!ret)
		ret = ckpt_unix_in_dir(ctx, &rs->parent,
				       0777 & ~le32_to_cpu(rs->rec.mode),
				       ckpt_unix_do_bind, &c);
	/* its socket file is ours to remove if restart fails */
	rs->bound = !ret;
	/* the name it was bound with, which may have been relative */
	if (!ret)
		ret = ckpt_unix_set_addr(rs->sk, addr, len);
	return ret;
}

/* bind @rs to the abstract name @a */
static int ckpt_unix_bind_abstract(struct ckpt_rsock *rs, const u8 *a, u32 len)
{
	struct ckpt_unix_call c = { .sock = rs->sock, .len = len };

	memcpy(&c.sun, a, len);
	return ckpt_unix_do_bind(&c);
}

/* connect the socket of @c to the restored (listening) socket @to */
static int ckpt_unix_connect_to(struct ckpt_ctx *ctx, struct ckpt_rsock *to,
				struct ckpt_unix_call *c)
{
	struct unix_address *addr = ckpt_unix_addr(to->sk);
	int ret;

	if (!addr)
		return -EINVAL;
	if (to->name) {
		ret = ckpt_unix_call_name(c, to->name);
		return ret ?: ckpt_unix_in_dir(ctx, &to->parent, 0,
					       ckpt_unix_do_connect, c);
	}
	if (addr->name->sun_path[0])
		return -EINVAL;
	memcpy(&c->sun, addr->name, addr->len);
	c->len = addr->len;
	return ckpt_unix_do_connect(c);
}

/* an embryo: its client connects to the restored listening socket */
static int ckpt_unix_make_embryo(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	const struct ckpt_rec_socket *r = &rs->rec;
	struct ckpt_rsock *l = ckpt_rsock_get(ctx, le32_to_cpu(r->listener_ref));
	struct ckpt_net *net = ctx->net;
	struct ckpt_unix_call c = { .flags = O_NONBLOCK };
	struct ckpt_rsock *client = NULL;
	struct sock *esk;
	int ret;

	if (!l || l->rec.family != r->family || l->rec.type != r->type ||
	    le32_to_cpu(l->rec.state) != CKPT_SOCK_LISTEN || !l->sock ||
	    r->addr_len != l->rec.addr_len)
		return -EINVAL;
	if (le32_to_cpu(r->flags) & CKPT_SOCK_PEER_GONE) {
		if (r->peer_ref || net->pending)
			return -EINVAL;
		ret = sock_create(AF_UNIX, le16_to_cpu(r->type), 0, &rs->tmp);
		if (ret)
			return ret;
		c.sock = rs->tmp;
	} else {
		client = net->pending ? net->pending->ptr : NULL;
		if (!client || le32_to_cpu(r->peer_ref) != net->pending_ref ||
		    client->rec.family != r->family ||
		    client->rec.type != r->type || client->rec.listener_ref ||
		    (le32_to_cpu(client->rec.flags) &
		     (CKPT_SOCK_PEER_GONE | CKPT_SOCK_PEER_NAME)))
			return -EINVAL;
		c.sock = client->sock;
		ckpt_sock_pair_done(ctx);
	}
	ret = ckpt_unix_connect_to(ctx, l, &c);
	if (ret)
		return ret;
	esk = unix_peer_get(c.sock->sk);
	if (!esk)
		return -ECONNRESET;
	rs->sk = esk;
	if (READ_ONCE(unix_sk(esk)->listener) != l->sk)
		return -EINVAL;
	return 0;
}

/* the sender of a connected receive queue: the other end */
static int ckpt_unix_join(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	const struct ckpt_rec_socket *r = &rs->rec;
	struct ckpt_net *net = ctx->net;
	u32 flags = le32_to_cpu(r->flags);
	struct ckpt_rsock *first;
	int ret;

	if (flags & CKPT_SOCK_PAIRED)
		return r->peer_ref || (flags & CKPT_SOCK_PEER_GONE) ? -EINVAL : 0;
	if (flags & CKPT_SOCK_PEER_GONE) {
		if (r->peer_ref)
			return -EINVAL;
		ret = sock_create(AF_UNIX, le16_to_cpu(r->type), 0, &rs->tmp);
		return ret ?: rs->sock->ops->socketpair(rs->sock, rs->tmp);
	}
	first = net->pending ? net->pending->ptr : NULL;
	if (!first || le32_to_cpu(r->peer_ref) != net->pending_ref ||
	    first->rec.family != r->family || first->rec.type != r->type ||
	    first->rec.listener_ref || !first->sock)
		return -EINVAL;
	ckpt_sock_pair_done(ctx);
	return rs->sock->ops->socketpair(first->sock, rs->sock);
}

/* a datagram socket's peer outside the image, found again by its name */
static int ckpt_unix_find_peer(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
			       const u8 *paddr, const char *peer_path)
{
	u32 len = le32_to_cpu(rs->rec.peer_addr_len);
	struct ckpt_unix_call c = { .sock = rs->sock };
	struct path dir = {};
	char *name = NULL;
	struct sock *sk = rs->sock->sk;
	int ret;

	if (len <= CKPT_UN_ADDR_MIN)
		return -EINVAL;
	if (paddr[CKPT_UN_ADDR_MIN]) {
		if (!peer_path)
			return -EINVAL;
		ret = ckpt_unix_lookup_parent(ctx, peer_path, &dir, &name);
		if (!ret)
			ret = ckpt_unix_call_name(&c, name);
		if (!ret)
			ret = ckpt_unix_in_dir(ctx, &dir, 0,
					       ckpt_unix_do_connect, &c);
		path_put(&dir);
		kfree(name);
	} else {
		if (peer_path)
			return -EINVAL;
		memcpy(&c.sun, paddr, len);
		c.len = len;
		ret = ckpt_unix_do_connect(&c);
	}
	if (ret)
		return ret;
	/* held apart until the end, so the queue can be replayed */
	unix_state_lock(sk);
	rs->peer = unix_peer(sk);
	unix_peer(sk) = NULL;
	WRITE_ONCE(sk->sk_state, TCP_CLOSE);
	unix_state_unlock(sk);
	return rs->peer ? 0 : -ECONNRESET;
}

static int ckpt_unix_rec_valid(const struct ckpt_rec_socket *r,
			       const u8 *addr, const u8 *paddr,
			       const char *path, const char *peer_path)
{
	const u32 inet_only = CKPT_SOCK_REUSEPORT | CKPT_SOCK_V6ONLY |
			      CKPT_SOCK_BROADCAST | CKPT_SOCK_FREEBIND |
			      CKPT_SOCK_BINDADDR | CKPT_SOCK_HANDSHAKE;
	u32 flags = le32_to_cpu(r->flags), state = le32_to_cpu(r->state);
	u16 type = le16_to_cpu(r->type);
	bool conn = type == SOCK_STREAM || type == SOCK_SEQPACKET;
	u32 alen = le32_to_cpu(r->addr_len);
	u32 path_len = le32_to_cpu(r->path_len);
	u32 pp_len = le32_to_cpu(r->peer_path_len);

	if (!conn && type != SOCK_DGRAM)
		return -EINVAL;
	if (r->protocol || (flags & inet_only) || r->sndq_bytes)
		return -EINVAL;
	if (!ckpt_unix_addr_ok(addr, alen) ||
	    !ckpt_unix_addr_ok(paddr, le32_to_cpu(r->peer_addr_len)))
		return -EINVAL;
	if ((flags & CKPT_SOCK_BOUND) && alen <= CKPT_UN_ADDR_MIN)
		return -EINVAL;
	/* a path name has its path, an abstract one none */
	if ((flags & CKPT_SOCK_BOUND) && !!addr[CKPT_UN_ADDR_MIN] != !!path_len)
		return -EINVAL;
	if (path_len && (!(flags & CKPT_SOCK_BOUND) ||
			 !ckpt_valid_str(path, path_len, PATH_MAX) ||
			 path[0] != '/'))
		return -EINVAL;
	if (pp_len && (!ckpt_valid_str(peer_path, pp_len, PATH_MAX) ||
		       peer_path[0] != '/'))
		return -EINVAL;
	if (!(flags & CKPT_SOCK_PEER_NAME) && (r->peer_addr_len || pp_len))
		return -EINVAL;
	if (r->backlog && state != CKPT_SOCK_LISTEN)
		return -EINVAL;
	switch (state) {
	case CKPT_SOCK_LISTEN:
		if (!conn || !(flags & CKPT_SOCK_BOUND) || r->rcvq_msgs ||
		    r->rcvq_bytes)
			return -EINVAL;
		fallthrough;
	case CKPT_SOCK_UNCONNECTED:
		if (r->peer_ref || r->listener_ref ||
		    (flags & (CKPT_SOCK_PAIRED | CKPT_SOCK_PEER_GONE |
			      CKPT_SOCK_PEER_NAME)))
			return -EINVAL;
		break;
	case CKPT_SOCK_CONNECTED:
		if (!conn && (r->listener_ref || (flags & CKPT_SOCK_PAIRED)))
			return -EINVAL;
		if (conn && (flags & CKPT_SOCK_PEER_NAME))
			return -EINVAL;
		if (r->listener_ref && (flags & (CKPT_SOCK_PAIRED | CKPT_SOCK_BOUND)))
			return -EINVAL;
		if (!!(flags & CKPT_SOCK_PEER_NAME) + !!(flags & CKPT_SOCK_PEER_GONE) +
		    !!r->peer_ref > 1)
			return -EINVAL;
		if (!conn && !(flags & (CKPT_SOCK_PEER_NAME | CKPT_SOCK_PEER_GONE)) &&
		    !r->peer_ref)
			return -EINVAL;
		break;
	}
	return 0;
}

/**
 * ckpt_unix_restore - make a unix socket of the image
 * @ctx: restart context
 * @rs: the socket, with its record
 * @data: the record's variable part
 */
int ckpt_unix_restore(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
		      const u8 *data)
{
	const struct ckpt_rec_socket *r = &rs->rec;
	u32 alen = le32_to_cpu(r->addr_len), plen = le32_to_cpu(r->peer_addr_len);
	const u8 *paddr = data + alen;
	const char *path = r->path_len ? (const char *)paddr + plen : NULL;
	const char *peer_path = r->peer_path_len ? (const char *)paddr + plen +
				le32_to_cpu(r->path_len) : NULL;
	u32 flags = le32_to_cpu(r->flags), state = le32_to_cpu(r->state);
	int ret;

	ret = ckpt_unix_rec_valid(r, data, paddr, path, peer_path);
	if (ret)
		return ret;
	if (r->listener_ref)
		return ckpt_unix_make_embryo(ctx, rs);

	ret = sock_create(AF_UNIX, le16_to_cpu(r->type), 0, &rs->sock);
	if (ret)
		return ret;
	rs->sk = rs->sock->sk;
	sock_hold(rs->sk);
	ret = ckpt_sock_restore_opts(rs);
	if (ret)
		return ret;
	if ((flags & CKPT_SOCK_BOUND) && path)
		ret = ckpt_unix_bind_path(ctx, rs, data, path);
	else if (flags & CKPT_SOCK_BOUND)
		ret = ckpt_unix_bind_abstract(rs, data, alen);
	else if (alen > CKPT_UN_ADDR_MIN)
		ret = ckpt_unix_set_addr(rs->sk, data, alen);
	if (ret)
		return ret;

	switch (state) {
	case CKPT_SOCK_LISTEN:
		return kernel_listen(rs->sock, le32_to_cpu(r->backlog));
	case CKPT_SOCK_CONNECTED:
		if (ckpt_unix_connected_type(rs->sk))
			return ckpt_unix_join(ctx, rs);
		if (flags & CKPT_SOCK_PEER_NAME)
			return ckpt_unix_find_peer(ctx, rs, paddr, peer_path);
		if (flags & CKPT_SOCK_PEER_GONE)
			return sock_create(AF_UNIX, SOCK_DGRAM, 0, &rs->tmp);
		return 0;	/* its peer is linked at the end */
	}
	return 0;
}

/* a table of fds for SCM_RIGHTS, current's while it is installed */
struct ckpt_unix_fdtab {
	struct files_struct *tmp;
	struct files_struct *old;
};

static int ckpt_unix_fdtab_on(struct ckpt_unix_fdtab *t)
{
	struct fd_range all = { 0, ~0U };

	t->tmp = dup_fd(current->files, &all);
	if (IS_ERR(t->tmp))
		return PTR_ERR(t->tmp);
	task_lock(current);
	t->old = current->files;
	current->files = t->tmp;
	task_unlock(current);
	return 0;
}

static void ckpt_unix_fdtab_off(struct ckpt_unix_fdtab *t)
{
	if (!t->old)
		return;
	task_lock(current);
	current->files = t->old;
	task_unlock(current);
	put_files_struct(t->tmp);
	t->old = NULL;
}

/* a stand-in that sends to @rs from the sender's address @name */
static int ckpt_unix_tmp_sender(struct ckpt_rsock *rs, const void *name,
				u32 len, struct socket **tp)
{
	struct socket *tmp;
	struct sock *sk;
	int ret;

	ret = sock_create(AF_UNIX, SOCK_DGRAM, 0, &tmp);
	if (ret)
		return ret;
	sk = tmp->sk;
	WRITE_ONCE(sk->sk_sndbuf, INT_MAX);
	if (len > CKPT_UN_ADDR_MIN) {
		ret = ckpt_unix_set_addr(sk, name, len);
		if (ret) {
			sock_release(tmp);
			return ret;
		}
	}
	unix_state_lock(sk);
	sock_hold(rs->sk);
	unix_peer(sk) = rs->sk;
	WRITE_ONCE(sk->sk_state, TCP_ESTABLISHED);
	unix_state_unlock(sk);
	*tp = tmp;
	return 0;
}

/* credentials whose ids are those of a queued buffer */
static const struct cred *ckpt_unix_msg_cred(struct ckpt_ctx *ctx,
					     const struct ckpt_sock_msg *m)
{
	struct user_namespace *ns = ctx->caller_cred->user_ns;
	u32 uid = le32_to_cpu(m->uid), gid = le32_to_cpu(m->gid);
	struct cred *cred;

	if (!ckpt_sock_ids_ok(ctx, uid, gid))
		return ERR_PTR(-EPERM);
	cred = prepare_creds();
	if (!cred)
		return ERR_PTR(-ENOMEM);
	cred->uid = make_kuid(ns, uid);
	cred->euid = cred->uid;
	cred->suid = cred->uid;
	cred->gid = make_kgid(ns, gid);
	cred->egid = cred->gid;
	cred->sgid = cred->gid;
	return cred;
}

/* send one buffer of the image from @from to @rs */
static int ckpt_unix_send(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
			  struct socket *from, const struct ckpt_sock_msg *m,
			  const __le32 *fds, const void *data)
{
	u32 len = le32_to_cpu(m->len), nfd = le32_to_cpu(m->nr_fds);
	bool creds = le32_to_cpu(m->flags) & CKPT_MSG_CREDS;
	size_t clen = (nfd ? CMSG_SPACE(nfd * sizeof(int)) : 0) +
		      (creds ? CMSG_SPACE(sizeof(struct ucred)) : 0);
	struct kvec kv = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct sk_buff_head *q = &rs->sk->sk_receive_queue;
	const struct cred *cred = NULL, *old = NULL;
	struct sk_buff *prev, *skb;
	struct cmsghdr *cm;
	void *cbuf = NULL;
	int ret = 0, *fdp;
	u32 i, nskb;

	if (clen) {
		cbuf = kzalloc(clen, GFP_KERNEL);
		if (!cbuf)
			return -ENOMEM;
		msg.msg_control = cbuf;
		msg.msg_controllen = clen;
	}
	cm = cbuf;
	if (nfd) {
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfd * sizeof(int));
		fdp = (int *)CMSG_DATA(cm);
		for (i = 0; i < nfd; i++)
			fdp[i] = -1;
		for (i = 0; i < nfd && !ret; i++) {
			struct file *f = ckpt_obj_get(ctx, le32_to_cpu(fds[i]),
						      &ckpt_file_ops);

			if (IS_ERR_OR_NULL(f)) {
				ret = -EINVAL;
				break;
			}
			ret = get_unused_fd_flags(0);
			if (ret < 0)
				break;
			fdp[i] = ret;
			fd_install(ret, get_file(f));
			ret = 0;
		}
		cm = (void *)cm + CMSG_SPACE(nfd * sizeof(int));
	}
	if (!ret && creds) {
		struct ucred uc = {
			.pid = task_tgid_vnr(current),
			.uid = le32_to_cpu(m->uid),
			.gid = le32_to_cpu(m->gid),
		};

		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
		cred = ckpt_unix_msg_cred(ctx, m);
		if (IS_ERR(cred)) {
			ret = PTR_ERR(cred);
			cred = NULL;
		}
	}
	if (ret)
		goto out;

	spin_lock_bh(&q->lock);
	prev = skb_peek_tail(q);
	spin_unlock_bh(&q->lock);
	if (cred)
		old = override_creds(cred);
	ret = kernel_sendmsg(from, &msg, &kv, 1, len);
	if (cred)
		revert_creds(old);
	if (ret >= 0)
		ret = ret == len ? 0 : -ENOBUFS;
	if (ret || !creds)
		goto out;
	/*
	 * The buffers just queued get their sender's pid at the end: count
	 * them, make room (which may sleep), then note them.  Only restart
	 * touches the queue: none of its tasks runs yet.
	 */
	spin_lock_bh(&q->lock);
	skb = prev ? prev->next : q->next;
	for (nskb = 0; skb != (struct sk_buff *)q; skb = skb->next)
		nskb += skb->sk == from->sk;
	spin_unlock_bh(&q->lock);
	ret = ckpt_sock_reserve_fix(rs, nskb);
	if (ret)
		goto out;
	spin_lock_bh(&q->lock);
	skb = prev ? prev->next : q->next;
	for (; nskb && skb != (struct sk_buff *)q; skb = skb->next) {
		if (skb->sk == from->sk) {
			ckpt_sock_add_fix(rs, skb, le32_to_cpu(m->pid));
			nskb--;
		}
	}
	spin_unlock_bh(&q->lock);
out:
	if (nfd) {
		fdp = (int *)CMSG_DATA((struct cmsghdr *)cbuf);
		for (i = 0; i < nfd; i++)
			if (fdp[i] >= 0)
				close_fd(fdp[i]);
	}
	if (cred)
		put_cred(cred);
	kfree(cbuf);
	return ret;
}

/* one message of a queue record, checked; its parts */
static int ckpt_unix_msg(struct ckpt_rsock *rs, const u8 **pp, const u8 *end,
			 const struct ckpt_sock_msg **mp, const __le32 **fds,
			 const u8 **name, const u8 **data)
{
	const struct ckpt_sock_msg *m = (const void *)*pp;
	bool conn = rs->rec.type != cpu_to_le16(SOCK_DGRAM);
	u32 nfd, nlen, len;
	size_t used, need;

	if (end - *pp < sizeof(*m))
		return -EINVAL;
	len = le32_to_cpu(m->len);
	nfd = le32_to_cpu(m->nr_fds);
	nlen = le32_to_cpu(m->name_len);
	if (m->__pad || (le32_to_cpu(m->flags) & ~CKPT_MSG_CREDS) ||
	    nfd > SCM_MAX_FD || nlen > sizeof(struct sockaddr_un) ||
	    (conn && nlen) || (rs->rec.type == cpu_to_le16(SOCK_STREAM) && !len) ||
	    (!(le32_to_cpu(m->flags) & CKPT_MSG_CREDS) &&
	     (m->pid || m->uid || m->gid)))
		return -EINVAL;
	used = sizeof(*m) + (size_t)nfd * sizeof(__le32) + nlen + len;
	need = ckpt_padded(used);
	if (need > end - *pp || !ckpt_zero(*pp + used, need - used))
		return -EINVAL;
	*mp = m;
	*fds = (const void *)(m + 1);
	*name = (const u8 *)(*fds + nfd);
	*data = *name + nlen;
	if (nlen && !ckpt_unix_addr_ok(*name, nlen))
		return -EINVAL;
	*pp += need;
	return 0;
}

/**
 * ckpt_unix_restore_queue - replay buffers into a unix socket
 * @ctx: restart context
 * @rs: the socket
 * @q: the record
 * @len: its length
 */
int ckpt_unix_restore_queue(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
			    const struct ckpt_rec_sock_queue *q, u32 len)
{
	const u8 *p = q->msgs, *end = (const u8 *)q + len;
	bool dgram = rs->rec.type == cpu_to_le16(SOCK_DGRAM);
	u32 backlog = READ_ONCE(rs->sk->sk_max_ack_backlog);
	struct ckpt_unix_fdtab tab = {};
	int sndbuf = 0;
	struct socket *from = NULL, *tmp = NULL;
	const u8 *tmp_name = NULL;
	u32 tmp_len = 0, i;
	struct sock *peer = NULL;
	int ret;

	if (le32_to_cpu(q->queue) != CKPT_QUEUE_RECV ||
	    (le32_to_cpu(rs->rec.state) != CKPT_SOCK_CONNECTED &&
	     (!dgram || le32_to_cpu(rs->rec.state) != CKPT_SOCK_UNCONNECTED)))
		return -EINVAL;
	if (!dgram) {
		/* from the other end, which must be able to send */
		peer = unix_peer_get(rs->sk);
		from = peer ? READ_ONCE(peer->sk_socket) : NULL;
		if (!from) {
			ret = -EINVAL;
			goto out;
		}
		sndbuf = READ_ONCE(peer->sk_sndbuf);
		WRITE_ONCE(peer->sk_sndbuf, INT_MAX);
	} else {
		WRITE_ONCE(rs->sk->sk_max_ack_backlog, U32_MAX);
	}
	ret = ckpt_unix_fdtab_on(&tab);
	for (i = 0; i < le32_to_cpu(q->nr_msgs) && !ret; i++) {
		const struct ckpt_sock_msg *m;
		const __le32 *fds;
		const u8 *name, *data;
		u32 nlen;

		ret = ckpt_unix_msg(rs, &p, end, &m, &fds, &name, &data);
		if (ret)
			break;
		nlen = le32_to_cpu(m->name_len);
		if (dgram && (!tmp || nlen != tmp_len ||
			      memcmp(name, tmp_name, nlen))) {
			if (tmp)
				sock_release(tmp);
			tmp = NULL;
			ret = ckpt_unix_tmp_sender(rs, name, nlen, &tmp);
			if (ret)
				break;
			tmp_name = name;
			tmp_len = nlen;
			from = tmp;
		}
		ret = ckpt_unix_send(ctx, rs, from, m, fds, data);
		if (!ret) {
			rs->msgs++;
			rs->bytes += le32_to_cpu(m->len);
		}
		if (!ret && (rs->msgs > le32_to_cpu(rs->rec.rcvq_msgs) ||
			     rs->bytes > le64_to_cpu(rs->rec.rcvq_bytes)))
			ret = -EINVAL;
	}
	ckpt_unix_fdtab_off(&tab);
	if (!ret && p != end)
		ret = -EINVAL;
	if (tmp)
		sock_release(tmp);
out:
	if (peer) {
		if (from)
			WRITE_ONCE(peer->sk_sndbuf, sndbuf);
		sock_put(peer);
	}
	if (dgram)
		WRITE_ONCE(rs->sk->sk_max_ack_backlog, backlog);
	return ret;
}

/* join a datagram socket to its peer, as connect(2) would */
static int ckpt_unix_link(struct sock *sk, struct sock *other)
{
	int ret = 0;

	if (other->sk_socket && sk->sk_socket)
		ret = security_unix_may_send(sk->sk_socket, other->sk_socket);
	if (ret)
		return ret;
	unix_state_lock(sk);
	if (unix_peer(sk)) {
		unix_state_unlock(sk);
		return -EINVAL;
	}
	sock_hold(other);
	unix_peer(sk) = other;
	WRITE_ONCE(sk->sk_state, TCP_ESTABLISHED);
	unix_state_unlock(sk);
	return 0;
}

/**
 * ckpt_unix_finish - the last state of a unix socket, every task restored
 * @ctx: restart context
 * @rs: the socket
 */
int ckpt_unix_finish(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	const struct ckpt_rec_socket *r = &rs->rec;
	u32 flags = le32_to_cpu(r->flags);
	struct socket *sock = rs->sock;
	struct sock *sk = rs->sk;
	s32 peek = le32_to_cpu(r->peek_off);
	int ret = 0;

	if (r->type == cpu_to_le16(SOCK_DGRAM) &&
	    le32_to_cpu(r->state) == CKPT_SOCK_CONNECTED) {
		struct ckpt_rsock *p = r->peer_ref ?
			ckpt_rsock_get(ctx, le32_to_cpu(r->peer_ref)) : NULL;

		if (r->peer_ref && (!p || p->rec.family != r->family ||
				    p->rec.type != r->type || !p->sock))
			return -EINVAL;
		if (p)
			ret = ckpt_unix_link(sk, p->sk);
		else if (rs->peer)
			ret = ckpt_unix_link(sk, rs->peer);
		else if (rs->tmp)
			ret = ckpt_unix_link(sk, rs->tmp->sk);
		if (ret)
			return ret;
	}
	/* the closed end goes now: its peer sees the end of the stream */
	if (rs->tmp) {
		sock_release(rs->tmp);
		rs->tmp = NULL;
	}
	if (sock) {
		if (flags & CKPT_SOCK_PASSCRED)
			set_bit(SOCK_PASSCRED, &sock->flags);
		if (flags & CKPT_SOCK_PASSSEC)
			set_bit(SOCK_PASSSEC, &sock->flags);
		if (flags & CKPT_SOCK_PASSPIDFD)
			set_bit(SOCK_PASSPIDFD, &sock->flags);
		if (peek >= 0)
			ret = sk_set_peek_off(sk, peek);
		if (ret)
			return ret;
	}
	unix_state_lock(sk);
	WRITE_ONCE(sk->sk_shutdown, le32_to_cpu(r->shutdown));
	WRITE_ONCE(sk->sk_err, le32_to_cpu(r->error));
	unix_state_unlock(sk);
	return 0;
}

/**
 * ckpt_unix_release - restart is over: drop what a unix socket kept
 * @rs: the socket
 *
 * If restart failed after it bound the socket to a path, the socket file
 * it made there goes too, as after a failed restart nothing is left
 * behind: unlinked if it is still the socket's, with a reference of our
 * own to its dentry, as unlink(2) holds one from its lookup.
 */
void ckpt_unix_release(struct ckpt_rsock *rs)
{
	struct dentry *dentry, *parent;
	struct vfsmount *mnt;

	if (!rs->bound || rs->committed || !rs->sk)
		return;
	dentry = unix_sk(rs->sk)->path.dentry;
	mnt = unix_sk(rs->sk)->path.mnt;
	if (!dentry || !mnt || mnt_want_write(mnt))
		return;
	parent = dget_parent(dentry);
	dget(dentry);
	inode_lock_nested(d_inode(parent), I_MUTEX_PARENT);
	if (dentry->d_parent == parent && !d_unlinked(dentry) &&
	    d_is_positive(dentry))
		vfs_unlink(mnt_idmap(mnt), d_inode(parent), dentry, NULL);
	inode_unlock(d_inode(parent));
	dput(dentry);
	dput(parent);
	mnt_drop_write(mnt);
}
