// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the network namespace of a container
 * (CKPT_REC_NETNS and its CKPT_REC_NETDEV, CKPT_REC_NETADDR and
 * CKPT_REC_NETROUTE records).
 *
 * A container (the init of a pid namespace and all its tasks) may have a
 * network namespace of its own, shared by all its tasks.  It is saved at
 * the start of its init's section: its devices (the loopback, and veth
 * devices whose peer is in the caller's namespace), their addresses and
 * the routes of the main tables that were not made by the kernel itself
 * (those of addresses and of IPv6 autoconfiguration come back by
 * themselves).  Any other kind of device is refused.
 *
 * Restart makes a new namespace for the container's init, as unshare(2)
 * would (the caller needs CAP_SYS_ADMIN), and configures it through
 * rtnetlink as the caller, as "ip" would: the loopback's state, the veth
 * pairs (the container's end in the new namespace, with its name and
 * hardware address; the caller's end in the caller's namespace with its
 * saved name, down and without addresses, for the caller to configure or
 * attach), the addresses, then the routes.  The tasks' sockets are made in
 * that namespace.  Sysctls of the namespace are not saved yet.
 */

#include <linux/etherdevice.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/veth.h>
#include <net/addrconf.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>
#include <net/sock.h>

#include "internal.h"
#include "socket.h"

#define CKPT_NL_BUF		SZ_32K
#define CKPT_NET_MAX		1024	/* devices, addresses or routes */

/* the configuration of a namespace as saved */
struct ckpt_netcfg {
	struct ckpt_rec_netdev *devs;
	struct ckpt_rec_netaddr *addrs;
	struct ckpt_rec_netroute *routes;
	u32 nr_devs, nr_addrs, nr_routes;
};

static void ckpt_netcfg_free(struct ckpt_netcfg *c)
{
	kvfree(c->devs);
	kvfree(c->addrs);
	kvfree(c->routes);
}

/*
 * Every task of the image is in one network namespace: the caller's, or,
 * for a container, one of its own, which is saved with it.
 */
static bool ckpt_net_ns_ok(struct ckpt_ctx *ctx, struct net *ns)
{
	struct ckpt_net *net = ckpt_net(ctx);

	if (!net)
		return false;
	if (net->ns)
		return net_eq(net->ns, ns);
	if (net_eq(ns, current->nsproxy->net_ns)) {
		net->ns = get_net(ns);
		return true;
	}
	if (!ctx->container)
		return false;
	net->ns = get_net(ns);
	net->own_ns = true;
	return true;
}

/**
 * ckpt_net_task_ok - whether a task's network namespace can be saved
 * @ctx: checkpoint context
 * @t: the task, held
 */
bool ckpt_net_task_ok(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct net *ns = NULL;
	bool ok;

	task_lock(t);
	if (t->nsproxy)
		ns = get_net(t->nsproxy->net_ns);
	task_unlock(t);
	if (!ns)
		return false;
	ok = ckpt_net_ns_ok(ctx, ns);
	put_net(ns);
	return ok;
}

/* a kernel rtnetlink socket in @ns, for dumps */
static int ckpt_nl_kern(struct net *ns, struct socket **sockp)
{
	return sock_create_kern(ns, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, sockp);
}

static int ckpt_nl_send(struct socket *sock, struct nlmsghdr *nlh)
{
	struct sockaddr_nl nladdr = { .nl_family = AF_NETLINK };
	struct kvec kv = { .iov_base = nlh, .iov_len = nlh->nlmsg_len };
	struct msghdr msg = { .msg_name = &nladdr,
			      .msg_namelen = sizeof(nladdr) };
	int ret = kernel_sendmsg(sock, &msg, &kv, 1, nlh->nlmsg_len);

	return ret < 0 ? ret : 0;
}

/*
 * Read the answers to request @seq: call @fn for each message until the
 * end of a dump, or the acknowledgment of a request.
 */
static int ckpt_nl_recv(struct socket *sock, u32 seq, void *buf,
			int (*fn)(struct nlmsghdr *nlh, void *arg), void *arg)
{
	for (;;) {
		struct kvec kv = { .iov_base = buf, .iov_len = CKPT_NL_BUF };
		struct msghdr msg = {};
		struct nlmsghdr *nlh;
		int len, ret;

		len = kernel_recvmsg(sock, &msg, &kv, 1, CKPT_NL_BUF, 0);
		if (len < 0)
			return len;
		for (nlh = buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = nlmsg_data(nlh);

				return nlh->nlmsg_len < nlmsg_msg_size(sizeof(*e)) ?
				       -EINVAL : e->error;
			}
			if (!fn)
				continue;
			ret = fn(nlh, arg);
			if (ret)
				return ret;
		}
	}
}

