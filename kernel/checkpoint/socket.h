/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint/restart: what the socket files (socket.c, unix.c, inet.c,
 * netns.c) share.  The rest of kernel/checkpoint/ sees only the entry
 * points declared in internal.h.
 */
#ifndef _KERNEL_CHECKPOINT_SOCKET_H
#define _KERNEL_CHECKPOINT_SOCKET_H

#include <linux/list.h>
#include <linux/net.h>
#include <linux/path.h>
#include <linux/types.h>

#include "internal.h"

struct sk_buff;
struct sock;
struct net;

/**
 * struct ckpt_sksave - checkpoint: what is kept with a socket of the image
 * @obj:	its object
 * @node:	on ckpt_net.collect or ckpt_net.queues
 * @flags:	CKPT_SKS_*
 * @skbs:	unix: its receive queue as collected, a reference each
 * @nr_skbs:	how many
 * @tcp:	TCP: the state read with its peer's (inet.c)
 * @fd:		the first fd that holds it, -1 if none, for messages
 */
struct ckpt_sksave {
	struct ckpt_obj *obj;
	struct list_head node;
	unsigned int flags;
	struct sk_buff **skbs;
	unsigned int nr_skbs;
	void *tcp;
	int fd;
};

#define CKPT_SKS_COLLECTED	0x1	/* its relations were collected */
#define CKPT_SKS_WRITTEN	0x2	/* its SOCKET record is written */
#define CKPT_SKS_QUEUED		0x4	/* its queue is or was on the list */
#define CKPT_SKS_QUIESCE	0x8	/* TCP: silence it before the kill */

/**
 * struct ckpt_rsock - restart: a socket of the image
 * @sock:	the socket; NULL for an embryo
 * @sk:		its sock, with a reference
 * @file:	the file that holds it, once a FILE record made one
 * @tmp:	a stand-in for an end that was closed, released at the end
 * @peer:	datagram: the peer found by name, with a reference
 * @rec:	the fixed part of its record
 * @parent:	unix, bound to a path: the directory of its socket file
 * @name:	unix, bound to a path: the file's name in @parent
 * @msgs:	receive queue messages replayed so far
 * @bytes:	receive queue bytes replayed so far
 * @sbytes:	TCP: send queue bytes replayed so far
 * @fix:	sk_buffs whose sender pid is set at the end
 * @fix_pid:	the pid (in the image) of each
 * @nr_fix:	how many
 * @max_fix:	room in @fix and @fix_pid
 * @repair:	TCP: in repair mode until the end
 * @priv:	what the family keeps (inet.c)
 */
struct ckpt_rsock {
	struct socket *sock;
	struct sock *sk;
	struct file *file;
	struct socket *tmp;
	struct sock *peer;
	struct ckpt_rec_socket rec;
	struct path parent;
	char *name;
	u32 msgs;
	u64 bytes;
	u64 sbytes;
	struct sk_buff **fix;
	u32 *fix_pid;
	unsigned int nr_fix;
	unsigned int max_fix;
	bool repair;
	bool bound;
	bool committed;
	void *priv;
};

/**
 * struct ckpt_net - the state of the socket code for one checkpoint or
 * restart (ctx->net)
 * @collect:	checkpoint: sockets whose relations are still to collect
 * @queues:	checkpoint: sockets whose data is still to write
 * @collecting:	checkpoint: ckpt_sock_collect() is running
 * @draining:	checkpoint: the data of @queues is being written
 * @ns:		the network namespace of the image's tasks
 * @own_ns:	@ns is a container's own, saved with it
 * @ns_ref:	its object id, 0 if it is the caller's
 * @pending:	restart: the first socket of a pair, until its peer's record
 * @pending_ref: its object id
 */
struct ckpt_net {
	struct list_head collect;
	struct list_head queues;
	bool collecting;
	bool draining;
	struct net *ns;
	bool own_ns;
	u32 ns_ref;
	struct ckpt_obj *pending;
	u32 pending_ref;
};

struct ckpt_net *ckpt_net(struct ckpt_ctx *ctx);
extern const struct ckpt_obj_ops ckpt_sock_ops;
extern const struct ckpt_obj_ops ckpt_netns_ops;

