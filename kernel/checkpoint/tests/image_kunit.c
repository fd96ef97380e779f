// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the checkpoint image records and the shared-object table.
 *
 * Records are written to and read back from an unlinked tmpfs file, through
 * the same code that checkpoint(2) and restart(2) use.
 */

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../internal.h"

struct ckpt_test_rec {
	struct ckpt_hdr h;
	__le64 value;
};

static void ckpt_test_free(void *data)
{
	struct ckpt_ctx *ctx = data;
	struct file *file = ctx->file;

	ckpt_ctx_free(ctx);
	fput(file);
}

/* a context whose image is an unlinked tmpfs file */
static struct ckpt_ctx *ckpt_test_ctx_of(struct kunit *test, bool restart)
{
	struct ckpt_ctx *ctx;
	struct file *file;

	file = shmem_file_setup("ckpt-kunit", 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	ctx = ckpt_ctx_alloc(file, 0, restart);
	if (IS_ERR(ctx))
		fput(file);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ctx));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ckpt_test_free,
							ctx), 0);
	return ctx;
}

static struct ckpt_ctx *ckpt_test_ctx(struct kunit *test)
{
	return ckpt_test_ctx_of(test, false);
}

/* go back to the start of the image to read it */
static void ckpt_test_rewind(struct ckpt_ctx *ctx)
{
	ctx->pos = 0;
	ctx->bytes = 0;
	ctx->nr_records = 0;
}

static void ckpt_test_write_raw(struct kunit *test, struct ckpt_ctx *ctx,
				u32 type, u32 len, size_t bytes)
{
	struct ckpt_hdr h = {
		.type = cpu_to_le32(type),
		.len = cpu_to_le32(len),
	};
	u8 zero[64] = {};

	KUNIT_ASSERT_EQ(test, ckpt_write(ctx, &h, sizeof(h)), 0);
	KUNIT_ASSERT_LE(test, bytes, sizeof(zero));
	KUNIT_ASSERT_EQ(test, ckpt_write(ctx, zero, bytes), 0);
}

static void ckpt_test_roundtrip(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx(test);
	struct ckpt_test_rec rec = { .value = cpu_to_le64(0x1122334455667788) };
	struct ckpt_rec_header hdr;
	struct ckpt_test_rec *back;
	u8 *payload;
	size_t len;

	ctx->id = 42;
	ctx->nr_tasks = 1;
	KUNIT_ASSERT_EQ(test, ckpt_write_header(ctx, 0), 0);
	KUNIT_ASSERT_EQ(test, ckpt_write_record(ctx, CKPT_REC_TASK_END, &rec,
						sizeof(rec), "abcde", 5), 0);
	KUNIT_EXPECT_EQ(test, ctx->bytes % CKPT_ALIGN, 0);
	KUNIT_ASSERT_EQ(test, ckpt_write_tail(ctx), 0);
	KUNIT_EXPECT_EQ(test, ctx->nr_records, 3);

	ckpt_test_rewind(ctx);
	KUNIT_ASSERT_EQ(test, ckpt_read_header(ctx, &hdr), 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(hdr.id), 42);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(hdr.page_size), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(hdr.nr_tasks), 1);

	back = ckpt_read_record(ctx, CKPT_REC_TASK_END, sizeof(*back), 64,
				&len);
	KUNIT_ASSERT_FALSE(test, IS_ERR(back));
	KUNIT_EXPECT_EQ(test, len, sizeof(rec) + 5);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(back->value), 0x1122334455667788);
	payload = (u8 *)(back + 1);
	KUNIT_EXPECT_MEMEQ(test, payload, "abcde", 5);
	/* the padding is zero */
	KUNIT_EXPECT_EQ(test, payload[5] | payload[6] | payload[7], 0);
	kvfree(back);

	back = ckpt_read_record(ctx, CKPT_REC_TAIL, sizeof(struct ckpt_rec_tail),
				sizeof(struct ckpt_rec_tail), &len);
	KUNIT_ASSERT_FALSE(test, IS_ERR(back));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(((struct ckpt_rec_tail *)back)->nr_records),
			2);
	kvfree(back);
}

static void ckpt_test_skip_optional(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx(test);
	struct ckpt_test_rec rec = { .value = cpu_to_le64(7) };
	struct ckpt_test_rec *back;
	size_t len;

	ckpt_test_write_raw(test, ctx, CKPT_TYPE_OPTIONAL | 0x77, 8 + 13, 16);
	KUNIT_ASSERT_EQ(test, ckpt_write_record(ctx, CKPT_REC_COMMENT, &rec,
						sizeof(rec), NULL, 0), 0);
	KUNIT_ASSERT_EQ(test, ckpt_write_record(ctx, CKPT_REC_TASK_END, &rec,
						sizeof(rec), NULL, 0), 0);
	ckpt_test_rewind(ctx);
	back = ckpt_read_record(ctx, CKPT_REC_TASK_END, sizeof(*back),
				sizeof(*back), &len);
	KUNIT_ASSERT_FALSE(test, IS_ERR(back));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(back->value), 7);
	KUNIT_EXPECT_EQ(test, ctx->nr_records, 3);
	kvfree(back);
}

