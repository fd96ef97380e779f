// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit (ia32) program for ckpt_review_test (built with -m32
 * -nostdlib -static): it writes one byte to its stdout, then pauses
 * forever.  There is no libc: it makes i386 system calls itself.
 */
#define NR_WRITE	4
#define NR_PAUSE	29

static int ia32_syscall3(int nr, int a, int b, int c)
{
	int ret;

	asm volatile ("int $0x80"
		      : "=a" (ret)
		      : "a" (nr), "b" (a), "c" (b), "d" (c)
		      : "memory");
	return ret;
}

void _start(void)
{
	static const char ready = 'x';

	ia32_syscall3(NR_WRITE, 1, (int)&ready, 1);
	for (;;)
		ia32_syscall3(NR_PAUSE, 0, 0, 0);
}