/* dump @type of @family in the namespace of @sock */
static int ckpt_nl_dump(struct socket *sock, void *buf, u16 type, u8 family,
			size_t hdrlen,
			int (*fn)(struct nlmsghdr *nlh, void *arg), void *arg)
{
	struct {
		struct nlmsghdr nlh;
		union {
			struct rtgenmsg g;
			struct ifaddrmsg ifa;
			struct rtmsg rtm;
		};
	} req = {};
	u32 s = type;	/* one request at a time on this socket */
	int ret;

	req.nlh.nlmsg_len = NLMSG_LENGTH(hdrlen);
	req.nlh.nlmsg_type = type;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = s;
	req.g.rtgen_family = family;
	ret = ckpt_nl_send(sock, &req.nlh);
	return ret ?: ckpt_nl_recv(sock, s, buf, fn, arg);
}

/* fallback tunnels that the stack makes in every namespace */
static bool ckpt_netdev_auto(const struct net_device *dev)
{
	static const char * const names[] = {
		"sit0", "tunl0", "ip6tnl0", "ip6gre0", "gre0", "gretap0",
		"erspan0", "ip_vti0", "ip6_vti0",
	};
	unsigned int i;

	if (dev->flags & IFF_UP)
		return false;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(dev->name, names[i]))
			return true;
	return false;
}

/* the devices of @ns; veth peers must be in the caller's namespace */
static int ckpt_net_gather_devs(struct ckpt_ctx *ctx, struct net *ns,
				struct ckpt_netcfg *c)
{
	struct net *mine = current->nsproxy->net_ns;
	struct net_device *dev;
	int ret = 0;

	c->devs = kvcalloc(CKPT_NET_MAX, sizeof(*c->devs), GFP_KERNEL_ACCOUNT);
	if (!c->devs)
		return -ENOMEM;
	rtnl_lock();
	for_each_netdev(ns, dev) {
		struct ckpt_rec_netdev *d = &c->devs[c->nr_devs];
		const char *kind = dev->rtnl_link_ops ? dev->rtnl_link_ops->kind :
				   "";

		if (ckpt_netdev_auto(dev))
			continue;
		if (c->nr_devs == CKPT_NET_MAX) {
			ret = -E2BIG;
			break;
		}
		if (dev->type == ARPHRD_LOOPBACK && (dev->flags & IFF_LOOPBACK)) {
			d->kind = cpu_to_le32(CKPT_NETDEV_LOOPBACK);
		} else if (!strcmp(kind, "veth")) {
			struct net *pnet = dev->rtnl_link_ops->get_link_net ?
					   dev->rtnl_link_ops->get_link_net(dev) :
					   NULL;
			struct net_device *peer;

			if (!pnet || !net_eq(pnet, mine)) {
				ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE,
					       -1, 0,
					       "veth %s: its peer is not in the caller's network namespace",
					       dev->name);
				break;
			}
			peer = __dev_get_by_index(pnet, dev_get_iflink(dev));
			if (!peer) {
				ret = -EAGAIN;
				break;
			}
			d->kind = cpu_to_le32(CKPT_NETDEV_VETH);
			strscpy(d->peer_name, peer->name, sizeof(d->peer_name));
		} else {
			ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
				       "network device %s (%s) is not supported",
				       dev->name, kind[0] ? kind : "no kind");
			break;
		}
		d->index = cpu_to_le32(dev->ifindex);
		d->flags = cpu_to_le32(dev->flags & IFF_UP ? CKPT_NETDEV_UP : 0);
		d->mtu = cpu_to_le32(dev->mtu);
		d->addr_len = cpu_to_le32(min_t(u32, dev->addr_len,
						sizeof(d->addr)));
		memcpy(d->addr, dev->dev_addr, le32_to_cpu(d->addr_len));
		strscpy(d->name, dev->name, sizeof(d->name));
		c->nr_devs++;
	}
	rtnl_unlock();
	return ret;
}

/* whether a device of @ns was saved */
static bool ckpt_netcfg_has(const struct ckpt_netcfg *c, u32 index)
{
	u32 i;

	for (i = 0; i < c->nr_devs; i++)
		if (le32_to_cpu(c->devs[i].index) == index)
			return true;
	return false;
}

struct ckpt_gather {
	struct ckpt_ctx *ctx;
	struct ckpt_netcfg *c;
};

