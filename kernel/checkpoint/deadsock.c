// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: sockets left out by cr.exclude's net bit.
 *
 * A runtime that reconnects its own network (an MPI library) asks for its
 * sockets to be left out.  Their fd numbers must stay taken after restart,
 * and the runtime must find out that the connection is gone the way it
 * finds out about a reset peer, so that its reconnect path runs: each such
 * fd gets a dead socket.  It is a socket (S_ISSOCK, getsockopt(SOL_SOCKET)
 * works and reports the saved SO_DOMAIN and SO_TYPE, SO_ERROR reports
 * ECONNRESET once), every other operation on it fails with ECONNRESET,
 * poll() reports EPOLLERR | EPOLLHUP, and close() frees it.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/socket.h>
#include <net/sock.h>

#include "internal.h"

static struct proto ckpt_dead_proto = {
	.name = "CKPT_DEAD",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct sock),
};

static int ckpt_dead_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (sk) {
		sock_orphan(sk);
		sock->sk = NULL;
		sock_put(sk);
	}
	return 0;
}

static int ckpt_dead_bind(struct socket *sock, struct sockaddr *addr, int len)
{
	return -ECONNRESET;
}

static int ckpt_dead_connect(struct socket *sock, struct sockaddr *addr,
			     int len, int flags)
{
	return -ECONNRESET;
}

static int ckpt_dead_accept(struct socket *sock, struct socket *newsock,
			    struct proto_accept_arg *arg)
{
	return -ECONNRESET;
}

static int ckpt_dead_getname(struct socket *sock, struct sockaddr *addr,
			     int peer)
{
	return -ECONNRESET;
}

static __poll_t ckpt_dead_poll(struct file *file, struct socket *sock,
			       poll_table *wait)
{
	return EPOLLERR | EPOLLHUP;
}

static int ckpt_dead_ioctl(struct socket *sock, unsigned int cmd,
			   unsigned long arg)
{
	return -ECONNRESET;
}

static int ckpt_dead_listen(struct socket *sock, int backlog)
{
	return -ECONNRESET;
}

static int ckpt_dead_shutdown(struct socket *sock, int how)
{
	return -ECONNRESET;
}

static int ckpt_dead_setsockopt(struct socket *sock, int level, int name,
				sockptr_t val, unsigned int len)
{
	return -ECONNRESET;
}

static int ckpt_dead_getsockopt(struct socket *sock, int level, int name,
				char __user *val, int __user *len)
{
	return -ECONNRESET;
}

static int ckpt_dead_sendmsg(struct socket *sock, struct msghdr *m,
			     size_t len)
{
	return -ECONNRESET;
}

static int ckpt_dead_recvmsg(struct socket *sock, struct msghdr *m,
			     size_t len, int flags)
{
	return -ECONNRESET;
}

static const struct proto_ops ckpt_dead_ops = {
	.family = PF_UNSPEC,
	.owner = THIS_MODULE,
	.release = ckpt_dead_release,
	.bind = ckpt_dead_bind,
	.connect = ckpt_dead_connect,
	.socketpair = sock_no_socketpair,
	.accept = ckpt_dead_accept,
	.getname = ckpt_dead_getname,
	.poll = ckpt_dead_poll,
	.ioctl = ckpt_dead_ioctl,
	.listen = ckpt_dead_listen,
	.shutdown = ckpt_dead_shutdown,
	.setsockopt = ckpt_dead_setsockopt,
	.getsockopt = ckpt_dead_getsockopt,
	.sendmsg = ckpt_dead_sendmsg,
	.recvmsg = ckpt_dead_recvmsg,
	.mmap = sock_no_mmap,
};

/**
 * ckpt_socket_kind - what CKPT_FILE_NET_SKIPPED records of a socket
 * @file: an open socket
 *
 * Return: its family << 16 | its type
 */
u32 ckpt_socket_kind(struct file *file)
{
	struct socket *sock = sock_from_file(file);

	if (!sock || !sock->sk)
		return 0;
	return (u32)READ_ONCE(sock->sk->sk_family) << 16 |
	       (READ_ONCE(sock->sk->sk_type) & 0xffff);
}

/**
 * ckpt_is_dead_socket - whether a file is a socket ckpt_dead_socket() made
 * @file: an open file
 *
 * A restarted task keeps its dead sockets; a later checkpoint saves each
 * as what it is, a CKPT_FILE_NET_SKIPPED, whatever cr.exclude says then.
 */
bool ckpt_is_dead_socket(struct file *file)
{
	struct socket *sock = sock_from_file(file);

	return sock && sock->ops == &ckpt_dead_ops;
}

/**
 * ckpt_dead_socket - a socket whose connection is gone
 * @family: the AF_* family it reports
 * @type: the SOCK_* type it reports
 * @flags: O_NONBLOCK
 *
 * Return: an open file of the socket, or an ERR_PTR()
 */
struct file *ckpt_dead_socket(int family, int type, int flags)
{
	struct socket *sock;
	struct sock *sk;
	struct file *file;

	sock = sock_alloc();
	if (!sock)
		return ERR_PTR(-ENFILE);
	sock->type = type;
	sock->ops = &ckpt_dead_ops;
	/* every level of setsockopt() goes to ckpt_dead_setsockopt() */
	set_bit(SOCK_CUSTOM_SOCKOPT, &sock->flags);
	sk = sk_alloc(current->nsproxy->net_ns, family, GFP_KERNEL,
		      &ckpt_dead_proto, 0);
	if (!sk) {
		sock_release(sock);
		return ERR_PTR(-ENOMEM);
	}
	sock_init_data(sock, sk);
	sk->sk_protocol = 0;
	sk->sk_state = TCP_CLOSE;
	sk->sk_shutdown = SHUTDOWN_MASK;
	sk->sk_err = ECONNRESET;
	file = sock_alloc_file(sock, flags & O_NONBLOCK, NULL);
	/* on failure, sock_alloc_file() released the socket */
	return file;
}
