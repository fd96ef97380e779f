// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: sockets (CKPT_REC_SOCKET, CKPT_REC_SOCK_QUEUE) and
 * the FILE type CKPT_FILE_SOCKET.
 *
 * A socket of the image is an object of its own, keyed by its struct
 * sock: the file that holds it refers to it, and so may another socket
 * (its peer, the listening socket whose queue holds it, a message that
 * carries its file in flight).  unix.c and inet.c know the families; this
 * file has what they share: the object, the common options, the records
 * of queued data, and the glue to files.c.
 *
 * Checkpoint collects the sockets with the files, and with each socket the
 * objects it refers to: the connections waiting in a listening socket and
 * the files in flight in its queue, which may be sockets again.  Those are
 * collected from a list rather than by recursion, so that a long chain of
 * sockets in flight in each other costs no kernel stack.  The records of a
 * socket come before its first file's; the data it holds comes after the
 * records of every file in flight in it, so that cycles (a socket in
 * flight in itself or in its peer) need no forward reference: structure
 * first, contents after.
 *
 * Restart creates each socket from its record with the calls a program
 * would make (socket, bind, listen, connect, socketpair), as the caller,
 * so that it can bind no address and reach no socket the caller could not;
 * it replays the queued data through the peer, so that the accounting of
 * the families stays theirs.  What would let the tasks' sockets act before
 * the tasks run (peer links of datagram sockets, shutdown, credentials
 * passing, TCP leaving repair mode) is applied at the end, once every task
 * and socket exists.
 */

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/skbuff.h>
#include <linux/sockptr.h>
#include <linux/user_namespace.h>
#include <net/af_unix.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/sock_reuseport.h>

#include "internal.h"
#include "socket.h"

#define CKPT_QW_SIZE	SZ_1M	/* a queue record holds this much data */

/**
 * ckpt_net - the socket code's state of a checkpoint or restart
 * @ctx: the context
 *
 * Return: the state, allocated at first use, or NULL without memory
 */
struct ckpt_net *ckpt_net(struct ckpt_ctx *ctx)
{
	struct ckpt_net *net = ctx->net;

	if (net)
		return net;
	net = kzalloc(sizeof(*net), GFP_KERNEL_ACCOUNT);
	if (!net)
		return NULL;
	INIT_LIST_HEAD(&net->collect);
	INIT_LIST_HEAD(&net->queues);
	ctx->net = net;
	return net;
}

/**
 * ckpt_net_free - drop the socket code's state
 * @ctx: checkpoint or restart context, whose objects are freed already
 */
void ckpt_net_free(struct ckpt_ctx *ctx)
{
	struct ckpt_net *net = ctx->net;

	if (!net)
		return;
	if (net->ns)
		put_net(net->ns);
	kfree(net);
	ctx->net = NULL;
}

/* the network namespace the image's sockets must be in */
static struct net *ckpt_image_net(struct ckpt_ctx *ctx)
{
	struct ckpt_net *net = ctx->net;

	return net && net->ns ? net->ns : current->nsproxy->net_ns;
}

/**
 * ckpt_sock_err - refuse a socket, naming its fd
 * @ctx: checkpoint context
 * @obj: the socket
 * @err: negative errno
 * @fmt: the reason, after "fd N: " or "socket in flight: "
 *
 * Return: @err
 */
int ckpt_sock_err(struct ckpt_ctx *ctx, struct ckpt_obj *obj, int err,
		  const char *fmt, ...)
{
	struct ckpt_sksave *s = (struct ckpt_sksave *)obj->priv;
	int fd = s ? s->fd : -1;
	char msg[CKPT_ERRMSG_LEN];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	if (fd >= 0)
		return ckpt_err(ctx, err, CKPT_OBJ_SOCKET, fd, 0, "fd %d: %s",
				fd, msg);
	return ckpt_err(ctx, err, CKPT_OBJ_SOCKET, -1, 0,
			"socket without an fd: %s", msg);
}

/* why a socket cannot be saved, or NULL if it can */
static const char *ckpt_sock_unsupported(struct sock *sk)
{
	switch (sk->sk_family) {
	case AF_UNIX:
		if (sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_DGRAM &&
		    sk->sk_type != SOCK_SEQPACKET)
			return "unix socket of an unknown type";
		return NULL;
	case AF_INET:
	case AF_INET6:
		if (sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP)
			return NULL;
		if (sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP)
			return NULL;
		if (sk->sk_type == SOCK_RAW)
			return "raw IP sockets are not supported";
		return "this IP protocol is not supported (only TCP and UDP)";
	case AF_NETLINK:
		return "netlink sockets are not supported";
	case AF_PACKET:
		return "packet sockets are not supported";
	case AF_VSOCK:
		return "vsock sockets are not supported";
	}
	return "sockets of this address family are not supported";
}

/* the collected state of a socket of the image */
static struct ckpt_sksave *ckpt_sks(struct ckpt_obj *obj)
{
	return (struct ckpt_sksave *)obj->priv;
}

/* checkpoint: relations of one socket, by family */
static int ckpt_sock_collect_one(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct sock *sk = obj->ptr;

	ckpt_sks(obj)->flags |= CKPT_SKS_COLLECTED;
	if (ckpt_sock_unsupported(sk))
		return 0;	/* refused when its file is written */
	if (sk->sk_family == AF_UNIX)
		return ckpt_unix_collect(ctx, obj);
	return ckpt_inet_collect(ctx, obj);
}

