// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: TCP and UDP sockets, IPv4 and IPv6.
 *
 * Saved: TCP sockets that are unconnected (maybe bound), listening (with
 * the connections waiting in the accept queue whose client is in the
 * image), or established with their peer in the image; UDP sockets bound
 * or connected, with their queued datagrams and the source of each.
 *
 * An established connection is read with its peer at one instant (both
 * sockets locked, so that no segment moves between them): sequence
 * numbers, windows, MSS, the negotiated options (timestamps and their
 * clock, window scaling, SACK), the bytes received and not read, the bytes
 * sent and not acknowledged, the bytes not sent yet.  Restart rebuilds it
 * the way TCP_REPAIR lets user space do it, but in the kernel and with no
 * capability to grant: both ends are new sockets of the image, bound as
 * the caller may bind (a privileged port needs CAP_NET_BIND_SERVICE in the
 * namespace's user namespace, an address must be local), whose 4-tuple no
 * other socket uses; nothing is sent until every task and socket exists,
 * then both ends leave repair mode, send a window probe and go on.  With
 * CHECKPOINT_KILL the saved connections are put in repair mode before the
 * tasks die, so that their end sends no FIN and no RST and leaves no
 * TIME_WAIT: the ports are free for the restart at once.
 *
 * A connection that waits in a listening socket is made again by a real
 * handshake from its client, which then sends again what the server had
 * not read; an established connection to a peer outside the image, or in
 * any state but established, is refused, as are corked UDP data and
 * urgent TCP data.
 */

#include <linux/inet.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/skbuff.h>
#include <linux/sockptr.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/udp.h>

#include "internal.h"
#include "socket.h"

#define CKPT_TCP_CONNECT_MS	10000

/* checkpoint: what a listening socket keeps with it */
struct ckpt_inet_save {
	struct sock **kids;	/* its accept queue, a reference each */
	unsigned int nr_kids;
};

static struct ckpt_sksave *ckpt_sks(struct ckpt_obj *obj)
{
	return (struct ckpt_sksave *)obj->priv;
}

static bool ckpt_is_tcp(const struct sock *sk)
{
	return sk->sk_type == SOCK_STREAM;
}

/* the two ends of a connection, normalised to IPv6 (v4-mapped) */
struct ckpt_inet_key {
	struct in6_addr laddr, raddr;
	__be16 lport, rport;
};

static void ckpt_inet_key(struct sock *sk, struct ckpt_inet_key *k)
{
	const struct inet_sock *inet = inet_sk(sk);

	memset(k, 0, sizeof(*k));
	k->lport = inet->inet_sport;
	k->rport = inet->inet_dport;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		k->laddr = sk->sk_v6_rcv_saddr;
		k->raddr = sk->sk_v6_daddr;
		return;
	}
#endif
	ipv6_addr_set_v4mapped(inet->inet_rcv_saddr, &k->laddr);
	ipv6_addr_set_v4mapped(inet->inet_daddr, &k->raddr);
}

static bool ckpt_inet_mirror(const struct ckpt_inet_key *a,
			     const struct ckpt_inet_key *b)
{
	return a->lport == b->rport && a->rport == b->lport &&
	       ipv6_addr_equal(&a->laddr, &b->raddr) &&
	       ipv6_addr_equal(&a->raddr, &b->laddr);
}

/* an address of the image as a key half: v4-mapped, port */
static void ckpt_inet_norm(const struct sockaddr_storage *ss,
			   struct in6_addr *a, __be16 *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

	*port = sin->sin_port;
	if (ss->ss_family == AF_INET)
		ipv6_addr_set_v4mapped(sin->sin_addr.s_addr, a);
	else
		*a = ((const struct sockaddr_in6 *)ss)->sin6_addr;
}

/* two addresses are the same address and port */
static bool ckpt_inet_same(const struct sockaddr_storage *a,
			   const struct sockaddr_storage *b)
{
	struct in6_addr x, y;
	__be16 px, py;

	ckpt_inet_norm(a, &x, &px);
	ckpt_inet_norm(b, &y, &py);
	return px == py && ipv6_addr_equal(&x, &y);
}

/* the wildcard address, with the port of @ss */
static void ckpt_inet_any(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_ANY);
	else
		memset(&((struct sockaddr_in6 *)ss)->sin6_addr, 0,
		       sizeof(struct in6_addr));
}

/* the address of one end of @sk, as getsockname(2) or getpeername(2) */
static u32 ckpt_inet_addr(struct sock *sk, bool peer,
			  struct sockaddr_storage *ss)
{
	const struct inet_sock *inet = inet_sk(sk);

	memset(ss, 0, sizeof(*ss));
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = peer ? inet->inet_dport : inet->inet_sport;
		sin6->sin6_addr = peer ? sk->sk_v6_daddr : sk->sk_v6_rcv_saddr;
		if (ipv6_addr_type(&sin6->sin6_addr) & IPV6_ADDR_LINKLOCAL)
			sin6->sin6_scope_id = sk->sk_bound_dev_if;
		return sizeof(*sin6);
	}
#endif
	{
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = peer ? inet->inet_dport : inet->inet_sport;
		sin->sin_addr.s_addr = peer ? inet->inet_daddr :
				       inet->inet_rcv_saddr;
		return sizeof(*sin);
	}
}

/**
 * ckpt_inet_collect - the objects an inet socket refers to
 * @ctx: checkpoint context
 * @obj: the socket
 *
 * A listening TCP socket's accept queue; a UDP socket's datagrams.
 */
int ckpt_inet_collect(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_sksave *s = ckpt_sks(obj);
	struct sock *sk = obj->ptr;
	struct request_sock_queue *q;
	struct ckpt_inet_save *is;
	struct request_sock *req;
	unsigned int n, i;
	int ret;

	if (!ckpt_is_tcp(sk)) {
		ret = ckpt_sock_snap_queue(&udp_sk(sk)->reader_queue, s);
		if (!ret && s->nr_skbs) {
			/* the reader's queue goes first: keep it apart */
			struct ckpt_sksave tmp = {};

			ret = ckpt_sock_snap_queue(&sk->sk_receive_queue, &tmp);
			if (!ret && tmp.nr_skbs) {
				struct sk_buff **all;

				all = kvcalloc(s->nr_skbs + tmp.nr_skbs,
					       sizeof(*all), GFP_KERNEL_ACCOUNT);
				if (all) {
					memcpy(all, s->skbs, s->nr_skbs * sizeof(*all));
					memcpy(all + s->nr_skbs, tmp.skbs,
					       tmp.nr_skbs * sizeof(*all));
					kvfree(s->skbs);
					s->skbs = all;
					s->nr_skbs += tmp.nr_skbs;
					tmp.nr_skbs = 0;
				} else {
					ret = -ENOMEM;
				}
			}
			for (i = 0; i < tmp.nr_skbs; i++)
				consume_skb(tmp.skbs[i]);
			kvfree(tmp.skbs);
		} else if (!ret) {
			kvfree(s->skbs);
			s->skbs = NULL;
			ret = ckpt_sock_snap_queue(&sk->sk_receive_queue, s);
		}
		return ret;
	}
	if (READ_ONCE(sk->sk_state) != TCP_LISTEN)
		return 0;
	is = kzalloc(sizeof(*is), GFP_KERNEL_ACCOUNT);
	if (!is)
		return -ENOMEM;
	s->tcp = is;
	q = &inet_csk(sk)->icsk_accept_queue;
	for (;;) {
		n = 0;
		spin_lock_bh(&q->rskq_lock);
		for (req = q->rskq_accept_head; req; req = req->dl_next)
			n++;
		spin_unlock_bh(&q->rskq_lock);
		is->kids = kcalloc(max(n, 1U), sizeof(*is->kids),
				   GFP_KERNEL_ACCOUNT);
		if (!is->kids)
			return -ENOMEM;
		spin_lock_bh(&q->rskq_lock);
		i = 0;
		for (req = q->rskq_accept_head; req && i < n; req = req->dl_next)
			if (req->sk)
				is->kids[i++] = req->sk;
		if (!req)
			break;
		spin_unlock_bh(&q->rskq_lock);
		kfree(is->kids);
	}
	for (n = 0; n < i; n++)
		sock_hold(is->kids[n]);
	spin_unlock_bh(&q->rskq_lock);
	is->nr_kids = i;
	for (n = 0; n < is->nr_kids; n++) {
		struct ckpt_obj *o = ckpt_sock_collect_sk(ctx, is->kids[n]);

		if (IS_ERR(o))
			return PTR_ERR(o);
	}
	return 0;
}

/**
 * ckpt_inet_forget - drop what checkpoint kept with an inet socket
 * @s: its state
 */
void ckpt_inet_forget(struct ckpt_sksave *s)
{
	struct ckpt_inet_save *is = s->tcp;
	unsigned int i;

	if (!is)
		return;
	for (i = 0; i < is->nr_kids; i++)
		sock_put(is->kids[i]);
	kfree(is->kids);
	kfree(is);
	s->tcp = NULL;
}