static void ckpt_test_expect_read_error(struct kunit *test,
					struct ckpt_ctx *ctx, u32 type,
					size_t min, size_t max)
{
	size_t len;
	void *back;

	ckpt_test_rewind(ctx);
	back = ckpt_read_record(ctx, type, min, max, &len);
	KUNIT_EXPECT_TRUE(test, IS_ERR(back));
	if (IS_ERR(back))
		KUNIT_EXPECT_EQ(test, PTR_ERR(back), -EINVAL);
	else
		kvfree(back);
}

static void ckpt_test_unknown_mandatory(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx(test);

	ckpt_test_write_raw(test, ctx, 0x77, 16, 8);
	ckpt_test_expect_read_error(test, ctx, 0x77, 8, 16);
}

static void ckpt_test_bad_length(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx(test);

	ckpt_test_write_raw(test, ctx, CKPT_REC_TASK_END, 4, 8);
	ckpt_test_expect_read_error(test, ctx, CKPT_REC_TASK_END, 0, 64);

	ctx = ckpt_test_ctx(test);
	ckpt_test_write_raw(test, ctx, CKPT_REC_TASK_END,
			    CKPT_REC_MAX_LEN + 8, 8);
	ckpt_test_expect_read_error(test, ctx, CKPT_REC_TASK_END, 0,
				    CKPT_REC_MAX_LEN + 8);
}

static void ckpt_test_length_bounds(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx(test);

	/* a valid record that is shorter or longer than its type allows */
	ckpt_test_write_raw(test, ctx, CKPT_REC_TASK_END, 16, 8);
	ckpt_test_expect_read_error(test, ctx, CKPT_REC_TASK_END, 24, 64);
	ckpt_test_expect_read_error(test, ctx, CKPT_REC_TASK_END, 8, 8);
	/* or not of the type expected */
	ckpt_test_expect_read_error(test, ctx, CKPT_REC_TAIL, 8, 64);
}

static void ckpt_test_truncated(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx(test);

	/* the header says 64 bytes, the image ends after 24 */
	ckpt_test_write_raw(test, ctx, CKPT_REC_TASK_END, 64, 16);
	ckpt_test_expect_read_error(test, ctx, CKPT_REC_TASK_END, 8, 64);

	/* the image ends inside a record header */
	ctx = ckpt_test_ctx(test);
	KUNIT_ASSERT_EQ(test, ckpt_write(ctx, "\x10\0\0", 3), 0);
	ckpt_test_expect_read_error(test, ctx, CKPT_REC_TASK_END, 8, 64);
}

/* padding and reserved bytes must be zero: no covert channel */
static void ckpt_test_nonzero_padding(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx(test);
	struct ckpt_hdr h = {
		.type = cpu_to_le32(CKPT_REC_TASK_END),
		.len = cpu_to_le32(13),
	};
	u8 bytes[8] = { 1, 2, 3, 4, 5, 0, 0, 7 };
	void *back;
	size_t len;

	KUNIT_ASSERT_EQ(test, ckpt_write(ctx, &h, sizeof(h)), 0);
	KUNIT_ASSERT_EQ(test, ckpt_write(ctx, bytes, sizeof(bytes)), 0);
	ckpt_test_expect_read_error(test, ctx, CKPT_REC_TASK_END, 8, 64);

	/* an optional record that is skipped is checked too */
	ctx = ckpt_test_ctx(test);
	h.type = cpu_to_le32(CKPT_TYPE_OPTIONAL | 0x77);
	KUNIT_ASSERT_EQ(test, ckpt_write(ctx, &h, sizeof(h)), 0);
	KUNIT_ASSERT_EQ(test, ckpt_write(ctx, bytes, sizeof(bytes)), 0);
	ckpt_test_write_raw(test, ctx, CKPT_REC_TASK_END, 8, 0);
	ckpt_test_expect_read_error(test, ctx, CKPT_REC_TASK_END, 8, 64);

	/* the same with zero padding reads */
	ctx = ckpt_test_ctx(test);
	bytes[7] = 0;
	KUNIT_ASSERT_EQ(test, ckpt_write(ctx, &h, sizeof(h)), 0);
	KUNIT_ASSERT_EQ(test, ckpt_write(ctx, bytes, sizeof(bytes)), 0);
	ckpt_test_write_raw(test, ctx, CKPT_REC_TASK_END, 8, 0);
	ckpt_test_rewind(ctx);
	back = ckpt_read_record(ctx, CKPT_REC_TASK_END, 8, 8, &len);
	KUNIT_EXPECT_FALSE(test, IS_ERR(back));
	if (!IS_ERR(back))
		kvfree(back);
}