/* one address of a RTM_GETADDR dump */
static int ckpt_net_addr_one(struct nlmsghdr *nlh, void *arg)
{
	struct ckpt_gather *g = arg;
	struct ckpt_netcfg *c = g->c;
	struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct nlattr *tb[IFA_MAX + 1];
	struct ckpt_rec_netaddr *a;
	size_t alen;
	int ret;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	ret = nlmsg_parse_deprecated(nlh, sizeof(*ifa), tb, IFA_MAX, NULL, NULL);
	if (ret)
		return ret;
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	/* made again by the stack: the loopback's, and IPv6 link-local ones */
	if (ifa->ifa_scope == RT_SCOPE_HOST || ifa->ifa_scope == RT_SCOPE_LINK)
		return 0;
	if ((ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
	    !ckpt_netcfg_has(c, ifa->ifa_index))
		return 0;
	if (c->nr_addrs == CKPT_NET_MAX)
		return -E2BIG;
	a = &c->addrs[c->nr_addrs++];
	a->index = cpu_to_le32(ifa->ifa_index);
	a->family = ifa->ifa_family;
	a->prefixlen = ifa->ifa_prefixlen;
	a->scope = ifa->ifa_scope;
	a->flags = cpu_to_le32(tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) :
			       ifa->ifa_flags);
	if (tb[IFA_LOCAL] && nla_len(tb[IFA_LOCAL]) == alen)
		memcpy(a->local, nla_data(tb[IFA_LOCAL]), alen);
	if (tb[IFA_ADDRESS] && nla_len(tb[IFA_ADDRESS]) == alen)
		memcpy(a->address, nla_data(tb[IFA_ADDRESS]), alen);
	if (tb[IFA_BROADCAST] && nla_len(tb[IFA_BROADCAST]) == alen)
		memcpy(a->broadcast, nla_data(tb[IFA_BROADCAST]), alen);
	if (tb[IFA_LABEL])
		nla_strscpy(a->label, tb[IFA_LABEL], sizeof(a->label));
	return 0;
}

/* one route of a RTM_GETROUTE dump: those the kernel did not make itself */
static int ckpt_net_route_one(struct nlmsghdr *nlh, void *arg)
{
	struct ckpt_gather *g = arg;
	struct ckpt_netcfg *c = g->c;
	struct rtmsg *rtm = nlmsg_data(nlh);
	struct nlattr *tb[RTA_MAX + 1];
	struct ckpt_rec_netroute *r;
	u32 table, oif = 0;
	size_t alen;
	int ret;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	ret = nlmsg_parse_deprecated(nlh, sizeof(*rtm), tb, RTA_MAX, NULL, NULL);
	if (ret)
		return ret;
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table == RT_TABLE_LOCAL || rtm->rtm_protocol == RTPROT_KERNEL ||
	    rtm->rtm_protocol == RTPROT_RA || (rtm->rtm_flags & RTM_F_CLONED) ||
	    rtm->rtm_type == RTN_MULTICAST)
		return 0;
	if (table != RT_TABLE_MAIN)
		return ckpt_err(g->ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
				"routes of table %u are not supported", table);
	if (tb[RTA_MULTIPATH] || tb[RTA_ENCAP] || tb[RTA_VIA] || tb[RTA_SRC] ||
	    rtm->rtm_src_len)
		return ckpt_err(g->ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
				"multipath, encapsulated or source routes are not supported");
	if (tb[RTA_OIF]) {
		oif = nla_get_u32(tb[RTA_OIF]);
		if (!ckpt_netcfg_has(c, oif))
			return 0;
	}
	if (c->nr_routes == CKPT_NET_MAX)
		return -E2BIG;
	alen = rtm->rtm_family == AF_INET ? 4 : 16;
	r = &c->routes[c->nr_routes++];
	r->oif = cpu_to_le32(oif);
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->type = rtm->rtm_type;
	if (tb[RTA_PRIORITY])
		r->priority = cpu_to_le32(nla_get_u32(tb[RTA_PRIORITY]));
	if (tb[RTA_DST] && nla_len(tb[RTA_DST]) == alen)
		memcpy(r->dst, nla_data(tb[RTA_DST]), alen);
	if (tb[RTA_GATEWAY] && nla_len(tb[RTA_GATEWAY]) == alen)
		memcpy(r->gateway, nla_data(tb[RTA_GATEWAY]), alen);
	if (tb[RTA_PREFSRC] && nla_len(tb[RTA_PREFSRC]) == alen)
		memcpy(r->prefsrc, nla_data(tb[RTA_PREFSRC]), alen);
	return 0;
}

static int ckpt_net_gather(struct ckpt_ctx *ctx, struct net *ns,
			   struct ckpt_netcfg *c)
{
	struct ckpt_gather g = { .ctx = ctx, .c = c };
	struct socket *sock;
	void *buf;
	int ret;