/* the common fields of an inet SOCKET record and its addresses */
static void ckpt_inet_fill(struct ckpt_ctx *ctx, struct sock *sk,
			   struct ckpt_rec_socket *r, u32 state,
			   struct sockaddr_storage *la,
			   struct sockaddr_storage *pa)
{
	u32 flags = 0;

	ckpt_sock_fill(ctx, sk, r);
	r->state = cpu_to_le32(state);
	if (sk->sk_userlocks & SOCK_BINDPORT_LOCK)
		flags |= CKPT_SOCK_BOUND;
	if (sk->sk_userlocks & SOCK_BINDADDR_LOCK)
		flags |= CKPT_SOCK_BINDADDR;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 && ipv6_only_sock(sk))
		flags |= CKPT_SOCK_V6ONLY;
#endif
	if (inet_test_bit(FREEBIND, sk))
		flags |= CKPT_SOCK_FREEBIND;
	r->flags |= cpu_to_le32(flags);
	r->addr_len = cpu_to_le32(inet_sk(sk)->inet_num ?
				  ckpt_inet_addr(sk, false, la) : 0);
	r->peer_addr_len = cpu_to_le32(state == CKPT_SOCK_CONNECTED ?
				       ckpt_inet_addr(sk, true, pa) : 0);
	if (state == CKPT_SOCK_LISTEN)
		r->backlog = cpu_to_le32(READ_ONCE(sk->sk_max_ack_backlog));
}

static void ckpt_tcp_fill_opts(struct sock *sk, struct ckpt_rec_sock_tcp *t);

/*
 * Write an inet SOCKET record with the state and flags given, and for a
 * TCP socket that is not an embryo its SOCK_TCP: @t, or its options.
 */
static int ckpt_inet_write(struct ckpt_ctx *ctx, struct ckpt_obj *obj,
			   u32 state, u32 flags, u32 peer_ref, u32 listener_ref,
			   u64 sndq, const struct ckpt_rec_sock_tcp *t)
{
	struct sockaddr_storage la, pa;
	struct ckpt_rec_socket r = {};
	struct ckpt_rec_sock_tcp opts = {};
	struct sock *sk = obj->ptr;
	int ret;

	ckpt_inet_fill(ctx, sk, &r, state, &la, &pa);
	r.flags |= cpu_to_le32(flags);
	r.peer_ref = cpu_to_le32(peer_ref);
	r.listener_ref = cpu_to_le32(listener_ref);
	r.sndq_bytes = cpu_to_le64(sndq);
	ret = ckpt_sock_write(ctx, obj, &r, &la, &pa, NULL, NULL);
	if (ret || !ckpt_is_tcp(sk) || listener_ref)
		return ret;
	if (!t) {
		ckpt_tcp_fill_opts(sk, &opts);
		t = &opts;
	}
	return ckpt_write_record(ctx, CKPT_REC_SOCK_TCP, (void *)t,
				 sizeof(*t), NULL, 0);
}

/* the image's TCP socket at the other end of @sk, or NULL */
static struct ckpt_obj *ckpt_tcp_find_peer(struct ckpt_ctx *ctx,
					   struct sock *sk)
{
	struct ckpt_inet_key k, pk;
	struct ckpt_obj *obj;
	unsigned long ref;

	ckpt_inet_key(sk, &k);
	xa_for_each(&ctx->objs, ref, obj) {
		struct sock *p = obj->ptr;

		if (obj->ops != &ckpt_sock_ops || p == sk ||
		    (p->sk_family != AF_INET && p->sk_family != AF_INET6) ||
		    !ckpt_is_tcp(p) || !net_eq(sock_net(p), sock_net(sk)) ||
		    READ_ONCE(p->sk_state) != TCP_ESTABLISHED)
			continue;
		ckpt_inet_key(p, &pk);
		if (ckpt_inet_mirror(&k, &pk))
			return obj;
	}
	return NULL;
}

/* what an established connection's end holds, read under its lock */
struct ckpt_tcp_snap {
	struct ckpt_rec_sock_tcp t;
	u8 *rcvq;
	u32 rcvq_len;
	u8 *sndq;
	u32 sndq_len;
};

static void ckpt_tcp_snap_free(struct ckpt_tcp_snap *s)
{
	kvfree(s->rcvq);
	kvfree(s->sndq);
}

/* the bytes [@seq, @end) of the buffers of a queue */
static int ckpt_tcp_copy(struct sk_buff *skb, u32 *seq, u32 end, u8 *buf,
			 u32 *off)
{
	u32 s = TCP_SKB_CB(skb)->seq, o, n;

	if (!before(*seq, end))
		return 0;
	if (before(*seq, s))
		return -EAGAIN;		/* a hole: cannot be */
	o = *seq - s;
	if (o >= skb->len)
		return 0;
	n = min(skb->len - o, end - *seq);
	if (skb_copy_bits(skb, o, buf + *off, n))
		return -EFAULT;
	*off += n;
	*seq += n;
	return 0;
}

/* the TCP options of @sk that programs set */
static void ckpt_tcp_fill_opts(struct sock *sk, struct ckpt_rec_sock_tcp *t)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	u32 flags = le32_to_cpu(t->flags);

	if (tp->nonagle & TCP_NAGLE_OFF)
		flags |= CKPT_TCP_NODELAY;
	if (tp->nonagle & TCP_NAGLE_CORK)
		flags |= CKPT_TCP_CORK;
	t->flags = cpu_to_le32(flags);
	t->keepidle = cpu_to_le32(READ_ONCE(tp->keepalive_time) / HZ);
	t->keepintvl = cpu_to_le32(READ_ONCE(tp->keepalive_intvl) / HZ);
	t->keepcnt = cpu_to_le32(READ_ONCE(tp->keepalive_probes));
	t->user_timeout = cpu_to_le32(READ_ONCE(icsk->icsk_user_timeout));
	t->notsent_lowat = cpu_to_le32(READ_ONCE(tp->notsent_lowat));
}

/* read one end, locked, established */
static int ckpt_tcp_snap(struct sock *sk, struct ckpt_tcp_snap *s)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct ckpt_rec_sock_tcp *t = &s->t;
	struct sk_buff *skb;
	u32 flags = 0, seq, off;
	int ret = 0;

	if (sk->sk_state != TCP_ESTABLISHED)
		return -EAGAIN;
	s->rcvq_len = tp->rcv_nxt - tp->copied_seq;
	s->sndq_len = tp->write_seq - tp->snd_una;
	if (s->rcvq_len > INT_MAX || s->sndq_len > INT_MAX)
		return -EOVERFLOW;
	s->rcvq = kvmalloc(max(s->rcvq_len, 1U), GFP_KERNEL);
	s->sndq = kvmalloc(max(s->sndq_len, 1U), GFP_KERNEL);
	if (!s->rcvq || !s->sndq)
		return -ENOMEM;
	seq = tp->copied_seq;
	off = 0;
	skb_queue_walk(&sk->sk_receive_queue, skb) {
		ret = ckpt_tcp_copy(skb, &seq, tp->rcv_nxt, s->rcvq, &off);
		if (ret)
			return ret;
	}
	if (off != s->rcvq_len)
		return -EAGAIN;
	seq = tp->snd_una;
	off = 0;
	for (skb = skb_rb_first(&sk->tcp_rtx_queue); skb && !ret;
	     skb = skb_rb_next(skb))
		ret = ckpt_tcp_copy(skb, &seq, tp->write_seq, s->sndq, &off);
	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (ret)
			break;
		ret = ckpt_tcp_copy(skb, &seq, tp->write_seq, s->sndq, &off);
	}
	if (ret)
		return ret;
	if (off != s->sndq_len)
		return -EAGAIN;

	if (tp->rx_opt.tstamp_ok)
		flags |= CKPT_TCP_TIMESTAMPS;
	if (tp->rx_opt.sack_ok)
		flags |= CKPT_TCP_SACK;
	if (tp->rx_opt.wscale_ok)
		flags |= CKPT_TCP_WSCALE;
	t->flags = cpu_to_le32(flags);
	ckpt_tcp_fill_opts(sk, t);
	t->mss_clamp = cpu_to_le32(tp->rx_opt.mss_clamp);
	t->snd_wscale = cpu_to_le32(tp->rx_opt.snd_wscale);
	t->rcv_wscale = cpu_to_le32(tp->rx_opt.rcv_wscale);
	t->rcv_nxt = cpu_to_le32(tp->rcv_nxt);
	t->write_seq = cpu_to_le32(tp->write_seq);
	t->snd_una = cpu_to_le32(tp->snd_una);
	t->snd_nxt = cpu_to_le32(tp->snd_nxt);
	/* as TCP_TIMESTAMP gives it: the low bit says microseconds */
	t->tsval = cpu_to_le32(((tcp_clock_ts(tp->tcp_usec_ts) + tp->tsoffset) &
				~1U) | (tp->tcp_usec_ts ? 1 : 0));
	t->snd_wl1 = cpu_to_le32(tp->snd_wl1);
	t->snd_wnd = cpu_to_le32(tp->snd_wnd);
	t->max_window = cpu_to_le32(tp->max_window);
	t->rcv_wnd = cpu_to_le32(tp->rcv_wnd);
	t->rcv_wup = cpu_to_le32(tp->rcv_wup);
	return 0;
}