static int ckpt_sock_collect(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_net *net = ckpt_net(ctx);
	struct ckpt_sksave *s;
	int ret = 0;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!net || !s) {
		kfree(s);
		return -ENOMEM;
	}
	s->obj = obj;
	s->fd = -1;
	INIT_LIST_HEAD(&s->node);
	obj->priv = (unsigned long)s;
	list_add_tail(&s->node, &net->collect);
	if (net->collecting)
		return 0;
	/* the outermost call collects the others from the list */
	net->collecting = true;
	while (!ret && !list_empty(&net->collect)) {
		s = list_first_entry(&net->collect, struct ckpt_sksave, node);
		list_del_init(&s->node);
		ret = ckpt_sock_collect_one(ctx, s->obj);
	}
	while (!list_empty(&net->collect))
		list_del_init(net->collect.next);
	net->collecting = false;
	return ret;
}

/**
 * ckpt_sock_collect_sk - count a user of a socket of the image
 * @ctx: checkpoint context
 * @sk: the socket (a reference is taken)
 *
 * Return: its object, or an ERR_PTR()
 */
struct ckpt_obj *ckpt_sock_collect_sk(struct ckpt_ctx *ctx, struct sock *sk)
{
	sock_hold(sk);
	return ckpt_obj_collect(ctx, &ckpt_sock_ops, sk);
}

/**
 * ckpt_sock_collect_file - collect the socket a file holds
 * @ctx: checkpoint context
 * @file: a socket file
 *
 * Return: the socket's object, NULL for a socket that is refused later
 * (with the fd that holds it), or an ERR_PTR()
 */
struct ckpt_obj *ckpt_sock_collect_file(struct ckpt_ctx *ctx,
					struct file *file)
{
	struct socket *sock = sock_from_file(file);
	struct sock *sk = sock ? sock->sk : NULL;

	if (!sk || ckpt_sock_unsupported(sk))
		return NULL;
	return ckpt_sock_collect_sk(ctx, sk);
}

/**
 * ckpt_sock_find - the object of a socket of the image
 * @ctx: checkpoint context
 * @sk: the socket
 *
 * Return: its object, or NULL if it was not collected
 */
struct ckpt_obj *ckpt_sock_find(struct ckpt_ctx *ctx, struct sock *sk)
{
	struct ckpt_obj *obj = ckpt_obj_find(ctx, sk);

	return obj && obj->ops == &ckpt_sock_ops ? obj : NULL;
}

/**
 * ckpt_sock_in_image - whether a file of the image holds a socket
 * @ctx: checkpoint context
 * @sk: the socket
 */
bool ckpt_sock_in_image(struct ckpt_ctx *ctx, struct sock *sk)
{
	struct socket *sock = READ_ONCE(sk->sk_socket);
	struct file *file = sock ? READ_ONCE(sock->file) : NULL;

	return file && ckpt_obj_find(ctx, file) && ckpt_sock_find(ctx, sk);
}

static void ckpt_sock_drop(void *ptr)
{
	sock_put(ptr);
}

static void ckpt_sock_forget(struct ckpt_obj *obj)
{
	struct ckpt_sksave *s = ckpt_sks(obj);
	unsigned int i;

	if (s) {
		for (i = 0; i < s->nr_skbs; i++)
			consume_skb(s->skbs[i]);
		kvfree(s->skbs);
		ckpt_inet_forget(s);
		kfree(s);
	}
	sock_put(obj->ptr);
}

/**
 * ckpt_sock_snap_queue - take a reference on every buffer of a queue
 * @q: the queue
 * @s: where they go
 *
 * Return: 0 or -ENOMEM
 */
int ckpt_sock_snap_queue(struct sk_buff_head *q, struct ckpt_sksave *s)
{
	struct sk_buff **skbs, *skb;
	unsigned int n, i;

	for (;;) {
		n = skb_queue_len_lockless(q);
		skbs = kvcalloc(max(n, 1U), sizeof(*skbs), GFP_KERNEL_ACCOUNT);
		if (!skbs)
			return -ENOMEM;
		spin_lock_bh(&q->lock);
		if (skb_queue_len(q) <= n)
			break;
		spin_unlock_bh(&q->lock);
		kvfree(skbs);
	}
	i = 0;
	skb_queue_walk(q, skb)
		skbs[i++] = skb_get(skb);
	spin_unlock_bh(&q->lock);
	s->skbs = skbs;
	s->nr_skbs = i;
	return 0;
}

/**
 * ckpt_sock_file_type - the FILE type of a socket file, or why it is refused
 * @ctx: checkpoint context
 * @fobj: the file's object
 * @obj_ref: set to the socket's object id
 *
 * Return: CKPT_FILE_SOCKET, or a negative errno with the reason in the
 * error record
 */
int ckpt_sock_file_type(struct ckpt_ctx *ctx, struct ckpt_obj *fobj,
			u32 *obj_ref)
{
	struct socket *sock = sock_from_file(fobj->ptr);
	int fd = (int)fobj->priv;
	struct ckpt_obj *obj;
	const char *why;

	if (!sock || !sock->sk)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_SOCKET, fd, 0,
				"fd %d: socket without a sock", fd);
	why = ckpt_sock_unsupported(sock->sk);
	if (why)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_SOCKET, fd, 0,
				"fd %d: %s", fd, why);
	obj = ckpt_sock_find(ctx, sock->sk);
	if (WARN_ON_ONCE(!obj))
		return -EINVAL;
	if (ckpt_sks(obj)->fd < 0)
		ckpt_sks(obj)->fd = fd;
	if (!net_eq(sock_net(sock->sk), ckpt_image_net(ctx)))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_SOCKET, fd, 0,
				"fd %d: socket of another network namespace",
				fd);
	*obj_ref = obj->ref;
	return CKPT_FILE_SOCKET;
}

/**
 * ckpt_sock_pid - the pid in the image of the process of a struct pid
 * @ctx: checkpoint context
 * @pid: a thread group's pid, may be NULL
 *
 * Return: the pid in the image's pid namespace of the process, if it is a
 * process of the image, else 0
 */