	ret = ckpt_net_gather_devs(ctx, ns, c);
	if (ret)
		return ret;
	c->addrs = kvcalloc(CKPT_NET_MAX, sizeof(*c->addrs), GFP_KERNEL_ACCOUNT);
	c->routes = kvcalloc(CKPT_NET_MAX, sizeof(*c->routes), GFP_KERNEL_ACCOUNT);
	buf = kvmalloc(CKPT_NL_BUF, GFP_KERNEL);
	if (!c->addrs || !c->routes || !buf) {
		kvfree(buf);
		return -ENOMEM;
	}
	ret = ckpt_nl_kern(ns, &sock);
	if (!ret) {
		ret = ckpt_nl_dump(sock, buf, RTM_GETADDR, AF_UNSPEC,
				   sizeof(struct ifaddrmsg), ckpt_net_addr_one, &g);
		if (!ret)
			ret = ckpt_nl_dump(sock, buf, RTM_GETROUTE, AF_INET,
					   sizeof(struct rtmsg),
					   ckpt_net_route_one, &g);
		if (!ret && IS_ENABLED(CONFIG_IPV6))
			ret = ckpt_nl_dump(sock, buf, RTM_GETROUTE, AF_INET6,
					   sizeof(struct rtmsg),
					   ckpt_net_route_one, &g);
		sock_release(sock);
	}
	kvfree(buf);
	if (ret == -E2BIG)
		ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
			       "too many network devices, addresses or routes");
	return ret;
}

static void ckpt_netns_drop(void *ptr)
{
	put_net(ptr);
}

static int ckpt_netns_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_rec_netns r = { .objref = cpu_to_le32(obj->ref) };
	struct ckpt_netcfg c = {};
	u32 i;
	int ret;

	ret = ckpt_net_gather(ctx, obj->ptr, &c);
	if (ret)
		goto out;
	r.nr_devs = cpu_to_le32(c.nr_devs);
	r.nr_addrs = cpu_to_le32(c.nr_addrs);
	r.nr_routes = cpu_to_le32(c.nr_routes);
	ret = ckpt_write_record(ctx, CKPT_REC_NETNS, &r, sizeof(r), NULL, 0);
	for (i = 0; i < c.nr_devs && !ret; i++)
		ret = ckpt_write_record(ctx, CKPT_REC_NETDEV, &c.devs[i],
					sizeof(c.devs[i]), NULL, 0);
	for (i = 0; i < c.nr_addrs && !ret; i++)
		ret = ckpt_write_record(ctx, CKPT_REC_NETADDR, &c.addrs[i],
					sizeof(c.addrs[i]), NULL, 0);
	for (i = 0; i < c.nr_routes && !ret; i++)
		ret = ckpt_write_record(ctx, CKPT_REC_NETROUTE, &c.routes[i],
					sizeof(c.routes[i]), NULL, 0);
out:
	ckpt_netcfg_free(&c);
	return ret;
}

/**
 * ckpt_net_dump_ns - write the container's network namespace
 * @ctx: checkpoint context, at the start of its first task's section
 *
 * Return: 0 (also when the tasks share the caller's namespace), or an
 * error with the reason in the error record
 */
int ckpt_net_dump_ns(struct ckpt_ctx *ctx)
{
	struct ckpt_net *net = ctx->net;
	struct ckpt_obj *obj;
	int ret;

	if (!net || !net->own_ns || net->ns_ref)
		return 0;
	obj = ckpt_obj_collect(ctx, &ckpt_netns_ops, get_net(net->ns));
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = ckpt_obj_dump(ctx, obj);
	if (!ret)
		net->ns_ref = obj->ref;
	return ret;
}

/* restart */

/* an rtnetlink socket restart uses as the caller, in @ns */
struct ckpt_nl {
	struct socket *sock;
	struct file *file;
	void *buf;
	u32 seq;
};

static int ckpt_nl_open(struct net *ns, struct ckpt_nl *nl)
{
	int ret;

	nl->buf = kvmalloc(CKPT_NL_BUF, GFP_KERNEL);
	if (!nl->buf)
		return -ENOMEM;
	ret = __sock_create(ns, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, &nl->sock,
			    0);
	if (ret)
		return ret;
	/* rtnetlink asks the capabilities of the opener of the socket's file */
	nl->file = sock_alloc_file(nl->sock, 0, NULL);
	if (IS_ERR(nl->file)) {
		ret = PTR_ERR(nl->file);
		nl->file = NULL;
		nl->sock = NULL;
	}
	return ret;
}

static void ckpt_nl_close(struct ckpt_nl *nl)
{
	if (nl->file)
		fput(nl->file);
	kvfree(nl->buf);
}

/* a request, and its acknowledgment */
static int ckpt_nl_do(struct ckpt_nl *nl, struct nlmsghdr *nlh)
{
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	ret = ckpt_nl_send(nl->sock, nlh);
	return ret ?: ckpt_nl_recv(nl->sock, nl->seq, nl->buf, NULL, NULL);
}

/* a message being built */
struct ckpt_nlmsg {
	struct nlmsghdr *nlh;
	size_t size;
};