/* why an established connection cannot be read, or NULL */
static const char *ckpt_tcp_unsupported(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (READ_ONCE(tp->urg_data))
		return "urgent data (MSG_OOB) is pending";
	if (rcu_access_pointer(tp->fastopen_rsk))
		return "a TCP Fast Open connection is not established yet";
	if (tp->repair)
		return "TCP socket in repair mode";
#ifdef CONFIG_TCP_MD5SIG
	if (rcu_access_pointer(tp->md5sig_info))
		return "TCP-MD5 signatures are not supported";
#endif
#ifdef CONFIG_TCP_AO
	if (rcu_access_pointer(tp->ao_info))
		return "TCP-AO signatures are not supported";
#endif
	if (inet_csk(sk)->icsk_ulp_ops)
		return "a TCP upper layer protocol (kTLS, MPTCP) is attached";
	return NULL;
}

/* write one end: its SOCKET, its SOCK_TCP; queues later in the pair */
static int ckpt_tcp_write_end(struct ckpt_ctx *ctx, struct ckpt_obj *obj,
			      struct ckpt_tcp_snap *s, u32 flags, u32 peer_ref)
{
	struct sockaddr_storage la, pa;
	struct ckpt_rec_socket r = {};
	int ret;

	ckpt_inet_fill(ctx, obj->ptr, &r, CKPT_SOCK_CONNECTED, &la, &pa);
	r.flags |= cpu_to_le32(flags);
	r.peer_ref = cpu_to_le32(peer_ref);
	r.rcvq_bytes = cpu_to_le64(s->rcvq_len);
	r.rcvq_msgs = cpu_to_le32(s->rcvq_len ? 1 : 0);
	r.sndq_bytes = cpu_to_le64(s->sndq_len);
	ret = ckpt_sock_write(ctx, obj, &r, &la, &pa, NULL, NULL);
	if (!ret)
		ret = ckpt_write_record(ctx, CKPT_REC_SOCK_TCP, &s->t,
					sizeof(s->t), NULL, 0);
	return ret;
}

/* a queue as one record (or more, each at most CKPT_QW_SIZE) */
static int ckpt_tcp_write_queue(struct ckpt_ctx *ctx, struct ckpt_obj *obj,
				u32 queue, const u8 *data, u32 len)
{
	struct ckpt_qwriter w;
	u32 off = 0;
	int ret;

	if (!len)
		return 0;
	ret = ckpt_qw_init(&w, ctx, obj->ref, queue);
	/* one message per record: a byte stream has no boundaries */
	while (!ret && off < len) {
		struct ckpt_sock_msg m = {};
		u32 n = min_t(u32, len - off, SZ_1M - 2 * sizeof(m));

		m.len = cpu_to_le32(n);
		ret = ckpt_qw_add(&w, &m, NULL, NULL, NULL, 0, data + off);
		if (!ret)
			ret = ckpt_qw_flush(&w);
		off += n;
	}
	ckpt_qw_free(&w);
	return ret;
}

/*
 * An established connection whose two ends are in the image: both are
 * read at once, under both socket locks, so that what one sent and the
 * other received agree.
 */
static int ckpt_tcp_dump_pair(struct ckpt_ctx *ctx, struct ckpt_obj *a,
			      struct ckpt_obj *b)
{
	struct ckpt_tcp_snap sa = {}, sb = {};
	struct sock *ska = a->ptr, *skb = b->ptr, *first, *second;
	u32 a_una, a_nxt, b_rcv;
	int ret;

	first = ska < skb ? ska : skb;
	second = first == ska ? skb : ska;
	lock_sock(first);
	lock_sock_nested(second, SINGLE_DEPTH_NESTING);
	ret = ckpt_tcp_snap(ska, &sa);
	if (!ret)
		ret = ckpt_tcp_snap(skb, &sb);
	release_sock(second);
	release_sock(first);
	if (ret == -EAGAIN)
		ret = ckpt_sock_err(ctx, a, ret,
				    "TCP connection changed state while saved");
	if (ret)
		goto out;
	/* what b received, a sent: a.snd_una <= b.rcv_nxt <= a.snd_nxt */
	a_una = le32_to_cpu(sa.t.snd_una);
	a_nxt = le32_to_cpu(sa.t.snd_nxt);
	b_rcv = le32_to_cpu(sb.t.rcv_nxt);
	if (after(a_una, b_rcv) || after(b_rcv, a_nxt)) {
		ret = ckpt_sock_err(ctx, a, -EAGAIN,
				    "TCP connection ends disagree");
		goto out;
	}
	ckpt_sks(a)->flags |= CKPT_SKS_QUIESCE;
	ckpt_sks(b)->flags |= CKPT_SKS_QUIESCE;
	ret = ckpt_tcp_write_end(ctx, a, &sa, CKPT_SOCK_PAIRED, 0);
	if (!ret)
		ret = ckpt_tcp_write_end(ctx, b, &sb, 0, a->ref);
	if (!ret)
		ret = ckpt_tcp_write_queue(ctx, a, CKPT_QUEUE_RECV, sa.rcvq,
					   sa.rcvq_len);
	if (!ret)
		ret = ckpt_tcp_write_queue(ctx, a, CKPT_QUEUE_SEND, sa.sndq,
					   sa.sndq_len);
	if (!ret)
		ret = ckpt_tcp_write_queue(ctx, b, CKPT_QUEUE_RECV, sb.rcvq,
					   sb.rcvq_len);
	if (!ret)
		ret = ckpt_tcp_write_queue(ctx, b, CKPT_QUEUE_SEND, sb.sndq,
					   sb.sndq_len);
out:
	ckpt_tcp_snap_free(&sa);
	ckpt_tcp_snap_free(&sb);
	return ret;
}

/*
 * A connection waiting in a listening socket: its client @c, which will
 * connect again, with everything it sent that the server did not read,
 * then the child @k as its peer.
 */
static int ckpt_tcp_dump_waiting(struct ckpt_ctx *ctx, struct ckpt_obj *l,
				 struct ckpt_obj *k, struct ckpt_obj *c)
{
	struct ckpt_tcp_snap sc = {}, sk = {};
	struct sock *ksk = k->ptr, *csk = c->ptr, *first, *second;
	u32 skip, len;
	u8 *stream = NULL;
	int ret;

	first = ksk < csk ? ksk : csk;
	second = first == ksk ? csk : ksk;
	lock_sock(first);
	lock_sock_nested(second, SINGLE_DEPTH_NESTING);
	ret = ckpt_tcp_snap(csk, &sc);
	if (!ret)
		ret = ckpt_tcp_snap(ksk, &sk);
	release_sock(second);
	release_sock(first);
	if (ret)
		goto out;
	/* the server never wrote: the client has nothing to read */
	ret = -EAGAIN;
	if (sc.rcvq_len || sk.sndq_len)
		goto out;
	/* the child's unread bytes, then the client's beyond them */
	skip = le32_to_cpu(sk.t.rcv_nxt) - le32_to_cpu(sc.t.snd_una);
	if (skip > sc.sndq_len)
		goto out;
	len = sk.rcvq_len + sc.sndq_len - skip;
	ret = -ENOMEM;
	stream = kvmalloc(max(len, 1U), GFP_KERNEL);
	if (!stream)
		goto out;
	memcpy(stream, sk.rcvq, sk.rcvq_len);
	memcpy(stream + sk.rcvq_len, sc.sndq + skip, sc.sndq_len - skip);
	ckpt_sks(c)->flags |= CKPT_SKS_QUIESCE;
	ret = ckpt_inet_write(ctx, c, CKPT_SOCK_CONNECTED,
			      CKPT_SOCK_PAIRED | CKPT_SOCK_HANDSHAKE, 0, 0, len,
			      &sc.t);
	if (!ret)
		ret = ckpt_inet_write(ctx, k, CKPT_SOCK_CONNECTED, 0, c->ref,
				      l->ref, 0, NULL);
	if (!ret)
		ret = ckpt_tcp_write_queue(ctx, c, CKPT_QUEUE_SEND, stream, len);
out:
	if (ret == -EAGAIN)
		ret = ckpt_sock_err(ctx, l, ret,
				    "a connection waiting to be accepted changed while saved");
	kvfree(stream);
	ckpt_tcp_snap_free(&sc);
	ckpt_tcp_snap_free(&sk);
	return ret;
}