u32 ckpt_sock_pid(struct ckpt_ctx *ctx, struct pid *pid)
{
	struct task_struct *t;
	unsigned long i = 0;

	if (!pid)
		return 0;
	rcu_read_lock();
	t = pid_task(pid, PIDTYPE_TGID);
	if (t)
		i = xa_to_value(xa_load(&ctx->index, task_pid_nr(t)) ?:
				xa_mk_value(0));
	rcu_read_unlock();
	return i ? ctx->tasks[i - 1].tgid : 0;
}

/**
 * ckpt_sock_find_pid - restart: the struct pid of a process of the image
 * @ctx: restart context, whose tasks all exist
 * @nr: its pid in the image, 0 for none
 *
 * Return: the pid with a reference, or NULL
 */
struct pid *ckpt_sock_find_pid(struct ckpt_ctx *ctx, u32 nr)
{
	unsigned long i;

	if (!nr)
		return NULL;
	i = xa_to_value(xa_load(&ctx->index, nr) ?: xa_mk_value(0));
	if (!i || !ctx->tasks[i - 1].task)
		return NULL;
	return get_pid(task_tgid(ctx->tasks[i - 1].task));
}

/**
 * ckpt_sock_ids_ok - whether the caller of restart could send these ids
 * @ctx: restart context
 * @uid: user id as the caller sees it
 * @gid: group id
 *
 * The rule of SCM_CREDENTIALS: ids the caller holds, or any with
 * CAP_SETUID or CAP_SETGID.
 */
bool ckpt_sock_ids_ok(struct ckpt_ctx *ctx, u32 uid, u32 gid)
{
	const struct cred *c = ctx->caller_cred;
	kuid_t u = make_kuid(c->user_ns, uid);
	kgid_t g = make_kgid(c->user_ns, gid);

	if (!uid_valid(u) || !gid_valid(g))
		return false;
	if (!uid_eq(u, c->uid) && !uid_eq(u, c->euid) && !uid_eq(u, c->suid) &&
	    !ns_capable(c->user_ns, CAP_SETUID))
		return false;
	if (!gid_eq(g, c->gid) && !gid_eq(g, c->egid) && !gid_eq(g, c->sgid) &&
	    !ns_capable(c->user_ns, CAP_SETGID))
		return false;
	return true;
}

/* microseconds of a socket timeout in jiffies, 0 for none */
static u64 ckpt_timeo_us(long timeo)
{
	if (timeo == MAX_SCHEDULE_TIMEOUT)
		return 0;
	return div_u64(jiffies_to_nsecs(timeo), NSEC_PER_USEC) ?: 1;
}

/**
 * ckpt_sock_fill - the common part of a SOCKET record
 * @ctx: checkpoint context
 * @sk: the socket, held still
 * @r: the record, zeroed; objref and the family's fields are the caller's
 */
void ckpt_sock_fill(struct ckpt_ctx *ctx, struct sock *sk,
		    struct ckpt_rec_socket *r)
{
	struct socket *sock = READ_ONCE(sk->sk_socket);
	struct ckpt_net *net = ctx->net;
	const struct cred *cred;
	struct pid *pid;
	u32 flags = 0;

	r->netns_ref = cpu_to_le32(net ? net->ns_ref : 0);
	r->family = cpu_to_le16(sk->sk_family);
	r->type = cpu_to_le16(sk->sk_type);
	r->protocol = cpu_to_le32(sk->sk_family == AF_UNIX ? 0 :
				  sk->sk_protocol);
	if (sk->sk_reuse)
		flags |= CKPT_SOCK_REUSEADDR;
	if (sk->sk_reuseport)
		flags |= CKPT_SOCK_REUSEPORT;
	if (sock_flag(sk, SOCK_KEEPOPEN))
		flags |= CKPT_SOCK_KEEPALIVE;
	if (sock_flag(sk, SOCK_LINGER))
		flags |= CKPT_SOCK_LINGER;
	if (sock_flag(sk, SOCK_BROADCAST))
		flags |= CKPT_SOCK_BROADCAST;
	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		flags |= CKPT_SOCK_SNDBUF_LOCK;
	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		flags |= CKPT_SOCK_RCVBUF_LOCK;
	if (sock && test_bit(SOCK_PASSCRED, &sock->flags))
		flags |= CKPT_SOCK_PASSCRED;
	if (sock && test_bit(SOCK_PASSSEC, &sock->flags))
		flags |= CKPT_SOCK_PASSSEC;
	if (sock && test_bit(SOCK_PASSPIDFD, &sock->flags))
		flags |= CKPT_SOCK_PASSPIDFD;
	r->flags = cpu_to_le32(flags);
	r->shutdown = cpu_to_le32(READ_ONCE(sk->sk_shutdown) & SHUTDOWN_MASK);
	r->error = cpu_to_le32(READ_ONCE(sk->sk_err));
	r->sndbuf = cpu_to_le32(READ_ONCE(sk->sk_sndbuf));
	r->rcvbuf = cpu_to_le32(READ_ONCE(sk->sk_rcvbuf));
	r->rcvlowat = cpu_to_le32(READ_ONCE(sk->sk_rcvlowat));
	r->linger = cpu_to_le32(READ_ONCE(sk->sk_lingertime) / HZ);
	r->peek_off = cpu_to_le32(READ_ONCE(sk->sk_peek_off));
	r->rcvtimeo = cpu_to_le64(ckpt_timeo_us(READ_ONCE(sk->sk_rcvtimeo)));
	r->sndtimeo = cpu_to_le64(ckpt_timeo_us(READ_ONCE(sk->sk_sndtimeo)));

	spin_lock(&sk->sk_peer_lock);
	pid = get_pid(sk->sk_peer_pid);
	cred = get_cred(sk->sk_peer_cred);
	spin_unlock(&sk->sk_peer_lock);
	if (pid || cred) {
		struct user_namespace *ns = current_user_ns();

		r->flags |= cpu_to_le32(CKPT_SOCK_PEERCRED);
		r->peer_pid = cpu_to_le32(ckpt_sock_pid(ctx, pid));
		r->peer_uid = cpu_to_le32(cred ? from_kuid_munged(ns, cred->euid) :
					  (u32)-1);
		r->peer_gid = cpu_to_le32(cred ? from_kgid_munged(ns, cred->egid) :
					  (u32)-1);
	}
	put_pid(pid);
	put_cred(cred);
}

