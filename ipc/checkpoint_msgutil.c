// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the text of a message (SysV or POSIX) to and from
 * kernel memory.  Included at the end of ipc/msgutil.c, whose layout of a
 * message in segments it uses.
 */

#include "checkpoint.h"

/**
 * ckpt_load_msg - a new message holding a copy of @len bytes at @text
 * @text: the text, in kernel memory
 * @len: its length, at most the namespace's limit (the caller checks)
 *
 * As load_msg() makes one from user memory, charged to the caller.
 * Return: the message, or an ERR_PTR()
 */
struct msg_msg *ckpt_load_msg(const void *text, size_t len)
{
	struct msg_msg *msg;
	struct msg_msgseg *seg;
	size_t alen;
	int err;

	msg = alloc_msg(len);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	alen = min(len, DATALEN_MSG);
	memcpy(msg + 1, text, alen);
	for (seg = msg->next; seg; seg = seg->next) {
		len -= alen;
		text += alen;
		alen = min(len, DATALEN_SEG);
		memcpy(seg + 1, text, alen);
	}
	err = security_msg_msg_alloc(msg);
	if (err) {
		free_msg(msg);
		return ERR_PTR(err);
	}
	return msg;
}

/**
 * ckpt_store_msg - copy the first @len bytes of a message's text
 * @text: where to, in kernel memory
 * @msg: the message
 * @len: at most its length
 */
void ckpt_store_msg(void *text, struct msg_msg *msg, size_t len)
{
	struct msg_msgseg *seg;
	size_t alen;

	alen = min(len, DATALEN_MSG);
	memcpy(text, msg + 1, alen);
	for (seg = msg->next; seg; seg = seg->next) {
		len -= alen;
		text += alen;
		alen = min(len, DATALEN_SEG);
		memcpy(text, seg + 1, alen);
	}
}

/**
 * ckpt_msgs_size - bytes of a copy of @nr messages of @bytes in all
 * @bytes: their text
 * @nr: how many
 *
 * Return: the size, or 0 if it overflows
 */
size_t ckpt_msgs_size(size_t bytes, unsigned long nr)
{
	size_t each = sizeof(struct ckpt_msg) + 7, size;

	if (check_mul_overflow(each, (size_t)nr, &size) ||
	    check_add_overflow(size, bytes, &size))
		return 0;
	return size;
}

/**
 * ckpt_msg_put - append a copy of a message to a buffer
 * @pos: where, 8-byte aligned, with room for it (see ckpt_msgs_size())
 * @msg: the message
 *
 * Return: where the next one goes
 */
void *ckpt_msg_put(void *pos, struct msg_msg *msg)
{
	struct ckpt_msg *m = pos;

	m->type = msg->m_type;
	m->len = msg->m_ts;
	ckpt_store_msg(m->text, msg, msg->m_ts);
	return pos + ALIGN(sizeof(*m) + msg->m_ts, 8);
}