static int ckpt_tcp_dump_listener(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_inet_save *is = ckpt_sks(obj)->tcp;
	unsigned int i;
	int ret;

	ret = ckpt_inet_write(ctx, obj, CKPT_SOCK_LISTEN, 0, 0, 0, 0, NULL);
	for (i = 0; is && i < is->nr_kids && !ret; i++) {
		struct ckpt_obj *k = ckpt_sock_find(ctx, is->kids[i]);
		struct ckpt_obj *c = k ? ckpt_tcp_find_peer(ctx, k->ptr) : NULL;

		if (!k)
			return -EINVAL;
		if (!c || !ckpt_sock_in_image(ctx, c->ptr) ||
		    (ckpt_sks(c)->flags & CKPT_SKS_WRITTEN))
			return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
					     "a connection from outside the image waits to be accepted");
		ret = ckpt_tcp_dump_waiting(ctx, obj, k, c);
	}
	return ret;
}

/* the listening socket whose accept queue holds @sk, or NULL */
static struct ckpt_obj *ckpt_tcp_find_listener(struct ckpt_ctx *ctx,
					       struct sock *sk)
{
	struct ckpt_obj *obj;
	unsigned long ref;

	xa_for_each(&ctx->objs, ref, obj) {
		struct ckpt_sksave *s = ckpt_sks(obj);
		struct ckpt_inet_save *is;
		unsigned int i;

		if (obj->ops != &ckpt_sock_ops || !s || !s->tcp ||
		    !ckpt_is_tcp(obj->ptr))
			continue;
		is = s->tcp;
		for (i = 0; i < is->nr_kids; i++)
			if (is->kids[i] == sk)
				return obj;
	}
	return NULL;
}

static int ckpt_tcp_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct sock *sk = obj->ptr;
	struct ckpt_obj *peer, *l;
	const char *why;
	int ret;

	switch (READ_ONCE(sk->sk_state)) {
	case TCP_CLOSE:
		if (sk->sk_userlocks & SOCK_BINDADDR_LOCK &&
		    !(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
					     "TCP socket bound to an address without a port");
		return ckpt_inet_write(ctx, obj, CKPT_SOCK_UNCONNECTED, 0, 0, 0,
				       0, NULL);
	case TCP_LISTEN:
		return ckpt_tcp_dump_listener(ctx, obj);
	case TCP_ESTABLISHED:
		break;
	case TCP_SYN_SENT:
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "TCP connection being established (SYN_SENT)");
	default:
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "TCP connection being closed (state %u)",
				     sk->sk_state);
	}
	why = ckpt_tcp_unsupported(sk);
	if (why)
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP, "%s", why);
	peer = ckpt_tcp_find_peer(ctx, sk);
	if (peer && !READ_ONCE(((struct sock *)peer->ptr)->sk_socket)) {
		/* the server end waits to be accepted: its listener writes it */
		l = ckpt_tcp_find_listener(ctx, peer->ptr);
		if (l && ckpt_sock_in_image(ctx, l->ptr)) {
			ret = ckpt_obj_dump(ctx, l);
			if (ret || (ckpt_sks(obj)->flags & CKPT_SKS_WRITTEN))
				return ret;
		}
		peer = NULL;
	}
	if (!peer || !ckpt_sock_in_image(ctx, peer->ptr))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "TCP connection to a peer outside the image");
	why = ckpt_tcp_unsupported(peer->ptr);
	if (why)
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP, "peer: %s", why);
	if (ckpt_sks(peer)->flags & CKPT_SKS_WRITTEN)
		return -EINVAL;
	return ckpt_tcp_dump_pair(ctx, obj, peer);
}

/**
 * ckpt_inet_dump - write the records of a TCP or UDP socket
 * @ctx: checkpoint context
 * @obj: the socket, and its peer if they are written as a pair
 */
int ckpt_inet_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct sock *sk = obj->ptr;
	struct ckpt_sksave *s = ckpt_sks(obj);
	struct sockaddr_storage la, pa;
	struct ckpt_rec_socket r = {};
	u64 bytes = 0;
	unsigned int i;
	u32 state;

	if (ckpt_is_tcp(sk))
		return ckpt_tcp_dump(ctx, obj);
	if (READ_ONCE(udp_sk(sk)->pending))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "corked UDP data (UDP_CORK, MSG_MORE) is pending");
	if (udp_sk(sk)->encap_type || udp_test_bit(GRO_ENABLED, sk))
		return ckpt_sock_err(ctx, obj, -EOPNOTSUPP,
				     "UDP encapsulation or GRO is not supported");
	state = READ_ONCE(sk->sk_state) == TCP_ESTABLISHED ?
		CKPT_SOCK_CONNECTED : CKPT_SOCK_UNCONNECTED;
	ckpt_inet_fill(ctx, sk, &r, state, &la, &pa);
	for (i = 0; i < s->nr_skbs; i++)
		bytes += s->skbs[i]->len;
	r.rcvq_msgs = cpu_to_le32(s->nr_skbs);
	r.rcvq_bytes = cpu_to_le64(bytes);
	return ckpt_sock_write(ctx, obj, &r, &la, &pa, NULL, NULL);
}

/* the source address of a received datagram */
static u32 ckpt_udp_source(struct sock *sk, struct sk_buff *skb,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = udp_hdr(skb)->source;
		if (skb->protocol == htons(ETH_P_IP))
			ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr,
					       &sin6->sin6_addr);
		else
			sin6->sin6_addr = ipv6_hdr(skb)->saddr;
		return sizeof(*sin6);
	}
#endif
	{
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = udp_hdr(skb)->source;
		sin->sin_addr.s_addr = ip_hdr(skb)->saddr;
		return sizeof(*sin);
	}
}

/**
 * ckpt_inet_dump_queue - write the datagrams a UDP socket holds
 * @ctx: checkpoint context
 * @obj: the socket
 *
 * A TCP socket's queues were written with its records.
 */
int ckpt_inet_dump_queue(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_sksave *s = ckpt_sks(obj);
	struct sock *sk = obj->ptr;
	struct ckpt_qwriter w;
	unsigned int i;
	int ret;

	if (ckpt_is_tcp(sk) || !s->nr_skbs)
		return 0;
	ret = ckpt_qw_init(&w, ctx, obj->ref, CKPT_QUEUE_RECV);
	for (i = 0; i < s->nr_skbs && !ret; i++) {
		struct sk_buff *skb = s->skbs[i];
		struct sockaddr_storage src;
		struct ckpt_sock_msg m = {};

		m.len = cpu_to_le32(skb->len);
		m.name_len = cpu_to_le32(ckpt_udp_source(sk, skb, &src));
		ret = ckpt_qw_add(&w, &m, NULL, &src, skb, 0, NULL);
	}
	if (!ret)
		ret = ckpt_qw_flush(&w);
	ckpt_qw_free(&w);
	return ret;
}

/**
 * ckpt_inet_quiesce - make a saved TCP connection's end close silently
 * @sk: the socket, whose image is complete and whose task is to be killed
 */
void ckpt_inet_quiesce(struct sock *sk)
{
	lock_sock(sk);
	if (sk->sk_state == TCP_ESTABLISHED)
		tcp_sk(sk)->repair = 1;
	release_sock(sk);
}

/* restart */

/* what restart keeps with an established TCP socket until the end */
struct ckpt_tcp_rst {
	struct ckpt_rec_sock_tcp t;
	u8 *unsent;		/* the bytes never sent: sent at the end */
	u32 nr_unsent;
	u32 sent;		/* bytes of the send queue replayed */
	int sndbuf, rcvbuf;	/* as the image has them */
};

static struct ckpt_tcp_rst *ckpt_tcp_rst(struct ckpt_rsock *rs)
{
	return rs->priv;
}

/* an address of the image for a socket of @family */
static int ckpt_inet_addr_ok(u16 family, const u8 *a, u32 len)
{
	sa_family_t f;

	if (!len)
		return 0;
	if (len != (family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6)))
		return -EINVAL;
	memcpy(&f, a, sizeof(f));
	return f == family ? 0 : -EINVAL;
}