static int ckpt_nlmsg_init(struct ckpt_nlmsg *m, u16 type, u16 flags,
			   const void *hdr, size_t hdrlen)
{
	m->size = SZ_1K;
	m->nlh = kzalloc(m->size, GFP_KERNEL);
	if (!m->nlh)
		return -ENOMEM;
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags;
	m->nlh->nlmsg_len = NLMSG_LENGTH(hdrlen);
	memcpy(nlmsg_data(m->nlh), hdr, hdrlen);
	return 0;
}

/* append an attribute; a nest is closed with ckpt_nlmsg_end_nest() */
static struct nlattr *ckpt_nlmsg_put(struct ckpt_nlmsg *m, u16 type,
				     const void *data, size_t len)
{
	struct nlattr *nla = (void *)m->nlh + NLMSG_ALIGN(m->nlh->nlmsg_len);

	if (NLMSG_ALIGN(m->nlh->nlmsg_len) + nla_total_size(len) > m->size)
		return NULL;
	nla->nla_type = type;
	nla->nla_len = nla_attr_size(len);
	if (len)
		memcpy(nla_data(nla), data, len);
	m->nlh->nlmsg_len = NLMSG_ALIGN(m->nlh->nlmsg_len) + nla_total_size(len);
	return nla;
}

static void ckpt_nlmsg_end_nest(struct ckpt_nlmsg *m, struct nlattr *nest)
{
	nest->nla_len = (void *)m->nlh + m->nlh->nlmsg_len - (void *)nest;
}

/* read a record of @type that must be exactly @size bytes into @buf */
static int ckpt_read_member(struct ckpt_ctx *ctx, u32 type, void *buf,
			    size_t size)
{
	size_t len;
	void *rec;

	rec = ckpt_read_record(ctx, type, size, size, &len);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	memcpy(buf, rec, size);
	kvfree(rec);
	return 0;
}

/* the records of the namespace, checked */
static int ckpt_netdev_valid(const struct ckpt_rec_netdev *d)
{
	u32 kind = le32_to_cpu(d->kind);

	if (d->__pad || (le32_to_cpu(d->flags) & ~CKPT_NETDEV_UP) ||
	    le32_to_cpu(d->addr_len) > sizeof(d->addr) || !d->index ||
	    le32_to_cpu(d->index) > INT_MAX)
		return -EINVAL;
	if (!memchr(d->name, 0, sizeof(d->name)) || !d->name[0] ||
	    !dev_valid_name(d->name))
		return -EINVAL;
	if (kind == CKPT_NETDEV_VETH)
		return memchr(d->peer_name, 0, sizeof(d->peer_name)) &&
		       dev_valid_name(d->peer_name) &&
		       le32_to_cpu(d->addr_len) == ETH_ALEN ? 0 : -EINVAL;
	if (kind == CKPT_NETDEV_LOOPBACK)
		return d->peer_name[0] || strcmp(d->name, "lo") ? -EINVAL : 0;
	return -EINVAL;
}

/* the device of the new namespace that has saved index @index, or 0 */
static int ckpt_netdev_index(struct net *ns, const struct ckpt_netcfg *c,
			     u32 index)
{
	struct net_device *dev;
	int ifindex = 0;
	u32 i;

	for (i = 0; i < c->nr_devs; i++) {
		if (le32_to_cpu(c->devs[i].index) != index)
			continue;
		rcu_read_lock();
		dev = dev_get_by_name_rcu(ns, c->devs[i].name);
		if (dev)
			ifindex = dev->ifindex;
		rcu_read_unlock();
		break;
	}
	return ifindex;
}

/* a veth pair: the caller's end in @mine, the container's in the new one */
static int ckpt_net_make_veth(struct ckpt_nl *outer,
			      const struct ckpt_rec_netdev *d)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *li, *data, *peer;
	struct ckpt_nlmsg m;
	u32 pid = task_pid_vnr(current), mtu = le32_to_cpu(d->mtu);
	int ret;

	ret = ckpt_nlmsg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi,
			      sizeof(ifi));
	if (ret)
		return ret;
	ret = -EMSGSIZE;
	if (!ckpt_nlmsg_put(&m, IFLA_IFNAME, d->peer_name,
			    strlen(d->peer_name) + 1) ||
	    !ckpt_nlmsg_put(&m, IFLA_MTU, &mtu, sizeof(mtu)))
		goto out;
	li = ckpt_nlmsg_put(&m, IFLA_LINKINFO | NLA_F_NESTED, NULL, 0);
	if (!li || !ckpt_nlmsg_put(&m, IFLA_INFO_KIND, "veth", 5))
		goto out;
	data = ckpt_nlmsg_put(&m, IFLA_INFO_DATA | NLA_F_NESTED, NULL, 0);
	if (!data)
		goto out;
	peer = ckpt_nlmsg_put(&m, VETH_INFO_PEER | NLA_F_NESTED, &ifi,
			      sizeof(ifi));
	if (!peer ||
	    !ckpt_nlmsg_put(&m, IFLA_IFNAME, d->name, strlen(d->name) + 1) ||
	    !ckpt_nlmsg_put(&m, IFLA_ADDRESS, d->addr, ETH_ALEN) ||
	    !ckpt_nlmsg_put(&m, IFLA_MTU, &mtu, sizeof(mtu)) ||
	    /* the new namespace: that of current, the init of the container */
	    !ckpt_nlmsg_put(&m, IFLA_NET_NS_PID, &pid, sizeof(pid)))
		goto out;
	ckpt_nlmsg_end_nest(&m, peer);
	ckpt_nlmsg_end_nest(&m, data);
	ckpt_nlmsg_end_nest(&m, li);
	ret = ckpt_nl_do(outer, m.nlh);
