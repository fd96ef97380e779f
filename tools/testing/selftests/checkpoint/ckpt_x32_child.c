// SPDX-License-Identifier: GPL-2.0
/*
 * An x32 program for ckpt_review_test (built with -mx32 -nostdlib
 * -static): it writes one byte to its stdout, then pauses forever.  There
 * is no libc: it makes x32 system calls itself (the x86_64 numbers with
 * __X32_SYSCALL_BIT set).
 */
#define X32_SYSCALL_BIT	0x40000000LL
#define NR_WRITE	1
#define NR_PAUSE	34

static long long x32_syscall3(long long nr, long long a, long long b,
			      long long c)
{
	long long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (X32_SYSCALL_BIT | nr), "D" (a), "S" (b), "d" (c)
		      : "rcx", "r11", "memory");
	return ret;
}

void _start(void)
{
	static const char ready = 'x';

	x32_syscall3(NR_WRITE, 1, (long long)(unsigned long)&ready, 1);
	for (;;)
		x32_syscall3(NR_PAUSE, 0, 0, 0);
}