/* the port of an address of the image */
static u16 ckpt_inet_port(const struct sockaddr_storage *ss)
{
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* whether a socket restored earlier holds @port in this namespace */
static bool ckpt_inet_port_ours(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
				u16 port)
{
	struct ckpt_obj *obj;
	unsigned long ref;

	xa_for_each(&ctx->objs, ref, obj) {
		struct ckpt_rsock *o = obj->ptr;

		if (obj->ops != &ckpt_sock_ops || o == rs || !o->sk ||
		    o->rec.family == cpu_to_le16(AF_UNIX) ||
		    o->rec.type != rs->rec.type)
			continue;
		if (inet_sk(o->sk)->inet_num == port &&
		    net_eq(sock_net(o->sk), sock_net(rs->sk)))
			return true;
	}
	return false;
}

/*
 * Bind as the caller may, then listen if @backlog: when the port is held
 * only by sockets the image restored (a listening socket and the
 * connections it accepted), bind into it as accept(2) would have.
 */
static int ckpt_inet_bind(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
			  struct sockaddr_storage *ss, u32 len, int backlog)
{
	struct sock *sk = rs->sk;
	unsigned char reuse = sk->sk_reuse;
	u16 port = ckpt_inet_port(ss);
	int ret;

	ret = kernel_bind(rs->sock, (struct sockaddr *)ss, len);
	if (ret == -EADDRINUSE && port && ckpt_inet_port_ours(ctx, rs, port)) {
		sk->sk_reuse = SK_FORCE_REUSE;
		ret = kernel_bind(rs->sock, (struct sockaddr *)ss, len);
		if (!ret && backlog)
			ret = kernel_listen(rs->sock, backlog);
		sk->sk_reuse = reuse;
		return ret;
	}
	if (!ret && backlog) {
		ret = kernel_listen(rs->sock, backlog);
		if (ret == -EADDRINUSE && ckpt_inet_port_ours(ctx, rs, port)) {
			sk->sk_reuse = SK_FORCE_REUSE;
			ret = kernel_listen(rs->sock, backlog);
			sk->sk_reuse = reuse;
		}
	}
	return ret;
}

/* the lock bits bind(2) set as the image has them */
static void ckpt_inet_userlocks(struct ckpt_rsock *rs)
{
	u32 flags = le32_to_cpu(rs->rec.flags);
	struct sock *sk = rs->sk;

	lock_sock(sk);
	sk->sk_userlocks &= ~(SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK);
	if (flags & CKPT_SOCK_BOUND)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	if (flags & CKPT_SOCK_BINDADDR)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	release_sock(sk);
}

static int ckpt_tcp_setopt(struct ckpt_rsock *rs, int name, const void *val,
			   unsigned int len)
{
	return rs->sock->ops->setsockopt(rs->sock, SOL_TCP, name,
					 KERNEL_SOCKPTR((void *)val), len);
}

/* the options a TCP program sets, except what waits for the end */
static int ckpt_tcp_opts(struct ckpt_rsock *rs, const struct ckpt_rec_sock_tcp *t)
{
	u32 flags = le32_to_cpu(t->flags);
	struct tcp_sock *tp = tcp_sk(rs->sk);
	int ret = 0, v;

	if (flags & CKPT_TCP_NODELAY)
		ret = ckpt_sock_setopt(rs->sock, SOL_TCP, TCP_NODELAY, 1);
	v = le32_to_cpu(t->keepidle);
	if (!ret && v && v * HZ != tp->keepalive_time)
		ret = ckpt_sock_setopt(rs->sock, SOL_TCP, TCP_KEEPIDLE, v);
	v = le32_to_cpu(t->keepintvl);
	if (!ret && v && v * HZ != tp->keepalive_intvl)
		ret = ckpt_sock_setopt(rs->sock, SOL_TCP, TCP_KEEPINTVL, v);
	v = le32_to_cpu(t->keepcnt);
	if (!ret && v && v != tp->keepalive_probes)
		ret = ckpt_sock_setopt(rs->sock, SOL_TCP, TCP_KEEPCNT, v);
	v = le32_to_cpu(t->user_timeout);
	if (!ret && v)
		ret = ckpt_sock_setopt(rs->sock, SOL_TCP, TCP_USER_TIMEOUT, v);
	v = le32_to_cpu(t->notsent_lowat);
	if (!ret && v != READ_ONCE(tp->notsent_lowat))
		ret = ckpt_sock_setopt(rs->sock, SOL_TCP, TCP_NOTSENT_LOWAT, v);
	return ret;
}

/* the SOCK_TCP record that follows a TCP SOCKET, checked */
static int ckpt_tcp_read_rec(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	const u32 known = CKPT_TCP_TIMESTAMPS | CKPT_TCP_SACK |
			  CKPT_TCP_WSCALE | CKPT_TCP_NODELAY | CKPT_TCP_CORK;
	struct ckpt_rec_sock_tcp *t;
	struct ckpt_tcp_rst *tr;
	size_t len;

	tr = kzalloc(sizeof(*tr), GFP_KERNEL_ACCOUNT);
	if (!tr)
		return -ENOMEM;
	rs->priv = tr;
	t = ckpt_read_record(ctx, CKPT_REC_SOCK_TCP, sizeof(*t), sizeof(*t),
			     &len);
	if (IS_ERR(t))
		return PTR_ERR(t);
	tr->t = *t;
	kvfree(t);
	t = &tr->t;
	if ((le32_to_cpu(t->flags) & ~known) || t->__pad ||
	    le32_to_cpu(t->keepidle) > MAX_TCP_KEEPIDLE ||
	    le32_to_cpu(t->keepintvl) > MAX_TCP_KEEPINTVL ||
	    le32_to_cpu(t->keepcnt) > MAX_TCP_KEEPCNT ||
	    le32_to_cpu(t->user_timeout) > INT_MAX ||
	    le32_to_cpu(t->notsent_lowat) > INT_MAX)
		return -EINVAL;
	return 0;
}

/* an established connection's state: consistent, and with its queues */
static int ckpt_tcp_est_valid(const struct ckpt_rec_sock_tcp *t,
			      const struct ckpt_rec_socket *r)
{
	u32 una = le32_to_cpu(t->snd_una), nxt = le32_to_cpu(t->snd_nxt);
	u32 wseq = le32_to_cpu(t->write_seq);
	u32 mss = le32_to_cpu(t->mss_clamp);

	if (mss < TCP_MIN_MSS || mss > U16_MAX ||
	    le32_to_cpu(t->snd_wscale) > TCP_MAX_WSCALE ||
	    le32_to_cpu(t->rcv_wscale) > TCP_MAX_WSCALE)
		return -EINVAL;
	/* snd_una <= snd_nxt <= write_seq; the send queue lies between */
	if (after(una, nxt) || after(nxt, wseq) ||
	    wseq - una != le64_to_cpu(r->sndq_bytes))
		return -EINVAL;
	if (le64_to_cpu(r->rcvq_bytes) > INT_MAX ||
	    le64_to_cpu(r->sndq_bytes) > INT_MAX ||
	    le32_to_cpu(r->rcvq_msgs) != !!r->rcvq_bytes)
		return -EINVAL;
	if (le32_to_cpu(t->max_window) < le32_to_cpu(t->snd_wnd))
		return -EINVAL;
	return 0;
}

/* the two ends of a connection agree: each received what the other sent */
static int ckpt_tcp_pair_valid(const struct ckpt_rec_sock_tcp *a,
			       const struct ckpt_rec_sock_tcp *b)
{
	const u32 neg = CKPT_TCP_TIMESTAMPS | CKPT_TCP_SACK | CKPT_TCP_WSCALE;
	u32 a_una = le32_to_cpu(a->snd_una), b_una = le32_to_cpu(b->snd_una);

	/* snd_una <= the other's rcv_nxt <= snd_nxt */
	if (le32_to_cpu(b->rcv_nxt) - a_una > le32_to_cpu(a->snd_nxt) - a_una ||
	    le32_to_cpu(a->rcv_nxt) - b_una > le32_to_cpu(b->snd_nxt) - b_una)
		return -EINVAL;
	/* the options both negotiated */
	if ((le32_to_cpu(a->flags) ^ le32_to_cpu(b->flags)) & neg)
		return -EINVAL;
	if ((le32_to_cpu(a->flags) & CKPT_TCP_WSCALE) &&
	    (a->snd_wscale != b->rcv_wscale || a->rcv_wscale != b->snd_wscale))
		return -EINVAL;
	return 0;
}

/* a buffer size that autotuning could have reached, or that was set */
static int ckpt_tcp_buf(const struct ckpt_rsock *rs, bool snd)
{
	struct net *net = sock_net(rs->sk);
	u32 flags = le32_to_cpu(rs->rec.flags);
	u32 v, max;

	if (snd) {
		if (flags & CKPT_SOCK_SNDBUF_LOCK)
			return READ_ONCE(rs->sk->sk_sndbuf);
		v = le32_to_cpu(rs->rec.sndbuf);
		max = READ_ONCE(net->ipv4.sysctl_tcp_wmem[2]);
	} else {
		if (flags & CKPT_SOCK_RCVBUF_LOCK)
			return READ_ONCE(rs->sk->sk_rcvbuf);
		v = le32_to_cpu(rs->rec.rcvbuf);
		max = READ_ONCE(net->ipv4.sysctl_tcp_rmem[2]);
	}
	return min(v, max);
}

/* the two queues need room while they are filled; the end sets them back */
static void ckpt_tcp_room(struct ckpt_rsock *rs)
{
	struct ckpt_tcp_rst *tr = ckpt_tcp_rst(rs);
	struct sock *sk = rs->sk;

	tr->sndbuf = ckpt_tcp_buf(rs, true);
	tr->rcvbuf = ckpt_tcp_buf(rs, false);
	WRITE_ONCE(sk->sk_sndbuf, INT_MAX / 2);
	WRITE_ONCE(sk->sk_rcvbuf, INT_MAX / 2);
}

/*
 * The receive side is complete: rcv_nxt is the saved one, and the windows
 * are set (before any socket leaves repair mode and data may come in).
 */
static int ckpt_tcp_rcv_done(struct ckpt_rsock *rs)
{
	struct ckpt_tcp_rst *tr = ckpt_tcp_rst(rs);
	struct tcp_repair_window w = {
		.snd_wl1 = le32_to_cpu(tr->t.snd_wl1),
		.snd_wnd = le32_to_cpu(tr->t.snd_wnd),
		.max_window = le32_to_cpu(tr->t.max_window),
		.rcv_wnd = le32_to_cpu(tr->t.rcv_wnd),
		.rcv_wup = le32_to_cpu(tr->t.rcv_wup),
	};

	if (tcp_sk(rs->sk)->rcv_nxt != le32_to_cpu(tr->t.rcv_nxt))
		return -EINVAL;
	return ckpt_tcp_setopt(rs, TCP_REPAIR_WINDOW, &w, sizeof(w));
}

/*
 * An established connection in repair mode: bound, sequence numbers set,
 * "connected" without a segment to the peer (which is a socket of the
 * image too: its record is the other of the pair).
 */
static int ckpt_tcp_restore_est(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
				struct sockaddr_storage *la, u32 alen,
				struct sockaddr_storage *pa, u32 plen)
{
	const struct ckpt_rec_socket *r = &rs->rec;
	struct ckpt_tcp_rst *tr = ckpt_tcp_rst(rs);
	struct tcp_repair_opt opts[4];
	struct ckpt_net *net = ctx->net;
	struct tcp_sock *tp = tcp_sk(rs->sk);
	int n = 0, ret, v;
	u32 flags;

	ret = ckpt_tcp_est_valid(&tr->t, r);
	if (ret)
		return ret;
	/* the other end is a socket of the image: the first of the pair */
	if (le32_to_cpu(r->flags) & CKPT_SOCK_PAIRED) {
		if (r->peer_ref)
			return -EINVAL;
	} else {
		struct ckpt_rsock *first = net->pending ? net->pending->ptr : NULL;
		struct sockaddr_storage fl, fp;

		if (!first || le32_to_cpu(r->peer_ref) != net->pending_ref ||
		    first->rec.type != r->type || !first->repair ||
		    ckpt_tcp_pair_valid(&ckpt_tcp_rst(first)->t, &tr->t))
			return -EINVAL;
		/* and the two ends name each other */
		ckpt_inet_addr(first->sk, false, &fl);
		ckpt_inet_addr(first->sk, true, &fp);
		if (!ckpt_inet_same(&fl, pa) || !ckpt_inet_same(&fp, la))
			return -EINVAL;
		ckpt_sock_pair_done(ctx);
	}
	ret = ckpt_inet_bind(ctx, rs, la, alen, 0);
	if (ret)
		return ret;

	lock_sock(rs->sk);
	tp->repair = 1;
	tp->repair_queue = TCP_NO_QUEUE;
	release_sock(rs->sk);
	rs->repair = true;
	v = TCP_RECV_QUEUE;
	ret = ckpt_tcp_setopt(rs, TCP_REPAIR_QUEUE, &v, sizeof(v));
	v = le32_to_cpu(tr->t.rcv_nxt) - (u32)le64_to_cpu(r->rcvq_bytes);
	if (!ret)
		ret = ckpt_tcp_setopt(rs, TCP_QUEUE_SEQ, &v, sizeof(v));
	v = TCP_SEND_QUEUE;
	if (!ret)
		ret = ckpt_tcp_setopt(rs, TCP_REPAIR_QUEUE, &v, sizeof(v));
	v = le32_to_cpu(tr->t.snd_una);
	if (!ret)
		ret = ckpt_tcp_setopt(rs, TCP_QUEUE_SEQ, &v, sizeof(v));
	if (!ret)
		ret = kernel_connect(rs->sock, (struct sockaddr *)pa, plen, 0);
	if (ret)
		return ret;
	if (ckpt_inet_port(la) != inet_sk(rs->sk)->inet_num)
		return -EINVAL;
	ckpt_tcp_room(rs);

	flags = le32_to_cpu(tr->t.flags);
	opts[n].opt_code = TCPOPT_MSS;
	opts[n++].opt_val = le32_to_cpu(tr->t.mss_clamp);
	if (flags & CKPT_TCP_WSCALE) {
		opts[n].opt_code = TCPOPT_WINDOW;
		opts[n++].opt_val = le32_to_cpu(tr->t.snd_wscale) |
				    le32_to_cpu(tr->t.rcv_wscale) << 16;
	}
	if (flags & CKPT_TCP_SACK) {
		opts[n].opt_code = TCPOPT_SACK_PERM;
		opts[n++].opt_val = 0;
	}
	if (flags & CKPT_TCP_TIMESTAMPS) {
		opts[n].opt_code = TCPOPT_TIMESTAMP;
		opts[n++].opt_val = 0;
	}
	ret = ckpt_tcp_setopt(rs, TCP_REPAIR_OPTIONS, opts, n * sizeof(opts[0]));
	v = le32_to_cpu(tr->t.tsval);
	if (!ret && (flags & CKPT_TCP_TIMESTAMPS))
		ret = ckpt_tcp_setopt(rs, TCP_TIMESTAMP, &v, sizeof(v));
	if (!ret && !r->rcvq_bytes)
		ret = ckpt_tcp_rcv_done(rs);
	return ret;
}

/* a connection waiting in a listening socket: its client connects again */
static int ckpt_tcp_make_waiting(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
				 struct sockaddr_storage *la, u32 alen)
{
	const struct ckpt_rec_socket *r = &rs->rec;
	struct ckpt_rsock *l = ckpt_rsock_get(ctx, le32_to_cpu(r->listener_ref));
	struct ckpt_net *net = ctx->net;
	struct ckpt_rsock *c = net->pending ? net->pending->ptr : NULL;
	struct ckpt_inet_key ck, kk;
	struct request_sock_queue *q;
	struct request_sock *req;
	unsigned long deadline;
	struct sock *kid = NULL;
	int ret;

	if (!l || !l->sk || l->rec.family != r->family ||
	    le32_to_cpu(l->rec.state) != CKPT_SOCK_LISTEN ||
	    !c || le32_to_cpu(r->peer_ref) != net->pending_ref ||
	    !(le32_to_cpu(c->rec.flags) & CKPT_SOCK_HANDSHAKE) ||
	    c->rec.type != r->type || !alen)
		return -EINVAL;
	ckpt_sock_pair_done(ctx);
	ret = kernel_connect(c->sock, (struct sockaddr *)la, alen, O_NONBLOCK);
	if (ret && ret != -EINPROGRESS)
		return ret;
	/* over the loopback or a local link: at once, but no longer than this */
	deadline = jiffies + msecs_to_jiffies(CKPT_TCP_CONNECT_MS);
	while (READ_ONCE(c->sk->sk_state) == TCP_SYN_SENT) {
		if (fatal_signal_pending(current))
			return -EINTR;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		schedule_timeout_interruptible(1);
	}
	if (READ_ONCE(c->sk->sk_state) != TCP_ESTABLISHED)
		return -ECONNREFUSED;
	/* the child, the last of the accept queue with the client's 4-tuple */
	ckpt_inet_key(c->sk, &ck);
	q = &inet_csk(l->sk)->icsk_accept_queue;
	deadline = jiffies + msecs_to_jiffies(CKPT_TCP_CONNECT_MS);
	for (;;) {
		spin_lock_bh(&q->rskq_lock);
		for (req = q->rskq_accept_head; req; req = req->dl_next) {
			if (!req->sk)
				continue;
			ckpt_inet_key(req->sk, &kk);
			if (ckpt_inet_mirror(&ck, &kk))
				kid = req->sk;
		}
		if (kid)
			sock_hold(kid);
		spin_unlock_bh(&q->rskq_lock);
		if (kid)
			break;
		if (fatal_signal_pending(current))
			return -EINTR;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		schedule_timeout_interruptible(1);
	}
	rs->sk = kid;
	return 0;
}

static int ckpt_inet_rec_valid(const struct ckpt_rec_socket *r,
			       const u8 *la, const u8 *pa)
{
	const u32 unix_only = CKPT_SOCK_PEER_GONE | CKPT_SOCK_PEER_NAME |
			      CKPT_SOCK_PASSCRED | CKPT_SOCK_PASSSEC |
			      CKPT_SOCK_PASSPIDFD;
	u16 family = le16_to_cpu(r->family), type = le16_to_cpu(r->type);
	u32 flags = le32_to_cpu(r->flags), state = le32_to_cpu(r->state);
	u32 alen = le32_to_cpu(r->addr_len), plen = le32_to_cpu(r->peer_addr_len);
	bool conn = state == CKPT_SOCK_CONNECTED;
	bool tcp = type == SOCK_STREAM;

	if (!(tcp && le32_to_cpu(r->protocol) == IPPROTO_TCP) &&
	    !(type == SOCK_DGRAM && le32_to_cpu(r->protocol) == IPPROTO_UDP))
		return -EINVAL;
	if (family == AF_INET6 && !IS_ENABLED(CONFIG_IPV6))
		return -EAFNOSUPPORT;
	if ((flags & unix_only) || r->path_len || r->peer_path_len || r->mode ||
	    r->dev || r->ino)
		return -EINVAL;
	if (ckpt_inet_addr_ok(family, la, alen) ||
	    ckpt_inet_addr_ok(family, pa, plen))
		return -EINVAL;
	if ((flags & CKPT_SOCK_V6ONLY) && family != AF_INET6)
		return -EINVAL;
	if ((flags & (CKPT_SOCK_BOUND | CKPT_SOCK_BINDADDR)) && !alen)
		return -EINVAL;
	if (!plen == conn)
		return -EINVAL;
	if (r->backlog && state != CKPT_SOCK_LISTEN)
		return -EINVAL;
	if ((flags & CKPT_SOCK_HANDSHAKE) &&
	    (!tcp || !(flags & CKPT_SOCK_PAIRED) || r->rcvq_bytes))
		return -EINVAL;
	if (r->listener_ref && (!tcp || state != CKPT_SOCK_CONNECTED ||
				(flags & CKPT_SOCK_PAIRED) || r->rcvq_bytes ||
				r->sndq_bytes))
		return -EINVAL;
	if (!tcp && ((flags & CKPT_SOCK_PAIRED) || r->peer_ref ||
		     r->sndq_bytes || state == CKPT_SOCK_LISTEN))
		return -EINVAL;
	if (tcp && state != CKPT_SOCK_CONNECTED &&
	    (r->rcvq_bytes || r->sndq_bytes || r->rcvq_msgs))
		return -EINVAL;
	if (state == CKPT_SOCK_LISTEN && !alen)
		return -EINVAL;
	if (state == CKPT_SOCK_CONNECTED && !alen)
		return -EINVAL;
	return 0;
}

/**
 * ckpt_inet_restore - make a TCP or UDP socket of the image
 * @ctx: restart context
 * @rs: the socket, with its record
 * @data: the record's variable part
 */
int ckpt_inet_restore(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
		      const u8 *data)
{
	const struct ckpt_rec_socket *r = &rs->rec;
	u16 family = le16_to_cpu(r->family), type = le16_to_cpu(r->type);
	u32 flags = le32_to_cpu(r->flags), state = le32_to_cpu(r->state);
	u32 alen = le32_to_cpu(r->addr_len), plen = le32_to_cpu(r->peer_addr_len);
	struct sockaddr_storage la = {}, pa = {};
	int ret;

	ret = ckpt_inet_rec_valid(r, data, data + alen);
	if (ret)
		return ret;
	memcpy(&la, data, alen);
	memcpy(&pa, data + alen, plen);
	if (r->listener_ref)
		return ckpt_tcp_make_waiting(ctx, rs, &la, alen);
	if (type == SOCK_STREAM) {
		ret = ckpt_tcp_read_rec(ctx, rs);
		if (ret)
			return ret;
	}

	ret = sock_create(family, type, le32_to_cpu(r->protocol), &rs->sock);
	if (ret)
		return ret;
	rs->sk = rs->sock->sk;
	sock_hold(rs->sk);
	ret = ckpt_sock_restore_opts(rs);
	if (!ret && (flags & CKPT_SOCK_V6ONLY))
		ret = ckpt_sock_setopt(rs->sock, SOL_IPV6, IPV6_V6ONLY, 1);
	if (!ret && (flags & CKPT_SOCK_FREEBIND))
		ret = ckpt_sock_setopt(rs->sock, SOL_IP, IP_FREEBIND, 1);
	if (!ret && type == SOCK_STREAM)
		ret = ckpt_tcp_opts(rs, &ckpt_tcp_rst(rs)->t);
	if (ret)
		return ret;

	if (type == SOCK_STREAM && state == CKPT_SOCK_CONNECTED &&
	    !(flags & CKPT_SOCK_HANDSHAKE)) {
		ret = ckpt_tcp_restore_est(ctx, rs, &la, alen, &pa, plen);
	} else if (alen && ((flags & CKPT_SOCK_BOUND) ||
			    state != CKPT_SOCK_UNCONNECTED)) {
		/* the port bind(2) chose, or the one a connection had */
		if (!(flags & CKPT_SOCK_BINDADDR))
			ckpt_inet_any(&la);
		ret = ckpt_inet_bind(ctx, rs, &la, alen,
				     state == CKPT_SOCK_LISTEN ?
				     le32_to_cpu(r->backlog) : 0);
		if (!ret && type == SOCK_DGRAM && state == CKPT_SOCK_CONNECTED)
			ret = kernel_connect(rs->sock, (struct sockaddr *)&pa,
					     plen, 0);
	}
	if (!ret)
		ckpt_inet_userlocks(rs);
	return ret;
}

/* a datagram as the stack would have queued it, from @src */
static int ckpt_udp_queue(struct ckpt_rsock *rs, const u8 *src, u32 slen,
			  const u8 *data, u32 len)
{
	struct sock *sk = rs->sk;
	bool v6 = slen == sizeof(struct sockaddr_in6);
	struct sockaddr_storage ss = {};
	bool v4 = !v6;
	struct sk_buff *skb;
	struct udphdr *uh;
	int ret;

	memcpy(&ss, src, slen);
#if IS_ENABLED(CONFIG_IPV6)
	if (v6 && ipv6_addr_v4mapped(&((struct sockaddr_in6 *)&ss)->sin6_addr))
		v4 = true;
#endif
	skb = alloc_skb(MAX_HEADER + sizeof(struct ipv6hdr) + sizeof(*uh) + len,
			GFP_KERNEL_ACCOUNT);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, MAX_HEADER);
	skb_reset_network_header(skb);
	if (v4) {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->protocol = IPPROTO_UDP;
		iph->ttl = 64;
		iph->tot_len = htons(sizeof(*iph) + sizeof(*uh) + len);
		if (v6)
			iph->saddr = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr32[3];
		else
			iph->saddr = ((struct sockaddr_in *)&ss)->sin_addr.s_addr;
		iph->daddr = inet_sk(sk)->inet_rcv_saddr;
		skb->protocol = htons(ETH_P_IP);
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		struct ipv6hdr *ip6 = skb_put_zero(skb, sizeof(*ip6));

		ip6->version = 6;
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		ip6->payload_len = htons(sizeof(*uh) + len);
		ip6->saddr = ((struct sockaddr_in6 *)&ss)->sin6_addr;
		ip6->daddr = sk->sk_v6_rcv_saddr;
		skb->protocol = htons(ETH_P_IPV6);
#endif
	}
	skb_set_transport_header(skb, skb->len);
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = ((struct sockaddr_in *)&ss)->sin_port;
	uh->dest = inet_sk(sk)->inet_sport;
	uh->len = htons(sizeof(*uh) + len);
	skb_pull(skb, skb->len);
	skb_put_data(skb, data, len);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	/* as the receive path queues it: with bottom halves off */
	local_bh_disable();
	ret = __udp_enqueue_schedule_skb(sk, skb);
	local_bh_enable();
	if (ret) {
		kfree_skb(skb);
		return ret == -ENOMEM ? -ENOBUFS : ret;
	}
	return 0;
}