out:
	kfree(m.nlh);
	return ret;
}

/* a device's state: up or not, MTU */
static int ckpt_net_set_dev(struct ckpt_nl *nl, struct net *ns,
			    const struct ckpt_rec_netdev *d)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_change = IFF_UP };
	struct net_device *dev;
	struct ckpt_nlmsg m;
	u32 mtu = le32_to_cpu(d->mtu);
	int ret;

	rcu_read_lock();
	dev = dev_get_by_name_rcu(ns, d->name);
	ifi.ifi_index = dev ? dev->ifindex : 0;
	rcu_read_unlock();
	if (!ifi.ifi_index)
		return -ENODEV;
	if (le32_to_cpu(d->flags) & CKPT_NETDEV_UP)
		ifi.ifi_flags = IFF_UP;
	ret = ckpt_nlmsg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (ret)
		return ret;
	ret = ckpt_nlmsg_put(&m, IFLA_MTU, &mtu, sizeof(mtu)) ?
	      ckpt_nl_do(nl, m.nlh) : -EMSGSIZE;
	kfree(m.nlh);
	return ret;
}

static int ckpt_net_add_addr(struct ckpt_nl *nl, struct net *ns,
			     const struct ckpt_netcfg *c,
			     const struct ckpt_rec_netaddr *a)
{
	size_t alen = a->family == AF_INET ? 4 : 16;
	struct ifaddrmsg ifa = {
		.ifa_family = a->family,
		.ifa_prefixlen = a->prefixlen,
		.ifa_scope = a->scope,
		.ifa_index = ckpt_netdev_index(ns, c, le32_to_cpu(a->index)),
	};
	/* checked before it was saved: usable at once */
	u32 flags = le32_to_cpu(a->flags) | (a->family == AF_INET6 ?
					      IFA_F_NODAD : 0);
	struct ckpt_nlmsg m;
	int ret;

	if (!ifa.ifa_index)
		return -EINVAL;
	ret = ckpt_nlmsg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa,
			      sizeof(ifa));
	if (ret)
		return ret;
	ret = -EMSGSIZE;
	/* IPv6 has IFA_LOCAL only for a point-to-point peer's address */
	if ((memchr_inv(a->local, 0, alen) &&
	     !ckpt_nlmsg_put(&m, IFA_LOCAL, a->local, alen)) ||
	    !ckpt_nlmsg_put(&m, IFA_ADDRESS, a->address, alen) ||
	    !ckpt_nlmsg_put(&m, IFA_FLAGS, &flags, sizeof(flags)))
		goto out;
	if (a->family == AF_INET && memchr_inv(a->broadcast, 0, alen) &&
	    !ckpt_nlmsg_put(&m, IFA_BROADCAST, a->broadcast, alen))
		goto out;
	if (a->family == AF_INET && a->label[0] &&
	    !ckpt_nlmsg_put(&m, IFA_LABEL, a->label, strlen(a->label) + 1))
		goto out;
	ret = ckpt_nl_do(nl, m.nlh);
out:
	kfree(m.nlh);
	return ret;
}