/**
 * ckpt_sock_write - write a SOCKET record
 * @ctx: checkpoint context
 * @obj: the socket
 * @r: the record's fixed part, filled in but for objref and lengths
 * @addr: its local address (le16 addr_len bytes from @r), or NULL
 * @peer_addr: its peer's address, or NULL
 * @path: the path of its socket file, or NULL
 * @peer_path: the path of its peer's socket file, or NULL
 *
 * Its data is written later: see ckpt_sock_queue_later().
 */
int ckpt_sock_write(struct ckpt_ctx *ctx, struct ckpt_obj *obj,
		    struct ckpt_rec_socket *r, const void *addr,
		    const void *peer_addr, const char *path,
		    const char *peer_path)
{
	u32 alen = le32_to_cpu(r->addr_len), plen = le32_to_cpu(r->peer_addr_len);
	u32 path_len = path ? strlen(path) + 1 : 0;
	u32 peer_path_len = peer_path ? strlen(peer_path) + 1 : 0;
	size_t len = alen + plen + path_len + peer_path_len;
	u8 *data, *p;
	int ret;

	data = kmalloc(max_t(size_t, len, 1), GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	p = data;
	if (alen)
		p = memcpy(p, addr, alen) + alen;
	if (plen)
		p = memcpy(p, peer_addr, plen) + plen;
	if (path_len)
		p = memcpy(p, path, path_len) + path_len;
	if (peer_path_len)
		memcpy(p, peer_path, peer_path_len);
	r->objref = cpu_to_le32(obj->ref);
	r->path_len = cpu_to_le32(path_len);
	r->peer_path_len = cpu_to_le32(peer_path_len);
	ret = ckpt_write_record(ctx, CKPT_REC_SOCKET, r, sizeof(*r), data, len);
	kfree(data);
	ckpt_sks(obj)->flags |= CKPT_SKS_WRITTEN;
	/* a socket written as another's peer needs no dump of its own */
	obj->dumped = true;
	if (!ret)
		ckpt_sock_queue_later(ctx, obj);
	return ret;
}

/**
 * ckpt_sock_queue_later - write a socket's data after the current object
 * @ctx: checkpoint context
 * @obj: the socket, whose SOCKET record is written
 */
void ckpt_sock_queue_later(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_sksave *s = ckpt_sks(obj);

	if (s->flags & CKPT_SKS_QUEUED)
		return;
	s->flags |= CKPT_SKS_QUEUED;
	list_add_tail(&s->node, &ckpt_net(ctx)->queues);
}

/* the data of the sockets written, and of those whose files they carry */
static int ckpt_sock_drain(struct ckpt_ctx *ctx)
{
	struct ckpt_net *net = ctx->net;
	struct ckpt_sksave *s;
	int ret = 0;

	net->draining = true;
	while (!ret && !list_empty(&net->queues)) {
		struct sock *sk;

		s = list_first_entry(&net->queues, struct ckpt_sksave, node);
		list_del_init(&s->node);
		sk = s->obj->ptr;
		if (sk->sk_family == AF_UNIX)
			ret = ckpt_unix_dump_queue(ctx, s->obj);
		else
			ret = ckpt_inet_dump_queue(ctx, s->obj);
	}
	while (!list_empty(&net->queues))
		list_del_init(net->queues.next);
	net->draining = false;
	return ret;
}

static bool ckpt_sock_reuseport_prog(struct sock *sk)
{
	struct sock_reuseport *reuse;
	bool prog;

	rcu_read_lock();
	reuse = rcu_dereference(sk->sk_reuseport_cb);
	prog = reuse && rcu_access_pointer(reuse->prog);
	rcu_read_unlock();
	return prog;
}

/* state a socket may have that is not saved: refused, not dropped */
static int ckpt_sock_check(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct sock *sk = obj->ptr;

	if (rcu_access_pointer(sk->sk_filter))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "a socket filter (SO_ATTACH_FILTER) is not supported");
	if (ckpt_sock_reuseport_prog(sk))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "a SO_REUSEPORT program is not supported");
	if (READ_ONCE(sk->sk_bound_dev_if))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "a socket bound to a device (SO_BINDTODEVICE, a link-local scope) is not supported");
	if (READ_ONCE(sk->sk_mark))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "SO_MARK is not supported");
	if (sk->sk_family == AF_INET &&
	    rcu_access_pointer(inet_sk(sk)->mc_list))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "multicast group memberships are not supported");
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    (rcu_access_pointer(inet_sk(sk)->mc_list) ||
	     rcu_access_pointer(inet6_sk(sk)->ipv6_mc_list)))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "multicast group memberships are not supported");
#endif
	return 0;
}

static int ckpt_sock_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct sock *sk = obj->ptr;
	int ret;

	if (ckpt_sks(obj)->flags & CKPT_SKS_WRITTEN)
		return 0;
	ret = ckpt_sock_check(ctx, obj);
	if (ret)
		return ret;
	if (sk->sk_family == AF_UNIX)
		return ckpt_unix_dump(ctx, obj);
	return ckpt_inet_dump(ctx, obj);
}

/**
 * ckpt_sock_file_done - the FILE record of a socket is written
 * @ctx: checkpoint context
 *
 * Now the data of the sockets written so far can go, after the records of
 * the files in flight in it; the file being written, which may be one of
 * them, is complete.
 * Return: 0 or the first error
 */
int ckpt_sock_file_done(struct ckpt_ctx *ctx)
{
	if (!ctx->net || ctx->net->draining)
		return 0;
	return ckpt_sock_drain(ctx);
}