/* the datagrams of a UDP socket */
static int ckpt_udp_restore_queue(struct ckpt_rsock *rs,
				  const struct ckpt_rec_sock_queue *q, u32 len)
{
	const u8 *p = q->msgs, *end = (const u8 *)q + len;
	u16 family = le16_to_cpu(rs->rec.family);
	int rcvbuf = READ_ONCE(rs->sk->sk_rcvbuf);
	u32 i;
	int ret = 0;

	if (le32_to_cpu(q->queue) != CKPT_QUEUE_RECV)
		return -EINVAL;
	/* the queue was within the buffer: have it whole, whatever truesize */
	WRITE_ONCE(rs->sk->sk_rcvbuf, INT_MAX / 2);
	for (i = 0; i < le32_to_cpu(q->nr_msgs) && !ret; i++) {
		const struct ckpt_sock_msg *m = (const void *)p;
		u32 dlen, nlen;
		size_t used, need;

		ret = -EINVAL;
		if (end - p < sizeof(*m))
			break;
		dlen = le32_to_cpu(m->len);
		nlen = le32_to_cpu(m->name_len);
		if (m->nr_fds || m->flags || m->pid || m->uid || m->gid ||
		    m->__pad || ckpt_inet_addr_ok(family, (const u8 *)(m + 1), nlen) ||
		    !nlen || dlen > U16_MAX - sizeof(struct udphdr))
			break;
		used = sizeof(*m) + nlen + dlen;
		need = ckpt_padded(used);
		if (need > end - p || !ckpt_zero(p + used, need - used))
			break;
		ret = ckpt_udp_queue(rs, (const u8 *)(m + 1), nlen,
				     (const u8 *)(m + 1) + nlen, dlen);
		if (!ret) {
			rs->msgs++;
			rs->bytes += dlen;
			if (rs->msgs > le32_to_cpu(rs->rec.rcvq_msgs) ||
			    rs->bytes > le64_to_cpu(rs->rec.rcvq_bytes))
				ret = -EINVAL;
		}
		p += need;
	}
	WRITE_ONCE(rs->sk->sk_rcvbuf, rcvbuf);
	if (!ret && p != end)
		ret = -EINVAL;
	return ret;
}