static void ckpt_test_bad_header(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx(test);
	struct ckpt_rec_header hdr = {};

	memcpy(hdr.magic, CKPT_MAGIC, sizeof(hdr.magic));
	hdr.major = cpu_to_le16(CKPT_VERSION_MAJOR + 1);
	hdr.arch = cpu_to_le16(CKPT_ARCH_X86_64);
	hdr.page_size = cpu_to_le32(PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, ckpt_write_record(ctx, CKPT_REC_HEADER, &hdr,
						sizeof(hdr), NULL, 0), 0);
	ckpt_test_rewind(ctx);
	KUNIT_EXPECT_EQ(test, ckpt_read_header(ctx, &hdr), -EINVAL);

	ctx = ckpt_test_ctx(test);
	hdr.major = cpu_to_le16(CKPT_VERSION_MAJOR);
	hdr.magic[0] ^= 0xff;
	KUNIT_ASSERT_EQ(test, ckpt_write_record(ctx, CKPT_REC_HEADER, &hdr,
						sizeof(hdr), NULL, 0), 0);
	ckpt_test_rewind(ctx);
	KUNIT_EXPECT_EQ(test, ckpt_read_header(ctx, &hdr), -EINVAL);

	/* a newer minor version is fine */
	ctx = ckpt_test_ctx(test);
	hdr.magic[0] ^= 0xff;
	hdr.minor = cpu_to_le16(CKPT_VERSION_MINOR + 1);
	KUNIT_ASSERT_EQ(test, ckpt_write_record(ctx, CKPT_REC_HEADER, &hdr,
						sizeof(hdr), NULL, 0), 0);
	ckpt_test_rewind(ctx);
	KUNIT_EXPECT_EQ(test, ckpt_read_header(ctx, &hdr), 0);
}

static int ckpt_test_dropped;

static void ckpt_test_drop(void *ptr)
{
	ckpt_test_dropped++;
}

/* the test objects are ints that say how many users the "kernel" counts */
static long ckpt_test_count(void *ptr)
{
	return *(int *)ptr;
}

static const struct ckpt_obj_ops ckpt_test_ops = {
	.type = CKPT_REC_FS,
	.err_kind = CKPT_OBJ_FS,
	.shared_msg = "test object shared",
	.drop = ckpt_test_drop,
	.users = ckpt_test_count,
};

/* objects collected on checkpoint: one id each, users counted */
static void ckpt_test_objhash(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx(test);
	struct ckpt_obj *oa, *ob, *oa2;
	int a = 2, b = 1;

	ckpt_test_dropped = 0;
	KUNIT_EXPECT_NULL(test, ckpt_obj_find(ctx, &a));
	oa = ckpt_obj_collect(ctx, &ckpt_test_ops, &a);
	ob = ckpt_obj_collect(ctx, &ckpt_test_ops, &b);
	KUNIT_ASSERT_FALSE(test, IS_ERR(oa));
	KUNIT_ASSERT_FALSE(test, IS_ERR(ob));
	KUNIT_EXPECT_GT(test, oa->ref, 0);
	KUNIT_EXPECT_NE(test, oa->ref, ob->ref);
	KUNIT_EXPECT_PTR_EQ(test, ckpt_obj_find(ctx, &a), oa);
	/* met again: the same object, one more user, the new reference dropped */
	oa2 = ckpt_obj_collect(ctx, &ckpt_test_ops, &a);
	KUNIT_EXPECT_PTR_EQ(test, oa2, oa);
	KUNIT_EXPECT_EQ(test, oa->users, 2);
	KUNIT_EXPECT_EQ(test, ckpt_test_dropped, 1);
	/* the kernel counts as many users as the image: not shared */
	KUNIT_EXPECT_EQ(test, ckpt_obj_check_users(ctx), 0);
	/* one more user outside the image: refused, with the reason */
	b = 2;
	KUNIT_EXPECT_EQ(test, ckpt_obj_check_users(ctx), -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, ctx->error.msg, "test object shared");
}

static int ckpt_test_released;

static void ckpt_test_release(struct ckpt_obj *obj)
{
	ckpt_test_released++;
}

static const struct ckpt_obj_ops ckpt_test_rst_ops = {
	.type = CKPT_REC_FILE,
	.release = ckpt_test_release,
};