/* CKPT_REC_SOCK_QUEUE writer */

/**
 * ckpt_qw_init - start the queue records of a socket
 * @w: the writer
 * @ctx: checkpoint context
 * @ref: the socket's object id
 * @queue: enum ckpt_sock_queue_kind
 *
 * Return: 0 or -ENOMEM
 */
int ckpt_qw_init(struct ckpt_qwriter *w, struct ckpt_ctx *ctx, u32 ref,
		 u32 queue)
{
	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->r.sock_ref = cpu_to_le32(ref);
	w->r.queue = cpu_to_le32(queue);
	w->size = CKPT_QW_SIZE;
	w->buf = kvmalloc(w->size, GFP_KERNEL);
	return w->buf ? 0 : -ENOMEM;
}

/**
 * ckpt_qw_flush - write the messages gathered as one record
 * @w: the writer
 */
int ckpt_qw_flush(struct ckpt_qwriter *w)
{
	int ret;

	if (!w->nr)
		return 0;
	w->r.nr_msgs = cpu_to_le32(w->nr);
	ret = ckpt_write_record(w->ctx, CKPT_REC_SOCK_QUEUE, &w->r,
				sizeof(w->r), w->buf, w->len);
	w->nr = 0;
	w->len = 0;
	return ret;
}

/**
 * ckpt_qw_add - add a message to the queue records
 * @w: the writer
 * @m: its header, with len, nr_fds and name_len set
 * @fds: its files' object ids
 * @name: its sender's address
 * @skb: its data from this buffer at @offset, or NULL
 * @offset: see @skb
 * @data: else its data
 *
 * Return: 0 or an error
 */
int ckpt_qw_add(struct ckpt_qwriter *w, const struct ckpt_sock_msg *m,
		const __le32 *fds, const void *name, struct sk_buff *skb,
		int offset, const void *data)
{
	size_t nfd = le32_to_cpu(m->nr_fds) * sizeof(__le32);
	size_t nlen = le32_to_cpu(m->name_len), dlen = le32_to_cpu(m->len);
	size_t need = ckpt_padded(sizeof(*m) + nfd + nlen + dlen);
	u8 *p;
	int ret;

	if (need > CKPT_REC_MAX_LEN - sizeof(w->r))
		return -E2BIG;
	if (w->len + need > w->size) {
		ret = ckpt_qw_flush(w);
		if (ret)
			return ret;
	}
	if (need > w->size) {
		kvfree(w->buf);
		w->size = need;
		w->buf = kvmalloc(w->size, GFP_KERNEL);
		if (!w->buf)
			return -ENOMEM;
	}
	p = w->buf + w->len;
	memset(p, 0, need);
	memcpy(p, m, sizeof(*m));
	p += sizeof(*m);
	if (nfd)
		memcpy(p, fds, nfd);
	p += nfd;
	if (nlen)
		memcpy(p, name, nlen);
	p += nlen;
	if (dlen && skb) {
		ret = skb_copy_bits(skb, offset, p, dlen);
		if (ret)
			return ret;
	} else if (dlen) {
		memcpy(p, data, dlen);
	}
	w->len += need;
	w->nr++;
	return 0;
}

/**
 * ckpt_qw_free - end a queue writer
 * @w: the writer
 */
void ckpt_qw_free(struct ckpt_qwriter *w)
{
	kvfree(w->buf);
	w->buf = NULL;
}

/**
 * ckpt_net_kill - silence the sockets of an image about to be killed
 * @ctx: checkpoint context, whose image is complete
 *
 * An established TCP connection whose two ends are saved is put in repair
 * mode, so that the kill closes it without a FIN or RST and without
 * leaving it in TIME_WAIT: restart may then make it again at once.
 */
void ckpt_net_kill(struct ckpt_ctx *ctx)
{
	struct ckpt_obj *obj;
	unsigned long ref;

	if (!ctx->net)
		return;
	xa_for_each(&ctx->objs, ref, obj) {
		if (obj->ops == &ckpt_sock_ops &&
		    (ckpt_sks(obj)->flags & CKPT_SKS_QUIESCE))
			ckpt_inet_quiesce(obj->ptr);
	}
}

/* restart */

/**
 * ckpt_sock_setopt - set an int socket option, as the caller would
 * @sock: the socket
 * @level: SOL_SOCKET or a protocol level
 * @name: the option
 * @val: its value
 */
int ckpt_sock_setopt(struct socket *sock, int level, int name, int val)
{
	if (level == SOL_SOCKET)
		return sock_setsockopt(sock, level, name,
				       KERNEL_SOCKPTR(&val), sizeof(val));
	return sock->ops->setsockopt(sock, level, name, KERNEL_SOCKPTR(&val),
				     sizeof(val));
}

static int ckpt_sock_set_timeo(struct socket *sock, int name, u64 us)
{
	struct __kernel_sock_timeval tv;
	u32 rem;

	if (!us)
		return 0;
	tv.tv_sec = div_u64_rem(us, USEC_PER_SEC, &rem);
	tv.tv_usec = rem;
	return sock_setsockopt(sock, SOL_SOCKET, name, KERNEL_SOCKPTR(&tv),
			       sizeof(tv));
}

/* a buffer size set with SO_SNDBUF or SO_RCVBUF, as the caller may */
static int ckpt_sock_set_buf(struct socket *sock, int name, int force,
			     u32 want, int *now)
{
	int ret;

	ret = ckpt_sock_setopt(sock, SOL_SOCKET, name, want / 2);
	if (!ret && READ_ONCE(*now) != want)
		ret = ckpt_sock_setopt(sock, SOL_SOCKET, force, want / 2);
	if (!ret && READ_ONCE(*now) != want)
		ret = -EINVAL;
	return ret;
}