static int ckpt_net_add_route(struct ckpt_nl *nl, struct net *ns,
			      const struct ckpt_netcfg *c,
			      const struct ckpt_rec_netroute *r)
{
	size_t alen = r->family == AF_INET ? 4 : 16;
	struct rtmsg rtm = {
		.rtm_family = r->family,
		.rtm_dst_len = r->dst_len,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = r->protocol,
		.rtm_scope = r->scope,
		.rtm_type = r->type,
	};
	u32 oif = 0, prio = le32_to_cpu(r->priority);
	struct ckpt_nlmsg m;
	int ret;

	if (r->oif) {
		oif = ckpt_netdev_index(ns, c, le32_to_cpu(r->oif));
		if (!oif)
			return -EINVAL;
	}
	ret = ckpt_nlmsg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm,
			      sizeof(rtm));
	if (ret)
		return ret;
	ret = -EMSGSIZE;
	if ((r->dst_len && !ckpt_nlmsg_put(&m, RTA_DST, r->dst, alen)) ||
	    (oif && !ckpt_nlmsg_put(&m, RTA_OIF, &oif, sizeof(oif))) ||
	    (memchr_inv(r->gateway, 0, alen) &&
	     !ckpt_nlmsg_put(&m, RTA_GATEWAY, r->gateway, alen)) ||
	    (memchr_inv(r->prefsrc, 0, alen) &&
	     !ckpt_nlmsg_put(&m, RTA_PREFSRC, r->prefsrc, alen)) ||
	    (prio && !ckpt_nlmsg_put(&m, RTA_PRIORITY, &prio, sizeof(prio))))
		goto out;
	ret = ckpt_nl_do(nl, m.nlh);
out:
	kfree(m.nlh);
	return ret;
}

static int ckpt_netaddr_valid(const struct ckpt_rec_netaddr *a,
			      const struct ckpt_netcfg *c)
{
	u8 max = a->family == AF_INET ? 32 : 128;

	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    a->prefixlen > max || a->__pad || a->__pad2 ||
	    !ckpt_netcfg_has(c, le32_to_cpu(a->index)) ||
	    !memchr(a->label, 0, sizeof(a->label)))
		return -EINVAL;
	if (a->family == AF_INET && (memchr_inv(a->local + 4, 0, 12) ||
				     memchr_inv(a->address + 4, 0, 12) ||
				     memchr_inv(a->broadcast + 4, 0, 12)))
		return -EINVAL;
	return 0;
}

static int ckpt_netroute_valid(const struct ckpt_rec_netroute *r,
			       const struct ckpt_netcfg *c)
{
	u8 max = r->family == AF_INET ? 32 : 128;

	if ((r->family != AF_INET && r->family != AF_INET6) ||
	    r->dst_len > max || memchr_inv(r->__pad, 0, sizeof(r->__pad)) ||
	    r->type == RTN_LOCAL || r->type > RTN_MAX ||
	    (r->oif && !ckpt_netcfg_has(c, le32_to_cpu(r->oif))))
		return -EINVAL;
	return 0;
}

/* read the member records of a NETNS record */
static int ckpt_netcfg_read(struct ckpt_ctx *ctx, const struct ckpt_rec_netns *r,
			    struct ckpt_netcfg *c)
{
	u32 i;
	int ret = 0;

	c->nr_devs = le32_to_cpu(r->nr_devs);
	c->nr_addrs = le32_to_cpu(r->nr_addrs);
	c->nr_routes = le32_to_cpu(r->nr_routes);
	if (!c->nr_devs || c->nr_devs > CKPT_NET_MAX ||
	    c->nr_addrs > CKPT_NET_MAX || c->nr_routes > CKPT_NET_MAX)
		return -EINVAL;
	c->devs = kvcalloc(c->nr_devs, sizeof(*c->devs), GFP_KERNEL_ACCOUNT);
	c->addrs = kvcalloc(max(c->nr_addrs, 1U), sizeof(*c->addrs),
			    GFP_KERNEL_ACCOUNT);
	c->routes = kvcalloc(max(c->nr_routes, 1U), sizeof(*c->routes),
			     GFP_KERNEL_ACCOUNT);
	if (!c->devs || !c->addrs || !c->routes)
		return -ENOMEM;
	for (i = 0; i < c->nr_devs && !ret; i++) {
		u32 k;

		ret = ckpt_read_member(ctx, CKPT_REC_NETDEV, &c->devs[i],
				       sizeof(c->devs[i]));
		if (!ret)
			ret = ckpt_netdev_valid(&c->devs[i]);
		/* one device per index and per name */
		for (k = 0; k < i && !ret; k++)
			if (c->devs[k].index == c->devs[i].index ||
			    !strcmp(c->devs[k].name, c->devs[i].name))
				ret = -EINVAL;
	}
	for (i = 0; i < c->nr_addrs && !ret; i++) {
		ret = ckpt_read_member(ctx, CKPT_REC_NETADDR, &c->addrs[i],
				       sizeof(c->addrs[i]));
		if (!ret)
			ret = ckpt_netaddr_valid(&c->addrs[i], c);
	}
	for (i = 0; i < c->nr_routes && !ret; i++) {
		ret = ckpt_read_member(ctx, CKPT_REC_NETROUTE, &c->routes[i],
				       sizeof(c->routes[i]));
		if (!ret)
			ret = ckpt_netroute_valid(&c->routes[i], c);
	}
	return ret;
}