/* objects restored: by id and kind, each id once */
static void ckpt_test_objhash_restore(struct kunit *test)
{
	struct ckpt_ctx *ctx = ckpt_test_ctx_of(test, true);
	struct ckpt_obj *obj;
	int a, b;

	ckpt_test_released = 0;
	obj = ckpt_obj_add(ctx, 7, &ckpt_test_rst_ops, &a, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(obj));
	KUNIT_EXPECT_PTR_EQ(test, ckpt_obj_get(ctx, 7, &ckpt_test_rst_ops),
			    (void *)&a);
	/* an id of another kind, an unknown id */
	KUNIT_EXPECT_EQ(test, PTR_ERR(ckpt_obj_get(ctx, 7, &ckpt_test_ops)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ckpt_obj_get(ctx, 8, &ckpt_test_rst_ops)),
			-EINVAL);
	/* an id used twice, or 0, is refused and the object released */
	KUNIT_EXPECT_EQ(test, PTR_ERR(ckpt_obj_add(ctx, 7, &ckpt_test_rst_ops,
						   &b, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ckpt_obj_add(ctx, 0, &ckpt_test_rst_ops,
						   &b, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, ckpt_test_released, 2);
	KUNIT_EXPECT_PTR_EQ(test, ckpt_obj_get(ctx, 7, &ckpt_test_rst_ops),
			    (void *)&a);
	ckpt_obj_free(ctx);
	KUNIT_EXPECT_EQ(test, ckpt_test_released, 3);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ckpt_obj_get(ctx, 7, &ckpt_test_rst_ops)));
}

/* every record type restart takes is registered where it may appear */
static void ckpt_test_registry(struct kunit *test)
{
	static const u32 object[] = {
		CKPT_REC_CREDS, CKPT_REC_FS, CKPT_REC_FILE, CKPT_REC_PIPE,
		CKPT_REC_FILES, CKPT_REC_MM, CKPT_REC_SIGHAND, CKPT_REC_SIGNAL,
		CKPT_REC_TASK,
	};
	static const u32 task[] = {
		CKPT_REC_SIGPENDING, CKPT_REC_X86_REGS, CKPT_REC_X86_XSTATE,
	};
	static const u32 core[] = {
		CKPT_REC_HEADER, CKPT_REC_TAIL, CKPT_REC_ERROR, CKPT_REC_TREE,
		CKPT_REC_TASK_END, CKPT_REC_SKIPPED,
	};
	const struct ckpt_rec_ops *ops;
	int i;

	for (i = 0; i < ARRAY_SIZE(object); i++) {
		ops = ckpt_rec_ops(object[i]);
		KUNIT_ASSERT_NOT_NULL(test, ops);
		KUNIT_EXPECT_EQ(test, ops->place, CKPT_PLACE_OBJECT);
		KUNIT_EXPECT_NOT_NULL(test, ops->restore);
	}
	for (i = 0; i < ARRAY_SIZE(task); i++) {
		ops = ckpt_rec_ops(task[i]);
		KUNIT_ASSERT_NOT_NULL(test, ops);
		KUNIT_EXPECT_EQ(test, ops->place, CKPT_PLACE_TASK);
		KUNIT_EXPECT_TRUE(test, ops->once && ops->required);
	}
	/* read by the core itself, or never restored */
	for (i = 0; i < ARRAY_SIZE(core); i++)
		KUNIT_EXPECT_NULL(test, ckpt_rec_ops(core[i]));
	KUNIT_EXPECT_EQ(test, ckpt_rec_ops(CKPT_REC_VMA)->place,
			CKPT_PLACE_MEMBER);
	KUNIT_EXPECT_EQ(test, ckpt_rec_ops(CKPT_REC_PAGES)->place,
			CKPT_PLACE_MEMBER);
	KUNIT_EXPECT_NULL(test, ckpt_rec_ops(CKPT_REC_NR));
	KUNIT_EXPECT_NULL(test, ckpt_rec_ops(CKPT_REC_COMMENT));
}

static struct kunit_case ckpt_image_cases[] = {
	KUNIT_CASE(ckpt_test_roundtrip),
	KUNIT_CASE(ckpt_test_skip_optional),
	KUNIT_CASE(ckpt_test_unknown_mandatory),
	KUNIT_CASE(ckpt_test_bad_length),
	KUNIT_CASE(ckpt_test_length_bounds),
	KUNIT_CASE(ckpt_test_truncated),
	KUNIT_CASE(ckpt_test_nonzero_padding),
	KUNIT_CASE(ckpt_test_bad_header),
	KUNIT_CASE(ckpt_test_objhash),
	KUNIT_CASE(ckpt_test_objhash_restore),
	KUNIT_CASE(ckpt_test_registry),
	{}
};

static struct kunit_suite ckpt_image_suite = {
	.name = "checkpoint_image",
	.test_cases = ckpt_image_cases,
};

kunit_test_suite(ckpt_image_suite);

MODULE_DESCRIPTION("KUnit tests for checkpoint image records");
MODULE_LICENSE("GPL");