/**
 * ckpt_sock_restore_opts - the common options of a restored socket
 * @rs: the socket and its record
 *
 * Those that do not change what the queued data or the end of restart
 * does; see ckpt_sock_finish() for the others.
 */
int ckpt_sock_restore_opts(struct ckpt_rsock *rs)
{
	const struct ckpt_rec_socket *r = &rs->rec;
	struct socket *sock = rs->sock;
	u32 flags = le32_to_cpu(r->flags);
	struct linger l = { .l_onoff = 1, .l_linger = le32_to_cpu(r->linger) };
	int ret = 0;

	if (flags & CKPT_SOCK_REUSEADDR)
		ret = ckpt_sock_setopt(sock, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!ret && (flags & CKPT_SOCK_REUSEPORT))
		ret = ckpt_sock_setopt(sock, SOL_SOCKET, SO_REUSEPORT, 1);
	if (!ret && (flags & CKPT_SOCK_BROADCAST))
		ret = ckpt_sock_setopt(sock, SOL_SOCKET, SO_BROADCAST, 1);
	if (!ret && (flags & CKPT_SOCK_LINGER))
		ret = sock_setsockopt(sock, SOL_SOCKET, SO_LINGER,
				      KERNEL_SOCKPTR(&l), sizeof(l));
	if (!ret && (flags & CKPT_SOCK_SNDBUF_LOCK))
		ret = ckpt_sock_set_buf(sock, SO_SNDBUF, SO_SNDBUFFORCE,
					le32_to_cpu(r->sndbuf),
					&sock->sk->sk_sndbuf);
	if (!ret && (flags & CKPT_SOCK_RCVBUF_LOCK))
		ret = ckpt_sock_set_buf(sock, SO_RCVBUF, SO_RCVBUFFORCE,
					le32_to_cpu(r->rcvbuf),
					&sock->sk->sk_rcvbuf);
	if (!ret && le32_to_cpu(r->rcvlowat) != 1)
		ret = ckpt_sock_setopt(sock, SOL_SOCKET, SO_RCVLOWAT,
				       le32_to_cpu(r->rcvlowat));
	if (!ret)
		ret = ckpt_sock_set_timeo(sock, SO_RCVTIMEO_NEW,
					  le64_to_cpu(r->rcvtimeo));
	if (!ret)
		ret = ckpt_sock_set_timeo(sock, SO_SNDTIMEO_NEW,
					  le64_to_cpu(r->sndtimeo));
	return ret;
}

/**
 * ckpt_sock_reserve_fix - make room for buffers to note with ckpt_sock_add_fix()
 * @rs: the socket
 * @more: how many more buffers
 *
 * Context: may sleep; ckpt_sock_add_fix() then runs under the queue's lock.
 * Return: 0 or -ENOMEM
 */
int ckpt_sock_reserve_fix(struct ckpt_rsock *rs, unsigned int more)
{
	unsigned int want = rs->nr_fix + more, cap;
	struct sk_buff **fix;
	u32 *fix_pid;

	if (want < more)
		return -ENOMEM;
	if (want <= rs->max_fix)
		return 0;
	cap = max3(want, 2 * rs->max_fix, 8U);
	fix = kvrealloc(rs->fix, array_size(cap, sizeof(*fix)),
			GFP_KERNEL_ACCOUNT);
	if (!fix)
		return -ENOMEM;
	rs->fix = fix;
	fix_pid = kvrealloc(rs->fix_pid, array_size(cap, sizeof(*fix_pid)),
			    GFP_KERNEL_ACCOUNT);
	if (!fix_pid)
		return -ENOMEM;
	rs->fix_pid = fix_pid;
	rs->max_fix = cap;
	return 0;
}

/**
 * ckpt_sock_add_fix - note a buffer whose sender pid is set at the end
 * @rs: the socket whose queue holds it, with room reserved for it
 * @skb: the buffer
 * @pid: the sender's pid in the image
 *
 * Context: any; allocates nothing (see ckpt_sock_reserve_fix()).
 */
void ckpt_sock_add_fix(struct ckpt_rsock *rs, struct sk_buff *skb, u32 pid)
{
	if (WARN_ON_ONCE(rs->nr_fix >= rs->max_fix))
		return;
	rs->fix[rs->nr_fix] = skb;
	rs->fix_pid[rs->nr_fix] = pid;
	rs->nr_fix++;
}

/**
 * ckpt_sock_apply_fix - give the replayed buffers their senders' pids
 * @ctx: restart context, whose tasks all exist
 * @rs: the socket
 *
 * The buffers are still queued: no task of the image ran yet, and the
 * table of objects holds the files in flight, so no collection of unix
 * garbage freed them.
 */
void ckpt_sock_apply_fix(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	unsigned int i;

	for (i = 0; i < rs->nr_fix; i++) {
		struct sk_buff *skb = rs->fix[i];
		struct pid *old = UNIXCB(skb).pid;

		UNIXCB(skb).pid = ckpt_sock_find_pid(ctx, rs->fix_pid[i]);
		put_pid(old);
	}
	rs->nr_fix = 0;
}

/**
 * ckpt_sock_set_peercred - SO_PEERCRED as saved
 * @ctx: restart context, whose tasks all exist
 * @rs: the socket
 *
 * The ids must be ones the caller could send in SCM_CREDENTIALS; the pid
 * is that of the process of the image, if it is one.
 */