/* configure the new namespace @ns as saved */
static int ckpt_netcfg_apply(struct net *ns, struct net *outer,
			     const struct ckpt_netcfg *c)
{
	struct ckpt_nl nl = {}, onl = {};
	int ret, pass;
	u32 i;

	ret = ckpt_nl_open(ns, &nl);
	if (ret)
		goto out;
	for (i = 0; i < c->nr_devs && !ret; i++) {
		if (le32_to_cpu(c->devs[i].kind) != CKPT_NETDEV_VETH)
			continue;
		if (!onl.sock)
			ret = ckpt_nl_open(outer, &onl);
		if (!ret)
			ret = ckpt_net_make_veth(&onl, &c->devs[i]);
	}
	for (i = 0; i < c->nr_addrs && !ret; i++)
		ret = ckpt_net_add_addr(&nl, ns, c, &c->addrs[i]);
	for (i = 0; i < c->nr_devs && !ret; i++)
		ret = ckpt_net_set_dev(&nl, ns, &c->devs[i]);
	/* direct routes first, then those through a gateway */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < c->nr_routes && !ret; i++) {
			const struct ckpt_rec_netroute *r = &c->routes[i];
			bool gw = memchr_inv(r->gateway, 0, sizeof(r->gateway));

			if (gw == !!pass)
				ret = ckpt_net_add_route(&nl, ns, c, r);
		}
out:
	ckpt_nl_close(&onl);
	ckpt_nl_close(&nl);
	return ret;
}

static void ckpt_netns_release(struct ckpt_obj *obj)
{
	put_net(obj->ptr);
}

/*
 * CKPT_REC_NETNS: the init of a container gets a new network namespace,
 * configured as saved; its tasks inherit it.
 */
static int ckpt_restore_netns(struct ckpt_ctx *ctx, struct ckpt_task *t,
			      const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_netns *r = rec;
	struct ckpt_net *net = ckpt_net(ctx);
	struct ckpt_netcfg c = {};
	struct nsproxy *nsp;
	struct net *outer, *ns;
	int ret;

	/* once, by the init of a container, before its sockets */
	if (!net || net->ns || !ctx->container || t != ctx->tasks)
		return -EINVAL;
	ret = ckpt_netcfg_read(ctx, r, &c);
	if (ret)
		goto out;
	outer = get_net(current->nsproxy->net_ns);
	ret = unshare_nsproxy_namespaces(CLONE_NEWNET, &nsp, NULL, current->fs);
	if (!ret) {
		switch_task_namespaces(current, nsp);
		ns = current->nsproxy->net_ns;
		ret = ckpt_netcfg_apply(ns, outer, &c);
		net->ns = get_net(ns);
		net->own_ns = true;
		net->ns_ref = le32_to_cpu(r->objref);
		if (IS_ERR(ckpt_obj_add(ctx, net->ns_ref, &ckpt_netns_ops,
					get_net(ns), 0)))
			ret = ret ?: -EINVAL;
	}
	put_net(outer);
out:
	ckpt_netcfg_free(&c);
	return ret;
}

const struct ckpt_obj_ops ckpt_netns_ops = {
	.type = CKPT_REC_NETNS,
	.err_kind = CKPT_OBJ_NAMESPACE,
	.drop = ckpt_netns_drop,
	.dump = ckpt_netns_dump,
	.release = ckpt_netns_release,
};

static const struct ckpt_rec_ops ckpt_netns_records[] = {
	{
		.type = CKPT_REC_NETNS,
		.name = "NETNS",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_netns),
		.max_len = sizeof(struct ckpt_rec_netns),
		.restore = ckpt_restore_netns,
	},
	{
		.type = CKPT_REC_NETDEV,
		.name = "NETDEV",
		.place = CKPT_PLACE_MEMBER,
		.min_len = sizeof(struct ckpt_rec_netdev),
		.max_len = sizeof(struct ckpt_rec_netdev),
	},
	{
		.type = CKPT_REC_NETADDR,
		.name = "NETADDR",
		.place = CKPT_PLACE_MEMBER,
		.min_len = sizeof(struct ckpt_rec_netaddr),
		.max_len = sizeof(struct ckpt_rec_netaddr),
	},
	{
		.type = CKPT_REC_NETROUTE,
		.name = "NETROUTE",
		.place = CKPT_PLACE_MEMBER,
		.min_len = sizeof(struct ckpt_rec_netroute),
		.max_len = sizeof(struct ckpt_rec_netroute),
	},
};

static int __init ckpt_netns_init(void)
{
	return ckpt_register_records(ckpt_netns_records,
				     ARRAY_SIZE(ckpt_netns_records));
}
core_initcall(ckpt_netns_init);
