// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the parser of what is written to the cr controller's
 * cr.exclude file.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <uapi/linux/checkpoint.h>

#include "../cgroup.h"

#define ANON	CKPT_EXCLUDE_ANON
#define NET	CKPT_EXCLUDE_NET
#define FILES	CKPT_EXCLUDE_FILEDATA
#define ALL	CKPT_EXCLUDE_ALL

/* stored in the result by the test, so that an untouched result shows */
#define UNTOUCHED	0xdeadbeef

struct ckpt_parse_case {
	const char *in;
	u32 cur;	/* the current mask */
	u32 want;	/* the new one */
};

static void ckpt_parse_check(struct kunit *test, const char *in, size_t len,
			     u32 cur, int ret, u32 want)
{
	u32 mask = UNTOUCHED;

	KUNIT_EXPECT_EQ_MSG(test, ckpt_exclude_parse(in, len, cur, &mask), ret,
			    "\"%*pE\" from %#x", (int)len, in, cur);
	KUNIT_EXPECT_EQ_MSG(test, mask, ret ? UNTOUCHED : want,
			    "\"%*pE\" from %#x", (int)len, in, cur);
}

static void ckpt_parse_cases(struct kunit *test,
			     const struct ckpt_parse_case *c, size_t n)
{
	for (; n; c++, n--)
		ckpt_parse_check(test, c->in, strlen(c->in), c->cur, 0, c->want);
}

static void ckpt_exclude_numbers(struct kunit *test)
{
	static const struct ckpt_parse_case cases[] = {
		{ "5", 0, ANON | FILES },
		{ "0x5", 0, ANON | FILES },
		{ "0X2", 0, NET },
		{ "0x7", 0, ALL },
		{ "7", 0, ALL },
		{ "1", ALL, ANON },	/* replaces the current mask */
		{ "0", ALL, 0 },
		{ "0x0", ALL, 0 },
		{ "00", ALL, 0 },
		{ "04", 0, FILES },
		{ "0x0000000000000000000000003", 0, ANON | NET },
		{ "6\n", 0, NET | FILES },
		{ " \t3 \t", 0, ANON | NET },
		{ "\n3\n\n", 0, ANON | NET },
	};

	ckpt_parse_cases(test, cases, ARRAY_SIZE(cases));
}

static void ckpt_exclude_names(struct kunit *test)
{
	static const struct ckpt_parse_case cases[] = {
		{ "anon", 0, ANON },
		{ "net", 0, NET },
		{ "files", 0, FILES },
		{ "anon net files", 0, ALL },
		{ "files net anon", 0, ALL },
		{ "files anon", 0, ANON | FILES },
		{ "net anon net net", 0, ANON | NET },	/* duplicates */
		{ "net", ALL, NET },	/* replaces the current mask */
		{ "anon\n", 0, ANON },
		{ "\t files \t anon ", 0, ANON | FILES },
		{ "anon\nnet\n", 0, ANON | NET },
	};

	ckpt_parse_cases(test, cases, ARRAY_SIZE(cases));
}

static void ckpt_exclude_relative(struct kunit *test)
{
	static const struct ckpt_parse_case cases[] = {
		{ "+net", ANON, ANON | NET },
		{ "+anon", ANON, ANON },
		{ "-anon", ANON | NET, NET },
		{ "-anon", 0, 0 },
		{ "-anon", NET, NET },
		{ "+files -net", NET, FILES },
		{ "+anon +net +files", 0, ALL },
		{ "-anon -net -files", ALL, 0 },
		{ "+anon -anon", 0, 0 },	/* from left to right */
		{ "-anon +anon", 0, ANON },
		{ " +net\n", FILES, NET | FILES },
		{ "+net\t-files\n", FILES, NET },
	};

	ckpt_parse_cases(test, cases, ARRAY_SIZE(cases));
}

static void ckpt_exclude_empty(struct kunit *test)
{
	static const struct ckpt_parse_case cases[] = {
		{ "", ALL, 0 },
		{ "\n", ALL, 0 },
		{ " \t ", ANON, 0 },
		{ "\n\n", ANON, 0 },
	};

	ckpt_parse_cases(test, cases, ARRAY_SIZE(cases));
}

static void ckpt_exclude_invalid(struct kunit *test)
{
	static const char * const bad[] = {
		/* unknown names */
		"bogus", "ANON", "Net", "anonx", "all", "anon net bogus",
		"anon,net", "anon;net", "anon=1",
		/* unknown bits, overflow */
		"8", "0x8", "0xf", "9", "10", "0x10", "255", "0xffffffff",
		"4294967295", "4294967296", "4294967301", "0x100000000",
		"0x100000005", "99999999999999999999999",
		/* not a number */
		"5x", "0x", "0x5g", "x5", "0b1", "1.0", "-1", "+5", "-0",
		/* numbers and names do not mix */
		"5 5", "5 anon", "anon 5", "0 net",
		/* lone or doubled signs, plain and prefixed names mixed */
		"+", "-", "+ anon", "anon -", "++anon", "+-anon", "--anon",
		"anon +net", "+net anon", "-net anon",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ckpt_parse_check(test, bad[i], strlen(bad[i]), 0, -EINVAL, 0);
		ckpt_parse_check(test, bad[i], strlen(bad[i]), ALL, -EINVAL, 0);
	}
}

/* only @len bytes count, and a NUL among them is garbage */
static void ckpt_exclude_length(struct kunit *test)
{
	static const char nul_name[] = "anon\0net";
	static const char nul_num[] = "5\0";

	ckpt_parse_check(test, "anon net", 4, 0, 0, ANON);
	ckpt_parse_check(test, "0x51", 3, 0, 0, ANON | FILES);
	ckpt_parse_check(test, "+net", 1, 0, -EINVAL, 0);
	ckpt_parse_check(test, nul_name, sizeof(nul_name) - 1, 0, -EINVAL, 0);
	ckpt_parse_check(test, nul_name, sizeof(nul_name), 0, -EINVAL, 0);
	ckpt_parse_check(test, nul_num, sizeof(nul_num), 0, -EINVAL, 0);
	ckpt_parse_check(test, "anon", 0, ALL, 0, 0);
}

static struct kunit_case ckpt_exclude_cases[] = {
	KUNIT_CASE(ckpt_exclude_numbers),
	KUNIT_CASE(ckpt_exclude_names),
	KUNIT_CASE(ckpt_exclude_relative),
	KUNIT_CASE(ckpt_exclude_empty),
	KUNIT_CASE(ckpt_exclude_invalid),
	KUNIT_CASE(ckpt_exclude_length),
	{}
};

static struct kunit_suite ckpt_exclude_suite = {
	.name = "ckpt_cgroup_exclude",
	.test_cases = ckpt_exclude_cases,
};

kunit_test_suite(ckpt_exclude_suite);

MODULE_DESCRIPTION("KUnit tests for the cr.exclude parser");
MODULE_LICENSE("GPL");