int ckpt_sock_set_peercred(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	const struct ckpt_rec_socket *r = &rs->rec;
	u32 uid = le32_to_cpu(r->peer_uid), gid = le32_to_cpu(r->peer_gid);
	struct user_namespace *ns = ctx->caller_cred->user_ns;
	const struct cred *old_cred;
	struct pid *pid, *old_pid;
	struct cred *cred;
	struct sock *sk = rs->sk;

	if (!(le32_to_cpu(r->flags) & CKPT_SOCK_PEERCRED))
		return 0;
	if (!ckpt_sock_ids_ok(ctx, uid, gid))
		return -EPERM;
	cred = prepare_creds();
	if (!cred)
		return -ENOMEM;
	cred->euid = make_kuid(ns, uid);
	cred->egid = make_kgid(ns, gid);
	pid = ckpt_sock_find_pid(ctx, le32_to_cpu(r->peer_pid));
	spin_lock(&sk->sk_peer_lock);
	old_pid = sk->sk_peer_pid;
	old_cred = sk->sk_peer_cred;
	sk->sk_peer_pid = pid;
	sk->sk_peer_cred = cred;
	spin_unlock(&sk->sk_peer_lock);
	put_pid(old_pid);
	put_cred(old_cred);
	return 0;
}

/**
 * ckpt_rsock_get - a socket restored earlier
 * @ctx: restart context
 * @ref: its object id
 *
 * Return: the socket, or NULL if @ref names none
 */
struct ckpt_rsock *ckpt_rsock_get(struct ckpt_ctx *ctx, u32 ref)
{
	struct ckpt_obj *obj = ckpt_obj_lookup(ctx, ref, &ckpt_sock_ops);

	return obj ? obj->ptr : NULL;
}

static void ckpt_rsock_free(struct ckpt_rsock *rs)
{
	if (rs->rec.family == cpu_to_le16(AF_UNIX))
		ckpt_unix_release(rs);
	else
		ckpt_inet_release(rs);
	if (rs->tmp)
		sock_release(rs->tmp);
	if (rs->peer)
		sock_put(rs->peer);
	if (rs->file)
		fput(rs->file);
	else if (rs->sock)
		sock_release(rs->sock);
	if (rs->sk)
		sock_put(rs->sk);
	path_put(&rs->parent);
	kfree(rs->name);
	kvfree(rs->fix);
	kvfree(rs->fix_pid);
	kfree(rs);
}

static void ckpt_sock_release(struct ckpt_obj *obj)
{
	ckpt_rsock_free(obj->ptr);
}

/* the common fields of a SOCKET record */
static int ckpt_sock_rec_valid(const struct ckpt_rhdr *h,
			       const struct ckpt_rec_socket *r)
{
	const u32 known = CKPT_SOCK_PAIRED | CKPT_SOCK_PEER_GONE |
			  CKPT_SOCK_PEER_NAME | CKPT_SOCK_BOUND |
			  CKPT_SOCK_REUSEADDR | CKPT_SOCK_REUSEPORT |
			  CKPT_SOCK_KEEPALIVE | CKPT_SOCK_LINGER |
			  CKPT_SOCK_SNDBUF_LOCK | CKPT_SOCK_RCVBUF_LOCK |
			  CKPT_SOCK_PASSCRED | CKPT_SOCK_PASSSEC |
			  CKPT_SOCK_PASSPIDFD | CKPT_SOCK_V6ONLY |
			  CKPT_SOCK_BROADCAST | CKPT_SOCK_FREEBIND |
			  CKPT_SOCK_PEERCRED | CKPT_SOCK_BINDADDR |
			  CKPT_SOCK_HANDSHAKE;
	u64 len = sizeof(*r) + (u64)le32_to_cpu(r->addr_len) +
		  le32_to_cpu(r->peer_addr_len) + le32_to_cpu(r->path_len) +
		  le32_to_cpu(r->peer_path_len);
	u32 state = le32_to_cpu(r->state);

	if (h->len != len || r->__pad || (le32_to_cpu(r->flags) & ~known))
		return -EINVAL;
	if (state < CKPT_SOCK_UNCONNECTED || state > CKPT_SOCK_CONNECTED)
		return -EINVAL;
	if (le32_to_cpu(r->shutdown) & ~(CKPT_SHUT_RD | CKPT_SHUT_WR))
		return -EINVAL;
	if (le32_to_cpu(r->error) >= MAX_ERRNO)
		return -EINVAL;
	if (le32_to_cpu(r->sndbuf) > INT_MAX || le32_to_cpu(r->rcvbuf) > INT_MAX ||
	    le32_to_cpu(r->rcvlowat) > INT_MAX || le32_to_cpu(r->backlog) > INT_MAX)
		return -EINVAL;
	if (le32_to_cpu(r->linger) > INT_MAX / HZ)
		return -EINVAL;
	if ((s32)le32_to_cpu(r->peek_off) < -1)
		return -EINVAL;
	if (le64_to_cpu(r->rcvtimeo) > (u64)INT_MAX * USEC_PER_SEC ||
	    le64_to_cpu(r->sndtimeo) > (u64)INT_MAX * USEC_PER_SEC)
		return -EINVAL;
	if (le32_to_cpu(r->rcvq_msgs) > le64_to_cpu(r->rcvq_bytes) &&
	    r->type != cpu_to_le16(SOCK_DGRAM) &&
	    r->type != cpu_to_le16(SOCK_SEQPACKET))
		return -EINVAL;
	return 0;
}

/*
 * CKPT_REC_SOCKET: a new socket, in the network namespace of the task
 * (the caller's, or the container's that restart made).
 */