/* send @len bytes to @rs's socket, all of them */
static int ckpt_tcp_send(struct ckpt_rsock *rs, const u8 *data, u32 len)
{
	while (len) {
		struct kvec kv = { .iov_base = (void *)data, .iov_len = len };
		struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
		int n = kernel_sendmsg(rs->sock, &msg, &kv, 1, len);

		if (n < 0)
			return n == -EAGAIN ? -ENOBUFS : n;
		if (!n)
			return -ENOBUFS;
		data += n;
		len -= n;
	}
	return 0;
}

/**
 * ckpt_inet_restore_queue - fill a TCP or UDP socket's queue
 * @ctx: restart context
 * @rs: the socket
 * @q: the record
 * @len: its length
 */
int ckpt_inet_restore_queue(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
			    const struct ckpt_rec_sock_queue *q, u32 len)
{
	struct ckpt_tcp_rst *tr = ckpt_tcp_rst(rs);
	const struct ckpt_sock_msg *m = (const void *)q->msgs;
	u32 kind = le32_to_cpu(q->queue), dlen, v;
	const u8 *data;
	int ret;

	if (rs->rec.type == cpu_to_le16(SOCK_DGRAM))
		return ckpt_udp_restore_queue(rs, q, len);
	/* a TCP queue: one message of bytes per record */
	if (le32_to_cpu(q->nr_msgs) != 1 || len < sizeof(*q) + sizeof(*m))
		return -EINVAL;
	dlen = le32_to_cpu(m->len);
	if (m->nr_fds || m->flags || m->pid || m->uid || m->gid ||
	    m->name_len || m->__pad || !dlen ||
	    len != sizeof(*q) + ckpt_padded(sizeof(*m) + dlen) ||
	    !ckpt_zero((const u8 *)(m + 1) + dlen,
		       ckpt_padded(sizeof(*m) + dlen) - sizeof(*m) - dlen))
		return -EINVAL;
	data = (const u8 *)(m + 1);
	if (le32_to_cpu(rs->rec.flags) & CKPT_SOCK_HANDSHAKE) {
		/* a client that connected again sends it all again */
		if (kind != CKPT_QUEUE_SEND || rs->sbytes + dlen >
		    le64_to_cpu(rs->rec.sndq_bytes) ||
		    READ_ONCE(rs->sk->sk_state) != TCP_ESTABLISHED || !tr)
			return -EINVAL;
		if (!tr->sndbuf)
			tr->sndbuf = ckpt_tcp_buf(rs, true);
		WRITE_ONCE(rs->sk->sk_sndbuf, INT_MAX / 2);
		ret = ckpt_tcp_send(rs, data, dlen);
		if (!ret)
			rs->sbytes += dlen;
		return ret;
	}
	if (!tr || !rs->repair)
		return -EINVAL;
	if (kind == CKPT_QUEUE_RECV) {
		if (rs->bytes + dlen > le64_to_cpu(rs->rec.rcvq_bytes) || rs->msgs)
			return -EINVAL;
		v = TCP_RECV_QUEUE;
		ret = ckpt_tcp_setopt(rs, TCP_REPAIR_QUEUE, &v, sizeof(v));
		if (!ret)
			ret = ckpt_tcp_send(rs, data, dlen);
		if (!ret) {
			rs->bytes += dlen;
			if (rs->bytes == le64_to_cpu(rs->rec.rcvq_bytes)) {
				rs->msgs = 1;
				ret = ckpt_tcp_rcv_done(rs);
			}
		}
		return ret;
	}
	if (rs->sbytes + dlen > le64_to_cpu(rs->rec.sndq_bytes))
		return -EINVAL;
	/* what was sent goes in sent; what was not, at the end */
	v = le32_to_cpu(tr->t.snd_nxt) - le32_to_cpu(tr->t.snd_una);
	ret = 0;
	if (rs->sbytes < v) {
		u32 n = min(dlen, v - (u32)rs->sbytes);
		int q = TCP_SEND_QUEUE;

		ret = ckpt_tcp_setopt(rs, TCP_REPAIR_QUEUE, &q, sizeof(q));
		if (!ret)
			ret = ckpt_tcp_send(rs, data, n);
		if (!ret) {
			lock_sock(rs->sk);
			/* nothing is sent again before the end */
			tcp_clear_xmit_timers(rs->sk);
			release_sock(rs->sk);
		}
		rs->sbytes += n;
		data += n;
		dlen -= n;
	}
	if (!ret && dlen) {
		u8 *u = kvrealloc(tr->unsent, tr->nr_unsent + dlen,
				  GFP_KERNEL_ACCOUNT);

		if (!u)
			return -ENOMEM;
		memcpy(u + tr->nr_unsent, data, dlen);
		tr->unsent = u;
		tr->nr_unsent += dlen;
		rs->sbytes += dlen;
	}
	return ret;
}