/* socket.c */
void ckpt_sock_pair_done(struct ckpt_ctx *ctx);
u32 ckpt_sock_pid(struct ckpt_ctx *ctx, struct pid *pid);
struct pid *ckpt_sock_find_pid(struct ckpt_ctx *ctx, u32 nr);
bool ckpt_sock_ids_ok(struct ckpt_ctx *ctx, u32 uid, u32 gid);
struct ckpt_obj *ckpt_sock_collect_sk(struct ckpt_ctx *ctx, struct sock *sk);
struct ckpt_obj *ckpt_sock_find(struct ckpt_ctx *ctx, struct sock *sk);
bool ckpt_sock_in_image(struct ckpt_ctx *ctx, struct sock *sk);
int ckpt_sock_write(struct ckpt_ctx *ctx, struct ckpt_obj *obj,
		    struct ckpt_rec_socket *r, const void *addr,
		    const void *peer_addr, const char *path,
		    const char *peer_path);
void ckpt_sock_fill(struct ckpt_ctx *ctx, struct sock *sk,
		    struct ckpt_rec_socket *r);
void ckpt_sock_queue_later(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
int ckpt_sock_snap_queue(struct sk_buff_head *q, struct ckpt_sksave *s);
int ckpt_sock_err(struct ckpt_ctx *ctx, struct ckpt_obj *obj, int err,
		  const char *fmt, ...) __printf(4, 5);

/* a writer of CKPT_REC_SOCK_QUEUE records */
struct ckpt_qwriter {
	struct ckpt_ctx *ctx;
	struct ckpt_rec_sock_queue r;
	u8 *buf;
	size_t len;
	size_t size;
	u32 nr;
};

int ckpt_qw_init(struct ckpt_qwriter *w, struct ckpt_ctx *ctx, u32 ref,
		 u32 queue);
int ckpt_qw_add(struct ckpt_qwriter *w, const struct ckpt_sock_msg *m,
		const __le32 *fds, const void *name, struct sk_buff *skb,
		int offset, const void *data);
int ckpt_qw_flush(struct ckpt_qwriter *w);
void ckpt_qw_free(struct ckpt_qwriter *w);

int ckpt_sock_setopt(struct socket *sock, int level, int name, int val);
int ckpt_sock_restore_opts(struct ckpt_rsock *rs);
int ckpt_sock_reserve_fix(struct ckpt_rsock *rs, unsigned int more);
void ckpt_sock_add_fix(struct ckpt_rsock *rs, struct sk_buff *skb, u32 pid);
void ckpt_sock_apply_fix(struct ckpt_ctx *ctx, struct ckpt_rsock *rs);
struct ckpt_rsock *ckpt_rsock_get(struct ckpt_ctx *ctx, u32 ref);
int ckpt_sock_set_peercred(struct ckpt_ctx *ctx, struct ckpt_rsock *rs);

/* unix.c */
int ckpt_unix_collect(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
int ckpt_unix_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
int ckpt_unix_dump_queue(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
int ckpt_unix_restore(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
		      const u8 *data);
int ckpt_unix_restore_queue(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
			    const struct ckpt_rec_sock_queue *q, u32 len);
int ckpt_unix_finish(struct ckpt_ctx *ctx, struct ckpt_rsock *rs);
void ckpt_unix_release(struct ckpt_rsock *rs);

/* inet.c */
int ckpt_inet_collect(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
int ckpt_inet_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
int ckpt_inet_dump_queue(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
void ckpt_inet_forget(struct ckpt_sksave *s);
void ckpt_inet_quiesce(struct sock *sk);
int ckpt_inet_restore(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
		      const u8 *data);
int ckpt_inet_restore_queue(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
			    const struct ckpt_rec_sock_queue *q, u32 len);
int ckpt_inet_finish(struct ckpt_ctx *ctx, struct ckpt_rsock *rs);
void ckpt_inet_release(struct ckpt_rsock *rs);

#endif /* _KERNEL_CHECKPOINT_SOCKET_H */