static int ckpt_restore_socket(struct ckpt_ctx *ctx, struct ckpt_task *t,
			       const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_socket *r = rec;
	struct ckpt_net *net = ckpt_net(ctx);
	struct ckpt_rsock *rs;
	struct ckpt_obj *obj;
	u32 ns_ref = le32_to_cpu(r->netns_ref);
	int ret;

	if (!net)
		return -ENOMEM;
	ret = ckpt_sock_rec_valid(h, r);
	if (ret)
		return ret;
	/* every socket is in the namespace of the tasks */
	if (ns_ref != net->ns_ref)
		return -EINVAL;
	/* the second of a pair must follow the first at once */
	if (net->pending && le32_to_cpu(r->peer_ref) != net->pending_ref)
		return -EINVAL;
	rs = kzalloc(sizeof(*rs), GFP_KERNEL_ACCOUNT);
	if (!rs)
		return -ENOMEM;
	rs->rec = *r;
	obj = ckpt_obj_add(ctx, le32_to_cpu(r->objref), &ckpt_sock_ops, rs, 0);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	switch (le16_to_cpu(r->family)) {
	case AF_UNIX:
		ret = ckpt_unix_restore(ctx, rs, r->data);
		break;
	case AF_INET:
	case AF_INET6:
		ret = ckpt_inet_restore(ctx, rs, r->data);
		break;
	default:
		ret = -EINVAL;
	}
	if (!ret && (le32_to_cpu(r->flags) & CKPT_SOCK_PAIRED)) {
		if (net->pending)
			return -EINVAL;
		net->pending = obj;
		net->pending_ref = obj->ref;
	}
	return ret;
}

/**
 * ckpt_sock_pair_done - the second socket of a pair was restored
 * @ctx: restart context
 */
void ckpt_sock_pair_done(struct ckpt_ctx *ctx)
{
	ctx->net->pending = NULL;
	ctx->net->pending_ref = 0;
}

/* CKPT_REC_SOCK_QUEUE: replay queued data into a socket */
static int ckpt_restore_sock_queue(struct ckpt_ctx *ctx, struct ckpt_task *t,
				   const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_sock_queue *q = rec;
	struct ckpt_net *net = ctx->net;
	struct ckpt_rsock *rs = ckpt_rsock_get(ctx, le32_to_cpu(q->sock_ref));
	u32 kind = le32_to_cpu(q->queue);

	if (!rs || !net || net->pending || q->__pad || !q->nr_msgs)
		return -EINVAL;
	if (kind != CKPT_QUEUE_RECV && kind != CKPT_QUEUE_SEND)
		return -EINVAL;
	if (rs->rec.family == cpu_to_le16(AF_UNIX))
		return ckpt_unix_restore_queue(ctx, rs, q, h->len);
	return ckpt_inet_restore_queue(ctx, rs, q, h->len);
}

/**
 * ckpt_sock_open - the file of a socket of the image
 * @ctx: restart context
 * @ref: the socket's object id
 * @f_flags: the file's flags
 *
 * Return: the file (a new reference), or an ERR_PTR()
 */
struct file *ckpt_sock_open(struct ckpt_ctx *ctx, u32 ref, u32 f_flags)
{
	struct ckpt_rsock *rs = ckpt_rsock_get(ctx, ref);
	struct file *file;

	/* one file per socket, and never one for an embryo */
	if (!rs || !rs->sock || rs->file || (ctx->net && ctx->net->pending))
		return ERR_PTR(-EINVAL);
	if ((f_flags & O_ACCMODE) != O_RDWR)
		return ERR_PTR(-EINVAL);
	file = sock_alloc_file(rs->sock, f_flags & O_NONBLOCK, NULL);
	if (IS_ERR(file)) {
		/* sock_alloc_file() released the socket */
		rs->sock = NULL;
		return file;
	}
	rs->file = get_file(file);
	return file;
}

/* the end of restart: what waited until every task and socket exists */
static int ckpt_sock_finish(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_rsock *rs = obj->ptr;
	const struct ckpt_rec_socket *r = &rs->rec;
	int ret;

	if (ctx->net->pending)
		return -EINVAL;
	/* the queue holds what the image said, no less */
	if (rs->msgs != le32_to_cpu(r->rcvq_msgs) ||
	    rs->bytes != le64_to_cpu(r->rcvq_bytes) ||
	    rs->sbytes != le64_to_cpu(r->sndq_bytes))
		return -EINVAL;
	ckpt_sock_apply_fix(ctx, rs);
	if (r->family == cpu_to_le16(AF_UNIX))
		ret = ckpt_unix_finish(ctx, rs);
	else
		ret = ckpt_inet_finish(ctx, rs);
	if (ret)
		return ret;
	return ckpt_sock_set_peercred(ctx, rs);
}

/* restart succeeded: the socket file it bound stays */
static void ckpt_sock_commit(struct ckpt_obj *obj)
{
	struct ckpt_rsock *rs = obj->ptr;

	if (rs)
		rs->committed = true;
}

const struct ckpt_obj_ops ckpt_sock_ops = {
	.type = CKPT_REC_SOCKET,
	.err_kind = CKPT_OBJ_SOCKET,
	.drop = ckpt_sock_drop,
	.collect = ckpt_sock_collect,
	.forget = ckpt_sock_forget,
	.dump = ckpt_sock_dump,
	.release = ckpt_sock_release,
	.finish = ckpt_sock_finish,
	.commit = ckpt_sock_commit,
};

static const struct ckpt_rec_ops ckpt_sock_records[] = {
	{
		.type = CKPT_REC_SOCKET,
		.name = "SOCKET",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_socket),
		.max_len = sizeof(struct ckpt_rec_socket) +
			   2 * sizeof(struct sockaddr_storage) + 2 * PATH_MAX,
		.restore = ckpt_restore_socket,
	},
	{
		.type = CKPT_REC_SOCK_TCP,
		.name = "SOCK_TCP",
		.place = CKPT_PLACE_MEMBER,
		.min_len = sizeof(struct ckpt_rec_sock_tcp),
		.max_len = sizeof(struct ckpt_rec_sock_tcp),
	},
	{
		.type = CKPT_REC_SOCK_QUEUE,
		.name = "SOCK_QUEUE",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_sock_queue),
		.max_len = CKPT_REC_MAX_LEN,
		.restore = ckpt_restore_sock_queue,
	},
};

static int __init ckpt_sock_init(void)
{
	return ckpt_register_records(ckpt_sock_records,
				     ARRAY_SIZE(ckpt_sock_records));
}
core_initcall(ckpt_sock_init);