/* the end of an established connection's restart: out of repair mode */
static int ckpt_tcp_finish_est(struct ckpt_rsock *rs)
{
	struct ckpt_tcp_rst *tr = ckpt_tcp_rst(rs);
	struct sock *sk = rs->sk;
	struct tcp_sock *tp = tcp_sk(sk);

	if (tp->snd_nxt != le32_to_cpu(tr->t.snd_nxt) ||
	    tp->write_seq != le32_to_cpu(tr->t.snd_nxt))
		return -EINVAL;
	lock_sock(sk);
	tp->repair = 0;
	rs->repair = false;
	if (tp->packets_out)
		tcp_rearm_rto(sk);
	tcp_send_window_probe(sk);
	release_sock(sk);
	return 0;
}

/**
 * ckpt_inet_finish - the last state of a TCP or UDP socket
 * @ctx: restart context, whose tasks and sockets all exist
 * @rs: the socket
 */
int ckpt_inet_finish(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	u32 flags = le32_to_cpu(rs->rec.flags), shut = le32_to_cpu(rs->rec.shutdown);
	struct ckpt_tcp_rst *tr = ckpt_tcp_rst(rs);
	bool est = rs->repair;
	struct sock *sk = rs->sk;
	int ret = 0;

	if (!rs->sock)
		return 0;	/* waits in its listening socket */
	if (tr && (shut & CKPT_SHUT_WR))
		return -EINVAL;
	if (est)
		ret = ckpt_tcp_finish_est(rs);
	if (!ret && tr && (le32_to_cpu(tr->t.flags) & CKPT_TCP_CORK))
		ret = ckpt_sock_setopt(rs->sock, SOL_TCP, TCP_CORK, 1);
	/* what was never sent goes now, as the application sent it */
	if (!ret && est && tr->nr_unsent)
		ret = ckpt_tcp_send(rs, tr->unsent, tr->nr_unsent);
	if (ret)
		return ret;
	if (est) {
		WRITE_ONCE(sk->sk_sndbuf, tr->sndbuf);
		WRITE_ONCE(sk->sk_rcvbuf, tr->rcvbuf);
	} else if ((flags & CKPT_SOCK_HANDSHAKE) && tr->sndbuf) {
		WRITE_ONCE(sk->sk_sndbuf, tr->sndbuf);
	}
	if (flags & CKPT_SOCK_KEEPALIVE)
		ret = ckpt_sock_setopt(rs->sock, SOL_SOCKET, SO_KEEPALIVE, 1);
	if (ret)
		return ret;
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, shut);
	WRITE_ONCE(sk->sk_err, le32_to_cpu(rs->rec.error));
	release_sock(sk);
	return 0;
}

/**
 * ckpt_inet_release - restart is over: drop what an inet socket kept
 * @rs: the socket
 *
 * A connection still in repair mode closes without a word.
 */
void ckpt_inet_release(struct ckpt_rsock *rs)
{
	struct ckpt_tcp_rst *tr = ckpt_tcp_rst(rs);

	if (tr) {
		kvfree(tr->unsent);
		kfree(tr);
		rs->priv = NULL;
	}
}
